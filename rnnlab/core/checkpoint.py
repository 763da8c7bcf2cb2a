"""Checkpoints: one file with everything needed to sample from a model or resume its training.

The file is a ``torch.save`` of plain data only (tensors, numbers, strings, lists, dicts), so it
loads with ``torch.load(path, weights_only=True)``, which refuses to run code from a hostile
file. It is written to a temporary file and renamed, so a crash never leaves half a checkpoint.

Layout (format 4)::

    format, rnnlab_version, model_config, train_config, vocabulary (str), weights (state dict),
    tokens {unit, tokens, merges} (None for a character run: then ``vocabulary`` holds its
    characters; a word or BPE run's tokens in code order, and BPE's merges as [left, right]),
    corpus {name, source, bundled, encoding, line_mode, fingerprint} (None for a task run),
    task {name, length} (None for a text run; its vocabulary: the task's symbols, or ""),
    trainer {step, position, chars_seen, training_seconds, optimizer, carried, rng_cpu,
             rng_cuda, history}

Format 3 had no ``tokens`` (every text run read characters); it opens as it is.

Format 2 had no ``task`` (every run was a text run); it opens as it is.

Format 1 (before runs were compared by characters seen and training seconds) had no
``chars_seen``, ``training_seconds``, nor those history columns: it still opens, with the
characters derived from the steps (each step's batch is known) and the seconds unknown (NaN).
"""

from __future__ import annotations

import math
import os
import pickle
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnlab import __version__
from rnnlab.core.batching import TrainingData
from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.errors import CheckpointError, RnnlabError
from rnnlab.core.history import Column, History
from rnnlab.core.models import CharModel
from rnnlab.core.tasks import Task, task_from_dict
from rnnlab.core.tokens import Tokenizer
from rnnlab.core.trainer import Trainer
from rnnlab.core.vocabulary import Vocabulary

FORMAT_VERSION = 4
_REQUIRED = ("format", "model_config", "train_config", "vocabulary", "weights", "corpus", "trainer")


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint: the model is ready to sample; ``resume`` rebuilds the trainer."""

    path: Path
    model: CharModel
    vocabulary: Vocabulary | Tokenizer | None  # a word or BPE run's tokens; None: numbers
    model_config: ModelConfig
    train_config: TrainConfig
    corpus_info: dict[str, Any]  # empty for a task run
    trainer_state: dict[str, Any]
    task: Task | None = None  # what a task run trained on (at the length it was saved at)

    @property
    def step(self) -> int:
        return int(self.trainer_state["step"])

    @property
    def history(self) -> History:
        """The run's history; from a format-1 file without characters seen (0): use
        ``run_history`` with the run's batches to derive them."""
        return History.from_dict(self.trainer_state["history"])

    @property
    def chars_seen(self) -> int:
        return int(self.trainer_state.get("chars_seen", 0))

    @property
    def training_seconds(self) -> float:
        return float(self.trainer_state.get("training_seconds", math.nan))


