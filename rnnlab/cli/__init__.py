"""The ``rnnlab`` command: train, sample, info, corpora, ngram, race, tasks, lessons, bench.

User errors print one line on stderr and exit with code 2; no traceback reaches a user unless
``--debug`` is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rnnlab.core.errors import RnnlabError, is_out_of_memory

EXIT_USER_ERROR = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130


class UserError(RnnlabError):
    """A command-line mistake found after parsing."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistake in one line (not usage plus message) and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from rnnlab.cli import bench, inspect, lessons, ngram, race, tokens, train
    from rnnlab.cli.task_arguments import add_tasks_parser

    parser = _Parser(
        prog="rnnlab",
        description="Train and look inside character-level recurrent networks.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    train.add_parser(commands)
    inspect.add_parsers(commands)
    ngram.add_parser(commands)
    tokens.add_parser(commands)
    race.add_parser(commands)
    add_tasks_parser(commands)
    lessons.add_parser(commands)
    bench.add_parser(commands)
    parser.set_defaults(commands=tuple(commands.choices))  # what main() tells from a file name
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()  # cheap: the commands import torch only when they run
    commands = parser.get_default("commands")
    if not arguments or (arguments[0] not in commands and not arguments[0].startswith("-")):
        # `rnnlab` or `rnnlab FILE`: the window.
        from rnnlab.app import main as run_window

        return run_window(arguments)
    args = parser.parse_args(arguments)
    from rnnlab.core.numpy_threads import hold_numpy_to_one_thread

    hold_numpy_to_one_thread()  # see rnnlab.core.numpy_threads: the commands train beside NumPy
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except RnnlabError as error:
        if args.debug:
            raise
        print(f"rnnlab {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"rnnlab {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (MemoryError, RuntimeError) as error:
        # torch.OutOfMemoryError (GPU) is a RuntimeError; any other RuntimeError is a bug.
        if args.debug or not is_out_of_memory(error):
            raise
        print(
            f"rnnlab {args.command}: error: out of memory; try a smaller --batch-size, "
            "--hidden-size or --seq-len, or --device cpu",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    except BrokenPipeError:
        return 0
