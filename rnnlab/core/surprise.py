"""How surprised a model is by each character of a text: −ln p(character | everything before it),
in nats. Averaged over a text this is the per-character loss that training minimises; one
character at a time it makes the model a spelling checker, since a typo is a character the model
did not expect, and its surprise (or that of the character after it) stands out.

The text is read once, one character at a time (``CharSampler.begin`` and ``advance``), so a text
of T characters costs T steps, not the T²/2 of feeding every prefix anew.

The first character: as in training, where the first character of a sequence is only read and the
loss is over the characters after it, the first character of a text is the context, not scored.
A typed text starts anywhere in the corpus's flow and the model cannot know what came before it;
predicting it from the start of a line would score the corpus's layout instead (in the sonnets
every line starts with two spaces, so any first letter scored 13 nats there, more than a typo).
In line mode (lists of names) a text is one line, and a line's start is a real context: there the
first character is predicted after the newline that starts a line in training, as the first
sampled character is.

Characters the model never saw have no probability: they are marked ``unknown``, not scored, and
skipped (the model reads on as if they were not there), so that one stray character does not stop
the rest of the text from being scored.

NumPy only: the window computes it from the sample panel's weight snapshots, without torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnlab.core.sampling import CharSampler, log_softmax
from rnnlab.core.tokens import Tokenizer, unit_tokenizer

BITS_PER_NAT = 1.0 / math.log(2.0)


def _frozen(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)  # a frozen result: nobody changes the arrays under the view
    return values


@dataclass(frozen=True)
class Surprise:
    """Per character of ``text``: the surprise in nats (NaN where not scored), whether the
    vocabulary lacks it, what the model expected there, and the mean over the scored characters
    (NaN if there are none)."""

    text: str
    chars: np.ndarray  # (T,) the characters, one string each
    nats: np.ndarray  # (T,) float64 −ln p(char | the text before it); NaN: not scored
    unknown: np.ndarray  # (T,) bool: outside the vocabulary (not scored, skipped)
    # (T,) the character the model found likeliest there ("" where not scored): a spelling
    # checker's suggestion, and its probability (NaN where not scored)
    expected: np.ndarray
    expected_probability: np.ndarray
    mean: float  # nats per character over the scored characters: the text's loss

    @property
    def scored(self) -> np.ndarray:
        """(T,) bool: the characters with a surprise (known, and with a context to predict from)."""
        return np.isfinite(self.nats)

    @property
    def probabilities(self) -> np.ndarray:
        """(T,) p(char | before) = e^−surprise; NaN where not scored."""
        return np.exp(-self.nats)

    @property
    def bits(self) -> np.ndarray:
        """(T,) the surprise in bits: −log₂ p = nats / ln 2."""
        return self.nats * BITS_PER_NAT

    @property
    def unknown_chars(self) -> list[str]:
        """The distinct characters outside the vocabulary, in the order they first appear."""
        return list(dict.fromkeys(self.chars[self.unknown].tolist()))

    def most_surprising(self, count: int) -> list[int]:
        """Positions of the ``count`` most surprising scored characters, most surprising first
        (ties: the earlier first)."""
        positions = np.flatnonzero(self.scored)
        order = np.argsort(-self.nats[positions], kind="stable")
        return positions[order[:count]].tolist()

    def __len__(self) -> int:
        return len(self.text)


def surprise_of(sampler: CharSampler, text: str) -> Surprise:
    """Each character's surprise under ``sampler``'s model, reading ``text`` once."""
    vocabulary = sampler.vocabulary
    tokenizer = unit_tokenizer(vocabulary)
    if tokenizer is not None:
        return _token_surprise(sampler, tokenizer, text)
    size = len(text)
    nats, expected_probability = np.full(size, np.nan), np.full(size, np.nan)
    expected = np.full(size, "", dtype="<U1")
    unknown = np.array([char not in vocabulary for char in text], dtype=bool)
    logits: np.ndarray | None = None  # of the next character; None: no context yet
    state: Any = None
    if sampler.line_mode:
        logits, state = sampler.begin()  # the start of a line: a newline read
    for position, char in enumerate(text):
        if unknown[position]:
            continue  # no probability to give it; the next character follows what came before
        code = vocabulary.index(char)
        if logits is None:  # the first known character: the context, read but not scored
            logits, state = sampler.begin(char)
            continue
        log_probabilities = log_softmax(logits)
        nats[position] = -log_probabilities[code]
        likeliest = int(logits.argmax())
        expected[position] = vocabulary.chars[likeliest]
        expected_probability[position] = math.exp(log_probabilities[likeliest])
        logits, state = sampler.advance(code, state)
    return _surprise(text, nats, unknown, expected, expected_probability)


def _token_surprise(sampler: CharSampler, tokenizer: Tokenizer, text: str) -> Surprise:
    """A word or BPE model's surprise: each token's, shared out evenly over the characters it
    spells (so the mean is per character, as the loss plot reads it), with the likeliest token
    as what was expected there. An unknown word is scored as the unknown token it reads as; a
    character BPE cannot spell is marked unknown and skipped, as for a character model."""
    size = len(text)
    nats, expected_probability = np.full(size, np.nan), np.full(size, np.nan)
    expected = np.full(size, "", dtype=object)
    missing = set(tokenizer.unknown(text))
    unknown = np.array([char in missing for char in text], dtype=bool)
    kept = np.flatnonzero(~unknown)  # the text's positions of the characters read
    pieces = tokenizer.pieces("".join(text[position] for position in kept))
    codes = tokenizer.codes_of(pieces) if pieces else np.zeros(0, np.int64)
    logits: np.ndarray | None = None
    state: Any = None
    start = 0
    for piece, code in zip(pieces, codes.tolist()):
        span = kept[start : start + len(piece)]
        start += len(piece)
        if logits is None:  # the first token: the context, read but not scored
            logits, state = sampler.begin(piece)
            continue
        log_probabilities = log_softmax(logits)
        nats[span] = -log_probabilities[code] / len(piece)
        likeliest = int(logits.argmax())
        expected[span] = tokenizer.tokens[likeliest]
        expected_probability[span] = math.exp(log_probabilities[likeliest])
        logits, state = sampler.advance(code, state)
    return _surprise(text, nats, unknown, expected, expected_probability)


def _surprise(text: str, nats: np.ndarray, unknown: np.ndarray, expected: np.ndarray,
              expected_probability: np.ndarray) -> Surprise:  # fmt: skip
    scored = nats[np.isfinite(nats)]
    mean = float(scored.mean()) if scored.size else math.nan
    chars = np.array(list(text), dtype="<U1") if text else np.zeros(0, dtype="<U1")
    return Surprise(
        text,
        chars=_frozen(chars),
        nats=_frozen(nats),
        unknown=_frozen(unknown),
        expected=_frozen(expected),
        expected_probability=_frozen(expected_probability),
        mean=mean,
    )
