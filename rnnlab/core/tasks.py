"""Synthetic memory tasks: sequences whose answer depends on something a set distance back.

On natural text a vanilla RNN's loss comes close to an LSTM's, because most of what predicts the
next character sits a few characters back. These tasks put the evidence about T steps before the
answer, so memory decides the outcome (Hochreiter & Schmidhuber 1997):

- ``adding``: T steps of (a value drawn from U[0, 1], a marker 0/1); one step in the first half
  and one in the second half are marked (as Le, Jaitly & Hinton 2015 and Arjovsky et al. 2016
  place them); the answer, asked at the last step, is the sum of the two marked values. Loss:
  squared error. Chance: always answering 1, the mean sum, scores Var(u1 + u2) = 2/12 = 1/6.
- ``recall``: a symbol from A..H, then T distractor digits, then the query ``?``; the answer is
  the first symbol. Loss: cross-entropy at the query. Chance: ln 8.
- ``order`` (temporal order, Hochreiter & Schmidhuber 1997, experiment 6a): T distractor digits
  with two events, X or Y, one early (the first fifth) and one in the middle (the third fifth),
  then ``?``; the answer is which events came in which order: XX, XY, YX or YY. Two memories
  and their order, far back. Loss: cross-entropy. Chance: ln 4.

A sequence is one backpropagation window: the model starts it from a zero state and the gradient
flows through all of it. Only the last position (the answer) has a target.

Arrays (NumPy; torch-free, so the window can list and draw tasks before torch loads):
inputs (B, L, 2) float32 for ``adding``, else (B, L) int64 symbol codes; targets (B, L): float32
with NaN where nothing is asked (squared error), or int64 answer classes with ``IGNORE_INDEX``
elsewhere (cross-entropy); marks (B, L) bool: the positions the answer depends on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np

from rnnlab.core.errors import ConfigError

IGNORE_INDEX = -100  # as rnnlab.core.batching: torch's cross_entropy default
SQUARED_ERROR, CROSS_ENTROPY = "squared error", "cross-entropy"
MIN_LENGTH, MAX_LENGTH = 2, 10_000  # the window's slider offers 5..200
DEFAULT_LENGTH = 50

_REMEMBERED = "ABCDEFGH"  # recall: the symbol to remember; its class is its code
_DISTRACTORS = "0123456789"
_EVENTS = "XY"  # order: the two event symbols
_ORDER_CLASSES = ("XX", "XY", "YX", "YY")
QUERY = "?"
SOURCE_PREFIX = "task:"  # a task where a corpus's name or path would be: "task:adding"

Generated = tuple[np.ndarray, np.ndarray, np.ndarray]  # inputs, targets, marks

# Settings a task run starts from where the user gives none (the text defaults are for a 2 x 256
# model reading prose). One layer of 64 is enough memory for these tasks and trains in seconds;
# Adam at 2e-3 with the gradient clipped at norm 1 solved adding at T = 50 with an LSTM in
# 6-8 s on one core, every seed tried (see rnnlab bench memory).
TASK_MODEL_DEFAULTS: dict[str, Any] = {"hidden_size": 64, "layers": 1, "embedding_size": 16}
TASK_TRAIN_DEFAULTS: dict[str, Any] = {"batch_size": 32, "learning_rate": 2e-3, "clip": "norm",
                                       "clip_value": 1.0, "eval_every": 100}  # fmt: skip


class ModelShape(TypedDict):
    """The ModelConfig fields a corpus or task fixes: what goes in and what comes out."""

    vocab_size: int
    input_size: int
    output_size: int


@dataclass(frozen=True)
class TaskSpec:
    """What a task is: its loss, chance level, inputs and answers."""

    name: str
    loss: str  # SQUARED_ERROR or CROSS_ENTROPY
    chance: float  # the loss of the best answer that ignores the inputs
    description: str
    input_size: int  # numbers per step (numeric inputs); 0: symbols through an embedding
    symbols: str  # the input symbols in code order ("" for numeric inputs)
    classes: tuple[str, ...]  # the answers' names (cross-entropy); () for a number
    extra_steps: int  # positions beyond T: the remembered symbol and the query
    generate: Callable[[np.random.Generator, int, int], Generated]
    blind_answer: str = ""  # the answer that scores chance, in words

    @property
    def output_size(self) -> int:
        """The model head's width: one number, or one logit per answer class."""
        return len(self.classes) or 1

    def sequence_length(self, length: int) -> int:
        """Positions in a sequence of task length T."""
        return length + self.extra_steps

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "loss": self.loss, "chance": self.chance,
                "description": self.description}  # fmt: skip


