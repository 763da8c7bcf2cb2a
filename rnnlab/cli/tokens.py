"""``rnnlab tokens``: what a token unit (characters, words, BPE-K) makes of a corpus.

Vocabulary size, tokens, characters per token, the unknown share of the validation text (words),
how many tokens back a dependency 25 characters back lies, how long learning took and, for BPE,
the first merges, learned from the training split only, as a run would learn them.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

MERGES_SHOWN = 20
LENGTHS_SHOWN = 10
EXAMPLE_CHARS = 80


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "tokens",
        help="what characters, words or BPE pieces make of a corpus",
        description="Learn a token unit on a corpus's training split (as a run would) and report "
        "its vocabulary size, tokens, characters per token, the unknown share of the validation "
        "text (words) and, for BPE, the first merges.",
    )
    parser.set_defaults(run=run)
    parser.add_argument("--corpus", required=True, help="a bundled name or a text file")
    parser.add_argument("--encoding", help="the file's text encoding, if not UTF-8/UTF-16")
    parser.add_argument(
        "--tokens", default="char", metavar="UNIT",
        help="char (default), word (the 5,000 most frequent words and an unknown token) or "
        "bpe:K (K merges, 50-5000)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from rnnlab.core.config import TrainConfig
    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.token_facts import DEPENDENCY_CHARACTERS, split_corpus, token_facts
    from rnnlab.core.tokens import WORD_CAP, TokenUnit

    unit = TokenUnit.parse(args.tokens)  # a mistake is named before the corpus loads
    corpus = load_corpus(args.corpus, encoding=args.encoding)
    fraction = TrainConfig().validation_fraction
    tokenizer, facts = token_facts(corpus, unit, fraction)
    if args.json:
        print(json.dumps(facts.as_json()))
        return 0
    validation = split_corpus(corpus, fraction)[1]
    learned = f", learned from the training split ({1 - fraction:.0%})"
    learned = "" if unit.kind == "char" else learned
    print(f"{corpus.name} in {unit.label}{learned} in {facts.seconds:.1f} s")
    if unit.kind == "word":
        made_of = f"the {WORD_CAP:,} most frequent words of the training split, and an unknown one"
    elif unit.kind == "bpe":
        made_of = f"{len(corpus.vocabulary)} characters and {len(facts.merges):,} merges"
    else:
        made_of = "the corpus's characters"
    print(f"  vocabulary: {facts.vocabulary_size:,} tokens ({made_of})")
    print(f"  {facts.characters:,} characters in {facts.tokens:,} tokens: "
          f"{facts.characters_per_token:.2f} characters a token")  # fmt: skip
    if unit.kind == "word":
        print(f"  unknown: {facts.unknown_share:.1%} of the validation text's tokens")
    print(f"  a dependency {DEPENDENCY_CHARACTERS} characters back lies "
          f"{facts.memory_distance:.1f} tokens back")  # fmt: skip
    counts = facts.length_counts
    lengths = range(1, min(len(counts), LENGTHS_SHOWN + 1))
    shown = ", ".join(f"{length}: {int(counts[length]):,}" for length in lengths)
    longer = int(counts[LENGTHS_SHOWN + 1 :].sum())
    shown += f", longer: {longer:,}" if longer else ""
    print(f"  tokens by length in characters: {shown}")
    if facts.merges:
        merges = "  ".join(f"{left!r}+{right!r}" for left, right in facts.merges[:MERGES_SHOWN])
        print(f"  first merges: {merges}")
    print(f"  the validation text's start in tokens: {_cut(tokenizer, validation)}")
    return 0


def _cut(tokenizer: Any, text: str) -> str:
    """About the first EXAMPLE_CHARS characters of ``text`` (whole words) with "|" between
    tokens, spaces shown as "␣", line ends as "⏎" and unknown words marked."""
    from rnnlab.core.tokens import UNKNOWN

    start = text[:EXAMPLE_CHARS]
    start = start[: start.rfind(" ")] if " " in start else start  # whole words
    shown = []
    for piece in tokenizer.pieces(start):
        visible = piece.replace(" ", "␣").replace("\n", "⏎")
        known = tokenizer.unknown_code is None or piece in tokenizer
        shown.append(visible if known else f"{UNKNOWN}({visible})")
    return "|".join(shown)
