"""The trainer learns, reports every step, takes live changes and refuses non-finite steps."""

import math

import numpy as np
import pytest
import torch
from engine_helpers import fast_training, tiny_model

from rnnlab.core.corpus import load_corpus
from rnnlab.core.errors import ConfigError
from rnnlab.core.optim import clip_gradients
from rnnlab.core.trainer import DivergenceReport, EvalReport, StepReport, new_trainer


def steps_of(reports):
    return [report for report in reports if isinstance(report, StepReport)]


def test_loss_falls_on_a_small_corpus(shakespeare) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare), fast_training())
    before = trainer.evaluate().loss
    reports = list(trainer.run(max_steps=120))
    after = trainer.evaluate().loss
    uniform = math.log(len(shakespeare.vocabulary))
    assert before == pytest.approx(uniform, abs=0.3)  # an untrained model guesses uniformly
    assert after < before - 0.9, (before, after)
    losses = [report.loss for report in steps_of(reports)]
    assert np.mean(losses[-20:]) < np.mean(losses[:20]) - 0.8


def test_step_reports_carry_the_metrics(shakespeare) -> None:
    config = fast_training(eval_every=5, clip="norm", clip_value=0.01)
    trainer = new_trainer(shakespeare, tiny_model(shakespeare), config)
    reports = list(trainer.run(max_steps=10))
    steps = steps_of(reports)
    evaluations = [report for report in reports if isinstance(report, EvalReport)]
    assert [report.step for report in steps] == list(range(1, 11))
    assert [report.step for report in evaluations] == [5, 10]
    first = steps[0]
    assert first.bits_per_char == pytest.approx(first.loss / math.log(2))
    assert first.clipped  # a threshold of 0.01 is always exceeded
    assert first.grad_norm > 0.01 and first.chars == 8 * 32 and first.chars_per_second > 0
    assert evaluations[0].perplexity == pytest.approx(math.exp(evaluations[0].loss))
    assert trainer.history.steps.tolist() == list(range(1, 11))
    assert [item["step"] for item in trainer.history.evaluations] == [5, 10]


@pytest.mark.parametrize("cell", ["sru", "gru", "rnn"])
def test_other_cells_learn(shakespeare, cell: str) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare, cell, layers=2), fast_training())
    before = trainer.evaluate().loss
    list(trainer.run(max_steps=80))
    assert trainer.evaluate().loss < before - 0.7


def test_same_seed_gives_the_same_run_on_cpu(shakespeare) -> None:
    def losses() -> list[float]:
        trainer = new_trainer(
            shakespeare, tiny_model(shakespeare, dropout=0.2, layers=2), fast_training()
        )
        return [report.loss for report in steps_of(trainer.run(max_steps=8))]

    assert losses() == losses()


def test_learning_rate_and_clipping_changes_are_recorded(shakespeare) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare), fast_training())
    run = trainer.run()
    for _ in range(3):
        next(run)
    trainer.set_learning_rate(1e-4)
    trainer.set_clipping("value", 0.5)
    report = next(run)
    assert report.learning_rate == 1e-4
    assert trainer.optimizer.param_groups[0]["lr"] == 1e-4
    events = trainer.history.events
    assert [(event["step"], event["name"]) for event in events] == [
        (3, "learning_rate"),
        (3, "clipping"),
    ]
    assert events[1]["new"] == "value 0.5"
    with pytest.raises(ConfigError, match="learning rate"):
        trainer.set_learning_rate(-1.0)


def test_value_clipping_turns_the_gradient_and_norm_clipping_does_not() -> None:
    torch.manual_seed(0)
    gradient = torch.tensor([10.0, 0.1, -3.0])
    for mode, expect_parallel in (("norm", True), ("value", False)):
        parameter = torch.nn.Parameter(torch.zeros(3))
        parameter.grad = gradient.clone()
        fired = clip_gradients([parameter], gradient.norm(), mode, 1.0)
        cosine = torch.nn.functional.cosine_similarity(parameter.grad, gradient, dim=0)
        assert fired
        assert (cosine.item() > 0.9999) is expect_parallel
        assert parameter.grad.abs().max() <= 1.0 + 1e-6


def test_non_finite_gradient_stops_training_and_keeps_the_last_good_weights(shakespeare) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare), fast_training())
    list(trainer.run(max_steps=3))
    good = {name: value.clone() for name, value in trainer.model.state_dict().items()}
    trainer.model.head.weight.register_hook(lambda grad: grad * float("inf"))
    reports = list(trainer.run(max_steps=5))
    assert len(reports) == 1 and isinstance(reports[0], DivergenceReport)
    assert reports[0].step == 4
    assert "gradient" in reports[0].reason and "head.weight" in reports[0].reason
    assert trainer.step == 3
    for name, value in trainer.model.state_dict().items():
        assert torch.equal(value, good[name]), name
    assert trainer.history.events[-1]["name"] == "divergence"


def test_non_finite_loss_is_reported_not_applied(shakespeare) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare), fast_training())
    with torch.no_grad():
        trainer.model.embedding.weight[:] = float("nan")
    reports = list(trainer.run(max_steps=2))
    assert isinstance(reports[0], DivergenceReport) and "loss is nan" in reports[0].reason
    assert trainer.step == 0 and trainer.optimizer.state == {}


def test_exploding_vanilla_rnn_without_clipping_is_caught(shakespeare) -> None:
    config = fast_training(clip="none", learning_rate=50.0, optimizer="sgd", momentum=0.0)
    model = tiny_model(shakespeare, "rnn-relu", hidden_size=64)
    trainer = new_trainer(shakespeare, model, config)
    reports = list(trainer.run(max_steps=200))
    assert isinstance(reports[-1], DivergenceReport)
    assert all(torch.isfinite(value).all() for value in trainer.model.state_dict().values())


def test_a_text_with_20000_distinct_characters_trains(tmp_path) -> None:
    rng = np.random.default_rng(0)
    characters = [chr(0x4E00 + index) for index in range(20_000)]
    text = "".join(rng.choice(characters, size=60_000)) + "".join(characters)
    path = tmp_path / "cjk.txt"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus(path)
    assert len(corpus.vocabulary) == 20_000
    trainer = new_trainer(corpus, tiny_model(corpus), fast_training(batch_size=4, seq_len=16))
    reports = steps_of(trainer.run(max_steps=2))
    assert all(math.isfinite(report.loss) for report in reports)


def test_line_mode_trains_on_whole_names(names) -> None:
    trainer = new_trainer(names, tiny_model(names, hidden_size=48), fast_training(batch_size=32))
    before = trainer.evaluate().loss
    list(trainer.run(max_steps=150))
    assert trainer.evaluate().loss < before - 0.7
