"""``rnnlab train``: train a model on a corpus or a synthetic task, with progress on stderr."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import IO, Any

from rnnlab.cli import EXIT_DIVERGED, UserError
from rnnlab.cli.progress import Progress
from rnnlab.cli.task_arguments import add_task_arguments, data_source, describe_source
from rnnlab.core.config import CELL_TYPES, CLIP_MODES, DEVICES, OPTIMIZERS, ModelConfig, TrainConfig
from rnnlab.core.tokens import TokenUnit

# argparse destination -> (config class, field); None defaults mean "the config's default".
_MODEL_FIELDS = {
    "cell": "cell",
    "hidden_size": "hidden_size",
    "layers": "layers",
    "embedding_size": "embedding_size",
    "dropout": "dropout",
    "forget_bias": "forget_bias",
}
_TRAIN_FIELDS = {
    "batch_size": "batch_size",
    "seq_len": "seq_len",
    "optimizer": "optimizer",
    "lr": "learning_rate",
    "weight_decay": "weight_decay",
    "clip": "clip",
    "clip_value": "clip_value",
    "eval_every": "eval_every",
    "seed": "seed",
    "device": "device",
    "threads": "threads",
}
# What may change when resuming (the rest is the checkpoint's).
_RESUMABLE = {"lr", "clip", "clip_value", "eval_every", "device", "threads", "task_length"}


def add_parser(commands: argparse._SubParsersAction) -> None:
    defaults_model, defaults_train = ModelConfig(vocab_size=2), TrainConfig()
    parser = commands.add_parser("train", help="train a model on a text corpus or a task")
    parser.set_defaults(run=run)
    data = parser.add_argument_group("data (a corpus or a task)")
    source = data.add_mutually_exclusive_group()
    source.add_argument(
        "--corpus", help="a text file or a bundled corpus name (see rnnlab corpora)"
    )
    add_task_arguments(data, source)
    data.add_argument("--encoding", help="the file's text encoding, if not UTF-8/UTF-16")
    data.add_argument(
        "--tokens", metavar="UNIT",
        help="what one step reads: char (default), word or bpe:K (K merges, 50-5000), learned "
        "on the training split; losses are also shown in bits per character (see rnnlab tokens)",
    )  # fmt: skip
    data.add_argument(
        "--line-mode",
        action="store_true",
        default=None,
        help="one example per line (lists of names); default: the bundled corpus's",
    )
    model = parser.add_argument_group(
        f"model (defaults: {defaults_model.layers} x "
        f"{defaults_model.hidden_size} {defaults_model.cell})"
    )
    model.add_argument("--cell", choices=CELL_TYPES)
    model.add_argument("--hidden-size", type=int)
    model.add_argument("--layers", type=int)
    model.add_argument("--embedding-size", type=int)
    model.add_argument("--dropout", type=float)
    model.add_argument(
        "--forget-bias", type=float,
        help="start of the memory gate's bias (LSTM/SRU forget, GRU update); default: the cell's",
    )  # fmt: skip
    training = parser.add_argument_group(
        f"training (defaults: batch {defaults_train.batch_size}, seq-len {defaults_train.seq_len}, "
        f"{defaults_train.optimizer} lr {defaults_train.learning_rate:g}, "
        f"clip {defaults_train.clip} {defaults_train.clip_value:g})"
    )
    training.add_argument("--batch-size", type=int)
    training.add_argument("--seq-len", type=int, help="characters per truncated-BPTT window")
    training.add_argument("--optimizer", choices=OPTIMIZERS)
    training.add_argument("--lr", type=float, help="learning rate")
    training.add_argument("--weight-decay", type=float)
    training.add_argument("--clip", choices=CLIP_MODES, help="gradient clipping mode")
    training.add_argument("--clip-value", type=float, help="clipping threshold")
    budget = training.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, help="steps to take in this run")
    budget.add_argument("--minutes", type=float, help="minutes to train in this run")
    training.add_argument("--eval-every", type=int, help="steps between validations")
    training.add_argument("--seed", type=int)
    training.add_argument("--device", choices=DEVICES)
    training.add_argument("--threads", type=int, help="CPU threads (default: PyTorch's)")
    files = parser.add_argument_group("files")
    files.add_argument(
        "--out", type=Path, help="checkpoint to write (at each validation and at the end)"
    )
    files.add_argument("--resume", type=Path, help="continue from this checkpoint, on its corpus")
    files.add_argument(
        "--log-jsonl", type=Path, help="write one JSON object per step and validation"
    )


def run(args: argparse.Namespace) -> int:
    from rnnlab.core.checkpoint import load_checkpoint, save_checkpoint
    from rnnlab.core.device import choose_device
    from rnnlab.core.errors import ConfigError
    from rnnlab.core.memory_estimate import available_memory, memory_refusal
    from rnnlab.core.resume import resume_trainer
    from rnnlab.core.tasks import model_shape_of
    from rnnlab.core.trainer import new_trainer

    if args.steps is not None and args.steps < 1:
        raise UserError("--steps must be at least 1")
    if args.minutes is not None and not args.minutes > 0:
        raise UserError("--minutes must be above 0")
    if args.resume is not None:
        changed = [
            name
            for name, value in vars(args).items()
            if value is not None
            and (name in _MODEL_FIELDS or name in _TRAIN_FIELDS)
            and name not in _RESUMABLE
        ]
        if changed or args.corpus or args.task or args.encoding or args.line_mode or args.tokens:
            shown = ", ".join("--" + name.replace("_", "-") for name in changed) or (
                "--task" if args.task else "--tokens" if args.tokens else "--corpus"
            )
            raise UserError(f"{shown} cannot change when resuming: a checkpoint keeps its settings")
        checkpoint = load_checkpoint(args.resume)
        trainer, corpus = resume_trainer(
            checkpoint, device=args.device, threads=args.threads, task_length=args.task_length
        )
        if args.lr is not None:
            trainer.set_learning_rate(args.lr)
        if args.clip is not None or args.clip_value is not None:
            trainer.set_clipping(args.clip or trainer.config.clip, args.clip_value)
        if args.eval_every is not None:
            trainer.config = TrainConfig.from_dict(
                {**trainer.config.to_dict(), "eval_every": args.eval_every}
            )
        out = args.out or args.resume
    else:
        unit = None if args.tokens is None else TokenUnit.parse(args.tokens)  # before loading
        corpus = _in_unit(data_source(args), unit)
        model_values = {
            field: getattr(args, name)
            for name, field in _MODEL_FIELDS.items()
            if getattr(args, name) is not None
        }
        train_values = {
            field: getattr(args, name)
            for name, field in _TRAIN_FIELDS.items()
            if getattr(args, name) is not None
        }
        model_config = ModelConfig(**model_shape_of(corpus), **model_values)
        if unit is not None:
            train_values["tokens"] = unit.name  # kept with the run's other settings
        train_config = TrainConfig(**train_values)
        if choose_device(train_config.device).type == "cpu":  # too large: killed, not an error
            refusal = memory_refusal(model_config, train_config, corpus, available_memory())
            if refusal:
                raise ConfigError(refusal)
        trainer = new_trainer(corpus, model_config, train_config)
        out = args.out
    if out is not None and out.exists() and out.is_dir():
        raise ConfigError(f"--out {out} is a folder; name a file")

    log = args.log_jsonl.open("a", encoding="utf-8") if args.log_jsonl else None
    try:
        return _train_loop(trainer, corpus, args, out, log, save_checkpoint)
    finally:
        if log is not None:
            log.close()


def _in_unit(source: Any, unit: TokenUnit | None) -> Any:
    """The corpus in the unit ``--tokens`` names (learned on its training split, saying how
    long that took, and for words how much of the validation text is unknown), or the corpus or
    task as it is."""
    from rnnlab.core.tasks import Task
    from rnnlab.core.token_corpus import learn_unit, unknown_warning

    if unit is None:
        return source
    if isinstance(source, Task):
        raise UserError("--tokens is for a corpus: a task's symbols are its own")
    started = time.perf_counter()
    corpus = learn_unit(source, unit, TrainConfig().validation_fraction)
    if unit.kind == "char":
        return corpus
    print(f"rnnlab: {unit.label} learned on the training split in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)  # fmt: skip
    warning = unknown_warning(corpus)
    if warning:
        print(f"rnnlab: warning: {warning}", file=sys.stderr)
    return corpus


def _train_loop(
    trainer: Any,
    corpus: Any,
    args: argparse.Namespace,
    out: Path | None,
    log: IO[str] | None,
    save: Any,
) -> int:
    from rnnlab.core.config import count_parameters
    from rnnlab.core.trainer import DivergenceReport, EvalReport, StepReport

    config = trainer.model.config
    print(
        f"rnnlab: {describe_source(corpus)}; "
        f"{config.layers} x {config.hidden_size} {config.cell}, "
        f"{count_parameters(config):,} parameters; device {trainer.device}; "
        f"starting at step {trainer.step}",
        file=sys.stderr,
    )
    start = time.perf_counter()
    budget = args.minutes * 60.0 if args.minutes is not None else None
    chance = getattr(getattr(corpus, "spec", None), "chance", None)  # a task's chance loss
    progress = Progress(trainer.step, args.steps, budget, chance)
    last_eval_step = None
    try:
        for report in trainer.run(max_steps=args.steps):
            if isinstance(report, StepReport):
                _log(
                    log,
                    {
                        "step": report.step,
                        "loss": report.loss,
                        "bits_per_char": report.bits_per_char,
                        "grad_norm": report.grad_norm,
                        "clipped": report.clipped,
                        "learning_rate": report.learning_rate,
                        "chars_per_second": report.chars_per_second,
                    },
                )
                progress.step(report)
                if budget is not None and time.perf_counter() - start >= budget:
                    break
            elif isinstance(report, EvalReport):
                last_eval_step = report.step
                _log_eval(log, report)
                progress.evaluation(report)
                if out is not None:
                    save(trainer, corpus, out)
            elif isinstance(report, DivergenceReport):
                _log(log, {"step": report.step, "divergence": report.reason})
                saved = ""
                if out is not None and trainer.step > 0:
                    save(trainer, corpus, out)
                    saved = f"; the weights of step {trainer.step} were saved to {out}"
                print(
                    f"rnnlab train: training diverged at step {report.step}: {report.reason}"
                    f"{saved}. Lower --lr or use --clip norm.",
                    file=sys.stderr,
                )
                return EXIT_DIVERGED
    except (KeyboardInterrupt, MemoryError, RuntimeError):
        # Ctrl+C or out of memory mid-step: the weights are those of the last finished step.
        if out is not None and trainer.step > 0:
            save(trainer, corpus, out)
            print(f"rnnlab train: stopped; saved step {trainer.step} to {out}", file=sys.stderr)
        raise
    if last_eval_step != trainer.step:
        report = trainer.evaluate()
        _log_eval(log, report)
        progress.evaluation(report)
    if out is not None:
        save(trainer, corpus, out)
        print(f"rnnlab train: saved step {trainer.step} to {out}", file=sys.stderr)
    return 0


def _log(log: IO[str] | None, record: dict[str, Any]) -> None:
    if log is not None:
        log.write(json.dumps(record) + "\n")


def _log_eval(log: IO[str] | None, report: Any) -> None:
    record = {
        "step": report.step,
        "val_loss": report.loss,
        "val_bits_per_char": report.bits_per_char,
        "val_perplexity": report.perplexity,
    }
    if report.accuracy == report.accuracy:  # a symbol task's (NaN on text)
        record["val_accuracy"] = report.accuracy
    _log(log, record)
