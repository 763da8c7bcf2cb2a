"""Giving a control a value written as text (a lesson's ``set OBJECTNAME VALUE``), and finding the
label that names a control on screen.

A setter is built (and the text checked) before anything changes: a lesson checks all its values
against the window first, then applies them, so a mistake never leaves it half-applied. The text
is only ever parsed as a number, a truth value or an item's name; it is never evaluated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)

SETTABLE = "spin boxes, sliders, combo boxes, check boxes and text fields"
_WHOLE = re.compile(r"[+-]?[0-9]+")  # ASCII digits: str.isdigit also takes "٣"
_TRUE, _FALSE = ("true", "on", "yes"), ("false", "off", "no")
_KIND_WORDS = ("spin", "combo", "slider", "check", "button", "edit", "box")

Setter = Callable[[], None]


def control_setter(widget: QWidget, text: str) -> Setter:
    """A function that gives ``widget`` the value ``text`` says; ValueError with a one-line
    reason (without the control's name) if the control cannot take it."""
    text = text.strip()
    if isinstance(widget, QSpinBox):
        value = _number(widget, text, whole=True)
        return lambda: widget.setValue(int(value))
    if isinstance(widget, QDoubleSpinBox):
        value = _number(widget, text, whole=False)
        return lambda: widget.setValue(value)
    if isinstance(widget, QAbstractSlider):
        if not _WHOLE.fullmatch(text):
            raise ValueError(f"a slider takes a whole number, got {text!r}")
        position = int(text)
        _check_range(position, widget.minimum(), widget.maximum())
        return lambda: widget.setValue(position)
    if isinstance(widget, QComboBox):
        return _combo_setter(widget, text)
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        if text.lower() not in _TRUE + _FALSE:
            raise ValueError(f"a check box takes true or false, got {text!r}")
        checked = text.lower() in _TRUE
        return lambda: widget.setChecked(checked)
    if isinstance(widget, QLineEdit) and not widget.isReadOnly():
        return lambda: widget.setText(text)
    kind = type(widget).__name__
    raise ValueError(f"a {kind} cannot be set: a lesson sets {SETTABLE}")


def _number(spin: QSpinBox | QDoubleSpinBox, text: str, *, whole: bool) -> float:
    """The number ``text`` gives a spin box: "50", "50 steps" (its suffix), or its special
    value's text ("∞ steps": the minimum)."""
    if spin.specialValueText() and text == spin.specialValueText().strip():
        return spin.minimum()
    for affix, cut in ((spin.prefix().strip(), str.removeprefix),
                       (spin.suffix().strip(), str.removesuffix)):  # fmt: skip
        if affix:
            text = cut(text, affix).strip()
    if whole:
        if not _WHOLE.fullmatch(text):
            raise ValueError(f"takes a whole number, got {text!r}")
        value: float = int(text)
    else:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"takes a number, got {text!r}") from None
        if not math.isfinite(value):
            raise ValueError(f"takes a finite number, got {text!r}")
    _check_range(value, spin.minimum(), spin.maximum())
    return value


def _check_range(value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ValueError(f"takes a value from {low:g} to {high:g}, got {value:g}")


def _combo_setter(combo: QComboBox, text: str) -> Setter:
    """An item by its text (as shown, without its & mark; any case) or by its data."""

    def shown(index: int) -> str:
        return combo.itemText(index).replace("&", "").strip().lower()

    items = range(combo.count())
    index = next((i for i in items if shown(i) == text.lower()), None)
    if index is None:
        index = next((i for i in items if str(combo.itemData(i)) == text), None)
    if index is None:
        choices = ", ".join(combo.itemText(i) for i in items if combo.itemText(i))
        raise ValueError(f"no item {text!r}; the items are {choices}")

    def choose() -> None:
        combo.setCurrentIndex(index)
        # As a user's pick: some combo boxes act on activated only (the corpus picker).
        combo.activated.emit(index)

    return choose


# ---- labels -------------------------------------------------------------------------------


def caption_of(widget: QWidget) -> QLabel | None:
    """The label that names ``widget`` on screen: its form row's label, a label whose buddy it
    is, or a caption ("Top-k:") just before it in its grid row or box."""
    parent = widget.parentWidget()
    if parent is None:
        return None
    for label in parent.findChildren(QLabel):
        if label.buddy() is widget:
            return label
    layout = _layout_holding(parent.layout(), widget)
    if isinstance(layout, QFormLayout):
        label = layout.labelForField(widget)
        return label if isinstance(label, QLabel) else None
    before: QWidget | None = None
    if isinstance(layout, QGridLayout):
        position = layout.getItemPosition(layout.indexOf(widget))
        row, column = position[0], position[1]
        item = layout.itemAtPosition(row, column - 1) if column > 0 else None
        before = item.widget() if item is not None else None
    elif isinstance(layout, QBoxLayout):
        index = layout.indexOf(widget)
        item = layout.itemAt(index - 1) if index > 0 else None
        before = item.widget() if item is not None else None
    # Only a caption ("Source:"), not a label that shows a value, nor another control's.
    if isinstance(before, QLabel) and before.text().rstrip().endswith(":") \
            and before.buddy() is None:  # fmt: skip
        return before
    return None


def _layout_holding(layout: QLayout | None, widget: QWidget) -> QLayout | None:
    """The layout, among ``layout`` and those nested in it, that holds ``widget`` directly."""
    if layout is None:
        return None
    if layout.indexOf(widget) >= 0:
        return layout
    for index in range(layout.count()):
        inner = layout.itemAt(index).layout()
        found = _layout_holding(inner, widget)
        if found is not None:
            return found
    return None


def control_label(widget: QWidget) -> str:
    """What a user reads for ``widget``: its label's text, a button's own text, else its
    object name in words ("minutesBudgetSpin": "Minutes budget")."""
    caption = caption_of(widget)
    text = caption.text() if caption is not None else ""
    if not text and isinstance(widget, QAbstractButton):
        text = widget.text()
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip().rstrip(":")
    return text or _in_words(widget.objectName())


def _in_words(name: str) -> str:
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)
    if len(words) > 1 and words[-1].lower() in _KIND_WORDS:
        words = words[:-1]  # "Spin", "Combo": what kind of control, not what it sets
    text = " ".join(word.lower() for word in words)
    return text[:1].upper() + text[1:] if text else name


def is_text_field(widget: QWidget | None) -> bool:
    """Whether ``widget`` takes typed text (arrow and page keys move its cursor or value)."""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()  # a read-only text (the samples) lets the keys through
    return isinstance(widget, QComboBox) and widget.isEditable()
