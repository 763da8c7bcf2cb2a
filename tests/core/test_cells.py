"""The explicit cell equations reproduce the fused modules the model trains on."""

import pytest
import torch

from rnnlab.core import cells
from rnnlab.core.cell_names import GATE_NAMES, STATE_NAMES
from rnnlab.core.config import CELL_TYPES, ModelConfig, count_parameters
from rnnlab.core.models import CharModel


def explicit_forward(model: CharModel, tokens: torch.Tensor, state):
    """Recompute every layer with cells.run_layer; returns last-layer outputs and final states."""
    inputs = model.embedding(tokens)
    finals: list[tuple[torch.Tensor, ...]] = []
    for layer in range(model.config.layers):
        layer_state = tuple(part[layer] for part in state)
        outputs, layer_final = cells.run_layer(model.layer_weights(layer), inputs, layer_state)
        inputs = torch.stack(outputs, dim=1)
        finals.append(layer_final)
    stacked = tuple(torch.stack(parts) for parts in zip(*finals))
    return inputs, stacked


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("cell", CELL_TYPES)
def test_explicit_equations_match_fused_modules(cell: str, layers: int) -> None:
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=11, cell=cell, hidden_size=24, layers=layers, embedding_size=16)
    model = CharModel(config).eval()
    tokens = torch.randint(0, 11, (3, 40))
    # A non-zero starting state, as in the middle of truncated BPTT.
    state = tuple(torch.randn_like(part) * 0.5 for part in model.initial_state(3))
    with torch.no_grad():
        logits, fused_state = model(tokens, state)
        outputs, explicit_state = explicit_forward(model, tokens, state)
        explicit_logits = model.head(outputs)
    assert (logits - explicit_logits).abs().max().item() <= 1e-5
    for name, fused, explicit in zip(STATE_NAMES[cell], fused_state, explicit_state):
        assert (fused - explicit).abs().max().item() <= 1e-5, name


def test_sru_matches_the_paper_equations_written_out() -> None:
    """SRU trains on cells.recur, so check it against the paper's formulas written out here."""
    torch.manual_seed(1)
    model = CharModel(
        ModelConfig(vocab_size=7, cell="sru", hidden_size=5, layers=1, embedding_size=3)
    )
    layer = model.sru_layers[0]
    x = torch.randn(2, 6, 3)
    c = torch.randn(2, 5)
    with torch.no_grad():
        outputs, _ = layer(x, c)
        w, w_f, w_r, w_skip = layer.weight.chunk(4, dim=0)
        for t in range(6):
            x_t = x[:, t]
            f = torch.sigmoid(x_t @ w_f.T + layer.forget_weight * c + layer.forget_bias)
            r = torch.sigmoid(x_t @ w_r.T + layer.reset_weight * c + layer.reset_bias)
            c = f * c + (1 - f) * (x_t @ w.T)
            h = r * c + (1 - r) * (x_t @ w_skip.T)
            assert torch.allclose(outputs[:, t], h, atol=1e-6)


def test_gates_are_in_their_ranges() -> None:
    torch.manual_seed(2)
    model = CharModel(ModelConfig(vocab_size=9, cell="lstm", hidden_size=8, layers=1))
    gates: dict[str, list[torch.Tensor]] = {}
    with torch.no_grad():
        cells.run_layer(
            model.layer_weights(0),
            model.embedding(torch.randint(0, 9, (1, 12))),
            tuple(p[0] for p in model.initial_state(1)),
            gates,
        )
    assert set(gates) == set(GATE_NAMES["lstm"])
    for name in ("i", "f", "o"):
        values = torch.stack(gates[name])
        assert values.min() >= 0 and values.max() <= 1
    assert torch.stack(gates["g"]).abs().max() <= 1


@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("embedding_size", [16, 32])
def test_parameter_count_formula_matches_the_model(cell: str, embedding_size: int) -> None:
    config = ModelConfig(
        vocab_size=30, cell=cell, hidden_size=32, layers=2, embedding_size=embedding_size
    )
    assert count_parameters(config) == CharModel(config).parameter_count()


def test_lstm_forget_gate_starts_open() -> None:
    model = CharModel(ModelConfig(vocab_size=5, cell="lstm", hidden_size=4, layers=2))
    weights = model.layer_weights(1)
    forget_bias = weights.b_ih[4:8] + weights.b_hh[4:8]
    assert torch.equal(forget_bias, torch.ones(4))
