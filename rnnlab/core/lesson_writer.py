"""Writing a lesson back as TOML, in the layout the README documents (inline ``task``, ``model``
and ``train`` tables, ``[[runs]]`` and ``[[steps]]``), so a teacher can adjust and share it.

tomli-w writes every value (quotes, escapes, numbers); the layout is this fixed schema's own,
because tomli-w always writes a table as a ``[section]`` of its own.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rnnlab.core.corpus import bundled_names
from rnnlab.core.errors import LessonError
from rnnlab.core.lesson import Lesson, parse_lesson
from rnnlab.core.lesson_settings import key_path, toml_literal
from rnnlab.core.tasks import Task

_NEW_FILE_MODE = 0o644  # a lesson is made to be shared: readable by others, as editors save


def lesson_to_toml(lesson: Lesson, folder: str | os.PathLike[str] | None = None) -> str:
    """The lesson as a TOML file that reads back equal to it. A corpus file inside ``folder``
    (by default the lesson's own) is written relative to it, so the folder can be shared whole;
    one elsewhere keeps its absolute path."""
    if folder is None and lesson.path is not None:
        folder = lesson.path.parent
    lines = ["# An rnnlab lesson (see the README's Lessons section).",
             f"title = {toml_literal(lesson.title)}"]  # fmt: skip
    if isinstance(lesson.source, Task):
        lines.append(f"task = {_inline_table(lesson.source.to_dict())}")
    else:
        lines.append(f"corpus = {toml_literal(_corpus_reference(lesson.source, folder))}")
    lines.append(f"page = {toml_literal(lesson.page)}")
    if lesson.hidden_controls:
        lines.append(f"hidden_controls = {_inline_list(lesson.hidden_controls)}")
    for run in lesson.runs:
        lines += ["", "[[runs]]", f"name = {toml_literal(run.name)}"]
        for section, values in (("model", run.model), ("train", run.train)):
            if values:  # only the settings the run gives: the rest keep their defaults
                lines.append(f"{section} = {_inline_table(values)}")
    for step in lesson.steps:
        # Text with line breaks is written over several lines, as the author would write it
        # (unless it holds a carriage return, which that form would not keep).
        multiline = "\n" in step.text and "\r" not in step.text
        lines += ["", "[[steps]]", f"title = {toml_literal(step.title)}",
                  f"text = {toml_literal(step.text, multiline=multiline)}"]  # fmt: skip
        actions = [str(action) for action in step.actions]
        if len(actions) == 1:
            lines.append(f"action = {toml_literal(actions[0])}")
        elif actions:
            lines.append(f"action = {_inline_list(actions)}")
    return "\n".join(lines) + "\n"


def save_lesson(lesson: Lesson, path: str | os.PathLike[str]) -> Path:
    """Write the lesson to ``path`` atomically (a reader sees the old file or the new, never
    half of one); return the path. LessonError if it cannot be written or would not read back."""
    path = Path(path)
    text = lesson_to_toml(lesson, path.absolute().parent)
    # Checked as it will be read, so a lesson built in code never leaves a file that won't open.
    parse_lesson(text, path.absolute().parent, str(path))
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.is_file() else _NEW_FILE_MODE
        handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp",
                                             dir=path.absolute().parent)  # fmt: skip
    except OSError as error:
        raise LessonError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)  # mkstemp makes it private to its owner
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise LessonError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    return path


def _corpus_reference(source: str, folder: str | os.PathLike[str] | None) -> str:
    if source in bundled_names() or folder is None:
        return source
    corpus, base = Path(source), Path(folder).resolve()
    if not (corpus.is_absolute() and corpus.is_relative_to(base)):
        return source
    # Forward slashes read back on every system; "./" keeps a file called like a bundled
    # corpus a file.
    reference = corpus.relative_to(base).as_posix()
    return f"./{reference}" if reference in bundled_names() else reference


def _inline_table(values: Mapping[str, Any]) -> str:
    return "{ " + ", ".join(f"{key_path('', key)} = {toml_literal(value)}"
                            for key, value in values.items()) + " }"  # fmt: skip


def _inline_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(toml_literal(item) for item in items) + "]"
