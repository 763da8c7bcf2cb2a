"""A corpus read in another unit than characters: its text as token codes, split where the
character runs split it.

The unit's words or merges come from the training split alone (``rnnlab.core.tokens``), and the
token codes keep that split: the training text and the validation text are cut into tokens
separately, so no validation character reaches training. ``position_characters`` says how many
characters each position's token spells (an unknown word: the word's own length), which is how
a token run's loss is read per character (``rnnlab.core.token_facts.bits_per_character``), and
how ``rnnlab.core.token_batching`` finds the character runs' stretches of text in tokens.

Stream mode only so far: in line mode a run reads whole lines, and a token run would need lines
cut into tokens on their own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from rnnlab.core.bpe import text_slices
from rnnlab.core.corpus import Corpus
from rnnlab.core.errors import ConfigError
from rnnlab.core.tokens import Tokenizer, TokenUnit, build_tokenizer, split_texts


@dataclass(frozen=True, eq=False)
class TokenCorpus(Corpus):
    """A corpus whose ``vocabulary`` is a ``Tokenizer`` and ``codes`` its token codes."""

    validation_tokens: int  # the last tokens of ``codes``: the validation split
    position_characters: np.ndarray  # (tokens,) int64 characters each position's token spells

    @property
    def tokenizer(self) -> Tokenizer:
        """The ``vocabulary``, as what it is here."""
        assert isinstance(self.vocabulary, Tokenizer)
        return self.vocabulary


def tokenize_corpus(corpus: Corpus, tokenizer: Tokenizer, validation_fraction: float) -> Corpus:
    """``corpus`` read in the tokenizer's unit (the corpus itself for characters)."""
    if tokenizer.unit.kind == "char":
        return corpus
    _refuse_line_mode(corpus, tokenizer.unit)
    training, validation = split_texts(corpus.text, validation_fraction, None)
    training_codes, training_lengths = _read(tokenizer, training)
    validation_codes, validation_lengths = _read(tokenizer, validation)
    codes = np.concatenate((training_codes, validation_codes))
    return TokenCorpus(
        **{field.name: getattr(corpus, field.name) for field in dataclasses.fields(Corpus)}
        | {"vocabulary": tokenizer, "codes": codes,
           "char_counts": np.bincount(codes, minlength=len(tokenizer))},
        validation_tokens=len(validation_codes),
        position_characters=np.concatenate((training_lengths, validation_lengths)),
    )  # fmt: skip


def _read(tokenizer: Tokenizer, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, characters each token spells), both (tokens,) int64, cut a slice of the text at a
    time: a list of every piece of a 300 MB text would take gigabytes."""
    codes, lengths = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for part in text_slices(text):
        pieces = tokenizer.pieces(part)
        codes.append(tokenizer.codes_of(pieces))
        lengths.append(np.fromiter(map(len, pieces), np.int64, len(pieces)))
    return np.concatenate(codes), np.concatenate(lengths)


def learn_unit(corpus: Corpus, unit: TokenUnit, validation_fraction: float) -> Corpus:
    """``corpus`` in ``unit``, its words or merges learned from the training split."""
    if unit.kind == "char":
        return corpus
    _refuse_line_mode(corpus, unit)
    training, _ = split_texts(corpus.text, validation_fraction, None)
    tokenizer = build_tokenizer(unit, corpus.vocabulary, training)
    return tokenize_corpus(corpus, tokenizer, validation_fraction)


def _refuse_line_mode(corpus: Corpus, unit: TokenUnit) -> None:
    refusal = line_mode_refusal(corpus, unit)
    if refusal:
        raise ConfigError(refusal)


def line_mode_refusal(corpus: Corpus, unit: TokenUnit) -> str:
    """Why a run of ``unit`` cannot read ``corpus`` ("" if it can): word and BPE runs read
    running text, not one example a line."""
    if not corpus.line_mode or unit.kind == "char":
        return ""
    return (f"{unit.label} runs read running text: {corpus.name} is in line mode (one example "
            "a line), which trains on characters only so far")  # fmt: skip


def unknown_share(corpus: Corpus) -> float:
    """The share of the validation text's tokens that are unknown words (0 for other units):
    their characters count as predicted, so a word run's bits per character read lower."""
    if not isinstance(corpus, TokenCorpus) or corpus.tokenizer.unknown_code is None:
        return 0.0
    validation = corpus.codes[len(corpus.codes) - corpus.validation_tokens :]
    return float((validation == corpus.tokenizer.unknown_code).mean()) if len(validation) else 0.0


UNKNOWN_WARNING = (
    "{share:.1%} of the validation text's tokens are unknown words; their characters "
    "count as predicted, so bits per character read lower than a character or BPE run's would "
    "for the same model quality"
)


def unknown_warning(corpus: Corpus) -> str:
    """What flatters a word run's loss per character (UNKNOWN_WARNING with its share); "" for
    other units, which have no unknown tokens."""
    tokenizer = corpus.tokenizer if isinstance(corpus, TokenCorpus) else None
    if tokenizer is None or tokenizer.unknown_code is None:
        return ""
    return UNKNOWN_WARNING.format(share=unknown_share(corpus))
