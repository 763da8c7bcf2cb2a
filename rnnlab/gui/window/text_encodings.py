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


class TextEncodings(QObject):
    """Asks for an encoding when a text needs one, and remembers it per file.
    ``window``: the MainWindow."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self._settings: QSettings = window.settings
        self.dialog: EncodingDialog | None = None  # the open one (tests answer it)
        window.loader.corpusNeedsEncoding.connect(self._on_needs_encoding)
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
        headline = f"{Path(corpus.source).name} was read as {corpus.encoding}."
        self._ask(corpus.source, headline, (), loading=False)

    @Slot(NeedsEncoding)
    def _on_needs_encoding(self, need: NeedsEncoding) -> None:
        headline = f"{Path(need.source).name} could not be read: {need.reason}."
        self._ask(need.source, headline, need.suggested, loading=True, reason=need.reason)

    def _ask(self, source: str, headline: str, suggested: tuple[str, ...], *, loading: bool,
             reason: str = "") -> None:  # fmt: skip
        """Open the dialog for ``source``. ``loading``: a load waits on it, and gives up (saying
        ``reason``) if no encoding is picked; else the text shown stays."""
        loader, name = self._window.loader, Path(source).name
        try:
            with open(source, "rb") as stream:
                sample = stream.read(SAMPLE_BYTES)
        except OSError as error:
            if loading:
                loader.give_up(f"cannot read {name}: {error.strerror or error}")
            return
        if self.dialog is not None:
            self.dialog.close()
        suggested = suggested or suggest_encodings(sample)
        dialog = self.dialog = EncodingDialog(name, headline, sample, suggested, self._window)

        def finished(result: int) -> None:
            self.dialog = None
            if result == EncodingDialog.DialogCode.Accepted:
                confirm = self._window.run_commands.confirm_drop_runs
                if not loading and not confirm(source, rereading=True):
                    return
                self._remember(source, dialog.encoding())
                self._window.corpus_panel.set_busy(True)
                loader.load_corpus(source, dialog.encoding())
            elif loading:  # the window stays on the text it had
                loader.give_up(f"{name} was not opened: {reason}")

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
