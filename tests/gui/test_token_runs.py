"""Word and BPE runs in the window: the unit chosen in the model panel and its facts in the corpus
panel, runs of several units in one table and one loss plot (per character, and per token on
request), sampling and probes in the run's tokens, and a saved word run that opens again."""

from __future__ import annotations

import numpy as np
import pytest
from test_main_window import TIMEOUT, tiny, train_steps

from rnnlab.core.tokens import TokenUnit


def choose_unit(main, tokens: str) -> None:
    """As a user does: the Tokens combo, then (BPE) the merges spin."""
    unit = TokenUnit.parse(tokens)
    panel = main.model_panel
    if unit.kind == "bpe":
        panel.mergesSpin.setValue(unit.merges)
    panel.tokenUnitCombo.setCurrentIndex(panel.tokenUnitCombo.findData(unit.kind))


def trained_in(qtbot, main, tokens: str, steps: int) -> None:
    """The current run: a tiny model reading ``tokens``, trained ``steps`` steps."""
    tiny(main)
    choose_unit(main, tokens)
    train_steps(qtbot, main, steps)


def test_the_unit_is_chosen_in_the_model_panel_and_its_facts_shown(qtbot, window) -> None:
    main, panel = window, window.model_panel
    facts = main.corpus_panel.unitFacts
    assert panel.train_config().tokens == "char"
    assert not panel.mergesSpin.isVisibleTo(panel)  # merges mean something for BPE only
    assert "Characters: one token per character" in facts.factsLabel.text()

    choose_unit(main, "bpe:120")
    assert panel.mergesSpin.isVisibleTo(panel)
    assert panel.train_config().tokens == "bpe:120"
    qtbot.waitUntil(lambda: "Memory distance" in facts.factsLabel.text(), timeout=TIMEOUT)
    text = facts.factsLabel.text()
    assert "BPE-120" in text and "First merges" in text
    assert facts.lengthPlot.isVisibleTo(facts)
    assert facts.shares.sum() == pytest.approx(100.0)
    assert facts.shares[0] < 60.0 and facts.shares[1:].sum() > 40.0  # merged pieces are longer
    # The parameter count is the BPE vocabulary's: larger than the characters'.
    bpe_count = int(panel.parameterCount.text().split()[0].replace(",", ""))

    choose_unit(main, "word")
    assert not panel.mergesSpin.isVisibleTo(panel)
    qtbot.waitUntil(lambda: "Unknown:" in facts.factsLabel.text(), timeout=TIMEOUT)
    assert "Warning" in facts.factsLabel.text()  # the unknown share is never bare
    word_count = int(panel.parameterCount.text().split()[0].replace(",", ""))
    assert word_count > bpe_count  # thousands of words against 120 merges

    choose_unit(main, "char")
    assert "Characters" in facts.factsLabel.text()
    panel.set_configs(panel.model_config(62), panel.train_config().__class__(tokens="bpe:300"))
    assert panel.train_config().tokens == "bpe:300" and panel.mergesSpin.value() == 300


def test_runs_of_words_and_characters_overlay_per_character(qtbot, window) -> None:
    main = window
    tiny(main)
    choose_unit(main, "word")
    train_steps(qtbot, main, 45)  # a validation at step 40
    words = main.runs.current
    row = main.runs.get(words).row()
    assert row.tokens == "words" and 0 < row.unknown_share < 0.5
    table = main.parts.runs_panel.table
    texts = [table.item(0, column).text() for column in range(table.columnCount())]
    assert "lstm · words" in texts
    assert any(text.endswith("unk)") for text in texts)  # its validation, with its unknowns
    assert "unknown words" in main.loss_plot.run_name(words)

    main.actions_.new_run.trigger()
    choose_unit(main, "char")
    train_steps(qtbot, main, 45)
    characters = main.runs.current
    assert main.runs.get(characters).row().tokens == "characters"

    plot = main.loss_plot

    def drawn(run: int, unit: str) -> np.ndarray:
        """The run's raw loss as the plot draws it in ``unit`` (shown as the current run)."""
        plot.set_unit(unit)
        plot.set_current_run(run)
        plot.flush()
        return np.asarray(plot.raw_curve.getData()[1], float)

    np.testing.assert_allclose(drawn(characters, "token"), drawn(characters, "nats"))
    ratio = drawn(words, "token") / drawn(words, "nats")
    assert np.all((ratio > 2.0) & (ratio < 8.0))  # a word spells about four characters
    # Untrained, a word run guesses about uniformly among its thousands of words: per token
    # its first loss is near ln(vocabulary); the plot's default unit reads it per character.
    vocabulary = main.runs.get(words).token_vocabulary
    assert vocabulary > 1000
    assert abs(drawn(words, "token")[0] - np.log(vocabulary)) < 1.0
    assert drawn(words, "nats")[0] < np.log(vocabulary) / 2
    plot.set_unit("token")
    assert "nats/token" in plot.getAxis("left").labelText


