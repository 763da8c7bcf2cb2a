"""``rnnlab bench race``: what taking turns costs, measured against the same runs one after another.

Four 2 x 256 runs (RNN, LSTM, GRU, SRU with equal parameters) train in a race for ``--seconds``
each; then the same four train one after another for exactly the steps each took in the race.
The rounds alternate (race, sequential, race, ...) so a machine that speeds up or slows down
affects both sides; the ratio is the median of the rounds' sequential time over race time for the
same steps (1.0: turns cost nothing). The spread is how far the runs' training seconds in the
race differ: (longest - shortest) / shortest.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

RACE_CELLS = ("rnn", "lstm", "gru", "sru")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from rnnlab.core.config import ModelConfig, TrainConfig
    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.device import set_threads
    from rnnlab.core.race import new_race, race_models

    set_threads(args.threads)
    corpus = load_corpus("tinyshakespeare")
    base = ModelConfig(vocab_size=len(corpus.vocabulary), hidden_size=256, layers=2)
    # No validation inside the timed part: it is not training. The race validates each run once
    # at the end of its budget (the sequential side does not), so the held-out slice is one
    # batch: 4 validations of 65,536 characters cost about a tenth of a 40 s round.
    config = TrainConfig(eval_every=10**9, eval_chars=2_048, device=args.device,
                         threads=args.threads)  # fmt: skip
    models = race_models(RACE_CELLS, base)
    share = (args.seconds or 30.0) / max(args.rounds, 1) / len(RACE_CELLS)
    race = new_race(corpus, models, config)
    ratios, spreads = [], []
    for _ in range(args.rounds):
        for lane in race.lanes:
            lane.steps, lane.seconds, lane.stopped = 0, 0.0, False
        race.seconds = share
        started = time.perf_counter()
        for _lane in race.run():
            pass
        race_wall = time.perf_counter() - started
        steps = [lane.steps for lane in race.lanes]
        seconds = [lane.seconds for lane in race.lanes]
        spreads.append((max(seconds) - min(seconds)) / min(seconds))
        started = time.perf_counter()
        for lane, count in zip(race.lanes, steps):
            for _ in range(count):  # the same runs, the next steps, one run after another
                lane.trainer.train_step()
        sequential_wall = time.perf_counter() - started
        ratios.append(sequential_wall / race_wall)
    results = {
        "cells": list(RACE_CELLS),
        "hidden_sizes": [model.hidden_size for model in models],
        "parameters": [lane.trainer.model.parameter_count() for lane in race.lanes],
        "seconds_per_run_per_round": share,
        "rounds": args.rounds,
        "race_vs_sequential": statistics.median(ratios),
        "ratios": ratios,
        "training_seconds_spread": statistics.median(spreads),
        "steps_last_round": steps,
    }
    return results


def describe(results: dict[str, Any]) -> str:
    sizes = ", ".join(
        f"{cell} {hidden} ({parameters:,})"
        for cell, hidden, parameters in zip(
            results["cells"], results["hidden_sizes"], results["parameters"]
        )
    )
    return (
        f"race of 2-layer {sizes}: throughput in turns / one after another "
        f"{results['race_vs_sequential']:.3f} (median of {results['rounds']} rounds: "
        + ", ".join(f"{ratio:.3f}" for ratio in results["ratios"])
        + f"); spread of training seconds {100 * results['training_seconds_spread']:.1f}%; "
        f"steps in the last round {results['steps_last_round']}"
    )
