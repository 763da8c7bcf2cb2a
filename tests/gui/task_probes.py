"""Task-sequence inspections for the inspector views: a real probe of a small trained model on a
text of T + 1 characters, given one generated task sequence's symbols, marks and answer-only
loss, as a task probe has them (rnnlab.core.probe_result: distance 0 is the answer)."""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnlab.core.probe_result import Inspection
from rnnlab.core.tasks import find_task


def task_sequence(name: str, length: int, seed: int) -> tuple[str, np.ndarray]:
    """One generated sequence of the task: a display character per position (the adding
    problem's values by their first decimal digit) and its marks (positions,) bool."""
    task = find_task(name, length)
    inputs, _, marks = task.generate(np.random.default_rng(seed), 1)
    if name == "adding":
        text = "".join(str(min(9, int(value * 10))) for value in inputs[0, :, 0])
    else:
        text = "".join(task.spec.symbols[code] for code in inputs[0])
    return text, marks[0]


def as_task(inspection: Inspection, name: str, seed: int = 0, step: int | None = None,
            silent_beyond: int | None = None) -> Inspection:  # fmt: skip
    """``inspection`` (a probe of T positions) as one sequence of task ``name`` with T
    positions. ``silent_beyond``: the gradient norms are exactly 0 from that many steps back
    (a vanilla RNN's underflow)."""
    probe = inspection.probe
    positions = probe.positions
    length = positions - find_task(name).spec.extra_steps
    text, marks = task_sequence(name, length, seed)
    assert len(text) == positions
    losses = np.full(positions, np.nan, np.float32)
    losses[-1] = probe.losses[-1]  # only the answer is asked
    layers = probe.layers
    if silent_beyond is not None:
        layers = tuple(
            dataclasses.replace(layer, gradient_norms=_silenced(layer.gradient_norms, beyond))
            for layer, beyond in zip(layers, [silent_beyond] * len(layers))
        )  # fmt: skip
    columns = 0 if name == "adding" else probe.guess_indices.shape[1]  # a number: no guesses
    task_probe = dataclasses.replace(
        probe, task=name, marks=marks, input_text=text, target_text=" " * positions,
        losses=losses, layers=layers, connectivity_position=positions - 1,
        guess_indices=probe.guess_indices[:, :columns],
        guess_probabilities=probe.guess_probabilities[:, :columns],
    )  # fmt: skip
    return dataclasses.replace(inspection, probe=task_probe,
                               step=inspection.step if step is None else step)  # fmt: skip


def _silenced(norms: np.ndarray, beyond: int) -> np.ndarray:
    silenced = np.array(norms, copy=True)
    silenced[: len(norms) - beyond] = 0.0  # positions at distance >= beyond
    return silenced
