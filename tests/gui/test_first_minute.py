"""What a newcomer meets in the first minute: Train pressed at once, a first window that fits
the screen, buttons that render whatever the fonts, a smoothed loss that does not lag."""

from collections.abc import Callable, Iterator

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QSlider

from rnnlab.gui.plots.plot_data import debiased_moving_average
from rnnlab.gui.plots.smoothing_control import DEFAULT_SMOOTHING
from rnnlab.gui.plots.training_plots import LossPlot
from rnnlab.gui.window.main_window import MainWindow
from rnnlab.gui.window.settings import first_size, placed_on
from rnnlab.gui.window.startup import create_main_window

LOAD_MS = 30_000


@pytest.fixture
def open_window(qtbot, tmp_path) -> Iterator[Callable[..., MainWindow]]:
    """Windows opened on these arguments and one settings file, without waiting for the corpus;
    stopped and closed at teardown (no Save/Discard question)."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    windows: list[MainWindow] = []

    def open_one(*arguments: str) -> MainWindow:
        window = create_main_window(list(arguments), settings=settings)
        window.show()
        windows.append(window)
        return window

    yield open_one
    for window in windows:
        close(window)


def close(window: MainWindow) -> None:
    window.controller.stop()
    assert window.controller.wait(5000)
    QApplication.processEvents()
    window.controller.dirty = False
    window.close()
    window.deleteLater()


def test_train_pressed_before_the_corpus_is_in_starts_when_it_is(qtbot, open_window) -> None:
    window = open_window("sonnets")
    assert window.corpus is None  # the text loads in a pool thread; no event has run yet
    window.actions_.train.trigger()  # Ctrl+Return at once
    assert window.training_bar.is_waiting()
    assert "waiting for the corpus" in window.training_bar.progress.format()
    assert not window.training_bar.train_button.isEnabled()
    assert not window.banner.isVisible(), window.banner.label.text()  # no "load a corpus first"
    qtbot.waitUntil(lambda: window.controller.step > 0, timeout=LOAD_MS)
    assert window.corpus is not None and window.corpus.name.startswith("sonnets")
    assert window.controller.state == "running"
    assert not window.training_bar.is_waiting()


def test_step_once_pressed_before_the_corpus_is_in_takes_one_step(qtbot, open_window) -> None:
    window = open_window("sonnets")
    window.step_once()
    window.step_once()  # pressed twice while loading: two steps, then paused
    qtbot.waitUntil(lambda: window.controller.step == 2, timeout=LOAD_MS)
    qtbot.waitUntil(lambda: window.controller.state == "paused")
    assert window.controller.step == 2


def test_a_corpus_that_fails_to_load_ends_the_wait_with_a_message(
    qtbot, open_window, tmp_path
) -> None:
    window = open_window(str(tmp_path / "missing.txt"))
    window.train()
    assert window.training_bar.is_waiting()
    qtbot.waitUntil(window.banner.isVisible, timeout=LOAD_MS)
    assert "missing.txt" in window.banner.label.text()
    assert "nothing is training" in window.banner.label.text()
    assert not window.training_bar.is_waiting()
    assert not window.controller.running


def test_step_then_train_while_loading_trains_on(qtbot, open_window) -> None:
    window = open_window("sonnets")
    window.step_once()
    window.train()  # the later press wins: train, not one step and a pause
    qtbot.waitUntil(lambda: window.controller.step > 3, timeout=LOAD_MS)
    assert window.controller.state == "running"


def test_the_corpus_asked_for_last_is_the_one_trained(qtbot, open_window) -> None:
    """Train pressed, then another text picked before the first arrived: the first is dropped
    when it arrives, and training starts on the second."""
    window = open_window("sonnets")
    window.train()
    window.open_corpus("names")
    qtbot.waitUntil(lambda: window.controller.step > 0, timeout=LOAD_MS)
    assert window.corpus is not None and window.corpus.name.startswith("names")
    assert window.controller.running


def test_other_loading_failures_leave_the_waiting_train_alone(qtbot, open_window) -> None:
    window = open_window("sonnets")
    window.train()
    window.loader.devicesFailed.emit("could not list devices: no driver")
    window.loader.checkpointFailed.emit("could not open model.pt: not a checkpoint")
    assert window.training_bar.is_waiting()
    qtbot.waitUntil(lambda: window.controller.step > 0, timeout=LOAD_MS)


def test_a_model_that_fails_to_open_is_not_where_save_writes(qtbot, open_window, tmp_path):
    window = open_window("sonnets")
    missing = str(tmp_path / "missing.pt")
    with qtbot.waitSignal(window.loader.checkpointFailed, timeout=LOAD_MS):
        window.files.open_model_file(missing)
    assert window.files.model_path is None  # Ctrl+S asks where, rather than writing there
    qtbot.waitUntil(window.banner.isVisible)
    assert "missing.pt" in window.banner.label.text()


def test_a_model_of_bpe_pieces_from_the_command_line_opens_in_its_pieces(
    qtbot, open_window, tmp_path
) -> None:
    from rnnlab.cli import main

    path = tmp_path / "pieces.pt"
    assert main(["train", "--corpus", "sonnets", "--tokens", "bpe:60", "--steps", "2",
                 "--hidden-size", "16", "--layers", "1", "--out", str(path)]) == 0  # fmt: skip
    window = open_window("sonnets")
    with qtbot.waitSignal(window.loader.checkpointLoaded, timeout=LOAD_MS):
        window.files.open_model_file(str(path))
    run = window.runs.get(window.runs.current)
    assert run.train_config.tokens == "bpe:60" and run.step == 2
    assert window.model_panel.train_config().tokens == "bpe:60"
    assert window.files.model_path == str(path)
    qtbot.waitUntil(window.sample_panel.has_sampler, timeout=LOAD_MS)
    assert not window.banner.isVisible()


def test_reset_while_training_leaves_nothing_of_the_forgotten_run(qtbot, open_window) -> None:
    """What the stopped worker sent just before Reset must not land on the cleared views."""
    window = open_window("sonnets")
    qtbot.waitUntil(lambda: window.corpus is not None, timeout=LOAD_MS)
    window.train()
    qtbot.waitUntil(lambda: window.controller.step > 5, timeout=LOAD_MS)
    window.reset_weights()
    QApplication.processEvents()  # the worker has ended: anything it sent is queued by now
    assert window.controller.step == 0 and not window.controller.dirty
    assert not window.controller.has_model
    assert len(window.loss_plot.data()["steps"]) == 0
    assert window.parts.status_step.text() == "step 0"


@pytest.mark.parametrize(
    ("screen", "expected"),
    [((1920, 1040), (1600, 956)), ((1366, 728), (1256, 669)), ((1280, 680), (1225, 625))],
)
def test_a_first_window_takes_the_room_the_screen_has(screen, expected) -> None:
    """Free areas of common screens (a task bar takes the rest): a 1366 x 768 laptop gets a
    window it shows whole, a large screen 1600 x 1000 at most (then 92 % of the height)."""
    size = first_size(QSize(*screen), QSize(1225, 574))
    assert (size.width(), size.height()) == expected
    assert size.width() <= screen[0] and size.height() <= screen[1]


def test_a_window_off_the_screen_comes_back_onto_it() -> None:
    area = QRect(0, 0, 1366, 728)
    far = placed_on(QRect(5000, 4000, 1200, 700), area)
    assert area.contains(far) and far.size() == QSize(1200, 700)
    half_off = placed_on(QRect(-600, 300, 1200, 700), area)
    assert area.contains(half_off)
    too_big = placed_on(QRect(300, 300, 2000, 1200), area)
    assert too_big.topLeft() == area.topLeft()  # the title bar and menus show


def test_the_window_opens_on_the_screen_and_a_restored_one_stays_on_it(
    qtbot, open_window
) -> None:
    """Measured against the screen Qt reports, whatever its size (the window never shrinks
    below its minimum, so on a tiny screen its top left corner shows)."""
    window = open_window("sonnets")
    area = window.screen().availableGeometry()
    _assert_on_screen(window, area)
    window.resize(area.width() * 2, area.height() * 2)  # larger than the screen
    window.move(area.topLeft() + QPoint(area.width() * 3, area.height() * 3))  # and off it
    window.save_settings()
    again = open_window("sonnets")
    _assert_on_screen(again, area)


def _assert_on_screen(window: MainWindow, area: QRect) -> None:
    frame, minimum = window.frameGeometry(), window.minimumSizeHint()
    room = area.size().expandedTo(minimum + (frame.size() - window.size()))
    assert frame.width() <= room.width() and frame.height() <= room.height(), (frame, area)
    assert area.contains(frame.topLeft()), (frame, area)
    if area.width() >= frame.width() and area.height() >= frame.height():
        assert area.contains(frame), (frame, area)


def test_buttons_use_icons_not_symbol_characters(qtbot, open_window) -> None:
    """A glyph such as ⏸ is missing from common fonts and shows as a box; icons always render."""
    window = open_window("sonnets")
    bar = window.training_bar
    for button in (bar.train_button, bar.pause_button, bar.stop_button, bar.step_button):
        assert not button.icon().isNull(), button.objectName()
    paused_icon = bar.pause_button.icon().cacheKey()
    bar.set_state("paused", has_model=True)
    assert bar.pause_button.text() == "Resume"
    assert bar.pause_button.icon().cacheKey() != paused_icon  # play, not pause
    assert not window.banner.close_button.icon().isNull()
    for button in window.findChildren(QAbstractButton):
        symbols = [char for char in button.text() if 0x2190 <= ord(char) <= 0x2BFF]
        assert not symbols, f"{button.objectName() or button.text()!r} shows {symbols}"


def _falling_loss(steps: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A loss falling from 4.2 to 1.8 nats, as in the first minute of training, with noise."""
    step = np.arange(1, steps + 1)
    trend = 1.8 + 2.4 * np.exp(-step / 40)
    return trend, trend + np.random.default_rng(seed).normal(0.0, 0.05, steps)