def test_a_word_run_samples_and_probes_in_words(qtbot, window) -> None:
    main = window
    trained_in(qtbot, main, "word", 10)
    qtbot.waitUntil(main.sample_panel.has_sampler, timeout=TIMEOUT)
    sample_panel = main.sample_panel
    sample_panel.primeEdit.setText("Shall I compare thee")
    with qtbot.waitSignal(sample_panel.samplingFinished, timeout=TIMEOUT) as finished:
        sample_panel.sample()
    text = finished.args[0]
    assert text.startswith("Shall I compare thee")
    written = text[len("Shall I compare thee") :]
    assert len(written) >= sample_panel.lengthSpin.value()  # the length counts characters
    # Written a word at a time: its words are the run's (two written without a space between
    # them read as one unknown word when cut again).
    tokenizer = main.controller.readings.peek(main.corpus, "word", 0.1).tokenizer
    cut = tokenizer.pieces(written)
    assert sum(piece in tokenizer for piece in cut) >= 0.8 * len(cut)
    assert "Next token" in sample_panel.nextCharPlot.plotItem.titleLabel.text

    main.center_tabs.setCurrentIndex(2)  # Text: connectivity and guesses
    qtbot.waitUntil(lambda: main.inspector.latest is not None
                    and bool(main.inspector.latest.probe.tokens), timeout=TIMEOUT)  # fmt: skip
    probe = main.inspector.latest.probe
    assert probe.positions == len(probe.tokens) - 1
    guesses = main.inspector.guesses_view.column(0)
    assert all(name in probe.token_list for name, _ in guesses)
    assert "tokens" in main.inspector.probe_bar.status.text()
    # The gradient flow counts tokens back, marks where 25 characters back lies, and reads its
    # distances in characters on a top axis.
    flow = main.inspector.flow_plot
    assert flow.getAxis("bottom").labelText == "tokens back from the predicted token"
    spelled = np.cumsum([len(piece) for piece in probe.inputs][::-1])
    marked = int(flow.memory_line.value())
    assert spelled[marked] >= 25 > (spelled[marked - 1] if marked else 0)
    assert marked < 24  # fewer steps back than the 25 characters are
    assert flow.getAxis("top").isVisible()
    assert flow.characters_axis.tickStrings([0, marked], 1.0, 1.0) == [
        str(spelled[0]),
        str(spelled[marked]),
    ]


def test_a_saved_bpe_run_opens_again_and_continues(qtbot, window, tmp_path) -> None:
    main = window
    trained_in(qtbot, main, "bpe:80", 12)
    path = str(tmp_path / "pieces.pt")
    main.files.model_path = path
    with qtbot.waitSignal(main.controller.saved, timeout=TIMEOUT):
        main.actions_.save.trigger()
    from rnnlab.core.checkpoint import load_checkpoint

    assert load_checkpoint(path).vocabulary.unit == TokenUnit("bpe", 80)  # its own merges

    with qtbot.waitSignal(main.loader.checkpointLoaded, timeout=TIMEOUT):
        main.files.open_model_file(path)
    opened = main.runs.get(main.runs.current)
    assert opened.train_config.tokens == "bpe:80" and opened.step == 12
    assert main.model_panel.train_config().tokens == "bpe:80"
    qtbot.waitUntil(main.sample_panel.has_sampler, timeout=TIMEOUT)
    train_steps(qtbot, main, 5)  # Train continues it, in its pieces, with no question
    assert main.runs.get(main.runs.current).step == 17


