"""How far the fast probe is from the reference probe, where float32 can tell them apart.

``rnnlab.core.probe.recompute`` (vectorised gates, a backward pass written out) and
``recompute_reference`` (the cell equations step by step, autograd through them) compute the
same gradient norms in float32 in different orders. Two kinds of norm are left out, because
there neither is right:

- at or below UNDERFLOW: made of components near float32's smallest normal number (1.2e-38),
  which the fast pass flushes to zero and the reference keeps as denormals;
- below NOISE times the largest norm of the same array: the difference of much larger float32
  terms (a trained LSTM's gradient through c); measured against the same probe in float64,
  both paths are off by 1e-4 to 1e-2 there, and by under 1e-5 above it.
"""

from __future__ import annotations

import numpy as np

from rnnlab.core.probe_result import ProbeResult

UNDERFLOW, NOISE = 1e-30, 1e-6


def comparable(reference: np.ndarray) -> np.ndarray:
    """(T,) bool: the reference norms float32 can be held to; the floor is the larger of
    UNDERFLOW and NOISE times the largest norm."""
    return reference > max(UNDERFLOW, NOISE * float(reference.max(initial=0.0)))


def relative_errors(fast: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """|fast - reference| / reference where the reference is comparable."""
    kept = comparable(reference)
    return np.abs(fast - reference)[kept] / reference[kept]


def max_relative_error(fast: ProbeResult, reference: ProbeResult) -> float:
    """The largest relative error in any layer's ‖∂L/∂h_t‖ or in the connectivity."""
    pairs = [(a.gradient_norms, b.gradient_norms) for a, b in zip(fast.layers, reference.layers)]
    pairs.append((fast.connectivity, reference.connectivity))
    return max(float(relative_errors(a, b).max(initial=0.0)) for a, b in pairs)
