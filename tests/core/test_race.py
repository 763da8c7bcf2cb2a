"""Races: equal parameters, the same batches for every run, fair turns, runs dropping out alone."""

import dataclasses

import numpy as np
import pytest
import torch
from engine_helpers import fast_training, tiny_model

from rnnlab.core.config import CELL_TYPES, ModelConfig, count_parameters
from rnnlab.core.errors import ConfigError
from rnnlab.core.race import Race, hidden_size_for, new_race, race_models


@pytest.mark.parametrize("hidden, layers", [(256, 2), (128, 1), (32, 1)])
def test_equal_parameters_are_within_five_percent_of_the_lstm(hidden, layers) -> None:
    base = ModelConfig(vocab_size=65, hidden_size=hidden, layers=layers, cell="gru")
    budget = count_parameters(dataclasses.replace(base, cell="lstm"))
    models = race_models(CELL_TYPES, base)
    assert [model.cell for model in models] == list(CELL_TYPES)
    for model in models:
        assert abs(count_parameters(model) - budget) <= 0.05 * budget, model
    lstm = next(model for model in models if model.cell == "lstm")
    assert lstm.hidden_size == hidden  # the LSTM is its own budget
    rnn = next(model for model in models if model.cell == "rnn")
    assert rnn.hidden_size > hidden  # a vanilla cell needs more units for the same budget


def test_equal_hidden_keeps_the_size_and_bad_cells_are_refused() -> None:
    base = ModelConfig(vocab_size=65, hidden_size=48, layers=1)
    assert {model.hidden_size for model in race_models(["rnn", "gru"], base, "hidden")} == {48}
    with pytest.raises(ConfigError, match="transformer"):
        race_models(["lstm", "transformer"], base)
    with pytest.raises(ConfigError):
        race_models(["lstm"], base, "speed")
    assert hidden_size_for("lstm", 1, base) == 1


def _race(corpus, cells=("rnn", "lstm", "gru"), **budget) -> Race:
    base = tiny_model(corpus, hidden_size=24)
    return new_race(corpus, race_models(cells, base), fast_training(eval_every=4), **budget)


def test_every_run_sees_the_same_batches_in_the_same_order(shakespeare) -> None:
    race = _race(shakespeare, max_steps=6)
    positions: dict[str, list[int]] = {lane.name: [] for lane in race.lanes}
    while (lane := race.next_lane()) is not None:
        positions[lane.name].append(lane.trainer.position)  # the batch this turn trains on
        race.turn(lane)
    assert all(seen == list(range(6)) for seen in positions.values()), positions
    data = race.lanes[0].trainer.data
    assert all(lane.trainer.data is data for lane in race.lanes)  # one set of batches
    # Same seed: the RNN's first batch loss equals that of a run trained alone.
    alone = _race(shakespeare, cells=("rnn",), max_steps=1)
    alone.turn()
    first = race.lanes[0].trainer.history.losses[0]
    assert alone.lanes[0].trainer.history.losses[0] == first
    # Validations every 4 steps, and one at the end of each run's budget: steps 4 and 6.
    for lane in race.lanes:
        assert [item["step"] for item in lane.trainer.history.evaluations] == [4, 6]


def test_time_turns_go_to_the_run_furthest_behind(shakespeare) -> None:
    race = _race(shakespeare, seconds=0.3)
    turns = 0
    while (lane := race.next_lane()) is not None:
        behind = min(other.seconds for other in race.lanes if other.active)
        assert lane.seconds == behind
        race.turn(lane)
        turns += 1
    shares = [lane.seconds for lane in race.lanes]
    longest_step = max(
        float(np.diff(lane.trainer.history.seconds, prepend=0.0).max()) for lane in race.lanes
    )
    # Every run had its share; none more than one step beyond it.
    assert all(0.3 <= share <= 0.3 + longest_step + 1e-6 for share in shares), shares
    assert turns == sum(lane.steps for lane in race.lanes)


def test_a_paused_run_waits_and_resumes_where_it_stopped(shakespeare) -> None:
    race = _race(shakespeare, max_steps=5)
    rnn = race.lanes[0]
    rnn.paused = True
    list(race.run())
    assert rnn.steps == 0 and all(lane.steps == 5 for lane in race.lanes[1:])
    rnn.paused = False
    list(race.run())
    assert rnn.steps == 5 and rnn.trainer.history.steps.tolist() == [1, 2, 3, 4, 5]


def test_a_diverging_run_drops_out_and_the_others_go_on(shakespeare) -> None:
    race = _race(shakespeare, max_steps=4)
    race.turn(race.lanes[1])
    with torch.no_grad():
        race.lanes[1].trainer.model.head.weight.fill_(float("nan"))
    finished = list(race.run())
    assert race.lanes[1].diverged.startswith("the training loss is nan")
    assert race.lanes[1].steps == 1 and race.lanes[1].trainer.step == 1
    assert race.lanes[0].steps == race.lanes[2].steps == 4
    assert finished[-1] is not race.lanes[1]
