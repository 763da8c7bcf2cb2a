"""Builders for the panels' form controls, and a with-block that silences widgets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox, QWidget

Control = TypeVar("Control", bound=QWidget)


def named(widget: Control, name: str, tips: Mapping[str, str]) -> Control:
    """``widget`` with its object name (what lessons and tests find it by) and its tooltip, the
    text ``tips`` holds under that name."""
    widget.setObjectName(name)
    widget.setToolTip(tips[name])
    return widget


def spin_box(name: str, low: int, high: int, step: int = 1) -> QSpinBox:
    spin = QSpinBox(objectName=name)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setAccelerated(True)
    return spin


def double_spin_box(name: str, low: float, high: float, step: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(objectName=name)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(2)
    return spin


def combo_box(name: str, items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox(objectName=name)
    for label, value in items:
        combo.addItem(label, value)
    # Long labels (GPU names) must not push the dock wider than ~320 px.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(7)
    return combo


class SignalsBlocked:
    """Blocks the signals of some widgets for a with-block (programmatic changes are silent)."""

    def __init__(self, *widgets: QWidget) -> None:
        self._widgets = widgets

    def __enter__(self) -> None:
        self._previous = [widget.blockSignals(True) for widget in self._widgets]

    def __exit__(self, *exc: object) -> None:
        for widget, previous in zip(self._widgets, self._previous):
            widget.blockSignals(previous)
