"""The models of a race: one per cell, with equal parameters (each cell's hidden size chosen to
match an LSTM's parameter count) or equal hidden size.

Torch-free (formulas only, ``count_parameters``), so the window can size a race before torch
has loaded; ``rnnlab.core.race`` trains them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rnnlab.core.config import CELL_TYPES, ModelConfig, count_parameters
from rnnlab.core.errors import ConfigError

EQUAL_CHOICES = ("params", "hidden")  # what the raced models have in common
MAX_HIDDEN = 16_384  # ModelConfig's limit


def hidden_size_for(cell: str, parameters: int, base: ModelConfig) -> int:
    """The hidden size whose model (``base``'s vocabulary, layers and embedding; this cell) has
    the parameter count nearest ``parameters``."""
    def count(hidden: int) -> int:
        return count_parameters(dataclasses.replace(base, cell=cell, hidden_size=hidden))

    low, high = 1, MAX_HIDDEN  # the count grows with the hidden size: bisect for the crossing
    while low < high:
        middle = (low + high) // 2
        if count(middle) < parameters:
            low = middle + 1
        else:
            high = middle
    return min((max(low - 1, 1), low), key=lambda hidden: abs(count(hidden) - parameters))


def race_models(
    cells: Sequence[str], base: ModelConfig, equal: str = "params", budget: int | None = None
) -> list[ModelConfig]:
    """One model per cell. ``equal="params"``: each cell's hidden size chosen so its parameter
    count is nearest that of an LSTM with ``base``'s hidden size and layers (raced or not), or
    nearest ``budget`` when given (runs of another unit: another vocabulary, the same budget);
    ``"hidden"``: every cell with ``base``'s hidden size."""
    if equal not in EQUAL_CHOICES:
        raise ConfigError(f"equal must be one of {', '.join(EQUAL_CHOICES)}, got {equal!r}")
    unknown = [cell for cell in cells if cell not in CELL_TYPES]
    if unknown or not cells:
        raise ConfigError(
            f"race cells must be some of {', '.join(CELL_TYPES)}, got {', '.join(cells) or 'none'}"
        )
    if budget is None:
        budget = count_parameters(dataclasses.replace(base, cell="lstm"))
    target = budget

    def hidden(cell: str) -> int:
        return base.hidden_size if equal == "hidden" else hidden_size_for(cell, target, base)

    return [dataclasses.replace(base, cell=cell, hidden_size=hidden(cell)) for cell in cells]
