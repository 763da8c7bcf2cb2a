"""``rnnlab bench window`` and ``rnnlab bench plots``: the window's own benchmarks.

``window`` trains the same model headless and inside the window and prints the window's share of
the headless speed, the probes' share of training time and how late a 10 ms GUI timer fires.
``plots`` times the training plots' redraws with a million points (or saves screenshots of them).

Besides ``rnnlab.app`` (opening the window), this module is the command line's only way into
``rnnlab.gui``; the import-linter contract in pyproject.toml names both exceptions. Qt is
imported only when one of these runs, so the other commands never load it.
"""

from __future__ import annotations

import argparse

WHAT = ("window", "plots", "runs")
DEFAULT_SECONDS = 30.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Declared here, not by importing the tools: building the parser must not load Qt.
    parser.add_argument(
        "--seconds", type=float,
        help="window: seconds of training on each side; race: seconds of racing in all; runs: "
        "seconds of racing (all three default 30); memory: seconds per run (default 45)",
    )  # fmt: skip
    parser.add_argument(
        "--page", type=int, default=1, choices=range(4),
        help="window: the tab shown while training: 0 loss, 1 gates and states (the costliest), "
        "2 text, 3 gradients",
    )  # fmt: skip
    parser.add_argument(
        "--points", type=int, default=1_000_000, help="plots: points per curve to redraw"
    )
    parser.add_argument("--screenshots", metavar="FOLDER", help="plots: save PNGs there instead")
    parser.add_argument(
        "--size", choices=("tiny", "big"), default="big",
        help="runs: 1 x 16 LSTMs (memory per step) or 2 x 256 ones (memory and speed)",
    )  # fmt: skip
    parser.add_argument("--runs", type=int, default=4, help="runs: how many race (default 4)")


def run(args: argparse.Namespace) -> int:
    if args.what == "window":
        from rnnlab.gui.tools import bench_window

        return bench_window.run(args.seconds or DEFAULT_SECONDS, args.page)
    if args.what == "runs":
        from rnnlab.gui.tools import bench_runs

        return bench_runs.run(args.seconds or DEFAULT_SECONDS, args.size, args.runs)
    from pathlib import Path

    from rnnlab.gui.tools import bench_plots

    return bench_plots.run(args.points, Path(args.screenshots) if args.screenshots else None)
