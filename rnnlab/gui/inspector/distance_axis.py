"""The gradient flow's distances read in characters: for a word or BPE run a step back is a token,
several characters long, so the plot's top axis says how many characters back each token
distance lies, and a marker shows where a dependency DEPENDENCY_CHARACTERS characters back is.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont

from rnnlab.core.probe_result import ProbeResult
from rnnlab.core.token_facts import DEPENDENCY_CHARACTERS

CHARACTERS_LABEL = "characters back"


def characters_back(probe: ProbeResult) -> np.ndarray:
    """(T,) int64: how many characters before the predicted one the state d steps back has read
    up to and including: d + 1 for characters, the tokens' lengths added up for a word or BPE
    run."""
    read = np.fromiter((len(piece) for piece in probe.inputs), np.int64, probe.positions)
    return np.cumsum(read[::-1])


def memory_steps(probe: ProbeResult) -> int | None:
    """The distance d (in the probe's steps) of the state that read the character
    DEPENDENCY_CHARACTERS before the predicted one; None on a task or a shorter probe."""
    if probe.task:
        return None
    reached = np.flatnonzero(characters_back(probe) >= DEPENDENCY_CHARACTERS)
    return int(reached[0]) if len(reached) else None


def show_distances(line: pg.InfiniteLine, axis: CharactersBackAxis, probe: ProbeResult) -> None:
    """The marker at the memory distance (hidden where the probe is shorter, or on a task) and
    the top axis's characters for a word or BPE probe."""
    distance = memory_steps(probe)
    line.setVisible(distance is not None)
    if distance is not None:
        line.setValue(distance)
        line.label.setFormat(f"{DEPENDENCY_CHARACTERS} characters back")
    axis.set_probe(probe if probe.tokens else None)


class CharactersBackAxis(pg.AxisItem):
    """Tick labels of the distances below, in characters back (``set_probe``)."""

    def __init__(self, orientation: str = "top") -> None:
        super().__init__(orientation)
        self._characters = np.zeros(0, np.int64)

    def restyle(self, text: QColor, font: QFont, label_points: float, pen_width: float) -> None:
        """As the plot's own axes: its text colour, tick font and label size."""
        self.setPen(pg.mkPen(text, width=pen_width))
        self.setTextPen(text)
        self.setTickFont(font)
        self.setLabel(CHARACTERS_LABEL, color=text.name(), **{"font-size": f"{label_points}pt"})

    def set_probe(self, probe: ProbeResult | None) -> None:
        self._characters = np.zeros(0, np.int64) if probe is None else characters_back(probe)
        self.picture = None  # pyqtgraph's cached drawing
        self.update()

    def tickStrings(self, values, scale, spacing) -> list[str]:
        labels = []
        for value in values:
            step = round(float(value))
            inside = 0 <= step < len(self._characters) and abs(value - step) < 1e-6
            labels.append(str(int(self._characters[step])) if inside else "")
        return labels
