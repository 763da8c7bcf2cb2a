"""``--task`` and ``--task-length``: what ``rnnlab train`` and ``rnnlab race`` share to train on
a synthetic task (``rnnlab.core.tasks``) in place of a corpus; and ``rnnlab tasks``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rnnlab.core.tasks import DEFAULT_LENGTH, TASKS


def add_task_arguments(group: Any, exclusive: Any) -> None:
    """``--task`` in ``exclusive`` (beside ``--corpus``), ``--task-length`` in ``group``."""
    exclusive.add_argument(
        "--task", choices=tuple(TASKS),
        help="a synthetic memory task in place of a corpus (see rnnlab tasks)",
    )  # fmt: skip
    group.add_argument(
        "--task-length", type=int, metavar="T",
        help=f"the task's distance T (default {DEFAULT_LENGTH}); with --resume: go on at this T",
    )  # fmt: skip


def data_source(args: argparse.Namespace) -> Any:
    """The corpus or task the arguments name (UserError when neither, or a length on text)."""
    from rnnlab.cli import UserError
    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.tasks import find_task

    if args.task:
        if getattr(args, "encoding", None) or getattr(args, "line_mode", None):
            raise UserError("--encoding and --line-mode are for a corpus, not a task")
        return find_task(args.task, args.task_length or DEFAULT_LENGTH)
    if args.task_length is not None:
        raise UserError("--task-length needs --task (a corpus has no task length)")
    if not args.corpus:
        raise UserError(
            "say what to train on: --corpus PATH or a bundled name (rnnlab corpora), "
            "or --task NAME (rnnlab tasks)"
        )
    return load_corpus(args.corpus, encoding=args.encoding, line_mode=getattr(args, "line_mode",
                                                                              None))  # fmt: skip


def describe_source(source: Any) -> str:
    """One line about a corpus or task, for a command's first line of output."""
    from rnnlab.core.tasks import Task

    if isinstance(source, Task):
        spec = source.spec
        return (f"task {source.name}: sequences of {spec.sequence_length(source.length)} steps, "
                f"{spec.loss}, chance {spec.chance:.3f}")  # fmt: skip
    mode = " (line mode)" if source.line_mode else ""
    unit = getattr(source, "tokenizer", None)  # a word or BPE run's (TokenCorpus)
    if unit is not None:
        return (f"{source.name}: {len(source.text):,} characters in {len(source.codes):,} "
                f"tokens ({unit.unit.label}), vocabulary {len(unit):,}")  # fmt: skip
    return (f"{source.name}: {len(source.text):,} characters, vocabulary "
            f"{len(source.vocabulary)}{mode}")  # fmt: skip


def add_tasks_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("tasks", help="list the synthetic memory tasks")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run_tasks)


def run_tasks(args: argparse.Namespace) -> int:
    listed = [spec.to_dict() for spec in TASKS.values()]
    if args.json:
        print(json.dumps({"tasks": listed}))
        return 0
    width = max(len(spec.name) for spec in TASKS.values())
    for spec in TASKS.values():
        print(f"{spec.name:<{width}}  {spec.loss:<13}  chance {spec.chance:.3f}  "
              f"{spec.description}")  # fmt: skip
    return 0
