"""``rnnlab sample``, ``rnnlab info`` and ``rnnlab corpora``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parsers(commands: argparse._SubParsersAction) -> None:
    sample = commands.add_parser("sample", help="generate text from a checkpoint (to stdout)")
    sample.set_defaults(run=run_sample)
    sample.add_argument("checkpoint", type=Path)
    sample.add_argument("--prime", default="", help="text to start from (line mode: a prefix)")
    sample.add_argument(
        "--temperature",
        type=float,
        default=1.0,
        help="> 0; lower is safer and more repetitive, higher more surprising",
    )
    sample.add_argument("--top-k", type=int, help="sample only among the k most likely characters")
    sample.add_argument("--top-p", type=float, help="sample only within this probability mass")
    sample.add_argument("--greedy", action="store_true", help="always the most likely character")
    sample.add_argument(
        "--beam", type=int, metavar="K", help="beam search: the K best continuations"
    )
    sample.add_argument("--length", type=int, default=500, help="characters to generate")
    sample.add_argument("--count", type=int, default=10, help="line mode: how many lines")
    sample.add_argument("--seed", type=int, help="for repeatable samples")

    info = commands.add_parser("info", help="describe a checkpoint")
    info.set_defaults(run=run_info)
    info.add_argument("checkpoint", type=Path)

    corpora = commands.add_parser("corpora", help="list the bundled corpora")
    corpora.set_defaults(run=run_corpora)


def run_sample(args: argparse.Namespace) -> int:
    from rnnlab.cli import UserError
    from rnnlab.core.checkpoint import load_checkpoint
    from rnnlab.core.sampling import Sampler, SampleSettings

    if args.length < 1 or args.count < 1:
        raise UserError("--length and --count must be at least 1")
    settings = SampleSettings(args.temperature, args.top_k, args.top_p, args.greedy, args.seed)
    checkpoint = load_checkpoint(args.checkpoint)
    if checkpoint.task is not None or checkpoint.vocabulary is None:
        name = checkpoint.task.name if checkpoint.task else "a numeric task"
        raise UserError(
            f"{args.checkpoint} is a run on the task {name}: it answers the task's questions, "
            "it does not write text (rnnlab info describes it)"
        )
    line_mode = bool(checkpoint.corpus_info.get("line_mode"))
    sampler = Sampler.from_model(checkpoint.model, checkpoint.vocabulary, line_mode=line_mode)
    prime, warnings = sampler.clean_prime(args.prime, drop_unknown=True)
    for warning in warnings:
        print(f"rnnlab sample: warning: {warning}", file=sys.stderr)
    out = sys.stdout
    if args.beam is not None:
        for rank, (text, log_probability) in enumerate(
            sampler.beam_search(prime, args.beam, args.length), start=1
        ):
            out.write(f"--- beam {rank}: log-probability {log_probability:.3f} nats ---\n")
            out.write(prime + text + "\n")
        return 0
    if line_mode:
        for line in sampler.sample_lines(prime, args.count, settings, max_length=args.length):
            out.write(line + "\n")
        return 0
    out.write(prime)
    written = 0  # characters: a word or BPE model's tokens are longer than one
    for index, piece in enumerate(sampler.generate(prime, args.length, settings)):
        piece = piece[: args.length - written]  # the last token may spell more than asked
        out.write(piece)
        written += len(piece)
        if index % 64 == 63:
            out.flush()  # show text as it is produced
    out.write("\n")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from rnnlab.core.checkpoint import load_checkpoint
    from rnnlab.core.config import count_parameters

    checkpoint = load_checkpoint(args.checkpoint)
    model, train = checkpoint.model_config, checkpoint.train_config
    corpus, history, task = checkpoint.corpus_info, checkpoint.history, checkpoint.task
    tokens = getattr(checkpoint.vocabulary, "unit", None)  # a word or BPE run's TokenUnit
    unit = "nats/char" if task is None else task.spec.loss
    if tokens is not None:
        unit = "nats/token"
    if task is None:
        noun = "characters" if tokens is None else f"tokens ({tokens.label})"
        data = [
            f"vocabulary: {model.vocab_size} {noun}",
            f"corpus: {corpus['name']} ({'bundled' if corpus['bundled'] else corpus['source']}), "
            f"encoding {corpus['encoding']}{', line mode' if corpus['line_mode'] else ''}",
        ]
        batch = f"batch {train.batch_size} x {train.seq_len}"
    else:
        data = [f"task: {task.name} ({task.spec.loss}, chance {task.spec.chance:.4f}); "
                f"{describe_inputs(model)}"]  # fmt: skip
        batch = f"batch {train.batch_size}"
    lines = [
        f"checkpoint: {checkpoint.path}",
        f"model: {model.layers} x {model.hidden_size} {model.cell}, "
        f"embedding {model.embedding_size}, dropout {model.dropout:g}",
        f"parameters: {checkpoint.model.parameter_count():,} "
        f"(formula: {count_parameters(model):,})",
        *data,
        f"training: step {checkpoint.step}, {batch}, "
        f"{train.optimizer} lr {train.learning_rate:g}, weight decay {train.weight_decay:g}, "
        f"clip {train.clip} {train.clip_value:g}, seed {train.seed}",
    ]
    if len(history):
        recent = history.since("losses", len(history) - 100)
        lines.append(f"training loss (last {len(recent)} steps): {recent.mean():.4f} {unit}")
    if history.evaluations:
        last = history.evaluations[-1]
        accuracy = f", accuracy {last['accuracy']:.1%}" if "accuracy" in last else ""
        bits = f" ({last['bits_per_char']:.3f} bits/char)" if "bits_per_char" in last else ""
        lines.append(
            f"validation loss at step {last['step']}: {last['loss']:.4f} {unit}{bits}{accuracy}"
        )
    for event in history.events:
        lines.append(f"step {event['step']}: {event['name']} {event['old']} -> {event['new']}")
    print("\n".join(lines))
    return 0


def describe_inputs(model: Any) -> str:
    """What a task model reads and answers, in words."""
    reads = (f"reads {model.input_size} numbers a step" if model.input_size
             else f"reads {model.vocab_size} symbols")  # fmt: skip
    answers = "one number" if model.outputs == 1 else f"one of {model.outputs} answers"
    return f"{reads}, answers {answers}"


def run_corpora(args: argparse.Namespace) -> int:
    from rnnlab.core.corpus import bundled_corpora, load_corpus

    rows = [("name", "size", "characters", "vocabulary", "mode", "description")]
    for bundled in bundled_corpora():
        corpus = load_corpus(bundled.name)
        rows.append(
            (
                bundled.name,
                f"{corpus.size_bytes / 1024:,.0f} KiB",
                f"{len(corpus.text):,}",
                str(len(corpus.vocabulary)),
                "lines" if corpus.line_mode else "text",
                bundled.description,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    for row in rows:
        cells = [value.ljust(width) for value, width in zip(row, widths)]
        print("  ".join([*cells, row[5]]))
    return 0
