"""n-gram baselines for the loss plot: scored on the runs' own validation characters, and built
in a separate process so that counting never competes with training for the interpreter.

The window starts a Python process whose only job is ``serve``: it reads one ``BuildRequest`` from
its standard input, counts, scores and writes back a ``BuildResult`` (or the error's message).
That process imports NumPy and the n-gram engine, never torch or Qt: ``serve`` is its program.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.core.errors import ConfigError, RnnlabError
from rnnlab.core.ngram import NgramCounts, NgramModel
from rnnlab.core.validation_layout import ValidationText

DEFAULT_MAX_ORDER = 8  # 1 MB of text counts in a few seconds; higher orders only get worse
# The counting process yields the CPU to training, which runs in the window's process. Measured
# on a 2-core machine busy with other work (training a 2 x 256 LSTM, steps/s beside one build of
# tinyshakespeare's orders 1-8 relative to alone): 0.53-0.85 with the build at normal priority,
# 0.82-0.95 at niceness 10, 0.80-1.07 at 19; the build then took 2.5-9 s instead of 2-3.
CHILD_NICENESS = 19
# Counting needs about 150 bytes a character at order 8: 4 M characters took 9 s and 565 MB
# here. A longer training text is counted from its start up to this, not at the cost of
# gigabytes; the baselines then say so.
MAX_COUNTED_CHARS = 4_000_000
SMOOTHING = "kneser-ney"


def effective_orders(text: ValidationText, order: int) -> np.ndarray:
    """(M,) the order each counted character is predicted with: ``order``, or less where its
    piece began fewer than order - 1 characters before (a line's first characters).

    A history cut short is a start, as a line start is for the network, not an unknown past:
    the model of the shorter order, with raw counts at its own top order, is the right one
    there. The model of the full order would back off through *continuation* counts, which
    answer another question (in how many contexts a character appears): after the newline
    that starts a name, they made every first letter about equally likely.
    """
    reach = text.targets - text.piece_starts[text.targets]  # characters of the piece before it
    return np.minimum(order, reach + 1)


def baseline_losses(
    counts: NgramCounts, text: ValidationText, orders: Sequence[int], smoothing: str = SMOOTHING
) -> list[float]:
    """Mean -ln P (nats/char) of the text's counted characters, per order."""
    if not len(text.targets):
        raise ConfigError("there are no validation characters to score the n-grams on")
    top = max(orders)
    ending = counts.ending_ids(text.codes, top)  # the k-gram lookups, shared by every order
    # (top, M): row e - 1 holds each counted character's probability under the order-e model.
    by_order = np.stack([
        NgramModel(counts, order, smoothing).probabilities(text.codes, 0, ending)[text.targets]
        for order in range(1, top + 1)
    ])  # fmt: skip
    columns = np.arange(len(text.targets))
    return [
        float(-np.mean(np.log(by_order[effective_orders(text, order) - 1, columns])))
        for order in orders
    ]


@dataclass(frozen=True)
class BuildRequest:
    training_codes: np.ndarray  # (N,) the training text the networks learn from
    vocab_size: int
    max_order: int
    validation: ValidationText | None  # None: count only (the layout is not known or valid)


@dataclass(frozen=True)
class BuildResult:
    counts: NgramCounts  # with every Kneser-Ney table made, ready to score and sample
    losses: tuple[float, ...]  # per order 1..max_order on the request's validation text
    seconds: float  # counting and scoring
    peak_bytes: int  # the building process's peak resident memory (0 where unknown)


def build(request: BuildRequest) -> BuildResult:
    started = time.perf_counter()
    counts = NgramCounts(request.training_codes, request.vocab_size, request.max_order)
    orders = range(1, request.max_order + 1)
    losses: tuple[float, ...] = ()
    if request.validation is not None and len(request.validation.targets):
        losses = tuple(baseline_losses(counts, request.validation, orders))
    else:  # still make the tables, so that sampling in the window does not have to
        for order in orders:
            NgramModel(counts, order)
    return BuildResult(counts, losses, time.perf_counter() - started, peak_memory())


def peak_memory() -> int:
    """This process's peak resident memory in bytes; 0 where the platform cannot say.

    Linux: VmHWM, the peak of this program's own memory. Not ru_maxrss there: a child started
    from the window inherits the window's peak through exec, and would report hundreds of MB.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # in kB
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024  # macOS: bytes


def child_command(niceness: int = CHILD_NICENESS) -> list[str]:
    """The command that runs ``serve`` in a fresh interpreter: ``python -c``, so the child
    imports only this module (multiprocessing's spawn would also import the main module of
    whoever started the window). It lowers its priority before importing anything (POSIX;
    on Windows the window starts it below normal priority)."""
    program = (
        f"import os\nif hasattr(os, 'nice'): os.nice({int(niceness)})\n"
        "from rnnlab.core.ngram_baselines import serve\nserve()"
    )
    return [sys.executable, "-c", program]


def child_environment() -> dict[str, str]:
    """This environment, with the folder this rnnlab was imported from first on the path: the
    child runs the same code as the parent (a source checkout, not another installed copy)."""
    root = str(Path(__file__).resolve().parents[2])
    environment = dict(os.environ)
    paths = [root, *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    return environment


def serve() -> None:
    """The build process's whole program: one pickled ``BuildRequest`` on standard input, one
    pickled reply on standard output, ("ok", BuildResult) or ("error", message)."""
    replies = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the pipe the reply travels in
    try:
        request = pickle.load(sys.stdin.buffer)
    except (EOFError, OSError, pickle.UnpicklingError):  # the window went away first
        return
    try:
        reply: tuple[str, object] = ("ok", build(request))
    except RnnlabError as error:  # e.g. too few characters: written for the user
        reply = ("error", str(error))
    except MemoryError:
        reply = ("error", "not enough memory to count the n-grams of this text")
    except Exception as error:  # a bug: the window says what it was, and goes on
        reply = ("error", f"{type(error).__name__}: {error}")
    try:
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()
    except OSError:  # the window went away meanwhile
        pass
