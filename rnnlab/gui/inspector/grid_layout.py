"""Where the text grid's cells go: positions left to right in lines of ``columns`` cells, a
line broken after a line end, and a word (or a word or BPE token) kept whole on the next line
where it would not fit what is left of this one. Plain Python: tested without a widget."""

from __future__ import annotations

from collections.abc import Sequence


def place_cells(
    text: str | Sequence[str], spans: Sequence[int], columns: int
) -> list[tuple[int, int]]:
    """(line, column) of each position. ``spans``: the cells each position takes (one per
    position: 1 for a character, a token's characters); ``text``: a string (a character a
    position, where words and line ends are found), a word or BPE run's tokens, or "" (a band
    of guesses: no text, only spans)."""
    characters = isinstance(text, str) and all(span == 1 for span in spans)
    word_ends, end = [0] * len(text), len(text)
    for position in range(len(text) - 1, -1, -1) if characters else ():  # where words end
        char = text[position]  # a line end counts with its word: it takes a cell
        end = position if char == " " else position + 1 if char == "\n" else end
        word_ends[position] = end
    places, line, column = [], 0, 0
    for position, span in enumerate(spans):
        if characters:
            starts_word = 0 < position < len(text) and text[position - 1] == " "
            length = word_ends[position] - position if starts_word else 0
        else:
            length = span  # a token is kept whole on a line where it fits
        if column > 0 and column + length > columns >= length:
            line, column = line + 1, 0  # the word fits the next line, not what is left
        places.append((line, column))
        column += span
        # After a line end (a token of words has it with the spaces that follow).
        ends_line = position < len(text) and "\n" in text[position]
        if column >= columns or ends_line:
            line, column = line + 1, 0
    return places
