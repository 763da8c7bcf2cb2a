"""``rnnlab bench memory``: does memory decide the outcome? Cells raced on a synthetic task at
several distances T, with equal parameters and the task's default settings.

For each T (``--lengths``) and seed (``--seeds``) the cells (``--cells``) race for ``--seconds``
of training each in one thread, validated every 100 steps on the task's held-out sequences. For
each run it reports the last validation loss as a share of the task's chance loss, and the
training seconds it took to solve the task: its first validation below ``SOLVED`` x chance.

The lesson's claims are checked on the adding problem: at T = 50 LSTM and GRU reach <= 0.15 x
chance and the vanilla RNN stays >= 0.7 x chance; at T = 5 the vanilla RNN reaches <= 0.3 x chance
within 30 s. The default grid (RNN, LSTM, GRU at T = 5 and 50, one seed, 45 s each) takes about
five minutes of one core; ``--lengths 5,20,50,100 --seeds 3 --cells rnn,lstm,gru,sru`` is the wide
one.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

SOLVED = 0.1  # "solved": validation loss below a tenth of chance
DEFAULT_SECONDS = 45.0
GOALS = (  # (task length, cell, the share of chance its loss must stay on the right side of)
    (50, "lstm", "<=", 0.15), (50, "gru", "<=", 0.15), (50, "rnn", ">=", 0.7),
)  # fmt: skip
EARLY_GOAL = (5, "rnn", 30.0, 0.3)  # at T = 5 the RNN reaches <= 0.3 x chance within 30 s


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", default="adding", help="memory: the task (default adding)")
    parser.add_argument(
        "--lengths", default="5,50", help="memory: task lengths T, comma-separated (default 5,50)"
    )
    parser.add_argument(
        "--cells", default="rnn,lstm,gru", help="memory: cells to race (default rnn,lstm,gru)"
    )
    parser.add_argument("--seeds", type=int, default=1, help="memory: seeds per length (default 1)")


def run(args: argparse.Namespace) -> int:
    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.core.race import new_race, race_models
    from rnnlab.core.tasks import TASK_MODEL_DEFAULTS, TASK_TRAIN_DEFAULTS, find_task

    seconds = args.seconds if args.seconds is not None else DEFAULT_SECONDS
    cells = [cell.strip() for cell in args.cells.split(",") if cell.strip()]
    lengths = [int(length) for length in args.lengths.split(",") if length.strip()]
    rows: list[dict[str, Any]] = []
    for length in lengths:
        task = find_task(args.task, length)
        base = ModelConfig(**task.model_shape(), **TASK_MODEL_DEFAULTS)
        for seed in range(1234, 1234 + args.seeds):
            config = TrainConfig(**TASK_TRAIN_DEFAULTS, seed=seed, threads=args.threads,
                                 device=args.device)  # fmt: skip
            race = new_race(task, race_models(cells, base), config, seconds=seconds)
            for _ in race.run():
                pass
            for lane in race.lanes:
                rows.append(_row(lane, length, seed, task.spec.chance))
                if not args.json:
                    print(_describe(rows[-1]), file=sys.stderr, flush=True)
    results = {"task": args.task, "seconds": seconds, "runs": rows, "goals": _goals(rows)}
    if args.json:
        print(json.dumps(results))
    else:
        for line in results["goals"]:
            print(line)
    return 0


def _row(lane: Any, length: int, seed: int, chance: float) -> dict[str, Any]:
    history = lane.trainer.history
    seconds = history.seconds.astype(float)
    first = int(history.since("steps", 0)[0]) if len(history) else 1
    ratios = [(float(seconds[item["step"] - first]), item["loss"] / chance)
              for item in history.evaluations if item["step"] >= first]  # fmt: skip
    solved = next((at for at, ratio in ratios if ratio < SOLVED), None)
    return {
        "length": length, "seed": seed, "cell": lane.trainer.model.config.cell,
        "hidden_size": lane.trainer.model.config.hidden_size,
        "parameters": lane.trainer.model.parameter_count(), "steps": lane.trainer.step,
        "ratio": ratios[-1][1] if ratios else None, "solved_seconds": solved,
        "ratios": ratios,
    }  # fmt: skip


def _describe(row: dict[str, Any]) -> str:
    solved = f"solved in {row['solved_seconds']:.1f} s" if row["solved_seconds"] else "not solved"
    return (f"T = {row['length']:>3} seed {row['seed']} {row['cell']:<5} hidden "
            f"{row['hidden_size']:>4} ({row['parameters']:,} parameters): {row['steps']:>6,} "
            f"steps, loss {row['ratio']:.2g} x chance, {solved}")  # fmt: skip


def _ratio_at(row: dict[str, Any], seconds: float) -> float | None:
    """The last validation's share of chance at or before ``seconds`` of training."""
    before = [ratio for at, ratio in row["ratios"] if at <= seconds]
    return before[-1] if before else None


def _goals(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for length, cell, side, bound in GOALS:
        found = [row["ratio"] for row in rows if row["length"] == length and row["cell"] == cell]
        if found:
            held = sum(r <= bound if side == "<=" else r >= bound for r in found)
            shown = ", ".join(f"{r:.2g}" for r in found)
            lines.append(f"T = {length} {cell}: loss/chance {shown} (goal {side} {bound}): "
                         f"held in {held} of {len(found)}")  # fmt: skip
    length, cell, within, bound = EARLY_GOAL
    found = [row for row in rows if row["length"] == length and row["cell"] == cell]
    if found:
        ratios = [_ratio_at(row, within) for row in found]
        held = sum(r is not None and r <= bound for r in ratios)
        shown = ", ".join("-" if r is None else f"{r:.2g}" for r in ratios)
        lines.append(f"T = {length} {cell} after {within:g} s: loss/chance {shown} "
                     f"(goal <= {bound}): held in {held} of {len(found)}")  # fmt: skip
    return lines
