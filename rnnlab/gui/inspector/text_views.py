"""The inspector's text views of predictions: how much one prediction depends on each earlier
character (connectivity, as in Distill's "Visualizing memorization in RNNs"), and the model's
five guesses under every character (``neuron_text`` colours the text by one unit).

Each view keeps the last inspection and repaints from it: a new one may arrive several times a
second, so an update computes a few hundred colours and repaints, nothing more.

On a task sequence the connectivity explains its one answer, at the last position, with the
positions the answer depends on outlined; the guesses, of a next character, do not apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QVBoxLayout

from rnnlab.core.tokens import UNKNOWN
from rnnlab.gui.inspector.char_grid import MAX_SPAN, vertical_scroll
from rnnlab.gui.inspector.task_marks import NOT_ON_A_TASK, mark_word, marked_positions, reading
from rnnlab.gui.inspector.text_view_base import TextView, quoted, sequential_map
from rnnlab.gui.widgets.style import role_colour, shown_char, shown_token

CONNECTIVITY_DECADES = 4  # the colour scale spans 10^-4 .. 1 of the largest dependence


class ConnectivityView(TextView):
    """How strongly the prediction at one position depends on each earlier input character."""

    positionClicked = Signal(int)  # the user asks to explain the prediction at this position

    def __init__(self) -> None:
        super().__init__("connectivityView", legend_beside=True)  # the text needs the height
        self._strengths = np.zeros(0)
        self._revealed: tuple[str, int] | None = None  # the text and position scrolled to
        self._scroll = vertical_scroll(self.grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.legend)
        layout.addWidget(self._scroll, stretch=1)
        self.grid.set_tooltip(self._tooltip)
        self.grid.positionClicked.connect(self._clicked)
        self.set_font_scale(1.0)
        self.clear()

    def strengths(self) -> np.ndarray:
        """(T,) what is shown: the connectivity over its largest value, zero after the position."""
        return self._strengths.copy()

    def export_data(self) -> dict[str, np.ndarray]:
        if self._inspection is None:
            return {}
        probe = self._inspection.probe
        return {
            "text": np.array(list(probe.inputs)),
            "connectivity": np.asarray(probe.connectivity).copy(),
            "relative_strength": self.strengths(),
            "position": np.array(probe.connectivity_position),
        }

    def clear(self) -> None:
        super().clear()
        self._strengths, self._revealed = np.zeros(0), None

    def _clicked(self, position: int) -> None:
        # A task sequence asks one thing, at its last position: nothing else to explain.
        if self._inspection is not None and not self._inspection.probe.task:
            self.positionClicked.emit(position)

    def _render(self) -> None:
        probe = self._inspection.probe
        position = probe.connectivity_position
        strengths = np.asarray(probe.connectivity, dtype=np.float64).copy()
        strengths[position + 1 :] = 0.0  # later inputs cannot change the prediction
        largest = strengths.max(initial=0.0)
        self._strengths = strengths / largest if largest > 0 else strengths
        colour_map = sequential_map(self)
        # On a log scale: the dependence fades by orders of magnitude going back, so a linear
        # scale would colour only the last few characters.
        with np.errstate(divide="ignore"):
            logs = np.log10(self._strengths)
        shade = np.clip(1.0 + logs / CONNECTIVITY_DECADES, 0.0, 1.0)
        colours = colour_map.map(shade, mode="qcolor")
        # Characters after the prediction: plain background, faded, as "not yet read".
        faded = self.palette().color(QPalette.ColorRole.PlaceholderText)
        fills = [colour if t <= position else None for t, colour in enumerate(colours)]
        inks = [None if t <= position else faded for t in range(len(colours))]
        self.grid.show_text(probe.inputs, fills, inks)
        # A task's marked positions in rings; the explained position framed, on a text only: a
        # task's is always the last, and a frame there would pass for one more mark.
        marked = [(t, 0) for t in marked_positions(probe)]
        self.grid.set_marks(marked, outlined=None if probe.task else position)
        title = (
            f"What the prediction of {quoted(probe.targets[position])} after the outlined"
            f" {quoted(probe.inputs[position])} (position {position}) depends on:"
            f" ‖∂loss/∂input‖ per {'token' if probe.tokens else 'character'}, log10 of its"
            " share of the largest"
        )
        if probe.task:
            title = (
                "What the answer, given after reading the last position, depends on:"
                " ‖∂loss/∂input‖ per position, log10 of its share of the largest. Bold in a dark"
                f" and light ring: the {mark_word(probe.task)} positions it should depend on"
            )
        ticks = tuple(float(value) for value in range(-CONNECTIVITY_DECADES, 1))
        self.legend.set_scale(colour_map, -CONNECTIVITY_DECADES, 0.0, ticks, title)
        if self._revealed != (probe.input_text, position):
            # Scrolled to once per new position: later updates leave the user's scrolling alone.
            self._revealed = (probe.input_text, position)
            width = self._scroll.viewport().width()  # the grid's new height, before layout
            self.grid.resize(width, max(self.grid.heightForWidth(width), self.grid.height()))
            cell = self.grid.cell_rect(position)
            self._scroll.ensureVisible(cell.center().x(), cell.center().y(), 0, 2 * cell.height())

    def _tooltip(self, position: int, row: int) -> str:
        probe = self._inspection.probe
        chosen = probe.connectivity_position
        lines = [f"position {position}: {quoted(probe.inputs[position])}"]
        if probe.task:
            lines = [f"position {position}: {reading(probe, position)}"]
        if position > chosen:
            lines.append(f"after the prediction at position {chosen}: it cannot influence it")
        else:
            lines.append(f"relative strength {self._strengths[position]:.2g}"
                         f" (‖∂L/∂x‖ = {probe.connectivity[position]:.3g})")  # fmt: skip
        if probe.task:
            lines.append("the answer is given after reading this" if position == chosen else "")
        elif position == chosen:
            target = quoted(probe.targets[position])
            lines.append(f"the prediction explained: the model's guess of what follows, {target}")
        else:
            lines.append("Click to explain the prediction after this character instead")
        return "\n".join(line for line in lines if line)


class GuessesView(TextView):
    """Under each character of the probe text, the model's five guesses for it, shaded by their
    probability; the guess that was right is outlined."""

    def __init__(self) -> None:
        super().__init__("guessesView", legend_beside=True)  # a band of guesses needs the height
        self._characters: tuple[str, ...] = ()
        self._known: tuple[tuple[str, ...], frozenset[str]] = ((), frozenset())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.legend)
        layout.addWidget(vertical_scroll(self.grid), stretch=1)
        self.grid.set_tooltip(self._tooltip)
        self.set_font_scale(1.0)
        self.clear()

    def set_characters(self, chars: Sequence[str]) -> None:
        """The vocabulary, in index order: guess indices are positions in it."""
        self._characters = tuple(chars)
        self._refresh()

    def column(self, position: int) -> list[tuple[str, float]]:
        """The five guesses for the character at ``position``, best first: (char, probability)."""
        probe = self._inspection.probe
        indices, chances = probe.guess_indices[position], probe.guess_probabilities[position]
        return [(self._character(index), float(p)) for index, p in zip(indices, chances)]

    def export_data(self) -> dict[str, np.ndarray]:
        if self._inspection is None or self._inspection.probe.task:
            return {}
        probe = self._inspection.probe
        guesses = [[self._character(index) for index in row] for row in probe.guess_indices]
        return {
            "text": np.array(list(probe.targets)),  # the character each column guesses
            "guess_characters": np.array(guesses, dtype=str).reshape(-1, 5),
            "guess_probabilities": np.asarray(probe.guess_probabilities).copy(),
        }

    def _answer(self, written: str) -> str:
        """What the model was to predict for ``written``: an unknown word is the unknown token
        (so that guess is the right one); else the text itself."""
        tokens = self._inspection.probe.token_list
        if not tokens:
            return written
        if self._known[0] is not tokens:  # a set of the run's tokens, once per vocabulary
            self._known = (tokens, frozenset(tokens))
        return written if written in self._known[1] else UNKNOWN

    def _character(self, index: int) -> str:
        # A word or BPE run's probe names its own tokens; else the text's characters.
        names = self._inspection.probe.token_list or self._characters
        return names[index] if 0 <= index < len(names) else "?"

    def applies(self) -> bool:
        """Whether the guesses are shown: not on a task sequence (NOT_ON_A_TASK says why)."""
        return self._inspection is not None and not self._inspection.probe.task

    def _render(self) -> None:
        probe = self._inspection.probe
        if probe.task:
            self.grid.clear(NOT_ON_A_TASK)
            self.legend.clear()
            return
        colour_map = sequential_map(self)
        # All 5T colours in one call: a call per column cost 15 ms for 200 characters.
        colours = colour_map.map(probe.guess_probabilities.ravel(), mode="qcolor")
        miss = role_colour(self, "diverged")  # a character missed by all five guesses
        labels, fills, inks, marked = [], [], [], []
        label = partial(shown_token, limit=MAX_SPAN) if probe.tokens else shown_char
        for position, written in enumerate(probe.targets):
            actual = self._answer(written)
            guesses = [self._character(index) for index in probe.guess_indices[position]]
            labels.append((label(written), *(label(char) for char in guesses)))
            fills.append((None, *colours[5 * position : 5 * position + 5]))
            right = [rank for rank, char in enumerate(guesses) if char == actual]
            marked += [(position, rank + 1) for rank in right]
            # A character the model did not have among its five guesses: in red.
            inks.append((None if right else miss,) + (None,) * 5)
        spans = [max(map(len, column)) for column in labels] if probe.tokens else None
        self.grid.show_cells(labels, fills, inks=inks, spans=spans)
        self.grid.set_marks(marked, role_colour(self, "marker"))  # the right guess
        title = "Probability of each guess (outlined: the right one; red: not in the top 5)"
        self.legend.set_scale(colour_map, 0.0, 1.0, (0.0, 0.25, 0.5, 0.75, 1.0), title)

    def _tooltip(self, position: int, row: int) -> str:
        probe = self._inspection.probe
        written = probe.targets[position]
        actual = self._answer(written)
        guesses = self.column(position)
        if row > 0:
            char, chance = guesses[row - 1]
            right = " (the right one)" if char == actual else ""
            return (
                f"{quoted(char)} {_percent(chance)}{right}\nguess {row} of 5, position {position}"
            )
        ranks = [rank for rank, (char, _) in enumerate(guesses) if char == actual]
        given = "not among its five guesses"
        if ranks:
            given = f"its guess {ranks[0] + 1} of 5, at {_percent(guesses[ranks[0]][1])}"
        before = quoted(probe.inputs[position])
        comes = quoted(written) + (f" (read as {actual})" if actual != written else "")
        return f"position {position}: after {before} comes {comes}: {given}"


def _percent(probability: float) -> str:
    return f"{probability * 100:.0f} %" if probability >= 0.01 else f"{probability * 100:.1g} %"
