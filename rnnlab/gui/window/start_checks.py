"""Why the Model panel's settings cannot start training here, said before anything is built:
words and BPE read running text, not one example a line; and a CPU run must fit in the memory
free now (on Linux a larger one is not an error but the whole window killed, runs and all:
``rnnlab.core.memory_estimate``)."""

from __future__ import annotations

from typing import Any

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.memory_estimate import available_memory, memory_refusal
from rnnlab.core.token_corpus import line_mode_refusal


def start_refusal(window: Any, model: ModelConfig, train: TrainConfig, *, continuing: bool) -> str:
    """Why ``model`` trained with ``train`` cannot start on the window's data ("" if it can).
    ``continuing``: Train, which goes on with the current run when its weights (already in
    memory) have this shape. ``window``: the MainWindow."""
    data = window.corpus
    refusal = line_mode_refusal(data, train.token_unit) if isinstance(data, Corpus) else ""
    if refusal or not window.model_panel.on_cpu(train.device):
        return refusal
    current = window.runs.get(window.runs.current)
    held = current is not None and current.model_config == model
    if continuing and held and window.controller.run_has_model(current.run):
        return ""  # its weights' memory is taken already
    return memory_refusal(model, train, data, available_memory())
