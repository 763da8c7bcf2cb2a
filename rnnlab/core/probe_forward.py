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

import warnings
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


WEIGHTS = frozenset({"w_ih", "w_hh", "v_f", "v_r", "b_f", "b_r"})


def _to_host(tensors: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """Float32 NumPy arrays on the CPU, in one transfer from a GPU. Results cross to the window's
    thread, so what this module computed is copied, never a view of a tensor (about 0.1 ms a
    layer); the weights (``WEIGHTS``) are read in place on the CPU: the probe runs in the
    training thread, between steps, and they never leave the backward pass."""
    first = next(iter(tensors.values()))
    if first.device.type == "cpu":
        return {
            name: tensor.detach().float().numpy() if name in WEIGHTS
            else tensor.detach().float().numpy().copy()
            for name, tensor in tensors.items()
        }  # fmt: skip
    flat = torch.cat([tensor.detach().float().reshape(-1) for tensor in tensors.values()])
    host = flat.cpu().numpy()  # the one copy to the host: one synchronisation a layer
    arrays, start = {}, 0
    for name, tensor in tensors.items():
        arrays[name] = host[start : start + tensor.numel()].reshape(tensor.shape)
        start += tensor.numel()
    return arrays


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


def _fused_parameters(weights: LayerWeights) -> list[torch.Tensor]:
    """w_ih, w_hh, b_ih, b_hh: a fused cell always has all four (only SRU's are None)."""
    parameters = [weights.w_ih, weights.w_hh, weights.b_ih, weights.b_hh]
    assert all(parameter is not None for parameter in parameters), weights.cell
    return [parameter for parameter in parameters if parameter is not None]


def _fused_outputs(weights: LayerWeights, inputs: torch.Tensor) -> torch.Tensor:
    """h for every step from PyTorch's fused kernel: inputs (T, D) -> (T, H), from zero states."""
    zero = inputs.new_zeros(1, 1, weights.hidden_size)
    parameters = _fused_parameters(weights)
    batch = inputs.unsqueeze(0)  # (1, T, D)
    with warnings.catch_warnings():
        # cuDNN copies one layer's separate weights into its own layout: expected, once a probe.
        warnings.filterwarnings("ignore", message="RNN module weights are not part")
        # Arguments: parameters, has_biases, layers, dropout, train, bidirectional, batch_first.
        if weights.cell == "lstm":
            state = (zero, zero)
            outputs = torch.lstm(batch, state, parameters, True, 1, 0.0, False, False, True)[0]
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
        w_ih, w_hh, b_ih, b_hh = _fused_parameters(weights)
        from_input = F.linear(inputs, w_ih, b_ih)  # (T, G*H)
        from_state = F.linear(previous, w_hh, b_hh)  # (T, G*H)
        parts = {"h": outputs, "w_ih": w_ih, "w_hh": w_hh}
        # Activations in torch: several times faster than NumPy's exp on (T, G*H).
        if weights.cell == "lstm":
            pre_i, pre_f, pre_g, pre_o = from_input.add_(from_state).chunk(4, dim=1)
            parts.update(i=pre_i.sigmoid(), f=pre_f.sigmoid(), g=pre_g.tanh(), o=pre_o.sigmoid())
            host = _to_host(parts)
            f = host["f"]
            c = host["i"] * host["g"]  # i_t ⊙ g_t for every t; the scan adds f_t ⊙ c_{t-1}
            for t in range(1, len(c)):  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t, from c_{-1} = 0
                c[t] += f[t] * c[t - 1]
            gates = {name: host[name] for name in ("i", "f", "g", "o")} | {"c": c, "h": host["h"]}
            return LayerForward("lstm", outputs, gates, host["w_ih"], host["w_hh"], {})
        if weights.cell == "gru":
            x_r, x_z, x_n = from_input.chunk(3, dim=1)
            h_r, h_z, h_n = from_state.chunk(3, dim=1)
            r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
            n = (x_n + r * h_n).tanh()  # r scales W_hn h + b_hn (PyTorch's form)
            host = _to_host(parts | {"r": r, "z": z, "n": n, "h_n": h_n, "previous": previous})
            gates = {name: host[name] for name in ("r", "z", "n", "h")}
            extra = {name: host[name] for name in ("h_n", "previous")}
            return LayerForward("gru", outputs, gates, host["w_ih"], host["w_hh"], extra)
        host = _to_host(parts | {"pre": from_input.add_(from_state)})
        gates = {"pre": host["pre"], "h": host["h"]}
        return LayerForward(weights.cell, outputs, gates, host["w_ih"], host["w_hh"], {})


def _sru_forward(weights: LayerWeights, inputs: torch.Tensor) -> LayerForward:
    """SRU has no fused kernel here: one projection for all steps, then its elementwise scan."""
    assert weights.v_f is not None and weights.v_r is not None
    assert weights.b_f is not None and weights.b_r is not None
    host = _to_host({"projected": project_inputs(weights, inputs), "w_ih": weights.w_ih,
                     "v_f": weights.v_f, "v_r": weights.v_r, "b_f": weights.b_f,
                     "b_r": weights.b_r})  # fmt: skip
    candidate, f_in, r_in, skip = np.split(host["projected"], 4, axis=1)
    v_f, v_r, b_f, b_r = (host[name] for name in ("v_f", "v_r", "b_f", "b_r"))
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
    return LayerForward("sru", outputs, gates, host["w_ih"], None, extra)
