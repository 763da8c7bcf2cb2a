"""Background work for the n-gram baselines: counting in a child process, re-scoring in a thread.

Counting is NumPy sorting: about 2 s for tinyshakespeare's orders 1-8. Measured on a 2-core
machine busy with other work, a 2 x 256 LSTM training in a thread (one torch thread) kept
0.61-0.84 of its steps/s while a build ran in a second thread, 0.53-0.85 while it ran in a
process at normal priority, and 0.80-1.07 with that process at the lowest priority. So each build
is its own low-priority process (``rnnlab.core.ngram_baselines.CHILD_NICENESS``), running
``ngram_baselines.serve``: it imports NumPy and the n-gram engine only, and one for a corpus that
was replaced is ended at once rather than left to finish.

A plain ``python -c`` child (``ngram_baselines.child_command``) rather than ``multiprocessing``'s
spawn: spawn re-imports the main module of whoever started the window (a script without a
``__main__`` guard would open a second window in the child); this child imports what it needs.

Re-scoring the counts on other validation settings takes a fraction of a second and runs in a
plain thread: those settings are locked while training runs, so it never competes with training.
Requests and results travel through the pipes in helper threads, never in the GUI thread: writing
megabytes to a process that is still starting would block the window.
"""

from __future__ import annotations

import pickle
import subprocess
import threading
from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal, Slot

from rnnlab.core.ngram import NgramCounts
from rnnlab.core.ngram_baselines import (
    BuildRequest,
    baseline_losses,
    child_command,
    child_environment,
)
from rnnlab.core.validation_layout import ValidationText

THREAD_PREFIX = "rnnlab n-gram"
_WAIT_SECONDS = 5.0  # a terminated process ends in milliseconds; this only bounds a stuck one


class BaselineJobs(QObject):
    """Runs one build at a time and any number of re-scorings; results come back as signals in
    the GUI thread, tagged with the caller's token so stale ones can be told apart."""

    built = Signal(int, object)  # token, BuildResult
    failed = Signal(int, str)  # token of a build, a message for people
    scored = Signal(int, object)  # token of a scoring, list[float]: nats per character by order
    notScored = Signal(int, str)  # token of a scoring, what went wrong
    _arrived = Signal(int, str, object)  # from a helper thread: token, kind, payload

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._build: tuple[int, subprocess.Popen, threading.Thread] | None = None
        self._scorers: list[threading.Thread] = []
        # Queued explicitly: the helper threads emit, the GUI thread delivers.
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def build(self, token: int, request: BuildRequest) -> None:
        """Count in a new process (ending any build still running)."""
        self.cancel_build()
        try:
            process = subprocess.Popen(
                child_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                env=child_environment(),
                # Below training's priority (POSIX: the child lowers its own niceness).
                creationflags=getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0),
            )  # fmt: skip
        except (OSError, ValueError) as error:  # no interpreter to start, too many processes
            self.failed.emit(token, f"could not start the n-gram process: {error}")
            return
        thread = threading.Thread(
            target=self._exchange, args=(token, process, request),
            name=f"{THREAD_PREFIX} pipe", daemon=True,
        )  # fmt: skip
        self._build = (token, process, thread)
        thread.start()

    def score(
        self, token: int, counts: NgramCounts, text: ValidationText, orders: Sequence[int]
    ) -> None:
        """Score ``counts`` on ``text`` in a thread: ``scored`` or ``notScored`` with ``token``."""
        self._scorers = [thread for thread in self._scorers if thread.is_alive()]
        thread = threading.Thread(
            target=self._score, args=(token, counts, text, list(orders)),
            name=f"{THREAD_PREFIX} scoring", daemon=True,
        )  # fmt: skip
        self._scorers.append(thread)
        thread.start()

    def building(self) -> bool:
        return self._build is not None

    def cancel_build(self) -> None:
        """End the running build, if any; its result never arrives."""
        if self._build is None:
            return
        _, process, thread = self._build
        self._build = None
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(_WAIT_SECONDS)
        except subprocess.TimeoutExpired:  # ignored the request to end
            process.kill()
            process.wait()
        thread.join()  # its pipes broke with the process: it is ending
        self._close_pipes(process)

    def close(self) -> None:
        """No process or thread of ours is left running (the window is closing)."""
        self.cancel_build()
        for thread in self._scorers:
            thread.join()  # at most a fraction of a second of NumPy
        self._scorers = []

    # ---- helper threads -------------------------------------------------------------------

    def _exchange(self, token: int, process: subprocess.Popen, request: BuildRequest) -> None:
        kind, payload = "lost", None
        try:
            pickle.dump(request, process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            process.stdin.close()  # type: ignore[union-attr]  # a pipe: asked for above
            kind, payload = pickle.load(process.stdout)  # type: ignore[arg-type]
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            pass  # the process ended without answering (ended by us, or it crashed)
        self._arrived.emit(token, kind, payload)

    def _score(
        self, token: int, counts: NgramCounts, text: ValidationText, orders: list[int]
    ) -> None:
        try:
            kind, payload = "scored", baseline_losses(counts, text, orders)
        except Exception as error:  # a bug or a bad text: the window says so and goes on
            kind, payload = "not scored", f"{type(error).__name__}: {error}"
        self._arrived.emit(token, kind, payload)

    # ---- in the GUI thread ----------------------------------------------------------------

    @Slot(int, str, object)
    def _deliver(self, token: int, kind: str, payload: object) -> None:
        if kind in ("scored", "not scored"):  # from a scoring thread
            (self.scored if kind == "scored" else self.notScored).emit(token, payload)
            return
        if self._build is None or self._build[0] != token:
            return  # a cancelled build's last word
        _, process, thread = self._build
        self._build = None
        try:
            code = process.wait(_WAIT_SECONDS)  # it exits right after answering
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        thread.join()
        self._close_pipes(process)
        if kind == "ok":
            self.built.emit(token, payload)
        elif kind == "error":
            self.failed.emit(token, str(payload))
        else:
            reason = " (killed: out of memory?)" if code < 0 else ""
            self.failed.emit(
                token, f"the n-gram process ended without a result, exit code {code}{reason}"
            )

    @staticmethod
    def _close_pipes(process: subprocess.Popen) -> None:
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
