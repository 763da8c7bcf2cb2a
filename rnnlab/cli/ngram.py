"""``rnnlab ngram``: how good character n-gram (Markov) models are on a corpus's validation split.

The baseline a recurrent network has to beat: the table gives each order's validation loss, on
the same split the networks are trained and validated on.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time

DEFAULT_ORDERS = "1-8"
MAX_ORDER = 16  # the tables grow with the order; beyond this they would only cost memory
SAMPLE_PRIME_CHARS = 200  # the sample continues from the start of the validation text


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "ngram",
        help="n-gram baselines: validation loss of Markov models by order",
        description="Count the training split's character n-grams and report each order's "
        "validation loss (nats and bits per character), as a baseline for the networks.",
    )
    parser.set_defaults(run=run)
    parser.add_argument("--corpus", required=True, help="a bundled name or a text file")
    parser.add_argument("--encoding", help="the file's text encoding, if not UTF-8/UTF-16")
    orders = parser.add_mutually_exclusive_group()
    orders.add_argument("--orders", metavar="A-B", help=f"the orders (default {DEFAULT_ORDERS})")
    orders.add_argument("--order", type=int, metavar="K", help="one order")
    parser.add_argument(
        "--smoothing", choices=("kneser-ney", "add-k"), default="kneser-ney",
        help="interpolated Kneser-Ney (default), or add-k (k = 0.03) for comparison",
    )  # fmt: skip
    parser.add_argument("--sample", type=int, metavar="N", help="print N characters sampled "
                        "from the highest order")  # fmt: skip
    parser.add_argument("--seed", type=int, help="for a repeatable sample")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def parse_orders(args: argparse.Namespace) -> range:
    from rnnlab.cli import UserError

    if args.order is not None:
        first = last = args.order
    else:
        match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", args.orders or DEFAULT_ORDERS)
        if match is None:
            raise UserError(f"--orders takes A-B, such as 1-8, not {args.orders!r}")
        first, last = int(match[1]), int(match[2])
    if not 1 <= first <= last <= MAX_ORDER:
        raise UserError(f"orders must satisfy 1 <= A <= B <= {MAX_ORDER}, got {first}-{last}")
    return range(first, last + 1)


def run(args: argparse.Namespace) -> int:
    from rnnlab.cli import UserError
    from rnnlab.core.config import TrainConfig
    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.ngram import NgramCounts, NgramModel, bits, split_for_ngrams, validation_losses

    orders = parse_orders(args)
    if args.sample is not None and args.sample < 1:
        raise UserError("--sample must be at least 1")
    corpus = load_corpus(args.corpus, encoding=args.encoding)
    train, codes, start = split_for_ngrams(corpus, TrainConfig().validation_fraction)
    started = time.perf_counter()
    counts = NgramCounts(train, len(corpus.vocabulary), max(orders))
    counted = time.perf_counter()
    losses = validation_losses(counts, codes, start, orders, args.smoothing)
    seconds = time.perf_counter() - started
    rows = [
        {"order": order, "val_loss": loss, "val_bits_per_char": bits(loss)}
        for order, loss in zip(orders, losses)
    ]
    result: dict = {"smoothing": args.smoothing, "orders": rows, "seconds": seconds}
    if args.sample is not None:
        model = NgramModel(counts, max(orders), args.smoothing)
        history = codes[start : start + SAMPLE_PRIME_CHARS][: max(orders) - 1]
        drawn = model.sample(args.sample, history, seed=args.seed)
        result["sample"] = corpus.vocabulary.decode(drawn)
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"{corpus.name}: {len(train):,} training and {len(codes) - start:,} validation "
        f"characters, {args.smoothing}; counted in {counted - started:.1f} s "
        f"({counts.memory_bytes() / 1e6:.0f} MB of tables), {seconds:.1f} s in all",
        file=sys.stderr,
    )
    print(f"{'order':>5}  {'nats/char':>9}  {'bits/char':>9}")
    for row in rows:
        print(f"{row['order']:>5}  {row['val_loss']:>9.3f}  {row['val_bits_per_char']:>9.3f}")
    if args.sample is not None:
        print(f"\n--- {args.sample} characters from the {max(orders)}-gram ---\n{result['sample']}")
    return 0
