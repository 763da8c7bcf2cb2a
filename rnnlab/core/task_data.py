"""Batches of a synthetic task (``rnnlab.core.tasks``), in the trainer's ``TrainingData`` shape.

Training batches are fresh sequences, yet a pure function of (seed, T, position), so a run
resumed from a checkpoint sees exactly the batches it would have seen, and raced runs see the
same ones. Validation is a fixed held-out set of sequences from a stream of its own.

Every batch starts from a zero state and is one backpropagation window, whatever the
sequence-length setting says (that setting is for text). "Characters" count answers here: one
per sequence, so a run's "characters seen" is the number of sequences it has answered.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.core.batching import Batch, TrainingData
from rnnlab.core.tasks import SQUARED_ERROR, Task

VALIDATION_SEQUENCES = 1024
# The random streams of a seed: training batches, validation, and the single sequences a
# probe draws (rnnlab.core.task_probe), apart from the other two.
_TRAINING, _VALIDATION, PROBE_STREAM = 0, 1, 2


class TaskData(TrainingData):
    def __init__(self, task: Task, batch_size: int, seed: int) -> None:
        self.task = task
        self.loss_kind = task.spec.loss
        self.batch_size = batch_size
        self.seq_len = task.spec.sequence_length(task.length)
        self.batches_per_epoch = 2**62  # fresh sequences: no epochs
        self.train_chars = 0  # unbounded
        self.line_mode = False
        self.training_lines = frozenset()
        self._seed = seed
        self._validation: list[Batch] | None = None
        self.validation_chars = VALIDATION_SEQUENCES

    def train_batch(self, position: int) -> Batch:
        self._check_position(position)
        rng = np.random.default_rng([self._seed, self.task.length, _TRAINING, position])
        return self._batch(*self.task.generate(rng, self.batch_size)[:2])

    def validation_batches(self) -> list[Batch]:
        if self._validation is None:  # generated once, on the first validation
            rng = np.random.default_rng([self._seed, self.task.length, _VALIDATION])
            inputs, targets, _ = self.task.generate(rng, VALIDATION_SEQUENCES)
            size = 256  # sequences per validation batch: bounded memory at long T
            self._validation = [
                self._batch(inputs[start : start + size], targets[start : start + size])
                for start in range(0, VALIDATION_SEQUENCES, size)
            ]
        return list(self._validation)

    def batch_chars(self, count: int) -> np.ndarray:
        return np.full(count, self.batch_size, dtype=np.int64)

    def _batch(self, inputs: np.ndarray, targets: np.ndarray) -> Batch:
        if self.loss_kind == SQUARED_ERROR:
            asked = int(np.isfinite(targets).sum())
        else:
            asked = int((targets >= 0).sum())
        return Batch(
            inputs=torch.from_numpy(np.ascontiguousarray(inputs)),
            targets=torch.from_numpy(np.ascontiguousarray(targets)),
            reset_state=True,
            chars=asked,
        )

