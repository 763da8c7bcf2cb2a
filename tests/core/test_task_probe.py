"""Task probes: one generated sequence through the explicit cell equations, checked against the
fused model, the task's own loss recomputed here, and the generator's marks."""

import re

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from rnnlab.core.config import ModelConfig
from rnnlab.core.inspection import inspect_task
from rnnlab.core.models import CharModel
from rnnlab.core.probe_result import describe_answer
from rnnlab.core.task_probe import probe_task, task_sequence
from rnnlab.core.tasks import TASK_MODEL_DEFAULTS, find_task

CELLS = ("rnn", "lstm", "gru", "sru")
LENGTH = 12
SMALL = {"hidden_size": 16, "layers": 2, "embedding_size": 8}


def _model(task, cell: str, seed: int = 0, **shape) -> CharModel:
    torch.manual_seed(seed)
    return CharModel(ModelConfig(**task.model_shape(), cell=cell, **(shape or SMALL))).eval()


def _fused_answer(model: CharModel, inputs: np.ndarray) -> torch.Tensor:
    """The fused model's output at the last position, (K,)."""
    with torch.no_grad():
        outputs, _ = model(torch.from_numpy(inputs))
    return outputs[0, -1]


def _answer_and_marks(name: str, task, inputs: np.ndarray) -> tuple[object, list[int]]:
    """The right answer and the positions it depends on, read off the sequence itself."""
    if name == "adding":
        marked = [t for t in range(inputs.shape[1]) if inputs[0, t, 1] == 1.0]
        return float(inputs[0, marked, 0].astype(np.float64).sum()), marked
    text = "".join(task.spec.symbols[code] for code in inputs[0])
    if name == "recall":
        return task.spec.classes.index(text[0]), [0]
    events = [t for t, char in enumerate(text) if char in "XY"]
    return task.spec.classes.index("".join(text[t] for t in events)), events


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("name", ["adding", "recall", "order"])
def test_a_task_probe_matches_the_fused_model_and_the_tasks_own_loss(name, cell) -> None:
    task = find_task(name, LENGTH)
    model = _model(task, cell)
    result = probe_task(model, task, sequence_index=3, seed=5)
    inputs, _, generated_marks = task_sequence(task, sequence_index=3, seed=5)
    steps = task.spec.sequence_length(LENGTH)
    assert inputs.shape[:2] == (1, steps)

    # What the views read: one character and one mark per step, the answer asked at the end.
    assert result.task == name and result.cell == cell and result.positions == steps
    assert len(result.target_text) == steps and result.target_text.strip() == "?"
    answer, marked = _answer_and_marks(name, task, inputs)
    assert list(np.flatnonzero(result.marks)) == marked
    np.testing.assert_array_equal(result.marks, generated_marks[0])
    if name == "adding":
        digits = [str(int(value * 10)) for value in inputs[0, :, 0]]
        assert result.input_text == "".join(digits)
    else:
        assert result.input_text == "".join(task.spec.symbols[code] for code in inputs[0])

    for layer in result.layers:
        for values in layer.gates.values():
            assert values.shape == (steps, 16) and np.isfinite(values).all()
        assert layer.gradient_norms.shape == (steps,) and np.isfinite(layer.gradient_norms).all()
        assert layer.gradient_norms[-1] > 0

    # The probe's answer is the fused model's, and its loss is the task's own.
    fused = _fused_answer(model, inputs)
    np.testing.assert_allclose(result.answer.output, fused.numpy(), atol=1e-5)
    assert np.isnan(result.losses[:-1]).all() and result.losses.shape == (steps,)
    if name == "adding":
        expected_loss = (float(fused[0]) - answer) ** 2
    else:
        expected_loss = -float(fused.double().log_softmax(dim=0)[answer])
    assert result.losses[-1] == pytest.approx(expected_loss, rel=1e-4, abs=1e-6)

    # The answer's dependence on each step's input: the answer's own step counts, none after.
    assert result.connectivity_position == steps - 1
    assert result.connectivity.shape == (steps,) and result.connectivity[-1] > 0
    assert (result.connectivity[marked] > 0).all()

    classes = len(task.spec.classes)
    assert result.guess_indices.shape == (steps, min(5, classes))
    assert result.guess_probabilities.shape == (steps, min(5, classes))
    if classes:
        assert np.all(np.diff(result.guess_probabilities, axis=1) <= 0)  # best first
        assert result.guess_indices[-1, 0] == int(fused.argmax())


