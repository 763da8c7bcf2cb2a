"""When the training thread probes: 4 % of training time, at most twice a second of training."""

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
    for second, cost in enumerate([0.073, 0.134, 0.046, 0.030, 0.030, 0.030, 0.030, 0.300]):
        schedule.record(float(second), cost)  # warming up (measured in the window); then a GC
        waits.append(schedule.next_at - second)
    assert waits[-3:] == pytest.approx([0.030 * 24] * 3)  # the usual cost's wait, not 7.2 s


def test_runs_of_different_sizes_each_wait_on_their_own_cost() -> None:
    schedule = ProbeSchedule()
    for _ in range(3):
        schedule.record(0.0, 0.100, run=1)  # a big run
        schedule.record(0.0, 0.001, run=2)  # a tiny one
    schedule.record(10.0, 0.100, run=1)
    assert schedule.next_at == pytest.approx(10.0 + 2.4)
