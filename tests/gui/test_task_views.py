"""The inspector's views on a task sequence: distance 0 is the answer, the marked positions are
marked on the gradient curve and heatmap and in the character views, and the next-character
guesses say that they do not apply; back on a text everything is as before."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPalette
from PySide6.QtWidgets import QApplication, QToolTip
from task_probes import as_task

from rnnlab.gui.inspector.gate_view import GateView
from rnnlab.gui.inspector.gradient_views import GradientFlowPlot, GradientHistoryView
from rnnlab.gui.inspector.neuron_text import NeuronTextView
from rnnlab.gui.inspector.saturation_plot import SaturationPlot
from rnnlab.gui.inspector.task_marks import NOT_ON_A_TASK
from rnnlab.gui.inspector.text_views import ConnectivityView, GuessesView

POSITIONS = 50  # the adding problem at T = 50: one position per number
ADDING_MARKS = [19, 34]  # where the sequence of seed 0 marks its two numbers
ADDING_DISTANCES = [POSITIONS - 1 - 34, POSITIONS - 1 - 19]  # nearest the answer first


@pytest.fixture(scope="module")
def short_inspections(trained_trainers, small_corpus, probe_text) -> dict:
    """The trained LSTM and vanilla RNN probed on 51 characters: 50 positions, as adding."""
    from rnnlab.core.inspection import inspect

    return {
        cell: inspect(trained_trainers[cell].model, small_corpus.vocabulary,
                      probe_text[: POSITIONS + 1], step=trained_trainers[cell].step)
        for cell in ("lstm", "rnn")
    }  # fmt: skip


@pytest.fixture(scope="module")
def adding(short_inspections):
    inspection = as_task(short_inspections["lstm"], "adding", seed=0)
    assert list(np.flatnonzero(inspection.probe.marks)) == ADDING_MARKS
    return inspection


def _tooltip_at(grid, position: int) -> str:
    """The tooltip a user sees hovering a cell: a real help event, as Qt sends it."""
    point = grid.cell_rect(position).center()
    QApplication.sendEvent(grid, QHelpEvent(QEvent.Type.ToolTip, point, grid.mapToGlobal(point)))
    return QToolTip.text()


def test_flow_curve_marks_the_answer_and_the_marked_distances(shown, adding, inspections):
    plot = shown(GradientFlowPlot(), 700, 400)
    plot.show_inspection(adding)
    plot.flush()
    assert plot.marks.distances() == ADDING_DISTANCES
    assert plot.marks.labels() == ["answer", "marked", "marked"]
    assert "answer" in plot.getAxis("bottom").labelText
    # A diamond where each layer's curve crosses a marked line, at the curve's height.
    x, y = plot.marks.diamonds.getData()
    expected = sorted((d, np.log10(layer.gradient_norms[::-1][d])) for d in ADDING_DISTANCES
                      for layer in adding.probe.layers)  # fmt: skip
    np.testing.assert_allclose(sorted(zip(x, y)), expected)
    assert plot.export_data()["marked"].nonzero()[0].tolist() == ADDING_DISTANCES
    plot.getPlotItem().autoRange()
    norms = plot.curve_data(0)[1]
    distance = ADDING_DISTANCES[0]
    hover = plot.hover_text(distance, np.log10(norms[distance]))
    assert f"{distance} steps back" in hover and ", marked)" in hover and "at the answer" in hover
    assert "at the answer" in plot.hover_text(0, np.log10(norms[0]))

    plot.show_inspection(inspections["lstm"])  # a text again: no marks, the old wording
    plot.flush()
    assert plot.marks.labels() == [] and len(plot.marks.diamonds.getData()[0]) == 0
    assert "predicted character" in plot.getAxis("bottom").labelText
    assert "marked" not in plot.export_data()


def test_flow_curve_says_where_no_gradient_reaches_a_mark(shown, short_inspections):
    # The vanilla RNN's gradient underflowed to exactly 0 from 20 steps back: the far mark
    # (30 back) gets no diamond, and its label says so.
    silent = as_task(short_inspections["rnn"], "adding", seed=0, silent_beyond=20)
    plot = shown(GradientFlowPlot(), 700, 400)
    plot.show_inspection(silent)
    plot.flush()
    assert plot.marks.labels() == ["answer", "marked", "marked: no gradient reaches it"]
    x, _ = plot.marks.diamonds.getData()
    assert set(x) == {ADDING_DISTANCES[0]}


def test_flow_curve_names_the_remembered_symbol(shown, short_inspections):
    recall = as_task(short_inspections["lstm"], "recall", seed=0)
    plot = shown(GradientFlowPlot(), 700, 400)
    plot.show_inspection(recall)
    plot.flush()
    assert plot.marks.distances() == [POSITIONS - 1]  # the first symbol, farthest back
    assert plot.marks.labels() == ["answer", "remembered"]


def test_history_marks_the_newest_sequences_positions(shown, adding, short_inspections,
                                                      inspections):  # fmt: skip
    view = shown(GradientHistoryView(), 700, 400)
    later = as_task(short_inspections["lstm"], "adding", seed=1, step=adding.step + 10)
    later_marks = np.flatnonzero(later.probe.marks)  # another sequence: elsewhere
    later_distances = sorted(POSITIONS - 1 - later_marks)
    view.show_inspection(adding)
    assert [row for row, _ in view.marks.rows()] == ADDING_DISTANCES
    view.show_inspection(later)
    assert [row for row, _ in view.marks.rows()] == later_distances
    assert {text for _, text in view.marks.rows()} == {"◀ marked"}
    assert view.plot.getPlotItem().getAxis("right").isVisible()
    assert sorted(view.marks.outlined()) == [(1, d) for d in later_distances]  # the newest
    assert "newest probe" in view.toolTip()
    # Each column's hover says whether that cell was marked in its own sequence.
    assert "marked in this probe's sequence" in view.hover_text(0, ADDING_DISTANCES[1])
    assert "marked" not in view.hover_text(1, ADDING_DISTANCES[1])
    assert "its size at the answer" in view.hover_text(1, 5)

    view.show_inspection(inspections["lstm"])  # a text: nothing marked, the old wording
    assert view.marks.rows() == [] and view.marks.outlined() == []
    assert not view.plot.getPlotItem().getAxis("right").isVisible()
    assert "predicted character" in view.hover_text(2, 5)


def test_gate_view_outlines_the_marked_columns(shown, adding, inspections):
    view = shown(GateView(), 900, 750)
    view.show_inspection(adding)
    assert all(view.outlined(name) == ADDING_MARKS for name in view.gate_names())
    axis = view.graphics.ci.layout.itemAt(len(view.gate_names()), 2)  # under the heatmaps
    assert "what the answer depends on" in axis.labelText
    assert "first decimal digit" in axis.labelText
    # The marked values' digits are labelled, whichever other positions give way to them.
    axis_range = view.view("h").viewRange()[0]
    ticks = axis.tickValues(*axis_range, view.view("h").width())[0][1]
    assert set(ADDING_MARKS) <= set(ticks)
    assert view.export_data()["marked"].nonzero()[0].tolist() == ADDING_MARKS
    scene_point = view.view("h").mapViewToScene(QPoint(ADDING_MARKS[0], 0).toPointF())
    digit = adding.probe.input_text[ADDING_MARKS[0]]
    assert f"{digit} (0.{digit}…), marked (position {ADDING_MARKS[0]})" in view.hover_at(
        scene_point
    )
    view.show_inspection(inspections["lstm"])
    assert all(view.outlined(name) == [] for name in view.gate_names())
    assert axis.labelText == "character read at each position"


def test_saturation_and_gates_work_on_a_recall_sequence(shown, short_inspections):
    recall = as_task(short_inspections["lstm"], "recall", seed=0)
    saturation = shown(SaturationPlot(), 450, 350)
    saturation.show_inspection(recall)
    assert not saturation.showing_hint()
    left, right = saturation.fractions("f")
    gates = recall.probe.layers[0].gates["f"]
    np.testing.assert_allclose(left, (gates < 0.1).mean(axis=0))
    np.testing.assert_allclose(right, (gates > 0.9).mean(axis=0))
    view = shown(GateView(), 900, 750)
    view.show_inspection(recall)
    assert view.outlined("h") == [0]  # the letter to remember
    hover = view.hover_at(view.view("h").mapViewToScene(QPoint(0, 0).toPointF()))
    assert f"{recall.probe.input_text[0]}, remembered (position 0)" in hover


def _left_edge(grid, position: int) -> QColor:
    """The colour at the middle of a cell's left edge, where a ring runs and no glyph reaches."""
    rect = grid.cell_rect(position)
    return grid.grab().toImage().pixelColor(rect.left(), rect.center().y())


