"""The run history: every step's metrics, every validation, every change of settings.

Per-step values live in compact NumPy columns (``Column``), not Python lists: a list of floats
costs about 32 bytes per value (the float object and its pointer), a float32 column 4. A step
costs 37 bytes in all (step and characters seen as int64; loss, loss per character, gradient
norm, learning rate and training seconds as float32, which keeps every digit a plot or table
shows; clipped as a bool),
so a small model left training overnight stays in the tens of megabytes.

Stored in checkpoints as tensors and lists of plain values, so ``torch.load(weights_only=True)``
reads it back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

CHUNK = 65_536  # entries per chunk: appending never copies what is already stored

# name -> dtype of the per-step columns, in the order a checkpoint stores them
STEP_COLUMNS: dict[str, type] = {
    "steps": np.int64,
    "chars": np.int64,  # characters trained on so far, this step included
    "seconds": np.float32,  # training seconds so far (NaN: unknown, from an old checkpoint)
    "losses": np.float32,  # what the run minimises: nats per token (per character for text)
    # Nats per character of text: a word or BPE run's loss over the characters its targets
    # spell, so runs of every unit compare; a character run's (or a task's) loss as it is.
    "char_losses": np.float32,
    "grad_norms": np.float32,
    "learning_rates": np.float32,
    "clipped": np.bool_,
}

LN2 = math.log(2.0)


class Column:
    """An append-only 1-D array kept in fixed-size chunks: no reallocation, at most one chunk
    partly empty, so memory is the values' size however long the run."""

    def __init__(self, dtype: type, values: np.ndarray | None = None) -> None:
        self.dtype = np.dtype(dtype)
        self._chunks: list[np.ndarray] = []
        self._size = 0
        if values is not None:
            self.extend(values)

    def __len__(self) -> int:
        return self._size

    def append(self, value: Any) -> None:
        used = self._size % CHUNK
        if used == 0:
            self._chunks.append(np.empty(CHUNK, dtype=self.dtype))
        self._chunks[-1][used] = value
        self._size += 1

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=self.dtype).reshape(-1)
        while len(values):
            used = self._size % CHUNK
            if used == 0:
                self._chunks.append(np.empty(CHUNK, dtype=self.dtype))
            taken = min(CHUNK - used, len(values))
            self._chunks[-1][used : used + taken] = values[:taken]
            self._size += taken
            values = values[taken:]

    def since(self, start: int) -> np.ndarray:
        """A fresh copy of the entries from ``start`` on: cheap for the recent ones."""
        start = max(0, min(start, self._size))
        first = start // CHUNK
        pieces = self._chunks[first:]
        if not pieces:
            return np.empty(0, dtype=self.dtype)
        joined = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        offset = start - first * CHUNK
        return joined[offset : offset + self._size - start].copy()

    def array(self) -> np.ndarray:
        return self.since(0)

    def last(self) -> Any:
        if not self._size:
            raise IndexError("the column is empty")
        return self._chunks[-1][(self._size - 1) % CHUNK].item()

    def nbytes(self) -> int:
        return sum(chunk.nbytes for chunk in self._chunks)


@dataclass
class History:
    columns: dict[str, Column] = field(
        default_factory=lambda: {name: Column(dtype) for name, dtype in STEP_COLUMNS.items()}
    )
    # {"step", "loss"} per validation
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    # {"step", "name", "old", "new"}: learning-rate and clipping changes, divergences
    events: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.columns["steps"])

    # Whole columns as fresh arrays, for tables and tests; the window takes ``since`` slices.
    @property
    def steps(self) -> np.ndarray:
        return self.columns["steps"].array()

    @property
    def losses(self) -> np.ndarray:
        return self.columns["losses"].array()

    @property
    def chars(self) -> np.ndarray:
        return self.columns["chars"].array()

    @property
    def seconds(self) -> np.ndarray:
        return self.columns["seconds"].array()

    @property
    def grad_norms(self) -> np.ndarray:
        return self.columns["grad_norms"].array()

    def since(self, name: str, start: int) -> np.ndarray:
        return self.columns[name].since(start)

    def add_step(self, report: Any) -> None:
        """A ``StepReport``: its step, loss, norm, clipping, rate, chars_seen, training_seconds."""
        columns = self.columns
        columns["steps"].append(report.step)
        columns["chars"].append(report.chars_seen)
        columns["seconds"].append(report.training_seconds)
        columns["losses"].append(report.loss)
        per_character = getattr(report, "bits_per_char", math.nan) * LN2
        if not abs(per_character - report.loss) > 1e-9 * max(abs(report.loss), 1.0):
            per_character = report.loss  # a character run's: equal, not off by a rounding
        columns["char_losses"].append(per_character)
        columns["grad_norms"].append(report.grad_norm)
        columns["learning_rates"].append(report.learning_rate)
        columns["clipped"].append(report.clipped)

    def add_evaluation(self, report: Any) -> None:
        item = {"step": report.step, "loss": report.loss}
        bits = getattr(report, "bits_per_char", math.nan)
        if bits == bits and abs(bits * LN2 - report.loss) > 1e-9 * max(abs(report.loss), 1.0):
            item["bits_per_char"] = bits  # a word or BPE run's, per character (not loss / ln 2)
        accuracy = getattr(report, "accuracy", math.nan)
        if accuracy == accuracy:  # a symbol task's validation accuracy (NaN: none)
            item["accuracy"] = accuracy
        self.evaluations.append(item)

    def add_event(self, step: int, name: str, old: Any, new: Any) -> None:
        self.events.append({"step": step, "name": name, "old": str(old), "new": str(new)})

    def best_validation(self) -> float | None:
        """The lowest validation loss so far, or None before the first validation."""
        return min((item["loss"] for item in self.evaluations), default=None)

    def nbytes(self) -> int:
        """Bytes held by the per-step columns."""
        return sum(column.nbytes() for column in self.columns.values())

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: torch.from_numpy(column.array()) for name, column in self.columns.items()
        }
        values["evaluations"] = [dict(item) for item in self.evaluations]
        values["events"] = [dict(item) for item in self.events]
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any], chars: np.ndarray | None = None) -> History:
        """From ``to_dict``. A history written before characters and seconds were kept (format
        1) has neither: ``chars`` gives the characters seen at each step where the caller can
        derive them (else 0), and the seconds are unknown (NaN)."""
        steps = values["steps"].numpy()
        derived = {
            "chars": chars if chars is not None else np.zeros(len(steps), dtype=np.int64),
            "seconds": np.full(len(steps), np.nan, dtype=np.float32),
            # Written before runs read words or BPE pieces (format 3 and older): characters.
            "char_losses": values["losses"].numpy(),
        }
        columns = {}
        for name, dtype in STEP_COLUMNS.items():
            stored = values[name].numpy() if name in values else derived[name]
            if len(stored) != len(steps):
                raise ValueError(f"the history's {name} and steps differ in length")
            columns[name] = Column(dtype, stored)
        return cls(
            columns=columns,
            evaluations=[dict(item) for item in values["evaluations"]],
            events=[dict(item) for item in values["events"]],
        )
