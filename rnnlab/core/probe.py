"""Probes: run a model over a short text with the explicit cell equations and keep everything.

A probe answers the lectures' questions on a live model: what each gate does at each character,
how the loss varies along the text, how the gradient of the last prediction fades (or explodes)
back through time, and which earlier characters a prediction depends on. Results are NumPy
copies, never views of live tensors, so they can cross to the window's thread.

Positions: a text of N characters gives T = N - 1 positions; position t reads ``text[t]`` and
predicts ``text[t + 1]``. ``recompute`` is the part a task sequence's probe shares
(``rnnlab.core.task_probe``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from rnnlab.core import cells
from rnnlab.core.cell_names import STATE_NAMES
from rnnlab.core.models import CharModel
from rnnlab.core.probe_result import MIN_PROBE_CHARS, TOP_GUESSES, LayerProbe, ProbeResult
from rnnlab.core.vocabulary import Vocabulary

# The head's outputs (T, K) -> the loss at each position (T,); the gradients follow its last.
LossesOf = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Recomputation:
    """One sequence run through the explicit cell equations, with its gradients."""

    layers: tuple[LayerProbe, ...]
    outputs: torch.Tensor  # (T, K) the head's outputs, detached
    losses: np.ndarray  # (T,) float32, as ``losses_of`` gave them
    connectivity: np.ndarray  # (T,) ‖∂L_p/∂x_t‖ w.r.t. the input layer's outputs; zero after p


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
    device = next(model.parameters()).device
    codes = torch.from_numpy(vocabulary.encode(text).astype(np.int64)).to(device)
    inputs, targets = codes[:-1].unsqueeze(0), codes[1:]  # (1, T), (T,)
    steps = targets.shape[0]
    position = steps - 1 if connectivity_position is None else connectivity_position
    if not 0 <= position < steps:
        raise ValueError(f"connectivity position must be in [0, {steps - 1}], got {position}")

    def losses_of(logits: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, targets, reduction="none")

    recomputed = recompute(model, inputs, losses_of, position)
    guess_indices, guess_probabilities = top_guesses(recomputed.outputs)
    return ProbeResult(
        cell=model.config.cell,
        input_text=text[:-1],
        target_text=text[1:],
        layers=recomputed.layers,
        losses=recomputed.losses,
        connectivity_position=position,
        connectivity=recomputed.connectivity,
        guess_indices=guess_indices,
        guess_probabilities=guess_probabilities,
    )


def recompute(
    model: CharModel,
    inputs: torch.Tensor,
    losses_of: LossesOf,
    connectivity_position: int,
) -> Recomputation:
    """Run one sequence through ``model``'s explicit cell equations from a zero state.

    ``inputs``: (1, T) symbol codes, or a numeric model's (1, T, D) numbers, on the model's
    device. The gradient norms are ‖∂L/∂h_t‖ for L the last position's loss; the connectivity
    differentiates the loss at ``connectivity_position`` (which must lie in [0, T)).
    """
    config = model.config
    device = inputs.device
    steps = inputs.shape[1]
    position = connectivity_position

    # Detached weights: autograd then only builds the paths through activations we ask about.
    embedded = _embed_detached(model, inputs).requires_grad_(True)  # (1, T, E)
    layer_input = embedded
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
        head = F.linear(layer_input[0], model.head.weight.detach(), model.head.bias.detach())
        losses = losses_of(head)  # (T,)

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
    connectivity = _row_norms([embedding_gradient], config.embedding_size, device)
    return Recomputation(
        layers=tuple(layers),
        outputs=head.detach(),
        losses=_to_numpy(losses),
        connectivity=connectivity,
    )


def top_guesses(logits: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The likeliest classes at each position, best first: logits (T, K) -> indices (T, k) int64
    and their probabilities (T, k) float32, k = min(TOP_GUESSES, K)."""
    probabilities = logits.detach().softmax(dim=-1)
    top = probabilities.topk(min(TOP_GUESSES, probabilities.shape[-1]), dim=-1)
    return top.indices.cpu().numpy().astype(np.int64), _to_numpy(top.values)


def _embed_detached(model: CharModel, inputs: torch.Tensor) -> torch.Tensor:
    """``model.embed`` on detached weights: codes (1, T) or numbers (1, T, D) -> (1, T, E)."""
    if model.config.input_size:
        layer = model.input_layer
        return F.linear(inputs, layer.weight.detach(), layer.bias.detach())
    return F.embedding(inputs, model.embedding.weight.detach())


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