def test_gradient_norms_are_those_autograd_gives_through_the_fused_model() -> None:
    """‖∂L/∂h_t‖ of the squared error at the answer, by a second route: the fused LSTM stepped
    one position at a time, so that each h_t is a tensor autograd can target."""
    task = find_task("adding", 20)
    model = _model(task, "lstm", seed=2, hidden_size=16, layers=1, embedding_size=8)
    result = probe_task(model, task, sequence_index=1)
    inputs, targets, _ = task_sequence(task, sequence_index=1)
    embedded = model.embed(torch.from_numpy(inputs))  # (1, T, E)
    state = model.initial_state(1)
    hidden_states = []
    for t in range(inputs.shape[1]):
        _, state = model.recurrent(embedded[:, t : t + 1], state)  # h_t, c_t: (1, 1, H)
        hidden_states.append(state[0])
    loss = (model.head(hidden_states[-1][0, 0])[0] - float(targets[0, -1])).square()
    gradients = torch.autograd.grad(loss, hidden_states)
    expected = np.array([gradient.norm().item() for gradient in gradients])
    np.testing.assert_allclose(result.layers[0].gradient_norms, expected, rtol=1e-4, atol=1e-9)


def test_the_gradient_of_the_answer_fades_to_nothing_in_a_fresh_vanilla_rnn() -> None:
    """At T = 50 the first marked value lies 25-50 steps back. A fresh vanilla RNN's gradient
    reaches it orders of magnitude smaller than at the answer; a fresh LSTM's (forget gate
    biased open) keeps it at least a hundred times stronger on the same sequences."""
    task = find_task("adding", 50)
    for index in range(3):
        fades = {}
        for cell in ("rnn", "lstm"):
            result = probe_task(_model(task, cell, seed=0, **TASK_MODEL_DEFAULTS), task, index)
            norms = result.layers[0].gradient_norms
            first = int(np.flatnonzero(result.marks)[0])
            assert first < 25 and norms[-1] > 0
            fades[cell] = norms[first] / norms[-1]
        assert 0 < fades["rnn"] < 1e-4
        assert fades["lstm"] > 100 * fades["rnn"]


def test_the_same_seed_and_index_give_the_same_sequence() -> None:
    task = find_task("adding", 30)
    model = _model(task, "gru")
    first, again = probe_task(model, task, 4, seed=1), probe_task(model, task, 4, seed=1)
    assert first.input_text == again.input_text
    np.testing.assert_array_equal(first.losses, again.losses)
    np.testing.assert_array_equal(first.marks, again.marks)
    same = task_sequence(task, 4, seed=1)[0]
    np.testing.assert_array_equal(same, task_sequence(task, 4, seed=1)[0])
    assert not np.array_equal(same, task_sequence(task, 5, seed=1)[0])  # another index
    assert not np.array_equal(same, task_sequence(task, 4, seed=2)[0])  # another seed
    assert probe_task(model, task, 5, seed=1).input_text != first.input_text
    with pytest.raises(ValueError, match="sequence index"):
        probe_task(model, task, -1)


def test_a_task_probe_leaves_the_models_gradients_alone() -> None:
    """The trainer reads its last step's gradients between steps; a probe must not add to them."""
    task = find_task("recall", 10)
    model = _model(task, "lstm")
    outputs, _ = model(torch.from_numpy(task_sequence(task, 7)[0]))
    outputs.square().sum().backward()  # as a training step leaves them
    before = [parameter.grad.clone() for parameter in model.parameters()]
    probe_task(model, task)
    for parameter, gradient in zip(model.parameters(), before):
        assert torch.equal(parameter.grad, gradient)


def test_the_answer_is_described_with_the_models_own() -> None:
    adding = find_task("adding", 10)
    result = probe_task(_model(adding, "lstm"), adding, 2)
    inputs, targets, marks = task_sequence(adding, 2)
    terms = inputs[0, marks[0], 0]
    given = float(result.answer.output[0])
    assert describe_answer(result) == (
        f"answer {targets[0, -1]:.2f} ({terms[0]:.2f} + {terms[1]:.2f}), model {given:.2f}"
    )
    order = find_task("order", 10)
    result = probe_task(_model(order, "gru"), order, 2)
    line = describe_answer(result)
    order_class = "(XX|XY|YX|YY)"
    pattern = rf"answer {order_class}, model {order_class} \((\d+) %(; \1 \d+ %)?\)"
    match = re.fullmatch(pattern, line)
    assert match, line
    right, chosen = match.group(1), match.group(2)
    assert (match.group(4) is None) == (right == chosen)  # the right one's share where missed
    probabilities = F.softmax(torch.from_numpy(result.answer.output).double(), dim=0)
    assert int(match.group(3)) == round(float(probabilities.max()) * 100)


def test_an_inspection_of_a_task_sequence() -> None:
    task = find_task("order", 15)
    model = _model(task, "lstm")
    inspection = inspect_task(model, task, step=9, sequence_index=1, group_grad_norms={"a": 1.0})
    assert inspection.step == 9 and inspection.group_grad_norms == {"a": 1.0}
    assert inspection.probe.task == "order" and inspection.probe.positions == 16
    assert len(inspection.spectral_norms) == 2 and all(v > 0 for v in inspection.spectral_norms)
    assert inspection.probe.input_text == probe_task(model, task, 1).input_text
    with pytest.raises(ValueError, match="does not fit the task recall"):
        inspect_task(model, find_task("recall", 15), step=0)
    with pytest.raises(ValueError, match="does not fit the task adding"):
        inspect_task(model, find_task("adding", 15), step=0)
