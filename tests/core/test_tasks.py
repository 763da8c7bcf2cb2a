"""Synthetic memory tasks: each generator's answers, recomputed here sequence by sequence; chance
levels; the models that read numbers; exact resume; and a tiny LSTM that learns one."""

import math

import numpy as np
import pytest
import torch

from rnnlab.core.checkpoint import load_checkpoint, save_checkpoint
from rnnlab.core.config import ModelConfig, TrainConfig, count_parameters
from rnnlab.core.errors import CheckpointError, ConfigError
from rnnlab.core.models import CharModel
from rnnlab.core.resume import resume_trainer
from rnnlab.core.task_data import VALIDATION_SEQUENCES, TaskData
from rnnlab.core.tasks import IGNORE_INDEX, TASKS, find_task, task_from_dict
from rnnlab.core.trainer import EvalReport, StepReport, new_trainer

SMALL = {"hidden_size": 16, "layers": 1, "embedding_size": 8}


def _generate(name: str, length: int, batch: int = 64, seed: int = 0):
    return find_task(name, length).generate(np.random.default_rng(seed), batch)


@pytest.mark.parametrize("length", [2, 5, 50])
def test_adding_answers_the_sum_of_the_two_marked_values(length) -> None:
    inputs, targets, marks = _generate("adding", length)
    assert inputs.shape == (64, length, 2) and inputs.dtype == np.float32
    assert targets.shape == (64, length)
    for values, markers, target, marked in zip(inputs[..., 0], inputs[..., 1], targets, marks):
        positions = [t for t in range(length) if markers[t] == 1.0]
        assert len(positions) == 2
        assert positions[0] < length // 2 <= positions[1]  # one in each half
        assert target[-1] == pytest.approx(values[positions[0]] + values[positions[1]])
        assert np.isnan(target[:-1]).all()  # only the last step is asked
        assert list(np.flatnonzero(marked)) == positions
        assert ((values >= 0) & (values < 1)).all()


def test_recall_answers_the_first_symbol_after_t_distractors() -> None:
    task = find_task("recall", 20)
    inputs, targets, marks = _generate("recall", 20)
    symbols = task.spec.symbols
    assert inputs.shape == targets.shape == (64, 22) and inputs.dtype == np.int64
    for codes, target in zip(inputs, targets):
        text = "".join(symbols[code] for code in codes)
        assert text[0] in "ABCDEFGH" and text[1:-1].isdigit() and text[-1] == "?"
        assert task.spec.classes[target[-1]] == text[0]
        assert (target[:-1] == IGNORE_INDEX).all()
    assert marks[:, 0].all() and not marks[:, 1:].any()


@pytest.mark.parametrize("length", [2, 5, 40])
def test_order_answers_which_events_came_in_which_order(length) -> None:
    task = find_task("order", length)
    inputs, targets, marks = _generate("order", length, batch=200)
    for codes, target, marked in zip(inputs, targets, marks):
        text = "".join(task.spec.symbols[code] for code in codes)
        events = [(t, char) for t, char in enumerate(text) if char in "XY"]
        assert len(events) == 2 and text[-1] == "?" and len(text) == length + 1
        assert task.spec.classes[target[-1]] == events[0][1] + events[1][1]
        assert list(np.flatnonzero(marked)) == [t for t, _ in events]
    if length >= 40:  # the first event early, the second in the middle: both far back
        first = np.argmax(marks, axis=1)
        assert (first < length / 5).all()
    assert set(targets[:, -1]) == {0, 1, 2, 3}  # every order occurs