def test_token_cells_are_as_wide_as_their_characters_and_long_ones_cut(qtbot) -> None:
    from PySide6.QtCore import QPoint

    from rnnlab.gui.inspector.char_grid import MAX_SPAN, CharGrid

    grid = CharGrid()
    qtbot.addWidget(grid)
    grid.resize(600, 200)
    grid.show()
    tokens = [" the", " king", "\n", " extraordinarily", ","]
    grid.show_text(tokens, [None] * len(tokens))
    one = grid.cell_size().width()
    widths = [grid.cell_rect(position).width() for position in range(len(tokens))]
    assert widths[0] == 4 * one and widths[1] == 5 * one and widths[4] == one
    assert widths[3] == MAX_SPAN * one  # cut, not wider than six characters
    # Each of a token's cells belongs to it; the line end starts a new line.
    king = grid.cell_rect(1)
    assert grid.cell_at(QPoint(king.right() - 2, king.center().y())) == (1, 0)
    assert grid.cell_rect(3).top() > grid.cell_rect(1).top()
    assert grid.cell_rect(3).left() == grid.cell_rect(0).left()


def test_a_character_runs_flow_marks_25_characters_back_at_distance_24(shown, inspections):
    from rnnlab.gui.inspector.gradient_views import GradientFlowPlot

    flow = shown(GradientFlowPlot(), 600, 300)
    flow.show_inspection(inspections["lstm"])
    assert flow.memory_line.isVisible() and flow.memory_line.value() == 24
    assert not flow.getAxis("top").isVisible()  # a step back is a character: no second axis


def test_a_race_of_cells_on_words_matches_parameters_with_the_words(qtbot, window) -> None:
    from rnnlab.gui.panels.race_dialog import RaceChoice

    main = window
    tiny(main)
    choose_unit(main, "word")
    race = RaceChoice(("rnn", "lstm", "gru"), "params", 4, None, 7)
    # Pressed before the words are learned (the pool thread has not answered yet): refused, said.
    assert main.run_commands.start_race(race) == []
    assert "still being learned" in main.banner.label.text()
    qtbot.waitUntil(lambda: main.runs.unit_size("word") is not None, timeout=TIMEOUT)
    ids = main.run_commands.start_race(race)
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    counts = [main.runs.get(run).row().parameters for run in ids]
    assert max(counts) < 1.05 * min(counts)  # equal with the words' input and output layers
    assert all(main.runs.get(run).step == 4 for run in ids)
    assert all(main.runs.get(run).name.endswith("words") for run in ids)


def test_the_surprise_panel_reads_a_word_run_per_character(qtbot, window) -> None:
    main = window
    trained_in(qtbot, main, "word", 6)
    panel = main.parts.surprise_panel
    main.parts.sample_tabs.setCurrentWidget(panel)  # it scores while shown
    qtbot.waitUntil(lambda: panel.result() is not None, timeout=TIMEOUT)
    panel.surpriseEdit.setText("Shall I compare thee to a summer's day?")
    panel.refresh()
    result = panel.result()
    assert result is not None and len(result) == len("Shall I compare thee to a summer's day?")
    assert result.scored.sum() > 20 and np.isfinite(result.mean)
    assert "Loss of this text" in panel.surpriseTotal.text()


def test_words_on_a_text_of_one_name_a_line_are_refused_before_training(qtbot, window) -> None:
    main = window
    with qtbot.waitSignal(main.loader.corpusLoaded, timeout=TIMEOUT):
        main.open_corpus("names")
    choose_unit(main, "word")
    assert "line mode" in main.corpus_panel.unitFacts.factsLabel.text()
    main.actions_.train.trigger()
    assert "line mode" in main.banner.label.text()
    assert not main.controller.running and len(main.runs) == 0


