"""Teaching on a projector: presentation mode enlarges the message strip with everything else,
and Focus gives the middle the width (the loss and gradient plots side by side) while a lesson
that samples keeps the Sample panel, whose samples are what its class reads."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from test_lesson_window import PAGES_ONLY, open_lesson, write

# PAGES_ONLY with a step that sets the prime: the lesson samples.
SAMPLES = PAGES_ONLY.replace('action = "page text"', 'action = ["page text", "set primeEdit Bel"]')


def test_presentation_mode_enlarges_the_message_strip(qtbot, window) -> None:
    main = window
    main.banner.show_message("a text is loading")
    label = main.banner.label
    before = label.font().pointSizeF()
    main.actions_.presentation.trigger()
    try:
        qtbot.waitUntil(lambda: label.font().pointSizeF() > before, timeout=2000)
        assert label.font().pointSizeF() == pytest.approx(before * 1.6, rel=0.05)
    finally:
        main.actions_.presentation.trigger()
    qtbot.waitUntil(lambda: label.font().pointSizeF() == pytest.approx(before), timeout=2000)


def test_focus_puts_the_plots_side_by_side_and_back(qtbot, window) -> None:
    main = window
    splitter, runs = main.parts.plot_splitter, main.parts.runs_panel
    before, runs_before = splitter.sizes(), runs.height()
    main.actions_.focus.trigger()
    try:
        assert not main.parts.left_dock.isVisible() and not main.parts.sample_dock.isVisible()
        assert splitter.orientation() == Qt.Orientation.Horizontal
        loss, gradient = main.loss_plot, main.grad_norm_plot
        qtbot.waitUntil(lambda: abs(loss.height() - gradient.height()) <= 1, timeout=2000)
        assert loss.width() == pytest.approx(gradient.width(), abs=2)
        # The runs table keeps the height of its one row: the rest goes to the pages.
        qtbot.waitUntil(lambda: runs.height() == runs.rows_height(), timeout=2000)
        assert runs.height() < runs_before
    finally:
        main.actions_.focus.trigger()
    assert splitter.orientation() == Qt.Orientation.Vertical
    assert main.parts.left_dock.isVisible() and main.parts.sample_dock.isVisible()
    qtbot.waitUntil(lambda: splitter.sizes() == before and runs.height() == runs_before,
                    timeout=2000)  # fmt: skip


def test_focus_keeps_the_sample_panel_for_a_lesson_that_samples(qtbot, window, tmp_path) -> None:
    main = window
    sample_dock = main.parts.sample_dock
    main.actions_.focus.trigger()
    try:
        assert not sample_dock.isVisible()
        open_lesson(qtbot, main, write(tmp_path, SAMPLES))
        assert sample_dock.isVisible() and not main.parts.left_dock.isVisible()
        open_lesson(qtbot, main, write(tmp_path, PAGES_ONLY, "pages.toml"))  # samples nothing
        assert not sample_dock.isVisible()
        open_lesson(qtbot, main, write(tmp_path, SAMPLES))
        main.lessons.close()
        assert not sample_dock.isVisible()
    finally:
        main.actions_.focus.trigger()
    assert sample_dock.isVisible()


def test_presentation_on_a_narrow_screen_hides_the_side_panels_until_it_ends(qtbot, window):
    """The offscreen screen is 800 pixels wide, narrower than the enlarged window with its side
    panels: they go (as Focus hides them), the status bar says how to bring them back, and they
    return when presentation mode ends."""
    main = window
    available = main.screen().availableGeometry().width()
    main.actions_.presentation.trigger()
    try:
        qtbot.waitUntil(main.actions_.focus.isChecked)
        assert not main.parts.left_dock.isVisible() and not main.parts.sample_dock.isVisible()
        assert main.minimumSizeHint().width() <= available
        assert "side panels hidden" in main.statusBar().currentMessage()
    finally:
        main.actions_.presentation.trigger()
    assert not main.actions_.focus.isChecked() and main.parts.left_dock.isVisible()


def test_focus_the_user_turns_on_again_stays_after_presentation(qtbot, window) -> None:
    main = window
    actions = main.actions_
    actions.presentation.trigger()  # the 800-pixel offscreen screen: Focus comes on by itself
    qtbot.waitUntil(actions.focus.isChecked)
    actions.focus.trigger()  # the user's own choices from here: off, then on again
    actions.focus.trigger()
    actions.presentation.trigger()
    assert actions.focus.isChecked() and not main.parts.left_dock.isVisible()
    actions.focus.trigger()  # back as it was, for the fixture's teardown