def test_chance_is_the_loss_of_the_best_answer_that_ignores_the_inputs() -> None:
    _, targets, _ = _generate("adding", 10, batch=200_000)
    assert np.mean((targets[:, -1] - 1.0) ** 2) == pytest.approx(TASKS["adding"].chance, rel=0.01)
    for name in ("recall", "order"):
        spec = TASKS[name]
        _, targets, _ = _generate(name, 10, batch=50_000)
        counts = np.bincount(targets[:, -1], minlength=len(spec.classes)) / 50_000
        # Answers are equally likely, so the uniform guess is the best blind one: ln K.
        assert counts == pytest.approx(np.full(len(spec.classes), 1 / len(spec.classes)), abs=0.01)
        assert spec.chance == pytest.approx(math.log(len(spec.classes)))


def test_task_batches_are_reproducible_and_validation_is_held_out() -> None:
    data = TaskData(find_task("recall", 10), batch_size=8, seed=3)
    again = TaskData(find_task("recall", 10), batch_size=8, seed=3)
    assert torch.equal(data.train_batch(5).inputs, again.train_batch(5).inputs)
    assert not torch.equal(data.train_batch(5).inputs, data.train_batch(6).inputs)
    batch = data.train_batch(0)
    assert batch.reset_state and batch.chars == 8  # one answer per sequence
    validation = data.validation_batches()
    assert sum(len(b.inputs) for b in validation) == VALIDATION_SEQUENCES
    assert torch.equal(validation[0].inputs, again.validation_batches()[0].inputs)
    # Another length: other sequences, of the new length.
    longer = TaskData(find_task("recall", 30), batch_size=8, seed=3)
    assert longer.train_batch(5).inputs.shape == (8, 32)


def test_a_numeric_task_model_reads_numbers_and_answers_one() -> None:
    task = find_task("adding", 7)
    config = ModelConfig(**task.model_shape(), **SMALL)
    assert config.vocab_size == 0 and config.input_size == 2 and config.outputs == 1
    model = CharModel(config)
    assert isinstance(model.input_layer, torch.nn.Linear) and not hasattr(model, "embedding")
    assert model.input_layer.in_features == 2 and model.head.out_features == 1
    assert model.parameter_count() == count_parameters(config)
    outputs, _ = model(torch.rand(3, 7, 2))
    assert outputs.shape == (3, 7, 1)
    symbols = ModelConfig(**find_task("order", 7).model_shape(), cell="gru", **SMALL)
    assert CharModel(symbols).parameter_count() == count_parameters(symbols)
    with pytest.raises(ConfigError, match=r"numbers \(input size\) or symbols"):
        ModelConfig(vocab_size=5, input_size=2)


@pytest.mark.parametrize("cell, bias", [("lstm", 1.0), ("gru", None), ("sru", 0.0)])
def test_the_memory_gate_starts_at_the_cell_default_or_the_setting(cell, bias) -> None:
    def gate(config: ModelConfig) -> torch.Tensor:
        model, hidden = CharModel(config), config.hidden_size
        if cell == "sru":
            return model.sru_layers[0].forget_bias.detach()
        recurrent = model.recurrent
        return (recurrent.bias_ih_l0 + recurrent.bias_hh_l0)[hidden : 2 * hidden].detach()

    base = ModelConfig(vocab_size=10, cell=cell, **SMALL)
    if bias is None:  # PyTorch's own draw: varies, within ±2/√H for the sum of two biases
        values = gate(base)
        assert values.std() > 0 and values.abs().max() <= 2 / math.sqrt(16)
    else:
        assert torch.equal(gate(base), torch.full((16,), bias))
    assert torch.equal(gate(ModelConfig(**{**base.to_dict(), "forget_bias": 2.5})),
                       torch.full((16,), 2.5))  # fmt: skip


