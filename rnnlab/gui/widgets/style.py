"""What every view shares for legibility: readable point sizes, fonts scaled for presentation
mode, whether the palette is dark, and characters that stay visible (a space, a line end).

No pyqtgraph here: widgets of every kind use it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# Below this, text is hard to read from the back of a classroom even at font scale 1.0.
MINIMUM_POINT_SIZE = 10.0
SHOWN = {" ": "␣", "\n": "⏎", "\t": "⇥"}
# Strong colours per role, (on a light background, on a dark one): no single colour keeps good
# contrast against both white and near-black.
ROLE_COLOURS = {
    "raw": ("#1c5fbf", "#74b3ff"),  # also bars, dots and the text views' scale
    "smoothed": ("#0a2f73", "#c5e0ff"),
    "validation": ("#d9480f", "#ffa94d"),
    "clipped": ("#9c36b5", "#e599f7"),
    "marker": ("#2b8a3e", "#69db7c"),  # also what is right or new
    "diverged": ("#e03131", "#ff6b6b"),  # also what is wrong
    "grad_norm": ("#1864ab", "#74c0fc"),
    "threshold": ("#d9480f", "#ffa94d"),
    "baseline": ("#0b7285", "#66d9e8"),  # n-gram reference lines on the loss plot
}


def shown_char(char: str) -> str:
    """A character as a label: spaces and line ends would otherwise be invisible."""
    if char in SHOWN:
        return SHOWN[char]
    return char if char.isprintable() else f"U+{ord(char):04X}"


def shown_token(token: str, limit: int = 6) -> str:
    """A word or BPE token as a label: its spaces and line ends made visible, and a long one
    cut to ``limit`` characters with "…" (the full token belongs in a tooltip)."""
    shown = "".join(shown_char(char) for char in token)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def point_size(font: QFont) -> float:
    """The font's size in points, also for a font sized in pixels (pointSizeF is -1 then)."""
    return font.pointSizeF() if font.pointSizeF() > 0 else max(font.pixelSize(), 12) * 0.75


def base_point_size(widget: QWidget | None = None) -> float:
    """The application's point size (or the widget's, without an application), at least
    MINIMUM_POINT_SIZE. Take it once per widget: presentation mode may enlarge the application
    font as well as set a font scale, and following both would scale twice."""
    app = QApplication.instance()
    font = app.font() if app else widget.font() if widget else None
    return max(point_size(font) if font is not None else 0.0, MINIMUM_POINT_SIZE)


def scaled_font(font: QFont, points: float, bold: bool = False) -> QFont:
    scaled = QFont(font)
    scaled.setPointSizeF(points)
    scaled.setBold(bold)
    return scaled


def faded(ink: QColor, paper: QColor, strength: float) -> QColor:
    """``ink`` blended towards ``paper`` by 1 - strength, yet opaque: pyqtgraph has no fast path
    for wide translucent lines (200,000 points took seconds to paint)."""
    pairs = zip(ink.getRgbF()[:3], paper.getRgbF()[:3])
    return QColor.fromRgbF(*(strength * a + (1 - strength) * b for a, b in pairs))


def is_dark(widget: QWidget) -> bool:
    """Whether the widget's palette draws light text on a dark background."""
    return widget.palette().color(QPalette.ColorRole.Base).lightness() < 128


def role_colour(widget: QWidget, role: str) -> QColor:
    """The role's colour (ROLE_COLOURS) for the widget's palette, light or dark."""
    return QColor(ROLE_COLOURS[role][is_dark(widget)])


def contrast_ink(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``: by perceived brightness (the
    YIQ weights), cheap enough for every cell of every update."""
    red, green, blue, _ = background.getRgbF()
    bright = 0.299 * red + 0.587 * green + 0.114 * blue > 0.55
    return QColor(Qt.GlobalColor.black if bright else Qt.GlobalColor.white)
