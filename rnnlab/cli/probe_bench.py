"""``rnnlab bench`` (speed), the parts about probes and NumPy:

- ``probe_vs_step``: one probe of 256 characters against one B32 x T128 training step of the
  same 2 x 256 model, for every cell, timed alternately in one run (a ratio, so the machine's
  speed cancels out);
- ``probe_max_relative_error``: the fast probe against the reference probe on that model
  (``rnnlab.core.probe_agreement``);
- ``sampling_while_training``: characters a second sampled from a 2 x 256 LSTM with the NumPy
  stepper while another thread trains one, with NumPy's BLAS held to one thread (as the window
  holds it) and with its default of a thread per core.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from typing import Any

CELLS = ("lstm", "gru", "rnn", "sru")
SIZES = {"hidden_size": 256, "layers": 2, "embedding_size": 64}
PROBE_CHARS = 256


def probe_measures(corpus: Any, device: Any, rounds: int) -> dict[str, dict[str, float]]:
    """Per cell: probe and step seconds (medians), their ratio, the largest relative error."""
    measures: dict[str, dict[str, float]] = {}
    for cell in CELLS:
        measures[cell] = _probe_vs_step(corpus, device, cell, max(rounds, 5))
    return measures


def _probe_vs_step(corpus: Any, device: Any, cell: str, rounds: int) -> dict[str, float]:
    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.core.device import synchronize
    from rnnlab.core.probe import probe
    from rnnlab.core.probe_agreement import max_relative_error
    from rnnlab.core.trainer import new_trainer

    train_config = TrainConfig(
        batch_size=32, seq_len=128, eval_every=10**9, device=str(device.type), threads=None
    )
    model_config = ModelConfig(vocab_size=len(corpus.vocabulary), cell=cell, **SIZES)
    trainer = new_trainer(corpus, model_config, train_config)
    steps = trainer.run()
    text = corpus.text[-PROBE_CHARS:]

    def probe_seconds() -> float:
        synchronize(device)
        started = time.perf_counter()
        probe(trainer.model, corpus.vocabulary, text)  # copied to the CPU: synchronised
        return time.perf_counter() - started

    def step_seconds() -> float:
        synchronize(device)
        started = time.perf_counter()
        next(steps)
        synchronize(device)
        return time.perf_counter() - started

    probe_seconds(), step_seconds()  # warm-up: allocator, oneDNN primitives
    probes, train_steps, ratios = [], [], []
    for _ in range(rounds):
        probes.append(probe_seconds())
        train_steps.append(step_seconds())
        ratios.append(probes[-1] / train_steps[-1])
    fast = probe(trainer.model, corpus.vocabulary, text)
    reference = probe(trainer.model, corpus.vocabulary, text, reference=True)
    return {
        "probe_seconds": statistics.median(probes),
        "step_seconds": statistics.median(train_steps),
        "probe_vs_step": statistics.median(ratios),
        "probe_max_relative_error": max_relative_error(fast, reference),
    }


def sampling_while_training(corpus: Any, rounds: int, seconds: float = 2.0) -> dict[str, float]:
    """Sampling speed (chars/s, median of ``rounds``) beside a training thread, NumPy's BLAS
    held to one thread and left at its default, alternately."""
    import torch

    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.core.models import CharModel
    from rnnlab.core.numpy_threads import numpy_threads
    from rnnlab.core.sampling import Sampler, SampleSettings
    from rnnlab.core.trainer import new_trainer

    config = ModelConfig(vocab_size=len(corpus.vocabulary), cell="lstm", **SIZES)
    trainer = new_trainer(corpus, config, TrainConfig(eval_every=10**9, device="cpu", threads=1))
    torch.manual_seed(0)
    sampler = Sampler.from_model(CharModel(config).eval(), corpus.vocabulary)
    stop = threading.Event()

    def train() -> None:  # the window's training thread
        steps = trainer.run()
        while not stop.is_set():
            next(steps)

    def rate(threads: int) -> float:
        with numpy_threads(threads):
            sampled, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds:
                sampled += len(sampler.sample("ROMEO:", 200, SampleSettings(seed=sampled)))
            return sampled / (time.perf_counter() - started)

    cores = os.cpu_count() or 1
    training = threading.Thread(target=train, daemon=True)
    training.start()
    try:
        rate(1)  # warm-up, and the training thread under way
        held, default = [], []
        for _ in range(rounds):
            held.append(rate(1))
            default.append(rate(cores))
    finally:
        stop.set()
        training.join()
    return {
        "one_blas_thread": statistics.median(held),
        f"{cores}_blas_threads": statistics.median(default),
    }
