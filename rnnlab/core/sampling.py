"""Sampling text from a weight snapshot: temperature, top-k, top-p, greedy, beam search.

The sampler copies the weights to the CPU when it is made, so the trainer may go on updating the
live model in another thread. The prime text goes through the fused module in one call; after
that each character is one step of the explicit cell equations per layer: at batch 1 that is
several times faster than calling ``nn.LSTM`` with ``seq_len=1`` (oneDNN's per-call overhead).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from rnnlab.core import cells
from rnnlab.core.errors import SamplingError
from rnnlab.core.models import CharModel
from rnnlab.core.vocabulary import Vocabulary

LayerStates = list[tuple[torch.Tensor, ...]]  # per layer, the carried states, each (B, H)
NEWLINE = "\n"


@dataclass(frozen=True)
class SampleSettings:
    temperature: float = 1.0  # > 0; below 1 sharpens the distribution, above 1 flattens it
    top_k: int | None = None  # keep only the k most likely characters
    top_p: float | None = None  # keep the smallest set whose probability reaches p (nucleus)
    greedy: bool = False  # always the most likely character
    seed: int | None = None

    def __post_init__(self) -> None:
        check_temperature(self.temperature)
        if self.top_k is not None and self.top_k < 1:
            raise SamplingError(f"top-k must be at least 1, got {self.top_k}")
        if self.top_p is not None and not 0.0 < self.top_p <= 1.0:
            raise SamplingError(f"top-p must be in (0, 1], got {self.top_p}")


def check_temperature(temperature: float) -> None:
    if not (
        isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0
    ):
        raise SamplingError(
            f"temperature must be a number above 0, got {temperature!r} "
            "(for the single most likely character use greedy sampling)"
        )


class Sampler:
    def __init__(self, model: CharModel, vocabulary: Vocabulary, line_mode: bool = False) -> None:
        # A private CPU copy of the weights: sampling never touches the live model.
        self.model = copy.deepcopy(model).to("cpu").eval()
        for parameter in self.model.parameters():
            parameter.requires_grad_(False)
        self.vocabulary = vocabulary
        self.line_mode = line_mode
        config = self.model.config
        self._layers = [
            self.model.layer_weights(layer).detached() for layer in range(config.layers)
        ]
        # The first layer's input projection of every character, computed once: (V, k*H).
        # A step then starts with a row lookup instead of an embedding and a matrix product.
        with torch.inference_mode():
            self._first_projection = cells.project_inputs(
                self._layers[0], self.model.embedding.weight
            )
        self._head = (self.model.head.weight.detach(), self.model.head.bias.detach())
        self._codes = torch.arange(config.vocab_size).unsqueeze(1)  # row c is the batch [c]

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

    def _start(self, prime: str) -> tuple[torch.Tensor, LayerStates]:
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
        codes = torch.from_numpy(self.vocabulary.encode(prime).astype(np.int64)).unsqueeze(0)
        with torch.inference_mode():
            logits, state = self.model(codes)  # fused, the whole prime in one call
        layers = self.model.config.layers
        return logits[0, -1], [tuple(part[layer] for part in state) for layer in range(layers)]

    # ---- one step ------------------------------------------------------------------------------

    def _step(self, codes: torch.Tensor, states: LayerStates) -> tuple[torch.Tensor, LayerStates]:
        """codes (B,) -> logits (B, V) and the new per-layer states."""
        x: torch.Tensor | None = None  # the previous layer's output, (B, H)
        new_states = []
        for weights, state in zip(self._layers, states):
            if x is None:
                projected = self._first_projection[codes]  # (B, k*H)
            else:
                projected = cells.project_inputs(weights, x)
            x, state = cells.recur(weights, projected, state)
            new_states.append(state)
        return F.linear(x, *self._head), new_states

    # ---- the public calls ------------------------------------------------------------------------

    def generate(
        self, prime: str, length: int, settings: SampleSettings | None = None
    ) -> Iterator[str]:
        """Yield up to ``length`` characters after ``prime`` as they are produced.

        In line mode generation stops at the end of the line (the newline is not yielded).
        """
        settings = settings or SampleSettings()
        rng = np.random.default_rng(settings.seed)
        with torch.inference_mode():
            logits, states = self._start(prime)
            for _ in range(length):
                code = choose(logits.double().numpy(), settings, rng)
                char = self.vocabulary.chars[code]
                if self.line_mode and char == NEWLINE:
                    return
                yield char
                step_logits, states = self._step(self._codes[code], states)
                logits = step_logits[0]

    def sample(self, prime: str, length: int, settings: SampleSettings | None = None) -> str:
        return "".join(self.generate(prime, length, settings))

    def sample_lines(
        self, prefix: str, count: int, settings: SampleSettings | None = None, max_length: int = 100
    ) -> list[str]:
        """Line mode: ``count`` whole lines that start with ``prefix``."""
        settings = settings or SampleSettings()
        lines = []
        for index in range(count):
            seed = None if settings.seed is None else settings.seed + index
            each = SampleSettings(
                settings.temperature, settings.top_k, settings.top_p, settings.greedy, seed
            )
            lines.append(prefix + self.sample(prefix, max_length, each))
        return lines

    def next_char_distribution(self, prefix: str, temperature: float = 1.0) -> np.ndarray:
        """Probabilities (V,) of the character after ``prefix`` at ``temperature``."""
        check_temperature(temperature)
        with torch.inference_mode():
            logits, _ = self._start(prefix)
        return softmax(logits.double().numpy() / temperature)

    def beam_search(self, prime: str, width: int, length: int) -> list[tuple[str, float]]:
        """The ``width`` most likely continuations of ``length`` characters, with their total
        log-probabilities (nats), best first. In line mode a beam ends at the end of its line."""
        if width < 1 or length < 1:
            raise SamplingError("beam width and length must be at least 1")
        finished: list[tuple[str, float]] = []
        with torch.inference_mode():
            logits, states = self._start(prime)
            log_probs = torch.log_softmax(logits.double(), dim=-1).unsqueeze(0)  # (1, V)
            beams, scores = [""], torch.zeros(1, dtype=torch.float64)
            for step in range(length):
                totals = (scores.unsqueeze(1) + log_probs).flatten()  # (beams * V,)
                best = totals.topk(min(width - len(finished), totals.numel())).indices
                vocab = log_probs.shape[1]
                origin, codes = best // vocab, best % vocab
                kept_beams, kept_origin, kept_codes, kept_scores = [], [], [], []
                for source, code, score in zip(
                    origin.tolist(), codes.tolist(), totals[best].tolist()
                ):
                    char = self.vocabulary.chars[code]
                    if self.line_mode and char == NEWLINE:
                        finished.append((beams[source], score))
                        continue
                    kept_beams.append(beams[source] + char)
                    kept_origin.append(source)
                    kept_codes.append(code)
                    kept_scores.append(score)
                if not kept_beams or step == length - 1:
                    finished.extend(zip(kept_beams, kept_scores))
                    break
                index = torch.tensor(kept_origin)
                states = [
                    tuple(part[index] for part in layer) for layer in _expand(states, len(beams))
                ]
                logits, states = self._step(torch.tensor(kept_codes), states)
                log_probs = torch.log_softmax(logits.double(), dim=-1)
                beams, scores = kept_beams, torch.tensor(kept_scores, dtype=torch.float64)
        return sorted(finished, key=lambda item: item[1], reverse=True)[:width]


def _expand(states: LayerStates, beams: int) -> LayerStates:
    """After the prime the state has batch 1; broadcast it to the number of beams."""
    return [tuple(part.expand(beams, -1) for part in layer) for layer in states]


def softmax(values: np.ndarray) -> np.ndarray:
    shifted = np.exp(values - values.max())
    return shifted / shifted.sum()


def choose(logits: np.ndarray, settings: SampleSettings, rng: np.random.Generator) -> int:
    """One character index from logits (V,) float64 under the settings."""
    if settings.greedy:
        return int(logits.argmax())
    scaled = logits / settings.temperature
    if settings.top_k is not None and settings.top_k < scaled.size:
        threshold = np.partition(scaled, -settings.top_k)[-settings.top_k]
        scaled = np.where(scaled >= threshold, scaled, -np.inf)
    probabilities = softmax(scaled)
    if settings.top_p is not None and settings.top_p < 1.0:
        order = np.argsort(probabilities)[::-1]
        cumulative = np.cumsum(probabilities[order])
        keep = order[: int(np.searchsorted(cumulative, settings.top_p)) + 1]
        mask = np.zeros_like(probabilities)
        mask[keep] = probabilities[keep]
        probabilities = mask / mask.sum()
    cumulative = np.cumsum(probabilities)
    index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return min(index, probabilities.size - 1)
