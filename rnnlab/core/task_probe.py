"""Probes of a task: one generated sequence through the explicit cell equations.

The inspector's views draw a ``ProbeResult``; for a synthetic task (``rnnlab.core.tasks``) they
draw one sequence of it, chosen by (seed, index) so the same choice shows the same sequence at
every step of training. Only the last position asks for an answer: its loss is the task's own
(squared error or cross-entropy), the gradient norms are ‖∂L/∂h_t‖ of that loss, and the
connectivity measures its dependence on each step's input.

What the views read at each position (``input_text``, one character a step):
- symbol tasks: the symbol read ("C", a distractor digit, "?");
- adding: the first decimal digit of the step's value (0.73 -> "7"); the marked steps are in
  ``marks``, the values themselves in ``answer.terms`` for the two that count.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.nn import functional as F

from rnnlab.core.models import CharModel
from rnnlab.core.probe import recompute, recompute_reference, top_guesses
from rnnlab.core.probe_result import ProbeResult, TaskAnswer
from rnnlab.core.task_data import PROBE_STREAM
from rnnlab.core.tasks import SQUARED_ERROR, Generated, Task

# target_text holds one character a position and an answer can be longer ("XY") or a number,
# so it marks only where the answer is asked; ``ProbeResult.answer`` says what it is.
ASKED, NOT_ASKED = "?", " "


def task_sequence(task: Task, sequence_index: int = 0, seed: int = 0) -> Generated:
    """Sequence ``sequence_index`` of ``task`` for ``seed``: inputs, targets and marks, each with
    a batch of 1. The same (seed, T, index) always gives the same sequence, drawn from a
    random stream of its own, apart from training's and validation's."""
    for name, value in (("sequence index", sequence_index), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"the {name} must be a whole number from 0, got {value!r}")
    rng = np.random.default_rng([seed, task.length, PROBE_STREAM, sequence_index])
    return task.generate(rng, 1)


def probe_task(
    model: CharModel, task: Task, sequence_index: int = 0, seed: int = 0, *, reference: bool = False
) -> ProbeResult:
    """Recompute every gate and state of ``model`` on one sequence of ``task`` (without
    dropout), with the gradients of the answer's loss; the connectivity is the answer's.
    ``reference``: the slow, plain way (``rnnlab.core.probe.recompute_reference``), for tests.

    Raises ValueError where the model was built for other inputs or answers than the task's,
    or for a negative index or seed.
    """
    check_model_fits(model, task)
    inputs, targets, marks = task_sequence(task, sequence_index, seed)
    steps = inputs.shape[1]
    device = next(model.parameters()).device
    sequence = torch.from_numpy(inputs).to(device)  # (1, T) codes or (1, T, 2) numbers
    target = targets[0, -1]
    squared_error = task.spec.loss == SQUARED_ERROR

    def losses_of(outputs: torch.Tensor) -> torch.Tensor:
        """outputs (T, K) -> (T,): the answer's loss at the last position, NaN before it."""
        if squared_error:
            loss = (outputs[-1, 0] - float(target)).square()
        else:
            answer = torch.tensor([int(target)], device=device)
            loss = F.cross_entropy(outputs[-1:], answer)  # nats
        unasked = torch.full((steps - 1,), math.nan, device=device)
        return torch.cat((unasked, loss.reshape(1)))

    recomputed = (recompute_reference if reference else recompute)(
        model, sequence, losses_of, steps - 1
    )
    if squared_error:  # a number has no guesses to rank
        guess_indices = np.zeros((steps, 0), dtype=np.int64)
        guess_probabilities = np.zeros((steps, 0), dtype=np.float32)
    else:
        guess_indices, guess_probabilities = top_guesses(recomputed.outputs)
    return ProbeResult(
        cell=model.config.cell,
        input_text=_shown_steps(task, inputs[0]),
        target_text=NOT_ASKED * (steps - 1) + ASKED,
        layers=recomputed.layers,
        losses=recomputed.losses,
        connectivity_position=steps - 1,
        connectivity=recomputed.connectivity,
        guess_indices=guess_indices,
        guess_probabilities=guess_probabilities,
        task=task.spec.name,
        marks=marks[0].copy(),
        answer=TaskAnswer(
            classes=task.spec.classes,
            target=float(target),
            output=recomputed.outputs[-1].to("cpu", torch.float32).numpy().copy(),
            # adding: the marked steps' values, whose sum is the answer
            terms=tuple(float(v) for v in inputs[0, marks[0], 0]) if squared_error else (),
        ),
    )


def check_model_fits(model: CharModel, task: Task) -> None:
    """ValueError unless ``model`` reads the task's inputs and gives its answers."""
    config, shape = model.config, task.model_shape()
    reads = (config.vocab_size, config.input_size, config.outputs)
    if reads != (shape["vocab_size"], shape["input_size"], shape["output_size"]):
        raise ValueError(
            f"the model does not fit the task {task.spec.name}: it reads "
            f"{_inputs(config.vocab_size, config.input_size)} and gives {config.outputs} "
            f"outputs, the task has {_inputs(shape['vocab_size'], shape['input_size'])} and "
            f"{shape['output_size']} outputs"
        )


def _inputs(symbols: int, numbers: int) -> str:
    return f"{numbers} numbers a step" if numbers else f"{symbols} symbols"


def _shown_steps(task: Task, inputs: np.ndarray) -> str:
    """One character per step: inputs (T,) codes or (T, 2) (value, marker) rows."""
    if task.spec.symbols:
        return "".join(task.spec.symbols[code] for code in inputs)
    # Values lie in [0, 1): their first decimal digit; min() guards float32 rounding up.
    return "".join(str(min(9, int(value * 10))) for value in inputs[:, 0])
