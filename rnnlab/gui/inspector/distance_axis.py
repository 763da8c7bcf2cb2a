"""The gradient flow's distances read in characters: for a word or BPE run a step back is a token,
several characters long, so the plot's top axis says how many characters back each token
distance lies, and a marker shows where a dependency DEPENDENCY_CHARACTERS characters back is.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from rnnlab.core.probe_result import ProbeResult
from rnnlab.core.token_facts import DEPENDENCY_CHARACTERS

CHARACTERS_LABEL = "characters back"


def characters_back(probe: ProbeResult) -> np.ndarray:
    """(T,) int64: how many characters before the predicted one the state d steps back has read
    up to and including: d + 1 for characters, the tokens' lengths added up for a word or BPE
    run."""
    read = np.fromiter((len(piece) for piece in probe.inputs), np.int64, probe.positions)
    return np.cumsum(read[::-1])


def show_distances(line: pg.InfiniteLine, axis: CharactersBackAxis, probe: ProbeResult) -> None:
    """The marker at the memory distance: the distance d of the state that read the character
    DEPENDENCY_CHARACTERS before the predicted one (hidden on a task or a shorter probe), and the
    top axis's characters for a word or BPE probe."""
    spelled = characters_back(probe)
    reached = np.flatnonzero(spelled >= DEPENDENCY_CHARACTERS)
    shown = not probe.task and len(reached) > 0
    line.setVisible(shown)
    if shown:
        line.setValue(int(reached[0]))
        line.label.setFormat(f"{DEPENDENCY_CHARACTERS} characters back")
    axis.set_characters(spelled if probe.tokens else np.zeros(0, np.int64))


class CharactersBackAxis(pg.AxisItem):
    """Tick labels of the distances below, in characters back (``set_characters``)."""

    def __init__(self, orientation: str = "top") -> None:
        super().__init__(orientation)
        self._characters = np.zeros(0, np.int64)

    def set_characters(self, characters: np.ndarray) -> None:
        """(T,) characters back at each distance (``characters_back``); empty: no labels."""
        self._characters = characters
        self.picture = None  # pyqtgraph's cached drawing
        self.update()

    def tickStrings(self, values, scale, spacing) -> list[str]:
        labels = []
        for value in values:
            step = round(float(value))
            inside = 0 <= step < len(self._characters) and abs(value - step) < 1e-6
            labels.append(str(int(self._characters[step])) if inside else "")
        return labels
