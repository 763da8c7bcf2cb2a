"""When the training thread probes the live model: on a budget of training time.

A probe costs about a tenth of a training step at 2 x 256 (``rnnlab bench``: ``probe_vs_step``),
so probing after every step would still slow training by a tenth. After a probe that took d
seconds, the next one waits until training has run d * (1 - SHARE) / SHARE seconds more: probes
then take SHARE of the time, whatever the model size, and models whose probes are cheap are
probed often, up to MAX_RATE a second of training: what the eye needs of the page shown.
Probes asked for by the user (while paused, after a single step, a new probe text) are not
counted: they do not slow training down.

With several runs training in turns, the scheduled probes rotate (``ProbeRotation``): every other
one is of the followed run, the rest go round the other training runs, so the inspector can draw
their latest curves beside the followed run's. The budget stays the same: one probe when due,
whichever run it is of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SHARE = 0.04  # the goal is at most 5 % of training time; keep a margin for the emit and copies
MAX_RATE = 2.0  # probes a second at most: a person reads a changing view no faster


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


@dataclass
class ProbeRotation:
    """Which run a scheduled probe is of: the followed run every other time, the other training
    runs in turn in between (in the order of their ids, so a run that joins or leaves changes
    nothing for the others)."""

    probes: int = 0  # scheduled probes chosen so far
    last_other: int | None = None  # the other run probed last

    def choose(self, followed: int | None, others: Sequence[int]) -> int | None:
        """The run to probe now. ``followed``: the followed run if it is training, else None;
        ``others``: the other runs training. None when there is nothing to probe."""
        self.probes += 1
        if not others or (followed is not None and self.probes % 2 == 1):
            return followed
        ordered = sorted(others)
        later = [run for run in ordered if self.last_other is None or run > self.last_other]
        self.last_other = (later or ordered)[0]
        return self.last_other
