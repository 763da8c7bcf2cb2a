"""The sample panel's layout: where its controls sit (``rnnlab.gui.panels.sample_panel`` makes
them and says what they do).

Labels at the left, the number fields in a grid beside them; the output, the next-character
chart and the timeline share the height in a splitter the panel resizes (auto-sample gives the
timeline half).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSplitter


def lay_out(panel: Any) -> QSplitter:
    """Place the controls of ``panel`` (a SamplePanel: typed loosely, as the panel imports this
    module); the splitter of its output, chart and timeline."""
    source = QHBoxLayout()
    source.addWidget(QLabel("Source:"))
    source.addWidget(panel.sampleSourceCombo, stretch=1)
    grid = QGridLayout()
    grid.addWidget(QLabel("Prime:"), 0, 0)
    grid.addWidget(panel.primeEdit, 0, 1, 1, 4)
    grid.addWidget(panel.sampleButton, 0, 5)
    grid.addWidget(panel.primeWarning, 1, 1, 1, 5)
    grid.addWidget(QLabel("Temperature:"), 2, 0)
    grid.addWidget(panel.temperatureSlider, 2, 1, 1, 4)
    grid.addWidget(panel.temperatureLabel, 2, 5)
    grid.addWidget(panel.countLabel, 3, 0)
    counts = QHBoxLayout()  # only one of the two shows: characters, or lines in line mode
    counts.addWidget(panel.lengthSpin)
    counts.addWidget(panel.lineCountSpin)
    grid.addLayout(counts, 3, 1)
    grid.addWidget(QLabel("Top-k:"), 3, 2, Qt.AlignmentFlag.AlignRight)
    grid.addWidget(panel.topKSpin, 3, 3)
    grid.addWidget(panel.greedyCheck, 3, 4, 1, 2)
    grid.addWidget(QLabel("Beam:"), 4, 2, Qt.AlignmentFlag.AlignRight)
    grid.addWidget(panel.beamSpin, 4, 3)
    grid.addWidget(panel.keepSamplesCheck, 4, 0, 1, 2)  # at the right it squeezed the labels
    grid.addWidget(panel.sampleEntropyLabel, 5, 0, 1, 6)
    grid.setColumnStretch(4, 1)
    areas = QSplitter(Qt.Orientation.Vertical, childrenCollapsible=False)
    for widget in (panel.sampleOutput, panel.nextCharPlot, panel.timeline):
        areas.addWidget(widget)
    areas.setSizes([400, 260, 180])
    layout = QGridLayout(panel)
    layout.addLayout(source, 0, 0)
    layout.addLayout(grid, 1, 0)
    layout.addWidget(areas, 2, 0)
    layout.setRowStretch(2, 1)
    return areas
