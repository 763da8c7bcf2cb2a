"""Where the text grid puts its cells: words kept whole, line ends honoured, tokens as wide as
their characters and kept whole too."""

from __future__ import annotations

from rnnlab.gui.inspector.grid_layout import place_cells


def test_characters_keep_a_word_whole_on_the_next_line() -> None:
    text = "to be or"
    places = place_cells(text, [1] * len(text), 7)
    # "to be " takes 6 of 7 columns: "or" starts the next line rather than splitting.
    assert places[:6] == [(0, column) for column in range(6)]
    assert places[6:] == [(1, 0), (1, 1)]


def test_a_line_end_starts_a_new_line() -> None:
    text = "ab\ncd"
    assert place_cells(text, [1] * 5, 40) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]


def test_tokens_take_their_characters_and_wrap_whole() -> None:
    tokens = [" the", " king", ",", "\n ", " my", " lord"]
    spans = [4, 5, 1, 2, 3, 5]
    places = place_cells(tokens, spans, 8)
    assert places[:4] == [(0, 0), (1, 0), (1, 5), (1, 6)]  # " king" does not fit after " the"
    assert places[4:] == [(2, 0), (2, 3)]  # a new line after the token holding the line end


def test_a_band_of_guesses_has_spans_only() -> None:
    assert place_cells("", [3, 3, 3], 7) == [(0, 0), (0, 3), (1, 0)]
