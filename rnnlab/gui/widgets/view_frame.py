"""A titled frame around one inspector view: its title, a line that says how to read it, and
an Export menu (image as PNG or SVG, data as .npz).

Every view inside follows the same small protocol (``InspectorView``): ``export_data`` returns
the arrays it shows, ``set_font_scale`` follows presentation mode.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rnnlab.gui.widgets.exporting import (
    DATA_FILTER,
    IMAGE_FILTER,
    ask_and_export,
    export_widget,
    save_npz,
)

EMPTY_HINT = "Train a few steps to see inside the model"  # every view, before the first probe
MINIMUM_HEIGHT = 96  # pixels: a title, one line of explanation and a strip of the view


class InspectorView(Protocol):
    def export_data(self) -> dict[str, np.ndarray]: ...

    def set_font_scale(self, scale: float) -> None: ...


class ViewFrame(QFrame):
    exported = Signal(str)  # the path written
    failed = Signal(str)  # a message for the user

    def __init__(self, title: str, view: QWidget, explanation: str = "") -> None:
        super().__init__()
        self.view = view
        self.setObjectName(f"{view.objectName()}Frame")
        self.title = QLabel(title)
        # Wrapped rather than setting the frame's minimum width: three views side by side must
        # still fit a 1280-pixel window.
        self.title.setWordWrap(True)
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.explanation.setVisible(bool(explanation))
        self.export_button = QToolButton(text="Export", objectName="exportButton")
        self.export_button.setToolTip(f"Save {title.lower()} as an image (PNG, SVG) or its data")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction(
            "Image (PNG or SVG)…",
            lambda: self._ask("Export image", "png", IMAGE_FILTER, self.export_image),
        )
        menu.addAction(
            "Data (.npz)…", lambda: self._ask("Export data", "npz", DATA_FILTER, self.export_data)
        )
        self.export_button.setMenu(menu)
        header = QHBoxLayout()
        header.addWidget(self.title, stretch=1)
        header.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.explanation)
        layout.addWidget(view, stretch=1)
        # A set minimum height, not the contents' (a wrapped explanation asks for more the
        # narrower it gets): on a 768-pixel screen a page of stacked views would otherwise grow
        # the window past the screen's bottom. A short frame clips; the splitters give it room.
        self.setMinimumHeight(MINIMUM_HEIGHT)
        self.set_font_scale(1.0)

    def set_font_scale(self, scale: float) -> None:
        font = QFont(self.font())
        font.setBold(True)
        self.title.setFont(font)
        self.view.set_font_scale(scale)

    def export_image(self, path: str) -> str:
        return export_widget(self.view, path)

    def export_data(self, path: str) -> str:
        return save_npz(path, self.view.export_data())

    def _ask(self, caption: str, suffix: str, file_filter: str, export) -> None:
        suggestion = f"{self.view.objectName()}.{suffix}"
        outcome = ask_and_export(self, caption, suggestion, file_filter, export)
        if outcome is not None:
            text, worked = outcome
            (self.exported if worked else self.failed).emit(text)
