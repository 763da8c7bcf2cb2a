"""What a token unit makes of a corpus, and how to compare units honestly.

- ``token_facts``: vocabulary size, tokens, characters per token, the unknown share of the
  validation text (words), the merges (BPE), the token lengths, and the memory distance.
- ``bits_per_character``: a loss per token read per character. A unit with longer tokens has a
  higher loss per token and fewer tokens; over the same text, nats per token x tokens is the
  text's total surprise, whatever the unit, and dividing by the text's characters (and ln 2)
  gives bits per character, the unit every run can be compared in.
- ``memory_distance``: how many tokens back a dependency some characters back lies. A
  character model must carry a word 25 characters back over 25 steps; a word model over about 5.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from rnnlab.core.corpus import Corpus, split_lines
from rnnlab.core.token_corpus import TokenCorpus, unknown_share
from rnnlab.core.tokens import Tokenizer, TokenUnit, build_tokenizer, split_texts

DEPENDENCY_CHARACTERS = 25  # five words of five characters: the lecture's example
# A mean over a million tokens moves in its third decimal at most; over a 300 MB text's tens of
# millions it took gigabytes and seconds of the window's thread.
MEMORY_SAMPLE_TOKENS = 1_000_000


def bits_per_character(nats_per_token: float, tokens: int, characters: int) -> float:
    """A mean loss over ``tokens`` tokens that spell ``characters`` characters, per character,
    in bits."""
    if characters <= 0:
        raise ValueError("bits per character needs at least one character")
    return nats_per_token * tokens / (characters * math.log(2))


def memory_distance(lengths: np.ndarray, characters: int = DEPENDENCY_CHARACTERS) -> float:
    """Mean number of tokens between a token and the one holding the character ``characters``
    before its start, over a text cut into tokens of these ``lengths`` (in characters, in order;
    tokens starting fewer than ``characters`` into the text do not count), taken over its first
    MEMORY_SAMPLE_TOKENS tokens."""
    lengths = lengths[:MEMORY_SAMPLE_TOKENS]
    starts = np.cumsum(lengths) - lengths  # (N,) each token's first character
    counted = starts >= characters
    if not counted.any():
        return float("nan")
    back = starts[counted] - characters
    holders = np.searchsorted(starts, back, side="right") - 1  # the token holding that character
    return float(np.mean(np.flatnonzero(counted) - holders))


@dataclass(frozen=True)
class TokenFacts:
    unit: TokenUnit
    vocabulary_size: int
    tokens: int  # the whole corpus's
    characters: int  # the whole corpus's
    unknown_share: float  # of the validation text's tokens: unknown words (0 for other units)
    seconds: float  # to learn the unit and cut the corpus
    merges: tuple[tuple[str, str], ...]  # BPE's, in the order learned; else empty
    memory_distance: float  # tokens back that DEPENDENCY_CHARACTERS characters lie
    length_counts: np.ndarray  # (longest + 1,) tokens of the corpus of each length in characters

    @property
    def characters_per_token(self) -> float:
        return self.characters / self.tokens if self.tokens else float("nan")

    def as_json(self) -> dict[str, object]:
        """The keys of ``rnnlab tokens --json``."""
        return {
            "unit": self.unit.name,
            "vocabulary_size": self.vocabulary_size,
            "tokens": self.tokens,
            "characters_per_token": self.characters_per_token,
            "unknown_share": self.unknown_share,
            "seconds": self.seconds,
            "merges": [list(pair) for pair in self.merges],
            "memory_distance": self.memory_distance,
        }


def split_corpus(corpus: Corpus, validation_fraction: float) -> tuple[str, str]:
    """(training text, validation text) as the runs split ``corpus``."""
    lines = split_lines(corpus, validation_fraction) if corpus.line_mode else None
    return split_texts(corpus.text, validation_fraction, lines)


def corpus_tokenizer(corpus: Corpus, unit: TokenUnit, validation_fraction: float
                     ) -> tuple[Tokenizer, str, str]:  # fmt: skip
    """The unit's tokenizer for ``corpus``, learned on its training split, with (training text,
    validation text) as the runs split it."""
    training, validation = split_corpus(corpus, validation_fraction)
    return build_tokenizer(unit, corpus.vocabulary, training), training, validation


def token_facts(corpus: Corpus, unit: TokenUnit, validation_fraction: float = 0.1
                ) -> tuple[Tokenizer, TokenFacts]:  # fmt: skip
    started = time.perf_counter()
    tokenizer, training, validation = corpus_tokenizer(corpus, unit, validation_fraction)
    # Cut as a run cuts it: the training and validation texts apart.
    pieces = [*tokenizer.pieces(training), *tokenizer.pieces(validation)]
    lengths = np.fromiter(map(len, pieces), np.int64, len(pieces))
    seconds = time.perf_counter() - started
    unknown_share = 0.0
    if tokenizer.unknown_code is not None:
        codes = tokenizer.encode(validation)
        unknown_share = float(np.mean(codes == tokenizer.unknown_code)) if len(codes) else 0.0
    facts = TokenFacts(
        unit=unit,
        vocabulary_size=len(tokenizer),
        tokens=len(lengths),
        characters=len(training) + len(validation),
        unknown_share=unknown_share,
        seconds=seconds,
        merges=tokenizer.merges,
        memory_distance=memory_distance(lengths),
        length_counts=np.bincount(lengths),
    )
    return tokenizer, facts


def reading_facts(reading: Corpus, unit: TokenUnit, seconds: float = 0.0) -> TokenFacts:
    """The facts of a corpus already read in ``unit`` (``rnnlab.core.token_corpus``: a
    TokenCorpus, or the corpus itself for characters), without learning it again."""
    if isinstance(reading, TokenCorpus):
        lengths, merges = reading.position_characters, reading.tokenizer.merges
        tokens, characters, length_counts = len(lengths), int(lengths.sum()), np.bincount(lengths)
        distance = memory_distance(lengths)
    else:  # characters: one a token, so no array as long as the text; a dependency some
        # characters back is as many tokens back, once the text is that long
        tokens = characters = len(reading.codes)
        merges, length_counts = (), np.array([0, tokens], np.int64)
        distance = float(DEPENDENCY_CHARACTERS) if tokens > DEPENDENCY_CHARACTERS else math.nan
    return TokenFacts(
        unit=unit,
        vocabulary_size=len(reading.vocabulary),
        tokens=tokens,
        characters=characters,
        unknown_share=unknown_share(reading),
        seconds=seconds,
        merges=tuple(merges),
        memory_distance=distance,
        length_counts=length_counts,
    )
