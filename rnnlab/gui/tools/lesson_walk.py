"""Walk the built-in lessons in the real window and time each one's point:
``python -m rnnlab.gui.tools.lesson_walk OUT_DIR [--lesson NAME ...] [--size 1920x1080] [--json]``.

Each lesson opens as ``rnnlab LESSON.toml`` opens it. The walk clicks Next step by step up to the
lesson's key step (the one whose action demonstrates its point), waiting before each click as a
teacher would (for a step's training or sample to end, or for its own point), and measures the
seconds from the Next that started the demonstration until the window shows the point: a
predicate per lesson reads what the window shows (``lesson_points``), with the criterion of
the lesson's headless check. Then it writes OUT_DIR/<lesson>.png and, in presentation mode with
Focus on, OUT_DIR/<lesson>_presentation.png, prints a table (or JSON) and writes walk.json.

Run it in a real X server, one lesson at a time on a small machine:
``xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb python -m
rnnlab.gui.tools.lesson_walk /tmp/walk``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from rnnlab.core.builtin_lessons import BUILTIN_ORDER, builtin_lesson_path
from rnnlab.core.lesson import load_lesson

CAP_SECONDS = 120.0  # a point not shown by then is a failure
STEP_CAP_SECONDS = 240.0  # an earlier step's training or sample, or its own point
TARGET_SECONDS = 60.0  # what the lessons promise: the point within a minute of Next
LOOK_SECONDS = 1.5  # a step with nothing to wait for: the class reads it, then Next


@dataclass
class Timed:
    step: int
    title: str
    seconds: float  # from the Next of the step the clock started at; NaN if never shown
    reached: bool
    measured: str


@dataclass
class WalkResult:
    lesson: str
    key_step: str
    seconds: float
    reached: bool
    measured: str
    at_screenshot: str = ""
    earlier: list[Timed] = field(default_factory=list)
    later: list[Timed] = field(default_factory=list)
    done_seconds: float = math.nan  # a key step that trains: when its training ended
    load_average: str = ""  # /proc/loadavg before the first Next, then after the walk
    screenshots: list[str] = field(default_factory=list)


def wait(app: QApplication, condition, seconds: float, poll_ms: int = 100) -> bool:
    """Run the event loop until ``condition()`` holds (checked every ``poll_ms``) or
    ``seconds`` pass; whether it held. The window goes on working meanwhile: nothing sleeps."""
    deadline = time.monotonic() + seconds
    loop = QEventLoop()
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        QTimer.singleShot(poll_ms, loop.quit)
        loop.exec()


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def _ready(window, lesson) -> bool:
    return (window.lessons.is_open and window.corpus is not None
            and not window.loader.loading_corpus and len(window.runs) == len(lesson.runs)
            and window.model_panel.deviceCombo.count() > 1)  # fmt: skip


def _idle(window) -> bool:
    """The step's actions are done: nothing queued, training, or sampling."""
    return not (window.lessons.actions.busy or window.controller.running
                or window.sample_panel.is_sampling())  # fmt: skip


def _press_next(watch, number: int) -> None:
    window = watch.window
    watch.presses[number] = time.monotonic()
    watch.steps_at[number] = {run.run: run.step for run in window.runs.runs.values()}
    QTest.mouseClick(window.lessons.panel.nextButton, Qt.MouseButton.LeftButton)


def _timed(app: QApplication, watch, number: int, point, began: float) -> Timed:
    """Step ``number``'s own point, waited for (at most STEP_CAP_SECONDS) and timed from
    ``began``."""
    shown = wait(app, lambda: point(watch).reached, STEP_CAP_SECONDS)
    title = watch.lesson.steps[number - 1].title
    seconds = time.monotonic() - began if shown else math.nan
    return Timed(number, title, seconds, shown, point(watch).measured)


