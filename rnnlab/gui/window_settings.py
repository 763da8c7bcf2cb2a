"""What persists between launches (QSettings): the window's layout, the last corpus (saved when
it loads) and the model and training settings."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from rnnlab.core.config import ModelConfig, TrainConfig

if TYPE_CHECKING:
    from rnnlab.gui.main_window import MainWindow

PLACEHOLDER_VOCABULARY = 2  # settings are saved without the corpus's vocabulary size


def restore_window(window: MainWindow) -> None:
    settings = window.settings
    geometry, state = settings.value("geometry"), settings.value("windowState")
    if geometry is not None:
        window.restoreGeometry(geometry)
    if state is not None:
        window.restoreState(state)
    saved = settings.value("configs")
    if isinstance(saved, dict):
        # Settings written by another version may not fit: then the defaults stay.
        with contextlib.suppress(Exception):
            window.model_panel.set_configs(
                ModelConfig.from_dict({**saved["model"], "vocab_size": PLACEHOLDER_VOCABULARY}),
                TrainConfig.from_dict(saved["train"]),
            )


def save_window(window: MainWindow) -> None:
    settings = window.settings
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("windowState", window.saveState())
    vocabulary = len(window.corpus.vocabulary) if window.corpus else PLACEHOLDER_VOCABULARY
    model = window.model_panel.model_config(vocabulary)
    train = window.model_panel.train_config()
    if model is None or train is None:
        return  # an invalid setting is simply not remembered
    values = model.to_dict()
    values.pop("vocab_size")
    settings.setValue("configs", {"model": values, "train": train.to_dict()})
