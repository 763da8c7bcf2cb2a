"""Lessons: a TOML file that sets up runs side by side and walks a class through them.

A lesson names a task or a corpus, one or more runs (their ModelConfig and TrainConfig
settings), the inspector page to show, controls to hide, and steps: a title, a few sentences and
actions (see rnnlab.core.lesson_actions). It is data only, read with tomllib; nothing in it is
evaluated, so opening a stranger's lesson cannot run code.

Every mistake is one LessonError line naming the file and the key:
``lesson.toml: runs[2].model.hiden_size: unknown ModelConfig setting; did you mean hidden_size?``
Lists count from 1, as a teacher counts the ``[[runs]]`` tables in the file. A lesson is checked
whole before anything uses it, so nothing is half-applied. rnnlab.core.lesson_writer writes one.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import re
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import bundled_names
from rnnlab.core.errors import ConfigError, LessonError
from rnnlab.core.lesson_actions import PAGES, Action, check_object_name, check_page, parse_action
from rnnlab.core.lesson_settings import (
    TEXT_MODEL_SHAPE,
    build_configs,
    check_keys,
    check_settings,
    fail,
    key_path,
    shown,
)
from rnnlab.core.tasks import (
    DEFAULT_LENGTH,
    TASK_MODEL_DEFAULTS,
    TASK_TRAIN_DEFAULTS,
    ModelShape,
    Task,
    find_task,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, as a package, before it joined the standard library
    import tomli as tomllib

# Action, PAGES and parse_action are re-exported: a lesson's steps are made of them.
__all__ = ["PAGES", "Action", "Lesson", "LessonRun", "LessonStep", "load_lesson", "parse_action",
           "parse_lesson"]  # fmt: skip

MAX_LESSON_BYTES = 1_000_000  # a few pages of prose: anything bigger is not a lesson
_TOP_KEYS = ("title", "task", "corpus", "page", "hidden_controls", "runs", "steps")
_RUN_KEYS = ("name", "model", "train")
_STEP_KEYS = ("title", "text", "action")
_TASK_KEYS = ("name", "length")
_PARSER_PLACE = re.compile(r"(.*) \(at line (\d+), column (\d+)\)", re.S)
_PARSER_END = " (at end of document)"


@dataclass(frozen=True)
class LessonRun:
    """One run of a lesson: its name and the ModelConfig and TrainConfig settings it gives."""

    name: str
    model: Mapping[str, Any] = field(default_factory=dict)  # ModelConfig field -> value
    train: Mapping[str, Any] = field(default_factory=dict)  # TrainConfig field -> value

    def __post_init__(self) -> None:
        # Copies, so a caller's dict changing later cannot change a frozen lesson. TOML has no
        # null: a setting at None (forget_bias, threads, whose default is None) is written by
        # leaving it out, so it is left out here too and the lesson reads back equal to itself.
        for section in ("model", "train"):
            values = {key: value for key, value in getattr(self, section).items()
                      if value is not None}  # fmt: skip
            object.__setattr__(self, section, values)

    def configs(self, shape: ModelShape, *, task: bool = False) -> tuple[ModelConfig, TrainConfig]:
        """The run's configs for data of this shape. On a task, what the run leaves out takes the
        task defaults (1 x 64, Adam 2e-3, clipped at norm 1), as the window's task runs do."""
        model = {**(TASK_MODEL_DEFAULTS if task else {}), **self.model}
        train = {**(TASK_TRAIN_DEFAULTS if task else {}), **self.train}
        return build_configs(model, train, shape)


