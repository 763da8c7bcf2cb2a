"""What the window shows of the current run: the plots, the status bar, the progress bar, the
sampler and the inspector. Messages from the training side come in here; nothing goes back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnlab.core.corpus import Corpus
from rnnlab.core.sampling import Sampler
from rnnlab.core.stepping import NumpyStepper
from rnnlab.gui.training.messages import DivergenceNotice, HistoryCursor, TrainingUpdate
from rnnlab.gui.window.layout import WindowParts

if TYPE_CHECKING:
    from rnnlab.core.history import History


class RunViews:
    def __init__(self, parts: WindowParts) -> None:
        self._parts = parts
        self.run_start_step = 0  # the step Train started from: the budget counts from there
        self.budget: tuple[int | None, float | None] = (None, None)  # (steps, seconds)

    def show_update(self, update: TrainingUpdate) -> None:
        parts = self._parts
        self.plot(update)
        parts.status_step.setText(f"step {update.step:,}")
        parts.status_speed.setText(f"{update.chars_per_second:,.0f} chars/s")
        parts.status_elapsed.setText(f"{update.elapsed:,.0f} s")
        steps, seconds = self.budget
        parts.training_bar.show_progress(
            update.step - self.run_start_step, update.elapsed, steps, seconds
        )

    def plot(self, update: TrainingUpdate) -> None:
        """Add the update's steps, validations and setting changes to the plots."""
        loss_plot = self._parts.loss_plot
        loss_plot.append_steps(update.steps, update.losses, update.clipped)
        self._parts.grad_norm_plot.append(update.steps, update.grad_norms, update.clipped)
        for step, loss in update.evaluations:
            loss_plot.add_validation(step, loss)
        for event in update.events:
            if event.name != "divergence":  # marked by show_divergence, with its reason
                loss_plot.add_marker(event.step, event.label())

    def show_history(self, history: History, step: int) -> None:
        """An opened model's run so far, as one update: the same path as live training."""
        self.plot(HistoryCursor().take(history, step, 0.0))
        self._parts.status_step.setText(f"step {step:,}")

    def show_device(self, label: str) -> None:
        self._parts.status_device.setText(f"device: {label}")

    def show_divergence(self, notice: DivergenceNotice) -> None:
        self._parts.loss_plot.mark_divergence(notice.step, notice.reason)
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

    def clear(self) -> None:
        """Forget the run: a reset, another corpus, an opened model."""
        parts = self._parts
        parts.loss_plot.clear_data()
        parts.grad_norm_plot.clear_data()
        parts.inspector.clear()
        parts.sample_panel.set_sampler(None, 0)
        parts.banner.hide()
        parts.status_step.setText("step 0")
