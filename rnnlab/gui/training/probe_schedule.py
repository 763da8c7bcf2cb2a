"""When the training thread probes the live model: on a budget of training time.

A probe costs about a tenth of a training step at 2 x 256 (``rnnlab bench``: ``probe_vs_step``),
so probing after every step would still slow training by a tenth. After a probe of a run, the
next one waits until training has run d * (1 - SHARE) / SHARE seconds more, d that run's typical
probe cost: probes then take SHARE of the time, whatever the model size, and models whose probes
are cheap are probed often, up to MAX_RATE a second of training: what the eye needs of the page
shown. Typical: the lower median of the run's last RECENT probes, not the last one alone: the
first probes pay for warming up (two to five times the cost), and one slow probe (a garbage
collection) would otherwise hold the next back by 24 times its delay.
A probe can only come between steps, so it comes late by part of a step; the next wait is
shortened by that lateness, and the waits average what the share allows. Probes asked for by the
user (while paused, after a single step, a new probe text) are not counted: they do not slow
training down.

With several runs training in turns, each scheduled probe is of one run (``ProbeRotation``): the
followed run, whose views are on show, unless another training run's overlaid curves are about
to be older than the goal of 4 s; the budget stays the same, one probe when due, whichever
run it is of.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

SHARE = 0.04  # the goal is at most 5 % of training time; keep a margin for the emit and copies
MAX_RATE = 2.0  # probes a second at most: a person reads a changing view no faster
RECENT = 8  # probes of a run whose typical cost sets the wait after it
# Another run's views are refreshed first once they are this old: the goal is at most 4 s, and
# the probe then waits for the step under way and a probe's share of training (about 0.8 s at
# 2 x 256 on one core).
STALE_AFTER = 3.0


@dataclass
class ProbeSchedule:
    next_at: float = 0.0  # training seconds at which the next probe is due: the first is at once
    probe_seconds: float = 0.0  # spent on scheduled probes
    probes: int = 0
    recent: dict[int, deque[float]] = field(default_factory=dict)  # run -> its last costs

    def due(self, training_seconds: float) -> bool:
        return training_seconds >= self.next_at

    def record(self, training_seconds: float, cost: float, run: int = 0) -> None:
        """A scheduled probe of ``run`` at ``training_seconds`` took ``cost`` seconds."""
        self.probe_seconds += cost
        self.probes += 1
        costs = self.recent.setdefault(run, deque(maxlen=RECENT))
        costs.append(cost)
        typical = sorted(costs)[(len(costs) - 1) // 2]
        wait = max(typical * (1.0 - SHARE) / SHARE, 1.0 / MAX_RATE)
        # A probe comes only between steps, so it is late by part of a step; the next wait is
        # that much shorter (never below half a wait), and the waits average ``wait``.
        late = max(training_seconds - self.next_at, 0.0)
        self.next_at = training_seconds + wait - min(late, wait / 2)

    def share(self, training_seconds: float) -> float:
        """Scheduled probes' share of training plus probing time so far."""
        total = training_seconds + self.probe_seconds
        return self.probe_seconds / total if total > 0 else 0.0


@dataclass
class ProbeRotation:
    """Which run a scheduled probe is of: the run probed longest ago (never probed counts as
    longest; ties go to the followed run, then the lower id) once its views are STALE_AFTER
    seconds old, else the followed run, whose views are on show. When probes are too rare for
    every run to be refreshed within STALE_AFTER, this is a plain rotation: none starves."""

    probed_at: dict[int, float] = field(default_factory=dict)  # run -> when it was last chosen

    def choose(self, followed: int | None, others: Sequence[int], now: float) -> int | None:
        """The run to probe at ``now`` (seconds, any clock). ``followed``: the followed run if it
        is training, else None; ``others``: the other runs training. None: nothing to probe."""
        candidates = ([] if followed is None else [followed]) + sorted(others)
        if not candidates:
            return None
        oldest = min(candidates, key=lambda run: self.probed_at.get(run, -math.inf))
        stale = now - self.probed_at.get(oldest, -math.inf) >= STALE_AFTER
        chosen = oldest if stale or followed is None else followed
        self.probed_at[chosen] = now
        return chosen