@dataclass(frozen=True)
class LessonStep:
    """What the class reads at one step, and what pressing Next does."""

    title: str
    text: str  # a few sentences; the window may render simple markup
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """A lesson, checked: what it trains on, its runs, what the window shows, and its steps."""

    title: str
    source: Task | str  # a task, or a corpus: a bundled corpus's name or a file's absolute path
    page: str  # the inspector page shown: one of PAGES
    hidden_controls: tuple[str, ...]  # object names of the controls the window hides
    runs: tuple[LessonRun, ...]  # one or more, opened side by side
    steps: tuple[LessonStep, ...]
    # The file it was read from or saved to. Not part of equality: the same lesson read from
    # two copies of a file is the same lesson.
    path: Path | None = field(default=None, compare=False)

    def object_names(self) -> frozenset[str]:
        """The controls the lesson names (hidden, or set by a step): the window checks that all
        exist before it applies anything, since they cannot be checked without it."""
        named = {action.object_name for step in self.steps for action in step.actions
                 if action.kind == "set"}  # fmt: skip
        return frozenset(self.hidden_controls) | named


def load_lesson(path: str | os.PathLike[str]) -> Lesson:
    """Read and check a lesson file; every problem is a one-line LessonError."""
    path = Path(path)
    display = str(path)
    # A byte-order mark (some editors write one) is not part of the text.
    data = _read_file(path, display).removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise LessonError(f"{display}, line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}"
                          "); save the file as UTF-8") from None  # fmt: skip
    lesson = parse_lesson(text, path.absolute().parent, display)
    return dataclasses.replace(lesson, path=path.absolute())


def parse_lesson(text: str, base_folder: str | os.PathLike[str], name: str = "lesson") -> Lesson:
    """The lesson ``text`` says; a corpus path in it is relative to ``base_folder``. ``name``
    (the file's) starts every LessonError's message."""
    if not text.strip():
        raise LessonError(f"{name} is empty")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where, message = "", str(error)
        place = _PARSER_PLACE.fullmatch(message)
        if place:  # "... (at line 3, column 7)": the place goes first, beside the file's name
            where, message = f", line {place[2]}, column {place[3]}", place[1]
        elif message.endswith(_PARSER_END):
            where, message = ", at its end", message.removesuffix(_PARSER_END)
        raise LessonError(f"{name}{where}: {message[:1].lower()}{message[1:]}") from None
    try:
        return _lesson(data, Path(base_folder))
    except LessonError as error:
        raise LessonError(f"{name}: {error}") from None


def _lesson(data: dict[str, Any], folder: Path) -> Lesson:
    check_keys(data, "", _TOP_KEYS)
    title = _text(data, "", "title")
    source = _source(data, folder)
    page = _text(data, "", "page", default="loss")
    try:
        check_page(page)
    except LessonError as error:
        fail("page", str(error))
    hidden = _list_of_text(data.get("hidden_controls", []), "hidden_controls")
    for index, object_name in enumerate(hidden, 1):
        try:
            check_object_name(object_name)
        except LessonError as error:
            fail(f"hidden_controls[{index}]", str(error))
    runs: list[LessonRun] = []
    for index, table in enumerate(_tables(data, "runs", required=True), 1):
        run = _run(table, f"runs[{index}]", source)
        if any(earlier.name == run.name for earlier in runs):  # the window tells runs by name
            fail(f"runs[{index}].name", f"another run is already called {run.name!r}")
        runs.append(run)
    steps = [_step(table, f"steps[{index}]")
             for index, table in enumerate(_tables(data, "steps", required=False), 1)]
    return Lesson(title, source, page, hidden, tuple(runs), tuple(steps))


def _source(data: dict[str, Any], folder: Path) -> Task | str:
    if "task" in data and "corpus" in data:
        fail("task, corpus", "a lesson trains on a task or on a corpus: give one, not both")
    if "task" not in data and "corpus" not in data:
        fail("task, corpus", 'missing: give a task = { name = "adding", length = 50 } or a corpus')
    if "corpus" in data:
        corpus = _text(data, "", "corpus")
        # A bundled name stays a name: what a lesson means does not depend on the files lying
        # beside it (write "./names" for a file called so). Anything else is a path.
        if corpus in bundled_names():
            return corpus
        try:
            return str((folder / corpus).resolve())
        except (OSError, ValueError) as error:  # a NUL in the name, a loop of links
            fail("corpus", f"not a usable path ({error})")
    table = data["task"]
    if not isinstance(table, dict):
        fail("task", f'must be a table like {{ name = "adding", length = 50 }}, got {shown(table)}')
    check_keys(table, "task", _TASK_KEYS)
    name = _text(table, "task", "name")
    try:
        find_task(name)
    except ConfigError as error:
        fail("task.name", str(error))
    try:
        return find_task(name, table.get("length", DEFAULT_LENGTH))
    except ConfigError as error:
        fail("task.length", str(error))


