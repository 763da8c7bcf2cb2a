"""Explicit cell equations: every gate and state, recomputed from a model's own weights.

Training runs on PyTorch's fused modules (``nn.RNN``/``nn.LSTM``/``nn.GRU``), which return only h
(and c). The views need the gates too, so this module writes each cell out as the lecture
formulas, using the same weight tensors. ``tests/core/test_cells.py`` pins these equations to the
fused outputs. Sampling steps through the same functions (one character at a time they are
faster than calling the fused module with ``seq_len=1``); the SRU layer trains on them.

Every layer is split in two parts, as an efficient RNN implementation does:
``project_inputs`` computes the input's share of every gate for all time steps in one matrix
product; ``recur`` then advances one step from those projections and the previous state.

Shapes: B batch, T time, D layer input width, H hidden size, G gate count (LSTM 4, GRU 3, RNN 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class LayerWeights:
    """One layer's parameters under the names of the equations.

    Fused cells (PyTorch's layout): w_ih (G*H, D), w_hh (G*H, H), b_ih and b_hh (G*H,).
    SRU: w_ih (k*H, D) stacks W, W_f, W_r (and W_skip when D != H, k = 4; else k = 3);
    v_f, v_r, b_f, b_r are (H,); w_hh and b_hh are None.
    """

    cell: str
    hidden_size: int
    w_ih: torch.Tensor
    b_ih: torch.Tensor | None
    w_hh: torch.Tensor | None = None
    b_hh: torch.Tensor | None = None
    v_f: torch.Tensor | None = None
    v_r: torch.Tensor | None = None
    b_f: torch.Tensor | None = None
    b_r: torch.Tensor | None = None

    def detached(self) -> LayerWeights:
        """The same weights cut from autograd (for probes and sampling)."""
        # Any: the fields' types differ (str, int, tensors, None).
        values: dict[str, Any] = {
            name: value.detach() if isinstance(value, torch.Tensor) else value
            for name, value in self.__dict__.items()
        }
        return LayerWeights(**values)


def project_inputs(weights: LayerWeights, inputs: torch.Tensor) -> torch.Tensor:
    """The input's share of every gate: (B, T, D) -> (B, T, k*H), one matrix product for all t.

    For SRU without a skip projection the raw input is appended, so ``recur`` always finds the
    highway term in the last H columns.
    """
    projected = F.linear(inputs, weights.w_ih, weights.b_ih)
    if weights.cell == "sru" and weights.w_ih.shape[0] == 3 * weights.hidden_size:
        projected = torch.cat((projected, inputs), dim=-1)
    return projected


def recur(
    weights: LayerWeights,
    projected: torch.Tensor,
    state: tuple[torch.Tensor, ...],
    gates: dict[str, list[torch.Tensor]] | None = None,
) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """Advance one time step: projected (B, k*H) and state -> output h (B, H) and the new state.

    When ``gates`` is given, every gate and state of this step is appended to its list.
    """
    cell = weights.cell
    if cell == "lstm":
        h_prev, c_prev = state
        # i, f, g, o = W_i* x + b_i* + W_h* h_{t-1} + b_h*, stacked in PyTorch's order
        summed = projected + F.linear(h_prev, _w_hh(weights), weights.b_hh)
        i_pre, f_pre, g_pre, o_pre = summed.chunk(4, dim=-1)
        i, f, g, o = i_pre.sigmoid(), f_pre.sigmoid(), g_pre.tanh(), o_pre.sigmoid()
        c = f * c_prev + i * g  # c_t = f ⊙ c_{t-1} + i ⊙ g
        h = o * c.tanh()  # h_t = o ⊙ tanh(c_t)
        _keep(gates, i=i, f=f, g=g, o=o, c=c, h=h)
        return h, (h, c)
    if cell == "gru":
        (h_prev,) = state
        recurrent = F.linear(h_prev, _w_hh(weights), weights.b_hh)
        x_r, x_z, x_n = projected.chunk(3, dim=-1)
        h_r, h_z, h_n = recurrent.chunk(3, dim=-1)
        r = (x_r + h_r).sigmoid()  # reset gate
        z = (x_z + h_z).sigmoid()  # update gate
        n = (x_n + r * h_n).tanh()  # candidate: r scales W_hn h + b_hn (PyTorch's form)
        h = (1 - z) * n + z * h_prev  # h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
        _keep(gates, r=r, z=z, n=n, h=h)
        return h, (h,)
    if cell in ("rnn", "rnn-relu"):
        (h_prev,) = state
        pre = projected + F.linear(h_prev, _w_hh(weights), weights.b_hh)
        h = pre.tanh() if cell == "rnn" else pre.relu()  # h_t = tanh(W x + U h_{t-1} + b)
        _keep(gates, pre=pre, h=h)
        return h, (h,)
    if cell == "sru":
        (c_prev,) = state
        v_f, v_r, b_f, b_r = weights.v_f, weights.v_r, weights.b_f, weights.b_r
        # SRU weights always carry these four (SRULayer.layer_weights); fused cells leave them None.
        assert v_f is not None and v_r is not None and b_f is not None and b_r is not None
        candidate, f_in, r_in, skip = projected.chunk(4, dim=-1)
        f = (f_in + v_f * c_prev + b_f).sigmoid()  # forget gate, sees c_{t-1}
        r = (r_in + v_r * c_prev + b_r).sigmoid()  # reset (highway) gate
        c = f * c_prev + (1 - f) * candidate  # c_t = f ⊙ c_{t-1} + (1 - f) ⊙ W x_t
        h = r * c + (1 - r) * skip  # h_t = r ⊙ c_t + (1 - r) ⊙ x_t
        _keep(gates, f=f, r=r, c=c, h=h)
        return h, (c,)
    raise ValueError(f"unknown cell {cell!r}")


def run_layer(
    weights: LayerWeights,
    inputs: torch.Tensor,
    state: tuple[torch.Tensor, ...],
    gates: dict[str, list[torch.Tensor]] | None = None,
) -> tuple[list[torch.Tensor], tuple[torch.Tensor, ...]]:
    """Run one layer over a sequence: inputs (B, T, D) -> T outputs of (B, H), final state.

    The outputs stay a list so a probe can ask autograd for the gradient at each h_t.
    Iterating ``unbind`` (not ``projected[:, t]``) keeps the backward pass from building a
    full-size zero gradient for every step.
    """
    outputs = []
    for projected_t in project_inputs(weights, inputs).unbind(1):
        h, state = recur(weights, projected_t, state, gates)
        outputs.append(h)
    return outputs, state


def _w_hh(weights: LayerWeights) -> torch.Tensor:
    """The recurrent matrix of a fused cell: fused_layer_weights always sets it (only SRU has
    none, and SRU never asks)."""
    assert weights.w_hh is not None
    return weights.w_hh


def _keep(gates: dict[str, list[torch.Tensor]] | None, **values: torch.Tensor) -> None:
    if gates is not None:
        for name, value in values.items():
            gates.setdefault(name, []).append(value)


def fused_layer_weights(module: nn.RNNBase, cell: str, layer: int) -> LayerWeights:
    """The weights of layer ``layer`` of a fused ``nn.RNN``/``nn.LSTM``/``nn.GRU``."""
    return LayerWeights(
        cell=cell,
        hidden_size=module.hidden_size,
        w_ih=getattr(module, f"weight_ih_l{layer}"),
        w_hh=getattr(module, f"weight_hh_l{layer}"),
        b_ih=getattr(module, f"bias_ih_l{layer}"),
        b_hh=getattr(module, f"bias_hh_l{layer}"),
    )
