"""The desktop window: Qt widgets and the training thread around the engine in ``rnnlab.core``.

Rooms, each a subpackage with one job (the import-linter contracts in pyproject.toml keep them
apart):

- ``window``: the main window, its menus and settings, the training bar and banner; the only
  room that knows all the others and wires them together.
- ``panels``: the side panels (corpus, model, sampling) and the forms they are made of.
- ``plots``: the live training plots and the plot base the inspector's series plots share.
- ``inspector``: the views that look inside the model (gates, text, gradients) and their probe bar.
- ``training``: the training thread, its controller and messages, and background loading; no views.
- ``widgets``: small building blocks every room may use (style, exports, form controls).
- ``tools``: screenshots and benchmarks of the window; not part of the product's window.

Importing anything under ``rnnlab.gui`` runs this module first, so it is the one place that
binds pyqtgraph to PySide6: pyqtgraph takes PyQt6 instead when both are installed, unless told.
"""

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import PySide6.QtCore  # noqa: F401  (before any pyqtgraph import below this package)
