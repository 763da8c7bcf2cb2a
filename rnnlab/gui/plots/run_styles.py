"""The colour and dash pattern of each run, shared by the plots and the window's run table.

Colours are Okabe and Ito's palette (2008), chosen to stay apart for the common forms of colour
blindness. Each index also gets a dash pattern, so runs stay apart in greyscale (a printed
handout, a washed-out projector) and where two colours still look alike to someone. Needs no
plot: the run table imports these for its colour swatches.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

# (name, on a light background, on a dark one). Okabe-Ito's values, except that orange and sky
# blue are darkened on white (their originals reach a contrast of only 2.3 : 1 there; these
# 3.4 to 3.6 : 1) and every colour is lightened on a dark background (6.9 to 11 : 1 on #17181a)
# so that a 1-pixel line still shows.
RUN_COLOURS = (
    ("blue", "#0072B2", "#56A8E8"),
    ("vermillion", "#D55E00", "#FF8A4D"),
    ("bluish green", "#009E73", "#2CC79B"),
    ("reddish purple", "#CC79A7", "#E8A0CB"),
    ("orange", "#B87A00", "#F0B323"),
    ("sky blue", "#3A93C8", "#9BD7FA"),
)
_STYLES = (
    Qt.PenStyle.SolidLine,
    Qt.PenStyle.DashLine,
    Qt.PenStyle.DotLine,
    Qt.PenStyle.DashDotLine,
    Qt.PenStyle.DashDotDotLine,
)
# The first six runs: blue solid, vermillion dashed, green dotted, purple dash-dot, orange
# dash-dot-dot, sky blue dashed (sky blue is far lighter than vermillion, the other dashed one).
_FIRST_STYLES = (0, 1, 2, 3, 4, 1)


def run_colour(index: int, dark: bool) -> QColor:
    """The colour of run ``index`` (0-based) on a dark or a light background."""
    _, light, on_dark = RUN_COLOURS[index % len(RUN_COLOURS)]
    return QColor(on_dark if dark else light)


def run_pen_style(index: int) -> Qt.PenStyle:
    """The dash pattern of run ``index``: runs 6 to 11 repeat the colours of 0 to 5 with another
    pattern each, and so on, so that colour and pattern together repeat only after 30 runs."""
    cycle, slot = divmod(index, len(RUN_COLOURS))
    return _STYLES[(_FIRST_STYLES[slot] + cycle) % len(_STYLES)]


def run_colour_name(index: int) -> str:
    """The colour's name, for tooltips and for anyone who cannot tell the colours apart."""
    return RUN_COLOURS[index % len(RUN_COLOURS)][0]


def run_style_name(index: int) -> str:
    """The dash pattern in words ("solid", "dashed", ...), for tooltips."""
    names = {
        Qt.PenStyle.SolidLine: "solid",
        Qt.PenStyle.DashLine: "dashed",
        Qt.PenStyle.DotLine: "dotted",
        Qt.PenStyle.DashDotLine: "dash-dot",
        Qt.PenStyle.DashDotDotLine: "dash-dot-dot",
    }
    return names[run_pen_style(index)]
