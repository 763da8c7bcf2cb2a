"""The signals of a training run, declared once with the types they carry.

``TrainingWorker`` emits them in the training thread. ``TrainingController`` has the same
signals and re-emits each in the window's thread, through one loop of signal-to-signal
connections per run (``FORWARDED``). Those connections are queued (the controller lives in the
window's thread), so the re-emission, and everything the window does on it, happens there: never
make them direct. The window connects once, to the controller, which outlives every worker.
Every payload is frozen: NumPy arrays and plain values, never a tensor or a model.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from rnnlab.core.probe_result import Inspection
from rnnlab.core.stepping import NumpyStepper
from rnnlab.gui.training.messages import DivergenceNotice, TrainingUpdate


class TrainingSignals(QObject):
    # Every step since the previous update, at most about 30 updates a second.
    updated = Signal(TrainingUpdate)
    # Signal names follow Qt's camelCase, as the window's code expects of Qt signals.
    stateChanged = Signal(str)  # "running" | "paused" | "stopped": the runs as a whole
    # (run, "running" | "paused" | "diverged" | "stopped"): each run of the worker
    runStateChanged = Signal(int, str)
    # A step was refused (its loss or gradient was not finite): training has paused itself and
    # the weights are those of the last good step.
    diverged = Signal(DivergenceNotice)
    # One line for the user. Fatal problems are followed by stateChanged("stopped"); a failed
    # save ("could not save ...") is not fatal: training goes on.
    failed = Signal(str)
    # Weights for sampling, the step they are from, and the run
    snapshotReady = Signal(NumpyStepper, int, int)
    # A probe of the live weights: on a time budget while training, at once when asked (probe
    # now, a new probe text, a single step). A failed probe reports probeFailed and training
    # goes on. runInspected carries every probe with its run (the followed run's and, now and
    # then, the other runs' while they train in turns); inspected only the followed run's.
    runInspected = Signal(int, Inspection)
    inspected = Signal(Inspection)
    probeFailed = Signal(str)
    saved = Signal(str)  # the path of a checkpoint written on request


# The names of the signals above, in declaration order: what a controller forwards.
FORWARDED = tuple(
    name for name, value in vars(TrainingSignals).items() if isinstance(value, Signal)
)
