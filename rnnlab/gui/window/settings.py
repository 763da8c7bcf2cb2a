"""What persists between launches (QSettings): the window's geometry and layout, the loss
smoothing, the last corpus (saved when it loads) and the model and training settings; and the
size of a first window, fitted to the screen it opens on."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QPoint, QRect, QSettings, QSize, Qt
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
    if state is not None:
        window.restoreState(state)
    else:  # first launch: the docks at their minimum, the plots get the rest of the width
        window.resizeDocks(
            [parts.left_dock, parts.sample_dock], [LEFT_WIDTH, SAMPLE_WIDTH],
            Qt.Orientation.Horizontal,
        )  # fmt: skip
    with contextlib.suppress(TypeError, ValueError):
        parts.smoothing_control.set_smoothing(float(settings.value("smoothing")))
    with contextlib.suppress(TypeError, ValueError):  # absent, or written by another version
        parts.x_axis_control.set_x_axis(str(settings.value("xAxis", "step")))
    saved = settings.value("configs")
    if isinstance(saved, dict):
        # Settings written by another version may not fit: then the defaults stay.
        with contextlib.suppress(Exception):
            parts.model_panel.set_configs(
                ModelConfig.from_dict({**saved["model"], "vocab_size": PLACEHOLDER_VOCABULARY}),
                TrainConfig.from_dict(saved["train"]),
            )


def save_window(
    window: QMainWindow,
    settings: QSettings,
    parts: WindowParts,
    vocabulary_size: int | None,
    remember_configs: bool = True,
) -> None:
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("windowState", window.saveState())
    settings.setValue("smoothing", parts.smoothing_control.smoothing())
    settings.setValue("xAxis", parts.x_axis_control.x_axis())
    if not remember_configs:
        return
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


def first_size(area: QSize, minimum: QSize) -> QSize:
    """1600 x 1000 where the screen has room, else most of it (a 1366 x 768 laptop), never
    below the window's minimum (the panels' widths)."""
    width = min(FIRST_SIZE.width(), int(area.width() * SCREEN_SHARE))
    height = min(FIRST_SIZE.height(), int(area.height() * SCREEN_SHARE))
    return QSize(max(width, minimum.width()), max(height, minimum.height()))


def placed_on(frame: QRect, area: QRect) -> QRect:
    """``frame`` moved (not resized) so that as much of it as fits lies in ``area``; where it is
    larger, its top left corner shows (the title bar and menus)."""
    left = max(min(frame.left(), area.right() + 1 - frame.width()), area.left())
    top = max(min(frame.top(), area.bottom() + 1 - frame.height()), area.top())
    return QRect(QPoint(left, top), frame.size())


def fit_first_window(window: QMainWindow) -> None:
    area = _available_area(window)
    if area is None:
        window.resize(FIRST_SIZE)
        return
    window.resize(first_size(area.size(), window.minimumSizeHint()))
    frame = window.frameGeometry()
    frame.moveCenter(area.center())
    window.move(placed_on(frame, area).topLeft())


def keep_on_screen(window: QMainWindow) -> None:
    """A shown window larger than its screen (restored from another monitor or a higher
    resolution) shrinks to fit, and one placed off the screen comes back onto it. Called once
    the window is shown: only then does its frame (title bar, borders) have a size."""
    area = _available_area(window)
    if area is None:
        return
    border = window.frameGeometry().size() - window.size()  # title bar and borders
    room = area.size() - border
    window.resize(window.size().boundedTo(room).expandedTo(window.minimumSizeHint()))
    frame = window.frameGeometry()
    placed = placed_on(frame, area)
    if placed.topLeft() != frame.topLeft():
        window.move(placed.topLeft())
