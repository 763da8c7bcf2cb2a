"""The trainer: a plain generator of step reports (no threads, no Qt, no callbacks).

Whoever drives it (the command line, the window's worker thread, a notebook) pulls one report at
a time and may change the learning rate or clipping between steps::

    trainer = new_trainer(corpus, model_config, train_config)
    for report in trainer.run(max_steps=1000):
        print(report)

Truncated BPTT as in char-rnn: the hidden state is carried from one window to the next and
detached, so gradients flow back at most ``seq_len`` steps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from dataclasses import replace

import torch

from rnnlab.core import optim
from rnnlab.core.batching import IGNORE_INDEX, Batch, TrainingData, make_training_data
from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.device import choose_device, set_threads
from rnnlab.core.errors import ConfigError
from rnnlab.core.history import History
from rnnlab.core.losses import batch_loss
from rnnlab.core.models import CharModel, State
from rnnlab.core.parameter_groups import parameter_group
from rnnlab.core.random_stream import RandomStream
from rnnlab.core.reports import DivergenceReport, EvalReport, Report, StepReport
from rnnlab.core.task_data import TaskData
from rnnlab.core.tasks import CROSS_ENTROPY, Task, model_shape_of
from rnnlab.core.token_batching import TokenStreamData
from rnnlab.core.token_corpus import TokenCorpus

LOG2 = math.log(2.0)




class Trainer:
    """Owns the live model, its optimiser, the carried state and the run history."""

    def __init__(
        self,
        model: CharModel,
        data: TrainingData,
        config: TrainConfig,
        device: torch.device | None = None,
    ) -> None:
        self.device = device or torch.device("cpu")
        self.model = model.to(self.device)
        self.data = data
        self.config = config  # the live settings: learning rate and clipping change in place
        self.optimizer = optim.build_optimizer(model, config)
        self.step = 0
        self.position = 0  # the next training batch
        # Characters of text trained on (targets that counted; a token run's targets spell
        # several each): runs of every unit compare on the same axis.
        self.chars_seen = 0
        # Seconds spent in training steps: not in validation, probes, pauses or other runs' turns,
        # so runs that share a thread compare fairly by time.
        self.training_seconds = 0.0
        self.random = RandomStream(self.device)  # dropout draws of this run only
        self.carried: State | None = None  # hidden state carried into the next window
        self.history = History()
        self._validation: list[Batch] | None = None  # built on the first evaluate()
        self._grad_norms: tuple[list[str], torch.Tensor] | None = None  # names, (P,) norms

    # ---- the generator -------------------------------------------------------------------

    def run(self, max_steps: int | None = None) -> Generator[Report, None, None]:
        """Yield a StepReport per step, an EvalReport every ``eval_every`` steps.

        On a non-finite loss or gradient it yields a DivergenceReport and stops, leaving the
        weights as they were after the last good step. Stops after ``max_steps`` steps if given.
        """
        taken = 0
        while max_steps is None or taken < max_steps:
            report = self.train_step()
            yield report
            if isinstance(report, DivergenceReport):
                return
            taken += 1
            if self.step % self.config.eval_every == 0:
                yield self.evaluate()

    def train_step(self) -> StepReport | DivergenceReport:
        started = time.perf_counter()
        with self.random:
            report = self._train_step()
        self.training_seconds += time.perf_counter() - started
        if isinstance(report, StepReport):
            report = replace(report, training_seconds=self.training_seconds)
            self.history.add_step(report)
        return report

    def _train_step(self) -> StepReport | DivergenceReport:
        started = time.perf_counter()
        batch = self.data.train_batch(self.position)
        inputs = batch.inputs.to(self.device, non_blocking=True)
        targets = batch.targets.to(self.device, non_blocking=True)
        state = self._state_for(batch.reset_state, inputs.shape[0])

        self.model.train()
        logits, new_state = self.model(inputs, state)  # (B, T, V)
        loss = batch_loss(logits, targets, self.data.loss_kind)
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            return self._diverged(f"the training loss is {loss_value}")

        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        named = [(name, p) for name, p in self.model.named_parameters() if p.grad is not None]
        parameters = [p for _, p in named]
        # One norm per parameter tensor, kept (on the device, no sync) for the views' gradient
        # norms per parameter group; their norm is the global norm.
        norms = torch.stack([torch.linalg.vector_norm(p.grad) for p in parameters])
        self._grad_norms = ([name for name, _ in named], norms)
        norm = torch.linalg.vector_norm(norms)
        grad_norm = norm.item()
        if not math.isfinite(grad_norm):
            return self._diverged(f"the gradient norm is {grad_norm} ({self._first_bad_grad()})")
        clipped = optim.clip_gradients(parameters, norm, self.config.clip, self.config.clip_value)
        self.optimizer.step()

        self.carried = tuple(part.detach() for part in new_state)
        self.position += 1
        self.step += 1
        characters = batch.characters or batch.chars
        self.chars_seen += characters
        elapsed = max(time.perf_counter() - started, 1e-9)
        return StepReport(
            step=self.step,
            loss=loss_value,
            # A token run's: per character of the text its targets spell.
            bits_per_char=(loss_value * batch.chars / batch.characters if batch.characters
                           else loss_value) / LOG2,
            grad_norm=grad_norm,
            clipped=clipped,
            learning_rate=self.config.learning_rate,
            chars_per_second=characters / elapsed,
            chars=characters,
            chars_seen=self.chars_seen,
        )

    def evaluate(self) -> EvalReport:
        """Loss on the fixed validation slice, from a zero state, without dropout."""
        if self._validation is None:
            self._validation = self.data.validation_batches()
        total, count, characters, right, state = 0.0, 0, 0, 0, None
        task = isinstance(self.data, TaskData)
        self.model.eval()
        with torch.inference_mode():
            for batch in self._validation:
                inputs = batch.inputs.to(self.device)
                targets = batch.targets.to(self.device)
                if batch.reset_state or state is None:
                    state = self.model.initial_state(inputs.shape[0], self.device)
                logits, state = self.model(inputs, state)
                total += batch_loss(logits, targets, self.data.loss_kind, "sum").item()
                count += batch.chars
                characters += batch.characters or batch.chars
                if task and self.data.loss_kind == CROSS_ENTROPY:
                    asked = targets != IGNORE_INDEX
                    right += int((logits.argmax(dim=-1)[asked] == targets[asked]).sum())
        self.model.train()
        loss_value = total / max(count, 1)
        report = EvalReport(
            step=self.step,
            loss=loss_value,
            # Per character: a token run's total surprise over the characters its tokens spell.
            bits_per_char=total / max(characters, 1) / LOG2,
            perplexity=math.exp(min(loss_value, 700.0)),
            accuracy=right / max(count, 1) if task and self.data.loss_kind == CROSS_ENTROPY
            else math.nan,
        )
        self.history.add_evaluation(report)
        return report

    # ---- live settings -------------------------------------------------------------------

    def reset_validation(self) -> None:
        """Build the validation batches again on the next validation (the data changed)."""
        self._validation = None

    def set_learning_rate(self, value: float) -> None:
        new_config = replace(self.config, learning_rate=value)  # validates
        for group in self.optimizer.param_groups:
            group["lr"] = value
        self.history.add_event(self.step, "learning_rate", self.config.learning_rate, value)
        self.config = new_config

    def set_clipping(self, mode: str, value: float | None = None) -> None:
        value = self.config.clip_value if value is None else value
        new_config = replace(self.config, clip=mode, clip_value=value)  # validates
        old = f"{self.config.clip} {self.config.clip_value:g}"
        self.history.add_event(self.step, "clipping", old, f"{mode} {value:g}")
        self.config = new_config

    def group_grad_norms(self) -> dict[str, float]:
        """The last step's gradient norm per parameter group, before clipping (see
        ``parameter_group``); empty before the first step."""
        if self._grad_norms is None:
            return {}
        names, norms = self._grad_norms
        squares: dict[str, float] = {}
        for name, value in zip(names, norms.square().tolist()):
            group = parameter_group(name)
            squares[group] = squares.get(group, 0.0) + value
        return {group: math.sqrt(total) for group, total in squares.items()}

    # ---- internals -----------------------------------------------------------------------

    def _state_for(self, reset: bool, batch_size: int) -> State:
        if reset or self.carried is None or self.carried[0].shape[1] != batch_size:
            return self.model.initial_state(batch_size, self.device)
        return self.carried

    def _diverged(self, reason: str) -> DivergenceReport:
        self.optimizer.zero_grad(set_to_none=True)
        report = DivergenceReport(step=self.step + 1, reason=reason)
        self.history.add_event(self.step + 1, "divergence", "", reason)
        return report

    def _first_bad_grad(self) -> str:
        for name, parameter in self.model.named_parameters():
            if parameter.grad is not None and not torch.isfinite(parameter.grad).all():
                return f"first non-finite in {name}"
        return "no single parameter is non-finite: the sum overflowed"


def new_trainer(
    corpus: Corpus | Task,
    model_config: ModelConfig | None = None,
    train_config: TrainConfig | None = None,
    data: TrainingData | None = None,
) -> Trainer:
    """A fresh run on a corpus or a task: threads, device and seed set, data batched (or
    ``data``, shared with runs of the same batching), model built and initialised."""
    train_config = train_config or TrainConfig()
    shape = model_shape_of(corpus)
    model_config = model_config or ModelConfig(**shape)
    mine = {name: getattr(model_config, name) for name in shape}  # the same keys
    if mine != shape:
        if isinstance(corpus, Task):
            raise ConfigError(f"the model's inputs or outputs do not fit the task {corpus.name}")
        raise ConfigError(
            f"the model has {model_config.vocab_size} characters, {corpus.name} has "
            f"{len(corpus.vocabulary)}"
        )
    torch.manual_seed(train_config.seed)  # model initialisation and dropout
    return trainer_for(corpus, CharModel(model_config), train_config, data)


def trainer_for(
    corpus: Corpus | Task,
    model: CharModel,
    config: TrainConfig,
    data: TrainingData | None = None,
) -> Trainer:
    """A trainer for ``model`` on a corpus or task: threads and device set, data batched
    (unless ``data`` is given: the same batches as another run's)."""
    set_threads(config.threads)
    data = data or batching_for(corpus, config)
    return Trainer(model, data, config, choose_device(config.device))


def batching_for(corpus: Corpus | Task, config: TrainConfig) -> TrainingData:
    """The batches of a corpus or task that ``config`` asks for (a task ignores the sequence
    length and validation settings: its sequences are its own)."""
    if isinstance(corpus, Task):
        return TaskData(corpus, config.batch_size, config.seed)
    if isinstance(corpus, TokenCorpus):  # words or BPE pieces: the same text, in tokens
        return TokenStreamData(corpus, config.batch_size, config.seq_len,
                               config.validation_fraction, config.eval_chars)  # fmt: skip
    return make_training_data(
        corpus,
        batch_size=config.batch_size,
        seq_len=config.seq_len,
        validation_fraction=config.validation_fraction,
        eval_chars=config.eval_chars,
        seed=config.seed,
    )
