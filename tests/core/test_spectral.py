"""The spectral-norm tracker against the exact largest singular value (an SVD), along training and
in the cases where a warm start could mislead it."""

from __future__ import annotations

import pytest
import torch

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.spectral import EXACT_EVERY, SpectralTracker, exact_norms
from rnnlab.core.trainer import new_trainer


def svd_norms(matrices: list[torch.Tensor]) -> list[float]:
    return [torch.linalg.matrix_norm(matrix.detach().double(), ord=2).item() for matrix in matrices]


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_the_tracker_follows_a_training_run_within_a_millionth(shakespeare, cell: str) -> None:
    model = ModelConfig(vocab_size=len(shakespeare.vocabulary), cell=cell, hidden_size=48,
                        layers=2, embedding_size=16)  # fmt: skip
    train = TrainConfig(batch_size=8, seq_len=32, learning_rate=1e-2, eval_every=10**9,
                        device="cpu", threads=1)  # fmt: skip
    trainer = new_trainer(shakespeare, model, train)
    steps, tracker = trainer.run(), SpectralTracker()
    measurements = 3 * EXACT_EVERY
    for _ in range(measurements):
        next(steps)
        matrices = trainer.model.recurrent_matrices()
        expected = svd_norms(matrices)
        assert tracker.norms(matrices) == pytest.approx(expected, rel=1e-5)
        assert exact_norms(matrices) == pytest.approx(expected, rel=1e-5)
    # Most measurements were the cheap warm ones, not the exact fallback.
    layer_measurements = 2 * measurements
    assert tracker.exact_measurements <= layer_measurements // 2


def test_a_singular_value_overtaking_the_largest_is_found_between_exact_measurements() -> None:
    """The warm start is the old largest singular vector; when the second overtakes it, the start
    is exactly a singular vector of the new matrix, and must not trap the answer there."""
    values = torch.linspace(1.0, 0.5, 40)
    before = torch.diag(values)  # exact in float32: its singular vectors are the unit vectors
    after = torch.diag(torch.cat((values[1:2] * 0.9, values[1:])))  # the first falls behind
    tracker = SpectralTracker()
    assert tracker.norms([before]) == pytest.approx([1.0], rel=1e-5)  # exact, the first time
    assert tracker.norms([before]) == pytest.approx([1.0], rel=1e-5)  # warm
    assert tracker.norms([after]) == pytest.approx([values[1].item()], rel=1e-5)
    assert tracker.norms([after * 2]) == pytest.approx([2 * values[1].item()], rel=1e-5)


def test_equal_singular_values_and_new_shapes_are_measured_exactly() -> None:
    orthogonal = torch.nn.init.orthogonal_(torch.empty(64, 64))  # every singular value is 1
    tracker = SpectralTracker()
    for _ in range(3):
        norms = tracker.norms([orthogonal, 2 * torch.eye(64)])
        assert norms == pytest.approx([1.0, 2.0], rel=1e-5)
    wider = torch.randn(12, 3, generator=torch.Generator().manual_seed(0))  # another model
    assert tracker.norms([wider]) == pytest.approx(svd_norms([wider]), rel=1e-5)
    assert tracker.norms([]) == ()  # SRU: no recurrent matrix
