"""The surprise tab in the real window: a typed text coloured by surprise, its loss, a typo that
lights up, and what it says without a model."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QTextCursor

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.surprise import BITS_PER_NAT, surprise_of
from rnnlab.gui.panels.surprise_texts import DEFAULT_TEXT, NO_MODEL

TIMEOUT = 30_000


def open_tab(main):
    """View > Surprise: the tab, shown, with its text field focused."""
    main.actions_.surprise.trigger()
    panel = main.parts.surprise_panel
    assert panel.isVisible() and main.parts.sample_tabs.currentWidget() is panel
    return panel


def retype(qtbot, panel, text: str, pasted: str = "") -> None:
    """Type ``text`` into the field as a user does, then paste ``pasted`` (QTest types ASCII
    only); wait for it to be scored, after the typing pause."""
    panel.surpriseEdit.clear()
    qtbot.keyClicks(panel.surpriseEdit, text)
    panel.surpriseEdit.insert(pasted)
    qtbot.waitUntil(lambda: (panel.result() is not None and panel.result().text == text + pasted),
                    timeout=TIMEOUT)  # fmt: skip


def inside(display, position: int) -> QPoint:
    """A point within the character at ``position`` of the display (viewport coordinates)."""
    cursor = QTextCursor(display.document())
    cursor.setPosition(position)
    left = display.cursorRect(cursor)
    cursor.setPosition(position + 1)
    right = display.cursorRect(cursor)
    return QPoint((left.left() + right.left()) // 2, left.center().y())


def distance_from_background(display, fill: QColor | None) -> float:
    """How far a character's fill is from the background: the scale starts at the background."""
    if fill is None:
        return 0.0
    base = display.palette().color(display.backgroundRole()).getRgbF()[:3]
    return math.dist(base, fill.getRgbF()[:3])


def test_without_a_model_it_says_so_then_colours_a_typed_text_with_its_loss(qtbot, window):
    main = window
    panel = open_tab(main)
    assert panel.surpriseEdit.hasFocus() and panel.surpriseEdit.text() == DEFAULT_TEXT
    assert panel.result() is None and panel.surpriseTotal.text() == NO_MODEL
    assert panel.surpriseText.toPlainText() == "" and panel.surpriseText.fills() == []
    assert "No model yet" in panel.surpriseText.placeholderText()

    main.model_panel.set_configs(
        ModelConfig(vocab_size=len(main.corpus.vocabulary), hidden_size=24, embedding_size=8),
        TrainConfig(batch_size=4, seq_len=16, eval_every=1000, eval_chars=400, threads=1,
                    device="cpu"),
    )  # fmt: skip
    main.training_bar.steps_budget.setValue(20)
    main.train()
    qtbot.waitUntil(lambda: main.controller.step == 20 and not main.controller.running,
                    timeout=TIMEOUT)  # fmt: skip
    qtbot.waitUntil(main.sample_panel.has_sampler, timeout=TIMEOUT)
    retype(qtbot, panel, "the kimg")
    result = panel.result()
    expected = surprise_of(panel.sources.current(), "the kimg")  # the run's latest snapshot
    np.testing.assert_allclose(result.nats, expected.nats)
    fills = panel.surpriseText.fills()
    assert panel.surpriseText.toPlainText() == "the kimg"
    assert fills[0] is None and all(fill is not None for fill in fills[1:])  # t: the context
    assert f"Loss of this text: {result.mean:.2f} nats/char" in panel.surpriseTotal.text()
    assert "Most surprising:" in panel.surpriseTop.text()
    tip = panel.surpriseText.tip_at(inside(panel.surpriseText, 6))
    assert tip.startswith("‘m’ after “the ki”") and f"{result.nats[6]:.2f} nats" in tip
    assert "first character" in panel.surpriseText.tip_at(inside(panel.surpriseText, 0))

    units = main.training_bar.unit_combo
    units.setCurrentIndex(units.findData("bits"))  # the loss plot's unit, here too
    assert f"{result.mean * BITS_PER_NAT:.2f} bits/char" in panel.surpriseTotal.text()
    units.setCurrentIndex(units.findData("nats"))

    # New weights: the text is scored again with them.
    main.training_bar.steps_budget.setValue(10)
    main.train()
    qtbot.waitUntil(lambda: panel.result().mean != result.mean, timeout=TIMEOUT)


@pytest.fixture
def ngram_tab(qtbot, window):
    """The tab scoring with a 5-gram of the sonnets: no training, and the same every time."""
    main = window
    combo = main.parts.surprise_panel.surpriseSourceCombo
    main.baselines.build_now()
    qtbot.waitUntil(lambda: combo.count() == 9, timeout=TIMEOUT)
    combo.setCurrentIndex(5)
    assert combo.currentText().startswith("5-gram")
    return open_tab(main)


def test_a_typo_lights_up_and_unknown_characters_are_marked(qtbot, ngram_tab, window) -> None:
    panel = ngram_tab
    right = "Shall I compare thee to a summer's day?"
    retype(qtbot, panel, right)
    correct = panel.result()
    hottest_right = max(distance_from_background(panel.surpriseText, fill)
                        for fill in panel.surpriseText.fills())  # fmt: skip
    retype(qtbot, panel, DEFAULT_TEXT)
    wrong = panel.result()
    typo = DEFAULT_TEXT.index("dsy") + 1
    assert wrong.most_surprising(1)[0] in (typo, typo + 1)
    distances = [distance_from_background(panel.surpriseText, fill)
                 for fill in panel.surpriseText.fills()]  # fmt: skip
    assert int(np.argmax(distances)) == wrong.most_surprising(1)[0]  # the brightest colour
    assert max(distances) > hottest_right
    assert wrong.mean > correct.mean
    first = panel.surpriseTop.text().split("<br>")[0]
    assert first.startswith("Most surprising: ") and "“d" in first and "?”" in first

    # Presentation mode: the application's font reaches the panel as an event; the text grows
    # and its box with it.
    before, height = panel.surpriseText.font().pointSizeF(), panel.surpriseText.height()
    window.actions_.presentation.trigger()
    try:
        qtbot.waitUntil(lambda: panel.surpriseText.font().pointSizeF() > before * 1.5)
        qtbot.waitUntil(lambda: panel.surpriseText.height() > height)
    finally:
        window.actions_.presentation.trigger()

    # A character outside the vocabulary is marked and skipped, not a crash.
    retype(qtbot, panel, "the king", pasted="€")
    assert panel.result().unknown.tolist() == [False] * 8 + [True]
    assert panel.surpriseText.fills()[8] is None
    assert "never seen in training: ‘€’" in panel.surpriseTotal.text()
    assert "never saw" in panel.surpriseText.tip_at(inside(panel.surpriseText, 8))
