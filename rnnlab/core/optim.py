"""Optimisers and gradient clipping.

The lectures contrast the two clipping modes: by global norm rescales the whole gradient and
keeps its direction; by value clamps each element and so can turn the direction.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from rnnlab.core.config import TrainConfig


def build_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    parameters = model.parameters()
    rate, decay = config.learning_rate, config.weight_decay
    if config.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=rate, weight_decay=decay)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(parameters, lr=rate, weight_decay=decay)
    if config.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=rate, momentum=config.momentum, weight_decay=decay)
    if config.optimizer == "rmsprop":
        return torch.optim.RMSprop(
            parameters, lr=rate, momentum=config.momentum, weight_decay=decay
        )
    raise ValueError(f"unknown optimizer {config.optimizer!r}")


def clip_gradients(
    parameters: list[nn.Parameter], total_norm: torch.Tensor, mode: str, threshold: float
) -> bool:
    """Clip in place; return whether the gradient changed.

    ``total_norm`` is the global L2 norm already computed for the report (not recomputed here).
    """
    if mode == "none" or not parameters:
        return False
    if mode == "norm":
        if total_norm.item() <= threshold:
            return False
        torch.nn.utils.clip_grads_with_norm_(parameters, threshold, total_norm)
        return True
    if mode == "value":
        grads = [p.grad for p in parameters if p.grad is not None]
        # The caller passes only parameters that received a gradient (Trainer.train_step).
        assert len(grads) == len(parameters), "clip_gradients needs every parameter's gradient"
        # math.inf, not "inf": the stub types norm_type as float (torch converts with float()).
        largest = torch.nn.utils.get_total_norm(grads, norm_type=math.inf)
        if largest.item() <= threshold:
            return False
        torch.nn.utils.clip_grad_value_(parameters, threshold)
        return True
    raise ValueError(f"unknown clipping mode {mode!r}")