def test_a_band_of_token_guesses_wraps_whole_tokens(qtbot) -> None:
    from rnnlab.gui.inspector.char_grid import CharGrid

    grid = CharGrid()
    qtbot.addWidget(grid)
    grid.resize(300, 400)
    labels = [("␣the", "␣a", "␣my", "␣of", "␣to", "␣in")] * 12  # a band: the token, 5 guesses
    grid.show_cells(labels, [(None,) * 6] * 12, spans=[4] * 12)
    grid.show()
    for position in range(12):
        rect = grid.cell_rect(position)
        assert rect.right() < grid.width()  # never cut at the right edge: the next line instead


def test_a_word_run_duplicated_goes_on_in_words_from_where_it_stood(qtbot, window) -> None:
    main = window
    trained_in(qtbot, main, "word", 5)
    original = main.runs.current
    main.parts.runs_panel.duplicate_button.click()
    copy = main.runs.current
    assert copy != original and main.runs.get(copy).train_config.tokens == "word"
    assert main.runs.get(copy).row().parameters == main.runs.get(original).row().parameters
    train_steps(qtbot, main, 3)  # the copy goes on from step 5, exactly as the original would
    main.parts.runs_panel.table.select_run(original)
    train_steps(qtbot, main, 3)
    np.testing.assert_array_equal(main.loss_plot.data(copy)["losses"],
                                  main.loss_plot.data(original)["losses"])  # fmt: skip


def test_a_race_of_cells_in_two_units_from_the_dialog(qtbot, window) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from rnnlab.gui.panels.race_dialog import RaceChoice, RaceDialog
    from rnnlab.gui.window.race_runs import race_units

    main = window
    tiny(main)
    choose_unit(main, "bpe:80")
    units = race_units(main.model_panel.train_config(), main.corpus)
    assert units == [("bpe:80", "BPE-80"), ("char", "Characters"), ("word", "Words")]
    dialog = RaceDialog(24, 1, 0, main, units)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.unit_boxes["char"].setChecked(True)  # 4 cells x 2 units: 8 runs, the most
    assert ok.isEnabled() and dialog.choice().tokens == ("bpe:80", "char")
    dialog.unit_boxes["word"].setChecked(True)  # 12: too many, and said
    assert not ok.isEnabled() and "at most 8" in dialog.too_many.text()

    race = RaceChoice(("lstm", "gru"), "params", 3, None, 1, tokens=("bpe:80", "char"))
    qtbot.waitUntil(lambda: main.runs.unit_size("bpe:80") is not None, timeout=TIMEOUT)
    ids = main.run_commands.start_race(race)
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    runs = [main.runs.get(run) for run in ids]
    assert [run.train_config.tokens for run in runs] == ["bpe:80", "bpe:80", "char", "char"]
    assert [run.name.split()[-1] for run in runs] == ["BPE-80", "BPE-80", "characters",
                                                      "characters"]  # fmt: skip
    counts = [run.row().parameters for run in runs]
    assert max(counts) < 1.05 * min(counts)  # every run matched to the BPE LSTM's count
    assert all(run.step == 3 for run in runs)


def test_a_race_on_a_task_offers_characters_alone_and_sizes_as_ever(qtbot, window) -> None:
    from rnnlab.core.tasks import find_task
    from rnnlab.gui.panels.race_dialog import RaceChoice
    from rnnlab.gui.window.race_runs import race_units

    main = window
    train = main.model_panel.train_config()
    assert race_units(train, find_task("adding")) == [("char", "Characters")]
    # One unit sizes its runs as a race always has: a small model is not refused.
    tiny(main)
    main.model_panel.hiddenSizeSpin.setValue(6)  # under the smallest of a race of units
    ids = main.run_commands.start_race(RaceChoice(("rnn", "lstm"), "params", 2, None, 0))
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    assert len(ids) == 2 and all(main.runs.get(run).step == 2 for run in ids)
