"""The spectral norm σ_max(W_hh) of each layer's recurrent matrix, measured with every probe.

The exact value is the largest eigenvalue of the (H, H) Gram matrix WᵀW (``exact_norms``): about
3 ms a layer at H = 256 on one core, a sixth of a probe. Between two probes the weights move a
little, and so does the top singular vector: ``SpectralTracker`` starts a few Lanczos steps on WᵀW
from the vector it found last time, which takes a tenth of that, and falls back to the exact value
whenever it cannot vouch for its answer:

- the first time, and every ``EXACT_EVERY``-th time (a warm start could keep following a singular
  value that another has overtaken: near such a crossing the two are close, so the error is small,
  and it lasts at most until the next exact measurement);
- when Lanczos breaks down (the start vector spans an invariant subspace, as it does when every
  singular value is the same: an orthogonal initialisation);
- when the residual ‖WᵀW y − θ y‖ of its answer is above ``TOLERANCE`` θ.

``tests/core/test_spectral.py`` holds it to the exact values along training runs.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import torch

EXACT_EVERY = 8  # measurements per layer between two exact ones
LANCZOS_STEPS = 8  # matrix-vector products with WᵀW per warm measurement
TOLERANCE = 1e-4  # relative residual accepted (the eigenvalue's error is about its square)
NUDGE = 1e-2  # share of a fixed random direction added to the start, so it is never invariant


def _gram(matrix: torch.Tensor) -> torch.Tensor:
    # σ_max(W)² is the largest eigenvalue of the (H, H) WᵀW: 2-3x cheaper than an SVD of the
    # stacked (G*H, H) matrix. In float32: a third of float64's cost, within 1e-6 of the exact
    # value (measured).
    weights = matrix.detach().float()
    return weights.T @ weights


def exact_norms(matrices: Sequence[torch.Tensor]) -> tuple[float, ...]:
    """σ_max of each (rows, H) matrix, computed in full."""
    with torch.no_grad():
        return tuple(
            float(torch.linalg.eigvalsh(_gram(matrix))[-1].clamp(min=0.0).sqrt().item())
            for matrix in matrices
        )


def _exact_with_vector(matrix: torch.Tensor) -> tuple[float, np.ndarray]:
    """σ_max of ``matrix`` (rows, H) and its right singular vector (H,) float32."""
    values, vectors = torch.linalg.eigh(_gram(matrix))
    largest = float(values[-1].clamp(min=0.0).item())
    return largest**0.5, vectors[:, -1].cpu().numpy().copy()


class SpectralTracker:
    """The spectral norms of one run's recurrent matrices, measured again and again as it trains.

    Keep one per run and call ``norms`` with each probe; a tracker given matrices of another shape
    starts afresh. Not thread-safe: one thread measures a run.
    """

    def __init__(self) -> None:
        self._vectors: list[np.ndarray] = []  # per layer: the last right singular vector (H,)
        self._measurements = 0
        self.exact_measurements = 0  # how many fell back to (or were due for) the exact value

    def norms(self, matrices: Sequence[torch.Tensor]) -> tuple[float, ...]:
        shapes = [matrix.shape[1] for matrix in matrices]
        if shapes != [len(vector) for vector in self._vectors]:
            self._vectors, self._measurements = [], 0
        exact_due = self._measurements % EXACT_EVERY == 0
        self._measurements += 1
        norms, vectors = [], []
        with torch.no_grad():
            for layer, matrix in enumerate(matrices):
                found = None
                if not exact_due and matrix.device.type == "cpu":
                    found = _warm_lanczos(matrix.detach().float().numpy(), self._vectors[layer])
                if found is None:
                    found = _exact_with_vector(matrix)
                    self.exact_measurements += 1
                norms.append(found[0])
                vectors.append(found[1])
        self._vectors = vectors
        return tuple(norms)


@functools.cache
def _nudge(size: int) -> np.ndarray:
    """A fixed unit direction (the same every time: results do not depend on the call order);
    drawn once per size. Read only."""
    direction = np.random.default_rng(size).standard_normal(size).astype(np.float32)
    return direction / np.linalg.norm(direction)


def _warm_lanczos(weights: np.ndarray, start: np.ndarray) -> tuple[float, np.ndarray] | None:
    """σ_max of ``weights`` (rows, H) by LANCZOS_STEPS Lanczos steps on WᵀW from ``start`` (H,),
    with its vector; None when the answer cannot be vouched for (see the module's docstring)."""
    hidden = weights.shape[1]
    vector = start + NUDGE * _nudge(hidden)
    basis = np.zeros((LANCZOS_STEPS, hidden), np.float32)  # orthonormal Krylov vectors
    basis[0] = vector / np.linalg.norm(vector)
    diagonal, off_diagonal = np.zeros(LANCZOS_STEPS), np.zeros(LANCZOS_STEPS)
    for step in range(LANCZOS_STEPS):
        product = weights.T @ (weights @ basis[step])  # WᵀW q: two matrix-vector products
        diagonal[step] = basis[step] @ product
        kept = basis[: step + 1]
        product -= kept.T @ (kept @ product)  # full re-orthogonalisation: cheap at 8 vectors
        off_diagonal[step] = np.linalg.norm(product)
        if off_diagonal[step] <= 1e-4 * abs(diagonal[0]):
            return None  # an invariant subspace: it may not hold the largest singular value
        if step + 1 < LANCZOS_STEPS:
            basis[step + 1] = product / off_diagonal[step]
    tridiagonal = np.diag(diagonal) + np.diag(off_diagonal[:-1], 1) + np.diag(off_diagonal[:-1], -1)
    values, vectors = np.linalg.eigh(tridiagonal)
    largest = values[-1]
    residual = off_diagonal[-1] * abs(vectors[-1, -1])  # ‖WᵀW y − θ y‖ for the Ritz pair
    if largest <= 0 or residual > TOLERANCE * largest:
        return None
    singular_vector = (basis.T @ vectors[:, -1]).astype(np.float32)
    return float(np.sqrt(largest)), singular_vector / np.linalg.norm(singular_vector)
