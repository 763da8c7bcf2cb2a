"""The run history: every step's metrics, every validation, every change of settings.

Kept as plain Python lists while training; stored in checkpoints as tensors and lists of plain
values, so ``torch.load(weights_only=True)`` reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    clipped: list[bool] = field(default_factory=list)
    learning_rates: list[float] = field(default_factory=list)
    # {"step", "loss"} per validation
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    # {"step", "name", "old", "new"}: learning-rate and clipping changes, divergences
    events: list[dict[str, Any]] = field(default_factory=list)

    def add_step(self, report: Any) -> None:
        self.steps.append(report.step)
        self.losses.append(report.loss)
        self.grad_norms.append(report.grad_norm)
        self.clipped.append(report.clipped)
        self.learning_rates.append(report.learning_rate)

    def add_evaluation(self, report: Any) -> None:
        self.evaluations.append({"step": report.step, "loss": report.loss})

    def add_event(self, step: int, name: str, old: Any, new: Any) -> None:
        self.events.append({"step": step, "name": name, "old": str(old), "new": str(new)})

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": torch.tensor(self.steps, dtype=torch.int64),
            "losses": torch.tensor(self.losses, dtype=torch.float64),
            "grad_norms": torch.tensor(self.grad_norms, dtype=torch.float64),
            "clipped": torch.tensor(self.clipped, dtype=torch.bool),
            "learning_rates": torch.tensor(self.learning_rates, dtype=torch.float64),
            "evaluations": [dict(item) for item in self.evaluations],
            "events": [dict(item) for item in self.events],
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> History:
        return cls(
            steps=values["steps"].tolist(),
            losses=values["losses"].tolist(),
            grad_norms=values["grad_norms"].tolist(),
            clipped=values["clipped"].tolist(),
            learning_rates=values["learning_rates"].tolist(),
            evaluations=[dict(item) for item in values["evaluations"]],
            events=[dict(item) for item in values["events"]],
        )
