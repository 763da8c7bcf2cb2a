"""Checkpoints resume exactly and refuse anything that is not a plain-data rnnlab checkpoint."""

import io
import pathlib
import zipfile

import pytest
import torch
from engine_helpers import fast_training, tiny_model

from rnnlab.core.checkpoint import FORMAT_VERSION, load_checkpoint, save_checkpoint
from rnnlab.core.corpus import load_corpus
from rnnlab.core.errors import CheckpointError
from rnnlab.core.resume import resume_trainer
from rnnlab.core.sampling import Sampler, SampleSettings
from rnnlab.core.trainer import StepReport, new_trainer


def losses(reports) -> list[float]:
    return [report.loss for report in reports if isinstance(report, StepReport)]


@pytest.mark.parametrize("corpus_name", ["shakespeare", "names"])
def test_resume_gives_the_same_losses_as_an_uninterrupted_run(
    request, tmp_path, corpus_name
) -> None:
    corpus = request.getfixturevalue(corpus_name)
    # Dropout uses the random generator, and the small batch wraps an epoch in the names run.
    model = tiny_model(corpus, layers=2, dropout=0.3)
    config = fast_training(eval_every=4, optimizer="adamw", weight_decay=0.01)
    uninterrupted = losses(new_trainer(corpus, model, config).run(max_steps=14))

    first = new_trainer(corpus, model, config)
    head = losses(first.run(max_steps=6))
    path = save_checkpoint(first, corpus, tmp_path / "run.pt")
    del first
    torch.manual_seed(12345)  # whatever happened to the generator in between
    resumed, resumed_corpus = resume_trainer(load_checkpoint(path))
    assert resumed.step == 6 and resumed_corpus.fingerprint == corpus.fingerprint
    tail = losses(resumed.run(max_steps=8))
    assert len(head + tail) == len(uninterrupted)
    for mine, theirs in zip(head + tail, uninterrupted):
        assert mine == pytest.approx(theirs, abs=1e-6)
    assert resumed.history.steps.tolist() == list(range(1, 15))


def test_checkpoint_holds_what_a_user_needs(trained_shakespeare, shakespeare, tmp_path) -> None:
    path = save_checkpoint(trained_shakespeare, shakespeare, tmp_path / "deep" / "model.pt")
    assert [p.name for p in path.parent.iterdir()] == ["model.pt"]  # no temporary left behind
    checkpoint = load_checkpoint(path)
    assert checkpoint.step == trained_shakespeare.step
    assert checkpoint.vocabulary == shakespeare.vocabulary
    assert checkpoint.corpus_info["fingerprint"] == shakespeare.fingerprint
    assert checkpoint.history.losses.tolist() == trained_shakespeare.history.losses.tolist()
    settings = SampleSettings(seed=4)
    original = Sampler.from_model(trained_shakespeare.model, shakespeare.vocabulary).sample(
        "A", 60, settings
    )
    assert (
        Sampler.from_model(checkpoint.model, checkpoint.vocabulary).sample("A", 60, settings)
        == original
    )
    # Plain PyTorch reads it without rnnlab's classes.
    raw = torch.load(path, weights_only=True)
    assert raw["format"] == FORMAT_VERSION and "embedding.weight" in raw["weights"]


class _Touch:
    """Unpickling this would create a file: the classic hostile-pickle payload, made harmless."""

    def __init__(self, target: pathlib.Path) -> None:
        self.target = target

    def __reduce__(self):
        return (pathlib.Path.touch, (self.target,))


def test_a_hostile_pickle_is_refused_and_never_runs(tmp_path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"format": 1, "weights": _Touch(marker)}, path)
    assert not marker.exists()
    with pytest.raises(CheckpointError, match="refused: it holds objects other than plain data"):
        load_checkpoint(path)
    assert not marker.exists()


def test_corrupt_and_foreign_files_get_clear_messages(
    trained_shakespeare, shakespeare, tmp_path
) -> None:
    good = save_checkpoint(trained_shakespeare, shakespeare, tmp_path / "good.pt").read_bytes()
    cases = {
        "truncated.pt": (good[: len(good) // 2], "truncated or corrupt"),
        "text.pt": (b"hello, this is not a model\n" * 10, "not a checkpoint"),
        "empty.pt": (b"", "is empty"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(CheckpointError, match=message):
            load_checkpoint(tmp_path / name)
    torch.save({"just": torch.zeros(3)}, tmp_path / "foreign.pt")
    with pytest.raises(CheckpointError, match="not an rnnlab checkpoint"):
        load_checkpoint(tmp_path / "foreign.pt")
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")
    with pytest.raises(CheckpointError, match="is a folder"):
        load_checkpoint(tmp_path)


def test_a_newer_format_is_refused_with_advice(trained_shakespeare, shakespeare, tmp_path) -> None:
    path = save_checkpoint(trained_shakespeare, shakespeare, tmp_path / "model.pt")
    payload = torch.load(path, weights_only=True)
    payload["format"] = FORMAT_VERSION + 1
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match=r"newer rnnlab.*upgrade rnnlab"):
        load_checkpoint(path)


def test_damaged_weights_are_reported(trained_shakespeare, shakespeare, tmp_path) -> None:
    path = save_checkpoint(trained_shakespeare, shakespeare, tmp_path / "model.pt")
    payload = torch.load(path, weights_only=True)
    payload["weights"]["head.weight"] = torch.zeros(3, 3)
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match="damaged"):
        load_checkpoint(path)


def test_resume_refuses_a_changed_corpus(tmp_path) -> None:
    corpus_path = tmp_path / "poems.txt"
    corpus_path.write_text("roses are red, violets are blue\n" * 200, encoding="utf-8")
    corpus = load_corpus(corpus_path)
    trainer = new_trainer(corpus, tiny_model(corpus), fast_training())
    list(trainer.run(max_steps=2))
    path = save_checkpoint(trainer, corpus, tmp_path / "poems.pt")
    corpus_path.write_text(
        "roses are red, violets are blue\n" * 199 + "changed\n", encoding="utf-8"
    )
    with pytest.raises(CheckpointError, match=r"is not the text .* was trained on"):
        resume_trainer(load_checkpoint(path))
    corpus_path.unlink()
    with pytest.raises(CheckpointError, match="cannot be loaded"):
        resume_trainer(load_checkpoint(path))


def test_the_file_is_a_plain_zip_archive(trained_shakespeare, shakespeare, tmp_path) -> None:
    path = save_checkpoint(trained_shakespeare, shakespeare, tmp_path / "model.pt")
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        assert any(name.endswith("data.pkl") for name in archive.namelist())
