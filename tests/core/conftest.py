"""Small real corpora for the engine tests (a slice of the bundled texts, written to disk)."""

from pathlib import Path

import pytest

from rnnlab.core.corpus import Corpus, bundled_data_dir, load_corpus


@pytest.fixture(scope="session")
def shakespeare_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = (bundled_data_dir() / "tinyshakespeare.txt").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("corpora") / "shakespeare_40k.txt"
    path.write_text(text[:40_000], encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def shakespeare(shakespeare_path: Path) -> Corpus:
    return load_corpus(shakespeare_path)


@pytest.fixture(scope="session")
def names() -> Corpus:
    return load_corpus("names")


@pytest.fixture(scope="session")
def trained_shakespeare(shakespeare: Corpus):
    """A tiny 2-layer LSTM trained for a few seconds: enough to prefer real letters."""
    from engine_helpers import fast_training, tiny_model

    from rnnlab.core.trainer import new_trainer

    trainer = new_trainer(
        shakespeare, tiny_model(shakespeare, layers=2, hidden_size=48), fast_training()
    )
    list(trainer.run(max_steps=150))
    return trainer


@pytest.fixture(scope="session")
def trained_names(names: Corpus):
    from engine_helpers import fast_training, tiny_model

    from rnnlab.core.trainer import new_trainer

    trainer = new_trainer(names, tiny_model(names, hidden_size=64), fast_training(batch_size=64))
    list(trainer.run(max_steps=200))
    return trainer
