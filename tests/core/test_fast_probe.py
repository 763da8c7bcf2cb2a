"""The fast probe (gates vectorised over time, the backward pass written out) gives the numbers of
the reference probe (the cell equations step by step, autograd through them): every cell, one
and two layers, untrained and trained weights, on text and on a task sequence."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab.core.config import ModelConfig
from rnnlab.core.models import CharModel
from rnnlab.core.probe import probe
from rnnlab.core.probe_agreement import (
    NOISE,
    UNDERFLOW,
    comparable,
    max_relative_error,
    relative_errors,
)
from rnnlab.core.probe_result import ProbeResult
from rnnlab.core.task_probe import probe_task
from rnnlab.core.tasks import find_task

CELLS = ("rnn", "lstm", "gru", "sru")
TOLERANCE = 1e-3  # the largest relative error allowed where float32 can tell (probe_agreement)


@pytest.fixture(autouse=True)
def one_thread():
    """Two torch threads collapse on a 2-core machine with anything else running."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _relative_errors(fast: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Relative errors where float32 can tell; elsewhere both must be small."""
    floor = max(UNDERFLOW, NOISE * float(reference.max(initial=0.0)))
    assert np.all(fast[~comparable(reference)] <= 10 * floor), (
        "a norm below the floor came back large"
    )
    return relative_errors(fast, reference)


def _assert_same(fast: ProbeResult, reference: ProbeResult) -> float:
    """The two agree; their largest relative error in a gradient norm."""
    assert fast.input_text == reference.input_text
    np.testing.assert_allclose(fast.losses, reference.losses, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(fast.guess_indices, reference.guess_indices)
    worst = 0.0
    for fast_layer, reference_layer in zip(fast.layers, reference.layers, strict=True):
        assert fast_layer.gates.keys() == reference_layer.gates.keys()
        for name, values in reference_layer.gates.items():
            assert fast_layer.gates[name].dtype == np.float32
            np.testing.assert_allclose(fast_layer.gates[name], values, rtol=1e-4, atol=1e-5)
        errors = _relative_errors(fast_layer.gradient_norms, reference_layer.gradient_norms)
        worst = max(worst, float(errors.max(initial=0.0)))
    errors = _relative_errors(fast.connectivity, reference.connectivity)
    worst = max(worst, float(errors.max(initial=0.0)))
    assert worst == max_relative_error(fast, reference) <= TOLERANCE
    return worst


def _model(vocab_size: int, cell: str, layers: int) -> CharModel:
    torch.manual_seed(3)
    config = ModelConfig(vocab_size, cell=cell, hidden_size=32, layers=layers, embedding_size=12)
    return CharModel(config)


def _trained(model: CharModel, shakespeare, steps: int = 25) -> CharModel:
    """Some Adam steps on the text: trained weights are larger and less symmetric."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    text = shakespeare.text[:2049]
    codes = torch.from_numpy(shakespeare.vocabulary.encode(text).astype(np.int64))
    inputs, targets = codes[:-1].view(8, 256), codes[1:].view(8, 256)
    for _ in range(steps):
        logits, _ = model(inputs, model.initial_state(8))
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("cell", CELLS)
def test_fast_probe_equals_the_reference_on_text(shakespeare, cell: str, layers: int) -> None:
    vocabulary = shakespeare.vocabulary
    text = shakespeare.text[1000:1200]
    model = _model(len(vocabulary), cell, layers)
    for weights in ("untrained", "trained"):
        if weights == "trained":
            model = _trained(model, shakespeare)
        for position in (None, 57):  # the connectivity of the last prediction, and of another
            fast = probe(model, vocabulary, text, position)
            reference = probe(model, vocabulary, text, position, reference=True)
            _assert_same(fast, reference)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("name", ["adding", "recall"])
def test_fast_probe_equals_the_reference_on_a_task(name: str, cell: str) -> None:
    task = find_task(name, 30)
    config = ModelConfig(**task.model_shape(), cell=cell, hidden_size=24, layers=2,
                         embedding_size=8)  # fmt: skip
    torch.manual_seed(5)
    model = CharModel(config)
    fast = probe_task(model, task, sequence_index=2)
    reference = probe_task(model, task, sequence_index=2, reference=True)
    _assert_same(fast, reference)
    assert fast.answer is not None and reference.answer is not None
    np.testing.assert_allclose(fast.answer.output, reference.answer.output, rtol=1e-5, atol=1e-6)


def test_a_gradient_too_small_for_float32_reads_zero_not_garbage(shakespeare) -> None:
    """A vanilla RNN's gradient fades below float32's range within a long text: the fast probe
    shows those steps as 0 where the reference may keep denormal crumbs, and agrees elsewhere."""
    model = _model(len(shakespeare.vocabulary), "rnn", 1)
    with torch.no_grad():
        model.layer_weights(0).w_hh.mul_(0.2)  # a strongly contracting recurrence
    text = shakespeare.text[:400]
    fast = probe(model, shakespeare.vocabulary, text)
    reference = probe(model, shakespeare.vocabulary, text, reference=True)
    norms = fast.layers[0].gradient_norms
    assert norms[0] == 0.0 and norms[-1] > 0.01  # faded to nothing far back
    _assert_same(fast, reference)
