"""``rnnlab bench``: the engine's speed, measured against bare PyTorch in the same process.

Each comparison alternates its two sides in rounds (A B A B ...) and reports the median of the
per-round ratios, so a machine that speeds up or slows down during the run affects both sides.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from rnnlab.cli import fading, memory_bench, probe_bench, race_bench, window_bench
from rnnlab.cli.probe_bench import SIZES


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "bench",
        help="measure speed, the vanishing gradient (bench fading) or the window",
        description="speed: training, probe and sampling speed against bare PyTorch. fading: "
        "train a vanilla RNN and an LSTM alike and compare how their gradients fade back "
        "through time. window: training speed and responsiveness inside the window. plots: "
        "redraw time of the training plots with a million points. race: four runs taking turns in "
        "one thread against the same runs one after another. runs: memory and responsiveness with "
        "four runs racing in the window. memory: cells raced on a synthetic task at several "
        "distances T: does memory decide the outcome?",
    )
    parser.set_defaults(run=run)
    parser.add_argument(
        "what", nargs="?", default="speed",
        choices=("speed", "fading", "race", "memory", *window_bench.WHAT),
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for every side")
    parser.add_argument("--rounds", type=int, default=5, help="A/B rounds per comparison")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    fading.add_arguments(parser)
    window_bench.add_arguments(parser)
    memory_bench.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if args.what == "fading":
        return fading.run(args)
    if args.what == "memory":
        return memory_bench.run(args)
    if args.what in window_bench.WHAT:
        return window_bench.run(args)
    if args.what == "race":
        results = race_bench.run(args)
        print(json.dumps(results) if args.json else race_bench.describe(results))
        return 0
    import torch

    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.device import choose_device, set_threads

    set_threads(args.threads)
    device = choose_device(args.device)
    corpus = load_corpus("tinyshakespeare")
    results: dict[str, Any] = {
        "device": str(device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "engine_vs_bare": {},
        "engine_chars_per_s": {},
        "bare_chars_per_s": {},
    }
    for cell in ("lstm", "gru", "rnn"):
        engine, bare, ratio = _engine_vs_bare(corpus, cell, device, args.rounds)
        results["engine_vs_bare"][cell] = ratio
        results["engine_chars_per_s"][cell] = engine
        results["bare_chars_per_s"][cell] = bare
        _say(
            args,
            f"training {cell} 2x256 B32xT64: engine {engine:,.0f} chars/s, bare {bare:,.0f}, "
            f"engine/bare {ratio:.3f}",
        )
    probes = probe_bench.probe_measures(corpus, device, args.rounds)
    for key in ("probe_vs_step", "probe_max_relative_error", "probe_seconds", "step_seconds"):
        results[key] = {cell: measured[key] for cell, measured in probes.items()}
    for cell, measured in probes.items():
        _say(
            args,
            f"probe of 256 chars on 2x256 {cell}: {measured['probe_seconds'] * 1000:.1f} ms; one "
            f"B32xT128 step {measured['step_seconds'] * 1000:.0f} ms; probe/step "
            f"{measured['probe_vs_step']:.3f}; against the reference probe: largest relative "
            f"error {measured['probe_max_relative_error']:.1e}",
        )
    results["sample_chars_per_s"], results["sample_vs_naive"] = {}, {}
    for hidden in (256, 512):
        ours, naive = _sampling_speed(corpus, hidden, args.rounds)
        key = f"lstm_2x{hidden}"
        results["sample_chars_per_s"][key] = ours
        results["sample_vs_naive"][key] = ours / naive
        _say(
            args,
            f"sampling {key}: {ours:,.0f} chars/s; naive nn.LSTM(seq_len=1) loop "
            f"{naive:,.0f}; ratio {ours / naive:.2f}",
        )
    while_training = probe_bench.sampling_while_training(corpus, args.rounds)
    results["sampling_while_training_chars_per_s"] = while_training
    _say(args, "sampling a 2x256 LSTM while training: " + ", ".join(
        f"{rate:,.0f} chars/s with {name.replace('_', ' ')}" for name, rate in
        while_training.items()))  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print_table(results)
    return 0


def _say(args: argparse.Namespace, line: str) -> None:
    import sys

    if not args.json:
        print(line, file=sys.stderr, flush=True)


def _alternate(
    side_a: Callable[[], float], side_b: Callable[[], float], rounds: int
) -> tuple[float, float, float]:
    """Run A then B ``rounds`` times; each returns a rate. Median rates and median A/B ratio."""
    rates_a, rates_b, ratios = [], [], []
    for _ in range(rounds):
        rate_a, rate_b = side_a(), side_b()
        rates_a.append(rate_a)
        rates_b.append(rate_b)
        ratios.append(rate_a / rate_b)
    return statistics.median(rates_a), statistics.median(rates_b), statistics.median(ratios)


def _engine_vs_bare(corpus: Any, cell: str, device: Any, rounds: int) -> tuple[float, float, float]:
    import torch
    from torch import nn

    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.core.device import synchronize
    from rnnlab.core.trainer import new_trainer

    batch, seq_len, steps = 32, 64, 12
    train_config = TrainConfig(
        batch_size=batch, seq_len=seq_len, eval_every=10**9, device=str(device.type), threads=None
    )
    model_config = ModelConfig(vocab_size=len(corpus.vocabulary), cell=cell, **SIZES)
    trainer = new_trainer(corpus, model_config, train_config)
    engine_steps = trainer.run()

    # The bare loop, as pytorch/examples word_language_model writes it.
    torch.manual_seed(0)
    vocab = len(corpus.vocabulary)
    module = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
    embedding = nn.Embedding(vocab, SIZES["embedding_size"]).to(device)
    recurrent = module(
        SIZES["embedding_size"], SIZES["hidden_size"], SIZES["layers"], batch_first=True
    ).to(device)
    head = nn.Linear(SIZES["hidden_size"], vocab).to(device)
    parameters = [*embedding.parameters(), *recurrent.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=train_config.learning_rate)
    codes = torch.from_numpy(corpus.codes[: len(corpus.codes) * 9 // 10].astype("int64"))
    per_stream = codes.numel() // batch
    streams = codes[: per_stream * batch].view(batch, per_stream).to(device)
    windows = (per_stream - 1) // seq_len
    bare_state = {"position": 0, "hidden": None}

    def bare_step() -> None:
        start = (bare_state["position"] % windows) * seq_len
        bare_state["position"] += 1
        inputs = streams[:, start : start + seq_len]
        targets = streams[:, start + 1 : start + 1 + seq_len]
        hidden = bare_state["hidden"]
        if hidden is not None:
            hidden = tuple(h.detach() for h in hidden) if cell == "lstm" else hidden.detach()
        outputs, hidden = recurrent(embedding(inputs), hidden)
        loss = nn.functional.cross_entropy(head(outputs).flatten(0, 1), targets.flatten())
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(parameters, train_config.clip_value)
        optimizer.step()
        bare_state["hidden"] = hidden
        loss.item()  # every real loop reads its loss

    def timed(step: Callable[[], Any]) -> Callable[[], float]:
        def measure() -> float:
            synchronize(device)
            started = time.perf_counter()
            for _ in range(steps):
                step()
            synchronize(device)
            return steps * batch * seq_len / (time.perf_counter() - started)

        return measure

    engine = timed(lambda: next(engine_steps))
    bare = timed(bare_step)
    engine(), bare()  # warm-up: allocator, oneDNN primitives
    return _alternate(engine, bare, rounds)


def _sampling_speed(corpus: Any, hidden: int, rounds: int) -> tuple[float, float]:
    import torch

    from rnnlab.core.config import ModelConfig
    from rnnlab.core.models import CharModel
    from rnnlab.core.sampling import Sampler, SampleSettings

    torch.manual_seed(0)
    config = ModelConfig(
        vocab_size=len(corpus.vocabulary),
        cell="lstm",
        hidden_size=hidden,
        layers=2,
        embedding_size=64,
    )
    model = CharModel(config).eval()
    sampler = Sampler.from_model(model, corpus.vocabulary)
    length = 2000 if hidden <= 256 else 1000  # long enough that the prime costs under 1%

    def ours() -> float:
        started = time.perf_counter()
        sampler.sample("ROMEO:", length, SampleSettings(seed=1))
        return length / (time.perf_counter() - started)

    def naive() -> float:
        # The obvious loop: the fused module called with seq_len=1, torch.multinomial. It is
        # about 8x slower, so it samples a tenth as many characters.
        generator = torch.Generator().manual_seed(1)
        codes = torch.from_numpy(corpus.vocabulary.encode("ROMEO:").astype("int64")).unsqueeze(0)
        started = time.perf_counter()
        with torch.inference_mode():
            logits, state = model(codes)
            for _ in range(length // 10):
                code = torch.multinomial(logits[0, -1].softmax(-1), 1, generator=generator)
                logits, state = model(code.view(1, 1), state)
        return (length // 10) / (time.perf_counter() - started)

    ours(), naive()
    rate_ours, rate_naive, _ = _alternate(ours, naive, rounds)
    return rate_ours, rate_naive


def _print_table(results: dict[str, Any]) -> None:
    print(f"device {results['device']}, {results['threads']} thread(s), torch {results['torch']}")
    print(f"{'measure':<34}{'value':>12}{'goal':>10}")
    for cell, ratio in results["engine_vs_bare"].items():
        print(f"{'engine_vs_bare ' + cell:<34}{ratio:>12.3f}{'>= 0.95':>10}")
    for cell, ratio in results["probe_vs_step"].items():
        goal = "<= 0.12" if cell == "lstm" else ""
        print(f"{'probe_vs_step ' + cell:<34}{ratio:>12.3f}{goal:>10}")
    for cell, error in results["probe_max_relative_error"].items():
        print(f"{'probe_max_relative_error ' + cell:<34}{error:>12.1e}{'<= 1e-3':>10}")
    for name, rate in results["sampling_while_training_chars_per_s"].items():
        print(f"{'sampling_while_training ' + name:<34}{rate:>12,.0f}{'':>10}")
    goals = {"lstm_2x256": ">= 4000", "lstm_2x512": ">= 1500"}
    for key, rate in results["sample_chars_per_s"].items():
        print(f"{'sample_chars_per_s ' + key:<34}{rate:>12,.0f}{goals[key]:>10}")
        print(f"{'sample_vs_naive ' + key:<34}{results['sample_vs_naive'][key]:>12.2f}{'':>10}")
