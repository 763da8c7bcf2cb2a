"""When the training thread probes: 4 % of training time, at most twice a second of training."""

import itertools

import pytest

from rnnlab.gui.training.probe_schedule import MAX_RATE, SHARE, ProbeSchedule


def _probes_in(training_seconds: float, probe_cost: float) -> int:
    """Scheduled probes over ``training_seconds`` of training, each costing ``probe_cost``."""
    schedule, now, probes = ProbeSchedule(), 0.0, 0
    while now < training_seconds:
        if schedule.due(now):
            schedule.record(now, probe_cost)
            probes += 1
        now += 0.01  # a training step
    return probes


def test_cheap_probes_come_twice_a_second_not_more() -> None:
    assert MAX_RATE == 2.0  # what the eye needs of the page shown
    assert _probes_in(60.0, probe_cost=0.001) == pytest.approx(60 * MAX_RATE, abs=2)


def test_a_2x256_lstm_probe_refreshes_the_views_within_a_second_on_its_share() -> None:
    # A probe of about 30 ms (a 2 x 256 LSTM on this CPU, ``rnnlab bench``) on a 4 % share.
    probes = _probes_in(60.0, probe_cost=0.030)
    assert probes >= 60  # at least one a second of training
    assert probes * 0.030 / (60 + probes * 0.030) == pytest.approx(SHARE, abs=0.005)


def test_an_expensive_probe_keeps_to_its_share() -> None:
    probes = _probes_in(100.0, probe_cost=0.4)
    assert probes * 0.4 / (100 + probes * 0.4) <= SHARE + 0.005


def test_slow_first_probes_and_a_slow_one_do_not_hold_the_next_back() -> None:
    schedule = ProbeSchedule()
    waits = []
    for cost in [0.073, 0.134, 0.046, 0.030, 0.030, 0.030, 0.030, 0.300]:
        now = schedule.next_at  # each probe when due
        schedule.record(now, cost)  # warming up (measured in the window); then a GC
        waits.append(schedule.next_at - now)
    assert waits[-3:] == pytest.approx([0.030 * 24] * 3)  # the usual cost's wait, not 7.2 s


def test_runs_of_different_sizes_each_wait_on_their_own_cost() -> None:
    schedule = ProbeSchedule()
    for _ in range(3):
        schedule.record(schedule.next_at, 0.100, run=1)  # a big run
        schedule.record(schedule.next_at, 0.001, run=2)  # a tiny one
    now = schedule.next_at
    schedule.record(now, 0.100, run=1)
    assert schedule.next_at == pytest.approx(now + 2.4)  # the big run's wait, not the tiny's


def test_probes_between_long_steps_keep_their_pace_and_share() -> None:
    """Steps of 0.15 s (a 2 x 256 LSTM's, batch 32 x 64): a probe comes at the end of the step
    during which it fell due, and the next wait makes up for it."""
    schedule, now, moments, cost = ProbeSchedule(), 0.0, [], 0.033
    while now < 120.0:
        now += 0.15  # a training step
        if schedule.due(now):
            schedule.record(now, cost)
            moments.append(now)
    waits = [later - earlier for earlier, later in itertools.pairwise(moments)]
    assert sum(waits) / len(waits) == pytest.approx(cost * (1 - SHARE) / SHARE, rel=0.05)
    assert schedule.share(now) == pytest.approx(SHARE, abs=0.002)