def save_checkpoint(
    trainer: Trainer, corpus: Corpus | Task, path: str | os.PathLike
) -> Path:
    """Write ``trainer``'s model and state (a run on ``corpus`` or a task) to ``path``
    atomically; return the path."""
    path = Path(path)
    carried = trainer.carried
    tokens: Tokenizer | None = None  # a word or BPE run's
    if isinstance(corpus, Task):
        vocabulary, corpus_info, task_info = corpus.spec.symbols, None, corpus.to_dict()
    else:
        # A word or BPE run's own tokens, also when it is given the text it reads in them.
        tokens = trainer.data.tokenizer
        if tokens is None and isinstance(corpus.vocabulary, Tokenizer):
            tokens = corpus.vocabulary
        vocabulary = "" if tokens is not None else corpus.vocabulary.to_string()
        task_info = None
        corpus_info = {
            "name": corpus.name,
            "source": corpus.source,
            "bundled": corpus.bundled,
            "encoding": corpus.encoding,
            "line_mode": corpus.line_mode,
            "fingerprint": corpus.fingerprint,
        }
    payload = {
        "format": FORMAT_VERSION,
        "rnnlab_version": __version__,
        "model_config": trainer.model.config.to_dict(),
        "train_config": trainer.config.to_dict(),
        "vocabulary": vocabulary,
        "tokens": None if tokens is None else tokens.to_plain(),
        "weights": {
            name: value.detach().cpu() for name, value in trainer.model.state_dict().items()
        },
        "corpus": corpus_info,
        "task": task_info,
        "trainer": {
            "step": trainer.step,
            "position": trainer.position,
            "chars_seen": trainer.chars_seen,
            "training_seconds": trainer.training_seconds,
            "optimizer": _to_cpu(trainer.optimizer.state_dict()),
            "carried": None if carried is None else [part.detach().cpu() for part in carried],
            # The run's own stream (see random_stream): what its next dropout draws from.
            "rng_cpu": trainer.random.cpu_state.clone(),
            "rng_cuda": [] if trainer.random.cuda_state is None else [trainer.random.cuda_state],
            "history": trainer.history.to_dict(),
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            torch.save(payload, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read and check a checkpoint; every problem is a one-line CheckpointError."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no such checkpoint: {path}")
    if path.is_dir():
        raise CheckpointError(f"{path} is a folder, not a checkpoint file")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty: not a checkpoint")
    payload = _read(path)
    if not isinstance(payload, dict) or not all(key in payload for key in _REQUIRED):
        raise CheckpointError(
            f"{path} is not an rnnlab checkpoint (a PyTorch file of another kind)"
        )
    if not isinstance(payload["format"], int) or payload["format"] > FORMAT_VERSION:
        raise CheckpointError(
            f"{path} was written by a newer rnnlab ({payload.get('rnnlab_version', '?')}, "
            f"format {payload['format']}); this rnnlab ({__version__}) reads up to format "
            f"{FORMAT_VERSION}: upgrade rnnlab"
        )
    try:
        model_config = ModelConfig.from_dict(payload["model_config"])
        train_config = TrainConfig.from_dict(payload["train_config"])
        task = None if payload.get("task") is None else task_from_dict(payload["task"])
        if task is None and not isinstance(payload["corpus"], dict):
            raise ValueError("it names neither a corpus nor a task")
        vocabulary: Vocabulary | Tokenizer | None = None
        if payload.get("tokens"):
            vocabulary = Tokenizer.from_plain(payload["tokens"])
        elif payload["vocabulary"]:
            vocabulary = Vocabulary(payload["vocabulary"])
        model = CharModel(model_config)
        model.load_state_dict(payload["weights"])
    except RnnlabError as error:
        raise CheckpointError(f"{path} has settings this rnnlab cannot use: {error}") from None
    except KeyError as error:  # its str() is the bare key
        raise CheckpointError(f"{path} is damaged: it has no {error}") from None
    except (TypeError, ValueError, RuntimeError) as error:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        raise CheckpointError(f"{path} is damaged: {first_line}") from None
    if (0 if vocabulary is None else len(vocabulary)) != model_config.vocab_size:
        raise CheckpointError(f"{path} is damaged: vocabulary and model sizes differ")
    if task is not None and task.model_shape() != {
        name: getattr(model_config, name) for name in task.model_shape()
    }:
        raise CheckpointError(f"{path} is damaged: its model does not fit the task {task.name}")
    return Checkpoint(
        path=path,
        model=model,
        vocabulary=vocabulary,
        model_config=model_config,
        train_config=train_config,
        corpus_info=dict(payload["corpus"] or {}),
        trainer_state=payload["trainer"],
        task=task,
    )


def restore_trainer(trainer: Trainer, checkpoint: Checkpoint) -> None:
    """Put a checkpoint's optimiser, position, carried state, RNG and history into ``trainer``.

    ``trainer`` must have been built with the checkpoint's model (``checkpoint.model``).
    """
    state = checkpoint.trainer_state
    trainer.optimizer.load_state_dict(state["optimizer"])
    trainer.step = int(state["step"])
    trainer.position = int(state["position"])
    carried = state["carried"]
    trainer.carried = (
        None if carried is None else tuple(part.to(trainer.device) for part in carried)
    )
    trainer.history = run_history(checkpoint, trainer.data)
    trainer.chars_seen = int(state.get("chars_seen", trainer.data.batch_chars(trainer.step).sum()))
    trainer.training_seconds = checkpoint.training_seconds
    trainer.random.restore(state["rng_cpu"], list(state["rng_cuda"]))


def run_history(checkpoint: Checkpoint, data: TrainingData) -> History:
    """The checkpoint's history with characters seen at every step: stored (format 2), or for
    format 1 derived from ``data``, the batches of the run's corpus and settings (the seconds
    of a format-1 run stay unknown)."""
    values = checkpoint.trainer_state["history"]
    if "chars" in values:
        history = History.from_dict(values)
    else:
        steps = values["steps"].numpy()
        seen = np.cumsum(data.batch_chars(int(steps.max(initial=0))))
        # Step s trained on the batch at position s - 1 (a refused step does not move on).
        history = History.from_dict(values, chars=seen[steps - 1] if len(steps) else None)
    if "char_losses" not in values and data.tokenizer is not None:
        _losses_per_character(history, data)
    return history


def _losses_per_character(history: History, data: TrainingData) -> None:
    """A word or BPE run saved before its history kept losses per character: each step's loss
    per token times its tokens (the batch's counted targets) over the characters they spell
    (the step's growth in characters seen)."""
    steps, losses = history.steps, history.losses.astype(np.float64)
    if not len(steps):
        return
    tokens = data.batch_chars(int(steps.max()))[steps - 1]
    before = 0 if steps[0] == 1 else history.chars[0]  # unknown before a later first step
    characters = np.diff(history.chars, prepend=before)
    per_character = np.where(characters > 0, losses * tokens / np.maximum(characters, 1), np.nan)
    history.columns["char_losses"] = Column(np.float32, per_character)


def _read(path: Path) -> Any:
    with path.open("rb") as stream:
        magic = stream.read(4)
    if magic != b"PK\x03\x04":  # torch.save writes a zip archive
        raise CheckpointError(f"{path} is not a checkpoint (not a PyTorch archive)")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        # weights_only refused an object that could run code when unpickled.
        reason = (
            str(error).strip().splitlines()[0][:200] if str(error).strip() else "unsafe content"
        )
        raise CheckpointError(
            f"{path} was refused: it holds objects other than plain data, which could run code "
            f"({reason}). Only load checkpoints you trust."
        ) from None
    except (zipfile.BadZipFile, EOFError) as error:
        raise CheckpointError(f"{path} is truncated or corrupt ({error})") from None
    except RuntimeError as error:
        message = str(error)
        if "zip" in message.lower() or "archive" in message.lower():
            raise CheckpointError(
                f"{path} is not a checkpoint, or is truncated or corrupt"
            ) from None
        raise CheckpointError(f"{path} cannot be read: {message.splitlines()[0]}") from None
    except OSError as error:
        raise CheckpointError(f"{path} cannot be read: {error}") from None
    except Exception as error:  # the unpickler fails in many ways on damaged bytes
        raise CheckpointError(
            f"{path} is truncated or corrupt ({type(error).__name__}: {error})"
        ) from None


def _to_cpu(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {key: _to_cpu(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_cpu(item) for item in value]
    return value
