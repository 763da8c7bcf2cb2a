"""The desktop application: ``rnnlab`` (no subcommand) opens the window.

``rnnlab`` opens tinyshakespeare (or the corpus of the last session); ``rnnlab text.txt`` opens
that corpus; ``rnnlab model.pt`` opens that model; ``rnnlab lesson.toml`` opens that lesson.
torch is imported only when the first model is built or opened, in a background thread, so the
window paints quickly.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication

from rnnlab.gui.window.startup import create_main_window

__all__ = ["create_main_window", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication([sys.argv[0], *arguments])
    app.setApplicationName("rnnlab")
    app.setOrganizationName("rnnlab")
    window = create_main_window(arguments)
    window.show()
    return app.exec()
