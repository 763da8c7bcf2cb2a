"""A saved run opened beside the others (File > Open models, or Duplicate through a checkpoint):
its settings as the window keeps them, and its curves so far."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.tasks import Task
from rnnlab.gui.training.loading import LoadedCheckpoint
from rnnlab.gui.training.messages import HistoryCursor

if TYPE_CHECKING:
    from rnnlab.core.checkpoint import Checkpoint


def opened_settings(window: Any, loaded: LoadedCheckpoint) -> tuple[ModelConfig, TrainConfig]:
    """The opened run's settings. A word or BPE run's text is read with its own tokens and
    merges (kept in the window's readings), and its settings are kept as the model panel gives
    them: the text's characters as the vocabulary, the unit in ``tokens`` (a checkpoint of the
    command line's first token runs says "char" there). ``window``: the MainWindow."""
    checkpoint, reading = loaded.checkpoint, loaded.reading
    model, train = checkpoint.model_config, checkpoint.train_config
    if reading is not None and isinstance(loaded.corpus, Corpus):
        unit = reading.tokenizer.unit.name
        window.controller.readings.put(loaded.corpus, train.validation_fraction, reading)
        model = dataclasses.replace(model, vocab_size=len(loaded.corpus.vocabulary))
        train = dataclasses.replace(train, tokens=unit)
        window.token_units.prepare(unit, train.validation_fraction)
    return model, train


def add_checkpoint_run(window: Any, checkpoint: Checkpoint, corpus: Corpus | Task, name: str,
                       model: ModelConfig, train: TrainConfig) -> int:  # fmt: skip
    """A run of the window from ``checkpoint``, stopped at its step, its curves so far drawn;
    its id."""
    run = window.runs.add(model, train, name)
    window.controller.adopt_checkpoint(run.run, checkpoint)
    history = checkpoint.history
    stored = checkpoint.trainer_state["history"]
    # Format 1 has no characters seen, and a word or BPE run saved before losses per character
    # were kept has none of those: derive them from the run's batches.
    reading = window.token_units.reading(run) if train.tokens != "char" else corpus
    if "chars" not in stored or (reading is not corpus and "char_losses" not in stored):
        from rnnlab.core.checkpoint import run_history
        from rnnlab.core.trainer import batching_for

        source = reading if reading is not None else corpus
        history = run_history(checkpoint, batching_for(source, checkpoint.train_config))
    window.runs.take_update(HistoryCursor().take(history, checkpoint.step, 0.0, run.run))
    window.controller.steps[run.run] = checkpoint.step
    window.runs.set_state(run.run, "stopped")
    return run.run
