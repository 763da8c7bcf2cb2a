"""The unit a model reads and writes: characters, words or BPE pieces, and the mapping between a
text and its token codes (``Tokenizer``).

- Characters: the corpus's characters (``Vocabulary``), as every model has read so far.
- Words: the text cut as ``rnnlab.core.bpe.chunks`` cuts it (a word with its leading space, a
  number, one punctuation mark, a run of whitespace), the WORD_CAP most frequent chunks of the
  training split, and one unknown token for the rest. Decoding gives the text back except that
  an unknown word reads ``UNKNOWN``.
- BPE with K merges (MIN_MERGES to MAX_MERGES): the corpus's characters, then one token for each
  merge learned from the training split only. Decoding gives the text back exactly.

Tokens are plain strings and merges plain pairs of strings, so a checkpoint can store them as
data. Codes are int64, as PyTorch's embeddings take them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnnlab.core.bpe import Pair, PieceCutter, chunk_counts, chunks, learn_merges
from rnnlab.core.errors import ConfigError
from rnnlab.core.vocabulary import Vocabulary

UNKNOWN = "<unk>"  # how an unknown word reads when decoded
WORD_CAP = 5_000  # words kept: the most frequent of the training split (then the unknown token)
MIN_MERGES, MAX_MERGES = 50, 5_000
KINDS = {"char": "characters", "word": "words", "bpe": "BPE"}


@dataclass(frozen=True)
class TokenUnit:
    """What one token is: ``kind`` "char", "word" or "bpe"; ``merges`` K for BPE, else 0."""

    kind: str = "char"
    merges: int = 0

    @classmethod
    def parse(cls, spec: str) -> TokenUnit:
        """``char``, ``word`` or ``bpe:K``; ConfigError naming what is wrong otherwise."""
        text = spec.strip().lower()
        if text in ("char", "word"):
            return cls(text)
        match = re.fullmatch(r"bpe:(\d+)", text)
        if match is None:
            raise ConfigError(
                f"unknown token unit {spec!r}: use char, word or bpe:K "
                f"(K merges, {MIN_MERGES}-{MAX_MERGES})"
            )
        merges = int(match[1])
        if not MIN_MERGES <= merges <= MAX_MERGES:
            raise ConfigError(
                f"BPE takes {MIN_MERGES} to {MAX_MERGES:,} merges, not {merges:,} ({spec!r})"
            )
        return cls("bpe", merges)

    @property
    def name(self) -> str:
        """The spec it parses from: "char", "word", "bpe:500"."""
        return f"bpe:{self.merges}" if self.kind == "bpe" else self.kind

    @property
    def label(self) -> str:
        """For people: "characters", "words", "BPE-500"."""
        return f"BPE-{self.merges}" if self.kind == "bpe" else KINDS[self.kind]


class Tokenizer:
    """A unit's tokens (a token's code is its position) and how a text maps to codes."""

    def __init__(
        self,
        unit: TokenUnit,
        tokens: Sequence[str],
        merges: Sequence[Pair] = (),
        unknown: int | None = None,
    ) -> None:
        self.unit = unit
        self.tokens = tuple(tokens)
        self.merges = tuple((left, right) for left, right in merges)
        self.unknown_code = unknown  # the unknown token's code (words only)
        self._codes = {token: code for code, token in enumerate(self.tokens)}
        if len(self._codes) != len(self.tokens):
            raise ValueError("a tokenizer's tokens must be distinct")
        self._cutter = PieceCutter(self.merges) if unit.kind == "bpe" else None
        self._characters = Vocabulary(self.tokens) if unit.kind == "char" else None

    def __len__(self) -> int:
        return len(self.tokens)

    # What a Vocabulary offers, so samplers and models take a tokenizer where they took one.

    @property
    def chars(self) -> tuple[str, ...]:
        """The tokens' strings, by code (a Vocabulary's name for them)."""
        return self.tokens

    def __contains__(self, token: object) -> bool:
        return token in self._codes

    def index(self, token: str) -> int:
        try:
            return self._codes[token]
        except KeyError:
            raise ValueError(f"{token!r} is not a token of this {self.unit.label} unit") from None

    def unknown(self, text: str) -> list[str]:
        """Distinct characters of ``text`` this unit cannot spell, by first appearance (none
        for words: an unknown word becomes the unknown token)."""
        if self.unknown_code is not None:
            return []
        return [char for char in dict.fromkeys(text) if char not in self._codes]

    def to_plain(self) -> dict[str, object]:
        """The unit, its tokens and merges as plain data (a checkpoint stores this)."""
        return {"unit": self.unit.name, "tokens": list(self.tokens),
                "merges": [list(pair) for pair in self.merges]}  # fmt: skip

    @classmethod
    def from_plain(cls, plain: dict[str, object]) -> Tokenizer:
        """The tokenizer ``to_plain`` described (ValueError if it does not describe one)."""
        unit = TokenUnit.parse(str(plain["unit"]))
        tokens = [str(token) for token in plain["tokens"]]  # type: ignore[attr-defined]
        merges = [(str(left), str(right)) for left, right in plain["merges"]]  # type: ignore[attr-defined]
        unknown = tokens.index(UNKNOWN) if unit.kind == "word" else None
        return cls(unit, tokens, merges, unknown)

    def pieces(self, text: str) -> list[str]:
        """The text cut into tokens' strings (an unknown word as written); they join to it."""
        if self._cutter is not None:
            return self._cutter.cut(text)
        return list(text) if self.unit.kind == "char" else chunks(text)

    def encode(self, text: str) -> np.ndarray:
        """(tokens,) int64 codes. Characters and BPE raise ValueError for a character the corpus
        does not have; an unknown word takes the unknown token's code."""
        if self._characters is not None:
            return self._characters.encode(text).astype(np.int64)
        return self.codes_of(self.pieces(text))

    def codes_of(self, pieces: list[str]) -> np.ndarray:
        """(len(pieces),) int64 codes of the pieces ``pieces`` cut a text into."""
        codes, unknown = self._codes, self.unknown_code
        if unknown is not None:
            return np.fromiter((codes.get(piece, unknown) for piece in pieces), np.int64,
                               len(pieces))  # fmt: skip
        missing = sorted({piece for piece in pieces if piece not in codes})
        if missing:
            listed = " ".join(repr(piece) for piece in missing[:20])
            raise ValueError(f"characters the tokenizer does not know: {listed}")
        return np.fromiter((codes[piece] for piece in pieces), np.int64, len(pieces))

    def decode(self, codes: Sequence[int] | np.ndarray) -> str:
        """The text of a sequence of codes (ValueError for a code outside the vocabulary)."""
        tokens = self.tokens
        values = [int(code) for code in codes]
        if values and not 0 <= min(values) <= max(values) < len(tokens):
            bad = next(code for code in values if not 0 <= code < len(tokens))
            raise ValueError(f"code {bad} is outside the vocabulary (0 to {len(tokens) - 1})")
        return "".join(tokens[code] for code in values)


