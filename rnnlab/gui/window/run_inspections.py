"""Each run's latest inspection and a short history of its spectral norms, kept by the window, and
where inspections go: the current run's to the inspector's views, and every run's, as
``RunTrace`` values, to the overlays that draw the other runs beside the current one.

``Runs`` tells this of runs made, renamed, hidden, deleted, reset and made current, with the same
calls it makes on the loss plots; the controller's ``runInspected`` brings the inspections, each
with its run. Only an inspection of the current run reaches the inspector's full views.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Slot

from rnnlab.core.probe_result import Inspection
from rnnlab.gui.inspector.inspector import Inspector
from rnnlab.gui.inspector.run_overlays import RunTrace

# Spectral points kept per run. When full, every other point goes: the whole run stays drawn,
# more thinly (a few hundred points draw a line as well as thousands).
SPECTRAL_POINTS = 512


@dataclass
class KeptRun:
    """What the window keeps of one run's inspections."""

    name: str
    index: int  # colour and dash pattern
    visible: bool = True
    latest: Inspection | None = None
    steps: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (N,)
    norms: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (N, layers) σ_max

    def take(self, inspection: Inspection) -> bool:
        """Keep the inspection; False if it is older than the one kept (a probe made in a pool
        thread can arrive after a later one made by the training thread)."""
        if self.latest is not None and inspection.step < self.latest.step:
            return False
        self.latest = inspection
        row = np.asarray(inspection.spectral_norms, dtype=np.float64)[None, :]
        # New arrays, never written in place: traces handed to the views keep the old ones.
        if not len(self.steps) or row.shape[1] != self.norms.shape[1]:  # first, or reshaped
            self.steps, self.norms = np.zeros(0, np.int64), np.zeros((0, row.shape[1]))
        if len(self.steps) and self.steps[-1] == inspection.step:  # a probe while paused
            self.norms = np.concatenate([self.norms[:-1], row])
        else:
            self.steps = np.append(self.steps, np.int64(inspection.step))
            self.norms = np.concatenate([self.norms, row])
        if len(self.steps) > SPECTRAL_POINTS:
            kept = np.unique(np.append(np.arange(0, len(self.steps), 2), len(self.steps) - 1))
            self.steps, self.norms = self.steps[kept], self.norms[kept]
        return True

    def forget(self) -> None:
        self.latest = None
        self.steps, self.norms = np.zeros(0, np.int64), np.zeros((0, 0))


class RunInspections(QObject):
    def __init__(self, inspector: Inspector, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._inspector = inspector
        self._runs: dict[int, KeptRun] = {}
        self.current: int | None = None

    # ---- the calls Runs makes on every plot of runs --------------------------------------------

    def add_run(self, run: int, name: str, index: int) -> None:
        if run in self._runs:
            self._runs[run].name, self._runs[run].index = name, index
        else:
            self._runs[run] = KeptRun(name, index)
        self._push()

    def rename_run(self, run: int, name: str) -> None:
        if run in self._runs:
            self._runs[run].name = name
            self._push()

    def set_run_visible(self, run: int, visible: bool) -> None:
        if run in self._runs:
            self._runs[run].visible = bool(visible)
            self._push()

    def remove_run(self, run: int) -> None:
        self._runs.pop(run, None)
        if self.current == run:
            self.current = None
        self._push()

    def set_current_run(self, run: int) -> None:
        self.current = run
        self._push()

    def clear_run(self, run: int) -> None:
        """The run was reset: its inspections are of weights that are gone."""
        if run in self._runs:
            self._runs[run].forget()
            self._push()

    # ---- inspections ---------------------------------------------------------------------------

    @Slot(int, Inspection)
    def take(self, run: int, inspection: Inspection) -> None:
        """A probe of ``run``: kept; shown in full if the run is current, else overlaid."""
        kept = self._runs.get(run)
        if kept is None or not kept.take(inspection):
            return  # a deleted run's probe still on its way, or one overtaken by a later one
        if run == self.current:
            self._inspector.show_inspection(inspection)
        if len(self._runs) > 1:  # alone, a run has nothing to overlay
            self._push()

    def show_current(self) -> None:
        """The current run's kept inspection and spectral norms, into views just cleared for
        it: they show the run at once instead of waiting for its next probe."""
        if self.current in self._runs:
            self._inspector.show_run(self._trace(self.current))

    def latest(self, run: int) -> Inspection | None:
        kept = self._runs.get(run)
        return None if kept is None else kept.latest

    def trace(self, run: int) -> RunTrace | None:
        return self._trace(run) if run in self._runs else None

    def _trace(self, run: int) -> RunTrace:
        kept = self._runs[run]
        return RunTrace(
            run, kept.name, kept.index, kept.visible, kept.latest,
            spectral_steps=kept.steps, spectral_norms=kept.norms,
        )  # fmt: skip

    def _push(self) -> None:
        current = self._trace(self.current) if self.current in self._runs else None
        others = [self._trace(run) for run in self._runs if run != self.current]
        self._inspector.show_runs(current, others)
