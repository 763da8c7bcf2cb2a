"""The inspector in the window: probes of a model training live reach every view, the probe
text and layer are the user's to choose, and a click on the text probes again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnlab.core.cell_names import GATE_NAMES
from rnnlab.core.config import ModelConfig, TrainConfig

TIMEOUT = 30_000
HIDDEN = 20


def configure(main, cell: str) -> None:
    main.model_panel.set_configs(
        ModelConfig(
            vocab_size=len(main.corpus.vocabulary), cell=cell, hidden_size=HIDDEN, layers=2,
            embedding_size=8,
        ),
        TrainConfig(batch_size=4, seq_len=16, eval_every=10_000, threads=1, device="cpu"),
    )  # fmt: skip


def train_until_probed(qtbot, main, steps: int) -> None:
    """Train ``steps`` steps and wait for the probe of the final weights."""
    main.training_bar.steps_budget.setValue(steps)
    main.train()
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    # After training stops, the final weights are probed once more (in a pool thread).
    qtbot.waitUntil(lambda: latest_step(main) == main.controller.step, timeout=TIMEOUT)


def latest_step(main) -> int | None:
    return main.inspector.latest.step if main.inspector.latest is not None else None


def test_probes_of_a_training_model_fill_every_view(qtbot, window) -> None:
    main = window
    configure(main, "lstm")
    text = main.inspector.probe_bar.text()
    assert 160 <= len(text) <= 256  # the default: a held-out excerpt
    assert not main.inspector.probe_bar.isVisible()  # the Loss page does not use it
    main.center_tabs.setCurrentIndex(1)  # Gates and states
    assert main.inspector.probe_bar.isVisible()
    main.step_once()  # a single step is probed at once
    qtbot.waitUntil(lambda: latest_step(main) == 1, timeout=TIMEOUT)

    gate_view = main.findChild(type(main.inspector.gate_view), "gateView")
    assert gate_view.gate_names() == GATE_NAMES["lstm"]
    for name in GATE_NAMES["lstm"]:
        assert gate_view.heatmap(name).shape == (HIDDEN, len(text) - 1)
    combo = main.inspector.probe_bar.layer_combo
    assert combo.objectName() == "layerCombo" and combo.count() == 2
    layer_one = gate_view.heatmap("h").copy()
    combo.setCurrentIndex(1)
    assert not np.array_equal(gate_view.heatmap("h"), layer_one)
    np.testing.assert_allclose(
        gate_view.heatmap("h"), main.inspector.latest.probe.layers[1].gates["h"].T
    )
    gate_view.unitClicked.emit("f", 3)  # what a click on row 3 of the f heatmap sends
    assert main.inspector.neuron_text.selected() == ("f", 3)

    main.center_tabs.setCurrentIndex(3)  # Gradients
    x, y = main.inspector.flow_plot.curve_data(0)
    assert len(x) == len(text) - 1 and np.isfinite(y).all()
    assert main.inspector.spectrum_plot.series()


def test_the_user_chooses_the_probe_text_and_a_bad_one_is_explained(qtbot, window) -> None:
    main = window
    configure(main, "gru")
    main.center_tabs.setCurrentIndex(2)  # Text
    train_until_probed(qtbot, main, 20)
    assert main.inspector.latest.probe.cell == "gru"

    edit = main.findChild(type(main.inspector.probe_bar.text_edit), "probeTextEdit")
    line = "Shall I compare thee to a summer's day?"
    edit.setPlainText(line)  # as typed: sent after a pause in typing
    qtbot.waitUntil(lambda: main.inspector.latest.probe.input_text == line[:-1], timeout=TIMEOUT)
    assert main.inspector.guesses_view.column(0)  # the text views follow it

    main.inspector.connectivity_view.positionClicked.emit(10)  # a click on character 10
    qtbot.waitUntil(
        lambda: main.inspector.latest.probe.connectivity_position == 10, timeout=TIMEOUT
    )
    strengths = main.inspector.connectivity_view.strengths()
    assert strengths[11:].max() == 0 and strengths[:11].max() == pytest.approx(1.0)

    before = main.inspector.latest
    edit.setPlainText("snow ☃ man")
    status = main.findChild(type(main.inspector.probe_bar.status), "probeStatus")
    assert "'☃'" in status.text() and "does not have" in status.text()
    assert not main.inspector.probe_bar.sending()  # nothing waits to be sent
    assert main.inspector.latest is before


def test_another_cell_type_rebuilds_the_views_and_reset_clears_them(qtbot, window) -> None:
    main = window
    main.center_tabs.setCurrentIndex(1)
    configure(main, "lstm")
    train_until_probed(qtbot, main, 5)
    assert main.inspector.gate_view.gate_names() == GATE_NAMES["lstm"]
    main.reset_weights()
    assert main.inspector.latest is None
    assert main.inspector.group_norm_plot.series() == {} or all(
        len(steps) == 0 for steps, _ in main.inspector.group_norm_plot.series().values()
    )
    configure(main, "rnn")
    train_until_probed(qtbot, main, 5)
    assert main.inspector.gate_view.gate_names() == GATE_NAMES["rnn"]
    assert main.inspector.gate_view.heatmap("pre").shape[0] == HIDDEN


def test_every_view_exports_an_image_and_its_data(qtbot, window, tmp_path: Path) -> None:
    main = window
    configure(main, "lstm")
    train_until_probed(qtbot, main, 3)
    for page in range(1, main.center_tabs.count()):
        main.center_tabs.setCurrentIndex(page)  # hidden pages catch up when shown
    frames = main.inspector.frames()
    assert len(frames) == 9
    for frame in frames:
        name = frame.view.objectName()
        image = Path(frame.export_image(str(tmp_path / name)))
        svg = Path(frame.export_image(str(tmp_path / f"{name}.svg")))
        data = Path(frame.export_data(str(tmp_path / name)))
        assert image.suffix == ".png" and image.stat().st_size > 1000, name
        assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml"), name
        with np.load(data) as arrays:
            assert arrays.files and all(arrays[key].size > 0 for key in arrays.files), name


def test_presentation_mode_enlarges_the_inspector(qtbot, window) -> None:
    main = window
    edit = main.inspector.probe_bar.text_edit
    before = edit.font().pointSizeF()
    main.actions_.presentation.trigger()
    try:
        assert edit.font().pointSizeF() == pytest.approx(before * 1.6, rel=0.05)
    finally:
        main.actions_.presentation.trigger()