def split_texts(text: str, validation_fraction: float, lines: tuple[list[str], list[str]] | None
                ) -> tuple[str, str]:  # fmt: skip
    """(training text, validation text): the last ``validation_fraction`` of ``text``, or, for
    a line-mode corpus, its (training lines, validation lines) joined by line ends."""
    if lines is not None:
        train, validation = lines
        return "\n".join(train) + "\n", "\n".join(validation) + "\n"
    cut = len(text) - int(len(text) * validation_fraction)
    return text[:cut], text[cut:]


def build_tokenizer(unit: TokenUnit, vocabulary: Vocabulary, training_text: str) -> Tokenizer:
    """The unit's tokenizer for a corpus with this character ``vocabulary``, whose words and
    merges come from ``training_text`` alone."""
    characters = list(vocabulary.chars)
    if unit.kind == "char":
        return Tokenizer(unit, characters)
    if unit.kind == "word":
        counts = chunk_counts(training_text)
        # The most frequent first; equally frequent ones in string order, so it never varies.
        kept = sorted(counts, key=lambda word: (-counts[word], word))[:WORD_CAP]
        return Tokenizer(unit, [UNKNOWN, *kept], unknown=0)
    merges = learn_merges(training_text, unit.merges)
    tokens = dict.fromkeys(characters)  # ordered; two merges can make the same string
    tokens.update(dict.fromkeys(left + right for left, right in merges))
    return Tokenizer(unit, list(tokens), merges)


def unit_tokenizer(vocabulary: Vocabulary | Tokenizer) -> Tokenizer | None:
    """A word or BPE run's tokenizer; None for characters (one a position)."""
    if isinstance(vocabulary, Tokenizer) and vocabulary.unit.kind != "char":
        return vocabulary
    return None
