"""How much memory training a model takes at the least, and whether this machine has it.

On Linux a CPU run larger than memory does not fail with an error one can report: the kernel
grants the allocation, and when the pages are touched it kills the whole process, window and
unsaved runs with it. So the window refuses, before it builds anything, a model whose training
cannot fit in the memory free now, and says what it would take.

The estimate is a lower bound, so that a model that would fit is never refused:
- parameters x 4 bytes x the copies training keeps (the weights and their gradients, and the
  optimizer's state: Adam's two moments, RMSprop's one, SGD's momentum when it has one);
- what the backward pass keeps of each batch: per step and layer, a number of (B, H) float32
  arrays (ACTIVATIONS_KEPT), the embeddings, and the head's logits and their gradient; counted
  for running text read in characters only, where a batch is B x T steps (``batch_positions``).

Measured with PyTorch 2.13 on the CPU (peak resident memory of two training steps), the bound
was 0.5-0.7 of the real peak: an LSTM 2 x 512, B256 x T256 took 3.2 GB (bound 2.1 GB); a GRU
2.6 GB (1.6); a vanilla RNN 1.05 GB (0.6); an SRU 4.4 GB (2.1).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.core.config import ModelConfig, TrainConfig, count_parameters
from rnnlab.core.corpus import Corpus, split_sizes

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


def batch_positions(data: object, train: TrainConfig) -> int:
    """Steps one batch trains, at the least: B x T on running text read in characters, B no more
    than the training text holds streams of T + 1. Zero where a batch's shape comes from the data
    (a task's own length, line mode's longest line, the tokens a word or BPE window holds): those
    batches' activations then go uncounted, which keeps the bound a bound."""
    if not isinstance(data, Corpus) or data.line_mode or train.token_unit.kind != "char":
        return 0
    training = split_sizes(data, train.validation_fraction)[0]
    streams = min(train.batch_size, training // (train.seq_len + 1))  # as rnnlab.core.batching
    return streams * train.seq_len


def training_memory(model: ModelConfig, train: TrainConfig, positions: int) -> TrainingMemory:
    """The lower bound of the module's docstring for ``model`` trained with ``train`` on batches
    of ``positions`` steps (``batch_positions``)."""
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
    """Bytes of memory free for a new allocation now: Linux's MemAvailable, no more than a
    container's limit leaves (cgroup v2); elsewhere the free physical pages where the system
    says; None where it cannot tell. Swap does not count: a model training in swap crawls."""
    free = _meminfo_available()
    if free is None:
        try:
            free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):  # Windows, macOS: no such names
            return None
    left = _cgroup_left()
    return free if left is None else min(free, left)


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024  # given in kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_left() -> int | None:
    """Bytes this process's cgroup may still take before its limit, or None (no limit, or no
    cgroup): in a container MemAvailable shows the host's memory. cgroup v2, else v1."""
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as cgroups:
            lines = [line.rstrip("\n").split(":", 2) for line in cgroups]
    except OSError:
        return None
    places = []  # (limit file, usage file) for each hierarchy this process is in
    for _, controllers, path in (line for line in lines if len(line) == 3):
        if controllers == "":
            folder = os.path.join("/sys/fs/cgroup", path.lstrip("/"))
            places.append((os.path.join(folder, "memory.max"),
                           os.path.join(folder, "memory.current")))  # fmt: skip
        elif "memory" in controllers.split(","):
            folder = os.path.join("/sys/fs/cgroup/memory", path.lstrip("/"))
            places.append((os.path.join(folder, "memory.limit_in_bytes"),
                           os.path.join(folder, "memory.usage_in_bytes")))  # fmt: skip
    for limit_path, usage_path in places:
        try:
            with open(limit_path, encoding="ascii") as limit_file:
                limit = limit_file.read().strip()
            if limit == "max" or int(limit) >= 1 << 60:  # v1 says "no limit" with a huge number
                continue
            with open(usage_path, encoding="ascii") as usage_file:
                return max(int(limit) - int(usage_file.read()), 0)
        except (OSError, ValueError):
            continue
    return None


def memory_refusal(model: ModelConfig, train: TrainConfig, data: object, available: int | None
                   ) -> str:  # fmt: skip
    """Why training ``model`` on the CPU on ``data`` (a Corpus or a Task) cannot fit in
    ``available`` bytes ("" if it can, or if ``available`` is unknown)."""
    return race_memory_refusal([(model, train)], data, available)


def race_memory_refusal(runs: Sequence[tuple[ModelConfig, TrainConfig]], data: object,
                        available: int | None) -> str:  # fmt: skip
    """``memory_refusal`` for runs that train in turns in one thread: all their parameters are
    held at once, but one batch's activations at a time (the largest counts)."""
    if available is None or not runs:
        return ""
    positions = [batch_positions(data, train) for _, train in runs]
    needs = [training_memory(*run, steps) for run, steps in zip(runs, positions)]
    parameter_bytes = sum(need.parameter_bytes for need in needs)
    largest = max(range(len(runs)), key=lambda index: needs[index].activation_bytes)
    activation_bytes = needs[largest].activation_bytes
    if parameter_bytes + activation_bytes <= available:
        return ""
    parameters = sum(count_parameters(model) for model, _ in runs)
    train = runs[largest][1]
    parts = [f"{_size(parameter_bytes)} for {parameters:,} parameters with their gradients and "
             "the optimizer's state"]  # fmt: skip
    if activation_bytes:
        streams = positions[largest] // train.seq_len
        parts.append(f"{_size(activation_bytes)} for what a batch of {streams} x "
                     f"{train.seq_len} characters keeps")  # fmt: skip
    what = "this model needs" if len(runs) == 1 else f"these {len(runs)} runs need"
    smaller = "model" if len(runs) == 1 else "models"
    return (
        f"{what} at least {_size(parameter_bytes + activation_bytes)} to train "
        f"({', '.join(parts)}), but only {_size(available)} of memory is free: make the "
        f"{smaller}{' or the batch' if activation_bytes else ''} smaller"
    )


def _size(count: int) -> str:
    """Bytes as people read them: "820 MB", "3.4 GB", "1,200 GB"."""
    if count < 10**9:
        return f"{count / 10**6:,.0f} MB"
    gigabytes = count / 10**9
    return f"{gigabytes:,.1f} GB" if gigabytes < 100 else f"{gigabytes:,.0f} GB"
