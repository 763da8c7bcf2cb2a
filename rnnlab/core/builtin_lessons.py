"""The lessons that ship with rnnlab: TOML files in ``rnnlab/lessons``, in teaching order.

Torch-free, so the window can list them in its Lessons menu before torch has loaded. Each one's
claim is checked headless by ``rnnlab.core.lesson_checks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnlab.core.errors import LessonError
from rnnlab.core.lesson import Lesson, load_lesson

# The order a course meets them in: memory first, then training's troubles, then what a
# trained network does with text. Each name is a file stem in the lessons folder.
BUILTIN_ORDER = (
    "forgetting",
    "exploding",
    "inside_lstm",
    "temperature",
    "samples_over_training",
    "surnames",
    "markov",
    "cell_race",
    "tokens",
)


@dataclass(frozen=True)
class BuiltinLesson:
    """A bundled lesson: its name (the file's stem), its title and its file."""

    name: str
    title: str
    path: Path

    def load(self) -> Lesson:
        return load_lesson(self.path)

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "path": str(self.path)}


def lessons_folder() -> Path:
    """The folder of bundled lessons: rnnlab/lessons, beside this package in a checkout and in
    an installed wheel alike (pyproject.toml ships its TOML files as package data)."""
    return Path(__file__).resolve().parents[1] / "lessons"


def builtin_lesson_path(name: str) -> Path:
    """The file of the built-in lesson ``name``; LessonError naming the lessons otherwise."""
    if name not in BUILTIN_ORDER:
        raise LessonError(f"no built-in lesson {name!r}; the lessons are "
                          f"{', '.join(BUILTIN_ORDER)}")  # fmt: skip
    return lessons_folder() / f"{name}.toml"


def builtin_lessons() -> list[BuiltinLesson]:
    """Every bundled lesson, read and checked, in teaching order. A file that fails to read is
    a broken installation: its LessonError says which file and key."""
    listed = []
    for name in BUILTIN_ORDER:
        path = builtin_lesson_path(name)
        listed.append(BuiltinLesson(name, load_lesson(path).title, path))
    return listed
