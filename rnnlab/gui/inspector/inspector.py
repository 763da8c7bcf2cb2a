"""The views that look inside the model while it learns, on three pages of the window's tabs.

Inspections (probes of the live weights, ``rnnlab.core.probe_result.Inspection``) arrive from
the training controller several times a second; the window wires them to ``show_inspection`` and
passes this object's probe requests (``probeRequested``, ``probeNowRequested``) to the
controller. Views that draw the run over time (gradient
history, norms, spectrum, the fading flow curves) take every one; views of a single probe
(heatmaps, saturation, text) draw only while their page is shown and catch up with the latest
inspection when it is, so a hidden page costs the training nothing.

Inspections are of the current run only. The window keeps the other runs' latest ones and hands
them over (``show_runs``: ``run_overlays.RunTrace`` values): the gradient-flow and spectrum plots
draw them beside the current run's curves.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QSplitter, QWidget

from rnnlab.core.corpus import Corpus, validation_excerpt
from rnnlab.core.probe_result import MIN_PROBE_CHARS, Inspection
from rnnlab.core.tasks import Task
from rnnlab.core.vocabulary import Vocabulary
from rnnlab.gui.inspector.gate_view import GateView
from rnnlab.gui.inspector.gradient_views import GradientFlowPlot, GradientHistoryView
from rnnlab.gui.inspector.neuron_text import NeuronTextView
from rnnlab.gui.inspector.probe_bar import ProbeBar
from rnnlab.gui.inspector.run_overlays import RunTrace
from rnnlab.gui.inspector.saturation_plot import SaturationPlot
from rnnlab.gui.inspector.text_views import ConnectivityView, GuessesView
from rnnlab.gui.inspector.weight_plots import GroupNormPlot, SpectrumPlot
from rnnlab.gui.widgets.view_frame import ViewFrame

FLOW_ON_TEXT = ("How much the last prediction's loss changes with the state d steps earlier. "
                "A falling line is a fading memory.")
FLOW_ON_TASK = ("How much the answer's loss changes with the state d steps earlier. Dashed: "
                "the positions the answer depends on. Does any gradient reach them?")


def _split(orientation: Qt.Orientation, widgets: Sequence[QWidget], sizes: list[int]) -> QSplitter:
    splitter = QSplitter(orientation)
    splitter.setChildrenCollapsible(False)
    for widget in widgets:
        splitter.addWidget(widget)
    splitter.setSizes(sizes)
    return splitter


class Inspector(QObject):
    exported = Signal(str)  # a path written by a view's Export menu
    failed = Signal(str)
    # Probe this text from now on (connectivity at the position; None: the last) and once now.
    probeRequested = Signal(Vocabulary, str, object)
    probeNowRequested = Signal()  # the probe bar's Probe now
    taskProbeRequested = Signal(object, int)  # (Task, sequence number): probe that sequence

    def __init__(self, validation_fraction: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._validation_fraction = validation_fraction
        self._corpus: Corpus | None = None
        self._task: Task | None = None  # on a task: which one, and which of its sequences
        self._sequence = 0
        self._position: int | None = None  # the connectivity view's chosen prediction
        self.latest: Inspection | None = None
        self._run_name = ""  # the current run's, while there are several: the status names it
        self.probe_bar = ProbeBar()
        self.gate_view = GateView()
        self.saturation_plot = SaturationPlot()
        self.neuron_text = NeuronTextView()
        self.connectivity_view = ConnectivityView()
        self.guesses_view = GuessesView()
        self.flow_plot = GradientFlowPlot()
        self.history_view = GradientHistoryView()
        self.group_norm_plot = GroupNormPlot()
        self.spectrum_plot = SpectrumPlot()
        frame = self._frame
        gates = _split(
            Qt.Orientation.Horizontal,
            [
                frame(self.gate_view, "Gates and states",
                      "Each row a unit, each column a character of the probe text. Hover to read "
                      "a value; click a row to follow that unit on the text."),
                _split(Qt.Orientation.Vertical, [
                    frame(self.saturation_plot, "Saturation",
                          "One dot per unit: how often its gate is nearly shut (x) or wide open "
                          "(y). Dots near the axes are switches; near 0,0 they are subtle."),
                    frame(self.neuron_text, "One unit on the text",
                          "The probe text coloured by the chosen unit: some units track quotes, "
                          "line ends or word starts."),
                ], [300, 500]),
            ],
            [900, 500],
        )  # fmt: skip
        text = _split(
            Qt.Orientation.Vertical,
            [
                frame(self.connectivity_view, "Connectivity",
                      "Click a character: the colours say how strongly the prediction after it "
                      "depends on each earlier character."),
                frame(self.guesses_view, "Next-character guesses",
                      "Under each character, the model's five best guesses for it before reading "
                      "it, darker when more likely; the true character is marked."),
            ],
            [400, 400],
        )  # fmt: skip
        gradients = _split(
            Qt.Orientation.Vertical,
            [
                _split(Qt.Orientation.Horizontal, [
                    frame(self.flow_plot, "Gradient flow through time", FLOW_ON_TEXT),
                    frame(self.history_view, "Gradient flow over training",
                          "The flow curve of every probe, one column each: watch fading "
                          "(blue) or growing (red) develop."),
                ], [500, 500]),
                _split(Qt.Orientation.Horizontal, [
                    frame(self.group_norm_plot, "Gradient norm per parameter group",
                          "Which weights get large updates: the recurrent weights carry the "
                          "gradient back through time."),
                    frame(self.spectrum_plot, "Largest singular value of W_hh",
                          "Below 1, a signal shrinks at every step back (w^99 fades). Above 1 it "
                          "can grow, unless saturated units (tanh slope near 0) shrink it."),
                ], [500, 500]),
            ],
            [500, 400],
        )  # fmt: skip
        self.pages: list[tuple[QWidget, str]] = [
            (gates, "&Gates and states"),
            (text, "Te&xt"),
            (gradients, "Gra&dients"),
        ]
        self._history_views = (self.flow_plot, self.history_view)
        self._history_views += (self.group_norm_plot, self.spectrum_plot)
        self._snapshot_views = (self.gate_view, self.saturation_plot, self.neuron_text)
        self._snapshot_views += (self.connectivity_view, self.guesses_view)
        self._stale: set[QWidget] = set()  # snapshot views not showing the latest inspection
        self.gate_view.unitClicked.connect(self.neuron_text.set_unit)
        self.neuron_text.unitSelected.connect(self.gate_view.select_unit)  # marks the rows
        self.probe_bar.layerChanged.connect(self.set_layer)
        self.probe_bar.textChanged.connect(self._on_text)
        self.probe_bar.defaultClicked.connect(self._use_excerpt)
        self.probe_bar.newSequenceClicked.connect(self._new_sequence)
        self.probe_bar.probeClicked.connect(self.probeNowRequested)
        self.connectivity_view.positionClicked.connect(self._on_position)
        # The views that say "character" say "token" for a word or BPE run's probe.
        self._unit_frames = [view.parentWidget() for view in (
            self.gate_view, self.connectivity_view, self.guesses_view)]  # fmt: skip
        self._unit_texts = [(frame.title.text(), frame.explanation.text())
                            for frame in self._unit_frames]  # fmt: skip

    def _frame(self, view: QWidget, title: str, explanation: str) -> ViewFrame:
        frame = ViewFrame(title, view, explanation)
        frame.exported.connect(self.exported)
        frame.failed.connect(self.failed)
        return frame

    def frames(self) -> list[ViewFrame]:
        views = (*self._snapshot_views, *self._history_views)
        return [view.parentWidget() for view in views]

    # ---- from the window -----------------------------------------------------------------------

    def _explain_flow(self, on_task: bool) -> None:
        frame = self.flow_plot.parentWidget()
        if isinstance(frame, ViewFrame):
            frame.explanation.setText(FLOW_ON_TASK if on_task else FLOW_ON_TEXT)

    def set_task(self, task: Task) -> None:
        """A task is shown (or its T changed): probe one of its sequences, the same number as
        before at the new T, so "now make it harder" compares like with like."""
        if self._task is None or self._task.spec != task.spec:
            self._sequence = 0
        self._task, self._corpus = task, None
        self.probe_bar.set_task_mode(True)
        self._explain_flow(True)
        self.probe_bar.set_vocabulary(None)
        self.guesses_view.set_characters(list(task.spec.classes))
        self._send_task()

    @Slot()
    def _new_sequence(self) -> None:
        self._sequence += 1
        self._send_task()

    def _send_task(self) -> None:
        if self._task is not None:
            self.probe_bar.show_status(f"sequence {self._sequence + 1} of {self._task.name}")
            self.taskProbeRequested.emit(self._task, self._sequence)

    def set_corpus(self, corpus: Corpus) -> None:
        """A corpus was loaded: its characters, and a fresh excerpt if it is another text."""
        same = self._corpus is not None and self._corpus.fingerprint == corpus.fingerprint
        self._corpus, self._task = corpus, None
        self.probe_bar.set_task_mode(False)
        self._explain_flow(False)
        self.probe_bar.set_vocabulary(corpus.vocabulary)
        self.guesses_view.set_characters(corpus.vocabulary.chars)
        if not same or len(self.probe_bar.text()) < MIN_PROBE_CHARS:
            self._use_excerpt()

    @Slot()
    def _use_excerpt(self) -> None:
        if self._corpus is None:
            return
        text = validation_excerpt(self._corpus, self._validation_fraction)
        self.probe_bar.set_text(text)
        self._on_text(text)

    @Slot(str)
    def _on_text(self, text: str) -> None:
        self._position = None  # the old position may not mean the same character any more
        self._send()

    @Slot(int)
    def _on_position(self, position: int) -> None:
        self._position = position
        self._send()

    def _send(self) -> None:
        if self._corpus is not None:
            vocabulary, text = self._corpus.vocabulary, self.probe_bar.text()
            self.probeRequested.emit(vocabulary, text, self._position)

    @Slot(str)
    def show_probe_failure(self, message: str) -> None:
        self.probe_bar.show_status(message, error=True)

    def _name_positions(self, tokens: bool) -> None:
        """Characters or tokens, in the texts of the views that read the probe text."""
        for frame, (title, explanation) in zip(self._unit_frames, self._unit_texts):
            if tokens:
                title, explanation = (text.replace("character", "token")
                                      for text in (title, explanation))  # fmt: skip
            frame.title.setText(title)
            frame.explanation.setText(explanation)

    @Slot(Inspection)
    def show_inspection(self, inspection: Inspection) -> None:
        self.latest = inspection
        self._name_positions(bool(inspection.probe.tokens))
        self.probe_bar.set_layers(len(inspection.probe.layers))
        milliseconds = inspection.seconds * 1000
        # With several runs, which one the views show (the others are drawn only beside it).
        run = f"{self._run_name}: " if self._run_name else ""
        probe = inspection.probe
        if probe.task:  # one generated sequence, not a text the user typed
            self.probe_bar.set_text(probe.input_text)
            what = (f"one {probe.task} sequence of {probe.positions} positions "
                    f"(number {self._sequence + 1})")  # fmt: skip
        elif probe.tokens:  # a word or BPE run reads the text in its own tokens
            spelled = sum(map(len, probe.tokens))
            what = f"{len(probe.tokens)} tokens ({spelled} characters)"
        else:
            what = f"{probe.positions + 1} characters"
        self.probe_bar.show_status(
            f"{run}{what}, probed at step {inspection.step:,} in {milliseconds:,.0f} ms"
        )
        for view in self._history_views:
            view.show_inspection(inspection)
        self._stale = set(self._snapshot_views)
        self.refresh()

    def show_runs(self, current: RunTrace | None, others: Sequence[RunTrace]) -> None:
        """The current run (name, colour) and every other run (hidden ones included, each with
        its latest inspection and spectral norms): the flow and spectrum plots overlay them."""
        self._run_name = current.name if current is not None and others else ""
        self.flow_plot.set_runs(current, others)
        self.spectrum_plot.set_runs(current, others)

    def show_run(self, run: RunTrace) -> None:
        """A run has just become current (the views were cleared): show what is kept of it,
        its latest inspection and spectral norms, until its next probe arrives."""
        if len(run.spectral_steps):
            self.spectrum_plot.show_history(run.spectral_steps, run.spectral_norms)
        if run.latest is not None:
            self.show_inspection(run.latest)

    @Slot()
    def refresh(self) -> None:
        """Bring the shown single-probe views up to the latest inspection (after a page change)."""
        if self.latest is None:
            return
        for view in self._snapshot_views:
            if view in self._stale and view.isVisibleTo(view.window()):
                view.show_inspection(self.latest)
                self._stale.discard(view)

    @Slot(int)
    def set_layer(self, layer: int) -> None:
        for view in (self.gate_view, self.saturation_plot, self.neuron_text, self.history_view,
                     self.flow_plot, self.spectrum_plot):  # fmt: skip
            view.set_layer(layer)

    def clear(self) -> None:
        self.latest = None
        self._stale.clear()
        for view in (*self._snapshot_views, *self._history_views):
            view.clear()
        self.probe_bar.show_status("Train a few steps (or open a model) to see inside it")

    def set_font_scale(self, scale: float) -> None:
        self.probe_bar.set_font_scale(scale)
        for frame in self.frames():
            frame.set_font_scale(scale)
