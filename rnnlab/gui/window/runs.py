"""The window's runs: what each run is (name, colour, settings) and has done, the current run,
and keeping the runs table and the plots' overlays in step with the training messages.

The controller owns the runs' trainers; this keeps what the window shows of them. Run ids are
small integers handed out here; colours follow the order runs were made in.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QTimer

from rnnlab.core.config import ModelConfig, TrainConfig, count_parameters
from rnnlab.core.corpus import Corpus
from rnnlab.core.token_corpus import TokenCorpus, unknown_share
from rnnlab.core.tokens import TokenUnit
from rnnlab.gui.panels.runs_table import RunRow, RunsTable
from rnnlab.gui.training.messages import DivergenceNotice, TrainingUpdate
from rnnlab.gui.window.layout import VALIDATION_FRACTION, WindowParts
from rnnlab.gui.window.run_inspections import RunInspections

LOSS_WINDOW = 50  # the table's loss: the mean of this many last steps
TABLE_REFRESH_MS = 250
CELL_LABELS = {"rnn": "RNN", "rnn-relu": "RNN ReLU", "lstm": "LSTM", "gru": "GRU", "sru": "SRU"}


@dataclass
class Run:
    run: int
    name: str
    index: int  # colour and dash pattern
    model_config: ModelConfig
    train_config: TrainConfig
    visible: bool = True
    state: str = "new"
    step: int = 0
    chars: int = 0
    seconds: float = 0.0
    best_validation: float = math.nan
    chars_per_second: float = 0.0
    recent_losses: deque[float] = field(default_factory=lambda: deque(maxlen=LOSS_WINDOW))
    # A word or BPE run's vocabulary once its unit is learned (its model_config keeps the
    # text's characters, as the model panel gives it); 0: characters, or not learned yet.
    token_vocabulary: int = 0
    unknown_share: float = 0.0  # a word run's unknown validation tokens

    def row(self) -> RunRow:
        model = self.model_config
        if self.token_vocabulary:
            model = dataclasses.replace(model, vocab_size=self.token_vocabulary)
        loss = float(np.mean(self.recent_losses)) if self.recent_losses else math.nan
        return RunRow(
            run=self.run, name=self.name, index=self.index, visible=self.visible,
            cell=model.cell, layers=model.layers, hidden_size=model.hidden_size,
            parameters=count_parameters(model), steps=self.step, chars=self.chars,
            seconds=self.seconds, loss=loss, best_validation=self.best_validation,
            chars_per_second=self.chars_per_second, state=self.state,
            tokens=self.train_config.token_unit.label, unknown_share=self.unknown_share,
        )  # fmt: skip


class Runs:
    """The runs on the current corpus, in the order they were made."""

    def __init__(self, parts: WindowParts, table: RunsTable, inspections: RunInspections) -> None:
        self._parts, self._table = parts, table
        self._inspections = inspections  # each run's probes, for the inspector's overlays
        self.runs: dict[int, Run] = {}
        self.current: int | None = None
        # The window's TokenUnits: the shown text read in a unit ((tokens, validation
        # fraction); None while it is learned), and asking for a unit not learned yet, whose
        # answer comes back through take_unit.
        self.reading_of: Callable[[str, float], Corpus | None] | None = None
        self.unit_wanted: Callable[[str, float], None] | None = None
        self._next_id, self._next_index = 1, 0
        # Training updates refresh the table a few times a second, not on each of the ~30
        # updates a second per run: re-measuring its columns that often starved the window.
        self._stale: set[int] = set()
        self._refresh = QTimer(table, singleShot=True, interval=TABLE_REFRESH_MS)
        self._refresh.timeout.connect(self._show_stale)

    def __len__(self) -> int:
        return len(self.runs)

    def __contains__(self, run: int) -> bool:
        return run in self.runs

    def get(self, run: int | None) -> Run | None:
        return None if run is None else self.runs.get(run)

    def add(self, model_config: ModelConfig, train_config: TrainConfig, name: str = "") -> Run:
        run = Run(self._next_id, "", self._next_index, model_config, train_config)
        run.name = name or self._default_name(model_config, train_config.tokens)
        self._next_id += 1
        self._next_index += 1
        self.runs[run.run] = run
        for plot in self._plots():
            plot.add_run(run.run, run.name, run.index)
        self._learned(run)
        self.show(run)
        return run

    def make_current(self, run: int) -> None:
        self.current = run
        for plot in self._plots():
            plot.set_current_run(run)
        self._table.select_run(run)

    def remove(self, run: int) -> None:
        self.runs.pop(run, None)
        for plot in self._plots():
            plot.remove_run(run)
        self._table.remove_run(run)
        if self.current == run:
            self.current = None

    def clear(self) -> None:
        for run in list(self.runs):
            self.remove(run)
        self._next_index = 0

    def set_visible(self, run: int, visible: bool) -> None:
        if run in self.runs:
            self.runs[run].visible = visible
            for plot in self._plots():
                plot.set_run_visible(run, visible)

    def rename(self, run: int, name: str) -> None:
        if run in self.runs:
            self.runs[run].name = name
            for plot in self._plots():
                plot.rename_run(run, name)
            self._learned(self.runs[run])

    def set_configs(self, run: int, model_config: ModelConfig, train_config: TrainConfig) -> None:
        record = self.runs[run]
        record.model_config, record.train_config = model_config, train_config
        self._learned(record)
        self.show(record)

    def unit_size(self, tokens: str) -> int | None:
        """A learned word or BPE unit's vocabulary size (None: not learned yet)."""
        reading = self._reading(tokens, VALIDATION_FRACTION)
        return None if reading is None else len(reading.vocabulary)

    def take_unit(self, tokens: str, reading: Corpus) -> None:
        """A unit learned on the shown text: its runs count parameters with its vocabulary,
        and a word run's losses carry its unknown share."""
        for record in self.runs.values():
            if record.train_config.tokens == tokens:
                self._learned(record)
                self.show(record)

    def _reading(self, tokens: str, validation_fraction: float) -> TokenCorpus | None:
        reading = None if self.reading_of is None else self.reading_of(tokens, validation_fraction)
        return reading if isinstance(reading, TokenCorpus) else None

    def _learned(self, record: Run) -> None:
        tokens, fraction = record.train_config.tokens, record.train_config.validation_fraction
        reading = None if tokens == "char" else self._reading(tokens, fraction)
        if tokens != "char" and reading is None and self.unit_wanted is not None:
            self.unit_wanted(tokens, fraction)
        record.token_vocabulary = 0 if reading is None else len(reading.vocabulary)
        record.unknown_share = 0.0 if reading is None else unknown_share(reading)
        for plot in self._plots()[:1]:  # the loss plot: a word run's name warns at its end
            plot.rename_run(record.run, self._plot_name(record))

    @staticmethod
    def _plot_name(record: Run) -> str:
        share = record.unknown_share
        return f"{record.name} ({share:.0%} unknown words)" if share else record.name

    def set_state(self, run: int, state: str) -> None:
        if run in self.runs:
            self.runs[run].state = state
            self.show(self.runs[run])

    def show(self, run: Run) -> None:
        self._stale.discard(run.run)
        self._table.show_run(run.row())

    def show_soon(self, run: Run) -> None:
        self._stale.add(run.run)
        if not self._refresh.isActive():
            self._refresh.start()

    def _show_stale(self) -> None:
        for run in sorted(self._stale):
            if run in self.runs:
                self._table.show_run(self.runs[run].row())
        self._stale.clear()

    # ---- training messages -------------------------------------------------------------------

    def take_update(self, update: TrainingUpdate) -> None:
        """Plot the update's steps in its run's colour and refresh the run's row."""
        run = self.runs.get(update.run)
        if run is None:
            return  # a deleted run's last steps, still in the queue
        self._plot(update)
        if len(update.steps):
            run.step, run.chars = int(update.steps[-1]), int(update.chars[-1])
            run.seconds = float(update.seconds[-1])
            # Per character, as the plot: runs of every unit compare in the table.
            run.recent_losses.extend(update.losses_per_character()[-LOSS_WINDOW:].tolist())
        if update.chars_per_second:
            run.chars_per_second = update.chars_per_second
        for _, loss in update.validations_per_character():
            best = run.best_validation
            run.best_validation = loss if math.isnan(best) else min(best, loss)
        self.show_soon(run)

    def _plot(self, update: TrainingUpdate) -> None:
        parts, run = self._parts, update.run
        extra = {"chars": update.chars, "seconds": update.seconds, "run": run}
        # Every run per character, so runs of any unit overlay; a word or BPE run's characters
        # per token go along for the per-token unit.
        per_character = update.losses_per_character()
        factors = None if update.char_losses is None else _ratio(update.losses, per_character)
        parts.loss_plot.append_steps(update.steps, per_character, update.clipped,
                                     token_factors=factors, **extra)  # fmt: skip
        parts.grad_norm_plot.append(update.steps, update.grad_norms, update.clipped, **extra)
        for (step, loss), (_, char_loss) in zip(
            update.evaluations, update.validations_per_character()
        ):
            factor = float(_ratio(np.array([loss]), np.array([char_loss]))[0])
            parts.loss_plot.add_validation(step, char_loss, run=run, token_factor=factor)
        for step, accuracy in update.accuracies:  # a symbol task's; none on text
            parts.loss_plot.add_accuracy(step, accuracy, run=run)
        for event in update.events:
            if event.name != "divergence":  # marked by mark_divergence, with its reason
                parts.loss_plot.add_marker(event.step, event.label(), run=run)

    def take_divergence(self, notice: DivergenceNotice) -> None:
        self._parts.loss_plot.mark_divergence(notice.step, notice.reason, run=notice.run)
        self.set_state(notice.run, "diverged")

    def forget_progress(self, run: int) -> None:
        """After a reset: the run starts again from step 0."""
        self._inspections.clear_run(run)
        record = self.runs.get(run)
        if record is not None:
            fresh = Run(record.run, record.name, record.index, record.model_config,
                        record.train_config, record.visible)  # fmt: skip
            self.runs[run] = fresh
            self.show(fresh)

    def _default_name(self, model: ModelConfig, tokens: str = "char") -> str:
        base = f"{CELL_LABELS.get(model.cell, model.cell)} {model.layers}×{model.hidden_size}"
        if tokens != "char":  # "LSTM 2×256 BPE-500": runs of several units tell apart
            base += f" {TokenUnit.parse(tokens).label}"
        taken = {run.name for run in self.runs.values()}
        name, number = base, 2
        while name in taken:
            name, number = f"{base} ({number})", number + 1
        return name

    def _plots(self) -> tuple:
        """What draws runs: the loss plots, and the inspections kept for the inspector."""
        return (self._parts.loss_plot, self._parts.grad_norm_plot, self._inspections)


def _ratio(per_token: np.ndarray, per_character: np.ndarray) -> np.ndarray:
    """Characters per token behind each pair of losses (1 where either is not a positive finite
    number: a diverged step's, or a character run's)."""
    per_token, per_character = np.asarray(per_token, float), np.asarray(per_character, float)
    usable = np.isfinite(per_token) & np.isfinite(per_character) & (per_character > 0)
    return np.divide(per_token, per_character, out=np.ones_like(per_token), where=usable)
