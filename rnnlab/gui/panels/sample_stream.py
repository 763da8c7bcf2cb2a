"""The sample panel's streaming driver: one sample written into the output piece by piece.

A timer draws characters for a few milliseconds per tick and appends them, so a long sample
appears as it is written and the window keeps repainting. In line mode each line is shown once
it ends, marked new or seen. What to sample (prime, settings, how much) is the panel's to say;
this module knows nothing of its controls.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from rnnlab.core.errors import SamplingError
from rnnlab.core.sampling import CharSampler, SampleSettings, mean_entropy
from rnnlab.gui.widgets.style import ROLE_COLOURS, is_dark

TICK_BUDGET_SECONDS = 0.008  # sampling per timer tick: the window still repaints at ~100 Hz
LINE_MAX_LENGTH = 100
MARK_NEW, MARK_SEEN = "new  ", "seen "
# (on a light background, on a dark one): no single colour reads well on both.
COLOURS = {"new": ROLE_COLOURS["marker"], "seen": ("#868e96",) * 2}


def describe(settings: SampleSettings) -> str:
    """The settings a sample was drawn with, as its heading says them: "T = 0.30, top-k 5"."""
    if settings.greedy:
        return "greedy"
    parts = [f"T = {settings.temperature:.2f}"]
    if settings.top_k is not None:
        parts.append(f"top-k {settings.top_k}")
    return ", ".join(parts)


class SampleStream(QObject):
    """Streams one sample at a time into ``output``. ``failed`` gives a SamplingError's message
    (e.g. a prime this model cannot start from); ``ended`` says the sample ran out or failed,
    and the owner then calls ``stop``, as it does when the user stops it."""

    ended = Signal()
    failed = Signal(str)

    def __init__(self, output: QPlainTextEdit) -> None:
        super().__init__(output)
        self._output = output
        self._pieces: Iterator[tuple[str, str]] | None = None
        self._produced: list[str] = []
        # The lines the model was trained on, for the new and seen markers. Read as each line
        # ends, so new weights that arrive during a sample mark the lines after them.
        self.training_lines: frozenset[str] = frozenset()
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self._tick)
        self._keep = False
        self._sampled: tuple[CharSampler, str, SampleSettings] | None = None
        self.entropy: float | None = None  # of the last sample: nats per character
        self.heading = ""  # the last sample's settings, as describe() says them

    def start(
        self,
        sampler: CharSampler,
        prime: str,
        settings: SampleSettings,
        count: int,
        *,
        keep: bool = False,
    ) -> None:
        """Clear the output and stream ``count`` characters after the prime (in line mode,
        ``count`` lines that start with it). ``keep``: below the earlier samples instead, under
        a line naming the settings, and with the sample's mean entropy after it, so samples at
        several temperatures can be read side by side."""
        self.heading = describe(settings)
        self._keep = keep
        if keep:
            below = "" if self._output.document().isEmpty() else "\n\n"
            self._append([("", f"{below}— {self.heading} —\n")])
        else:
            self._output.clear()
        self._produced = []
        self._sampled = (sampler, prime, settings)
        self._pieces = self._generate(sampler, prime, settings, count)
        self._timer.start()

    def stop(self) -> list[str]:
        """Stop streaming; the text produced so far: the prime and one piece per character, or
        one piece per finished line in line mode. ``entropy`` then holds the sample's mean
        entropy (None in line mode)."""
        self._timer.stop()
        self._pieces = None
        self.entropy = None
        if self._sampled is None:
            return self._produced
        sampler, prime, settings = self._sampled
        if not sampler.line_mode and self._produced:
            self.entropy = mean_entropy(sampler, prime, "".join(self._produced[1:]), settings)
            if self._keep:
                self._append([("", f"\n(mean entropy {self.entropy:.2f} nats per character)")])
        return self._produced

    def is_running(self) -> bool:
        return self._pieces is not None

    def _generate(
        self, sampler: CharSampler, prime: str, settings: SampleSettings, count: int
    ) -> Iterator[tuple[str, str]]:
        """(marker, text) to append to the output, one character's work at a time."""
        if not sampler.line_mode:
            self._produced.append(prime)
            yield "", prime
            for piece in sampler.generate(prime, count, settings):  # count: characters
                self._produced.append(piece)
                yield "", piece
            return
        for index in range(count):
            seed = None if settings.seed is None else settings.seed + index
            line = prime
            for char in sampler.generate(prime, LINE_MAX_LENGTH, replace(settings, seed=seed)):
                line += char
                yield "", ""  # the marker needs the whole line: show the line when it ends
            self._produced.append(line)
            marker = ""
            if self.training_lines:  # without them, new and seen are unknown: no marker
                marker = MARK_SEEN if line in self.training_lines else MARK_NEW
            yield marker, line + ("\n" if index < count - 1 else "")

    def _tick(self) -> None:
        source = self._pieces
        if source is None:  # the timer runs only while there is a sample; this says so to mypy
            return
        deadline = time.perf_counter() + TICK_BUDGET_SECONDS
        pieces, finished = [], False
        try:
            while time.perf_counter() < deadline:
                pieces.append(next(source))
        except StopIteration:
            finished = True
        except SamplingError as error:
            self.failed.emit(str(error))
            finished = True
        self._append(pieces)
        if finished:
            self.ended.emit()

    def _append(self, pieces: list[tuple[str, str]]) -> None:
        """Insert at the end of the document: re-setting the whole text would cost O(length)."""
        cursor = QTextCursor(self._output.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        plain = QTextCharFormat()
        waiting: list[str] = []
        for marker, text in pieces:
            if marker:
                cursor.insertText("".join(waiting), plain)
                waiting = []
                marker_format = QTextCharFormat()
                marker_format.setForeground(self._colour("seen" if marker == MARK_SEEN else "new"))
                marker_format.setFontWeight(QFont.Weight.Bold)
                cursor.insertText(marker, marker_format)
            waiting.append(text)
        cursor.insertText("".join(waiting), plain)
        scroll_bar = self._output.verticalScrollBar()
        scroll_bar.setValue(scroll_bar.maximum())

    def _colour(self, role: str) -> QColor:
        # The output's palette is the panel's: it follows a switch to the dark palette.
        return QColor(COLOURS[role][is_dark(self._output)])
