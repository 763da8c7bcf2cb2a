"""``rnnlab race``: train several cell types on the same batches, in turns, and compare them.

By default every cell gets the parameter count of an LSTM with ``--hidden-size`` and
``--layers`` (its own hidden size chosen to match), the same seed, the same batches in the same
order and the same share of training time (``--seconds``) or the same number of steps.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

DEFAULT_CELLS = "rnn,lstm,gru,sru"
DEFAULT_SECONDS = 30.0
LOSS_WINDOW = 50  # "loss" is the mean training loss of this many last steps


def add_parser(commands: argparse._SubParsersAction) -> None:
    from rnnlab.core.config import CELL_TYPES, DEVICES, ModelConfig, TrainConfig

    parser = commands.add_parser(
        "race",
        help="race cell types on the same batches with equal parameters (or hidden size)",
        description="Train one run per cell in turns in one thread, with the same seed and "
        "batches and a fair share of training time each, then compare their losses.",
    )
    parser.set_defaults(run=run)
    parser.add_argument("--corpus", required=True, help="a bundled name or a text file")
    parser.add_argument("--encoding", help="the file's text encoding, if not UTF-8/UTF-16")
    parser.add_argument(
        "--cells", default=DEFAULT_CELLS,
        help=f"comma-separated cells from {', '.join(CELL_TYPES)} (default {DEFAULT_CELLS})",
    )  # fmt: skip
    parser.add_argument(
        "--equal", choices=("params", "hidden"), default="params",
        help="params (default): each cell's hidden size gives the parameter count of an LSTM "
        "with --hidden-size and --layers; hidden: every cell with --hidden-size",
    )  # fmt: skip
    defaults = ModelConfig(vocab_size=2)
    parser.add_argument("--hidden-size", type=int, default=defaults.hidden_size)
    parser.add_argument("--layers", type=int, default=defaults.layers)
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, help="steps per run")
    budget.add_argument(
        "--seconds", type=float,
        help=f"each run's share of training time (default {DEFAULT_SECONDS:g})",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=TrainConfig().seed)
    parser.add_argument("--eval-every", type=int, help="steps between validations")
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    parser.add_argument("--out", type=Path, help="a folder: one checkpoint per run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from rnnlab.cli import UserError
    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.race import new_race, race_models

    cells = [cell.strip() for cell in args.cells.split(",") if cell.strip()]
    if args.steps is not None and args.steps < 1:
        raise UserError("--steps must be at least 1")
    if args.seconds is not None and not (args.seconds > 0 and math.isfinite(args.seconds)):
        raise UserError("--seconds must be a number above 0")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UserError(f"--out {args.out} is a file; name a folder")
    seconds = args.seconds if args.steps is None else None
    if args.steps is None and seconds is None:
        seconds = DEFAULT_SECONDS
    corpus = load_corpus(args.corpus, encoding=args.encoding)
    base = ModelConfig(
        vocab_size=len(corpus.vocabulary), hidden_size=args.hidden_size, layers=args.layers
    )
    extra = {"eval_every": args.eval_every} if args.eval_every is not None else {}
    config = TrainConfig(seed=args.seed, device=args.device, threads=args.threads, **extra)
    models = race_models(cells, base, args.equal)
    race = new_race(corpus, models, config, max_steps=args.steps, seconds=seconds)
    for lane in race.run():
        if not args.json and lane.diverged and lane.reports:
            print(f"{lane.name} diverged at step {lane.trainer.step + 1}: {lane.diverged}",
                  file=sys.stderr)  # fmt: skip
    runs = [_summary(lane) for lane in race.lanes]  # the race validated each run at its end
    if args.out is not None:
        _save(race, corpus, args.out)
    if args.json:
        print(json.dumps({"runs": runs}))
    else:
        _print_table(corpus.name, runs, args.equal)
    return 0


def _summary(lane: Any) -> dict[str, Any]:
    trainer = lane.trainer
    history = trainer.history
    losses = history.losses.astype(float)
    chars, seconds = history.chars, history.seconds.astype(float)
    evaluations = history.evaluations
    rows = []
    first_step = int(history.since("steps", 0)[0]) if len(history) else 0
    for item in evaluations:
        index = int(item["step"]) - first_step if len(history) else -1
        if 0 <= index < len(history):
            recent = losses[max(0, index + 1 - LOSS_WINDOW) : index + 1]
            rows.append([int(item["step"]), int(chars[index]), float(seconds[index]),
                         float(recent.mean()), float(item["loss"])])  # fmt: skip
    config = trainer.model.config
    return {
        "cell": config.cell,
        "hidden_size": config.hidden_size,
        "parameters": trainer.model.parameter_count(),
        "steps": trainer.step,
        "seconds": trainer.training_seconds,
        "loss": float(losses[-LOSS_WINDOW:].mean()) if len(losses) else None,
        "val_loss": float(evaluations[-1]["loss"]) if evaluations else None,
        "best_val_loss": history.best_validation(),
        "history": rows,
        **({"diverged": lane.diverged} if lane.diverged else {}),
    }


def _save(race: Any, corpus: Any, folder: Path) -> None:
    from rnnlab.core.checkpoint import save_checkpoint

    for index, lane in enumerate(race.lanes, start=1):
        save_checkpoint(lane.trainer, corpus, folder / f"{index}-{lane.name}.pt")


def _print_table(name: str, runs: list[dict[str, Any]], equal: str) -> None:
    print(f"{name}: equal {'parameters' if equal == 'params' else 'hidden size'}")
    print(f"{'cell':<9}{'hidden':>7}{'params':>10}{'steps':>8}{'seconds':>9}"
          f"{'loss':>8}{'val':>8}{'best val':>10}")  # fmt: skip
    for row in runs:
        def show(value: float | None) -> str:
            return "-" if value is None else f"{value:.3f}"

        print(f"{row['cell']:<9}{row['hidden_size']:>7}{row['parameters']:>10,}"
              f"{row['steps']:>8,}{row['seconds']:>9.1f}{show(row['loss']):>8}"
              f"{show(row['val_loss']):>8}{show(row['best_val_loss']):>10}"
              + (f"  diverged: {row['diverged']}" if "diverged" in row else ""))  # fmt: skip
