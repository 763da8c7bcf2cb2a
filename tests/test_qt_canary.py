"""Canary for the PySide6 reference-count bug that aborts the interpreter.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``True`` on every ``Signal.emit()`` (and in
pyqtgraph's ``setData`` and ``PlotWidget.grab()``, which emit signals). After a few hundred to about
2,200 calls the count of ``True`` reaches zero and the interpreter aborts with
``Fatal Python error: bool_dealloc`` (exit status 134). Under pytest that shows up as "N passed"
followed by an abort, so CI goes red without a failing test, and the app itself dies mid-training.
6.11.2 and 6.11.3 are clean, hence the pin ``PySide6-Essentials<6.12`` in pyproject.toml.

These tests make the failure explicit: if a PySide6 upgrade brings the bug back (in 6.12.0 or a
later release), the reference count of ``True`` moves here, in a test named after the problem.
Upgrade PySide6 and pyqtgraph together and deliberately, and run this file first.
"""

import sys

import PySide6  # before pyqtgraph anywhere both are used: pyqtgraph prefers PyQt6 if present
from PySide6.QtCore import QObject, Signal, Slot

EMITS = 5000


class _Emitter(QObject):
    fired = Signal(int)


class _Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.total = 0

    @Slot(int)
    def on_fired(self, value: int) -> None:
        self.count += 1
        self.total += value


def test_pyside6_version_is_below_6_12() -> None:
    major, minor = (int(part) for part in PySide6.__version_info__[:2])
    assert (major, minor) < (6, 12), (
        f"PySide6 {PySide6.__version__}: 6.12.0 aborts CPython 3.11 after a few thousand signal "
        "emits; keep the pin below 6.12 until a release passes the refcount canary below"
    )


def test_signal_emit_keeps_refcount_of_true(qapp) -> None:
    emitter = _Emitter()
    receiver = _Receiver()
    emitter.fired.connect(receiver.on_fired)

    # Warm up once so that lazy one-time initialisation inside PySide6 is not counted.
    emitter.fired.emit(0)
    receiver.count = receiver.total = 0

    # Check after every emit and stop at the first change: with the bug, letting the loop run on
    # would take the count of True to zero and abort the whole test run with no report at all.
    before = sys.getrefcount(True)
    emitted = 0
    after = before
    for i in range(EMITS):
        emitter.fired.emit(i)
        emitted += 1
        after = sys.getrefcount(True)
        if after != before:
            break

    assert after == before, (
        f"sys.getrefcount(True) went from {before} to {after} after {emitted} emit(s): this "
        f"PySide6 ({PySide6.__version__}) corrupts the reference count of True and will abort "
        "the interpreter (Fatal Python error: bool_dealloc)"
    )
    assert receiver.count == EMITS
    assert receiver.total == EMITS * (EMITS - 1) // 2
