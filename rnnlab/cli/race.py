"""``rnnlab race``: train several cell types on the same batches, in turns, and compare them,
on a corpus or on a synthetic task (``--task``: its defaults are a 1 x 64 model, batch 32, Adam
2e-3, clipped at norm 1). On a corpus, ``--tokens char,word,bpe:500`` races every cell in every
unit (at most MAX_RUNS runs), on the same stretches of text, compared in bits per character.

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

from rnnlab.cli.task_arguments import add_task_arguments, data_source
from rnnlab.core.race_sizes import MAX_RUNS

DEFAULT_CELLS = "rnn,lstm,gru,sru"
DEFAULT_SECONDS = 30.0
LOSS_WINDOW = 50  # "loss" is the mean training loss of this many last steps


def add_parser(commands: argparse._SubParsersAction) -> None:
    from rnnlab.core.config import CELL_TYPES, DEVICES, ModelConfig, TrainConfig
    from rnnlab.core.tasks import TASK_MODEL_DEFAULTS

    parser = commands.add_parser(
        "race",
        help="race cell types on the same batches with equal parameters (or hidden size)",
        description="Train one run per cell in turns in one thread, with the same seed and "
        "batches and a fair share of training time each, then compare their losses.",
    )
    parser.set_defaults(run=run)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", help="a bundled name or a text file")
    parser.add_argument("--encoding", help="the file's text encoding, if not UTF-8/UTF-16")
    add_task_arguments(parser, source)
    parser.add_argument(
        "--cells", default=DEFAULT_CELLS,
        help=f"comma-separated cells from {', '.join(CELL_TYPES)} (default {DEFAULT_CELLS})",
    )  # fmt: skip
    parser.add_argument(
        "--tokens", metavar="UNITS",
        help="comma-separated token units to race every cell in: char, word, bpe:K (at most "
        f"{MAX_RUNS} runs in all); equal parameters use the first unit's vocabulary",
    )  # fmt: skip
    parser.add_argument(
        "--equal", choices=("params", "hidden"), default="params",
        help="params (default): each cell's hidden size gives the parameter count of an LSTM "
        "with --hidden-size and --layers; hidden: every cell with --hidden-size",
    )  # fmt: skip
    defaults = ModelConfig(vocab_size=2)
    parser.add_argument(
        "--hidden-size", type=int,
        help=f"default {defaults.hidden_size} ({TASK_MODEL_DEFAULTS['hidden_size']} on a task)",
    )  # fmt: skip
    parser.add_argument(
        "--layers", type=int,
        help=f"default {defaults.layers} ({TASK_MODEL_DEFAULTS['layers']} on a task)",
    )  # fmt: skip
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
    from rnnlab.core.race import new_race, race_models
    from rnnlab.core.tasks import TASK_MODEL_DEFAULTS, TASK_TRAIN_DEFAULTS, Task, model_shape_of

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
    corpus = data_source(args)
    task = corpus if isinstance(corpus, Task) else None
    model_values: dict[str, Any] = dict(TASK_MODEL_DEFAULTS) if task else {}
    train_values: dict[str, Any] = dict(TASK_TRAIN_DEFAULTS) if task else {}
    model_values.update({name: getattr(args, name) for name in ("hidden_size", "layers")
                         if getattr(args, name) is not None})  # fmt: skip
    if args.eval_every is not None:
        train_values["eval_every"] = args.eval_every
    base = ModelConfig(**model_shape_of(corpus), **model_values)
    config = TrainConfig(seed=args.seed, device=args.device, threads=args.threads, **train_values)
    if args.tokens is not None:
        if task is not None:
            raise UserError("--tokens is for a corpus: a task's symbols are its own")
        return _unit_race(args, corpus, cells, base, config, seconds)
    models = race_models(cells, base, args.equal)
    race = new_race(corpus, models, config, max_steps=args.steps, seconds=seconds)
    _race(race, args)
    runs = [_summary(lane, task) for lane in race.lanes]  # each was validated at its end
    if args.out is not None:
        _save(race, [corpus] * len(race.lanes), args.out)
    if args.json:
        print(json.dumps({"runs": runs}))
    else:
        _print_table(corpus.name, runs, args.equal, task)
    return 0


def _race(race: Any, args: argparse.Namespace) -> None:
    for lane in race.run():
        if not args.json and lane.diverged and lane.reports:
            print(f"{lane.name} diverged at step {lane.trainer.step + 1}: {lane.diverged}",
                  file=sys.stderr)  # fmt: skip


def _unit_race(
    args: argparse.Namespace, corpus: Any, cells: list[str], base: Any, config: Any,
    seconds: float | None,
) -> int:  # fmt: skip
    """Every cell in every unit of ``--tokens``, on the same text: equal parameters are those
    of an LSTM reading the first unit; each run's JSON adds ``tokens`` and
    ``val_bits_per_char``."""

    from rnnlab.cli import UserError
    from rnnlab.core.race import new_race
    from rnnlab.core.race_sizes import RaceSizeError, unit_race_models
    from rnnlab.core.token_corpus import learn_unit, unknown_share, unknown_warning
    from rnnlab.core.tokens import TokenUnit

    units = [TokenUnit.parse(unit) for unit in args.tokens.split(",") if unit.strip()]
    twice = [unit.name for index, unit in enumerate(units) if unit in units[:index]]
    if twice:
        raise UserError(f"--tokens lists {twice[0]} twice")
    if not units or len(cells) * len(units) > MAX_RUNS:
        raise UserError(f"--cells and --tokens race every cell in every unit: "
                        f"{len(cells)} x {len(units)} runs, at most {MAX_RUNS}")  # fmt: skip
    readings = {unit.name: learn_unit(corpus, unit, config.validation_fraction) for unit in units}
    sizes = [(name, len(reading.vocabulary)) for name, reading in readings.items()]
    try:
        planned = unit_race_models(cells, base, args.equal, sizes)
    except RaceSizeError as error:
        raise UserError(f"{error}; list that unit first, raise --hidden-size, or use "
                        "--equal hidden") from None  # fmt: skip
    models = [run.model for run in planned]
    sources = [readings[run.tokens] for run in planned]
    names = [f"{run.model.cell} {run.tokens}" for run in planned]
    labels = [run.tokens for run in planned]
    race = new_race(sources, models, config, max_steps=args.steps, seconds=seconds, names=names)
    _race(race, args)
    runs = [
        {**_summary(lane), "tokens": label, "val_bits_per_char": _bits(lane),
         "unknown_share": unknown_share(source)}
        for lane, label, source in zip(race.lanes, labels, sources)
    ]  # fmt: skip
    if args.out is not None:
        _save(race, sources, args.out)
    if args.json:
        print(json.dumps({"runs": runs}))
        return 0
    _print_table(corpus.name, runs, args.equal)
    for reading in readings.values():  # never a word run's bare number: say what flatters it
        warning = unknown_warning(reading)
        if warning:
            print(f"rnnlab race: warning: {warning}", file=sys.stderr)
    return 0


def _bits(lane: Any) -> float | None:
    """The last validation in bits per character (a token run's over the characters its
    tokens spell)."""
    evaluations = lane.trainer.history.evaluations
    if not evaluations:
        return None
    from rnnlab.core.reports import validation_bits

    return validation_bits(evaluations[-1])


def _summary(lane: Any, task: Any = None) -> dict[str, Any]:
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
        **(_task_summary(task, evaluations) if task is not None else {}),
    }


def _task_summary(task: Any, evaluations: list[dict[str, Any]]) -> dict[str, Any]:
    """A task run's chance loss (in the task's own loss) and, for a task with answer classes,
    its last validation accuracy."""
    values: dict[str, Any] = {"chance": task.spec.chance}
    if task.spec.classes:
        values["accuracy"] = evaluations[-1].get("accuracy") if evaluations else None
    return values


def _save(race: Any, corpora: list[Any], folder: Path) -> None:
    from rnnlab.core.checkpoint import save_checkpoint

    for index, (lane, corpus) in enumerate(zip(race.lanes, corpora), start=1):
        name = lane.name.replace(" ", "-").replace(":", "")  # "lstm bpe:500" -> "lstm-bpe500"
        save_checkpoint(lane.trainer, corpus, folder / f"{index}-{name}.pt")


def _print_table(name: str, runs: list[dict[str, Any]], equal: str, task: Any = None) -> None:
    unit = f"; loss in {task.spec.loss}, chance {task.spec.chance:.3f}" if task else ""
    print(f"{name}: equal {'parameters' if equal == 'params' else 'hidden size'}{unit}")
    units = "tokens" in runs[0]  # a race of token units: per token, and bits per character
    if units:
        print("loss and val: nats per token; val bpc: bits per character of the same text")
    print(f"{'cell':<9}" + (f"{'unit':<10}" if units else "")
          + f"{'hidden':>7}{'params':>10}{'steps':>8}{'seconds':>9}"
          + f"{'loss':>8}{'val':>8}{'best val':>10}"
          + (f"{'val bpc':>9}" if units else ""))  # fmt: skip
    for row in runs:
        def show(value: float | None) -> str:
            return "-" if value is None else f"{value:.3f}"

        print(f"{row['cell']:<9}" + (f"{row['tokens']:<10}" if units else "")
              + f"{row['hidden_size']:>7}{row['parameters']:>10,}"
              f"{row['steps']:>8,}{row['seconds']:>9.1f}{show(row['loss']):>8}"
              f"{show(row['val_loss']):>8}{show(row['best_val_loss']):>10}"
              + (f"{show(row['val_bits_per_char']):>9}" if units else "")
              + (f"  {row['val_loss'] / row['chance']:.2f} x chance"
                 if "chance" in row and row["val_loss"] is not None else "")
              + (f", accuracy {row['accuracy']:.1%}" if row.get("accuracy") is not None else "")
              + (f"  diverged: {row['diverged']}" if "diverged" in row else ""))  # fmt: skip
