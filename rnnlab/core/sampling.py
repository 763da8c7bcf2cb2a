"""Sampling text from a weight snapshot: temperature, top-k, top-p, greedy, beam search.

A sampler works on a NumPy copy of the weights (``rnnlab.core.stepping.NumpyStepper``), made in
the thread that trains the model, so training may go on while the window samples, and sampling
never loads torch. Each character is one step of the cell equations in NumPy: several times
faster at batch 1 than calling ``nn.LSTM`` with ``seq_len=1``.

``CharSampler`` holds what does not depend on the model (prime, temperature, lines); the n-gram
models sample through it too (``rnnlab.core.ngram_sampling``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from rnnlab.core.draws import SampleSettings, check_temperature, choose, draw_weights
from rnnlab.core.errors import SamplingError
from rnnlab.core.stepping import LayerStates, NumpyStepper
from rnnlab.core.vocabulary import Vocabulary

if TYPE_CHECKING:
    from rnnlab.core.models import CharModel

NEWLINE = "\n"
# What callers import from here (the settings and the draw itself live in rnnlab.core.draws).
__all__ = [
    "CharSampler", "SampleSettings", "Sampler", "check_temperature", "log_softmax", "mean_entropy",
    "softmax",
]  # fmt: skip


class CharSampler:
    """Prime handling and the sampling loop for any model that reads one character at a time:
    a subclass says how to read a text from the start (``_feed``) and one more character
    (``_advance``), each giving the scores of the next character and a state to continue from."""

    def __init__(self, vocabulary: Vocabulary, line_mode: bool = False) -> None:
        self.vocabulary = vocabulary
        self.line_mode = line_mode

    def _feed(self, codes: np.ndarray) -> tuple[np.ndarray, Any]:
        """Read ``codes`` (at least one) from the start: logits (V,) of the next character, and
        the state after them."""
        raise NotImplementedError

    def _advance(self, code: int, state: Any) -> tuple[np.ndarray, Any]:
        """Read one more character after ``state``: the next logits (V,) and the new state."""
        raise NotImplementedError

    # ---- prime text --------------------------------------------------------------------------

    def clean_prime(self, prime: str, drop_unknown: bool = False) -> tuple[str, list[str]]:
        """The prime with characters outside the vocabulary removed (with ``drop_unknown``),
        and the warnings to show; without ``drop_unknown`` they raise a SamplingError."""
        unknown = self.vocabulary.unknown(prime)
        if not unknown:
            return prime, []
        shown = ", ".join(repr(char) for char in unknown[:10])
        if not drop_unknown:
            raise SamplingError(f"the prime text has characters the model never saw: {shown}")
        cleaned = "".join(char for char in prime if char in self.vocabulary)
        return cleaned, [f"dropped characters the model never saw from the prime: {shown}"]

    def _start(self, prime: str) -> tuple[np.ndarray, Any]:
        """Feed the prime; return the logits for the next character (V,) and the state."""
        if self.line_mode:
            if NEWLINE in prime:
                raise SamplingError("in line mode the prime is the start of one line: no newlines")
            prime = NEWLINE + prime  # the newline marks the start of a line in training
        elif not prime:
            if NEWLINE not in self.vocabulary:
                raise SamplingError("give a prime text: this model has no newline to start from")
            prime = NEWLINE
        self.clean_prime(prime)  # raises on unknown characters
        return self._feed(self.vocabulary.encode(prime).astype(np.int64))

    # ---- the public calls ------------------------------------------------------------------------

    def generate(
        self, prime: str, length: int, settings: SampleSettings | None = None
    ) -> Iterator[str]:
        """Yield the tokens after ``prime`` as they are produced, until they spell at least
        ``length`` characters (a word or BPE model writes whole tokens, of several each).

        In line mode generation stops at the end of the line (the newline is not yielded).
        """
        settings = settings or SampleSettings()
        rng = np.random.default_rng(settings.seed)
        logits, state = self._start(prime)
        chars = self.vocabulary.chars
        written = 0
        while written < length:
            code = choose(logits, settings, rng)
            if self.line_mode and chars[code] == NEWLINE:
                return
            yield chars[code]
            written += len(chars[code])
            if written < length:
                logits, state = self._advance(code, state)

    def sample(self, prime: str, length: int, settings: SampleSettings | None = None) -> str:
        """``length`` characters after ``prime`` (a word or BPE model's whole tokens may spell a
        few more)."""
        return "".join(self.generate(prime, length, settings))

    def sample_lines(
        self,
        prefix: str,
        count: int,
        settings: SampleSettings | None = None,
        max_length: int = 100,
    ) -> list[str]:
        """Line mode: ``count`` whole lines that start with ``prefix``."""
        settings = settings or SampleSettings()
        lines = []
        for index in range(count):
            seed = None if settings.seed is None else settings.seed + index
            each = replace(settings, seed=seed)
            lines.append(prefix + self.sample(prefix, max_length, each))
        return lines

    def begin(self, prime: str = "") -> tuple[np.ndarray, Any]:
        """Read ``prime`` as sampling does (an empty one: the start of a text, a newline): the
        logits (V,) of the next character and a state for ``advance``. For reading a whole text
        one character at a time (``rnnlab.core.surprise``)."""
        return self._start(prime)

    def advance(self, code: int, state: Any) -> tuple[np.ndarray, Any]:
        """Read one more character (its code) after ``state``: the next logits (V,), a new state."""
        return self._advance(code, state)

    def next_char_logits(self, prefix: str) -> np.ndarray:
        """Logits (V,) of the character after ``prefix``: cache them, then ``softmax(logits / T)``
        at any temperature costs microseconds (the window's temperature slider)."""
        logits, _ = self._start(prefix)
        return logits

    def next_char_distribution(self, prefix: str, temperature: float = 1.0) -> np.ndarray:
        """Probabilities (V,) of the character after ``prefix`` at ``temperature``."""
        check_temperature(temperature)
        return softmax(self.next_char_logits(prefix) / temperature)

    def read_after(self, prime: str, continuation: str) -> Iterator[tuple[np.ndarray, int]]:
        """(logits (V,) the character was drawn from, its code) for each character of
        ``continuation`` after ``prime``, reading the text once."""
        if self.vocabulary.unknown(continuation):
            raise SamplingError("the continuation has characters the model never saw")
        codes = self.vocabulary.encode(continuation).tolist() if continuation else []
        logits, state = self._start(prime)
        for index, code in enumerate(codes):
            yield logits, code
            if index < len(codes) - 1:
                logits, state = self._advance(code, state)

    def log_probability(self, prime: str, continuation: str) -> float:
        """The total log-probability (nats) of ``continuation`` following ``prime``: how the
        window compares greedy decoding with beam search."""
        pairs = self.read_after(prime, continuation)
        return sum((float(log_softmax(logits)[code]) for logits, code in pairs), 0.0)

    def greedy(self, prime: str, length: int) -> tuple[str, float]:
        """Greedy decoding of ``length`` characters after ``prime`` (whole tokens, as
        ``sample``), with its total log-probability (nats) taken from the codes as they were
        chosen: reading the text again could cut it otherwise (BPE pieces, a word model's
        unknown token)."""
        chars, pieces, total, written = self.vocabulary.chars, [], 0.0, 0
        logits, state = self._start(prime)
        while written < length:
            code = int(logits.argmax())
            if self.line_mode and chars[code] == NEWLINE:
                break
            total += float(log_softmax(logits)[code])
            pieces.append(chars[code])
            written += len(chars[code])
            if written < length:
                logits, state = self._advance(code, state)
        return "".join(pieces), total

    def beam_search(self, prime: str, width: int, length: int) -> list[tuple[str, float]]:
        """The ``width`` most likely continuations of ``length`` characters, with their total
        log-probabilities (nats), best first. In line mode a beam ends at the end of its line; a
        word or BPE model's beam ends once its tokens spell ``length`` characters or more."""
        if width < 1 or length < 1:
            raise SamplingError("beam width and length must be at least 1")
        chars = self.vocabulary.chars
        logits, state = self._start(prime)
        states = self._beam_states(state)
        log_probs = log_softmax(logits)[None, :]  # (beams, V)
        beams, scores = [""], np.zeros(1)
        finished: list[tuple[str, float]] = []
        for step in range(length):
            totals = (scores[:, None] + log_probs).ravel()  # (beams * V,)
            wanted = min(width - len(finished), totals.size)
            best = np.argsort(-totals, kind="stable")[:wanted]
            origin, codes = np.divmod(best, log_probs.shape[1])
            keep = []
            for index, (source, code) in enumerate(zip(origin, codes)):
                if self.line_mode and chars[code] == NEWLINE:
                    finished.append((beams[source], float(totals[best[index]])))
                elif len(beams[source]) + len(chars[code]) >= length:  # long enough
                    finished.append((beams[source] + chars[code], float(totals[best[index]])))
                else:
                    keep.append(index)
            beams = [beams[origin[i]] + chars[codes[i]] for i in keep]
            scores = totals[best[keep]]
            if not beams or step == length - 1:
                break
            logits, states = self._advance_beams(codes[keep], states, origin[keep])
            log_probs = log_softmax(logits)
        finished.extend(zip(beams, scores.tolist()))
        return sorted(finished, key=lambda item: item[1], reverse=True)[:width]

    # Beam search's state: by default a list of the one-character states, one per beam; a
    # model that steps a batch at once keeps them as one batch instead (``Sampler``).
    def _beam_states(self, state: Any) -> Any:
        return [state]

    def _advance_beams(
        self, codes: np.ndarray, states: Any, origin: np.ndarray
    ) -> tuple[np.ndarray, Any]:
        """Beam ``i`` continues beam ``origin[i]`` with ``codes[i]``: logits (beams, V) and the
        beams' new states."""
        stepped = [self._advance(int(code), states[source]) for code, source in zip(codes, origin)]
        return np.stack([logits for logits, _ in stepped]), [state for _, state in stepped]


class Sampler(CharSampler):
    """Samples from a NumPy snapshot of a network's weights."""

    def __init__(
        self, snapshot: NumpyStepper, vocabulary: Vocabulary, line_mode: bool = False
    ) -> None:
        if snapshot.vocab_size != len(vocabulary):
            raise SamplingError("the weights and the vocabulary do not belong together")
        super().__init__(vocabulary, line_mode)
        self.stepper = snapshot

    @classmethod
    def from_model(
        cls, model: CharModel, vocabulary: Vocabulary, line_mode: bool = False
    ) -> Sampler:
        """A sampler on a copy of ``model``'s weights (made now, in the calling thread)."""
        return cls(NumpyStepper.from_model(model), vocabulary, line_mode)

    def _feed(self, codes: np.ndarray) -> tuple[np.ndarray, LayerStates]:
        states = self.stepper.initial_states(1)
        for code in codes:
            logits, states = self.stepper.step(np.array([code]), states)
        return logits[0], states

    def _advance(self, code: int, state: LayerStates) -> tuple[np.ndarray, LayerStates]:
        logits, states = self.stepper.step(np.array([code]), state)
        return logits[0], states

    # Beam search: all beams in one batch, one matrix product per layer and character.
    def _beam_states(self, state: LayerStates) -> LayerStates:
        return state  # already a batch of one

    def _advance_beams(
        self, codes: np.ndarray, states: LayerStates, origin: np.ndarray
    ) -> tuple[np.ndarray, LayerStates]:
        return self.stepper.step(codes, self.stepper.select(states, origin))


def log_softmax(values: np.ndarray) -> np.ndarray:
    """Along the last axis, in float64."""
    shifted = values - values.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(values: np.ndarray) -> np.ndarray:
    shifted = np.exp(values - values.max())
    return shifted / shifted.sum()


def mean_entropy(sampler: CharSampler, prime: str, sample: str, settings: SampleSettings) -> float:
    """The mean entropy (nats) of the distributions the characters of ``sample`` were drawn
    from after ``prime``: how uncertain each draw was. 0 for greedy decoding (no dice), and for
    an empty sample. Reads the text once."""
    if settings.greedy or not sample:
        return 0.0
    total = 0.0
    for logits, _ in sampler.read_after(prime, sample):
        weights = draw_weights(logits, settings)
        probabilities = weights / weights.sum()
        kept = probabilities[probabilities > 0]
        total -= float((kept * np.log(kept)).sum())
    return total / len(sample)
