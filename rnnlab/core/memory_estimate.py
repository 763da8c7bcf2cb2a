"""How much memory training a model takes at the least, and whether this machine has it.

On Linux a CPU run larger than memory does not fail with an error one can report: the kernel
grants the allocation, and when the pages are touched it kills the whole process, window and
unsaved runs with it. So the window refuses, before it builds anything, a model whose training
cannot fit in the memory free now, and says what it would take.

The estimate is a lower bound, so that a model that would fit is never refused:
- parameters x 4 bytes x the copies training keeps (the weights and their gradients, and the
  optimizer's state: Adam's two moments, RMSprop's one, SGD's momentum when it has one);
- what the backward pass keeps of each batch: per step and layer, a number of (B, H) float32
  arrays (ACTIVATIONS_KEPT), the embeddings, and the head's logits and their gradient.

Measured with PyTorch 2.13 on the CPU (peak resident memory of two training steps), the bound
was 0.5-0.7 of the real peak: an LSTM 2 x 512, B256 x T256 took 3.2 GB (bound 2.1 GB); a GRU
2.6 GB (1.6); a vanilla RNN 1.05 GB (0.6); an SRU 4.4 GB (2.1).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.core.config import ModelConfig, TrainConfig, count_parameters

FLOAT_BYTES = 4
# The weights and their gradients, then the optimizer's state per parameter (plus a momentum
# buffer for SGD and RMSprop when they have momentum).
OPTIMIZER_COPIES = {"adam": 2, "adamw": 2, "rmsprop": 1, "sgd": 0}
# (B, H) arrays the backward pass keeps per step and layer, at the least: an LSTM's four gates,
# its cell state, its tanh and its output; a GRU's three gates, candidate and output, and so on.
ACTIVATIONS_KEPT = {"lstm": 8, "gru": 6, "sru": 8, "rnn": 2, "rnn-relu": 2}


@dataclass(frozen=True)
class TrainingMemory:
    """At least how many bytes one training step of a model holds."""

    parameter_bytes: int  # the weights, gradients and the optimizer's state
    activation_bytes: int  # what one batch keeps for the backward pass

    @property
    def total_bytes(self) -> int:
        return self.parameter_bytes + self.activation_bytes


def training_memory(model: ModelConfig, train: TrainConfig) -> TrainingMemory:
    """The lower bound of the module's docstring for ``model`` trained with ``train``."""
    positions = train.batch_size * train.seq_len  # B x T steps in one batch
    momentum = train.momentum > 0 and train.optimizer in ("sgd", "rmsprop")
    copies = 2 + OPTIMIZER_COPIES[train.optimizer] + int(momentum)
    per_position = (
        model.layers * model.hidden_size * ACTIVATIONS_KEPT[model.cell]
        + model.embedding_size
        + 2 * model.outputs  # the logits and their gradient
    )
    return TrainingMemory(
        parameter_bytes=count_parameters(model) * copies * FLOAT_BYTES,
        activation_bytes=positions * per_position * FLOAT_BYTES,
    )


def available_memory() -> int | None:
    """Bytes of memory free for a new allocation now (Linux's MemAvailable; elsewhere the free
    physical pages where the system says), or None where it cannot tell."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024  # given in kB
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # Windows, macOS: no such names
        return None


def memory_refusal(model: ModelConfig, train: TrainConfig, available: int | None) -> str:
    """Why training ``model`` on the CPU cannot fit in ``available`` bytes ("" if it can, or if
    ``available`` is unknown)."""
    return race_memory_refusal([(model, train)], available)


def race_memory_refusal(runs: Sequence[tuple[ModelConfig, TrainConfig]], available: int | None
                        ) -> str:  # fmt: skip
    """``memory_refusal`` for runs that train in turns in one thread: all their parameters are
    held at once, but one batch's activations at a time (the largest counts)."""
    if available is None or not runs:
        return ""
    needs = [training_memory(model, train) for model, train in runs]
    parameter_bytes = sum(need.parameter_bytes for need in needs)
    largest = max(range(len(runs)), key=lambda index: needs[index].activation_bytes)
    activation_bytes = needs[largest].activation_bytes
    if parameter_bytes + activation_bytes <= available:
        return ""
    parameters = sum(count_parameters(model) for model, _ in runs)
    train = runs[largest][1]
    what = "this model needs" if len(runs) == 1 else f"these {len(runs)} runs need"
    return (
        f"{what} at least {_size(parameter_bytes + activation_bytes)} to train "
        f"({_size(parameter_bytes)} for {parameters:,} parameters with their gradients and the "
        f"optimizer's state, {_size(activation_bytes)} for what a {train.batch_size} x "
        f"{train.seq_len} batch keeps), but only {_size(available)} of memory is free: make "
        f"the {'model' if len(runs) == 1 else 'models'} or the batch smaller"
    )


def _size(count: int) -> str:
    """Bytes as people read them: "820 MB", "3.4 GB", "1,200 GB"."""
    if count < 10**9:
        return f"{count / 10**6:,.0f} MB"
    gigabytes = count / 10**9
    return f"{gigabytes:,.1f} GB" if gigabytes < 100 else f"{gigabytes:,.0f} GB"