def _run(table: dict[str, Any], key: str, source: Task | str) -> LessonRun:
    check_keys(table, key, _RUN_KEYS)
    run = LessonRun(_text(table, key, "name"), check_settings(table, key, "model"),
                    check_settings(table, key, "train"))  # fmt: skip
    # The settings together, over the data's shape, as the window will build them.
    shape = source.model_shape() if isinstance(source, Task) else TEXT_MODEL_SHAPE
    try:
        run.configs(shape, task=isinstance(source, Task))
    except ConfigError as error:
        fail(key, str(error))
    return run


def _step(table: dict[str, Any], key: str) -> LessonStep:
    check_keys(table, key, _STEP_KEYS)
    title, text = _text(table, key, "title"), _text(table, key, "text", empty=True)
    written, path = table.get("action", []), key_path(key, "action")
    single = isinstance(written, str)  # action = "race", or a list of them
    if not (single or isinstance(written, list)):
        fail(path, f'must be an action like "race" or a list like ["stop", "race"], got '
                   f"{shown(written)}")  # fmt: skip
    actions = []
    for index, action in enumerate([written] if single else _list_of_text(written, path), 1):
        where = path if single else f"{path}[{index}]"
        try:
            actions.append(parse_action(action))
        except LessonError as error:
            fail(where, str(error))
    return LessonStep(title, text, tuple(actions))


def _text(table: dict[str, Any], parent: str, key: str, *, default: str | None = None,
          empty: bool = False) -> str:  # fmt: skip
    """The text at ``key``: required unless it has a default; not blank unless ``empty``."""
    where = key_path(parent, key)
    if key not in table:
        if default is None:
            fail(where, "missing")
        return default
    value = table[key]
    if not isinstance(value, str):
        fail(where, f"must be text in quotes, got {shown(value)}")
    if not (empty or value.strip()):
        fail(where, "must not be blank")
    return value


def _list_of_text(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        fail(key, f"must be a list of texts like [\"a\", \"b\"], got {shown(value)}")
    for index, item in enumerate(value, 1):
        if not isinstance(item, str):
            fail(f"{key}[{index}]", f"must be text in quotes, got {shown(item)}")
    return tuple(value)


def _tables(data: dict[str, Any], key: str, *, required: bool) -> list[dict[str, Any]]:
    """The [[KEY]] tables: at least one if ``required``."""
    tables = data.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        fail(key, f"write each one as a [[{key}]] table, got {shown(tables)}")
    if required and not tables:
        fail(key, f"missing: a lesson has at least one [[{key}]] table")
    return tables


def _read_file(path: Path, display: str) -> bytes:
    try:
        status = path.stat()
    except FileNotFoundError:
        raise LessonError(f"{display} does not exist") from None
    except OSError as error:
        raise LessonError(f"cannot read {display}: {error.strerror or error}") from None
    if stat.S_ISDIR(status.st_mode):
        raise LessonError(f"{display} is a folder, not a lesson file")
    if not stat.S_ISREG(status.st_mode):  # a pipe or a device would block or never end
        raise LessonError(f"{display} is not a regular file")
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_LESSON_BYTES + 1)  # the file may have grown since stat
    except OSError as error:
        raise LessonError(f"cannot read {display}: {error.strerror or error}") from None
    if len(data) > MAX_LESSON_BYTES:
        raise LessonError(f"{display} is over {MAX_LESSON_BYTES // 1_000_000} MB: a lesson is a"
                          " few pages of text; is it the right file?")  # fmt: skip
    if not data:
        raise LessonError(f"{display} is empty")
    return data
