"""Model and training settings as frozen dataclasses.

The defaults are a preset that learns well on a laptop CPU: a 2 x 256 LSTM reaches about
1.8 nats/char on tinyshakespeare in three minutes on one core.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from rnnlab.core.errors import ConfigError
from rnnlab.core.tokens import TokenUnit

CELL_TYPES = ("rnn", "rnn-relu", "lstm", "gru", "sru")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
CLIP_MODES = ("none", "norm", "value")
DEVICES = ("auto", "cpu", "cuda", "mps")


def _check_int(name: str, value: int, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {value!r}")


def _check_float(name: str, value: float, low: float, high: float, *, low_open: bool) -> None:
    ok = isinstance(value, (int, float)) and math.isfinite(value)
    ok = ok and (low < value if low_open else low <= value) and value <= high
    if not ok:
        bracket = "(" if low_open else "["
        raise ConfigError(f"{name} must be in {bracket}{low}, {high}], got {value!r}")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")


@dataclass(frozen=True)
class ModelConfig:
    """Shape of a model: input layer -> stacked recurrent layers -> linear head.

    Text and symbol tasks read symbol codes through an embedding (``vocab_size`` symbols); a
    numeric task reads ``input_size`` numbers a step through a linear layer (``vocab_size`` 0).
    The head gives ``output_size`` numbers a step: 0 means one logit per symbol (text).
    """

    vocab_size: int
    cell: str = "lstm"
    hidden_size: int = 256
    layers: int = 2
    embedding_size: int = 64  # the input layer's width, for symbols and numbers alike
    dropout: float = 0.0  # between recurrent layers and before the head
    input_size: int = 0  # numbers per step of a numeric task; 0: symbols (vocab_size)
    output_size: int = 0  # the head's width; 0: vocab_size (next-symbol logits)
    # The start of the gate that keeps memory: LSTM forget gate, GRU update gate, SRU forget
    # gate. None: the cell's default (see rnnlab.core.cell_names.DEFAULT_FORGET_BIAS).
    forget_bias: float | None = None

    def __post_init__(self) -> None:
        if self.input_size:
            _check_int("input size", self.input_size, 1, 16_384)
            if self.vocab_size != 0:
                raise ConfigError("a model reads numbers (input size) or symbols, not both")
        else:
            _check_int("vocabulary size", self.vocab_size, 2, 2_000_000)
        if self.output_size:
            _check_int("output size", self.output_size, 1, 2_000_000)
        _check_choice("cell", self.cell, CELL_TYPES)
        _check_int("hidden size", self.hidden_size, 1, 16_384)
        _check_int("layers", self.layers, 1, 16)
        _check_int("embedding size", self.embedding_size, 1, 16_384)
        _check_float("dropout", self.dropout, 0.0, 0.95, low_open=False)
        if self.forget_bias is not None:
            _check_float("forget bias", self.forget_bias, -20.0, 20.0, low_open=False)

    @property
    def outputs(self) -> int:
        """The head's width."""
        return self.output_size or self.vocab_size

    @property
    def writes_text(self) -> bool:
        """Whether it predicts the next symbol (text: it can be sampled), not a task's answer."""
        return not (self.input_size or self.output_size)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ModelConfig:
        return _from_dict(cls, values)


@dataclass(frozen=True)
class TrainConfig:
    """How to train: batching, optimiser, clipping, evaluation, seed, device."""

    batch_size: int = 32
    seq_len: int = 64  # truncated BPTT window, in characters
    optimizer: str = "adam"
    learning_rate: float = 3e-3
    weight_decay: float = 0.0
    momentum: float = 0.9  # SGD and RMSprop only
    clip: str = "norm"
    clip_value: float = 5.0  # threshold for the global norm, or for each element with "value"
    eval_every: int = 200  # steps between validations
    eval_chars: int = 65_536  # size of the fixed validation slice
    validation_fraction: float = 0.1
    seed: int = 1234
    device: str = "auto"
    threads: int | None = None  # CPU threads; None leaves PyTorch's default
    # What a token is (rnnlab.core.tokens.TokenUnit): "char", "word" or "bpe:K". A word or BPE
    # run reads the same text spans as a character run; seq_len stays in characters.
    tokens: str = "char"

    def __post_init__(self) -> None:
        _check_int("batch size", self.batch_size, 1, 65_536)
        _check_int("sequence length", self.seq_len, 1, 1_000_000)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_float("learning rate", self.learning_rate, 0.0, 100.0, low_open=True)
        _check_float("weight decay", self.weight_decay, 0.0, 10.0, low_open=False)
        _check_float("momentum", self.momentum, 0.0, 0.9999, low_open=False)
        _check_choice("clip", self.clip, CLIP_MODES)
        _check_float("clip value", self.clip_value, 0.0, 1e9, low_open=True)
        _check_int("evaluation interval", self.eval_every, 1, 10**9)
        _check_int("evaluation size", self.eval_chars, 1, 10**10)
        _check_float("validation fraction", self.validation_fraction, 0.0, 0.5, low_open=True)
        _check_int("seed", self.seed, 0, 2**63 - 1)
        _check_choice("device", self.device, DEVICES)
        if self.threads is not None:
            _check_int("threads", self.threads, 1, 1024)
        if not isinstance(self.tokens, str):
            raise ConfigError(f"tokens must be char, word or bpe:K, got {self.tokens!r}")
        # The unit's own spelling ("BPE:500 " reads "bpe:500"), so equal units compare equal.
        object.__setattr__(self, "tokens", TokenUnit.parse(self.tokens).name)

    @property
    def token_unit(self) -> TokenUnit:
        return TokenUnit.parse(self.tokens)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        return _from_dict(cls, values)


def count_parameters(config: ModelConfig) -> int:
    """Parameters of a model with this config, computed from the formulas (no model is built)."""
    embed, hidden, layers, outputs = (
        config.embedding_size,
        config.hidden_size,
        config.layers,
        config.outputs,
    )
    # A linear input layer (weight and bias), or an embedding table.
    numeric = config.input_size * embed + embed
    total = numeric if config.input_size else config.vocab_size * embed
    total += hidden * outputs + outputs  # head weight and bias
    for layer in range(layers):
        width = embed if layer == 0 else hidden
        if config.cell == "sru":
            chunks = 3 if width == hidden else 4
            total += chunks * hidden * width + 4 * hidden
        else:
            gates = {"lstm": 4, "gru": 3}.get(config.cell, 1)
            total += gates * hidden * (width + hidden) + 2 * gates * hidden
    return total


def _from_dict(cls: type, values: dict[str, Any]) -> Any:
    known = {field.name for field in dataclasses.fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"unknown {cls.__name__} settings: {', '.join(sorted(unknown))}")
    return cls(**values)
