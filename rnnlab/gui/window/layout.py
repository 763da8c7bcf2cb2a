"""The window's widgets and where they sit: corpus and model on the left, the training bar, plots
and inspector pages in the middle, sampling and the surprise of a typed text on the right (two
tabs of one dock), device and progress in the status bar.

``build_layout`` creates them in a ``QMainWindow`` and returns them as ``WindowParts``, the
collaborators the window's actions, files and settings get handed, so that none of those needs
the window itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rnnlab.core.config import TrainConfig
from rnnlab.gui.inspector.inspector import Inspector
from rnnlab.gui.panels.corpus_panel import CorpusPanel
from rnnlab.gui.panels.lesson_panel import LessonPanel
from rnnlab.gui.panels.model_panel import ModelPanel
from rnnlab.gui.panels.runs_panel import RunsPanel
from rnnlab.gui.panels.sample_panel import SamplePanel
from rnnlab.gui.panels.surprise_panel import SurprisePanel
from rnnlab.gui.plots.baseline_control import BaselineControl
from rnnlab.gui.plots.smoothing_control import SmoothingControl
from rnnlab.gui.plots.training_plots import GradNormPlot, LossPlot
from rnnlab.gui.plots.x_axis_control import XAxisControl
from rnnlab.gui.window.banner import Banner
from rnnlab.gui.window.training_bar import TrainingBar

# The side panels' minimum widths at normal size: the corpus facts and model form without a
# sideways scroll, and the whole window (about 1290 pixels at least) within a 1366-pixel laptop.
LEFT_WIDTH, SAMPLE_WIDTH = 330, 376
VALIDATION_FRACTION = TrainConfig().validation_fraction
PLOT_SIZES = (600, 340)  # the loss plot over the gradient-norm plot
RUNS_SIZES = (700, 150)  # the pages over the runs


@dataclass(frozen=True)
class WindowParts:
    corpus_panel: CorpusPanel
    model_panel: ModelPanel
    left_tabs: QTabWidget
    left_dock: QDockWidget
    sample_panel: SamplePanel
    sample_dock: QDockWidget
    training_bar: TrainingBar
    banner: Banner
    smoothing_control: SmoothingControl
    x_axis_control: XAxisControl
    loss_plot: LossPlot
    grad_norm_plot: GradNormPlot
    inspector: Inspector
    center_tabs: QTabWidget
    runs_panel: RunsPanel
    status_device: QLabel
    status_step: QLabel
    status_speed: QLabel
    status_elapsed: QLabel
    baseline_control: BaselineControl  # baselineCombo: n-gram lines on the loss plot
    lesson_panel: LessonPanel  # lessonPanel: across the top of the middle while a lesson is open
    surprise_panel: SurprisePanel  # surprisePanel: a typed text coloured by surprise
    sample_tabs: QTabWidget  # sampleTabs: the sample and surprise panels in the right-hand dock
    plot_splitter: QSplitter  # the loss plot over the gradient-norm plot (side by side in Focus)
    runs_splitter: QSplitter  # the pages over the runs


def build_layout(window: QMainWindow) -> WindowParts:
    corpus_panel, model_panel = CorpusPanel(), ModelPanel()
    left_tabs = QTabWidget(objectName="leftTabs")
    for panel, title in ((corpus_panel, "&Corpus"), (model_panel, "&Model")):
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        left_tabs.addTab(scroll, title)
    # Wide enough for the corpus facts and the model form without a sideways scroll.
    left_tabs.setMinimumWidth(LEFT_WIDTH)
    left_dock = _dock(
        window, "Corpus and model", "corpusModelDock", left_tabs,
        Qt.DockWidgetArea.LeftDockWidgetArea,
    )  # fmt: skip
    sample_panel, surprise_panel = SamplePanel(), SurprisePanel()
    sample_panel.setMinimumWidth(SAMPLE_WIDTH)
    # Tabs of one dock: both read text from the same model, and a second dock beside the first
    # would take width the plots need on a 1366-pixel laptop.
    sample_tabs = QTabWidget(objectName="sampleTabs")
    sample_tabs.addTab(sample_panel, "Sample")
    sample_tabs.addTab(surprise_panel, "Surprise")
    sample_tabs.setTabToolTip(1, "The model as a spelling checker: a typed text coloured by how "
                                 "much each character surprised it")  # fmt: skip
    sample_dock = _dock(
        window, "Sample and surprise", "sampleDock", sample_tabs,
        Qt.DockWidgetArea.RightDockWidgetArea,
    )  # fmt: skip

    center = QWidget()
    layout = QVBoxLayout(center)
    layout.setContentsMargins(0, 0, 0, 0)
    training_bar, banner = TrainingBar(), Banner()
    loss_plot, grad_norm_plot = LossPlot(), GradNormPlot()
    splitter = QSplitter(Qt.Orientation.Vertical, objectName="plotSplitter")
    splitter.addWidget(loss_plot)
    splitter.addWidget(grad_norm_plot)
    # The gradient plot keeps room for its curves under a legend of several runs.
    splitter.setSizes(list(PLOT_SIZES))
    # The smoothing sits on the Loss page, not in the training bar: a wider bar would widen the
    # window past a 1366-pixel laptop screen.
    smoothing_control, x_axis_control = SmoothingControl(), XAxisControl()
    baseline_control = BaselineControl()
    # Two rows: the three controls side by side would widen the window past a 1366-pixel laptop.
    controls, baseline_row = QHBoxLayout(), QHBoxLayout()
    controls.addWidget(smoothing_control)
    controls.addWidget(x_axis_control)
    controls.addStretch(1)
    baseline_row.addWidget(baseline_control)
    baseline_row.addStretch(1)
    plots = QWidget()
    loss_page = QVBoxLayout(plots)
    loss_page.setContentsMargins(0, 2, 0, 0)
    loss_page.setSpacing(2)
    loss_page.addLayout(controls)
    loss_page.addLayout(baseline_row)
    loss_page.addWidget(splitter, stretch=1)
    inspector = Inspector(VALIDATION_FRACTION, parent=window)
    center_tabs = QTabWidget(objectName="centerTabs")
    center_tabs.addTab(plots, "&Loss")
    for page, title in inspector.pages:
        center_tabs.addTab(page, title)
    inspector.probe_bar.hide()  # the Loss page does not use it
    # The lesson first, above everything in the middle: where a class looks on a projector.
    lesson_panel = LessonPanel()
    lesson_panel.hide()
    layout.addWidget(lesson_panel)
    layout.addWidget(training_bar)
    layout.addWidget(banner)
    layout.addWidget(inspector.probe_bar)
    # The runs under every page: the current run is what each page shows.
    runs_panel = RunsPanel()
    middle = QSplitter(Qt.Orientation.Vertical, objectName="runsSplitter")
    middle.addWidget(center_tabs)
    middle.addWidget(runs_panel)
    middle.setStretchFactor(0, 1)
    middle.setSizes(list(RUNS_SIZES))
    layout.addWidget(middle, stretch=1)
    window.setCentralWidget(center)

    status = [QLabel() for _ in range(4)]
    status[1].setText("step 0")
    for label in status:
        window.statusBar().addPermanentWidget(label)
    return WindowParts(
        corpus_panel, model_panel, left_tabs, left_dock, sample_panel, sample_dock, training_bar,
        banner, smoothing_control, x_axis_control, loss_plot, grad_norm_plot, inspector,
        center_tabs, runs_panel, *status, baseline_control, lesson_panel, surprise_panel,
        sample_tabs, splitter, middle,
    )  # fmt: skip


def _dock(
    window: QMainWindow, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea
) -> QDockWidget:
    dock = QDockWidget(title, window, objectName=name)
    dock.setWidget(widget)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    window.addDockWidget(area, dock)
    return dock
