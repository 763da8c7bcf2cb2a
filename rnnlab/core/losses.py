"""The training loss over the positions that count: text's next-character cross-entropy, a
symbol task's cross-entropy at its answer, a numeric task's squared error at its answer."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from rnnlab.core.batching import IGNORE_INDEX
from rnnlab.core.tasks import SQUARED_ERROR


def batch_loss(
    outputs: torch.Tensor, targets: torch.Tensor, kind: str, reduction: str = "mean"
) -> torch.Tensor:
    """The loss of outputs (B, T, V) against targets (B, T) over the positions that count:
    cross-entropy where a target is not IGNORE_INDEX, or a numeric task's squared error of the
    first output where a target is not NaN."""
    if kind == SQUARED_ERROR:
        asked = ~torch.isnan(targets)
        errors = (outputs[..., 0][asked] - targets[asked]).square()
        return errors.mean() if reduction == "mean" else errors.sum()
    return F.cross_entropy(
        outputs.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX, reduction=reduction
    )
