"""``rnnlab train``'s progress line on stderr: the loss (in bits per character on text, as a
share of chance on a task), validation, speed and the time left."""

from __future__ import annotations

import math
import sys
import time
from typing import Any

PROGRESS_SECONDS = 2.0


class Progress:
    """Prints a progress line on stderr every few seconds and at each validation."""

    def __init__(
        self, first_step: int, steps: int | None, budget: float | None, chance: float | None = None
    ) -> None:
        self.first_step, self.steps, self.budget = first_step, steps, budget
        self.chance = chance  # a task's: losses are shown as a share of it
        self.start = self.last_print = time.perf_counter()
        self.chars = 0
        self.val_loss: float | None = None
        self.val_bits = math.nan  # per character, whatever the run's unit
        self.val_accuracy = math.nan
        self.report: Any = None

    def step(self, report: Any) -> None:
        self.chars += report.chars
        self.report = report
        if time.perf_counter() - self.last_print >= PROGRESS_SECONDS:
            self.print()

    def evaluation(self, report: Any) -> None:
        self.val_loss, self.val_accuracy = report.loss, report.accuracy
        self.val_bits = report.bits_per_char
        if self.report is not None:
            self.print()

    def print(self) -> None:
        now = time.perf_counter()
        self.last_print = now
        elapsed = now - self.start
        report = self.report
        done = report.step - self.first_step
        eta = ""
        if self.steps:
            eta = f" | ETA {_clock(elapsed / max(done, 1) * (self.steps - done))}"
        elif self.budget:
            eta = f" | ETA {_clock(max(self.budget - elapsed, 0.0))}"
        total = f"/{self.first_step + self.steps}" if self.steps else ""
        print(
            f"step {report.step}{total} | loss {self._loss(report.loss, report.bits_per_char)}"
            f"{self._validation()} | {self._speed(elapsed)} | {_clock(elapsed)}{eta}",
            file=sys.stderr,
            flush=True,
        )


    def _loss(self, loss: float, bits: float) -> str:
        if self.chance is None:
            return f"{loss:.3f} ({bits:.2f} bpc)"
        return f"{loss:.4f} ({loss / self.chance:.3f} x chance)"

    def _validation(self) -> str:
        if not self.val_loss:
            return ""
        shown = f" | val {self._loss(self.val_loss, self.val_bits)}"
        if self.val_accuracy == self.val_accuracy:
            shown += f", accuracy {self.val_accuracy:.1%}"
        return shown

    def _speed(self, elapsed: float) -> str:
        if self.chance is None:
            return f"{self.chars / max(elapsed, 1e-9) / 1000:.1f}k chars/s"
        return f"{self.chars / max(elapsed, 1e-9):,.0f} sequences/s"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