def walk_lesson(app: QApplication, name: str, out: Path, size: tuple[int, int],
                settings: QSettings) -> WalkResult:  # fmt: skip
    from rnnlab.gui.tools.lesson_points import WALKS
    from rnnlab.gui.tools.lesson_watch import Watch
    from rnnlab.gui.window.startup import create_main_window

    path = builtin_lesson_path(name)
    lesson, plan = load_lesson(path), WALKS[name]
    window = create_main_window([str(path)], settings=settings)
    window.resize(*size)
    window.show()
    if not wait(app, lambda: _ready(window, lesson), 120):
        raise RuntimeError(f"{name}: the lesson's data and runs did not come")
    wait(app, lambda: False, 3.0)  # the teacher introduces it: torch and the window settle
    watch = Watch(window, lesson)
    load_before = load_average()
    result = WalkResult(name, f"{plan.key}. {lesson.steps[plan.key - 1].title}", math.nan, False,
                        "")  # fmt: skip
    for number in range(1, plan.key):
        _press_next(watch, number)
        began = watch.presses[plan.start] if number >= plan.start else watch.presses[number]
        if number in plan.waits:
            result.earlier.append(_timed(app, watch, number, plan.waits[number], began))
        else:
            wait(app, lambda: False, LOOK_SECONDS)
            wait(app, lambda: _idle(window), STEP_CAP_SECONDS)
    _press_next(watch, plan.key)
    began = watch.presses[plan.start]
    left = CAP_SECONDS - (time.monotonic() - began)
    shown = wait(app, lambda: plan.point(watch).reached, max(left, 0.0))
    result.seconds = time.monotonic() - began if shown else math.nan
    result.reached, result.measured = shown, plan.point(watch).measured
    if plan.when_done and wait(app, lambda: _idle(window), STEP_CAP_SECONDS):
        result.done_seconds = time.monotonic() - began
    result.screenshots = shoot(app, window, out, name)
    result.at_screenshot = plan.point(watch).measured
    for number, point in sorted(plan.after.items()):
        _press_next(watch, number)
        result.later.append(_timed(app, watch, number, point, watch.presses[number]))
    result.load_average = f"{load_before} | {load_average()}"
    window.stop()
    wait(app, lambda: not window.controller.running, 30)
    window.controller.dirty = False  # nothing to save: the lesson makes its runs again
    window.close()
    window.deleteLater()
    wait(app, lambda: False, 0.5)
    return result


def shoot(app: QApplication, window, out: Path, name: str) -> list[str]:
    """The key moment as the class sees it: normal, then presentation mode with Focus."""
    actions = window.actions_
    wait(app, lambda: False, 1.0)  # the plots' next redraw
    paths = [out / f"{name}.png", out / f"{name}_presentation.png"]
    window.grab().save(str(paths[0]))
    actions.presentation.trigger()
    actions.focus.trigger()
    wait(app, lambda: False, 1.5)
    window.grab().save(str(paths[1]))
    actions.focus.trigger()
    actions.presentation.trigger()
    wait(app, lambda: False, 0.5)
    return [str(path) for path in paths]


def _row(step: str, shown: str, measured: str) -> str:
    return f"{'':<22} {step:<34.34} {shown:>8}  {measured}"


def _timed_row(timed: Timed) -> str:
    shown = f"{timed.seconds:.1f}" if timed.reached else "NOT SHOWN"
    return _row(f"  {timed.step}. {timed.title}", shown, timed.measured)


def table(results: list[WalkResult]) -> str:
    """One row per lesson (its key step and the seconds to its point), then its earlier steps
    that had a point of their own, what the screenshots show, and the steps walked after."""
    rows = [f"{'lesson':<22} {'key step':<34} {'seconds':>8}  measured"]
    for result in results:
        seconds = f"{result.seconds:.1f}" if result.reached else "NOT SHOWN"
        late = "" if not result.reached or result.seconds <= TARGET_SECONDS else " (over 60 s)"
        rows.append(f"{result.lesson:<22} {result.key_step[:34]:<34} {seconds:>8}  "
                    f"{result.measured}{late}")  # fmt: skip
        rows += [_timed_row(timed) for timed in result.earlier]
        if math.isfinite(result.done_seconds):
            rows.append(_row("  its training ended", f"{result.done_seconds:.1f}", ""))
        rows.append(_row("  at the screenshot", "", result.at_screenshot))
        rows += [_timed_row(timed) for timed in result.later]
    return "\n".join(rows)


def _no_nan(value):
    """JSON has no NaN: a time never reached is null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _no_nan(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_no_nan(item) for item in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--lesson",
        action="append",
        choices=BUILTIN_ORDER,
        help="walk only this lesson (repeat for more); all by default",
    )
    parser.add_argument("--size", default="1920x1080", help="the window's size, WxH")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    import rnnlab.gui  # noqa: F401  (binds pyqtgraph to PySide6)

    results = []
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
        for name in args.lesson or BUILTIN_ORDER:
            results.append(walk_lesson(app, name, args.out, (width, height), settings))
            settings.clear()  # each lesson opens as on a first start
            print(f"walked {name}", file=sys.stderr, flush=True)
    report = [_no_nan(asdict(result)) for result in results]
    (args.out / "walk.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2) if args.json else table(results))


if __name__ == "__main__":
    main()
