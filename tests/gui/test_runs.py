"""Runs in the window: make, switch, continue exactly, hide, rename, delete, save all and reopen,
and a race of cells trained in turns, overlaid on every x axis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from test_main_window import TIMEOUT, tiny, train_steps

from rnnlab.core.trainer import new_trainer
from rnnlab.gui.panels.race_dialog import RaceChoice
from rnnlab.gui.plots import X_AXES


@pytest.fixture
def window(window):
    tiny(window)
    return window


def test_runs_switch_and_each_continues_exactly(qtbot, window) -> None:
    main = window
    table = main.parts.runs_panel.table
    train_steps(qtbot, main, 6)
    first = main.runs.current
    assert table.runs() == [first] and main.runs.get(first).step == 6
    main.actions_.new_run.trigger()  # Ctrl+N: a second run from the same settings
    second = main.runs.current
    assert second != first and table.current_run() == second
    train_steps(qtbot, main, 4)
    table.select_run(first)  # a click on its row
    assert main.runs.current == first and main.controller.current == first
    train_steps(qtbot, main, 6)

    data = main.loss_plot.data(first)
    assert data["steps"].tolist() == list(range(1, 13))  # continuous across the switch
    assert main.loss_plot.data(second)["steps"].tolist() == [1, 2, 3, 4]
    # Identical to a run trained 12 steps without interruption.
    record = main.runs.get(first)
    alone = new_trainer(main.corpus, record.model_config, record.train_config)
    expected = [report.loss for report in alone.run(max_steps=12) if hasattr(report, "chars")]
    np.testing.assert_allclose(data["losses"], np.float32(expected), rtol=1e-6)
    assert data["chars"].tolist() == [4 * 16 * k for k in range(1, 13)]
    row = table.findItems(record.name, Qt.MatchFlag.MatchExactly)[0].row()
    assert table.item(row, 5).text() == "12"  # the steps column


def test_hide_rename_and_delete_a_run(qtbot, window, monkeypatch) -> None:
    main = window
    table = main.parts.runs_panel.table
    train_steps(qtbot, main, 3)
    first = main.runs.current
    main.actions_.new_run.trigger()
    second = main.runs.current
    train_steps(qtbot, main, 3)
    table.item(table.runs().index(first), 0).setCheckState(Qt.CheckState.Unchecked)
    assert not main.runs.get(first).visible
    assert not main.loss_plot._runs[first].visible and not main.grad_norm_plot._runs[first].visible
    table.item(table.runs().index(second), 1).setText("clipping off")  # typed in the table
    assert main.runs.get(second).name == "clipping off"
    assert "clipping off" in [label.text for _, label in main.loss_plot.legend.items]

    asked = []
    from PySide6.QtWidgets import QMessageBox

    def answer(*arguments):
        asked.append(arguments[2])
        return QMessageBox.StandardButton.No  # keep it, the first time

    monkeypatch.setattr(QMessageBox, "question", answer)
    main.parts.runs_panel.delete_button.click()
    assert asked and "not saved" in asked[0] and second in main.runs  # asked, kept
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    main.parts.runs_panel.delete_button.click()
    assert second not in main.runs and table.runs() == [first]
    assert main.loss_plot.run_ids() == [first] and main.runs.current == first
    # Gone from the inspector's overlays too: one run left, drawn as before runs existed.
    assert main.run_inspections.trace(second) is None
    overlays = main.inspector.flow_plot._runs
    assert overlays.others == () and not overlays.curves()


def test_save_all_runs_and_open_the_folder_again(qtbot, window, tmp_path) -> None:
    main = window
    train_steps(qtbot, main, 5)
    main.actions_.new_run.trigger()
    train_steps(qtbot, main, 3)
    folder = tmp_path / "runs"
    folder.mkdir()
    paths = main.run_commands.save_all(str(folder))
    assert [Path(path).name for path in paths] == ["01-LSTM_1_24.pt", "02-LSTM_1_24_2.pt"]
    qtbot.waitUntil(lambda: not main.controller.dirty, timeout=TIMEOUT)
    assert all(Path(path).exists() for path in paths)

    opened: list = []
    main.loader.checkpointLoaded.connect(opened.append)
    main.files.open_model_file(str(folder))  # the folder: every run in it
    qtbot.waitUntil(lambda: len(main.runs) == 4, timeout=TIMEOUT)
    steps = sorted(run.step for run in main.runs.runs.values())
    assert steps == [3, 3, 5, 5]
    reopened = main.runs.current
    before = main.controller.step
    train_steps(qtbot, main, 2)  # a reopened run continues where it stopped
    assert main.loss_plot.data(reopened)["steps"].tolist() == list(range(1, before + 3))


def test_a_race_trains_the_cells_in_turns_and_overlays_them(qtbot, window) -> None:
    main = window
    ids = main.run_commands.start_race(RaceChoice(("rnn", "lstm", "gru"), "params", 8, None, 7))
    assert len(ids) == 3 and main.controller.running
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    names = [main.runs.get(run).name for run in ids]
    assert [name.split()[0] for name in names] == ["RNN", "LSTM", "GRU"]
    lstm = main.runs.get(ids[1]).model_config
    for run in ids:
        record = main.runs.get(run)
        assert record.step == 8 and record.state == "stopped"
        assert record.train_config.seed == 7
        # Equal parameters: within 5% of the LSTM's.
        assert abs(main.runs.get(run).row().parameters - main.runs.get(ids[1]).row().parameters) \
            <= 0.05 * main.runs.get(ids[1]).row().parameters  # fmt: skip
        # Every run validated at the end of its budget.
        assert record.best_validation == record.best_validation
    assert lstm.hidden_size == 24
    # The same batches: every run has seen the same characters at every step.
    chars = [main.loss_plot.data(run)["chars"].tolist() for run in ids]
    assert chars[0] == chars[1] == chars[2] == [64 * k for k in range(1, 9)]
    for kind in X_AXES:
        main.parts.x_axis_control.set_x_axis(kind)
        main.loss_plot.flush()
        assert main.loss_plot.x_axis() == kind
        x, _ = main.loss_plot.smoothed_curve.getData()  # the current run, in full
        assert len(x) == 8
        for run in ids[1:]:
            x, _ = main.loss_plot._runs[run].overlays["smoothed"].getData()
            assert len(x) == 8 and np.all(np.isfinite(x))


def test_a_race_larger_than_memory_is_refused_before_any_run_is_built(
    qtbot, window, monkeypatch
) -> None:
    # Runs of a race are all held at once: two that each fit may not fit together. The free
    # memory is set so that one fits and two do not, whatever this machine has.
    import dataclasses

    from rnnlab.core.memory_estimate import batch_positions, training_memory
    from rnnlab.gui.window import race_runs, start_checks

    main = window
    model, train = main.panel_configs()
    train = dataclasses.replace(train, device="cpu")  # "auto" may be a GPU, unchecked
    main.model_panel.set_configs(model, train)
    one = training_memory(model, train, batch_positions(main.corpus, train))
    free = lambda: one.total_bytes + one.parameter_bytes // 2  # noqa: E731
    monkeypatch.setattr(start_checks, "available_memory", free)
    monkeypatch.setattr(race_runs, "available_memory", free)
    assert main.run_commands.start_race(RaceChoice(("lstm", "gru"), "hidden", 5, None, 0)) == []
    assert "these 2 runs need at least" in main.banner.label.text()
    assert not main.controller.running and len(main.runs) == 0
    train_steps(qtbot, main, 3)  # one run of that model fits, and trains


def test_one_run_of_a_race_pauses_steps_and_resumes_from_its_row(qtbot, window) -> None:
    main = window
    first, second = main.run_commands.start_race(RaceChoice(("lstm", "gru"), "hidden", None,
                                                            None, 3))  # fmt: skip
    qtbot.waitUntil(lambda: main.runs.get(second).step > 2, timeout=TIMEOUT)
    main.run_commands.command(first, "pause")  # the row's menu: Pause this run
    qtbot.waitUntil(lambda: main.runs.get(first).state == "paused", timeout=TIMEOUT)
    paused_at = main.runs.get(first).step
    qtbot.waitUntil(lambda: main.runs.get(second).step > paused_at + 30, timeout=TIMEOUT)
    assert main.runs.get(first).step == paused_at and main.controller.state == "running"
    main.run_commands.command(first, "step")
    qtbot.waitUntil(lambda: main.runs.get(first).step == paused_at + 1, timeout=TIMEOUT)
    main.run_commands.command(first, "resume")
    qtbot.waitUntil(lambda: main.runs.get(first).step > paused_at + 5, timeout=TIMEOUT)
    main.run_commands.command(second, "stop")
    qtbot.waitUntil(lambda: main.runs.get(second).state == "stopped", timeout=TIMEOUT)
    assert main.controller.running  # the other run goes on
    main.controller.stop()
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    steps = main.loss_plot.data(first)["steps"]
    assert steps.tolist() == list(range(1, len(steps) + 1))  # nothing lost or repeated


def test_another_corpus_asks_before_dropping_runs_with_weights(qtbot, window, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    main = window
    train_steps(qtbot, main, 2)
    source = main.corpus.source
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.No)  # fmt: skip
    main.open_corpus("tinyshakespeare")
    assert asked and "1 run(s) with weights" in asked[0] and "1 of them not saved" in asked[0]
    assert main.corpus.source == source and len(main.runs) == 1  # kept, nothing loading
    assert not main.loader.loading_corpus
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    main.open_corpus("tinyshakespeare")
    qtbot.waitUntil(lambda: main.corpus.name.startswith("tinyshakespeare"), timeout=TIMEOUT)
    assert len(main.runs) == 0 and main.parts.runs_panel.table.runs() == []
    assert main.loss_plot.run_ids() == [] and not main.controller.dirty


def test_closing_with_several_unsaved_runs_saves_them_all(qtbot, window, tmp_path,
                                                          monkeypatch) -> None:  # fmt: skip
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    main = window
    train_steps(qtbot, main, 2)
    main.actions_.new_run.trigger()
    train_steps(qtbot, main, 2)
    asked = []
    save = QMessageBox.StandardButton.Save
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[2]) or save)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a: str(tmp_path))
    assert main.close()
    assert asked == ["2 runs are not saved. Save them all into a folder?"]
    assert sorted(path.name for path in tmp_path.glob("*.pt")) == [
        "01-LSTM_1_24.pt", "02-LSTM_1_24_2.pt"
    ]  # fmt: skip
    assert not main.controller.dirty


def test_duplicate_branches_a_run_where_it_stands(qtbot, window) -> None:
    main = window
    train_steps(qtbot, main, 5)
    original = main.runs.current
    main.parts.runs_panel.duplicate_button.click()
    copy = main.runs.current
    assert copy != original and main.runs.get(copy).name.endswith("(copy)")
    assert main.loss_plot.data(copy)["steps"].tolist() == [1, 2, 3, 4, 5]  # its curves so far
    train_steps(qtbot, main, 3)  # the copy goes on from step 5 ...
    main.parts.runs_panel.table.select_run(original)
    train_steps(qtbot, main, 3)  # ... exactly as the original does
    np.testing.assert_array_equal(main.loss_plot.data(copy)["losses"],
                                  main.loss_plot.data(original)["losses"])  # fmt: skip


def test_after_a_race_the_gradients_page_draws_every_visible_run(qtbot, window) -> None:
    main = window
    table, kept = main.parts.runs_panel.table, main.run_inspections
    flow, spectrum = main.inspector.flow_plot, main.inspector.spectrum_plot
    main.center_tabs.setCurrentIndex(3)  # Gradients
    first, second = main.run_commands.start_race(RaceChoice(("rnn", "lstm"), "params", 6, None,
                                                            5))  # fmt: skip
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    # At the end every run's final weights are probed: the current run's fill the views, the
    # other's are drawn beside them.
    qtbot.waitUntil(lambda: all(kept.latest(run) is not None and kept.latest(run).step == 6
                                for run in (first, second)), timeout=TIMEOUT)  # fmt: skip
    qtbot.waitUntil(lambda: main.inspector.latest is kept.latest(first), timeout=TIMEOUT)
    flow.flush()

    def by_distance(run: int) -> np.ndarray:
        norms = kept.latest(run).probe.layers[0].gradient_norms[::-1].astype(np.float64)
        return norms[norms > 0]

    np.testing.assert_allclose(flow.curve_data(0)[1], by_distance(first))
    np.testing.assert_allclose(flow.other_curve_data(second)[1], by_distance(second))
    names = [main.runs.get(run).name for run in (first, second)]
    assert [text.split(" (")[0] for text in flow.legend_texts()] == names
    assert [text.split(" (")[0] for text in spectrum.legend_texts()] == names
    spectrum.flush()
    assert spectrum.other_series(second)[0].tolist() == [6]
    # Unticked in the run table: gone from the overlays.
    table.item(table.runs().index(second), 0).setCheckState(Qt.CheckState.Unchecked)
    flow.flush()
    assert len(flow.other_curve_data(second)[0]) == 0 and len(flow.legend_texts()) == 1
    table.item(table.runs().index(second), 0).setCheckState(Qt.CheckState.Checked)
    # Another run made current: it is drawn in full at once, the first beside it.
    table.select_run(second)
    hidden = main.runs.get(second).model_config.hidden_size
    assert main.inspector.latest.probe.layers[0].gates["h"].shape[1] == hidden
    flow.flush()
    np.testing.assert_allclose(flow.curve_data(0)[1], by_distance(second))
    np.testing.assert_allclose(flow.other_curve_data(first)[1], by_distance(first))


def test_the_run_controls_alt_letters_clash_with_nothing_shown(qtbot, window) -> None:
    """Two visible controls with the same Alt+letter make that key cycle between them instead
    of acting: the runs' and the Loss page's controls share theirs with nothing shown beside
    them, whichever side tab is open."""
    import re

    from PySide6.QtWidgets import QAbstractButton, QLabel, QTabBar

    def letters() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        texts = [w.text() for w in window.findChildren(QAbstractButton) if w.isVisible()]
        texts += [w.text() for w in window.findChildren(QLabel) if w.isVisible() and w.buddy()]
        for bar in window.findChildren(QTabBar):
            if bar.isVisible():
                texts += [bar.tabText(index) for index in range(bar.count())]
        for text in texts:
            match = re.search(r"&([^&\s])", text.replace("&&", ""))
            if match:
                found.setdefault(match[1].lower(), []).append(text)
        return found

    window.center_tabs.setCurrentIndex(0)
    for side in range(window.parts.left_tabs.count()):
        window.parts.left_tabs.setCurrentIndex(side)
        ours = {"Ne&w run", "D&uplicate", "X &axis", "Loss smoothi&ng"}
        clashes = {key: texts for key, texts in letters().items()
                   if len(texts) > 1 and ours & set(texts)}  # fmt: skip
        assert not clashes, clashes


def test_a_blown_up_loss_fits_its_column(qtbot) -> None:
    from rnnlab.gui.panels.runs_table import RunRow, RunsTable

    table = RunsTable()
    qtbot.addWidget(table)
    table.show_run(RunRow(
        run=1, name="no clipping", index=0, visible=True, cell="rnn", layers=1, hidden_size=128,
        parameters=18_865, steps=12, chars=384, seconds=0.2, loss=1.87e32,
        best_validation=float("nan"), chars_per_second=0.0, state="diverged",
    ))  # fmt: skip
    texts = [table.item(0, column).text() for column in range(2, table.columnCount())]
    assert "1.87e+32" in texts and "—" in texts  # not 33 digits; no validation yet
