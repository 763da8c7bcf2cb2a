"""The runs table: every run on the current corpus, one row each, the selected row the current run.

A view only: it shows ``RunRow`` values and says what the user did (selected, showed or hid,
renamed a run); the window keeps the runs. The first column's checkbox shows a run on the plots
or hides it, beside a swatch drawn with the run's plot pen (colour and dash pattern, so a
colour-blind viewer can match rows to curves too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt, Signal, Slot
from PySide6.QtGui import QContextMenuEvent, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
)

from rnnlab.gui.plots.run_styles import run_colour, run_colour_name, run_pen_style
from rnnlab.gui.widgets.style import is_dark

COLUMNS = (
    ("", "Show the run on the plots (its colour and line pattern)"),
    ("name", "Double-click to rename"),
    ("cell", "The recurrent cell, and what a token is when not a character (words, BPE-K)"),
    ("size", "layers × hidden units"),
    ("params", "Trainable parameters"),
    ("steps", "Training steps taken"),
    ("chars", "Characters trained on: steps × batch × sequence length"),
    ("train s", "Seconds spent training this run (not pauses, validation or probes)"),
    ("loss", "Mean training loss of the last steps (nats/char; a word or BPE run's over the "
             "characters its tokens spell)"),
    ("best val", "Lowest validation loss so far (nats/char; a word run's reads lower by the "
                 "share of unknown words, which count as predicted)"),
    ("chars/s", "Training speed"),
    ("state", "new, running, paused, stopped or diverged"),
)
NAME_COLUMN = 1
# On a task the counts are of answered sequences, and losses in the task's own unit.
TASK_COLUMNS = {
    "chars": ("answers", "Sequences answered: steps × batch (one answer per sequence)"),
    "loss": ("loss", "Mean training loss of the last steps, in the task's own loss"),
    "best val": ("best val", "Lowest validation loss so far, in the task's own loss"),
    "chars/s": ("answers/s", "Training speed, in sequences answered a second"),
}
SWATCH_ROLE = Qt.ItemDataRole.UserRole + 1  # the colour index the swatch was drawn for


@dataclass(frozen=True)
class RunRow:
    run: int
    name: str
    index: int  # the run's colour and dash pattern
    visible: bool
    cell: str
    layers: int
    hidden_size: int
    parameters: int
    steps: int
    chars: int
    seconds: float  # NaN: unknown (a run from an old checkpoint)
    loss: float  # NaN before the first step
    best_validation: float  # NaN before the first validation
    chars_per_second: float
    state: str
    tokens: str = "characters"  # what a token is: "characters", "words", "BPE-500"
    unknown_share: float = 0.0  # a word run's unknown validation tokens (0 for other units)


# What the row's menu offers, by the run's state: (command, label)
RUN_COMMANDS = {
    "running": (("pause", "Pause this run"), ("stop", "Stop this run")),
    "paused": (("resume", "Resume this run"), ("step", "Step this run once"),
               ("stop", "Stop this run")),
    "diverged": (("resume", "Retry from the last good step"), ("stop", "Stop this run")),
    "stopped": (("resume", "Continue this run"), ("step", "Step this run once")),
    "new": (("resume", "Train this run"), ("step", "Step this run once")),
}  # fmt: skip


class RunsTable(QTableWidget):
    runSelected = Signal(int)
    visibilityChanged = Signal(int, bool)
    renamed = Signal(int, str)
    runCommand = Signal(int, str)  # (run, "pause" | "resume" | "step" | "stop")

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("runsTable")
        for column, (title, tip) in enumerate(COLUMNS):
            item = QTableWidgetItem(title)
            item.setToolTip(tip)
            self.setHorizontalHeaderItem(column, item)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The name gets room for "LSTM 2×1024 (2)"; the user can widen it. The state column
        # takes what is left, so nothing is cut short when the panel is wide.
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self._fit_to_font()
        self.setIconSize(QSize(28, 12))
        self.setToolTip("Runs on this corpus: select one to continue, sample and inspect it; "
                        "right-click to pause, step or stop one run of a race")  # fmt: skip
        self.itemSelectionChanged.connect(self._on_selection)
        self.itemChanged.connect(self._on_item_changed)

    def set_task_mode(self, on: bool) -> None:
        """Headers for a task's runs (sequences answered, the task's loss) or a text's."""
        for column, (title, tip) in enumerate(COLUMNS):
            title, tip = TASK_COLUMNS.get(title, (title, tip)) if on else (title, tip)
            item = self.horizontalHeaderItem(column)
            item.setText(title)
            item.setToolTip(tip)

    def _fit_to_font(self) -> None:
        metrics = self.fontMetrics()
        self.setColumnWidth(NAME_COLUMN, metrics.horizontalAdvance("LSTM 2×1024 (22)"))
        # Compact rows: four runs and the header fit in the panel's default height.
        self.verticalHeader().setDefaultSectionSize(metrics.height() + 6)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode
            self._fit_to_font()

    def runs(self) -> list[int]:
        return [self._run_at(row) for row in range(self.rowCount())]

    def current_run(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return self._run_at(rows[0].row()) if rows else None

    def show_run(self, values: RunRow) -> None:
        """Add the run's row or update it (the selection stays)."""
        row = self._row_of(values.run)
        with QSignalBlocker(self):
            if row is None:
                row = self.rowCount()
                self.insertRow(row)
                for column in range(len(COLUMNS)):
                    item = QTableWidgetItem()
                    editable = column == NAME_COLUMN
                    flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                    if editable:
                        flags |= Qt.ItemFlag.ItemIsEditable
                    if column == 0:
                        flags |= Qt.ItemFlag.ItemIsUserCheckable
                    item.setFlags(flags)
                    if column > NAME_COLUMN:
                        item.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                    self.setItem(row, column, item)
                self.item(row, 0).setData(Qt.ItemDataRole.UserRole, values.run)
            swatch = self.item(row, 0)
            check = Qt.CheckState.Checked if values.visible else Qt.CheckState.Unchecked
            if swatch.checkState() != check:
                swatch.setCheckState(check)
            if swatch.data(SWATCH_ROLE) != values.index:  # drawn once, not on every update
                swatch.setData(SWATCH_ROLE, values.index)
                swatch.setIcon(self._swatch(values.index))
                swatch.setToolTip(f"{run_colour_name(values.index)}: tick to show on the plots")
            if self.item(row, NAME_COLUMN).text() != values.name:
                self.item(row, NAME_COLUMN).setText(values.name)
            cell = values.cell
            if values.tokens != "characters":
                cell += f" · {values.tokens}"
            loss, best = _loss(values.loss), _loss(values.best_validation)
            if values.unknown_share:  # never bare: say how much of a word run's is unknown
                unknown = f" ({values.unknown_share:.0%} unk)"
                loss += unknown if math.isfinite(values.loss) else ""
                best += unknown if math.isfinite(values.best_validation) else ""
            texts = (
                cell, f"{values.layers} × {values.hidden_size}", f"{values.parameters:,}",
                f"{values.steps:,}", _count(values.chars), _number(values.seconds, "{:,.1f}"),
                loss, best,
                _count(values.chars_per_second) if values.chars_per_second else "—",
                values.state,
            )  # fmt: skip
            for column, text in enumerate(texts, start=2):
                item = self.item(row, column)
                if item.text() != text:  # each change re-measures the column
                    item.setText(text)

    def remove_run(self, run: int) -> None:
        row = self._row_of(run)
        if row is not None:
            self.removeRow(row)

    def select_run(self, run: int) -> None:
        row = self._row_of(run)
        if row is not None and self.current_run() != run:
            self.selectRow(row)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Per-run control while a race goes on: pause, step, resume or stop one run."""
        row = self.rowAt(event.pos().y())
        if row < 0:
            return
        run, state = self._run_at(row), self.item(row, len(COLUMNS) - 1).text()
        menu = QMenu(self)
        for command, label in RUN_COMMANDS.get(state, ()):
            action = menu.addAction(label)
            action.triggered.connect(lambda _=False, c=command: self.runCommand.emit(run, c))
        if not menu.isEmpty():
            menu.exec(event.globalPos())

    def _swatch(self, index: int) -> QIcon:
        size = self.iconSize()
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        pen = QPen(run_colour(index, is_dark(self)), 3)
        pen.setStyle(run_pen_style(index))
        painter = QPainter(pixmap)
        painter.setPen(pen)
        painter.drawLine(1, size.height() // 2, size.width() - 1, size.height() // 2)
        painter.end()
        return QIcon(pixmap)

    def _run_at(self, row: int) -> int:
        return int(self.item(row, 0).data(Qt.ItemDataRole.UserRole))

    def _row_of(self, run: int) -> int | None:
        return next((row for row in range(self.rowCount()) if self._run_at(row) == run), None)

    @Slot()
    def _on_selection(self) -> None:
        run = self.current_run()
        if run is not None:
            self.runSelected.emit(run)

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        run = self._run_at(item.row())
        if item.column() == 0:
            self.visibilityChanged.emit(run, item.checkState() == Qt.CheckState.Checked)
        elif item.column() == NAME_COLUMN:
            name = item.text().strip()
            if name:
                self.renamed.emit(run, name)


def _count(value: float) -> str:
    """1,234 / 12.3k / 4.56M: short enough for a narrow column."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if value >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:,.0f}"


def _loss(value: float) -> str:
    """1.234; a run blowing up before it diverges, 1.87e+32 rather than 33 digits."""
    return _number(value, "{:.3f}" if abs(value) < 1e4 else "{:.3g}")


def _number(value: float, form: str) -> str:
    return "—" if not math.isfinite(value) else form.format(value)
