"""Vocabulary: building, encoding, decoding, and the errors a user sees."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab.core.vocabulary import Vocabulary

PROSE = "First Citizen:\nBefore we proceed any further, hear me speak.\n"
RUSSIAN = "Мой дядя самых честных правил,\nКогда не в шутку занемог,\n"


def test_from_text_sorts_distinct_characters_by_code_point() -> None:
    vocabulary = Vocabulary.from_text("banana\n")
    assert vocabulary.chars == ("\n", "a", "b", "n")
    assert len(vocabulary) == 4
    assert "n" in vocabulary and "z" not in vocabulary


def test_from_text_on_a_long_text_matches_set(rng: np.random.Generator) -> None:
    # Long enough for the sliced path; mixes one-byte and wide slices.
    alphabet = [*"abcdefghij \n", "ж", "€", "😀"]
    text = "".join(rng.choice(alphabet, size=300_000)) + "é" + "x" * 400_000
    assert Vocabulary.from_text(text).chars == tuple(sorted(set(text)))


def test_explicit_order_is_kept_and_restored_from_its_string() -> None:
    vocabulary = Vocabulary("zyx\n")
    assert vocabulary.index("z") == 0 and vocabulary.index("\n") == 3
    restored = Vocabulary(vocabulary.to_string())
    assert restored == vocabulary
    assert hash(restored) == hash(vocabulary)
    assert Vocabulary("xyz\n") != vocabulary


@pytest.mark.parametrize(
    ("chars", "message"),
    [
        ("", "at least one character"),
        ("abca", "duplicate character in vocabulary: 'a'"),
        (["a", "bc"], "single characters, got 'bc'"),
    ],
)
def test_bad_vocabularies_are_refused(chars: str | list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Vocabulary(chars)


def test_index_of_unknown_character_names_it() -> None:
    with pytest.raises(ValueError, match="character 'q' is not in the vocabulary"):
        Vocabulary("abc").index("q")


def test_dtype_is_the_smallest_that_fits() -> None:
    assert Vocabulary([chr(0x4E00 + i) for i in range(256)]).dtype == np.uint8
    assert Vocabulary([chr(0x4E00 + i) for i in range(257)]).dtype == np.uint16
    assert Vocabulary([chr(0x10000 + i) for i in range(65_537)]).dtype == np.uint32


@pytest.mark.parametrize("text", [PROSE, RUSSIAN, PROSE * 20_000, RUSSIAN * 10_000])
def test_encode_decode_round_trip(text: str) -> None:
    vocabulary = Vocabulary.from_text(text)
    codes = vocabulary.encode(text)
    assert codes.shape == (len(text),) and codes.dtype == vocabulary.dtype
    assert vocabulary.decode(codes) == text
    assert [vocabulary.chars[code] for code in codes[:40]] == list(text[:40])


def test_unsorted_vocabulary_encodes_to_its_own_positions() -> None:
    vocabulary = Vocabulary("ba\nc")
    assert vocabulary.encode("abc\n").tolist() == [1, 0, 3, 2]
    assert vocabulary.decode([1, 0, 3, 2]) == "abc\n"


def test_encode_large_vocabulary_round_trip() -> None:
    chars = [chr(0x4E00 + i) for i in range(20_000)]
    vocabulary = Vocabulary(chars[::-1])  # not sorted: exercises the lookup table
    text = "".join(chars) * 3
    codes = vocabulary.encode(text)
    assert codes.dtype == np.uint16
    assert codes[0] == 19_999
    assert vocabulary.decode(codes) == text


def test_decode_accepts_lists_arrays_and_tensors() -> None:
    vocabulary = Vocabulary.from_text("hello")
    codes = vocabulary.encode("hello")
    assert vocabulary.decode(codes.tolist()) == "hello"
    assert vocabulary.decode(torch.tensor(codes.astype(np.int64))) == "hello"
    assert vocabulary.decode(iter(codes.tolist())) == "hello"
    assert vocabulary.decode([]) == ""


@pytest.mark.parametrize("bad", [[0, 9], [-1]])
def test_decode_refuses_codes_outside_the_vocabulary(bad: list[int]) -> None:
    with pytest.raises(ValueError, match=r"code -?\d+ is outside the vocabulary \(0 to 3\)"):
        Vocabulary("abcd").decode(bad)


def test_unknown_lists_new_characters_in_order_of_first_appearance() -> None:
    vocabulary = Vocabulary.from_text(PROSE)
    assert vocabulary.unknown("hear me, Zoë! Zoë? Ω") == ["Z", "ë", "!", "?", "Ω"]
    assert vocabulary.unknown(PROSE) == []


def test_encode_names_the_unknown_characters() -> None:
    vocabulary = Vocabulary.from_text("abc ")
    with pytest.raises(ValueError, match=r"2 characters not in the vocabulary: 'Ж', '\\t'"):
        vocabulary.encode("abc Ж\tЖ")
    with pytest.raises(ValueError, match="1 character not in the vocabulary: 'd'"):
        vocabulary.encode("abc " * 100_000 + "d")  # found in a late slice of a long text


def test_encode_lists_at_most_twenty_unknown_characters() -> None:
    text = "".join(chr(0x4E00 + i) for i in range(25))
    with pytest.raises(ValueError, match=r"25 characters not in the vocabulary: .* and 5 more"):
        Vocabulary("a").encode(text)


def test_encode_empty_text() -> None:
    codes = Vocabulary("a").encode("")
    assert codes.shape == (0,) and codes.dtype == np.uint8


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)
