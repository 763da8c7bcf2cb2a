"""Building the main window from the command line's arguments (``rnnlab``, ``rnnlab FILE``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtCore import QSettings

from rnnlab.core.numpy_threads import hold_numpy_to_one_thread
from rnnlab.gui.window.collector import collect_in_gui_thread
from rnnlab.gui.window.lessons import is_lesson_path
from rnnlab.gui.window.main_window import DEFAULT_CORPUS, MainWindow

# How long a thread may keep Python's lock while another waits for it. A paint calls Qt some
# hundreds of times, each a release and a new wait for the lock; beside a pool thread learning
# BPE-500 on tinyshakespeare, the window froze for 0.6-0.9 s at the default 5 ms and for
# 0.1-0.4 s at 1 ms, and training ran at the same speed (148-179 against 152-160 steps in 20 s).
SWITCH_INTERVAL_SECONDS = 0.001


def create_main_window(
    argv: Sequence[str] | None = None, *, settings: QSettings | None = None
) -> MainWindow:
    """Build the main window (a QApplication must exist) without entering the event loop.

    ``argv``: the arguments after the program name: nothing, a text file, a model (.pt) or a
    lesson (.toml).
    ``settings``: where the layout, last corpus and configuration persist (tests pass a
    temporary file); by default the user's settings.
    """
    collect_in_gui_thread()  # before any thread starts: see rnnlab.gui.window.collector
    hold_numpy_to_one_thread()  # it samples and probes beside training: see numpy_threads
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    window = MainWindow(settings)
    # The real device list needs torch: it comes from a background thread (which also warms up
    # torch for the first Train) and replaces the panel's placeholder.
    window.loader.list_devices()
    arguments = list(argv or [])
    if arguments and arguments[0].endswith(".pt"):
        window.files.open_path(arguments[0])
    elif arguments and is_lesson_path(arguments[0]):
        # A lesson that cannot open (it has said why) leaves the window on the last data.
        if not window.lessons.open(arguments[0]):
            window.open_corpus(str(window.settings.value("corpus") or DEFAULT_CORPUS))
    elif arguments:
        window.open_corpus(arguments[0])
    else:
        window.open_corpus(str(window.settings.value("corpus") or DEFAULT_CORPUS))
    return window
