"""What a probe finds, as frozen NumPy values: torch-free, so the window's views can import it.

``rnnlab.core.probe`` computes a ``ProbeResult``; ``rnnlab.core.inspection`` adds what the
views plot over training (gradient norms per parameter group, spectral norms) into an
``Inspection``. None of these hold tensors or the model: they cross to the window's thread.

Positions: a text of N characters gives T = N - 1 positions; position t reads ``text[t]`` and
predicts ``text[t + 1]``. A task's probe (``rnnlab.core.task_probe``) is one generated sequence
instead: position t reads step t, and only the last position asks for an answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TOP_GUESSES = 5
MIN_PROBE_CHARS = 2  # one character read, one predicted
MAX_PROBE_CHARS = 512  # a probe's cost grows with its length; longer texts are refused


@dataclass(frozen=True)
class LayerProbe:
    gates: dict[str, np.ndarray]  # gate or state name -> (T, H) float32
    gradient_norms: np.ndarray  # (T,) ‖∂L/∂h_t‖, L the loss at the last position


@dataclass(frozen=True)
class TaskAnswer:
    """The answer a task sequence asks for at its last position, and the model's output there."""

    classes: tuple[str, ...]  # the answers' names (symbol tasks); () where the answer is a number
    target: float  # the right answer: the sum (adding), or the right class's index
    output: np.ndarray  # (K,) float32, the head's output: the number (K = 1), or each class's logit
    terms: tuple[float, ...] = ()  # adding: the two marked values that the sum adds up

    @property
    def expected(self) -> str:
        """The right answer as shown: "1.23" or a class name ("C", "XY")."""
        return self.classes[int(self.target)] if self.classes else f"{self.target:.2f}"

    @property
    def given(self) -> str:
        """The model's answer as shown: its number, or its most likely class."""
        if self.classes:
            return self.classes[int(np.argmax(self.output))]
        return f"{float(self.output[0]):.2f}"

    def probabilities(self) -> np.ndarray:
        """(K,) float64: the probability the model gives each class (symbol tasks)."""
        logits = self.output.astype(np.float64)
        exponentials = np.exp(logits - logits.max())  # shifted: no overflow at large logits
        return exponentials / exponentials.sum()


@dataclass(frozen=True)
class ProbeResult:
    cell: str
    input_text: str  # text[:-1]: the character read at each position
    target_text: str  # text[1:]: the character to predict at each position
    layers: tuple[LayerProbe, ...]
    losses: np.ndarray  # (T,) nats, the loss at each position
    connectivity_position: int  # the output position the connectivity refers to
    connectivity: np.ndarray  # (T,) ‖∂L_p/∂x_t‖ w.r.t. input embeddings; zero after p
    guess_indices: np.ndarray  # (T, 5) vocabulary indices of the top guesses, best first
    guess_probabilities: np.ndarray  # (T, 5)
    # A task's probe is one generated sequence (rnnlab.core.tasks): ``task`` names the task
    # ("adding"), ``marks`` (T,) bool are the positions its answer depends on, and the answer is
    # asked at the last position (distance 0 in the gradient views). On text: "" and None.
    # There ``input_text`` shows each step (see rnnlab.core.task_probe), ``target_text`` is
    # blank but for a "?" at the last position, ``losses`` are NaN but there, and the guesses
    # are answer classes ((T, min(5, K)); (T, 0) where the answer is a number).
    task: str = ""
    marks: np.ndarray | None = None
    answer: TaskAnswer | None = None  # a task's right answer and the model's; None on text
    # A word or BPE run's probe: the text cut into its tokens (T + 1 of them; position t reads
    # tokens[t] and predicts tokens[t + 1]). () for characters: one a position.
    tokens: tuple[str, ...] = ()
    token_list: tuple[str, ...] = ()  # the run's tokens by code: what guess_indices name

    @property
    def positions(self) -> int:
        return len(self.inputs)

    @property
    def inputs(self) -> Sequence[str]:
        """What each position reads: a character, or a word or BPE token."""
        return self.tokens[:-1] if self.tokens else self.input_text

    @property
    def targets(self) -> Sequence[str]:
        """What each position predicts: a character, or a word or BPE token."""
        return self.tokens[1:] if self.tokens else self.target_text

    def gradient_fade(self, distance: int, layer: int = 0) -> float:
        """‖∂L/∂h_(T-1-distance)‖ / ‖∂L/∂h_(T-1)‖: below 1 the gradient fades going back."""
        norms = self.layers[layer].gradient_norms
        if not 0 <= distance < len(norms):
            raise ValueError(f"distance must be in [0, {len(norms) - 1}], got {distance}")
        last = norms[-1]
        return float(norms[-1 - distance] / last) if last > 0 else float("nan")


def describe_answer(result: ProbeResult) -> str:
    """One line on a task sequence's answer, e.g. "answer 1.23 (0.41 + 0.82), model 1.19" or
    "answer XY, model YX (55 %; XY 30 %)"; "" for a text probe."""
    answer = result.answer
    if answer is None:
        return ""
    if not answer.classes:
        terms = f" ({' + '.join(f'{term:.2f}' for term in answer.terms)})" if answer.terms else ""
        return f"answer {answer.expected}{terms}, model {answer.given}"
    probabilities = answer.probabilities()
    chosen, right = int(np.argmax(probabilities)), int(answer.target)
    shares = f"{probabilities[chosen] * 100:.0f} %"
    if chosen != right:  # how far the right class was behind
        shares += f"; {answer.expected} {probabilities[right] * 100:.0f} %"
    return f"answer {answer.expected}, model {answer.given} ({shares})"


@dataclass(frozen=True)
class Inspection:
    """One probe of the live model and the training statistics taken with it."""

    step: int  # the trainer's step the weights are from
    probe: ProbeResult
    # Gradient norm of each parameter group ("embedding", "layer 1 input", "layer 1 recurrent",
    # ..., "output") at the last training step, before clipping; empty before the first step.
    group_grad_norms: dict[str, float]
    # Largest singular value of each layer's recurrent matrix W_hh (empty for SRU, which has
    # none): below 1 a signal fades going back through time, above 1 it can grow.
    spectral_norms: tuple[float, ...]
    seconds: float  # what computing this inspection cost
