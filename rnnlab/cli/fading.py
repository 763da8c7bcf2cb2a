"""``rnnlab bench fading``: the vanishing-gradient demonstration, measured.

Trains a vanilla tanh RNN and an LSTM of the same size on the same corpus, with the same seed,
clipping and number of steps, then probes both on the same held-out excerpts and prints
‖∂L/∂h_(T-50)‖ / ‖∂L/∂h_T‖: how much of the last prediction's gradient is left 50 characters
back. The RNN's should be smaller by orders of magnitude: that is why it forgets.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from typing import Any

CELLS = ("rnn", "lstm")
EXCERPTS = 8  # probe texts, spread over the validation text
PROBE_CHARS = 201  # 200 positions: distance 50 is well inside


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=int, default=300, help="fading: training steps per cell")
    parser.add_argument("--hidden-size", type=int, default=128, help="fading: units per layer")
    parser.add_argument("--layers", type=int, default=2, help="fading: layers")
    parser.add_argument("--distance", type=int, default=50, help="fading: characters back")
    parser.add_argument("--corpus", default="tinyshakespeare", help="fading: corpus")


def run(args: argparse.Namespace) -> int:
    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.trainer import new_trainer

    corpus = load_corpus(args.corpus)
    train_config = TrainConfig(
        batch_size=32, seq_len=64, clip="norm", clip_value=5.0, seed=0, eval_every=10**9,
        device=args.device, threads=args.threads,
    )  # fmt: skip
    texts = _excerpts(corpus.text, fraction=train_config.validation_fraction)
    results: dict[str, Any] = {"steps": args.steps, "distance": args.distance, "cells": {}}
    for cell in CELLS:
        model_config = ModelConfig(
            vocab_size=len(corpus.vocabulary), cell=cell, hidden_size=args.hidden_size,
            layers=args.layers, embedding_size=64,
        )  # fmt: skip
        trainer = new_trainer(corpus, model_config, train_config)
        before = _fades(trainer.model, corpus.vocabulary, texts, args.distance)
        started = time.perf_counter()
        loss = math.nan
        for report in trainer.run(max_steps=args.steps):
            loss = getattr(report, "loss", loss)
        seconds = time.perf_counter() - started
        after = _fades(trainer.model, corpus.vocabulary, texts, args.distance)
        results["cells"][cell] = {
            "loss": loss, "seconds": seconds, "fade_before": before, "fade_after": after,
        }  # fmt: skip
        _say(args, f"{cell}: {args.steps} steps in {seconds:.0f} s, last loss {loss:.3f}")
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print(results, args)
    return 0


def _excerpts(text: str, fraction: float) -> list[str]:
    """EXCERPTS texts of PROBE_CHARS characters spread over the held-out end of ``text``."""
    start = len(text) - int(len(text) * fraction)
    stride = max((len(text) - start - PROBE_CHARS) // EXCERPTS, 1)
    return [text[start + i * stride : start + i * stride + PROBE_CHARS] for i in range(EXCERPTS)]


def _fades(model: Any, vocabulary: Any, texts: list[str], distance: int) -> list:
    """Per layer: the median over ``texts`` of ‖∂L/∂h_(T-distance)‖ / ‖∂L/∂h_T‖."""
    from rnnlab.core.probe import probe

    results = [probe(model, vocabulary, text) for text in texts]
    layers = len(results[0].layers)
    return [
        statistics.median(result.gradient_fade(distance, layer) for result in results)
        for layer in range(layers)
    ]


def _say(args: argparse.Namespace, line: str) -> None:
    if not args.json:
        print(line, file=sys.stderr, flush=True)


def _print(results: dict[str, Any], args: argparse.Namespace) -> None:
    distance = results["distance"]
    print(
        f"‖∂L/∂h_(T-{distance})‖ / ‖∂L/∂h_T‖, median over {EXCERPTS} held-out excerpts of "
        f"{PROBE_CHARS} characters; {args.layers} x {args.hidden_size}, seed 0, clip norm 5, "
        f"{results['steps']} steps of 32 x 64"
    )
    print(f"{'cell':<6}{'layer':>6}{'untrained':>14}{'trained':>14}")
    for cell, values in results["cells"].items():
        for layer, (before, after) in enumerate(zip(values["fade_before"], values["fade_after"])):
            print(f"{cell:<6}{layer + 1:>6}{before:>14.3e}{after:>14.3e}")
    rnn, lstm = (results["cells"][cell]["fade_after"][-1] for cell in CELLS)
    if rnn > 0:
        print(f"top layer, trained: the LSTM keeps {lstm / rnn:,.3g} times the RNN's gradient")
    else:  # below float32's smallest number: the gradient has vanished completely
        print(f"top layer, trained: the RNN's gradient underflowed to 0; the LSTM keeps {lstm:.3g}")
