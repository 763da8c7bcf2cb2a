"""Two small dialogs of the window's View menu: Customise controls (tick the controls that show)
and the shortcut sheet (every keyboard shortcut, as the menus give them).

Both are handed plain rows by the window, which knows its controls and actions; torch-free, as
every panel.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

NAME_ROLE = Qt.ItemDataRole.UserRole  # a control's object name, on its row


class CustomiseControlsDialog(QDialog):
    """``customiseControlsDialog``: one row per control, ticked while it shows. Hidden controls
    keep their values; a lesson saves the choice."""

    def __init__(self, groups: Iterable[tuple[str, list[tuple[str, str]]]], hidden: set[str],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        """``groups``: (panel title, [(label, object name)]) in the order they show."""
        super().__init__(parent, objectName="customiseControlsDialog")
        self.setWindowTitle("Customise controls")
        explanation = QLabel(
            "Untick the controls a class should not see. Hidden controls keep their values; "
            "File > Save as lesson saves the choice with the lesson."
        )
        explanation.setWordWrap(True)
        self.controlList = QListWidget(objectName="controlList")
        self.controlList.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for title, controls in groups:
            heading = QListWidgetItem(title)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: no tick, not greyed
            self.controlList.addItem(heading)
            for label, name in controls:
                item = QListWidgetItem(f"{label}  ({name})")
                item.setData(NAME_ROLE, name)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                shown = Qt.CheckState.Unchecked if name in hidden else Qt.CheckState.Checked
                item.setCheckState(shown)
                self.controlList.addItem(item)
        show_all = QPushButton("Show all", objectName="showAllControlsButton")
        show_all.clicked.connect(self.show_all)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.addButton(show_all, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.controlList, stretch=1)
        layout.addWidget(buttons)
        self.resize(460, 560)

    def _control_items(self) -> list[QListWidgetItem]:
        items = (self.controlList.item(row) for row in range(self.controlList.count()))
        return [item for item in items if item.data(NAME_ROLE)]

    def set_shown(self, name: str, shown: bool) -> None:
        for item in self._control_items():
            if item.data(NAME_ROLE) == name:
                item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)

    def show_all(self) -> None:
        for item in self._control_items():
            item.setCheckState(Qt.CheckState.Checked)

    def hidden(self) -> list[str]:
        """The object names of the unticked controls, in the list's order."""
        return [item.data(NAME_ROLE) for item in self._control_items()
                if item.checkState() == Qt.CheckState.Unchecked]  # fmt: skip


class ShortcutSheet(QDialog):
    """``shortcutSheet``: the window's shortcuts in a table (``shortcutTable``): menu, command,
    keys. Not modal: it can stay open beside the window while the class tries them."""

    def __init__(self, rows: Iterable[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="shortcutSheet")
        self.setWindowTitle("Keyboard shortcuts")
        rows = list(rows)
        self.table = QTableWidget(len(rows), 3, objectName="shortcutTable")
        self.table.setHorizontalHeaderLabels(["Menu", "Command", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeRowsToContents()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, stretch=1)
        layout.addWidget(close)
        self.resize(560, 620)

    def rows(self) -> list[tuple[str, ...]]:
        table = self.table
        return [tuple(table.item(row, column).text() for column in range(table.columnCount()))
                for row in range(table.rowCount())]  # fmt: skip
