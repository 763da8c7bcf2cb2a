"""The forget-bias control: where the gate that keeps memory starts, or the cell's own default.

Apart from the model panel, which is long; its texts are in ``model_texts``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from rnnlab.core.cell_names import DEFAULT_FORGET_BIAS, MEMORY_GATES
from rnnlab.gui.panels.model_texts import CELLS, FORGET_BIAS_TIP, NO_MEMORY_GATE_TIP

CELL_DEFAULT = "cell default"  # what the lowest entry reads: ModelConfig.forget_bias None
# σ(±5) is 0.007 or 0.993: a gate shut or open; beyond that a bias changes next to nothing.
LOWEST, HIGHEST, STEP = -5.0, 5.0, 0.5


class ForgetBiasSpin(QDoubleSpinBox):
    """A bias from -5 to 5, or None: one step below -5 reads "cell default".

    None, not the cell's number, so that a changed cell brings its own default with it and a
    saved setting means the same on every cell.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("forgetBiasSpin")
        self.setDecimals(2)
        self.setSingleStep(STEP)
        self.setSpecialValueText(CELL_DEFAULT)
        self._cell = "lstm"
        self.set_bias(None)
        self.set_cell(self._cell)

    def bias(self) -> float | None:
        """The bias shown, or None for the cell's default."""
        return None if self.value() <= self.minimum() else self.value()

    def set_bias(self, bias: float | None) -> None:
        # A loaded model's bias beyond ±5 (ModelConfig allows ±20) widens the range, so that it is
        # shown as it is and its settings still compare equal to the model's.
        low, high = (LOWEST, HIGHEST) if bias is None else (min(LOWEST, bias), max(HIGHEST, bias))
        self.setRange(low - STEP, high)
        self.setValue(self.minimum() if bias is None else bias)

    def applies(self) -> bool:
        """Whether the current cell has a gate that keeps memory (vanilla RNNs have none)."""
        return self._cell in MEMORY_GATES

    def set_cell(self, cell: str) -> None:
        """Name this cell's gate and default in the tooltip, or say why a vanilla RNN has none."""
        self._cell = cell
        if not self.applies():
            self.setToolTip(f"<p>{NO_MEMORY_GATE_TIP}</p>")
            return
        label = next(label for label, value, _ in CELLS if value == cell)
        default = DEFAULT_FORGET_BIAS[cell]
        start = "PyTorch's draw in ±1/√H" if default is None else f"{default:g}"
        here = f"{label}: the {MEMORY_GATES[cell]}; its cell default is {start}."
        self.setToolTip(f"<p>{FORGET_BIAS_TIP}</p><p>{here}</p>")

    def stepBy(self, steps: int) -> None:
        """From "cell default", the first step up shows the number the cell starts from (0, the
        middle of PyTorch's draw, for GRU): the user edits from where the gate really starts,
        not from -5."""
        if self.bias() is None and steps > 0:
            self.setValue(DEFAULT_FORGET_BIAS.get(self._cell) or 0.0)
            steps -= 1
        if steps:
            super().stepBy(steps)
