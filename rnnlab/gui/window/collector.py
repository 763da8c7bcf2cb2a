"""Python's cyclic garbage collector runs only in the window's thread.

Left automatic, it runs in whichever thread happens to allocate: the training thread or a pool
thread then finalises Qt objects of the window that sit in reference cycles (pyqtgraph items
replaced when the views rebuild, widgets of a closed window), and Qt deadlocks or crashes. Seen
here: a probe in a pool thread triggered a collection that destroyed a QObject while the GUI
thread was deleting a menu's actions; each waited for a lock the other held. So automatic
collection is switched off and a timer in the GUI thread collects instead, once a second when
the usual thresholds are passed (pyqtgraph's GarbageCollector exists for exactly this).
"""

from __future__ import annotations

import gc

from pyqtgraph.util.garbage_collector import GarbageCollector

_collector: GarbageCollector | None = None


def collect_in_gui_thread() -> None:
    """Call once, from the GUI thread, after the QApplication exists (later calls do nothing)."""
    global _collector
    if _collector is None or gc.isenabled():
        _collector = GarbageCollector(interval=1.0)
