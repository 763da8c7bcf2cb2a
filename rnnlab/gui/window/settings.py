"""What persists between launches (QSettings): the window's geometry and layout, the loss
smoothing, the last corpus (saved when it loads) and the model and training settings; and the
size of a first window, fitted to the screen it opens on."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.gui.window.layout import LEFT_WIDTH, SAMPLE_WIDTH, WindowParts

PLACEHOLDER_VOCABULARY = 2  # settings are saved without the corpus's vocabulary size
FIRST_SIZE = QSize(1600, 1000)  # a first window's size where the screen has room for it
SCREEN_SHARE = 0.92  # of the screen's free area a first window takes when it has less room


def restore_window(window: QMainWindow, settings: QSettings, parts: WindowParts) -> None:
    """Settings of an earlier launch, or a first window that fits the screen."""
    geometry, state = settings.value("geometry"), settings.value("windowState")
    if geometry is None or not window.restoreGeometry(geometry):
        fit_first_window(window)
    keep_on_screen(window)
    if state is not None:
        window.restoreState(state)
    else:  # first launch: the docks at their minimum, the plots get the rest of the width
        window.resizeDocks(
            [parts.left_dock, parts.sample_dock], [LEFT_WIDTH, SAMPLE_WIDTH],
            Qt.Orientation.Horizontal,
        )  # fmt: skip
    with contextlib.suppress(TypeError, ValueError):
        parts.training_bar.set_smoothing(float(settings.value("smoothing")))
    saved = settings.value("configs")
    if isinstance(saved, dict):
        # Settings written by another version may not fit: then the defaults stay.
        with contextlib.suppress(Exception):
            parts.model_panel.set_configs(
                ModelConfig.from_dict({**saved["model"], "vocab_size": PLACEHOLDER_VOCABULARY}),
                TrainConfig.from_dict(saved["train"]),
            )


def save_window(
    window: QMainWindow, settings: QSettings, parts: WindowParts, vocabulary_size: int | None
) -> None:
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("windowState", window.saveState())
    settings.setValue("smoothing", parts.training_bar.smoothing())
    model = parts.model_panel.model_config(vocabulary_size or PLACEHOLDER_VOCABULARY)
    train = parts.model_panel.train_config()
    if model is None or train is None:
        return  # an invalid setting is simply not remembered
    values = model.to_dict()
    values.pop("vocab_size")
    settings.setValue("configs", {"model": values, "train": train.to_dict()})


def _available_area(window: QMainWindow) -> QRect | None:
    """The free area (without task bars) of the window's screen, or of the primary screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


def fit_first_window(window: QMainWindow) -> None:
    """1600 x 1000 where it fits, else most of the screen (a 1366 x 768 laptop), centred."""
    area = _available_area(window)
    if area is None:
        window.resize(FIRST_SIZE)
        return
    width = min(FIRST_SIZE.width(), int(area.width() * SCREEN_SHARE))
    height = min(FIRST_SIZE.height(), int(area.height() * SCREEN_SHARE))
    window.resize(width, height)
    frame = window.frameGeometry()
    frame.moveCenter(area.center())
    window.move(frame.topLeft())


def keep_on_screen(window: QMainWindow) -> None:
    """A restored window larger than its screen (another monitor, a lower resolution) shrinks
    to fit, and one placed off the screen comes back onto it."""
    area = _available_area(window)
    if area is None:
        return
    frame = window.frameGeometry()
    extra = frame.size() - window.size()  # the title bar and borders around the contents
    width = min(window.width(), area.width() - extra.width())
    height = min(window.height(), area.height() - extra.height())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
        frame = window.frameGeometry()
    left = min(max(frame.left(), area.left()), area.right() + 1 - frame.width())
    top = min(max(frame.top(), area.top()), area.bottom() + 1 - frame.height())
    if (left, top) != (frame.left(), frame.top()):
        window.move(left, top)
