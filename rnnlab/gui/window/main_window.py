"""The main window: it builds the parts (``layout``), the menus (``actions``), the model files
(``model_files``) and the training controller, and wires their signals. What happens on Train,
on an update, a divergence or a loaded model is here; everything else lives in those rooms."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings, QThreadPool, Slot
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.stepping import NumpyStepper
from rnnlab.core.tasks import SOURCE_PREFIX, ModelShape, Task, model_shape_of
from rnnlab.gui.panels.model_panel import AUTO_DEVICE, PRESETS
from rnnlab.gui.training.controller import RunSettings, TrainingController
from rnnlab.gui.training.loading import Loader
from rnnlab.gui.training.messages import DivergenceNotice, TrainingUpdate
from rnnlab.gui.window.actions import WindowActions
from rnnlab.gui.window.baselines import Baselines
from rnnlab.gui.window.data_sources import show_source
from rnnlab.gui.window.hidden_controls import HiddenControls
from rnnlab.gui.window.layout import build_layout
from rnnlab.gui.window.lesson_menus import LessonMenus
from rnnlab.gui.window.lessons import Lessons, is_lesson_path
from rnnlab.gui.window.model_files import ModelFiles
from rnnlab.gui.window.run_commands import RunCommands
from rnnlab.gui.window.run_inspections import RunInspections
from rnnlab.gui.window.run_views import RunViews
from rnnlab.gui.window.runs import Runs
from rnnlab.gui.window.settings import keep_on_screen, restore_window, save_window
from rnnlab.gui.window.start_checks import start_refusal
from rnnlab.gui.window.task_choice import TaskChoice
from rnnlab.gui.window.text_encodings import TextEncodings
from rnnlab.gui.window.token_units import TokenUnits
from rnnlab.gui.window.wiring import connect_window

DEFAULT_CORPUS = "tinyshakespeare"


@dataclass
class PendingTrain:
    """Train (or Step once) pressed while a corpus loads: done as soon as the corpus is in."""

    start_paused: bool
    single_steps: int = 0


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("rnnlab")
        self.settings = settings or QSettings("rnnlab", "rnnlab")
        self.corpus: Corpus | Task | None = None  # what runs train on: a text or a task
        self.training_lines: frozenset[str] = frozenset()
        self.controller = TrainingController(self)
        self.loader = Loader(self)
        self._pending: PendingTrain | None = None  # Train pressed while a corpus loads
        self._placed = False  # kept on the screen once, when first shown
        self._training_device = "auto"
        self.parts = parts = build_layout(self)
        self.run_views = RunViews(parts)
        self.run_inspections = RunInspections(parts.inspector, self)
        self.runs = Runs(parts, parts.runs_panel.table, self.run_inspections)
        self.token_units = TokenUnits(self.controller.readings, parts, self)
        self.runs.reading_of = self.token_units.unit_reading  # a run's unit, for its views
        self.runs.unit_wanted = self.token_units.prepare
        self.corpus_panel, self.model_panel = parts.corpus_panel, parts.model_panel
        self.sample_panel, self.training_bar, self.banner = (
            parts.sample_panel, parts.training_bar, parts.banner
        )  # fmt: skip
        self.loss_plot, self.grad_norm_plot = parts.loss_plot, parts.grad_norm_plot
        self.inspector, self.center_tabs = parts.inspector, parts.center_tabs
        self.actions_ = WindowActions(self, parts)
        self.files = ModelFiles(
            self, self.controller, self.loader, self.settings, self.actions_.recent_menu,
            current_corpus=lambda: self.corpus,
        )  # fmt: skip
        self.run_commands = RunCommands(self)
        self.files.save_all = self.run_commands.save_all
        self.task_choice = TaskChoice(self)
        connect_window(self)
        self.baselines = Baselines(self, parts)  # after the wiring: its slots run after the plot's
        self.hidden_controls = HiddenControls(self, parts, self.settings)
        self.lessons = Lessons(self)  # after the wiring: its runs come once a text has loaded
        self.lesson_menus = LessonMenus(self)
        self.text_encodings = TextEncodings(self)
        self.files.refresh_recent()
        self._on_state("stopped")
        restore_window(self, self.settings, parts)

    # ---- corpus ----------------------------------------------------------------------------

    @Slot(str)
    def open_corpus(self, source: str) -> None:
        """Load a bundled name or a file in the background (the current corpus stays until
        then), show a task ("task:adding"), or open a lesson (a .toml file)."""
        if is_lesson_path(source):
            self.lessons.open(source)
            return
        if self.controller.running:
            self.show_error("stop training before changing the corpus or task")
            return
        if source.startswith(SOURCE_PREFIX):
            self.task_choice.open(source.removeprefix(SOURCE_PREFIX))
            return
        if not self.run_commands.confirm_drop_runs(source):
            return
        self.corpus_panel.set_busy(True)
        self.loader.load_corpus(source, self.text_encodings.encoding_for(source))

    @Slot(Corpus)
    def _on_corpus_loaded(self, corpus: Corpus) -> None:
        self.show_source(corpus)
        self._start_pending()

    def show_source(self, source: Corpus | Task) -> None:
        show_source(self, source)

    def corpus_shape(self) -> ModelShape | None:
        """What the data fixes of a model's shape (None before any data)."""
        return None if self.corpus is None else model_shape_of(self.corpus)

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        if self._cancel_pending():
            message = f"{message} (Train was waiting for this text: nothing is training)"
        self.corpus_panel.set_busy(False)
        self.corpus_panel.show_error(message)
        self.show_error(message)

    # ---- training --------------------------------------------------------------------------

    def panel_configs(self, *, continuing: bool = False) -> tuple[ModelConfig, TrainConfig] | None:
        """The panel's settings, or None (the panel has said what is wrong). ``continuing``:
        for Train, which may go on with the current run's weights, already in memory."""
        if self.corpus is None:
            self.show_error("load a corpus first (File > Open corpus, or pick a bundled one)")
            return None
        model_config = self.model_panel.model_config(model_shape_of(self.corpus))
        train_config = self.model_panel.train_config()
        if model_config is None or train_config is None:
            return None
        refusal = start_refusal(self, model_config, train_config, continuing=continuing)
        if refusal:
            self.show_error(refusal)
            return None
        return model_config, train_config

    @Slot()
    def train(self, start_paused: bool = False) -> None:
        if self.controller.running:
            return
        if self.loader.loading_corpus:  # pressed before the corpus is in: start when it is
            if self._pending is None:
                self._pending = PendingTrain(start_paused)
            elif not start_paused:
                self._pending.start_paused = False  # Step once, then Train: Train wins
            self.training_bar.show_waiting("waiting for the corpus to load…")
            return
        configs = self.panel_configs(continuing=True)
        if configs is None or self.corpus is None:
            return
        model_config, train_config = configs
        run = self.run_commands.run_to_train(model_config, train_config)
        if run is None:
            return
        steps, seconds = self.training_bar.budget()
        self.run_views.budget = (steps, seconds)
        self.run_views.run_start_step = self.controller.step
        self.banner.hide()
        self.grad_norm_plot.set_threshold(train_config.clip, train_config.clip_value)
        self.model_panel.set_training(True)
        self.training_bar.show_waiting("starting…")  # building the model can take seconds
        self.controller.start(
            self.corpus, {run.run: RunSettings(run.model_config, train_config)},
            max_steps=steps, time_budget=seconds, start_paused=start_paused,
        )  # fmt: skip
        self._training_device = train_config.device
        self.run_views.show_device(self.model_panel.device_label(train_config.device))

    def _cancel_pending(self) -> bool:
        """Forget a Train that waits for the corpus; True if there was one."""
        if self._pending is None:
            return False
        self._pending = None
        self._on_state(self.controller.state)  # the bar stops saying it waits
        return True

    @Slot()
    def stop(self) -> None:
        self._cancel_pending()
        self.controller.stop()

    def _start_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        self._on_state(self.controller.state)  # the bar stops saying it waits
        self.train(start_paused=pending.start_paused)
        for _ in range(pending.single_steps):
            self.controller.step_once()

    @Slot(list)
    def _on_devices(self, devices: list[tuple[str, str]]) -> None:
        self.model_panel.set_devices([AUTO_DEVICE, *devices])
        if self.controller.running:  # the list came after Train was pressed
            self.run_views.show_device(self.model_panel.device_label(self._training_device))

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
        if self._pending is not None:
            self._pending.single_steps += 1
        else:
            self.controller.step_once()

    @Slot()
    def reset_weights(self) -> None:
        """Forget the current run's weights and curves; the other runs keep theirs."""
        self._cancel_pending()
        run = self.runs.current
        self.controller.reset(run)
        if run is not None:
            for plot in (self.loss_plot, self.grad_norm_plot):
                plot.clear_run(run)
            self.runs.forget_progress(run)
        self.clear_run_views()
        self.statusBar().showMessage("weights reset: the next Train starts from scratch", 5000)

    def clear_run_views(self) -> None:
        self.run_views.clear()
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

    @Slot(TrainingUpdate)
    def _on_update(self, update: TrainingUpdate) -> None:
        self.runs.take_update(update)
        if update.run == self.runs.current:
            self.run_views.show_update(update)

    @Slot(DivergenceNotice)
    def _on_diverged(self, notice: DivergenceNotice) -> None:
        self.runs.take_divergence(notice)
        if notice.run == self.runs.current:
            self.run_views.show_divergence(notice)

    @Slot(str)
    def _on_state(self, state: str) -> None:
        has_model = self.controller.has_model
        self.training_bar.set_state(state, has_model)
        self.model_panel.set_training(state in ("running", "paused"))
        self.actions_.set_has_model(has_model, bool(self.run_commands.runs_with_weights()))

    @Slot()
    def _resume_after_divergence(self) -> None:
        self.banner.hide()
        self.controller.resume(self.runs.current)

    @Slot(NumpyStepper, int, int)
    def _on_snapshot(self, stepper: NumpyStepper, step: int, run: int) -> None:
        record = self.runs.get(run)
        if run == self.runs.current and record is not None and isinstance(self.corpus, Corpus):
            reading = self.token_units.reading(record)  # a word or BPE run's tokens
            self.run_views.show_snapshot(stepper, step, reading, self.training_lines)

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

    @Slot(str)
    def show_error(self, message: str) -> None:
        self.banner.show_message(message)
        self.statusBar().showMessage(message, 10000)

    # ---- showing, settings, closing -------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._placed:  # the first time: a restored geometry may not fit this screen
            self._placed = True
            keep_on_screen(self)

    def save_settings(self) -> None:
        # A task's settings (1 x 64, numbers in) are not what the next text should start with.
        text = isinstance(self.corpus, Corpus)
        vocabulary = len(self.corpus.vocabulary) if isinstance(self.corpus, Corpus) else None
        self.actions_.leave_screen_focus()  # a narrow screen's layout is not the one to keep
        save_window(self, self.settings, self.parts, vocabulary, remember_configs=text)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.dirty and not self.files.confirm_discard():
            event.ignore()
            return
        self.controller.stop()
        self.controller.wait(2000)
        self.baselines.close()
        QThreadPool.globalInstance().waitForDone(2000)
        self.save_settings()
        event.accept()
