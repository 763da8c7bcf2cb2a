"""A lesson run's ``model`` and ``train`` tables: ModelConfig and TrainConfig settings, checked
key by key so a mistake names its key (``runs[2].model.hidden_size``), and helpers for those key
paths shared with rnnlab.core.lesson.
"""

from __future__ import annotations

import re
import typing
from typing import Any, NoReturn

import tomli_w

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.errors import ConfigError, LessonError
from rnnlab.core.lesson_actions import did_you_mean
from rnnlab.core.tasks import ModelShape

# ModelConfig fields the corpus or task decides: a lesson's author never writes them.
DATA_DECIDED = ("vocab_size", "input_size", "output_size")
SECTIONS: dict[str, type] = {"model": ModelConfig, "train": TrainConfig}
_EXAMPLES = {"model": '{ cell = "lstm", hidden_size = 128 }', "train": "{ seed = 0 }"}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")  # a TOML key that needs no quotes
_KINDS = {int: "a whole number", float: "a number", str: "text in quotes"}
# A text model's shape: it stands for a corpus's, which is not loaded while a lesson is read
# (2: the smallest vocabulary), and lets a setting be checked alone.
TEXT_MODEL_SHAPE = ModelShape(vocab_size=2, input_size=0, output_size=0)
# The field types, evaluated once (config.py's annotations are strings: "float | None").
_HINTS = {config: typing.get_type_hints(config) for config in SECTIONS.values()}


def fail(key: str, message: str) -> NoReturn:
    """Raise the LessonError "KEY: MESSAGE"; the reader adds the file's name in front."""
    raise LessonError(f"{key}: {message}" if key else message)


def key_path(parent: str, key: str) -> str:
    """``parent.key`` as the author writes it: ``runs[2].model.hidden_size``."""
    written = key if _BARE_KEY.fullmatch(key) else toml_literal(key)
    return f"{parent}.{written}" if parent else written


def toml_literal(value: object, *, multiline: bool = False) -> str:
    """A value as TOML writes it: quotes, escapes, ``true``, numbers.

    tomli-w writes whole documents; a one-key document is ``value = LITERAL`` and a newline.
    """
    document = tomli_w.dumps({"value": value}, multiline_strings=multiline)
    return document.removeprefix("value = ").removesuffix("\n")


def shown(value: object) -> str:
    """A wrong value in a message, as the author wrote it."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return toml_literal(value)


def check_keys(table: dict[str, Any], parent: str, known: tuple[str, ...]) -> None:
    """LessonError naming the first key of ``table`` that is not one of ``known``."""
    for key in table:
        if key not in known:
            fail(key_path(parent, key), f"unknown key{did_you_mean(key, known, 'keys')}")


def check_settings(table: dict[str, Any], parent: str, section: str) -> dict[str, Any]:
    """The ``section`` ("model" or "train") table of a run, checked key by key: a known
    setting, not one the data decides, of the field's type and in its range."""
    config = SECTIONS[section]
    path = key_path(parent, section)
    values = table.get(section, {})
    if not isinstance(values, dict):
        fail(path, f"must be a table like {_EXAMPLES[section]}, got {shown(values)}")
    hints = _HINTS[config]
    allowed = tuple(name for name in hints if name not in DATA_DECIDED)
    for key, value in values.items():
        where = key_path(path, key)
        if key in DATA_DECIDED:
            fail(where, "decided by the task or corpus, not by the lesson: leave it out")
        if key not in hints:
            for other, other_config in SECTIONS.items():
                if key in _HINTS[other_config]:
                    fail(where, f"a {other_config.__name__} setting: put it under {other}")
            fail(where, f"unknown {config.__name__} setting"
                        f"{did_you_mean(key, allowed, 'settings')}")  # fmt: skip
        _check_type(where, value, hints[key])
        alone = {key: value}
        try:  # the field's own range check, alone, so its message belongs to this key
            build_configs(alone if section == "model" else {}, alone if section == "train" else {},
                          TEXT_MODEL_SHAPE)  # fmt: skip
        except ConfigError as error:
            fail(where, str(error))
    return values


def build_configs(
    model: dict[str, Any], train: dict[str, Any], shape: ModelShape
) -> tuple[ModelConfig, TrainConfig]:
    """ModelConfig and TrainConfig from a run's settings over the data's shape."""
    return ModelConfig.from_dict({**model, **shape}), TrainConfig.from_dict(train)


def _check_type(where: str, value: object, hint: object) -> None:
    types = tuple(kind for kind in typing.get_args(hint) or (hint,) if kind is not type(None))
    # TOML writes 1 or 1.0 for a number: a whole number is a fine float; true is no number.
    fits = isinstance(value, types) or (float in types and isinstance(value, int))
    if isinstance(value, bool) or not fits:
        expected = " or ".join(_KINDS.get(kind, getattr(kind, "__name__", "?")) for kind in types)
        fail(where, f"must be {expected}, got {shown(value)}")

