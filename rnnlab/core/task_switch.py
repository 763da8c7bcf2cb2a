"""A task run goes on at another distance T: the lesson's "now make it harder"."""

from __future__ import annotations

from rnnlab.core.batching import TrainingData
from rnnlab.core.task_data import TaskData
from rnnlab.core.tasks import Task
from rnnlab.core.trainer import Trainer


def switch_task_length(trainer: Trainer, task: Task, data: TrainingData | None = None) -> None:
    """Go on training at another length T ("now make it harder"): new batches (``data``, or
    built for the trainer's settings), a new held-out set, and the change in the history, so the
    plots mark where the task got harder. Batch positions go on counting: resuming is exact."""
    old = trainer.data
    if not isinstance(old, TaskData) or old.task.spec != task.spec:
        raise ValueError(f"this run does not train on {task.spec.name}: only its length can change")
    if old.task.length == task.length:
        return
    trainer.data = data or TaskData(task, trainer.config.batch_size, trainer.config.seed)
    trainer.reset_validation()
    trainer.history.add_event(trainer.step, "task_length", old.task.length, task.length)
