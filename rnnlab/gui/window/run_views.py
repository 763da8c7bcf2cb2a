"""What the window shows of the current run: the plots, the status bar, the progress bar, the
sampler (the sample and surprise panels) and the inspector. Messages from the training side come
in here; nothing goes back."""

from __future__ import annotations

from rnnlab.core.corpus import Corpus
from rnnlab.core.sampling import Sampler
from rnnlab.core.stepping import NumpyStepper
from rnnlab.gui.training.messages import DivergenceNotice, TrainingUpdate
from rnnlab.gui.window.layout import WindowParts


class RunViews:
    def __init__(self, parts: WindowParts) -> None:
        self._parts = parts
        self.run_start_step = 0  # the step Train started from: the budget counts from there
        self.budget: tuple[int | None, float | None] = (None, None)  # (steps, seconds)
        self.speed_unit = "chars/s"  # on a task: sequences answered a second

    def show_update(self, update: TrainingUpdate) -> None:
        """The current run's progress (its curves are drawn by ``Runs`` with every run's)."""
        parts = self._parts
        parts.status_step.setText(f"step {update.step:,}")
        if update.chars_per_second:  # an update of validations or settings alone has no speed
            parts.status_speed.setText(f"{update.chars_per_second:,.0f} {self.speed_unit}")
        parts.status_elapsed.setText(f"{update.elapsed:,.0f} s")
        steps, seconds = self.budget
        parts.training_bar.show_progress(
            update.step - self.run_start_step, update.elapsed, steps, seconds
        )

    def show_step(self, step: int) -> None:
        self._parts.status_step.setText(f"step {step:,}")

    def show_device(self, label: str) -> None:
        self._parts.status_device.setText(f"device: {label}")

    def show_divergence(self, notice: DivergenceNotice) -> None:
        self._parts.banner.show_divergence(notice.step, notice.reason)

    def show_snapshot(
        self, stepper: NumpyStepper, step: int, corpus: Corpus | None, lines: frozenset[str]
    ) -> None:
        """Sample from these weights, if they fit the corpus shown (``lines``: the training
        lines, so the sample panel can mark names it has seen)."""
        if corpus is None or stepper.vocab_size != len(corpus.vocabulary):
            return
        sampler = Sampler(stepper, corpus.vocabulary, line_mode=corpus.line_mode)
        self._parts.sample_panel.set_sampler(sampler, step, lines)
        self._parts.surprise_panel.set_sampler(sampler, step)

    def clear(self) -> None:
        """Forget what is shown of the current run: a reset, another corpus, another run."""
        parts = self._parts
        parts.inspector.clear()
        parts.sample_panel.set_sampler(None, 0)
        parts.surprise_panel.set_sampler(None, 0)
        parts.banner.hide()
        parts.status_step.setText("step 0")
        parts.status_speed.setText("")
