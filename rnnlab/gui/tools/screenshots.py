"""Screenshots of the window after a short training run:
``python -m rnnlab.gui.tools.screenshots OUT_DIR [--seconds S] [--corpus NAME]``.

Writes OUT_DIR/window.png, window_presentation.png, window_names.png (line mode) and one
window_<page>.png per inspector page (gates, text, gradients; also at presentation size) and
window_surprise.png (the Surprise tab; also at presentation size), to look at as a user would:
readable, nothing clipped or overlapping. ``--cell rnn`` trains a vanilla RNN
instead of the preset's cell.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


def _wait(app: QApplication, condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        app.processEvents()


def capture(
    app: QApplication,
    out: Path,
    corpus: str,
    preset: str,
    seconds: float,
    name: str,
    settings: QSettings,
    cell: str | None = None,
) -> None:
    from rnnlab.gui.window.startup import create_main_window

    window = create_main_window([corpus], settings=settings)
    window.resize(1600, 1000)
    window.show()
    _wait(app, lambda: window.corpus is not None, 30)
    window.model_panel.apply_preset(preset)
    _wait(app, lambda: window.corpus is not None and window.corpus.name.startswith(corpus), 30)
    if cell is not None:
        model = window.model_panel.model_config(len(window.corpus.vocabulary))
        train = window.model_panel.train_config()
        window.model_panel.set_configs(dataclasses.replace(model, cell=cell), train)
    window.train()
    started = time.monotonic()
    _wait(app, lambda: time.monotonic() - started > seconds, seconds + 5)
    window.controller.pause()
    _wait(app, lambda: window.controller.state == "paused", 10)
    _wait(app, lambda: window.sample_panel.has_sampler(), 10)
    window.sample_panel.sample()
    _wait(app, lambda: not window.sample_panel.is_sampling(), 20)
    window.grab().save(str(out / f"{name}.png"))
    if name == "window":
        for page in (1, 2, 3):
            _show_page(app, window, page, out / f"{name}_{PAGES[page]}.png")
        _show_surprise(app, window, out / f"{name}_surprise.png")
        window.actions_.presentation.trigger()
        window.resize(1920, 1080)  # a projector, with the window maximised on it
        _wait(app, lambda: False, 0.5)
        window.center_tabs.setCurrentIndex(0)
        window.grab().save(str(out / f"{name}_presentation.png"))
        for page in (1, 3):
            _show_page(app, window, page, out / f"{name}_presentation_{PAGES[page]}.png")
        _show_surprise(app, window, out / f"{name}_presentation_surprise.png")
        window.actions_.focus.trigger()  # a teacher's layout: the views take the whole width
        for page in (1, 2, 3):
            _show_page(app, window, page, out / f"{name}_presentation_focus_{PAGES[page]}.png")
        window.actions_.focus.trigger()
        window.actions_.presentation.trigger()
    window.controller.dirty = False
    window.close()


PAGES = {1: "gates", 2: "text", 3: "gradients"}


def _show_page(app: QApplication, window, page: int, path: Path) -> None:
    window.center_tabs.setCurrentIndex(page)
    _wait(app, lambda: False, 0.5)  # the page catches up with the latest probe and repaints
    window.grab().save(str(path))


def _show_surprise(app: QApplication, window, path: Path) -> None:
    """The Surprise tab with its default text (a typo), then back to the Sample tab."""
    window.actions_.surprise.trigger()
    _wait(app, lambda: window.parts.surprise_panel.result() is not None, 5)
    _wait(app, lambda: False, 0.3)
    window.grab().save(str(path))
    window.parts.sample_tabs.setCurrentWidget(window.sample_panel)


def dark_palette() -> QPalette:
    """Roughly what a dark desktop theme hands to Qt."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#eeeeee",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#2b2b2b",
        QPalette.ColorRole.Text: "#eeeeee",
        QPalette.ColorRole.Button: "#3a3a3a",
        QPalette.ColorRole.ButtonText: "#eeeeee",
        QPalette.ColorRole.Highlight: "#3d7bd9",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#3a3a3a",
        QPalette.ColorRole.ToolTipText: "#eeeeee",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    return palette


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--dark", action="store_true", help="a dark palette, as a dark desktop")
    parser.add_argument("--cell", help="train this cell type instead of the preset's")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    if args.dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
        capture(
            app, args.out, "tinyshakespeare", "Fast demo (CPU)", args.seconds, "window", settings,
            args.cell,
        )  # fmt: skip
        capture(
            app,
            args.out,
            "names",
            "Names generator (line mode)",
            args.seconds / 2,
            "window_names",
            settings,
        )
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