def test_the_default_smoothing_follows_a_falling_loss_and_calms_the_noise() -> None:
    trend, losses = _falling_loss()
    smoothed, *_ = debiased_moving_average(losses, DEFAULT_SMOOTHING, 0.0, 0)
    assert smoothed[0] == pytest.approx(losses[0])  # debiased: the first point is not pulled
    # At step 100 (the example), over 20 runs of noise: how far above the true loss the
    # smoothed curve sits. A student reads that curve as the loss: it must be close to it.
    lags = {}
    for weight in (DEFAULT_SMOOTHING, 0.98):
        runs = [_falling_loss(seed=seed) for seed in range(20)]
        at_100 = [debiased_moving_average(noisy, weight, 0.0, 0)[0][99] for _, noisy in runs]
        lags[weight] = np.mean(at_100) - runs[0][0][99]  # the trend is the same in all
    assert abs(lags[DEFAULT_SMOOTHING]) < 0.03
    assert lags[0.98] > 0.3  # the old default lagged this far behind
    noise = np.std(losses[100:] - trend[100:])
    assert np.std(smoothed[100:] - trend[100:]) < noise / 2


def test_the_smoothing_slider_redraws_the_loss_and_is_remembered(qtbot, open_window) -> None:
    window = open_window("sonnets")
    qtbot.waitUntil(lambda: window.corpus is not None, timeout=LOAD_MS)
    slider = window.findChild(QSlider, "smoothingSlider")
    assert slider is not None and slider.toolTip()
    assert window.parts.smoothing_control.smoothing() == pytest.approx(DEFAULT_SMOOTHING)
    plot: LossPlot = window.loss_plot
    _, losses = _falling_loss()
    plot.append_steps(np.arange(1, 201), losses, np.zeros(200, bool))
    slider.setValue(0)  # 0 = the raw loss
    np.testing.assert_allclose(plot.data()["smoothed"], losses)
    assert window.parts.smoothing_control.value_label.text() == "0.00"
    slider.setValue(95)
    expected, *_ = debiased_moving_average(losses, 0.95, 0.0, 0)
    np.testing.assert_allclose(plot.data()["smoothed"], expected)
    plot.append_steps(np.array([201]), np.array([2.0]), np.zeros(1, bool))  # continues from it
    whole, *_ = debiased_moving_average(np.append(losses, 2.0), 0.95, 0.0, 0)
    np.testing.assert_allclose(plot.data()["smoothed"], whole)
    window.save_settings()
    again = open_window("sonnets")
    assert again.parts.smoothing_control.smoothing() == pytest.approx(0.95)
    assert again.loss_plot.smoothing() == pytest.approx(0.95)


def test_a_screen_is_there() -> None:
    """The tests above measure against the screen Qt reports; the offscreen platform has one."""
    assert QGuiApplication.primaryScreen() is not None


def test_switching_pages_keeps_the_window_on_a_small_screen(qtbot, open_window) -> None:
    """The inspector's pages stack views whose wrapped explanations ask for more height the
    narrower they are; a page shown must not grow the window past the screen's bottom."""
    window = open_window("sonnets")
    qtbot.waitUntil(lambda: window.corpus is not None, timeout=LOAD_MS)
    size = window.size()
    for page in (*range(window.center_tabs.count()), 0):
        window.center_tabs.setCurrentIndex(page)
        QApplication.processEvents()
        assert window.size() == size, window.center_tabs.tabText(page)
