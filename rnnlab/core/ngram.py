"""Character n-gram models: the Markov baselines a recurrent network has to beat.

``NgramCounts`` counts every k-gram of a training text for k = 1..K once; a model of any order up
to K then reads those counts:

- interpolated Kneser–Ney (Chen and Goodman 1998): the highest order uses raw counts, every lower
  order *continuation* counts (in how many different contexts a string was seen), each order
  subtracts one discount D = n1 / (n1 + 2 n2) from every count and hands that mass down, and the
  lowest order hands it to the uniform distribution 1/V;
- add-k: (c(hw) + k) / (c(h) + k V) at one order, no backing off: the naive version, which
  collapses as the order grows and contexts become rare.

k-grams get dense ids order by order: the id of a k-gram is the position of (id of its first k-1
characters) * V + (its last character) among the sorted keys of that order, so keys stay below
V times the number of distinct (k-1)-grams and never overflow, whatever K and V. NumPy does all
the counting (sorting, bincount): it releases the GIL, so a training thread keeps running.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnlab.core.corpus import Corpus, split_lines, split_sizes
from rnnlab.core.errors import ConfigError

SMOOTHINGS = ("kneser-ney", "add-k")
DEFAULT_ADD_K = 0.03  # tuned on tinyshakespeare's validation split: the best add-k there


@dataclass(frozen=True)
class OrderTable:
    """One order of a model, ready to score: its counts, discount and per-context sums."""

    counts: np.ndarray  # (G,) per k-gram: raw counts at a model's highest order, else continuation
    discount: float  # D = n1 / (n1 + 2 n2) of those counts
    totals: np.ndarray  # per context id: the sum of its k-grams' counts
    types: np.ndarray  # per context id: how many of its k-grams have a count


def _find(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The position of each wanted key among the sorted ``keys``, or -1 (a negative key: -1)."""
    found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[found] == wanted, found, -1)


@dataclass(frozen=True)
class _Order:
    """The k-grams of one order, k >= 1, as sorted keys and their counts."""

    keys: np.ndarray  # (G,) int64, sorted: context id * V + last character
    raw: np.ndarray  # (G,) int64: how often each k-gram occurs
    continuation: np.ndarray  # (G,) int64: how many distinct characters precede it


class NgramCounts:
    """Every k-gram of ``codes`` for k = 1..``max_order``, counted once."""

    def __init__(self, codes: np.ndarray, vocab_size: int, max_order: int) -> None:
        if max_order < 1:
            raise ConfigError(f"the n-gram order must be at least 1, got {max_order}")
        codes = np.asarray(codes, dtype=np.int64)
        if len(codes) < max_order:
            raise ConfigError(
                f"{len(codes)} training characters are too few for order {max_order}"
            )
        self.vocab_size = int(vocab_size)
        self.max_order = int(max_order)
        self.train_chars = len(codes)
        # ids[k-1][t]: the id of the k-gram starting at t, for t < len(codes) - k + 1.
        ids: list[np.ndarray] = []
        orders: list[tuple[np.ndarray, np.ndarray]] = []  # (keys, raw) per order
        previous = np.zeros(len(codes), dtype=np.int64)  # the empty context's id
        for k in range(1, max_order + 1):
            starts = len(codes) - k + 1
            keys = previous[:starts] * self.vocab_size + codes[k - 1 :]
            unique, inverse = np.unique(keys, return_inverse=True)
            ids.append(inverse.astype(np.int64))
            orders.append((unique, np.bincount(inverse, minlength=len(unique))))
            previous = ids[-1]
        # Continuation count of a k-gram: the number of distinct (k+1)-grams it ends. The
        # highest order has none from this text; its raw counts are what its model uses.
        self._orders: list[_Order] = []
        for k, (keys, raw) in enumerate(orders, start=1):
            if k < max_order:
                _, first = np.unique(ids[k], return_index=True)  # one start per (k+1)-gram
                suffix = ids[k - 1][first + 1]  # the k-gram each of them ends with
                continuation = np.bincount(suffix, minlength=len(keys))
            else:
                continuation = raw
            self._orders.append(_Order(keys, raw, continuation))
        self._tables: dict[tuple[int, bool], OrderTable] = {}  # every model of these counts

    def distinct(self, order: int) -> int:
        return len(self._orders[order - 1].keys)

    def memory_bytes(self) -> int:
        return sum(o.keys.nbytes + o.raw.nbytes + o.continuation.nbytes for o in self._orders)

    def ending_ids(self, codes: np.ndarray, order: int) -> np.ndarray:
        """(order, T) ids of the k-gram ending at each position of ``codes``, k = 1..order;
        -1 where it never occurs in the training text (or begins before ``codes``)."""
        codes = np.asarray(codes, dtype=np.int64)
        ending = np.full((order, len(codes)), -1, dtype=np.int64)
        context = np.zeros(len(codes), dtype=np.int64)  # the empty context before every position
        for k in range(1, order + 1):
            keys = self._orders[k - 1].keys
            wanted = np.where(context >= 0, context * self.vocab_size + codes, -1)
            ending[k - 1] = _find(keys, wanted)
            context = np.full(len(codes), -1, dtype=np.int64)
            context[1:] = ending[k - 1][:-1]  # the k-gram ending just before: next order's context
        return ending

    def lookup(self, order: int, context: int, last: np.ndarray) -> np.ndarray:
        """Ids of the k-grams (context's characters, then each of ``last``); -1 where unseen."""
        keys = self._orders[order - 1].keys
        if context < 0:
            return np.full(len(last), -1, dtype=np.int64)
        return _find(keys, context * self.vocab_size + np.asarray(last, dtype=np.int64))

    def table(self, order: int, highest: bool) -> OrderTable:
        """Order ``order`` of a model whose highest order ``highest`` says: raw counts there,
        continuation counts below. Made once and shared by every model of these counts."""
        cached = self._tables.get((order, highest))
        if cached is not None:
            return cached
        grams = self._orders[order - 1]
        counts = grams.raw if highest else grams.continuation
        n1, n2 = np.count_nonzero(counts == 1), np.count_nonzero(counts == 2)
        discount = n1 / (n1 + 2 * n2) if n1 + n2 > 0 else 0.5
        context = grams.keys // self.vocab_size  # the (k-1)-gram id before the last character
        contexts = 1 if order == 1 else self.distinct(order - 1)
        table = OrderTable(
            counts, float(discount),
            np.bincount(context, weights=counts, minlength=contexts),
            np.bincount(context, weights=counts > 0, minlength=contexts),
        )  # fmt: skip
        self._tables[order, highest] = table
        return table


