"""A lesson step's actions: ``train``, ``train N``, ``race``, ``pause``, ``stop``, ``sample``,
``page NAME`` and ``set OBJECTNAME VALUE``, parsed strictly from their text.

An action is data: ``set``'s value is the text the window types into the named control, never
evaluated, so a lesson cannot run code through it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from rnnlab.core.errors import LessonError

PAGES = ("loss", "gates", "text", "gradients")  # the inspector's pages, as the window orders them
ACTION_KINDS = ("train", "race", "pause", "stop", "sample", "page", "set")
ACTION_FORMS = "train, train N, race, pause, stop, sample, page NAME, set OBJECTNAME VALUE"
MAX_TRAIN_STEPS = 10**9  # as TrainConfig's evaluation interval: more is surely a typo
_OBJECT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # what Qt Designer accepts as a name
_WHOLE_NUMBER = re.compile(r"[0-9]+")  # ASCII digits only: str.isdecimal also takes "٣"


def did_you_mean(word: str, choices: tuple[str, ...], plural: str) -> str:
    """"; did you mean X?" for a near miss, else "; the PLURAL are A, B, C": a message's end."""
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]}?" if close else f"; the {plural} are {', '.join(choices)}"


def check_object_name(name: str) -> None:
    """LessonError unless ``name`` can be a Qt object name (the window checks it exists)."""
    if not _OBJECT_NAME.fullmatch(name):
        raise LessonError(
            f"{name!r} is not an object name (letters, digits and _, not starting with a digit)"
        )


def check_page(page: str) -> None:
    if page not in PAGES:
        raise LessonError(f"no page {page!r}{did_you_mean(page, PAGES, 'pages')}")


@dataclass(frozen=True)
class Action:
    """One thing a step does when the class presses Next; ``str(action)`` is its text."""

    kind: str  # one of ACTION_KINDS
    steps: int | None = None  # train N: N steps; None: train until paused
    page: str = ""  # page NAME: one of PAGES
    object_name: str = ""  # set: the control's Qt object name
    value: str = ""  # set: the text given to the control, as written

    def __post_init__(self) -> None:
        if self.kind not in ACTION_KINDS:
            raise LessonError(f"unknown action {self.kind!r}; the actions are {ACTION_FORMS}")
        if self.steps is not None:
            if self.kind != "train":
                raise LessonError(f"only train takes a number of steps, not {self.kind}")
            steps = self.steps
            if isinstance(steps, bool) or not isinstance(steps, int):
                raise LessonError(f"train N takes a whole number of steps, got {steps!r}")
            if not 1 <= steps <= MAX_TRAIN_STEPS:
                raise LessonError(f"train N needs N from 1 to {MAX_TRAIN_STEPS:,}, got {steps}")
        if self.kind == "page":
            check_page(self.page)
        elif self.page:
            raise LessonError(f"only page takes a page name, not {self.kind}")
        if self.kind == "set":
            check_object_name(self.object_name)
            if not self.value.strip():
                raise LessonError(f"set {self.object_name} needs a value: set OBJECTNAME VALUE")
        elif self.object_name or self.value:
            raise LessonError(f"only set takes an object name and a value, not {self.kind}")

    def __str__(self) -> str:
        arguments = {
            "train": "" if self.steps is None else str(self.steps),
            "page": self.page,
            "set": f"{self.object_name} {self.value}",
        }.get(self.kind, "")
        return f"{self.kind} {arguments}" if arguments else self.kind


def parse_action(text: str) -> Action:
    """The action ``text`` says ("train 200", "set taskLengthSpin 50"); LessonError otherwise.

    ``set``'s value is the rest of the text after the object name, inner spaces kept.
    """
    words = text.split(maxsplit=2)
    if not words:
        raise LessonError(f"an empty action; the actions are {ACTION_FORMS}")
    kind, arguments = words[0], words[1:]
    written = " ".join(words)
    if kind not in ACTION_KINDS:
        close = difflib.get_close_matches(kind.lower(), ACTION_KINDS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise LessonError(f"unknown action {kind!r}{hint}; the actions are {ACTION_FORMS}")
    if kind == "set":
        if len(arguments) < 2:
            raise LessonError(f"set needs an object name and a value (set OBJECTNAME VALUE), "
                              f"got {written!r}")  # fmt: skip
        return Action("set", object_name=arguments[0], value=arguments[1].strip())
    if kind == "page":
        if len(arguments) != 1:
            raise LessonError(f"page needs one page name ({', '.join(PAGES)}), got {written!r}")
        return Action("page", page=arguments[0])
    if kind == "train" and arguments:
        if len(arguments) > 1 or not _WHOLE_NUMBER.fullmatch(arguments[0]):
            raise LessonError(f"train takes a whole number of steps (train N), got {written!r}")
        return Action("train", steps=int(arguments[0]))
    if arguments:
        raise LessonError(f"{kind} takes nothing after it, got {written!r}")
    return Action(kind)
