"""Screenshots of a race: ``python -m rnnlab.gui.tools.race_screenshots OUT_DIR [--seconds S]
[--hidden-size N] [--layers N] [--cells rnn,lstm,gru] [--task adding [--task-length 50]]``.

Races RNN, LSTM, GRU and SRU (or ``--cells``) with equal parameters on tinyshakespeare (or a
task, with the task's settings: the memory lesson) for S seconds (60 by default: what a class
watches), then writes race.png (1600 x 1000),
race_presentation.png (presentation mode at 1920 x 1080), one PNG per x axis, the gates page,
and the Gradients page with every run overlaid (race_gradients.png,
race_gradients_presentation.png), and both in presentation mode with Focus (race_focus.png,
race_gradients_focus.png), to look at as
a student would: can every curve be told from the others, colour-blind too, and read from the
back of a room?
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from rnnlab.gui.panels.race_dialog import DEFAULT_CELLS, RaceChoice
from rnnlab.gui.tools.screenshots import _wait


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--hidden-size", type=int, help="default 128 (a task's own on a task)")
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--cells", default=",".join(DEFAULT_CELLS), help="comma-separated")
    parser.add_argument("--task", help="a task in place of tinyshakespeare (rnnlab tasks)")
    parser.add_argument("--task-length", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    import rnnlab.gui  # noqa: F401  (binds pyqtgraph to PySide6)
    from rnnlab.gui.window.startup import create_main_window

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat)
    window = create_main_window([f"task:{args.task}" if args.task else "tinyshakespeare"],
                                settings=settings)  # fmt: skip
    window.resize(1600, 1000)
    window.show()
    _wait(app, lambda: window.corpus is not None, 30)
    assert window.corpus is not None
    if args.task:
        window.corpus_panel.task_section.taskLengthSpin.setValue(args.task_length)
    model = window.model_panel.model_config(window.corpus_shape())
    train = window.model_panel.train_config()
    assert model is not None and train is not None
    hidden = args.hidden_size or (model.hidden_size if args.task else 128)
    sized = dataclasses.replace(model, hidden_size=hidden, layers=args.layers)
    window.model_panel.set_configs(sized, train)
    cells = tuple(args.cells.split(","))
    choice = RaceChoice(cells, "params", None, args.seconds / len(cells), 1234)
    window.run_commands.start_race(choice)
    started = time.monotonic()
    _wait(app, lambda: not window.controller.running, args.seconds * 3 + 30)
    print(f"raced {time.monotonic() - started:.0f} s:", ", ".join(
        f"{run.name} {run.step} steps, best validation {run.best_validation:.4f}"
        for run in window.runs.runs.values()
    ))  # fmt: skip
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(args.out / "race.png"))
    for kind in ("chars", "seconds"):
        window.parts.x_axis_control.set_x_axis(kind)
        _wait(app, lambda: False, 0.5)
        window.grab().save(str(args.out / f"race_{kind}.png"))
    window.parts.x_axis_control.set_x_axis("step")
    window.center_tabs.setCurrentIndex(1)  # gates and states of the current run
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(args.out / "race_gates.png"))
    gradients = 3  # the page with the gradient flow and σ_max of every run
    window.center_tabs.setCurrentIndex(gradients)
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(args.out / "race_gradients.png"))
    window.center_tabs.setCurrentIndex(0)
    window.actions_.presentation.trigger()
    window.resize(1920, 1080)
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(args.out / "race_presentation.png"))
    window.center_tabs.setCurrentIndex(gradients)
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(args.out / "race_gradients_presentation.png"))
    window.actions_.focus.trigger()  # what a projector shows: no side panels
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(args.out / "race_gradients_focus.png"))
    window.center_tabs.setCurrentIndex(0)
    _wait(app, lambda: False, 1.0)
    window.grab().save(str(args.out / "race_focus.png"))
    window.actions_.focus.trigger()
    window.actions_.presentation.trigger()
    window.controller.dirty = False
    window.close()


if __name__ == "__main__":
    main()
