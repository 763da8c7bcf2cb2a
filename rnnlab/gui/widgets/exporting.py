"""Exports shared by every view: an image (PNG or SVG) of a widget, its data as .npz."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QWidget

IMAGE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"
DATA_FILTER = "NumPy arrays (*.npz)"


def ask_and_export(
    parent: QWidget,
    caption: str,
    suggestion: str,
    file_filter: str,
    export: Callable[[str], str | None],
) -> tuple[str, bool] | None:
    """Ask where to save, then ``export(path)`` (it returns the path written, or None for the
    path as given). None when the user cancels; else (the path written, True) or (one line
    saying why it failed, False): an export never raises into a menu's slot."""
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggestion, file_filter)
    if not path:
        return None
    try:
        written = export(path)
    except (OSError, ValueError) as error:
        return f"could not export {path}: {error}", False
    return written or path, True


def export_widget(widget: QWidget, path: str) -> str:
    """Write ``widget`` to ``path`` and return the path written (".png" added unless it ends
    in .png or .svg). PNG through a grab; SVG by painting the widget into Qt's SVG generator (vector
    curves and text, as on screen)."""
    if not path.lower().endswith(".svg"):
        path = path if path.lower().endswith(".png") else path + ".png"
        if not widget.grab().save(path):
            raise OSError(f"could not write {path}")
        return path
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(widget.objectName())
    painter = QPainter(generator)
    try:
        # QWidget.render(painter) needs its offset spelled out in PySide6 (QGraphicsView's
        # render(painter) is another method, which the plots override).
        QWidget.render(widget, painter, QPoint())
    finally:
        painter.end()
    return path


def save_npz(path: str, data: dict[str, np.ndarray]) -> str:
    """Write ``data`` as a compressed .npz (".npz" added if missing); returns the path."""
    path = path if path.lower().endswith(".npz") else path + ".npz"
    with open(path, "wb") as stream:  # np.savez would add .npz to a name without it, silently
        np.savez_compressed(stream, **{name: np.asarray(value) for name, value in data.items()})
    return path
