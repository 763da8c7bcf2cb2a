"""What a race started from the window is made of: every chosen cell in every chosen token unit,
sized to equal parameters with the first unit's vocabulary (``rnnlab.core.race_sizes``), each
run kept with the text's characters as its vocabulary, as the window keeps every run."""

from __future__ import annotations

import dataclasses
from typing import Any

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.errors import ConfigError
from rnnlab.core.memory_estimate import available_memory, race_memory_refusal
from rnnlab.core.race_sizes import RaceSizeError, unit_race_models
from rnnlab.core.token_corpus import line_mode_refusal
from rnnlab.core.tokens import TokenUnit
from rnnlab.gui.panels.race_dialog import RaceChoice
from rnnlab.gui.panels.token_unit_control import DEFAULT_MERGES
from rnnlab.gui.window.runs import CELL_LABELS


def race_units(train: TrainConfig, data: object) -> list[tuple[str, str]]:
    """(unit, label) the race dialog offers on ``data``: on running text, the Model tab's unit
    first, then characters, words and BPE pieces (with the Model tab's merges, or 500); on a
    task or a line-mode text, characters alone."""
    if not isinstance(data, Corpus) or data.line_mode:
        return [("char", "Characters")]
    panel = train.token_unit
    bpe = panel if panel.kind == "bpe" else TokenUnit("bpe", DEFAULT_MERGES)
    units = [panel, TokenUnit(), TokenUnit("word"), bpe]
    return [(unit.name, unit.label.capitalize() if unit.kind != "bpe" else unit.label)
            for unit in dict.fromkeys(units)]  # fmt: skip


def plan_race(window: Any, choice: RaceChoice, model: ModelConfig, train: TrainConfig
              ) -> list[tuple[ModelConfig, TrainConfig, str]] | None:  # fmt: skip
    """(model, training settings, name) of each run; None once the window has said why not (a
    unit still being learned, one a line-mode text cannot read, or sizes that do not fit).
    ``window``: the MainWindow."""
    units = choice.tokens or (train.tokens,)
    text = window.corpus if isinstance(window.corpus, Corpus) else None
    if text is None and any(unit != "char" for unit in units):
        window.show_error("a task's symbols are its own: words and BPE race on a text")
        return None
    for unit in units:
        refusal = text and line_mode_refusal(text, TokenUnit.parse(unit))
        if refusal:
            window.show_error(refusal)
            return None
    missing = [unit for unit in units if unit != "char" and window.runs.unit_size(unit) is None]
    if missing:
        for unit in missing:
            window.token_units.prepare(unit, train.validation_fraction)
        labels = " and ".join(TokenUnit.parse(unit).label for unit in missing)
        window.show_error(f"{labels} still being learned on this text: race once the Corpus "
                          "tab shows their facts")  # fmt: skip
        return None
    characters = model.vocab_size
    sizes = [(unit, window.runs.unit_size(unit) or characters) for unit in units]
    try:  # one unit sizes its runs as ever; several share the first unit's budget
        planned = unit_race_models(choice.cells, model, choice.equal, sizes,
                                   check_sizes=len(units) > 1)  # fmt: skip
    except RaceSizeError as error:
        window.show_error(f"{error}; race that unit first, or a larger model")
        return None
    except ConfigError as error:
        window.show_error(str(error))
        return None
    runs = []
    for run in planned:
        config = dataclasses.replace(run.model, vocab_size=characters)
        name = f"{CELL_LABELS[config.cell]} {config.layers}×{config.hidden_size}"
        unit = TokenUnit.parse(run.tokens)
        if unit.kind != "char" or len(units) > 1:
            name += f" {unit.label}"
        runs.append((config, dataclasses.replace(train, tokens=run.tokens), name))
    if window.model_panel.on_cpu(train.device):  # too large: killed, not an error
        refusal = race_memory_refusal([run[:2] for run in runs], text, available_memory())
        if refusal:
            window.show_error(refusal)
            return None
    return runs