class NgramModel:
    """P(next character | the previous order - 1 characters) from shared ``NgramCounts``."""

    def __init__(
        self, counts: NgramCounts, order: int, smoothing: str = "kneser-ney",
        add_k: float = DEFAULT_ADD_K,
    ) -> None:  # fmt: skip
        if not 1 <= order <= counts.max_order:
            raise ConfigError(f"order {order} is outside 1..{counts.max_order} (the counts')")
        if smoothing not in SMOOTHINGS:
            raise ConfigError(f"unknown smoothing {smoothing!r}: use {' or '.join(SMOOTHINGS)}")
        if smoothing == "add-k" and not add_k > 0:
            raise ConfigError(f"add-k needs k > 0, got {add_k}")
        self.counts, self.order, self.smoothing, self.add_k = counts, order, smoothing, add_k
        self._tables = [
            counts.table(k, highest=k == order or smoothing == "add-k")
            for k in range(1, order + 1)
        ]

    @property
    def name(self) -> str:
        kind = "Kneser–Ney" if self.smoothing == "kneser-ney" else f"add-{self.add_k:g}"
        return f"{self.order}-gram ({kind})"

    def probabilities(
        self, codes: np.ndarray, start: int = 0, ending: np.ndarray | None = None
    ) -> np.ndarray:
        """P(codes[t] | codes[t - order + 1 : t]) for t = start..len(codes)-1: (T - start,).

        The characters before ``start`` are context only (a validation text continuing from
        the end of the training text); near the beginning the context is shorter. ``ending``:
        ``counts.ending_ids(codes, K)`` for some K >= order, when several orders share it.
        """
        codes = np.asarray(codes, dtype=np.int64)
        if ending is None:
            ending = self.counts.ending_ids(codes, self.order)
        positions = np.arange(start, len(codes))
        before = positions - 1
        contexts = [np.zeros(len(positions), dtype=np.int64)]  # order 1: the empty context
        for k in range(2, self.order + 1):
            contexts.append(np.where(before >= 0, ending[k - 2][np.maximum(before, 0)], -1))
        grams = [ending[k - 1][positions] for k in range(1, self.order + 1)]
        return self._combine(contexts, grams)

    def distribution(self, history: np.ndarray) -> np.ndarray:
        """(V,) P(w | the last order - 1 codes of ``history``) for every character w."""
        vocab = self.counts.vocab_size
        history = np.asarray(history, dtype=np.int64)
        candidates = np.arange(vocab, dtype=np.int64)
        ending = self.counts.ending_ids(history, self.order - 1) if len(history) else None
        contexts, grams = [], []
        for k in range(1, self.order + 1):
            # Order k's context: the (k-1)-gram ending the history (none before any history).
            context = 0 if k == 1 else int(ending[k - 2][-1]) if ending is not None else -1
            contexts.append(np.full(vocab, context, dtype=np.int64))
            grams.append(self.counts.lookup(k, context, candidates))
        return self._combine(contexts, grams)

    def _combine(self, contexts: list[np.ndarray], grams: list[np.ndarray]) -> np.ndarray:
        """The smoothed probability from, per order k, the context id and the k-gram id (-1:
        never seen in training)."""
        vocab = self.counts.vocab_size
        probability = np.full(len(contexts[0]), 1.0 / vocab)
        first = self.order if self.smoothing == "add-k" else 1  # add-k: one order, no backing off
        for k in range(first, self.order + 1):
            table = self._tables[k - 1]
            context, gram = contexts[k - 1], grams[k - 1]
            seen = context >= 0
            safe = np.where(seen, context, 0)
            total = np.where(seen, table.totals[safe], 0.0)
            count = np.where(gram >= 0, table.counts[np.maximum(gram, 0)], 0).astype(np.float64)
            discount = table.discount
            with np.errstate(invalid="ignore", divide="ignore"):
                if self.smoothing == "add-k":
                    smoothed = (count + self.add_k) / (total + self.add_k * vocab)
                else:  # keep what is left after the discount, hand the rest down
                    kept = np.maximum(count - discount, 0.0) / total
                    smoothed = kept + discount * table.types[safe] / total * probability
            # A context never seen in training: the order below decides alone.
            probability = np.where(total > 0, smoothed, probability)
        return probability

    def loss(self, codes: np.ndarray, start: int = 0, ending: np.ndarray | None = None) -> float:
        """Mean -ln P over codes[start:], each with the characters before it as context."""
        return float(-np.mean(np.log(self.probabilities(codes, start, ending))))

    def sample(
        self, length: int, history: np.ndarray | None = None, seed: int | None = None
    ) -> np.ndarray:
        """``length`` codes drawn one at a time, each given those before it (and ``history``)."""
        generator = np.random.default_rng(seed)
        codes = [int(code) for code in (history if history is not None else [])]
        drawn = []
        for _ in range(length):
            recent = codes[max(len(codes) - self.order + 1, 0) :] if self.order > 1 else []
            distribution = self.distribution(np.array(recent, dtype=np.int64))
            code = int(generator.choice(len(distribution), p=distribution / distribution.sum()))
            codes.append(code)
            drawn.append(code)
        return np.array(drawn, dtype=np.int64)


