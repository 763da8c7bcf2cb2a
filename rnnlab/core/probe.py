"""Probes: run a model over a short text with the explicit cell equations and keep everything.

A probe answers the lectures' questions on a live model: what each gate does at each character,
how the loss varies along the text, how the gradient of the last prediction fades (or explodes)
back through time, and which earlier characters a prediction depends on. Results are NumPy
copies, never views of live tensors, so they can cross to the window's thread.

Positions: a text of N characters gives T = N - 1 positions; position t reads ``text[t]`` and
predicts ``text[t + 1]``. ``recompute`` is the part a task sequence's probe shares
(``rnnlab.core.task_probe``).

Two ways to the same numbers. ``recompute`` is the fast one the window uses: the gates
vectorised over time (``probe_forward``) and the gradients by a backward pass written out
(``probe_backward``), with autograd only on the head. ``recompute_reference`` runs the explicit
cell equations step by step and asks autograd for every gradient: slower, and simple enough to
trust; ``tests/core/test_fast_probe.py`` holds the fast one to it.
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
from rnnlab.core.probe_backward import flushed_denormals, layer_backward
from rnnlab.core.probe_forward import LayerForward, layer_forward
from rnnlab.core.probe_result import MIN_PROBE_CHARS, TOP_GUESSES, LayerProbe, ProbeResult
from rnnlab.core.tokens import Tokenizer, unit_tokenizer
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
    vocabulary: Vocabulary | Tokenizer,
    text: str,
    connectivity_position: int | None = None,
    *,
    reference: bool = False,
    pieces: list[str] | None = None,
) -> ProbeResult:
    """Recompute every gate and state of ``model`` on ``text`` (without dropout), with gradients.

    ``connectivity_position`` (default: the last) picks which prediction's dependence on the
    earlier inputs is measured. Unknown characters raise ValueError from the vocabulary.
    ``reference``: compute it the slow, plain way (``recompute_reference``), for tests.
    ``pieces``: a word or BPE run's ``text`` already cut into its tokens (``text_pieces``), by a
    caller that needed them first.
    """
    if len(text) < MIN_PROBE_CHARS:
        raise ValueError("a probe text needs at least 2 characters")
    tokenizer = unit_tokenizer(vocabulary)
    if tokenizer is None:
        encoded, pieces = vocabulary.encode(text), None
    else:  # a word or BPE run reads the text in its pieces
        pieces = tokenizer.pieces(text) if pieces is None else pieces
        if len(pieces) < 2:
            raise ValueError(f"a probe text needs at least 2 tokens; {text!r} is one")
        encoded = tokenizer.codes_of(pieces)
    device = next(model.parameters()).device
    codes = torch.from_numpy(encoded.astype(np.int64)).to(device)
    inputs, targets = codes[:-1].unsqueeze(0), codes[1:]  # (1, T), (T,)
    steps = targets.shape[0]
    position = steps - 1 if connectivity_position is None else connectivity_position
    if not 0 <= position < steps:
        raise ValueError(f"connectivity position must be in [0, {steps - 1}], got {position}")

    def losses_of(logits: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, targets, reduction="none")

    recomputed = (recompute_reference if reference else recompute)(
        model, inputs, losses_of, position
    )
    guess_indices, guess_probabilities = top_guesses(recomputed.outputs)
    if pieces is not None:  # the text as the tokens read and the tokens predicted spell it
        input_text, target_text = "".join(pieces[:-1]), "".join(pieces[1:])
    else:
        input_text, target_text = text[:-1], text[1:]
    return ProbeResult(
        cell=model.config.cell,
        input_text=input_text,
        target_text=target_text,
        tokens=tuple(pieces or ()),
        token_list=tokenizer.tokens if tokenizer is not None else (),
        layers=recomputed.layers,
        losses=recomputed.losses,
        connectivity_position=position,
        connectivity=recomputed.connectivity,
        guess_indices=guess_indices,
        guess_probabilities=guess_probabilities,
    )


def text_pieces(vocabulary: Vocabulary | Tokenizer, text: str) -> list[str] | None:
    """The text cut into a word or BPE unit's tokens; None for characters (one a position)."""
    tokenizer = unit_tokenizer(vocabulary)
    return None if tokenizer is None else tokenizer.pieces(text)


def recompute(
    model: CharModel,
    inputs: torch.Tensor,
    losses_of: LossesOf,
    connectivity_position: int,
) -> Recomputation:
    """Run one sequence through ``model`` from a zero state, keeping every gate and gradient.

    ``inputs``: (1, T) symbol codes, or a numeric model's (1, T, D) numbers, on the model's
    device. The gradient norms are ‖∂L/∂h_t‖ for L the last position's loss; the connectivity
    differentiates the loss at ``connectivity_position`` (which must lie in [0, T)).
    """
    steps = inputs.shape[1]
    with torch.no_grad():
        layer_input = _embed_detached(model, inputs)[0]  # (T, E)
        forwards: list[LayerForward] = []
        for layer in range(model.config.layers):
            forwards.append(layer_forward(model.layer_weights(layer), layer_input))
            layer_input = forwards[-1].outputs  # (T, H)
    # Autograd on the head alone: ∂L/∂h_t of the top layer for L the loss at one position.
    with torch.enable_grad():
        top = layer_input.detach().requires_grad_(True)
        head = F.linear(top, model.head.weight.detach(), model.head.bias.detach())  # (T, K)
        losses = losses_of(head)
        same_position = connectivity_position == steps - 1
        (last,) = torch.autograd.grad(losses[-1], top, retain_graph=not same_position)
        if same_position:
            chosen = last
        else:
            (chosen,) = torch.autograd.grad(losses[connectivity_position], top)
    with flushed_denormals():
        totals, upstream = [], _to_numpy(last)
        for forward in reversed(forwards):
            total, upstream = layer_backward(forward, upstream)
            totals.append(total)
        if not same_position:
            upstream = _to_numpy(chosen)
            for forward in reversed(forwards):
                upstream = layer_backward(forward, upstream)[1]
    # Norms in float64, outside the flushed mode: squares of small gradients stay exact.
    layers = tuple(
        LayerProbe(gates=forward.gates, gradient_norms=_numpy_norms(total))
        for forward, total in zip(forwards, reversed(totals))
    )
    return Recomputation(
        layers=layers,
        outputs=head.detach(),
        losses=_to_numpy(losses),
        connectivity=_numpy_norms(upstream),
    )


def recompute_reference(
    model: CharModel,
    inputs: torch.Tensor,
    losses_of: LossesOf,
    connectivity_position: int,
) -> Recomputation:
    """``recompute`` the plain way: the explicit cell equations step by step, and autograd
    through them for every gradient."""
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
    # In float64: the squares of a fading gradient underflow float32 below a norm of 1e-19.
    return torch.cat(rows).to(torch.float64).norm(dim=-1).cpu().numpy().copy()


def _numpy_norms(rows: np.ndarray) -> np.ndarray:
    """(T, W) -> (T,) Euclidean norms in float64."""
    return np.linalg.norm(rows.astype(np.float64), axis=1)


def _to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A NumPy copy (never a view of a tensor the trainer may update)."""
    return tensor.detach().to("cpu", torch.float32).numpy().copy()