def _adding(rng: np.random.Generator, batch: int, length: int) -> Generated:
    values = rng.random((batch, length), dtype=np.float32)
    rows = np.arange(batch)
    first = rng.integers(0, length // 2, batch)  # one marked step in the first half
    second = rng.integers(length // 2, length, batch)  # and one in the second
    marks = np.zeros((batch, length), dtype=np.bool_)
    marks[rows, first] = marks[rows, second] = True
    inputs = np.stack([values, marks.astype(np.float32)], axis=-1)  # (B, T, 2)
    targets = np.full((batch, length), np.nan, dtype=np.float32)
    targets[:, -1] = values[rows, first] + values[rows, second]
    return inputs, targets, marks


def _recall(rng: np.random.Generator, batch: int, length: int) -> Generated:
    symbols = _REMEMBERED + _DISTRACTORS + QUERY
    remembered = rng.integers(0, len(_REMEMBERED), batch)
    distractors = len(_REMEMBERED) + rng.integers(0, len(_DISTRACTORS), (batch, length))
    query = np.full((batch, 1), symbols.index(QUERY))
    inputs = np.concatenate([remembered[:, None], distractors, query], axis=1).astype(np.int64)
    targets = np.full(inputs.shape, IGNORE_INDEX, dtype=np.int64)
    targets[:, -1] = remembered
    marks = np.zeros(inputs.shape, dtype=np.bool_)
    marks[:, 0] = True
    return inputs, targets, marks


def _order(rng: np.random.Generator, batch: int, length: int) -> Generated:
    symbols = _EVENTS + _DISTRACTORS + QUERY
    inputs = len(_EVENTS) + rng.integers(0, len(_DISTRACTORS), (batch, length + 1))
    inputs[:, -1] = symbols.index(QUERY)
    fifth = length / 5
    first = rng.integers(0, max(1, math.floor(fifth)), batch)
    second_start = min(math.floor(2 * fifth), length - 1)
    second = rng.integers(second_start, max(second_start + 1, math.floor(3 * fifth)), batch)
    second = np.maximum(second, first + 1)  # two distinct positions at the shortest lengths
    events = rng.integers(0, 2, (batch, 2))  # 0: X, 1: Y
    rows = np.arange(batch)
    inputs[rows, first], inputs[rows, second] = events[:, 0], events[:, 1]
    targets = np.full(inputs.shape, IGNORE_INDEX, dtype=np.int64)
    targets[:, -1] = 2 * events[:, 0] + events[:, 1]  # the index in _ORDER_CLASSES
    marks = np.zeros(inputs.shape, dtype=np.bool_)
    marks[rows, first] = marks[rows, second] = True
    return inputs.astype(np.int64), targets, marks


TASKS: dict[str, TaskSpec] = {
    spec.name: spec
    for spec in (
        TaskSpec(
            "adding", SQUARED_ERROR, 1 / 6,
            "T numbers, two of them marked (one in each half); answer their sum at the end. "
            "Chance (always 1): 1/6.",
            input_size=2, symbols="", classes=(), extra_steps=0, generate=_adding,
            blind_answer="always answering 1",
        ),
        TaskSpec(
            "recall", CROSS_ENTROPY, math.log(len(_REMEMBERED)),
            "A letter A-H, T distractor digits, then ?: answer the letter. Chance: ln 8.",
            input_size=0, symbols=_REMEMBERED + _DISTRACTORS + QUERY,
            classes=tuple(_REMEMBERED), extra_steps=2, generate=_recall,
            blind_answer="guessing one of 8 letters",
        ),
        TaskSpec(
            "order", CROSS_ENTROPY, math.log(len(_ORDER_CLASSES)),
            "T distractor digits with two events X or Y (one early, one in the middle), "
            "then ?: answer their order (XX, XY, YX or YY). Chance: ln 4.",
            input_size=0, symbols=_EVENTS + _DISTRACTORS + QUERY,
            classes=_ORDER_CLASSES, extra_steps=1, generate=_order,
            blind_answer="guessing one of 4 orders",
        ),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Task:
    """A task at one length T: what a run trains on in place of a corpus."""

    spec: TaskSpec
    length: int

    def __post_init__(self) -> None:
        check_length(self.length)

    @property
    def name(self) -> str:
        return f"{self.spec.name}, T = {self.length}"

    @property
    def source(self) -> str:
        """What names it where a corpus's path or bundled name would: "task:adding"."""
        return SOURCE_PREFIX + self.spec.name

    @property
    def fingerprint(self) -> str:
        """What runs that may share batches have in common (a corpus's is a hash of its text)."""
        return f"task:{self.spec.name}:{self.length}"

    @property
    def file_stem(self) -> str:
        """A file name for a run on it: "adding-T50"."""
        return f"{self.spec.name}-T{self.length}"

    def generate(self, rng: np.random.Generator, batch: int) -> Generated:
        return self.spec.generate(rng, batch, self.length)

    def model_shape(self) -> ModelShape:
        """The ModelConfig fields that say what goes in and what comes out."""
        spec = self.spec
        return ModelShape(vocab_size=len(spec.symbols), input_size=spec.input_size,
                          output_size=spec.output_size)  # fmt: skip

    def to_dict(self) -> dict[str, object]:
        return {"name": self.spec.name, "length": self.length}


def model_shape_of(source: object) -> ModelShape:
    """The ModelConfig fields a corpus (anything with a ``vocabulary``) or a task fixes."""
    if isinstance(source, Task):
        return source.model_shape()
    vocabulary = getattr(source, "vocabulary")  # noqa: B009  (a Corpus; no import: torch-free)
    return ModelShape(vocab_size=len(vocabulary), input_size=0, output_size=0)


def check_length(length: int) -> None:
    if isinstance(length, bool) or not isinstance(length, int):
        raise ConfigError(f"task length must be a whole number, got {length!r}")
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ConfigError(f"task length must be from {MIN_LENGTH} to {MAX_LENGTH}, got {length}")


def find_task(name: str, length: int = DEFAULT_LENGTH) -> Task:
    """The task called ``name`` at length T; ConfigError naming the choices otherwise."""
    spec = TASKS.get(name)
    if spec is None:
        raise ConfigError(f"no task called {name!r}; the tasks are {', '.join(TASKS)}")
    return Task(spec, length)


def task_from_dict(values: object) -> Task:
    """A task from a checkpoint's or lesson's ``{"name": ..., "length": ...}``."""
    if not isinstance(values, dict) or set(values) != {"name", "length"}:
        raise ConfigError(f"a task is {{name, length}}, got {values!r}")
    return find_task(str(values["name"]), values["length"])
