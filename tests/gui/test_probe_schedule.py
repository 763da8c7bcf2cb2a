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


def test_one_slow_probe_does_not_hold_the_next_back() -> None:
    schedule = ProbeSchedule()
    for second in range(8):
        schedule.record(float(second), 0.030)
    schedule.record(8.0, 0.300)  # a garbage collection, say: ten times the usual
    wait = schedule.next_at - 8.0
    # The mean of the last probes sets the wait: 1.6 s, where this probe alone would say 7.2 s.
    assert wait < 2.0