def test_a_task_run_resumes_exactly_and_can_go_on_at_another_length(tmp_path) -> None:
    task = find_task("adding", 8)
    model = ModelConfig(**task.model_shape(), **SMALL)
    config = TrainConfig(batch_size=8, eval_every=10, threads=1)
    whole = new_trainer(task, model, config)
    expected = [r.loss for r in whole.run(max_steps=20) if isinstance(r, StepReport)]

    first = new_trainer(task, model, config)
    list(first.run(max_steps=10))
    path = save_checkpoint(first, task, tmp_path / "adding.pt")
    checkpoint = load_checkpoint(path)
    assert checkpoint.task == task and checkpoint.vocabulary is None
    resumed, source = resume_trainer(checkpoint)
    assert source == task
    rest = [r.loss for r in resumed.run(max_steps=10) if isinstance(r, StepReport)]
    assert rest == pytest.approx(expected[10:], rel=1e-6)

    harder, source = resume_trainer(load_checkpoint(path), task_length=30)
    assert source == find_task("adding", 30) and harder.step == 10
    assert harder.data.train_batch(harder.position).inputs.shape == (8, 30, 2)
    list(harder.run(max_steps=2))
    save_checkpoint(harder, source, tmp_path / "harder.pt")
    assert load_checkpoint(tmp_path / "harder.pt").task.length == 30


def test_a_damaged_task_in_a_checkpoint_is_named(tmp_path) -> None:
    task = find_task("recall", 5)
    trainer = new_trainer(task, ModelConfig(**task.model_shape(), **SMALL), TrainConfig())
    path = save_checkpoint(trainer, task, tmp_path / "recall.pt")
    payload = torch.load(path, weights_only=True)
    payload["task"] = {"name": "juggling", "length": 5}
    torch.save(payload, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match="no task called 'juggling'"):
        load_checkpoint(tmp_path / "bad.pt")
    with pytest.raises(ConfigError, match="task length"):
        task_from_dict({"name": "recall", "length": 0})


def test_a_tiny_lstm_solves_adding_at_t_5() -> None:
    task = find_task("adding", 5)
    model = ModelConfig(**task.model_shape(), hidden_size=32, layers=1, embedding_size=16)
    config = TrainConfig(batch_size=32, learning_rate=2e-3, clip_value=1.0, eval_every=100,
                         threads=1)  # fmt: skip
    trainer = new_trainer(task, model, config)
    validations = [r.loss for r in trainer.run(max_steps=400) if isinstance(r, EvalReport)]
    assert validations[-1] < 0.1 * task.spec.chance  # the chance line is far above


def test_symbol_task_validation_reports_accuracy() -> None:
    task = find_task("recall", 3)
    trainer = new_trainer(task, ModelConfig(**task.model_shape(), **SMALL), TrainConfig())
    report = trainer.evaluate()
    assert 0.0 <= report.accuracy <= 1.0
    assert trainer.history.evaluations[-1]["accuracy"] == report.accuracy


def test_a_numeric_task_run_names_its_input_layer_for_the_views() -> None:
    task = find_task("adding", 5)
    trainer = new_trainer(task, ModelConfig(**task.model_shape(), **SMALL), TrainConfig())
    list(trainer.run(max_steps=1))
    assert set(trainer.group_grad_norms()) == {
        "input layer", "layer 1 input", "layer 1 recurrent", "output"
    }  # fmt: skip


def test_a_text_checkpoint_written_before_tasks_still_opens_and_resumes(
    tmp_path, shakespeare
) -> None:
    corpus = shakespeare
    model = ModelConfig(vocab_size=len(corpus.vocabulary), **SMALL)
    trainer = new_trainer(corpus, model, TrainConfig(batch_size=4, seq_len=16, eval_chars=64))
    list(trainer.run(max_steps=3))
    path = save_checkpoint(trainer, corpus, tmp_path / "text.pt")
    payload = torch.load(path, weights_only=True)
    payload["format"] = 2  # as the rnnlab before tasks wrote it: no "task" key at all
    del payload["task"]
    torch.save(payload, tmp_path / "format2.pt")
    checkpoint = load_checkpoint(tmp_path / "format2.pt")
    assert checkpoint.task is None and checkpoint.step == 3
    resumed, source = resume_trainer(checkpoint, corpus)
    assert source is corpus and resumed.step == 3
