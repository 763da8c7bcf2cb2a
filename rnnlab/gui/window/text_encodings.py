"""Texts whose encoding the user picks: the encoding dialog when a text cannot be read as UTF-8
(or as a legacy encoding its bytes point to), File > Reopen with encoding… to change a pick, and
each file's pick remembered, so recent files, lessons and the next launch open it again.

Without this a Chinese or Japanese text, or UTF-16 without a byte-order mark, could not be opened
in the window at all: the only way to name an encoding was ``rnnlab train --encoding``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Slot

from rnnlab.core.corpus import Corpus
from rnnlab.core.encoding_choices import SAMPLE_BYTES, suggest_encodings
from rnnlab.gui.panels.encoding_dialog import EncodingDialog
from rnnlab.gui.training.loading import NeedsEncoding

SETTINGS_KEY = "file_encodings"  # JSON: {absolute path: codec name}
MAX_REMEMBERED = 50  # files; the oldest picks are forgotten first


def plain_reason(message: str) -> str:
    """The engine's message without its command-line advice ("; pass --encoding NAME")."""
    head, _, advice = message.rpartition("; ")
    return head if head and "--encoding" in advice else message


class TextEncodings(QObject):
    """Asks for an encoding when a text needs one, and remembers it per file.
    ``window``: the MainWindow."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self._settings: QSettings = window.settings
        self.dialog: EncodingDialog | None = None  # the open one (tests answer it)
        window.loader.corpusNeedsEncoding.connect(self._ask)
        window.loader.corpusLoaded.connect(self._on_loaded)
        window.actions_.reopen_encoding.triggered.connect(self.reopen)
        window.actions_.reopen_encoding.setEnabled(False)

    def encoding_for(self, source: str) -> str | None:
        """The encoding picked for this file before, if any."""
        return self._remembered().get(_key(source))

    @Slot()
    def reopen(self) -> None:
        """Pick another encoding for the text shown (a file's; bundled texts are UTF-8)."""
        corpus = self._window.corpus
        if not isinstance(corpus, Corpus) or corpus.bundled:
            return
        if self._window.controller.running:
            self._window.show_error("stop training before reading the text again")
            return
        self._ask(NeedsEncoding(corpus.source, corpus.encoding, ()), reopening=True)

    @Slot(NeedsEncoding)
    def _ask(self, need: NeedsEncoding, reopening: bool = False) -> None:
        loader, name = self._window.loader, Path(need.source).name
        try:
            with open(need.source, "rb") as stream:
                sample = stream.read(SAMPLE_BYTES)
        except OSError as error:
            if not reopening:
                loader.give_up(f"cannot read {name}: {error.strerror or error}")
            return
        suggested = need.suggested or suggest_encodings(sample)
        if self.dialog is not None:
            self.dialog.close()
        if reopening:  # ``why`` is the encoding it was read in
            headline = f"{name} was read as {need.why}."
        else:
            headline = f"{name} could not be read: {plain_reason(need.why)}."
        dialog = self.dialog = EncodingDialog(name, headline, sample, suggested, self._window)

        def finished(result: int) -> None:
            self.dialog = None
            if result == EncodingDialog.DialogCode.Accepted:
                self._remember(need.source, dialog.encoding())
                confirm = self._window.run_commands.confirm_drop_runs
                if reopening and not confirm(need.source, rereading=True):
                    return
                self._window.corpus_panel.set_busy(True)
                loader.load_corpus(need.source, dialog.encoding())
            elif not reopening:  # the window stays on the text it had
                loader.give_up(f"{name} was not opened: {plain_reason(need.why)}")

        dialog.finished.connect(finished)
        dialog.open()  # window-modal, and the event loop goes on (tests answer it)

    @Slot(Corpus)
    def _on_loaded(self, corpus: Corpus) -> None:
        self._window.actions_.reopen_encoding.setEnabled(not corpus.bundled)

    def _remembered(self) -> dict[str, str]:
        try:
            remembered = json.loads(str(self._settings.value(SETTINGS_KEY, "{}")))
        except ValueError:  # a settings file edited by hand: start again
            return {}
        if not isinstance(remembered, dict):
            return {}
        return {str(path): str(encoding) for path, encoding in remembered.items()}

    def _remember(self, source: str, encoding: str) -> None:
        remembered = self._remembered()
        remembered.pop(_key(source), None)  # to the end: the newest pick
        remembered[_key(source)] = encoding
        kept = dict(list(remembered.items())[-MAX_REMEMBERED:])
        self._settings.setValue(SETTINGS_KEY, json.dumps(kept))


def _key(source: str) -> str:
    """A file's key among the remembered picks: its absolute path."""
    try:
        return str(Path(source).resolve())
    except (OSError, ValueError, RuntimeError):
        return source
