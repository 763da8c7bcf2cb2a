"""Models and texts on disk: open, save, save as, the recent files, files dropped on the window,
and the question before unsaved work is lost. Writing happens in the training thread while it
trains (``TrainingController.save``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from rnnlab.core.corpus import Corpus
from rnnlab.core.tasks import Task
from rnnlab.gui.training.controller import TrainingController
from rnnlab.gui.training.loading import Loader

MAX_RECENT = 8
MODEL_FILTER = "rnnlab models (*.pt);;All files (*)"
SAVE_WAIT_MS = 15_000  # closing waits this long at most for a checkpoint to be written


class ModelFiles(QObject):
    corpusRequested = Signal(str)  # a recent or dropped path that is a text, not a model
    recentTextsChanged = Signal(list)  # the recent text files (for the corpus panel), newest first
    failed = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        controller: TrainingController,
        loader: Loader,
        settings: QSettings,
        recent_menu: QMenu,
        current_corpus: Callable[[], Corpus | Task | None],
    ) -> None:
        super().__init__(parent)
        self._parent, self._controller, self._loader = parent, controller, loader
        self._settings, self._recent_menu = settings, recent_menu
        self._current_corpus = current_corpus  # the window's: what a model is saved with
        self._paths: dict[int, str] = {}  # per run: where Save writes without asking
        # Saves every run with weights into a folder (asked for); the paths, or [] if none.
        self.save_all: Callable[[], list[str]] | None = None
        controller.saved.connect(self.remember_recent_model)
        parent.setAcceptDrops(True)
        parent.installEventFilter(self)  # files dropped anywhere on the window open here

    @property
    def model_path(self) -> str | None:
        """Where Save writes the current run without asking."""
        return self._paths.get(self._controller.current)

    @model_path.setter
    def model_path(self, path: str | None) -> None:
        if path is None:
            self._paths.pop(self._controller.current, None)
        else:
            self._paths[self._controller.current] = path

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDragEnterEvent) and event.mimeData().hasUrls():
            event.acceptProposedAction()
            return True
        if isinstance(event, QDropEvent):
            urls = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
            models = [url for url in urls if url.endswith(".pt")]
            for url in models or urls[:1]:  # several saved runs at once, or one text
                self.open_path(url)
            if urls:
                event.acceptProposedAction()
                return True
        return super().eventFilter(watched, event)

    def refresh_recent(self) -> None:
        """Fill the recent menu from the settings and announce the recent texts."""
        self._recent_menu.clear()
        recent = self._recent()
        for path in recent:
            action = self._recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self._recent_menu.setEnabled(bool(recent))
        # Models and lessons are in the recent menu, not among the texts to train on.
        texts = [path for path in recent if not path.lower().endswith((".pt", ".toml"))]
        self.recentTextsChanged.emit(texts)

    # ---- paths -----------------------------------------------------------------------------

    def open_path(self, path: str) -> None:
        """A dropped, recent or command-line path: a model (.pt), a folder of them, or a text
        or a lesson (.toml), which the window tells apart."""
        if path.endswith(".pt") or Path(path).is_dir():
            self.open_model_file(path)
        else:
            self.corpusRequested.emit(path)

    def remember_recent(self, path: str) -> None:
        recent = [item for item in self._recent() if item != path]
        self._settings.setValue("recent", [path, *recent][:MAX_RECENT])
        self.refresh_recent()

    @Slot(str)
    def remember_recent_model(self, path: str) -> None:
        self.remember_recent(path)

    def _recent(self) -> list[str]:
        value = self._settings.value("recent") or []
        return [str(item) for item in (value if isinstance(value, list) else [value])]

    # ---- models ----------------------------------------------------------------------------

    @Slot()
    def open_model_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self._parent, "Open models", "", MODEL_FILTER)
        for path in paths:
            self.open_model_file(path)

    def open_model_file(self, path: str) -> None:
        """Open a saved run (or every ``.pt`` in a folder, as Save all runs writes them)."""
        if Path(path).is_dir():
            found = sorted(Path(path).glob("*.pt"))
            if not found:
                self.failed.emit(f"{path} holds no saved runs (.pt files)")
            for item in found:
                self._loader.load_checkpoint(str(item))
            return
        self._loader.load_checkpoint(path)  # the window sets model_path once it is open

    def save_all_runs(self, runs: dict[int, str], folder: str | None = None) -> list[str]:
        """One checkpoint per run (id -> name) into a folder (asked for if not given); the
        paths written to. Runs that are training are saved by the training thread."""
        corpus = self._current_corpus()
        if corpus is None or not runs:
            return []
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self._parent, "Save all runs into")
            if not folder:
                return []
        paths = []
        for number, (run, name) in enumerate(runs.items(), start=1):
            safe = re.sub(r"[^\w-]+", "_", name).strip("_")  # "LSTM 2×256 (2)": LSTM_2_256_2
            path = str(Path(folder) / f"{number:02d}-{safe or 'run'}.pt")
            self._paths[run] = path
            self._controller.save(path, corpus, run)
            paths.append(path)
        return paths

    @Slot()
    def save_model(self) -> None:
        corpus = self._current_corpus()
        if self.model_path is None:
            self.save_model_as()
        elif corpus is not None:
            self._controller.save(self.model_path, corpus)

    @Slot()
    def save_model_as(self) -> None:
        corpus = self._current_corpus()
        if corpus is None:
            return
        stem = corpus.file_stem if isinstance(corpus, Task) else corpus.name.removesuffix(".txt")
        suggestion = f"{stem}.pt"
        path, _ = QFileDialog.getSaveFileName(self._parent, "Save model", suggestion, MODEL_FILTER)
        if path:
            self.model_path = path if path.endswith(".pt") else path + ".pt"
            self._controller.save(self.model_path, corpus)

    def save_model_blocking(self) -> bool:
        """Save before closing; True once the file is written."""
        self.save_model()  # asks for a path first if there is none yet
        if self.model_path is None:
            return False
        return self._wait_until_saved(self._controller.current)

    def _wait_until_saved(self, run: int | None = None) -> bool:
        """Run the event loop until the run (every run: None) is saved, a save fails or the
        wait is over; True if nothing it waited for is unsaved."""
        def pending() -> bool:
            dirty = self._controller.dirty_runs
            return bool(dirty) if run is None else run in dirty

        loop, failed = QEventLoop(), []
        poll = QTimer(interval=50)
        poll.timeout.connect(lambda: None if pending() else loop.quit())
        self._controller.failed.connect(loop.quit)
        self._controller.failed.connect(failed.append)
        QTimer.singleShot(SAVE_WAIT_MS, loop.quit)
        if pending():
            poll.start()
            loop.exec()
            poll.stop()
        self._controller.failed.disconnect(loop.quit)
        self._controller.failed.disconnect(failed.append)
        return not pending() and not failed

    def confirm_discard(self) -> bool:
        """Save / Discard / Cancel for unsaved runs; True when closing may go on. One unsaved
        run (the current one) saves as Save does; several save into a folder, one file each."""
        buttons = QMessageBox.StandardButton
        unsaved = self._controller.dirty_runs
        several = len(unsaved) > 1 or self._controller.current not in unsaved
        text = (
            f"{len(unsaved)} runs are not saved. Save them all into a folder?"
            if several
            else f"The model trained to step {self._controller.step:,} is not saved. Save it?"
        )
        answer = QMessageBox.question(
            self._parent, "Unsaved runs" if several else "Unsaved model", text,
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save,
        )  # fmt: skip
        if answer == buttons.Cancel:
            return False
        if answer == buttons.Discard:
            return True
        self._controller.pause()
        if not several:
            return self.save_model_blocking()
        if self.save_all is None or not self.save_all():
            return False  # no folder chosen: nothing is lost, the window stays open
        return self._wait_until_saved()
