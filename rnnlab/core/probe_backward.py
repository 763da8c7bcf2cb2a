"""A probe's backward pass written out: ‖∂L/∂h_t‖ for every step and layer, and ∂L/∂x_t for the
connectivity, by the chain rule through the cell equations, one step at a time from the end.

Autograd through the probe's Python loop cost most of a probe. Here each step is a handful of
elementwise NumPy operations and one matrix-vector product with W_hh; everything that does not
depend on the gradient flowing back (the gates' derivatives) is computed for all steps at once
beforehand, and the input's gradient for all steps is one matrix product afterwards. Float32,
as the reference; run it under ``flushed_denormals``: a fading gradient otherwise spends most of
the time in denormal arithmetic (about ten times slower here).

Each function takes a layer's ``LayerForward`` and ``upstream`` (T, H): ∂L/∂h_t through paths
that leave the layer (the layer above, or the head), and returns (the total ∂L/∂h_t (T, H),
∂L/∂x_t (T, D) for the layer's inputs x_t).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from rnnlab.core.probe_forward import LayerForward

Gradients = tuple[np.ndarray, np.ndarray]


@contextmanager
def flushed_denormals() -> Iterator[None]:
    """Flush float32 denormals to zero in this thread (NumPy's arithmetic too), then stop.

    Norms below float32's smallest normal number (1.2e-38) read as 0, as they would after a
    few more steps of fading anyway. Training never runs in this mode: it is switched off again
    before the next step."""
    supported = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if supported:
            torch.set_flush_denormal(False)


def _previous(values: np.ndarray) -> np.ndarray:
    """[0, v_0, …, v_{T-2}]: the state each step starts from."""
    return np.concatenate((np.zeros_like(values[:1]), values[:-1]))


def layer_backward(forward: LayerForward, upstream: np.ndarray) -> Gradients:
    """The layer's cell's backward pass (see the module's docstring)."""
    if forward.cell == "lstm":
        return _lstm(forward, upstream)
    if forward.cell == "gru":
        return _gru(forward, upstream)
    if forward.cell == "sru":
        return _sru(forward, upstream)
    return _simple(forward, upstream)


def _lstm(forward: LayerForward, upstream: np.ndarray) -> Gradients:
    gates, w_hh = forward.gates, forward.w_hh
    assert w_hh is not None
    i, f, g, o, c = (gates[name] for name in "ifgoc")
    steps, hidden = c.shape
    tanh_c = np.tanh(c)
    to_memory = o * (1 - tanh_c**2)  # h_t = o ⊙ tanh(c_t): ∂h/∂c
    to_output = tanh_c * o * (1 - o)  # ∂h/∂(o's pre-activation)
    # ∂c_t/∂ the pre-activations of i, f and g: (T, 3, H) in PyTorch's gate order.
    to_gates = np.stack((g * i * (1 - i), _previous(c) * f * (1 - f), i * (1 - g**2)), axis=1)
    total = np.empty_like(upstream)
    pre = np.empty((steps, 4, hidden), np.float32)  # ∂L/∂ every pre-activation
    recurrent = np.zeros(hidden, np.float32)  # ∂L/∂h_t through step t + 1
    memory = np.zeros(hidden, np.float32)  # ∂L/∂c_t through step t + 1
    dc = np.empty(hidden, np.float32)  # ∂L/∂c_t in all
    for t in range(steps - 1, -1, -1):  # in place: each temporary array costs a microsecond
        dh = total[t]
        np.add(upstream[t], recurrent, out=dh)
        np.multiply(dh, to_memory[t], out=dc)
        dc += memory
        np.multiply(dc, to_gates[t], out=pre[t, :3])
        np.multiply(dh, to_output[t], out=pre[t, 3])
        np.multiply(dc, f[t], out=memory)
        recurrent = pre[t].reshape(-1) @ w_hh
    return total, pre.reshape(steps, -1) @ forward.w_ih


def _gru(forward: LayerForward, upstream: np.ndarray) -> Gradients:
    gates, w_hh = forward.gates, forward.w_hh
    assert w_hh is not None
    r, z, n = gates["r"], gates["z"], gates["n"]
    steps, hidden = r.shape
    to_candidate = (1 - z) * (1 - n**2)  # h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}; n = tanh(…)
    to_reset = forward.extra["h_n"] * r * (1 - r)  # n's argument has r ⊙ (W_hn h + b_hn)
    to_update = (forward.extra["previous"] - n) * z * (1 - z)
    # ∂h_t/∂ the pre-activations of r, z and n, as seen from W_hh (the n part scaled by r)
    # and from W_ih (not scaled): (T, 3, H).
    from_state = np.stack((to_candidate * to_reset, to_update, to_candidate * r), axis=1)
    from_input = np.stack((to_candidate * to_reset, to_update, to_candidate), axis=1)
    total = np.empty_like(upstream)
    pre = np.empty((3, hidden), np.float32)
    recurrent = np.zeros(hidden, np.float32)
    for t in range(steps - 1, -1, -1):
        dh = total[t] = upstream[t] + recurrent
        np.multiply(dh, from_state[t], out=pre)
        recurrent = dh * z[t] + pre.reshape(-1) @ w_hh
    inputs = (total[:, None, :] * from_input).reshape(steps, -1) @ forward.w_ih
    return total, inputs


def _simple(forward: LayerForward, upstream: np.ndarray) -> Gradients:
    """The vanilla RNN: h_t = tanh(pre_t) (or relu)."""
    w_hh = forward.w_hh
    assert w_hh is not None
    if forward.cell == "rnn":
        slope = 1 - forward.gates["h"] ** 2
    else:
        slope = (forward.gates["pre"] > 0).astype(np.float32)
    total = np.empty_like(upstream)
    pre = np.empty_like(upstream)
    recurrent = np.zeros(upstream.shape[1], np.float32)
    for t in range(len(upstream) - 1, -1, -1):
        dh = total[t] = upstream[t] + recurrent
        pre[t] = dh * slope[t]
        recurrent = pre[t] @ w_hh
    return total, pre @ forward.w_ih


def _sru(forward: LayerForward, upstream: np.ndarray) -> Gradients:
    """SRU's h_t feeds only the layer above, so ∂L/∂h_t is the upstream gradient; the memory c
    carries the gradient back (through f, and through r and f, which see c_{t-1})."""
    gates, extra = forward.gates, forward.extra
    f, r, c = gates["f"], gates["r"], gates["c"]
    candidate, skip, v_f, v_r = extra["candidate"], extra["skip"], extra["v_f"], extra["v_r"]
    steps, hidden = c.shape
    reset_pre = upstream * (c - skip) * r * (1 - r)  # h_t = r ⊙ c_t + (1 - r) ⊙ skip_t
    skip_grad = upstream * (1 - r)
    from_output = upstream * r
    to_forget = (_previous(c) - candidate) * f * (1 - f)  # c_t = f ⊙ c_{t-1} + (1 - f) ⊙ cand
    forget_pre = np.empty_like(c)
    candidate_grad = np.empty_like(c)
    memory = np.zeros(hidden, np.float32)
    for t in range(steps - 1, -1, -1):
        dc = memory + from_output[t]
        forget_pre[t] = dc * to_forget[t]
        candidate_grad[t] = dc * (1 - f[t])
        memory = dc * f[t] + forget_pre[t] * v_f + reset_pre[t] * v_r
    w = forward.w_ih  # (k*H, D): W, W_f, W_r and, when the widths differ, W_skip
    parts = [candidate_grad, forget_pre, reset_pre]
    if w.shape[0] == 4 * hidden:
        return upstream.copy(), np.concatenate([*parts, skip_grad], axis=1) @ w
    return upstream.copy(), np.concatenate(parts, axis=1) @ w + skip_grad
