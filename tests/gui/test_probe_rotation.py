"""Probes of several runs training in turns: the followed run gets every other scheduled probe,
the other runs share the rest, within the same time budget, and each probe names its run."""

from __future__ import annotations

# The worker tests' fixtures: a worker in a real QThread, a recorder of its signals, a corpus.
from test_worker import corpus, start, tiny_trainer  # noqa: F401

from rnnlab.core.config import ModelConfig
from rnnlab.core.trainer import new_trainer
from rnnlab.gui.training.probe_schedule import ProbeRotation
from rnnlab.gui.training.requests import Follow, SetProbe


def test_the_rotation_alternates_the_followed_run_with_the_others_in_turn() -> None:
    rotation = ProbeRotation()
    chosen = [rotation.choose(1, [2, 3]) for _ in range(8)]
    assert chosen == [1, 2, 1, 3, 1, 2, 1, 3]
    assert [ProbeRotation().choose(1, []) for _ in range(3)] == [1, 1, 1]  # one run: every time
    paused = ProbeRotation()  # the followed run paused: the others take every probe
    assert [paused.choose(None, [2, 5]) for _ in range(3)] == [2, 5, 2]
    assert ProbeRotation().choose(None, []) is None
    joined = ProbeRotation(probes=1, last_other=2)  # run 4 joined, run 2 left: no run skipped
    assert [joined.choose(1, [3, 4]) for _ in range(4)] == [3, 1, 4, 1]


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
    # Scheduled probes alternate (the first, served at once for the new text, is the followed
    # run's and not scheduled), and together keep to the budget.
    scheduled = [run for run, _ in recorder.run_inspections[1:4]]
    assert scheduled.count(1) >= 1 and scheduled.count(2) >= 1
    probes, share = harness.worker.probe_statistics()
    assert probes >= 2 and share < 0.1
