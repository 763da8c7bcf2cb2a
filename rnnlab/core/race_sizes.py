"""The models of a race: one per cell, with equal parameters (each cell's hidden size chosen to
match an LSTM's parameter count) or equal hidden size.

Torch-free (formulas only, ``count_parameters``), so the window can size a race before torch
has loaded; ``rnnlab.core.race`` trains them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.core.config import CELL_TYPES, ModelConfig, count_parameters
from rnnlab.core.errors import ConfigError
from rnnlab.core.tokens import TokenUnit

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


MAX_RUNS = 8  # cells x units in one race
MIN_HIDDEN = 8  # a unit's vocabulary may leave a run this little of the shared budget


class RaceSizeError(ConfigError):
    """A unit's vocabulary leaves no room in the shared parameter budget."""


@dataclass(frozen=True)
class UnitRun:
    """One run of a race over units: its unit ("word", "bpe:500") and its model."""

    tokens: str
    model: ModelConfig


def unit_race_models(
    cells: Sequence[str], base: ModelConfig, equal: str, vocabularies: Sequence[tuple[str, int]],
    *, check_sizes: bool = True,
) -> list[UnitRun]:  # fmt: skip
    """Every cell in every unit (``vocabularies``: (unit, its vocabulary size), in order). With
    equal parameters every run gets the count of an LSTM of ``base``'s size reading the first
    unit. ConfigError, naming the unit, when there are over MAX_RUNS runs or a unit is listed
    twice; with ``check_sizes``, RaceSizeError when a unit's vocabulary alone is over the budget
    or would leave a run a hidden size under MIN_HIDDEN (one unit's race sizes as ``race_models``
    does, without them)."""
    units = [unit for unit, _ in vocabularies]
    twice = [unit for index, unit in enumerate(units) if unit in units[:index]]
    if twice:
        raise ConfigError(f"{twice[0]} is listed twice")
    if not units or len(cells) * len(units) > MAX_RUNS:
        raise ConfigError(f"every cell races in every unit: {len(cells)} x {len(units)} runs, "
                          f"at most {MAX_RUNS}")  # fmt: skip
    first = dataclasses.replace(base, vocab_size=vocabularies[0][1], cell="lstm")
    budget = count_parameters(first)
    runs = []
    for unit, size in vocabularies:
        label = TokenUnit.parse(unit).label
        shaped = dataclasses.replace(base, vocab_size=size)
        least = count_parameters(dataclasses.replace(shaped, hidden_size=1))
        if check_sizes and equal == "params" and least > 1.05 * budget:
            raise RaceSizeError(
                f"{label}: with {size:,} tokens even a model of hidden size 1 has {least:,} "
                f"parameters, more than the {budget:,} of the LSTM every run is matched to"
            )
        for model in race_models(cells, shaped, equal, budget):
            if check_sizes and model.hidden_size < MIN_HIDDEN:
                raise RaceSizeError(
                    f"{model.cell} on {label} gets a hidden size of {model.hidden_size} to "
                    f"match the {budget:,} parameters: too small to learn"
                )
            runs.append(UnitRun(unit, model))
    return runs
