"""One look inside the live model: a probe plus the training statistics the views plot over time.

Called between training steps by whoever owns the model (the window's training thread, the
command line's demonstration); the result is frozen NumPy values (``rnnlab.core.probe_result``).
"""

from __future__ import annotations

import time

import torch

from rnnlab.core.models import CharModel
from rnnlab.core.probe import probe
from rnnlab.core.probe_result import MAX_PROBE_CHARS, Inspection
from rnnlab.core.vocabulary import Vocabulary


def inspect(
    model: CharModel,
    vocabulary: Vocabulary,
    text: str,
    *,
    step: int,
    connectivity_position: int | None = None,
    group_grad_norms: dict[str, float] | None = None,
) -> Inspection:
    """Probe ``model`` on ``text`` and measure its recurrent matrices.

    ``connectivity_position`` beyond the text falls back to the last position (the text may have
    been shortened since it was chosen). Raises ValueError for a text that is too short, too
    long or has characters outside the vocabulary.
    """
    if len(text) > MAX_PROBE_CHARS:
        raise ValueError(f"a probe text has at most {MAX_PROBE_CHARS} characters, got {len(text)}")
    unknown = vocabulary.unknown(text)
    if unknown:
        listed = " ".join(repr(char) for char in unknown)
        raise ValueError(f"the probe text has characters the model does not know: {listed}")
    started = time.perf_counter()
    if connectivity_position is not None and connectivity_position >= len(text) - 1:
        connectivity_position = None
    result = probe(model, vocabulary, text, connectivity_position)
    return Inspection(
        step=step,
        probe=result,
        group_grad_norms=dict(group_grad_norms or {}),
        spectral_norms=spectral_norms(model),
        seconds=time.perf_counter() - started,
    )


def spectral_norms(model: CharModel) -> tuple[float, ...]:
    """The largest singular value of each layer's recurrent matrix W_hh ((G*H, H) stacked over
    the gates for LSTM and GRU); empty for SRU, whose recurrence is element-wise."""
    norms = []
    with torch.no_grad():
        for matrix in model.recurrent_matrices():
            # σ_max(W)² is the largest eigenvalue of the (H, H) Gram matrix WᵀW: 2-3x cheaper
            # than an SVD of the stacked (G*H, H) matrix, and exact to float64 rounding.
            weights = matrix.detach().to(torch.float64)
            largest = torch.linalg.eigvalsh(weights.T @ weights)[-1].clamp(min=0.0)
            norms.append(float(largest.sqrt().item()))
    return tuple(norms)
