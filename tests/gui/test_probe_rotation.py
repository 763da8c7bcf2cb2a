"""Probes of several runs training in turns: the followed run gets the scheduled probes the
others leave, each other run is probed before its views are 4 s old, within the same time budget,
and each probe names its run."""

from __future__ import annotations

import pytest

# The worker tests' fixtures: a worker in a real QThread, a recorder of its signals, a corpus.
from test_worker import corpus, start, tiny_trainer  # noqa: F401

from rnnlab.core.config import ModelConfig
from rnnlab.core.trainer import new_trainer
from rnnlab.gui.training.probe_schedule import STALE_AFTER, ProbeRotation
from rnnlab.gui.training.requests import Follow, SetProbe


def test_the_followed_run_is_probed_unless_another_runs_views_get_old() -> None:
    rotation = ProbeRotation()
    chosen = [rotation.choose(1, [2, 3], now=0.5 * half) for half in range(10)]  # every 0.5 s
    # No run has views yet; then runs 2 and 3 again once their views are STALE_AFTER old.
    assert STALE_AFTER == 3.0
    assert chosen == [1, 2, 3, 1, 1, 1, 1, 2, 3, 1]
    assert [ProbeRotation().choose(1, [], now=t) for t in (0.0, 0.1, 0.2)] == [1, 1, 1]
    paused = ProbeRotation()  # the followed run paused: the others take every probe, in turn
    assert [paused.choose(None, [2, 5], now=t) for t in (0.0, 0.1, 0.2)] == [2, 5, 2]
    assert ProbeRotation().choose(None, [], now=0.0) is None


def _longest_waits(runs: list[int], interval: float, seconds: float = 120.0) -> dict[int, float]:
    """Each run's longest wait between two of its probes, when a probe is due every
    ``interval`` seconds and ``runs[0]`` is followed."""
    rotation, last, longest = ProbeRotation(), dict.fromkeys(runs, 0.0), dict.fromkeys(runs, 0.0)
    now = 0.0
    while now < seconds:
        run = rotation.choose(runs[0], runs[1:], now)
        assert run is not None
        longest[run] = max(longest[run], now - last[run])
        last[run] = now
        now += interval
    return longest


def test_four_big_runs_each_refresh_within_4_s_and_the_followed_one_gets_the_rest() -> None:
    # A probe due every 0.85 s: a 2 x 256 LSTM's probe (about 30 ms) on a 4 % share, plus the
    # step under way (``rnnlab bench runs`` measures it in the window).
    assert max(_longest_waits([1, 2, 3, 4], interval=0.85).values()) <= 4.0
    two = _longest_waits([1, 2], interval=0.85)
    assert two[2] <= 4.0 and two[1] < 2 * 0.85 + 0.01  # the followed run: all but every 4th
    # Probes too rare for every run to be refreshed in time: a rotation, the followed run too.
    slow = _longest_waits([1, 2, 3, 4], interval=1.25)
    assert max(slow.values()) == pytest.approx(4 * 1.25)


def test_a_run_not_followed_is_probed_and_tagged_with_its_run(start, corpus):  # noqa: F811
    def smaller():  # another shape, so a probe shows which model it was made of
        model = ModelConfig(vocab_size=len(corpus.vocabulary), hidden_size=12, embedding_size=8)
        return new_trainer(corpus, model, tiny_trainer(corpus).config)

    harness = start(runs={1: lambda: tiny_trainer(corpus), 2: smaller})
    recorder = harness.recorder
    harness.worker.submit(Follow(1))
    harness.worker.submit(SetProbe(corpus.vocabulary, corpus.text[-80:]))
    harness.wait_until(lambda: {run for run, _ in recorder.run_inspections} == {1, 2})
    harness.wait_until(lambda: len(recorder.run_inspections) >= 4)
    for run, inspection in recorder.run_inspections:
        assert inspection.probe.layers[0].gates["h"].shape[1] == {1: 24, 2: 12}[run]
    # inspected keeps carrying the followed run's probes only.
    assert recorder.inspections and all(
        inspection.probe.layers[0].gates["h"].shape[1] == 24 for inspection in recorder.inspections
    )
    # The first probe, served at once for the new text, is the followed run's and not
    # scheduled; the next scheduled one is run 2's, which has no views yet; together they keep to
    # the budget.
    scheduled = [run for run, _ in recorder.run_inspections[1:4]]
    assert scheduled.count(1) >= 1 and scheduled.count(2) >= 1
    probes, share = harness.worker.probe_statistics()
    assert probes >= 2 and share < 0.1
