"""The main window: corpus and model on the left, training and its plots in the middle, sampling
on the right. It wires the panels to the training controller; the menus and file dialogs live
in ``rnnlab.gui.window_actions``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt, QThreadPool, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus, split_lines
from rnnlab.core.sampling import Sampler
from rnnlab.gui.banner import Banner
from rnnlab.gui.controller import TrainingController
from rnnlab.gui.corpus_panel import CorpusPanel
from rnnlab.gui.inspector import Inspector
from rnnlab.gui.loading import Loader
from rnnlab.gui.messages import HistoryCursor
from rnnlab.gui.model_panel import PRESETS, ModelPanel
from rnnlab.gui.plots import GradNormPlot, LossPlot
from rnnlab.gui.sample_panel import SamplePanel
from rnnlab.gui.training_bar import TrainingBar
from rnnlab.gui.window_actions import LEFT_WIDTH, SAMPLE_WIDTH, WindowActions
from rnnlab.gui.window_settings import restore_window, save_window

DEFAULT_CORPUS = "tinyshakespeare"
VALIDATION_FRACTION = TrainConfig().validation_fraction


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("rnnlab")
        self.setAcceptDrops(True)
        self.settings = settings or QSettings("rnnlab", "rnnlab")
        self.corpus: Corpus | None = None
        self.training_lines: frozenset[str] = frozenset()
        self.controller = TrainingController(self)
        self.loader = Loader(self)
        self._run_start_step = 0
        self._budget: tuple[int | None, float | None] = (None, None)
        self._training_device = "auto"
        self._build()
        self.actions_ = WindowActions(self)
        self._connect()
        if self.settings.value("windowState") is None:
            # First launch: the docks at their minimum, the plots get the rest of the width.
            self.resizeDocks(
                [self.left_dock, self.sample_dock],
                [LEFT_WIDTH, SAMPLE_WIDTH],
                Qt.Orientation.Horizontal,
            )
        self._restore_settings()

    # ---- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.corpus_panel = CorpusPanel()
        self.model_panel = ModelPanel()
        self.left_tabs = QTabWidget(objectName="leftTabs")
        for panel, title in ((self.corpus_panel, "&Corpus"), (self.model_panel, "&Model")):
            scroll = QScrollArea()
            scroll.setWidget(panel)
            scroll.setWidgetResizable(True)
            self.left_tabs.addTab(scroll, title)
        # Wide enough for the corpus facts and the model form without a sideways scroll.
        self.left_tabs.setMinimumWidth(LEFT_WIDTH)
        self.left_dock = self._dock(
            "Corpus and model",
            "corpusModelDock",
            self.left_tabs,
            Qt.DockWidgetArea.LeftDockWidgetArea,
        )
        self.sample_panel = SamplePanel()
        self.sample_panel.setMinimumWidth(SAMPLE_WIDTH)
        self.sample_dock = self._dock(
            "Sample", "sampleDock", self.sample_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )

        center = QWidget()
        layout = QVBoxLayout(center)
        layout.setContentsMargins(0, 0, 0, 0)
        self.training_bar = TrainingBar()
        self.banner = Banner()
        self.loss_plot = LossPlot()
        self.grad_norm_plot = GradNormPlot()
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.grad_norm_plot)
        plots.setSizes([600, 300])
        self.inspector = Inspector(self.controller, VALIDATION_FRACTION)
        self.center_tabs = QTabWidget(objectName="centerTabs")
        self.center_tabs.addTab(plots, "&Loss")
        for page, title in self.inspector.pages:
            self.center_tabs.addTab(page, title)
        self.inspector.probe_bar.hide()  # the Loss page does not use it
        layout.addWidget(self.training_bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.inspector.probe_bar)
        layout.addWidget(self.center_tabs, stretch=1)
        self.setCentralWidget(center)

        self.status_device = QLabel()
        self.status_step = QLabel("step 0")
        self.status_speed = QLabel()
        self.status_elapsed = QLabel()
        for label in (self.status_device, self.status_step, self.status_speed, self.status_elapsed):
            self.statusBar().addPermanentWidget(label)
        self.resize(1600, 1000)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self, objectName=name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _connect(self) -> None:
        bar, controller = self.training_bar, self.controller
        bar.trainClicked.connect(self.train)
        bar.pauseClicked.connect(self.toggle_pause)
        bar.stepClicked.connect(self.step_once)
        bar.stopClicked.connect(controller.stop)
        bar.resetClicked.connect(self.reset_weights)
        bar.unitChanged.connect(self.loss_plot.set_unit)
        self.corpus_panel.corpusRequested.connect(self.open_corpus)
        self.model_panel.learningRateChanged.connect(controller.set_learning_rate)
        self.model_panel.clippingChanged.connect(self._on_clipping_changed)
        self.model_panel.presetChosen.connect(self._on_preset)
        self.model_panel.configError.connect(self.show_error)
        controller.updated.connect(self._on_update)
        controller.stateChanged.connect(self._on_state)
        controller.diverged.connect(self._on_diverged)
        controller.failed.connect(self.show_error)
        controller.snapshotReady.connect(self._on_snapshot)
        controller.saved.connect(self._on_saved)
        self.loader.corpusLoaded.connect(self._on_corpus_loaded)
        self.loader.checkpointLoaded.connect(self._on_checkpoint_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.loader.devicesListed.connect(self.model_panel.set_devices)
        self.loader.devicesListed.connect(self._on_devices)
        self.banner.resetClicked.connect(self.reset_weights)
        self.center_tabs.currentChanged.connect(self._on_page)
        self.inspector.failed.connect(self.show_error)
        self.inspector.exported.connect(self.show_exported)
        self.banner.resumeClicked.connect(self._resume_after_divergence)

    # ---- corpus ----------------------------------------------------------------------------

    @Slot(str)
    def open_corpus(self, source: str) -> None:
        """Load a bundled name or a file in the background; the current corpus stays until then."""
        if self.controller.running:
            self.show_error("stop training before changing the corpus")
            return
        self.corpus_panel.set_busy(True)
        self.loader.load_corpus(source)

    @Slot(object)
    def _on_corpus_loaded(self, corpus: Corpus) -> None:
        self.corpus_panel.set_busy(False)
        self.corpus_panel.clear_error()
        if self.corpus is not None and corpus.fingerprint != self.corpus.fingerprint:
            self.controller.reset()  # a model belongs to its text
            self._clear_run_views()
        self.corpus = corpus
        train_chars, validation_chars = self._split_sizes(corpus)
        self.corpus_panel.show_corpus(corpus, train_chars, validation_chars)
        self.model_panel.set_vocabulary_size(len(corpus.vocabulary))
        self.loss_plot.set_vocabulary_size(len(corpus.vocabulary))
        self.inspector.set_corpus(corpus)
        self.setWindowTitle(f"rnnlab — {corpus.name}")
        if not corpus.bundled:
            self.actions_.remember_recent(corpus.source)
        self.settings.setValue("corpus", corpus.source)

    def _split_sizes(self, corpus: Corpus) -> tuple[int, int]:
        self.training_lines = frozenset()
        if corpus.line_mode:
            try:
                train, validation = split_lines(corpus, VALIDATION_FRACTION)
            except Exception:
                return 0, 0
            self.training_lines = frozenset(train)
            return sum(map(len, train)), sum(map(len, validation))
        validation = int(len(corpus.codes) * VALIDATION_FRACTION)
        return len(corpus.codes) - validation, validation

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        self.corpus_panel.set_busy(False)
        self.corpus_panel.show_error(message)
        self.show_error(message)

    # ---- training --------------------------------------------------------------------------

    def _configs(self) -> tuple[ModelConfig, TrainConfig] | None:
        """The panel's settings, or None (the panel has said what is wrong)."""
        if self.corpus is None:
            self.show_error("load a corpus first (File > Open corpus, or pick a bundled one)")
            return None
        model_config = self.model_panel.model_config(len(self.corpus.vocabulary))
        train_config = self.model_panel.train_config()
        if model_config is None or train_config is None:
            return None
        return model_config, train_config

    @Slot()
    def train(self, start_paused: bool = False) -> None:
        if self.controller.running:
            return
        configs = self._configs()
        if configs is None:
            return
        model_config, train_config = configs
        steps, seconds = self.training_bar.budget()
        self._budget = (steps, seconds)
        self._run_start_step = self.controller.step
        self.banner.hide()
        self.grad_norm_plot.set_threshold(train_config.clip, train_config.clip_value)
        self.model_panel.set_training(True)
        self.controller.start(
            self.corpus,
            model_config,
            train_config,
            max_steps=steps,
            time_budget=seconds,
            start_paused=start_paused,
        )
        self._training_device = train_config.device
        self.status_device.setText(f"device: {self.model_panel.device_label(train_config.device)}")

    @Slot(object)
    def _on_devices(self, devices: list[tuple[str, str]]) -> None:
        if self.controller.running:  # the list came after Train was pressed
            self.status_device.setText(
                f"device: {self.model_panel.device_label(self._training_device)}"
            )

    @Slot()
    def toggle_pause(self) -> None:
        if self.controller.state == "paused":
            self.controller.resume()
        elif self.controller.state == "running":
            self.controller.pause()

    @Slot()
    def step_once(self) -> None:
        if not self.controller.running:
            self.train(start_paused=True)
        self.controller.step_once()

    @Slot()
    def reset_weights(self) -> None:
        self.controller.reset()
        self._clear_run_views()
        self.statusBar().showMessage("weights reset: the next Train starts from scratch", 5000)

    def _clear_run_views(self) -> None:
        self.loss_plot.clear_data()
        self.grad_norm_plot.clear_data()
        self.inspector.clear()
        self.sample_panel.set_sampler(None, 0)
        self.banner.hide()
        self.status_step.setText("step 0")
        self._on_state(self.controller.state)

    @Slot(str, float)
    def _on_clipping_changed(self, mode: str, value: float) -> None:
        self.controller.set_clipping(mode, value)
        self.grad_norm_plot.set_threshold(mode, value)

    @Slot(str)
    def _on_preset(self, name: str) -> None:
        corpus = PRESETS[name][2]
        if corpus and (self.corpus is None or self.corpus.source != corpus):
            self.open_corpus(corpus)

    @Slot(object)
    def _on_update(self, update: Any) -> None:
        self._plot(update)
        self.status_step.setText(f"step {update.step:,}")
        self.status_speed.setText(f"{update.chars_per_second:,.0f} chars/s")
        self.status_elapsed.setText(f"{update.elapsed:,.0f} s")
        steps, seconds = self._budget
        self.training_bar.show_progress(
            update.step - self._run_start_step, update.elapsed, steps, seconds
        )

    def _plot(self, update: Any) -> None:
        self.loss_plot.append_steps(update.steps, update.losses, update.clipped)
        self.grad_norm_plot.append(update.steps, update.grad_norms, update.clipped)
        for step, loss in update.evaluations:
            self.loss_plot.add_validation(step, loss)
        for event in update.events:
            if event.name == "divergence":
                continue
            self.loss_plot.add_marker(event.step, event.label())

    @Slot(str)
    def _on_state(self, state: str) -> None:
        self.training_bar.set_state(state, self.controller.has_model)
        self.model_panel.set_training(state in ("running", "paused"))
        self.actions_.update_enabled()

    @Slot(object)
    def _on_diverged(self, notice: Any) -> None:
        self.loss_plot.mark_divergence(notice.step, notice.reason)
        self.banner.show_divergence(notice.step, notice.reason)

    @Slot()
    def _resume_after_divergence(self) -> None:
        self.banner.hide()
        self.controller.resume()

    @Slot(object, int)
    def _on_snapshot(self, stepper: Any, step: int) -> None:
        if self.corpus is None or stepper.vocab_size != len(self.corpus.vocabulary):
            return
        sampler = Sampler(stepper, self.corpus.vocabulary, line_mode=self.corpus.line_mode)
        self.sample_panel.set_sampler(sampler, step, self.training_lines)

    @Slot(int)
    def _on_page(self, index: int) -> None:
        self.inspector.probe_bar.setVisible(index > 0)
        self.inspector.refresh()

    @Slot(str)
    def show_exported(self, path: str) -> None:
        self.statusBar().showMessage(f"exported {path}", 5000)

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self.statusBar().showMessage(f"saved {path}", 5000)
        self.actions_.remember_recent_model(path)

    @Slot(object)
    def _on_checkpoint_loaded(self, loaded: Any) -> None:
        checkpoint, corpus, snapshot = loaded
        if self.controller.running:  # Train was pressed while the file was loading
            self.show_error(f"training is running: stop it, then open {checkpoint.path} again")
            return
        self._on_corpus_loaded(corpus)
        self.controller.adopt_checkpoint(checkpoint)
        self.model_panel.set_configs(checkpoint.model_config, checkpoint.train_config)
        self._clear_run_views()
        # The run so far, as one update: the same path as live training, markers included.
        self._plot(HistoryCursor().take(checkpoint.history, checkpoint.step, 0.0))
        self.status_step.setText(f"step {checkpoint.step:,}")
        self._on_snapshot(snapshot, checkpoint.step)
        self._on_state("stopped")
        self.statusBar().showMessage(f"opened {checkpoint.path} at step {checkpoint.step:,}", 5000)

    @Slot(str)
    def show_error(self, message: str) -> None:
        self.banner.show_message(message)
        self.statusBar().showMessage(message, 10000)

    # ---- drag and drop, settings, closing -------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if urls:
            self.actions_.open_path(urls[0])
            event.acceptProposedAction()

    def _restore_settings(self) -> None:
        restore_window(self)

    def save_settings(self) -> None:
        save_window(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.dirty and not self.actions_.confirm_discard():
            event.ignore()
            return
        self.controller.stop()
        self.controller.wait(2000)
        QThreadPool.globalInstance().waitForDone(2000)
        self.save_settings()
        event.accept()
