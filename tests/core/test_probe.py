"""Probes: every gate per layer, losses, gradients back through time, connectivity."""

import numpy as np
import pytest
import torch
from engine_helpers import fast_training, tiny_model
from torch.nn import functional as F

from rnnlab.core.cell_names import GATE_NAMES
from rnnlab.core.config import CELL_TYPES
from rnnlab.core.models import CharModel
from rnnlab.core.probe import probe
from rnnlab.core.trainer import new_trainer

TEXT = "First Citizen:\nBefore we proceed any further, hear me speak."


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_probe_shapes_and_values(shakespeare, cell: str) -> None:
    torch.manual_seed(0)
    model = CharModel(tiny_model(shakespeare, cell, layers=2))
    result = probe(model, shakespeare.vocabulary, TEXT)
    steps = len(TEXT) - 1
    assert result.input_text == TEXT[:-1] and result.target_text == TEXT[1:]
    assert len(result.layers) == 2
    for layer in result.layers:
        assert tuple(layer.gates) == GATE_NAMES[cell]
        for values in layer.gates.values():
            assert values.shape == (steps, 32) and np.isfinite(values).all()
        assert layer.gradient_norms.shape == (steps,)
        assert np.isfinite(layer.gradient_norms).all() and layer.gradient_norms[-1] > 0
    assert result.losses.shape == (steps,) and (result.losses > 0).all()
    assert result.guess_indices.shape == (steps, 5)
    assert np.all(np.diff(result.guess_probabilities, axis=1) <= 0)  # best first


def test_probe_matches_the_fused_model(trained_shakespeare, shakespeare) -> None:
    model = trained_shakespeare.model
    result = probe(model, shakespeare.vocabulary, TEXT)
    codes = torch.from_numpy(shakespeare.vocabulary.encode(TEXT).astype(np.int64))
    model.eval()
    with torch.no_grad():
        logits, _ = model(codes[:-1].unsqueeze(0))
    model.train()
    losses = F.cross_entropy(logits[0], codes[1:], reduction="none").numpy()
    np.testing.assert_allclose(result.losses, losses, atol=1e-5)


def test_gradient_norms_are_those_autograd_gives_through_the_fused_model(shakespeare) -> None:
    """‖∂L/∂h_t‖ by a second route: perturb nothing, differentiate the fused model's output."""
    torch.manual_seed(3)
    model = CharModel(tiny_model(shakespeare, "gru", layers=1)).eval()
    result = probe(model, shakespeare.vocabulary, TEXT)
    codes = torch.from_numpy(shakespeare.vocabulary.encode(TEXT).astype(np.int64))
    # Run the fused module one step at a time so each h_t is a tensor autograd can target.
    state = model.initial_state(1)[0]
    hidden_states, embedded = [], model.embedding(codes[:-1].unsqueeze(0))
    for t in range(len(TEXT) - 1):
        _, state = model.recurrent(embedded[:, t : t + 1], state)  # state: h_t, (1, 1, H)
        hidden_states.append(state)
    last = F.cross_entropy(model.head(hidden_states[-1][0]), codes[-1:])
    gradients = torch.autograd.grad(last, hidden_states)
    expected = np.array([g.norm().item() for g in gradients])
    np.testing.assert_allclose(result.layers[0].gradient_norms, expected, rtol=1e-4, atol=1e-9)


def test_connectivity_covers_only_earlier_inputs(trained_shakespeare, shakespeare) -> None:
    result = probe(
        trained_shakespeare.model, shakespeare.vocabulary, TEXT, connectivity_position=20
    )
    assert result.connectivity_position == 20
    assert (result.connectivity[21:] == 0).all()
    assert (result.connectivity[:21] > 0).all()
    assert (
        result.connectivity[20] > result.connectivity[:10].mean()
    )  # the nearest input matters most


def test_probe_returns_copies_not_views_of_live_tensors(shakespeare) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare), fast_training())
    result = probe(trainer.model, shakespeare.vocabulary, TEXT)
    saved = {name: values.copy() for name, values in result.layers[0].gates.items()}
    list(trainer.run(max_steps=3))  # the weights change in place
    for name, values in result.layers[0].gates.items():
        assert (
            values.flags.owndata or values.base is None or not isinstance(values.base, torch.Tensor)
        )
        np.testing.assert_array_equal(values, saved[name])


def test_lstm_gradient_fades_less_than_vanilla_rnn_gradient_after_training(shakespeare) -> None:
    """The vanishing-gradient picture: same steps, same seed, same clipping."""
    ratios = {}
    text = shakespeare.text[-120:]
    for cell in ("rnn", "lstm"):
        trainer = new_trainer(
            shakespeare, tiny_model(shakespeare, cell, hidden_size=48), fast_training()
        )
        list(trainer.run(max_steps=100))
        norms = probe(trainer.model, shakespeare.vocabulary, text).layers[0].gradient_norms
        ratios[cell] = norms[-51] / norms[-1]
    assert ratios["rnn"] < ratios["lstm"]


def test_bad_probe_texts_are_refused(shakespeare) -> None:
    model = CharModel(tiny_model(shakespeare))
    with pytest.raises(ValueError, match="at least 2 characters"):
        probe(model, shakespeare.vocabulary, "a")
    with pytest.raises(ValueError, match="connectivity position"):
        probe(model, shakespeare.vocabulary, "abc", connectivity_position=5)


def test_group_gradient_norms_make_up_the_global_norm(shakespeare) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare, "gru", layers=2), fast_training())
    assert trainer.group_grad_norms() == {}
    (report,) = [r for r in trainer.run(max_steps=1) if hasattr(r, "grad_norm")]
    groups = trainer.group_grad_norms()
    assert list(groups) == [
        "embedding", "layer 1 input", "layer 1 recurrent", "layer 2 input", "layer 2 recurrent",
        "output",
    ]  # fmt: skip
    total = np.sqrt(sum(value**2 for value in groups.values()))
    assert total == pytest.approx(report.grad_norm, rel=1e-5)


@pytest.mark.parametrize("cell", ["lstm", "rnn", "sru"])
def test_inspection_measures_the_recurrent_matrices(shakespeare, cell: str) -> None:
    from rnnlab.core.inspection import inspect

    torch.manual_seed(1)
    model = CharModel(tiny_model(shakespeare, cell, layers=2))
    inspection = inspect(model, shakespeare.vocabulary, TEXT, step=7)
    assert inspection.step == 7 and inspection.probe.input_text == TEXT[:-1]
    matrices = model.recurrent_matrices()
    expected = [torch.linalg.matrix_norm(m.detach(), ord=2).item() for m in matrices]
    np.testing.assert_allclose(inspection.spectral_norms, expected, rtol=1e-5)
    assert len(inspection.spectral_norms) == (0 if cell == "sru" else 2)


def test_inspection_refuses_texts_it_cannot_probe(shakespeare) -> None:
    from rnnlab.core.inspection import inspect

    model = CharModel(tiny_model(shakespeare))
    with pytest.raises(ValueError, match="does not know: '☃'"):
        inspect(model, shakespeare.vocabulary, "snow ☃ man", step=0)
    with pytest.raises(ValueError, match="at most 512"):
        inspect(model, shakespeare.vocabulary, "a" * 513, step=0)
    # A connectivity position beyond a shortened text falls back to the last position.
    inspection = inspect(model, shakespeare.vocabulary, "abcd", step=0, connectivity_position=50)
    assert inspection.probe.connectivity_position == 2