def bits(nats: float) -> float:
    return nats / math.log(2.0)


def split_for_ngrams(corpus: Corpus, fraction: float) -> tuple[np.ndarray, np.ndarray, int]:
    """(training codes, training then validation codes, where validation starts).

    The split the networks train on: the last ``fraction`` of a text; in line mode the same
    validation lines, each ended by a newline. The validation text continues from the end of
    the training text, so its first characters have a context too.
    """
    if not corpus.line_mode:
        codes = np.asarray(corpus.codes, dtype=np.int64)
        start = len(codes) - int(len(codes) * fraction)
        return codes[:start], codes, start
    train_lines, validation_lines = split_lines(corpus, fraction)
    train = corpus.vocabulary.encode("\n".join(train_lines) + "\n").astype(np.int64)
    validation = corpus.vocabulary.encode("\n".join(validation_lines) + "\n").astype(np.int64)
    return train, np.concatenate([train, validation]), len(train)


def ngram_training_codes(corpus: Corpus, fraction: float, limit: int) -> tuple[np.ndarray, int]:
    """(the first ``limit`` training codes of ``split_for_ngrams`` as int64, how many training
    codes there are), converting no more of a long text than that (the int64 copy of a 300 MB
    text's codes took 2.4 GB and two seconds)."""
    if corpus.line_mode:
        train = split_for_ngrams(corpus, fraction)[0]
        return train[:limit], len(train)
    start = split_sizes(corpus, fraction)[0]
    return np.asarray(corpus.codes[: min(start, limit)], dtype=np.int64), start


def validation_losses(
    counts: NgramCounts, codes: np.ndarray, start: int, orders: range, smoothing: str
) -> list[float]:
    """Validation nats/char of each order, the k-gram lookups done once for all of them."""
    ending = counts.ending_ids(codes, max(orders))
    return [NgramModel(counts, order, smoothing).loss(codes, start, ending) for order in orders]
