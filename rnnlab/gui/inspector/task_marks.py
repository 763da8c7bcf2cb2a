"""What the inspector's views say about a task sequence (``rnnlab.core.tasks``) rather than a
text: which positions the answer depends on, what each position's symbol stands for, and the
words for the answer position.

A task probe is one generated sequence. Its answer is asked at the last position, so in the
gradient views distance 0 is the answer, and a marked position t lies T-1-t steps back from it.
Text probes have no marks: every helper here then gives what the text views said before.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from rnnlab.core.probe_result import ProbeResult
from rnnlab.gui.widgets.style import shown_char, shown_token

# What a mark is called on each task: the adding problem's two marked numbers, the symbol that
# recall asks for, the two events whose order is asked.
_MARK_WORDS = {"adding": "marked", "recall": "remembered", "order": "event"}
# Where the answer is asked, as the curve's axis and the hover texts name it.
TEXT_DISTANCE_LABEL = "steps back from the predicted character"
TASK_DISTANCE_LABEL = "steps back from the answer"
TOKEN_DISTANCE_LABEL = "tokens back from the predicted token"  # a word or BPE run's probe
NOT_ON_A_TASK = (
    "Next-character guesses do not apply to a task sequence: only its last position is asked "
    "something, the answer, and there is no next character to guess. The loss plot shows how "
    "well the answers are learned."
)


def mark_word(task: str) -> str:
    """What one of the task's marks is called: "marked", "remembered" or "event"."""
    return _MARK_WORDS.get(task, "marked")


def marked_positions(probe: ProbeResult) -> np.ndarray:
    """Positions (ascending) the answer depends on; empty on a text."""
    if probe.marks is None:
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.asarray(probe.marks, dtype=bool)[: probe.positions])


def marked_distances(probe: ProbeResult) -> np.ndarray:
    """How far back from the answer (the last position) each marked position lies, nearest
    first: d = T-1-t."""
    return (probe.positions - 1 - marked_positions(probe))[::-1]


def is_marked(probe: ProbeResult, position: int) -> bool:
    marks = probe.marks
    return marks is not None and 0 <= position < len(marks) and bool(marks[position])


def answer_words(task: str, tokens: bool = False) -> str:
    """What distance 0 is called: the answer on a task, the predicted character (or, with
    ``tokens``, token) on a text."""
    return "the answer" if task else "the predicted token" if tokens else "the predicted character"


def symbol_meaning(probe: ProbeResult) -> str:
    """What the characters shown for the positions are (for an axis or a legend)."""
    if probe.task == "adding":
        return "each value's first decimal digit (7: 0.7…)"
    if probe.task:
        return "the symbol read at each position"
    return "the token read" if probe.tokens else "the character read"


def reading(probe: ProbeResult, position: int) -> str:
    """What the model reads at ``position``, for hover texts (see ``reading_of``)."""
    marked = is_marked(probe, position)
    return reading_of(probe.task, probe.inputs[position], marked)


def reading_of(task: str, char: str, marked: bool) -> str:
    """On a text "after reading 'e'"; on a task "reading 7 (0.7…), marked": the adding
    problem shows a value by its first decimal digit, so the hover says it is rounded."""
    if not task:  # a character, or a word or BPE token
        return f"after reading {shown_token(char, 24)}"
    shown = shown_char(char)
    value = f" (0.{shown}…)" if task == "adding" and shown.isdigit() else ""
    return f"reading {shown}{value}" + (f", {mark_word(task)}" if marked else "")


def paint_rings(painter: QPainter, cells: Sequence[QRect], dark: QColor, light: QColor,
                width: int) -> None:  # fmt: skip
    """A dark ring on each cell's edge with a thin light one inside it: one of the two shows on
    any fill, without a colour of its own to tell apart. On the edge, half outside, so that the
    character inside stays readable in cells a dozen pixels wide."""
    painter.setBrush(Qt.BrushStyle.NoBrush)
    inner = max(1, width // 2)
    for cell in cells:
        painter.setPen(QPen(dark, width))
        painter.drawRect(cell.adjusted(0, 0, -1, -1))
        painter.setPen(QPen(light, inner))
        inset = (width + inner) // 2
        painter.drawRect(cell.adjusted(inset, inset, -inset - 1, -inset - 1))