def test_neuron_text_shows_the_symbols_with_the_marks_ringed(shown, adding, inspections):
    view = shown(NeuronTextView(), 700, 350)
    view.show_inspection(adding)
    probe = adding.probe
    assert view.grid.marked() == {(position, 0) for position in ADDING_MARKS}
    assert "in rings: the marked positions" in view.legend.title.text()
    # A user sees the dark ring inside a marked cell, and the unit's colour in an unmarked one.
    text_colour = view.palette().color(QPalette.ColorRole.Text)
    assert _left_edge(view.grid, ADDING_MARKS[0]).rgb() == text_colour.rgb()
    unmarked = ADDING_MARKS[0] + 3
    assert _left_edge(view.grid, unmarked).rgb() == view.grid.fills()[unmarked][0].rgb()
    digit = probe.input_text[ADDING_MARKS[1]]
    assert f"reading {digit} (0.{digit}…), marked" in _tooltip_at(view.grid, ADDING_MARKS[1])

    view.show_inspection(inspections["lstm"])
    assert view.grid.marked() == frozenset()
    assert "rings" not in view.legend.title.text()


def test_connectivity_explains_the_answer_and_rings_the_marks(shown, adding, inspections, qtbot):
    view = shown(ConnectivityView(), 700, 350)
    view.show_inspection(adding)
    assert view.grid.marked() == {(position, 0) for position in ADDING_MARKS}
    assert "What the answer" in view.legend.title.text()
    assert "the answer is given after reading this" in _tooltip_at(view.grid, POSITIONS - 1)
    # Nothing else is asked on a task sequence: a click does not ask for another probe.
    with qtbot.assertNotEmitted(view.positionClicked):
        qtbot.mouseClick(view.grid, Qt.MouseButton.LeftButton, pos=view.grid.cell_rect(10).center())
    view.show_inspection(inspections["lstm"])
    assert view.grid.marked() == frozenset()
    with qtbot.waitSignal(view.positionClicked) as clicked:
        qtbot.mouseClick(view.grid, Qt.MouseButton.LeftButton, pos=view.grid.cell_rect(10).center())
    assert clicked.args == [10]


def test_guesses_say_they_do_not_apply_to_a_task(shown, adding, inspections, small_corpus):
    view = shown(GuessesView(), 700, 350)
    view.set_characters(small_corpus.vocabulary.chars)
    view.show_inspection(adding)
    assert not view.applies()
    assert view.grid.hint() == NOT_ON_A_TASK and "do not apply" in NOT_ON_A_TASK
    assert view.export_data() == {}
    view.show_inspection(inspections["lstm"])
    assert view.applies() and view.grid.hint() == ""
    positions = inspections["lstm"].probe.positions
    assert view.export_data()["guess_probabilities"].shape == (positions, 5)


def test_probe_status_names_the_task_sequence(adding, qapp):
    from rnnlab.gui.inspector.inspector import Inspector

    inspector = Inspector(0.1)
    inspector.show_inspection(adding)
    assert f"one adding sequence of {POSITIONS} positions" in inspector.probe_bar.status.text()
