"""Probes: run a model over a short text with the explicit cell equations and keep everything.

A probe answers the lectures' questions on a live model: what each gate does at each character,
how the loss varies along the text, how the gradient of the last prediction fades (or explodes)
back through time, and which earlier characters a prediction depends on. Results are NumPy
copies, never views of live tensors, so they can cross to the window's thread.

Positions: a text of N characters gives T = N - 1 positions; position t reads ``text[t]`` and
predicts ``text[t + 1]``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from rnnlab.core import cells
from rnnlab.core.cell_names import STATE_NAMES
from rnnlab.core.models import CharModel
from rnnlab.core.probe_result import MIN_PROBE_CHARS, TOP_GUESSES, LayerProbe, ProbeResult
from rnnlab.core.vocabulary import Vocabulary


def probe(
    model: CharModel,
    vocabulary: Vocabulary,
    text: str,
    connectivity_position: int | None = None,
) -> ProbeResult:
    """Recompute every gate and state of ``model`` on ``text`` (without dropout), with gradients.

    ``connectivity_position`` (default: the last) picks which prediction's dependence on the
    earlier inputs is measured. Unknown characters raise ValueError from the vocabulary.
    """
    if len(text) < MIN_PROBE_CHARS:
        raise ValueError("a probe text needs at least 2 characters")
    config = model.config
    device = next(model.parameters()).device
    codes = torch.from_numpy(vocabulary.encode(text).astype(np.int64)).to(device)
    inputs, targets = codes[:-1].unsqueeze(0), codes[1:]  # (1, T), (T,)
    steps = targets.shape[0]
    position = steps - 1 if connectivity_position is None else connectivity_position
    if not 0 <= position < steps:
        raise ValueError(f"connectivity position must be in [0, {steps - 1}], got {position}")

    # Detached weights: autograd then only builds the paths through activations we ask about.
    embedded = F.embedding(inputs, model.embedding.weight.detach()).requires_grad_(True)
    layer_input = embedded  # (1, T, D)
    all_gates: list[dict[str, list[torch.Tensor]]] = []
    all_outputs: list[list[torch.Tensor]] = []
    with torch.enable_grad():
        for layer in range(config.layers):
            weights = model.layer_weights(layer).detached()
            zero = torch.zeros(1, config.hidden_size, device=device)
            state = tuple(zero for _ in STATE_NAMES[config.cell])
            gates: dict[str, list[torch.Tensor]] = {}
            outputs, _ = cells.run_layer(weights, layer_input, state, gates)
            all_gates.append(gates)
            all_outputs.append(outputs)
            layer_input = torch.stack(outputs, dim=1)
        logits = F.linear(layer_input[0], model.head.weight.detach(), model.head.bias.detach())
        losses = F.cross_entropy(logits, targets, reduction="none")  # (T,)

        hidden_states = [h for outputs in all_outputs for h in outputs]
        same_position = position == steps - 1
        gradients = torch.autograd.grad(
            losses[-1],
            [*hidden_states, embedded],
            retain_graph=not same_position,
            allow_unused=True,
        )
        embedding_gradient = gradients[-1]
        if not same_position:
            (embedding_gradient,) = torch.autograd.grad(losses[position], [embedded])

    layers = []
    for layer, gates in enumerate(all_gates):
        layer_gradients = gradients[layer * steps : (layer + 1) * steps]
        layers.append(
            LayerProbe(
                gates={name: _to_numpy(torch.cat(values)) for name, values in gates.items()},
                gradient_norms=_row_norms(layer_gradients, config.hidden_size, device),
            )
        )
    probabilities = logits.detach().softmax(dim=-1)
    top = probabilities.topk(min(TOP_GUESSES, probabilities.shape[-1]), dim=-1)
    connectivity = _row_norms([embedding_gradient[0]], config.embedding_size, device)
    return ProbeResult(
        cell=config.cell,
        input_text=text[:-1],
        target_text=text[1:],
        layers=tuple(layers),
        losses=_to_numpy(losses),
        connectivity_position=position,
        connectivity=connectivity,
        guess_indices=top.indices.cpu().numpy().astype(np.int64),
        guess_probabilities=_to_numpy(top.values),
    )


def _row_norms(
    gradients: tuple[torch.Tensor | None, ...] | list[torch.Tensor | None],
    width: int,
    device: torch.device,
) -> np.ndarray:
    """Euclidean norm of each row of the stacked (rows, width) gradients, as float64."""
    # None means the value cannot reach the loss: its gradient is zero.
    rows = [
        g.reshape(-1, width) if g is not None else torch.zeros(1, width, device=device)
        for g in gradients
    ]
    return torch.cat(rows).norm(dim=-1).to("cpu", torch.float64).numpy().copy()


def _to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A NumPy copy (never a view of a tensor the trainer may update)."""
    return tensor.detach().to("cpu", torch.float32).numpy().copy()
