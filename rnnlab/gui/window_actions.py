"""The window's menus, keyboard shortcuts and file dialogs: open, save, export, presentation."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox

from rnnlab.gui.exporting import IMAGE_FILTER, ask_and_export, export_widget

if TYPE_CHECKING:
    from rnnlab.gui.main_window import MainWindow

MAX_RECENT = 8
PRESENTATION_SCALE = 1.6
LEFT_WIDTH, SAMPLE_WIDTH = 360, 390  # the side panels' minimum widths at normal size
MODEL_FILTER = "rnnlab models (*.pt);;All files (*)"


class WindowActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._base_font_size = QApplication.font().pointSizeF()
        self.model_path: str | None = None
        menus = window.menuBar()
        file_menu = menus.addMenu("&File")
        self.open_corpus = self._action(
            file_menu, "Open &corpus…", "Ctrl+O", window.corpus_panel.open_file_dialog
        )
        self.recent_menu = QMenu("Open &recent", window)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        self.open_model = self._action(
            file_menu, "Open &model…", "Ctrl+Shift+O", self.open_model_dialog
        )
        self.save = self._action(file_menu, "&Save model", "Ctrl+S", self.save_model)
        self.save_as = self._action(
            file_menu, "Save model &as…", "Ctrl+Shift+S", self.save_model_as
        )
        file_menu.addSeparator()
        self._action(file_menu, "Export loss data as CSV…", None, self.export_csv)
        self._action(
            file_menu,
            "Export loss plot as PNG/SVG…",
            None,
            lambda: self.export_plot(window.loss_plot),
        )
        self._action(
            file_menu,
            "Export gradient-norm plot as PNG/SVG…",
            None,
            lambda: self.export_plot(window.grad_norm_plot),
        )
        self._action(file_menu, "Export samples as text…", None, self.export_samples)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", "Ctrl+Q", window.close)

        training = menus.addMenu("&Training")
        self.train = self._action(training, "&Train", "Ctrl+Return", window.train)
        self.pause = self._action(training, "&Pause / resume", "Space", window.toggle_pause)
        # Text fields keep their Space (a prime text has spaces): Qt lets them override it.
        self.pause.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self._action(training, "&Step once", "Ctrl+T", window.step_once)
        self._action(training, "S&top", "Ctrl+.", window.controller.stop)
        self._action(training, "&Reset weights", None, window.reset_weights)
        self._action(training, "Sample", "Ctrl+G", window.sample_panel.sample)

        view = menus.addMenu("&View")
        self.presentation = self._action(
            view, "&Presentation mode", "Ctrl+Shift+P", self.toggle_presentation
        )
        self.presentation.setCheckable(True)
        for index in range(window.center_tabs.count()):
            title = window.center_tabs.tabText(index).replace("&", "")
            self._action(
                view,
                title,
                f"Ctrl+{index + 1}",
                lambda _=False, i=index: window.center_tabs.setCurrentIndex(i),
            )
        view.addSeparator()
        view.addAction(window.left_dock.toggleViewAction())
        view.addAction(window.sample_dock.toggleViewAction())
        # The inspector's pages want the whole width on a projector: both docks away at once.
        self.focus = self._action(
            view, "&Focus on the middle (hide side panels)", "Ctrl+Shift+F", self.toggle_focus
        )
        self.focus.setCheckable(True)
        self._refresh_recent()
        self.update_enabled()

    def _action(self, menu: QMenu, text: str, shortcut: str | None, slot) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.window.addAction(action)
        return action

    def update_enabled(self) -> None:
        has_model = self.window.controller.has_model
        self.save.setEnabled(has_model)
        self.save_as.setEnabled(has_model)

    # ---- paths -----------------------------------------------------------------------------

    def open_path(self, path: str) -> None:
        """A dropped or command-line path: a model (.pt) or a text corpus."""
        if path.endswith(".pt"):
            self.open_model_file(path)
        else:
            self.window.open_corpus(path)

    def remember_recent(self, path: str) -> None:
        recent = [item for item in self._recent() if item != path]
        self.window.settings.setValue("recent", [path, *recent][:MAX_RECENT])
        self._refresh_recent()

    def remember_recent_model(self, path: str) -> None:
        self.model_path = path
        self.remember_recent(path)

    def _recent(self) -> list[str]:
        value = self.window.settings.value("recent") or []
        return [str(item) for item in (value if isinstance(value, list) else [value])]

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))
        self.window.corpus_panel.set_recent([p for p in recent if not p.endswith(".pt")])

    # ---- models ----------------------------------------------------------------------------

    @Slot()
    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open model", "", MODEL_FILTER)
        if path:
            self.open_model_file(path)

    def open_model_file(self, path: str) -> None:
        if self.window.controller.running:
            self.window.show_error("stop training before opening another model")
            return
        self.model_path = path
        self.window.loader.load_checkpoint(path)

    @Slot()
    def save_model(self) -> None:
        if self.model_path is None:
            self.save_model_as()
        elif self.window.corpus is not None:
            self.window.controller.save(self.model_path, self.window.corpus)

    @Slot()
    def save_model_as(self) -> None:
        if self.window.corpus is None:
            return
        suggestion = f"{self.window.corpus.name.removesuffix('.txt')}.pt"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save model", suggestion, MODEL_FILTER)
        if path:
            self.model_path = path if path.endswith(".pt") else path + ".pt"
            self.window.controller.save(self.model_path, self.window.corpus)

    def save_model_blocking(self) -> bool:
        """Save before closing; True once the file is written."""
        self.save_model()  # asks for a path first if there is none yet
        if self.model_path is None:
            return False
        loop = QEventLoop()
        self.window.controller.saved.connect(loop.quit)
        self.window.controller.failed.connect(loop.quit)
        QTimer.singleShot(15_000, loop.quit)
        if self.window.controller.dirty:
            loop.exec()
        return not self.window.controller.dirty

    def confirm_discard(self) -> bool:
        """Save / Discard / Cancel for an unsaved model; True when closing may go on."""
        answer = QMessageBox.question(
            self.window,
            "Unsaved model",
            f"The model trained to step {self.window.controller.step:,} is not saved. Save it?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            self.window.controller.pause()
            return self.save_model_blocking()
        return True

    # ---- exports ---------------------------------------------------------------------------

    def _export(self, caption: str, suggestion: str, file_filter: str, export) -> None:
        outcome = ask_and_export(self.window, caption, suggestion, file_filter, export)
        if outcome is not None:
            text, worked = outcome
            if worked:
                self.window.show_exported(text)
            else:
                self.window.show_error(text)

    @Slot()
    def export_csv(self) -> None:
        def write(path: str) -> None:
            write_loss_csv(path, self.window.loss_plot.data())

        self._export("Export loss data", "loss.csv", "CSV (*.csv)", write)

    def export_plot(self, plot) -> None:
        self._export(
            "Export plot", "plot.png", IMAGE_FILTER, lambda path: export_widget(plot, path)
        )

    @Slot()
    def export_samples(self) -> None:
        self._export(
            "Export samples", "samples.txt", "Text (*.txt)", self.window.sample_panel.export_samples
        )

    # ---- presentation ----------------------------------------------------------------------

    @Slot()
    def toggle_focus(self) -> None:
        shown = not self.focus.isChecked()
        self.window.left_dock.setVisible(shown)
        self.window.sample_dock.setVisible(shown)

    @Slot()
    def toggle_presentation(self) -> None:
        scale = PRESENTATION_SCALE if self.presentation.isChecked() else 1.0
        font = QGuiApplication.font()
        font.setPointSizeF(self._base_font_size * scale)
        QApplication.setFont(font)
        for plot in (self.window.loss_plot, self.window.grad_norm_plot, self.window.sample_panel):
            plot.set_font_scale(scale)
        self.window.inspector.set_font_scale(scale)
        # The side panels grow with their text, but by half as much, so the window still fits
        # a 1920-pixel projector (long labels elide rather than push the plots off screen).
        widening = 1.0 + (scale - 1.0) / 2
        self.window.left_tabs.setMinimumWidth(int(LEFT_WIDTH * widening))
        self.window.sample_panel.setMinimumWidth(int(SAMPLE_WIDTH * widening))


def write_loss_csv(path: str, data: dict) -> None:
    """step, loss (nats), smoothed, clipped; then the validation points."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["step", "loss_nats", "smoothed_nats", "clipped", "validation_loss_nats"])
        validation = dict(
            zip(data["validation_steps"].tolist(), data["validation_losses"].tolist())
        )
        for step, loss, smooth, clipped in zip(
            data["steps"].tolist(),
            data["losses"].tolist(),
            data["smoothed"].tolist(),
            data["clipped"].tolist(),
        ):
            writer.writerow(
                [
                    step,
                    f"{loss:.6f}",
                    f"{smooth:.6f}",
                    int(clipped),
                    f"{validation[step]:.6f}" if step in validation else "",
                ]
            )
