"""Responsiveness while training: ``rnnlab bench window [--seconds S] [--page N]``.

Trains a 2 x 256 LSTM (batch 32 x 64, one thread) in one process: headless through the engine's
generator (half before the window, half after), and inside the window through its worker thread,
while a 10 ms QTimer heartbeat in the GUI thread records how late it fires. Prints the
heartbeat's p95 and maximum lateness, the window's training throughput as a ratio of the
headless one (the window probes the model and draws the inspector's page while it trains), the
probes' share of the training thread's time and cost, and how often the views were refreshed.
"""

from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import time
from array import array

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QSettings, QTimer, Slot
from PySide6.QtWidgets import QApplication

HEARTBEAT_MS = 10


class Heartbeat(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.clock = QElapsedTimer()
        # 4 bytes a beat: a list of floats (32 bytes a beat, 100 beats a second) would itself
        # show in ``bench runs``' bytes per step.
        self.late_ms = array("f")
        self.timer = QTimer(self)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self.beat)

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    @Slot()
    def beat(self) -> None:
        elapsed = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.late_ms.append(max(elapsed - HEARTBEAT_MS, 0.0))


def headless_chars_per_second(seconds: float) -> float:
    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.trainer import new_trainer

    corpus = load_corpus("tinyshakespeare")
    config = TrainConfig(threads=1, device="cpu", eval_every=10**9)
    trainer = new_trainer(corpus, ModelConfig(vocab_size=len(corpus.vocabulary)), config)
    steps = trainer.run()
    for _ in range(3):
        next(steps)  # warm-up
    chars, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        chars += next(steps).chars
    return chars / (time.perf_counter() - started)


def window_run(
    app: QApplication, seconds: float, settings_path: str, page: int
) -> tuple[float, list[float], tuple[int, float], list[float], list[float]]:
    """(chars/s in the window, heartbeat lateness in ms, (scheduled probes, their share), the
    seconds between two refreshes of the inspector's views, each probe's seconds)."""
    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.gui.window.startup import create_main_window

    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    window = create_main_window(["tinyshakespeare"], settings=settings)
    window.show()
    window.center_tabs.setCurrentIndex(page)
    _wait(app, lambda: window.corpus is not None)
    window.model_panel.set_configs(
        ModelConfig(vocab_size=len(window.corpus.vocabulary)),
        TrainConfig(threads=1, device="cpu", eval_every=10**9),
    )
    received: list[tuple[float, int]] = []  # (time, characters) per update
    window.controller.updated.connect(
        lambda update: received.append((time.perf_counter(), 2048 * len(update.steps)))
    )
    refreshed: list[float] = []  # when an inspection of the followed run reached the window
    costs: list[float] = []  # each probe's seconds in the training thread
    window.controller.inspected.connect(lambda _: refreshed.append(time.perf_counter()))
    window.controller.inspected.connect(lambda inspection: costs.append(inspection.seconds))
    heartbeat = Heartbeat()
    window.train()
    _wait(app, lambda: bool(received))
    heartbeat.start()
    started = time.perf_counter()
    # Idle in the event loop, as the application does (a busy processEvents() loop would
    # compete with training for the interpreter).
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    probes = window.controller.probe_statistics() or (0, 0.0)
    window.controller.dirty = False
    window.close()
    measured = [chars for moment, chars in received if moment >= started]
    moments = [moment for moment in refreshed if moment >= started]
    intervals = [later - earlier for earlier, later in itertools.pairwise(moments)]
    return sum(measured) / seconds, heartbeat.late_ms, probes, intervals, costs


def _wait(app: QApplication, condition, seconds: float = 60.0) -> None:
    """Run the event loop until ``condition()`` holds, polling every 50 ms."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()


def run(seconds: float, page: int) -> int:
    """Measure and print; the exit status (0)."""
    app = QApplication.instance() or QApplication([])
    # Headless half before the window and half after: a machine that speeds up or slows down
    # during the run moves both sides alike.
    before = headless_chars_per_second(seconds / 2)
    with tempfile.TemporaryDirectory() as folder:
        settings = os.path.join(folder, "settings.ini")
        in_window, late, (probes, share), intervals, costs = window_run(
            app, seconds, settings, page
        )
    headless = (before + headless_chars_per_second(seconds / 2)) / 2
    late = sorted(late)
    p95 = late[int(0.95 * (len(late) - 1))] if late else float("nan")
    ratio = in_window / headless
    median = statistics.median(late) if late else float("nan")
    print(f"headless engine: {headless:,.0f} chars/s")
    print(f"in the window: {in_window:,.0f} chars/s (ratio {ratio:.3f}, goal >= 0.95)")
    cost = f"; a probe took {1000 * statistics.median(costs):.1f} ms (median)" if costs else ""
    print(
        f"probes while training: {probes}, {share:.1%} of the training thread's time "
        f"(goal <= 5%), page {page} shown{cost}"
    )
    if intervals:
        print(
            f"the inspector's views refreshed every {statistics.median(intervals):.2f} s "
            f"(median), {max(intervals):.2f} s at most (goal <= 1 s)"
        )
    print(
        f"heartbeat every {HEARTBEAT_MS} ms, {len(late)} beats: late by p95 {p95:.1f} ms "
        f"(goal <= 30), max {max(late, default=float('nan')):.1f} ms (goal <= 200), "
        f"median {median:.1f} ms"
    )
    return 0
