"""The window's menus and keyboard shortcuts, the exports, and presentation and focus modes.

The actions are created here; the window connects the ones that change training or files to
whoever does that (the controller, ``ModelFiles``). What concerns only the parts it is handed
(views to export, fonts to scale, docks to hide) is done here.
"""

from __future__ import annotations

import csv
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QWidget

from rnnlab.gui.widgets.exporting import IMAGE_FILTER, ask_and_export, export_widget
from rnnlab.gui.window.layout import (
    LEFT_WIDTH,
    PLOT_SIZES,
    RUNS_SIZES,
    SAMPLE_WIDTH,
    WindowParts,
)
from rnnlab.gui.window.settings import keep_on_screen

PRESENTATION_SCALE = 1.6
# The side panels' widths before widening for a projector: a little more than at normal size,
# where they are as narrow as a 1280-pixel window needs ("Temperature" fits whole).
PRESENTATION_WIDTHS = (360, 390)


class WindowActions(QObject):
    exported = Signal(str)  # a path written by an export
    failed = Signal(str)  # one line: why an export failed

    def __init__(self, window: QMainWindow, parts: WindowParts) -> None:
        super().__init__(window)
        self._window, self._parts = window, parts
        self._base_font_size = QApplication.font().pointSizeF()
        menus = window.menuBar()
        file_menu = menus.addMenu("&File")
        self.open_corpus = self._action(
            file_menu, "Open &corpus…", "Ctrl+O", parts.corpus_panel.open_file_dialog
        )
        self.recent_menu = QMenu("Open &recent", window)
        file_menu.addMenu(self.recent_menu)
        # Connected by rnnlab.gui.window.text_encodings: the text shown, read in another encoding.
        self.reopen_encoding = self._action(file_menu, "Reopen with &encoding…", None)
        self.reopen_encoding.setToolTip(
            "Read the text shown again in another encoding, with a preview of each"
        )
        file_menu.addSeparator()
        self.open_model = self._action(file_menu, "Open &models…", "Ctrl+Shift+O")
        self.open_model.setToolTip("Open saved runs (several at once): each becomes a run")
        self.save = self._action(file_menu, "&Save run", "Ctrl+S")
        self.save_as = self._action(file_menu, "Save run &as…", "Ctrl+Shift+S")
        self.save_all = self._action(file_menu, "Save a&ll runs…", "Ctrl+Alt+S")
        file_menu.addSeparator()
        self._action(file_menu, "Export loss data as CSV…", None, self.export_csv)
        for text, plot in (
            ("Export loss plot as PNG/SVG…", parts.loss_plot),
            ("Export gradient-norm plot as PNG/SVG…", parts.grad_norm_plot),
        ):
            self._action(file_menu, text, None, lambda _=False, p=plot: self.export_plot(p))
        self._action(file_menu, "Export samples as text…", None, self.export_samples)
        file_menu.addSeparator()
        self.quit = self._action(file_menu, "&Quit", "Ctrl+Q", window.close)

        training = menus.addMenu("&Training")
        self.train = self._action(training, "&Train", "Ctrl+Return")
        runs = parts.runs_panel
        self.new_run = self._action(training, "&New run", "Ctrl+N", runs.newRunClicked.emit)
        self.race = self._action(training, "R&ace cell types…", "Ctrl+R", runs.raceClicked.emit)
        self.pause = self._action(training, "&Pause / resume", "Space")
        # Text fields keep their Space (a prime text has spaces): Qt lets them override it.
        self.pause.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.step = self._action(training, "&Step once", "Ctrl+T")
        self.stop = self._action(training, "S&top", "Ctrl+.")
        self.reset = self._action(training, "&Reset weights", None)
        self._action(training, "Sample", "Ctrl+G", parts.sample_panel.sample)

        view = menus.addMenu("&View")
        self.presentation = self._action(
            view, "&Presentation mode", "Ctrl+Shift+P", self.toggle_presentation
        )
        self.presentation.setCheckable(True)
        tabs = parts.center_tabs
        for index in range(tabs.count()):
            title = tabs.tabText(index).replace("&", "")
            self._action(
                view, title, f"Ctrl+{index + 1}", lambda _=False, i=index: tabs.setCurrentIndex(i)
            )
        view.addSeparator()
        view.addAction(parts.left_dock.toggleViewAction())
        view.addAction(parts.sample_dock.toggleViewAction())
        self.surprise = self._action(view, "&Surprise: spot typos", None, self.show_surprise)
        self.surprise.setToolTip("The model as a spelling checker: type a text, a typo lights up")
        # The inspector's pages want the whole width on a projector: both docks away at once.
        self.focus = self._action(
            view, "&Focus on the middle (hide side panels)", "Ctrl+Shift+F", self.toggle_focus
        )
        self.focus.setCheckable(True)
        self.focus.setToolTip(
            "Hide the side panels (a lesson that samples keeps the Sample panel) and put the "
            "loss and gradient plots side by side"
        )
        self._keep_samples = False  # an open lesson samples: Focus keeps the Sample panel
        self._focus_for_screen = False  # presentation turned Focus on: the screen was too narrow
        self._plot_sizes = list(PLOT_SIZES)  # the plots' split before Focus, to go back to
        self._middle_sizes = list(RUNS_SIZES)  # the pages' and the runs' split before Focus

    def _action(
        self, menu: QMenu, text: str, shortcut: str | None, slot: Callable[[], object] | None = None
    ) -> QAction:
        """A menu entry whose shortcut works wherever the focus is in the window."""
        action = QAction(text, self._window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if slot is not None:
            action.triggered.connect(slot)
        menu.addAction(action)
        self._window.addAction(action)
        return action

    def set_has_model(self, has_model: bool, any_model: bool | None = None) -> None:
        """Save needs a current run with weights; Save all runs any run with weights."""
        self.save.setEnabled(has_model)
        self.save_as.setEnabled(has_model)
        self.save_all.setEnabled(has_model if any_model is None else any_model)

    # ---- exports ---------------------------------------------------------------------------

    def _export(
        self, caption: str, suggestion: str, file_filter: str, export: Callable[[str], None]
    ) -> None:
        outcome = ask_and_export(self._window, caption, suggestion, file_filter, export)
        if outcome is not None:
            text, worked = outcome
            (self.exported if worked else self.failed).emit(text)

    @Slot()
    def export_csv(self) -> None:
        def write(path: str) -> None:
            write_loss_csv(path, self._parts.loss_plot.data())

        self._export("Export loss data", "loss.csv", "CSV (*.csv)", write)

    def export_plot(self, plot: QWidget) -> None:
        self._export(
            "Export plot", "plot.png", IMAGE_FILTER, lambda path: export_widget(plot, path)
        )

    @Slot()
    def export_samples(self) -> None:
        export = self._parts.sample_panel.export_samples
        self._export("Export samples", "samples.txt", "Text (*.txt)", export)

    # ---- presentation ----------------------------------------------------------------------

    @Slot()
    def show_surprise(self) -> None:
        """The surprise tab, in its dock (shown again if hidden), with the text to type into."""
        parts = self._parts
        if self.focus.isChecked():  # both side panels come back, as unchecking it does
            self.focus.setChecked(False)
            self.toggle_focus()
        parts.sample_dock.show()
        parts.sample_tabs.setCurrentWidget(parts.surprise_panel)
        parts.surprise_panel.surpriseEdit.setFocus()

    @Slot()
    def toggle_focus(self) -> None:
        focus = self.focus.isChecked()
        self._focus_for_screen = False  # now the user's (_fit_screen sets it after this)
        self._parts.left_dock.setVisible(not focus)
        self._parts.sample_dock.setVisible(not focus or self._keep_samples)
        # The middle has the width then: the loss and gradient plots side by side, each as tall
        # as the page. One above the other, a projector's large fonts left the gradient plot a
        # strip a few dozen pixels high between its title, axis and legend.
        splitter, middle = self._parts.plot_splitter, self._parts.runs_splitter
        if focus:
            self._plot_sizes, self._middle_sizes = splitter.sizes(), middle.sizes()
        splitter.setOrientation(Qt.Orientation.Horizontal if focus else Qt.Orientation.Vertical)
        splitter.setSizes([1, 1] if focus else self._plot_sizes)
        # The height too: the runs table takes what its rows need (one run's table left the
        # gates page too short for its six rows on a projector).
        if focus:
            self._fit_runs()
            QTimer.singleShot(0, self._fit_runs)  # again once a new font has reached the table
        else:
            middle.setSizes(self._middle_sizes)

    @Slot()
    def _fit_runs(self) -> None:
        if not self.focus.isChecked():
            return  # Focus went off before a deferred fit
        middle, needed = self._parts.runs_splitter, self._parts.runs_panel.rows_height()
        middle.setSizes([max(sum(middle.sizes()) - needed, 1), needed])

    def keep_samples(self, keep: bool) -> None:
        """While a lesson that samples is open, Focus keeps the Sample panel: its samples are
        what the class reads."""
        self._keep_samples = keep
        if self.focus.isChecked():
            self._parts.sample_dock.setVisible(keep)

    @Slot()
    def toggle_presentation(self) -> None:
        parts = self._parts
        scale = PRESENTATION_SCALE if self.presentation.isChecked() else 1.0
        font = QGuiApplication.font()
        font.setPointSizeF(self._base_font_size * scale)
        QApplication.setFont(font)
        for plot in (parts.loss_plot, parts.grad_norm_plot, parts.sample_panel):
            plot.set_font_scale(scale)
        parts.inspector.set_font_scale(scale)
        # The side panels grow with their text, but by half as much, so the window still fits
        # a 1920-pixel projector (long labels elide rather than push the plots off screen).
        widening = 1.0 + (scale - 1.0) / 2
        left, sample = PRESENTATION_WIDTHS if scale > 1.0 else (LEFT_WIDTH, SAMPLE_WIDTH)
        parts.left_tabs.setMinimumWidth(int(left * widening))
        parts.sample_panel.setMinimumWidth(int(sample * widening))
        if scale == 1.0 and self._focus_for_screen and self.focus.isChecked():
            self.focus.setChecked(False)  # presentation hid the side panels: they come back
            self.toggle_focus()
        self._focus_for_screen = False
        if self.focus.isChecked():  # the runs' rows grow or shrink with the font
            QTimer.singleShot(0, self._fit_runs)  # once the table has taken the new font
        elif scale > 1.0:
            QTimer.singleShot(0, self._fit_screen)  # once the new fonts have sized the panels

    def leave_screen_focus(self) -> None:
        """The side panels back if presentation hid them for a narrow screen: the layout saved
        for the next launch (without presentation mode) must not lose them."""
        if self._focus_for_screen and self.focus.isChecked():
            self.focus.setChecked(False)
            self.toggle_focus()

    @Slot()
    def _fit_screen(self) -> None:
        """Presentation mode on a screen narrower than the window then needs (a 1366-pixel
        laptop or projector): the side panels go, as Focus hides them, rather than the window
        running off the screen; the status bar says how to bring them back."""
        window, screen = self._window, self._window.screen()
        if screen is None or not self.presentation.isChecked() or self.focus.isChecked():
            return
        available = screen.availableGeometry().width()
        if window.minimumSizeHint().width() <= available:
            return
        self.focus.setChecked(True)
        self.toggle_focus()
        self._focus_for_screen = True
        keep_on_screen(window)
        window.statusBar().showMessage(
            f"presentation on a {available}-pixel screen: side panels hidden to fit "
            "(Ctrl+Shift+F shows them)", 15000)  # fmt: skip


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
