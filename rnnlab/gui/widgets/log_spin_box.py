"""A spin box for values that span decades, such as the learning rate."""

from __future__ import annotations

import math
import re

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

_STEP = 10**0.25  # one arrow press of the learning rate: four per decade
_PARTIAL_NUMBER = re.compile(r"\+?\d*([.,]\d*)?([eE][+-]?\d*)?")


def _significant(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits - 1}e}")


class LogSpinBox(QDoubleSpinBox):
    """A spin box for values spanning decades: each step multiplies or divides by 10^(1/4)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)  # QDoubleSpinBox rounds its value to this many decimals
        self.setRange(1e-5, 10.0)

    def stepBy(self, steps: int) -> None:
        # Steps land on 1, 1.78, 3.16, 5.62 x 10^k; a value between them moves to the next one.
        position = 4 * math.log10(max(self.value(), 1e-300))
        nearest = round(position)
        if abs(position - nearest) < 0.01:
            target = nearest + steps
        else:
            target = math.floor(position) + steps + (0 if steps > 0 else 1)
        value = _significant(10 ** (target / 4))
        self.setValue(min(max(value, self.minimum()), self.maximum()))

    def textFromValue(self, value: float) -> str:
        if value < 0.01:  # "3e-3" reads faster than "0.003" and shows the decade
            mantissa, exponent = f"{value:.2e}".split("e")
            mantissa = mantissa.rstrip("0").rstrip(".")
            return f"{mantissa}e{int(exponent)}"
        return f"{value:.3g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, position: int) -> QValidator.State:
        cleaned = text.strip().replace(",", ".")
        try:
            value = float(cleaned)
        except ValueError:
            partial = _PARTIAL_NUMBER.fullmatch(text.strip())
            return QValidator.State.Intermediate if partial else QValidator.State.Invalid
        if cleaned.startswith("-") or not math.isfinite(value):
            return QValidator.State.Invalid  # "-1", "inf", "nan"
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable
        return QValidator.State.Intermediate  # "0" may still become "0.003"

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())  # an unfinished entry reverts to the last value
