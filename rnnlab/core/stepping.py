"""One character at a time, fast: the cell equations stepped in NumPy, for sampling.

Sampling runs at batch 1, where each step is a few small matrix-vector products and a dozen
element-wise operations on vectors of a few hundred numbers. PyTorch spends more time dispatching
such tiny operations than computing them (measured at 2 x 256 LSTM, one thread: 1,850 chars/s
with ``cells.recur``, 3,150 with ``torch.lstm_cell``, 6,300 with this module). So the sampler
copies the weights into NumPy once and steps here. The equations are those of
``rnnlab.core.cells`` (the readable reference); ``tests/core/test_sampling.py`` pins the logits
of this module to the fused model's.

Two rearrangements save work without changing the maths:
- the first layer's input projection of every character is precomputed, (V, k*H), so a step
  starts with a row lookup;
- LSTM gate rows are reordered from PyTorch's (i, f, g, o) to (i, f, o, g), so the three sigmoid
  gates are one contiguous slice.

Arrays: float32, states per layer as lists of (B, H) arrays; logits come back as float64.
A 2 x 512 LSTM is bound by memory bandwidth: its 12 MB of weights do not fit an 8 MB cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rnnlab.core.cell_names import STATE_NAMES

if TYPE_CHECKING:  # no torch at import time: the window samples without loading it
    import torch

    from rnnlab.core import cells
    from rnnlab.core.models import CharModel

LayerStates = list[list[np.ndarray]]


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    """A float32 NumPy copy, never a view of a tensor the trainer may update."""
    return tensor.detach().cpu().float().numpy().copy()


def _sigmoid(values: np.ndarray) -> np.ndarray:
    # σ(x) = (1 + tanh(x / 2)) / 2: no overflow for large |x|, and in place after the tanh.
    return _sigmoid_of_halves(values * 0.5)


def _sigmoid_of_halves(halves: np.ndarray) -> np.ndarray:
    """σ(2y) for y = ``halves``, computed in place: for gate rows whose weights were halved."""
    np.tanh(halves, out=halves)
    halves *= 0.5
    halves += 0.5
    return halves


def _times(matrix: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """rows (B, D) times matrix (K, D) transposed -> (B, K).

    Written as (matrix @ rows.T).T: for one row NumPy then takes its matrix-vector path, measured
    1.7x faster than ``rows @ matrix.T`` at 1024 x 512.
    """
    return (matrix @ rows.T).T


class _Layer:
    """One layer's weights in NumPy, with its step. Built once from the model, never changed."""

    def __init__(self, weights: cells.LayerWeights, first_inputs: torch.Tensor | None) -> None:
        cell, hidden = weights.cell, weights.hidden_size
        self.cell, self.hidden = cell, hidden
        self.state_count = len(STATE_NAMES[cell])  # (h, c) or one of h / c
        w_ih = _numpy(weights.w_ih)  # (k*H, D)
        b_ih = _numpy(weights.b_ih) if weights.b_ih is not None else np.zeros(len(w_ih), np.float32)
        # [W_ih | W_hh], when the input and recurrent parts simply add
        self.w_cat: np.ndarray | None = None
        if cell == "sru":
            v_f, v_r, b_f, b_r = weights.v_f, weights.v_r, weights.b_f, weights.b_r
            # SRU weights always carry these four (SRULayer.layer_weights).
            assert v_f is not None and v_r is not None and b_f is not None and b_r is not None
            self.v_f, self.v_r = _numpy(v_f), _numpy(v_r)
            self.b_f, self.b_r = _numpy(b_f), _numpy(b_r)
            self.skip_is_input = w_ih.shape[0] == 3 * hidden  # highway term is x itself
        else:
            # Fused cells always carry both (cells.fused_layer_weights; the modules have biases).
            assert weights.w_hh is not None and weights.b_hh is not None
            w_hh, b_hh = _numpy(weights.w_hh), _numpy(weights.b_hh)
            if cell == "lstm":  # (i, f, g, o) -> (i, f, o, g)
                order = np.r_[0 : 2 * hidden, 3 * hidden : 4 * hidden, 2 * hidden : 3 * hidden]
                w_ih, b_ih, w_hh, b_hh = w_ih[order], b_ih[order], w_hh[order], b_hh[order]
                # Halve the sigmoid rows: σ(x) = (1 + tanh(x/2)) / 2 then needs no x/2 per step.
                for array in (w_ih, b_ih, w_hh, b_hh):
                    array[: 3 * hidden] *= 0.5
            if cell != "gru":  # GRU needs b_hh inside r ⊙ (W_hn h + b_hn); the others just add
                b_ih, b_hh = b_ih + b_hh, np.zeros_like(b_hh)
                if first_inputs is None:
                    self.w_cat = np.ascontiguousarray(np.hstack((w_ih, w_hh)))  # (k*H, D+H)
            # (k*H, H), read by step() only where it is not already part of w_cat
            self.w_hh = np.ascontiguousarray(w_hh) if self.w_cat is None else None
            self.b_hh = b_hh
        self.b_ih = b_ih
        # For the first layer: every character's input projection, (V, k*H).
        self.table: np.ndarray | None = None
        if first_inputs is not None:
            self.table = _times(np.ascontiguousarray(w_ih), _numpy(first_inputs)) + b_ih
        # (k*H, D), read by step() only when neither w_cat nor the table holds it: a snapshot
        # keeps one copy of the weights, not two.
        needed = self.w_cat is None and self.table is None
        self.w_ih = np.ascontiguousarray(w_ih) if needed else None

    def step(
        self, inputs: np.ndarray, state: list[np.ndarray], codes: np.ndarray | None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """inputs (B, D) and state -> output (B, H), new state. For the first layer ``codes``
        (B,) pick the precomputed input projections."""
        hidden = self.hidden
        if self.w_cat is not None:  # input and recurrent parts in one product
            gates = _times(self.w_cat, np.concatenate((inputs, state[0]), axis=1)) + self.b_ih
        elif codes is not None:
            # Codes come only to the first layer, which always has the table (from_model).
            assert self.table is not None
            gates = self.table[codes]
        else:
            # A later layer without w_cat: the table is the first layer's only, so w_ih was kept.
            assert self.w_ih is not None
            gates = _times(self.w_ih, inputs) + self.b_ih
        if self.cell == "lstm":
            h, c = state
            if self.w_hh is not None:  # kept exactly when w_cat is None, i.e. not yet added
                gates = gates + _times(self.w_hh, h)
            # gates is a fresh array: compute in place. Rows i, f, o hold half their values.
            sig = _sigmoid_of_halves(gates[:, : 3 * hidden])  # i, f, o
            candidate = np.tanh(gates[:, 3 * hidden :], out=gates[:, 3 * hidden :])  # g
            c = sig[:, hidden : 2 * hidden] * c
            c += sig[:, :hidden] * candidate  # c_t = f ⊙ c_{t-1} + i ⊙ g
            h = sig[:, 2 * hidden :] * np.tanh(c)
            return h, [h, c]
        if self.cell == "gru":
            (h,) = state
            assert self.w_hh is not None  # GRU never has w_cat (b_hh sits inside r ⊙ ...)
            recurrent = _times(self.w_hh, h) + self.b_hh
            reset_update = _sigmoid(gates[:, : 2 * hidden] + recurrent[:, : 2 * hidden])
            r, z = reset_update[:, :hidden], reset_update[:, hidden:]
            n = np.tanh(gates[:, 2 * hidden :] + r * recurrent[:, 2 * hidden :])
            h = n + z * (h - n)  # (1 - z) ⊙ n + z ⊙ h
            return h, [h]
        if self.cell in ("rnn", "rnn-relu"):
            (h,) = state
            if self.w_hh is not None:  # kept exactly when w_cat is None, i.e. not yet added
                gates = gates + _times(self.w_hh, h)
            h = np.tanh(gates) if self.cell == "rnn" else np.maximum(gates, 0.0)
            return h, [h]
        (c,) = state  # SRU
        candidate = gates[:, :hidden]
        f = _sigmoid(gates[:, hidden : 2 * hidden] + self.v_f * c + self.b_f)
        r = _sigmoid(gates[:, 2 * hidden : 3 * hidden] + self.v_r * c + self.b_r)
        skip = inputs if self.skip_is_input else gates[:, 3 * hidden :]
        c = candidate + f * (c - candidate)  # f ⊙ c + (1 - f) ⊙ candidate
        return skip + r * (c - skip), [c]  # r ⊙ c + (1 - r) ⊙ x


class NumpyStepper:
    """A NumPy copy of a model's weights that steps one character at a time (any batch size).

    It holds only NumPy arrays, so it may cross from the training thread to the window: build it
    with ``from_model`` where the model lives, then sample anywhere. It is never modified.
    """

    def __init__(
        self, layers: list[_Layer], embedding: np.ndarray, head: np.ndarray, head_bias: np.ndarray
    ) -> None:
        self.layers = layers
        self.embedding = embedding  # (V, E)
        self.head = head  # (V, H)
        self.head_bias = head_bias  # (V,)
        self.no_input = np.empty((0, 0), np.float32)

    @classmethod
    def from_model(cls, model: CharModel) -> NumpyStepper:
        """Copy ``model``'s weights (call this in the thread that trains the model)."""
        embedding = model.embedding.weight
        layers = [
            _Layer(model.layer_weights(layer), embedding if layer == 0 else None)
            for layer in range(model.config.layers)
        ]
        return cls(layers, _numpy(embedding), _numpy(model.head.weight), _numpy(model.head.bias))

    @property
    def vocab_size(self) -> int:
        return len(self.head_bias)

    def initial_states(self, batch_size: int) -> LayerStates:
        """Zero states: per layer, (h, c) for LSTM, h for RNN and GRU, c for SRU; each (B, H)."""
        return [
            [np.zeros((batch_size, layer.hidden), np.float32) for _ in range(layer.state_count)]
            for layer in self.layers
        ]

    def step(self, codes: np.ndarray, states: LayerStates) -> tuple[np.ndarray, LayerStates]:
        """codes (B,) -> logits (B, V) float64 and the new states."""
        # The first layer reads its input projection from its table; only SRU's highway term
        # needs the embedding itself.
        x = self.embedding[codes] if self.layers[0].cell == "sru" else self.no_input
        new_states = []
        for index, layer in enumerate(self.layers):
            x, state = layer.step(x, states[index], codes if index == 0 else None)
            new_states.append(state)
        logits = _times(self.head, x) + self.head_bias
        return logits.astype(np.float64), new_states

    @staticmethod
    def select(states: LayerStates, rows: np.ndarray) -> LayerStates:
        """Keep (and repeat) the batch rows ``rows`` of every state: for beam search."""
        return [[part[rows] for part in layer] for layer in states]
