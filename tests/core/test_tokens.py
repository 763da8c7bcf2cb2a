"""Token units: characters, words and BPE pieces cut a text and give it back; BPE learns only from
the training split, always the same merges; losses convert to bits per character honestly."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from rnnlab.core.bpe import CHUNK, chunk_counts, chunk_slices, chunks, learn_merges, text_slices
from rnnlab.core.corpus import bundled_names, load_corpus
from rnnlab.core.errors import ConfigError
from rnnlab.core.token_facts import (
    bits_per_character,
    corpus_tokenizer,
    memory_distance,
    token_facts,
)
from rnnlab.core.tokens import UNKNOWN, WORD_CAP, TokenUnit, build_tokenizer
from rnnlab.core.vocabulary import Vocabulary


@pytest.mark.parametrize("name", bundled_names())
def test_characters_and_bpe_give_every_bundled_corpus_back_exactly(name: str) -> None:
    corpus = load_corpus(name)
    for spec in ("char", "bpe:100"):
        tokenizer, _, _ = corpus_tokenizer(corpus, TokenUnit.parse(spec), 0.1)
        codes = tokenizer.encode(corpus.text)
        assert tokenizer.decode(codes) == corpus.text
        assert codes.dtype == np.int64 and codes.max() < len(tokenizer)
        if spec == "bpe:100":  # the pieces are longer than characters, so there are fewer
            assert len(codes) < 0.8 * len(corpus.text)


def test_words_give_the_text_back_except_unknown_words() -> None:
    corpus = load_corpus("tinyshakespeare")
    tokenizer, _, validation = corpus_tokenizer(corpus, TokenUnit("word"), 0.1)
    assert len(tokenizer) == WORD_CAP + 1 and tokenizer.tokens[tokenizer.unknown_code] == UNKNOWN
    known = set(tokenizer.tokens)
    expected = "".join(piece if piece in known else UNKNOWN for piece in chunks(validation))
    codes = tokenizer.encode(validation)
    assert tokenizer.decode(codes) == expected != validation
    # Words are cut at spaces and punctuation, a word keeping the space before it; a mark is a
    # token of its own; of a run of whitespace, the last space goes with the next word.
    assert tokenizer.pieces("Nay, my lord.\n\nGo!  Now") == [
        "Nay", ",", " my", " lord", ".", "\n", "\n", "Go", "!", " ", " Now"
    ]  # fmt: skip


@pytest.mark.parametrize("slice_chars", [1, 5, 64, 4096])
def test_a_text_read_a_slice_at_a_time_has_the_chunks_of_the_whole(slice_chars: int) -> None:
    # A long text is cut in slices (one regular-expression call over a 300 MB text froze the
    # window for half a minute): the slices must join to the text and give its very chunks,
    # whatever runs of spaces and line ends stand at a cut.
    tricky = "Nay, my lord.\n\nGo!  Now\nx\n y\n\tz \nend\n\n" * 3 + "a\nb c  \nd\n"
    one_word = "nospaceinthistextatall" * 20
    indented = "    def f():\n        return  1 \n\n  \u00a0x\u2028 y\x0b\x0cz\n" * 10
    for text in (tricky, one_word, indented, load_corpus("sonnets").text[:20_000], "", "\n"):
        slices = list(text_slices(text, slice_chars))
        assert "".join(slices) == text
        sliced = [chunk for part in chunk_slices(text, slice_chars) for chunk in part]
        assert sliced == CHUNK.findall(text)
    assert len(list(text_slices(tricky, 5))) > 10  # it cuts, only where it may
    assert len(list(text_slices(indented, 64))) > 5  # code and spaces at line ends too
    assert len(list(text_slices(one_word, 5))) == 1  # no safe place: one slice
    sonnets = load_corpus("sonnets").text
    assert chunks(sonnets) == CHUNK.findall(sonnets)
    assert chunk_counts(sonnets) == Counter(CHUNK.findall(sonnets))


def test_bpe_merges_the_most_frequent_pair_first_and_ties_in_string_order() -> None:
    # Chunks "ab", " ab", " ab", " cd", " cd": a+b is seen 3 times, then four pairs twice each.
    merges = learn_merges("ab ab ab cd cd", merges=10)
    assert merges == [("a", "b"), (" ", "ab"), (" ", "c"), (" c", "d")]  # then nothing twice
    assert learn_merges("ab ab ab cd cd", merges=10) == merges  # always the same


def test_bpe_learns_from_the_training_split_only() -> None:
    training = "the cat sat on the mat. " * 40
    text = training + "zqzq zqzq zqzq " * 40  # the validation split: zq pairs everywhere
    vocabulary = Vocabulary.from_text(text)
    tokenizer = build_tokenizer(TokenUnit("bpe", 50), vocabulary, training)
    assert tokenizer.merges and not any("z" in left + right for left, right in tokenizer.merges)
    assert tokenizer.decode(tokenizer.encode(text)) == text  # unseen pairs stay characters
    assert "zqzq" not in tokenizer.pieces(text)
    with pytest.raises(ValueError, match="does not know"):
        tokenizer.encode("the ☃")


def test_bits_per_character_on_a_hand_made_example() -> None:
    # "abcdabcdab": 10 characters. Cut into 4 tokens, each predicted with probability 1/4:
    # ln 4 nats a token, 4 ln 4 = 8 ln 2 nats for the text, so 8 bits over 10 characters.
    assert bits_per_character(math.log(4), tokens=4, characters=10) == pytest.approx(0.8)
    # A character model guessing uniformly among 4 letters: 2 bits a character, as it should.
    assert bits_per_character(math.log(4), tokens=10, characters=10) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        bits_per_character(1.0, tokens=1, characters=0)


def test_memory_distance_counts_the_tokens_a_dependency_spans() -> None:
    assert memory_distance(np.ones(100, np.int64)) == pytest.approx(25.0)
    assert memory_distance(np.full(100, 5)) == pytest.approx(5.0)  # five words of five letters
    corpus = load_corpus("sonnets")
    distances = {
        spec: token_facts(corpus, TokenUnit.parse(spec))[1].memory_distance
        for spec in ("char", "bpe:200", "word")
    }
    assert distances["char"] == 25.0 > distances["bpe:200"] > distances["word"] > 3.0


def test_the_facts_of_each_unit() -> None:
    corpus = load_corpus("sonnets")
    _, characters = token_facts(corpus, TokenUnit("char"))
    _, pieces = token_facts(corpus, TokenUnit("bpe", 200))
    _, words = token_facts(corpus, TokenUnit("word"))
    assert characters.vocabulary_size == len(corpus.vocabulary) and characters.tokens == len(
        corpus.text
    )
    assert pieces.vocabulary_size <= len(corpus.vocabulary) + 200 and len(pieces.merges) == 200
    assert 1.5 < pieces.characters_per_token < words.characters_per_token
    assert characters.unknown_share == pieces.unknown_share == 0.0
    assert 0.0 < words.unknown_share < 0.5  # validation words the training split never had
    assert int(pieces.length_counts.sum()) == pieces.tokens
    assert pieces.as_json()["merges"][0] == list(pieces.merges[0])


@pytest.mark.parametrize(
    ("spec", "message"),
    [("bpe:10", "50 to 5,000 merges, not 10"), ("words", "use char, word or bpe:K"),
     ("bpe:", "use char, word or bpe:K"), ("bpe:9000", "not 9,000")],
)  # fmt: skip
def test_a_wrong_unit_is_named(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TokenUnit.parse(spec)


def test_units_read_and_name_themselves() -> None:
    assert TokenUnit.parse(" BPE:500 ") == TokenUnit("bpe", 500)
    assert [TokenUnit.parse(spec).name for spec in ("char", "word", "bpe:500")] == [
        "char", "word", "bpe:500"
    ]  # fmt: skip
    assert [TokenUnit.parse(spec).label for spec in ("char", "word", "bpe:500")] == [
        "characters", "words", "BPE-500"
    ]  # fmt: skip


def test_odd_characters_round_trip_in_every_unit() -> None:
    """Combining marks, non-breaking and zero-width spaces, emoji, control whitespace: the
    chunks cover every character, and words (all known here) and BPE give the text back."""
    import random

    alphabet = list("ab c\n\t\u00a0\u2009_1234567890.,;'\"é\u0301ÄßЖж漢字😀\u200b\x0b\x0c\u2028-")
    draw = random.Random(0)
    for _ in range(200):
        text = "".join(draw.choice(alphabet) for _ in range(draw.randint(1, 120)))
        assert "".join(chunks(text)) == text
        vocabulary = Vocabulary.from_text(text)
        for unit in (TokenUnit("bpe", 50), TokenUnit("word")):
            tokenizer = build_tokenizer(unit, vocabulary, text)
            assert tokenizer.decode(tokenizer.encode(text)) == text, (unit, text)
