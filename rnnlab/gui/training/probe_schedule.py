"""When the training thread probes the live model: on a budget of training time.

A probe costs about half a training step at 2 x 256 (``rnnlab bench``), so probing after every
step would halve training. After a probe that took d seconds, the next one waits until training
has run d * (1 - SHARE) / SHARE seconds more: probes then take SHARE of the time, whatever the
model size, and small models (cheap probes) are probed often, up to MAX_RATE a second.
Probes asked for by the user (while paused, after a single step, a new probe text) are not
counted: they do not slow training down.
"""

from __future__ import annotations

from dataclasses import dataclass

SHARE = 0.04  # the goal is at most 5 % of training time; keep a margin for the emit and copies
MAX_RATE = 4.0  # probes a second at most: the views redraw no faster than a person looks


@dataclass
class ProbeSchedule:
    next_at: float = 0.0  # training seconds at which the next probe is due: the first is at once
    probe_seconds: float = 0.0  # spent on scheduled probes
    probes: int = 0

    def due(self, training_seconds: float) -> bool:
        return training_seconds >= self.next_at

    def record(self, training_seconds: float, cost: float) -> None:
        """A scheduled probe at ``training_seconds`` took ``cost`` seconds."""
        self.probe_seconds += cost
        self.probes += 1
        self.next_at = training_seconds + max(cost * (1.0 - SHARE) / SHARE, 1.0 / MAX_RATE)

    def share(self, training_seconds: float) -> float:
        """Scheduled probes' share of training plus probing time so far."""
        total = training_seconds + self.probe_seconds
        return self.probe_seconds / total if total > 0 else 0.0
