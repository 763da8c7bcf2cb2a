"""The ``rnnlab`` command: train, sample, info, corpora, bench.

User errors print one line on stderr and exit with code 2; no traceback reaches a user unless
``--debug`` is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rnnlab.core.errors import RnnlabError

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
    from rnnlab.cli import bench, inspect, train

    parser = _Parser(
        prog="rnnlab",
        description="Train and look inside character-level recurrent networks.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    train.add_parser(commands)
    inspect.add_parsers(commands)
    bench.add_parser(commands)
    return parser


COMMANDS = ("train", "sample", "info", "corpora", "bench")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or (arguments[0] not in COMMANDS and not arguments[0].startswith("-")):
        # `rnnlab` or `rnnlab FILE`: the window.
        from rnnlab.app import main as run_window

        return run_window(arguments)
    parser = build_parser()
    args = parser.parse_args(arguments)
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
        out_of_memory = isinstance(error, MemoryError) or "out of memory" in str(error).lower()
        if args.debug or not out_of_memory:
            raise
        print(
            f"rnnlab {args.command}: error: out of memory; try a smaller --batch-size, "
            "--hidden-size or --seq-len, or --device cpu",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    except BrokenPipeError:
        return 0
