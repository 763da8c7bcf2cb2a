"""A probe's forward pass, vectorised over time: every layer's h from PyTorch's fused kernel, then
every gate of every step from two matrix products.

Once all of a layer's outputs h_0 … h_{T-1} are known, nothing about the gates is sequential any
more: the pre-activations of all steps are ``X W_ih^T + b_ih + [0, h_0 … h_{T-2}] W_hh^T + b_hh``.
Only the cell state is a scan (the LSTM's c_t = f_t c_{t-1} + i_t g_t; the SRU's whole layer),
elementwise over H, cheap in NumPy. The step-by-step equations in ``rnnlab.core.cells`` remain
the reference (``rnnlab.core.probe.recompute_reference``); ``tests/core/test_fast_probe.py``
pins the two together.

Shapes: T time steps, D layer input width, H hidden size. Results are float32 NumPy arrays on
the CPU (copied from the model's device once per layer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from rnnlab.core.cells import LayerWeights, project_inputs


@dataclass(frozen=True)
class LayerForward:
    """One layer over one sequence: its outputs and every gate, with the weights the backward
    pass needs, all as float32 NumPy arrays."""

    cell: str
    outputs: torch.Tensor  # (T, H) h_t on the model's device: the next layer's input
    gates: dict[str, np.ndarray]  # gate or state name -> (T, H), as the views name them
    w_ih: np.ndarray  # (k*H, D)
    w_hh: np.ndarray | None  # (G*H, H); None for SRU
    extra: dict[str, np.ndarray]  # what the backward pass needs beyond the gates


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to("cpu", torch.float32).numpy().copy()


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


def _fused_outputs(weights: LayerWeights, inputs: torch.Tensor) -> torch.Tensor:
    """h for every step from PyTorch's fused kernel: inputs (T, D) -> (T, H), from zero states."""
    zero = inputs.new_zeros(1, 1, weights.hidden_size)
    parameters = [weights.w_ih, weights.w_hh, weights.b_ih, weights.b_hh]
    batch = inputs.unsqueeze(0)  # (1, T, D)
    # Arguments: parameters, has_biases, layers, dropout, train, bidirectional, batch_first.
    if weights.cell == "lstm":
        outputs = torch.lstm(batch, (zero, zero), parameters, True, 1, 0.0, False, False, True)[0]
    elif weights.cell == "gru":
        outputs = torch.gru(batch, zero, parameters, True, 1, 0.0, False, False, True)[0]
    elif weights.cell == "rnn":
        outputs = torch.rnn_tanh(batch, zero, parameters, True, 1, 0.0, False, False, True)[0]
    else:
        outputs = torch.rnn_relu(batch, zero, parameters, True, 1, 0.0, False, False, True)[0]
    return outputs[0]


def layer_forward(weights: LayerWeights, inputs: torch.Tensor) -> LayerForward:
    """Run one layer over ``inputs`` (T, D) from a zero state and recompute all its gates."""
    weights = weights.detached()
    with torch.no_grad():
        if weights.cell == "sru":
            return _sru_forward(weights, inputs)
        outputs = _fused_outputs(weights, inputs)  # (T, H)
        previous = torch.cat((outputs.new_zeros(1, weights.hidden_size), outputs[:-1]))
        from_input = F.linear(inputs, weights.w_ih, weights.b_ih)  # (T, G*H)
        from_state = F.linear(previous, weights.w_hh, weights.b_hh)  # (T, G*H)
        w_ih, w_hh = _numpy(weights.w_ih), _numpy(weights.w_hh)
        h = _numpy(outputs)
        if weights.cell == "lstm":
            i, f, g, o = np.split(_numpy(from_input + from_state), 4, axis=1)
            i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
            c = np.empty_like(i)
            memory = np.zeros(weights.hidden_size, np.float32)
            for t in range(len(c)):  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
                memory = c[t] = f[t] * memory + i[t] * g[t]
            gates = {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h}
            return LayerForward("lstm", outputs, gates, w_ih, w_hh, {})
        if weights.cell == "gru":
            x_r, x_z, x_n = np.split(_numpy(from_input), 3, axis=1)
            h_r, h_z, h_n = np.split(_numpy(from_state), 3, axis=1)
            r, z = _sigmoid(x_r + h_r), _sigmoid(x_z + h_z)
            n = np.tanh(x_n + r * h_n)  # r scales W_hn h + b_hn (PyTorch's form)
            extra = {"h_n": h_n, "previous": _numpy(previous)}
            return LayerForward("gru", outputs, {"r": r, "z": z, "n": n, "h": h}, w_ih, w_hh, extra)
        pre = _numpy(from_input + from_state)
        return LayerForward(weights.cell, outputs, {"pre": pre, "h": h}, w_ih, w_hh, {})


def _sru_forward(weights: LayerWeights, inputs: torch.Tensor) -> LayerForward:
    """SRU has no fused kernel here: one projection for all steps, then its elementwise scan."""
    assert weights.v_f is not None and weights.v_r is not None
    assert weights.b_f is not None and weights.b_r is not None
    candidate, f_in, r_in, skip = np.split(_numpy(project_inputs(weights, inputs)), 4, axis=1)
    v_f, v_r, b_f, b_r = (_numpy(part) for part in (weights.v_f, weights.v_r, weights.b_f,
                                                    weights.b_r))  # fmt: skip
    f, r, c = np.empty_like(candidate), np.empty_like(candidate), np.empty_like(candidate)
    memory = np.zeros(weights.hidden_size, np.float32)
    for t in range(len(c)):
        f[t] = _sigmoid(f_in[t] + v_f * memory + b_f)  # forget gate, sees c_{t-1}
        r[t] = _sigmoid(r_in[t] + v_r * memory + b_r)  # reset (highway) gate
        memory = c[t] = f[t] * memory + (1 - f[t]) * candidate[t]
    h = r * c + (1 - r) * skip  # h_t = r ⊙ c_t + (1 - r) ⊙ x_t (or its projection)
    outputs = torch.from_numpy(h).to(inputs.device)
    extra = {"candidate": candidate, "skip": skip, "v_f": v_f, "v_r": v_r}
    gates = {"f": f, "r": r, "c": c, "h": h}
    return LayerForward("sru", outputs, gates, _numpy(weights.w_ih), None, extra)
