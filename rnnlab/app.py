"""The desktop application: ``rnnlab`` (no subcommand) opens the window.

``rnnlab`` opens tinyshakespeare (or the corpus of the last session); ``rnnlab text.txt`` opens
that corpus; ``rnnlab model.pt`` opens that model. torch is imported only when the first model
is built or opened, in a background thread, so the window paints quickly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# PySide6 before pyqtgraph: pyqtgraph binds to the first Qt it finds.
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from rnnlab.gui.collector import collect_in_gui_thread
from rnnlab.gui.main_window import DEFAULT_CORPUS, MainWindow


def create_main_window(
    argv: Sequence[str] | None = None, *, settings: QSettings | None = None
) -> MainWindow:
    """Build the main window (a QApplication must exist) without entering the event loop.

    ``argv``: the arguments after the program name: nothing, a text file, or a model (.pt).
    ``settings``: where the layout, last corpus and configuration persist (tests pass a
    temporary file); by default the user's settings.
    """
    collect_in_gui_thread()  # before any thread starts: see rnnlab.gui.collector
    window = MainWindow(settings)
    # The real device list needs torch: it comes from a background thread (which also warms up
    # torch for the first Train) and replaces the panel's placeholder.
    window.loader.list_devices()
    arguments = list(argv or [])
    if arguments and arguments[0].endswith(".pt"):
        window.actions_.open_path(arguments[0])
    elif arguments:
        window.open_corpus(arguments[0])
    else:
        window.open_corpus(str(window.settings.value("corpus") or DEFAULT_CORPUS))
    return window


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication([sys.argv[0], *arguments])
    app.setApplicationName("rnnlab")
    app.setOrganizationName("rnnlab")
    window = create_main_window(arguments)
    window.show()
    return app.exec()
