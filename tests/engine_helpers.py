"""Small settings for engine tests: tiny models, fast training."""

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus


def tiny_model(corpus: Corpus, cell: str = "lstm", **overrides) -> ModelConfig:
    values = {"hidden_size": 32, "layers": 1, "embedding_size": 16, **overrides}
    return ModelConfig(vocab_size=len(corpus.vocabulary), cell=cell, **values)


def fast_training(**overrides) -> TrainConfig:
    values = {
        "batch_size": 8,
        "seq_len": 32,
        "eval_every": 10_000,
        "eval_chars": 2_000,
        "learning_rate": 1e-2,
        "device": "cpu",
        **overrides,
    }
    return TrainConfig(**values)
