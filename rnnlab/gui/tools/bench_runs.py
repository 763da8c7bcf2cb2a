"""Memory and responsiveness with several runs in the window:
``rnnlab bench runs [--seconds S] [--size tiny|big] [--runs N]``.

Races four LSTM runs (``--runs N``) inside the window (a share of S / N training seconds each) while
a 10 ms heartbeat in the GUI thread records how late it fires, and reports:

- the process's resident memory (RSS) at the start of the race and at its end;
- bytes per step: the RSS growth over the last third of the race divided by the steps taken in
  it (before that the process pays one-off costs: allocator pools, and the plots' buffers
  filling up to their bound of ``MAX_POINTS`` per run: race long enough that they are full by
  then, e.g. ``--size tiny --runs 1 --seconds 1200``);
- the heartbeat's p95 and maximum lateness;
- how often each run's views were refreshed (a probe of that run reached the window).

``--size big`` is four 2 x 256 LSTMs (the issue's memory goal: RSS <= 1.5 GB after 5 minutes);
``--size tiny`` four 1 x 16 LSTMs on batches of 4 x 16, which take thousands of steps a second:
what a small model left training overnight would do to memory.
"""

from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import time

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from rnnlab.gui.tools.bench_window import Heartbeat, _wait

MEASURED_FROM = 2 / 3  # bytes per step: the growth after this share of the race


def resident_bytes() -> int:
    """This process's resident set size (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def run(seconds: float, size: str, runs: int = 4) -> int:
    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.gui.panels.race_dialog import RaceChoice
    from rnnlab.gui.window.startup import create_main_window

    app = QApplication.instance() or QApplication([])
    folder = tempfile.mkdtemp()
    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
    window = create_main_window(["tinyshakespeare"], settings=settings)
    window.show()
    _wait(app, lambda: window.corpus is not None)
    vocabulary = len(window.corpus.vocabulary)
    if size == "tiny":
        model = ModelConfig(vocab_size=vocabulary, hidden_size=16, layers=1, embedding_size=8)
        train = TrainConfig(batch_size=4, seq_len=16, eval_chars=2_000, threads=1, device="cpu")
    else:
        model = ModelConfig(vocab_size=vocabulary)
        train = TrainConfig(threads=1, device="cpu")
    window.model_panel.set_configs(model, train)
    cells = ("lstm",) * runs
    steps_seen: list[int] = [0]
    window.controller.updated.connect(lambda update: steps_seen.__setitem__(0, steps_seen[0] +
                                      len(update.steps)))  # fmt: skip
    refreshed: dict[int, list[float]] = {}  # run -> when a probe of it reached the window
    costs: list[float] = []  # each probe's seconds in the training thread
    window.controller.runInspected.connect(
        lambda run, _: refreshed.setdefault(run, []).append(time.perf_counter())
    )
    window.controller.runInspected.connect(lambda _, inspection: costs.append(inspection.seconds))
    heartbeat = Heartbeat()
    started_rss = resident_bytes()
    window.run_commands.start_race(RaceChoice(cells, "hidden", None, seconds / runs, 1234))
    heartbeat.start()
    started = time.perf_counter()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000 * MEASURED_FROM), loop.quit)
    loop.exec()
    middle_rss, middle_steps = resident_bytes(), steps_seen[0]
    _wait(app, lambda: not window.controller.running, seconds * 2 + 60)
    wall = time.perf_counter() - started
    end_rss, end_steps = resident_bytes(), steps_seen[0]
    late = sorted(heartbeat.late_ms)
    p95 = late[int(0.95 * (len(late) - 1))] if late else float("nan")
    per_step = (end_rss - middle_rss) / max(end_steps - middle_steps, 1)
    plots = window.loss_plot.buffer_bytes() + window.grad_norm_plot.buffer_bytes()
    print(f"{runs} {size} LSTM runs raced {wall:.0f} s in the window, {end_steps:,} steps in all")
    print(f"RSS: {started_rss / 1e6:,.0f} MB before, {end_rss / 1e6:,.0f} MB at the end "
          f"(goal <= 1,500 MB with --size big after 300 s)")  # fmt: skip
    print(f"bytes per step over the last third: {per_step:,.1f} (goal <= 64); "
          f"the plots' buffers hold {plots / 1e6:,.1f} MB")  # fmt: skip
    print(f"heartbeat every 10 ms: late by p95 {p95:.1f} ms (goal <= 30), "
          f"max {max(late, default=float('nan')):.1f} ms")  # fmt: skip
    _print_refreshes(refreshed, started + 10.0)  # from 10 s on: every run has started
    if costs:
        print(f"a probe took {1000 * statistics.median(costs):.1f} ms (median of {len(costs)})")
    window.controller.dirty = False
    window.close()
    return 0


def _print_refreshes(refreshed: dict[int, list[float]], since: float) -> None:
    """Each run's longest wait between two probes reaching the window, from ``since`` on."""
    longest, medians = {}, {}
    for run, moments in sorted(refreshed.items()):
        waits = [b - a for a, b in itertools.pairwise(m for m in moments if m >= since)]
        longest[run] = max(waits, default=float("nan"))
        medians[run] = statistics.median(waits) if waits else float("nan")
    shown = ", ".join(f"run {run} {seconds:.1f} s" for run, seconds in longest.items())
    print(f"longest wait between two refreshes of a run's views: {shown} (goal <= 4 s)")
    shown = ", ".join(f"run {run} {seconds:.1f} s" for run, seconds in medians.items())
    print(f"median wait: {shown}")
