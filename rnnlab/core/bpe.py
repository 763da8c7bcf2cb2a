"""Byte-pair encoding over characters: merges learned from a text, and texts cut into the pieces.

A text is first cut into chunks (``chunks``): a word with the space before it (" the"), a number,
one punctuation mark, or a run of whitespace. Merges never cross a chunk, so a piece is a word,
a part of one, or a mark. Learning starts from single characters and merges, again and again, the
adjacent pair seen most often in the training text (ties: the first pair in string order, so the
merges never depend on the order a dictionary happens to keep). Counting happens over distinct
chunks weighted by how often each occurs, and after a merge only the chunks that held the pair
are counted again: about 1,000 merges a second or two on tinyshakespeare.

Pieces are substrings, so joining a text's pieces gives the text back exactly.

A long text is cut in slices of 16 K characters (``text_slices``), at spaces no chunk crosses:
one regular-expression call holds Python's lock throughout, about 3 s for 30 MB here, so over a
300 MB text the window froze for half a minute while a pool thread learned its words; and a list
of every chunk of such a text took gigabytes. A slice's call holds it too, and a paint takes it
back after each of its Qt calls: with 64 K slices the window still paused up to 1.2 s beside
the learning, with 16 K ones 0.5-0.8 s, and the learning took no longer.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import pairwise

# Letters (a word), digits, one mark, or whitespace. " ?" keeps a word's space with the word;
# "\s+(?!\S)" leaves the last space of a run for the word after it. Together the alternatives
# match every character (``tests/core/test_tokens.py`` joins every bundled corpus back).
CHUNK = re.compile(r" ?[^\W\d_]+| ?\d+| ?(?:[^\w\s]|_)|\s+(?!\S)|\s+")

Pair = tuple[str, str]

SLICE_CHARS = 1 << 14  # a slice's chunks come from one call, which holds Python's lock (1-2 ms)
# Before the last whitespace character of a run that a non-space follows: a chunk always ends
# there (the run's other characters are one chunk, "\s+(?!\S)", the same whether the text ends
# after them or goes on), and the next starts afresh, so no chunk crosses it.
_SAFE_CUT = re.compile(r"(?=\s\S)")


def text_slices(text: str, slice_chars: int = SLICE_CHARS) -> Iterator[str]:
    """``text`` in consecutive slices of at least ``slice_chars`` characters (the last may be
    shorter), each cut where no chunk crosses: their chunks, in order, are the text's."""
    start = 0
    while len(text) - start > slice_chars:
        cut = _SAFE_CUT.search(text, start + max(slice_chars, 1))  # never an empty slice
        if cut is None:  # no space left before a non-space: the rest in one slice
            break
        yield text[start : cut.start()]
        start = cut.start()
    yield text[start:]


def chunk_slices(text: str, slice_chars: int = SLICE_CHARS) -> Iterator[list[str]]:
    """The text's chunks, a slice's at a time (see ``text_slices``)."""
    for part in text_slices(text, slice_chars):
        yield CHUNK.findall(part)


def chunks(text: str) -> list[str]:
    """The text cut where merges may not cross; they join back to the text."""
    return [chunk for part in chunk_slices(text) for chunk in part]


def chunk_counts(text: str) -> Counter[str]:
    """How often each chunk occurs in ``text``, counted a slice at a time (never a list of every
    chunk of a long text)."""
    counts: Counter[str] = Counter()
    for part in chunk_slices(text):
        counts.update(part)
    return counts


def _merge(symbols: list[str], pair: Pair, merged: str) -> list[str]:
    """``symbols`` with every occurrence of ``pair``, left to right, made one symbol."""
    result, index = [], 0
    while index < len(symbols):
        if index + 1 < len(symbols) and symbols[index] == pair[0] and symbols[index + 1] == pair[1]:
            result.append(merged)
            index += 2
        else:
            result.append(symbols[index])
            index += 1
    return result


def learn_merges(text: str, merges: int) -> list[Pair]:
    """Up to ``merges`` merges learned from ``text``, in the order they were learned. Fewer when
    no pair is left that occurs twice: a merge of a pair seen once would only memorise."""
    counts = chunk_counts(text)
    words = [list(chunk) for chunk in counts]  # each distinct chunk as its current symbols
    frequencies = list(counts.values())
    pair_counts: dict[Pair, int] = defaultdict(int)
    holders: dict[Pair, set[int]] = defaultdict(set)  # pair -> the words that (may) hold it
    for index, symbols in enumerate(words):
        for pair in pairwise(symbols):
            pair_counts[pair] += frequencies[index]
            holders[pair].add(index)
    # The most frequent pair on top; an entry whose count has changed since is skipped when it
    # surfaces (its current count has an entry of its own).
    heap = [(-count, pair) for pair, count in pair_counts.items()]
    heapq.heapify(heap)
    learned: list[Pair] = []
    while len(learned) < merges and heap:
        negative_count, pair = heapq.heappop(heap)
        count = pair_counts.get(pair, 0)
        if count != -negative_count:
            continue
        if count < 2:
            break
        learned.append(pair)
        _apply(pair, words, frequencies, pair_counts, holders, heap)
    return learned


def _apply(
    pair: Pair,
    words: list[list[str]],
    frequencies: list[int],
    pair_counts: dict[Pair, int],
    holders: dict[Pair, set[int]],
    heap: list[tuple[int, Pair]],
) -> None:
    """Merge ``pair`` in every word holding it and count those words' pairs again."""
    merged = pair[0] + pair[1]
    changed: set[Pair] = set()
    for index in holders.pop(pair):
        symbols, frequency = words[index], frequencies[index]
        merged_symbols = _merge(symbols, pair, merged)
        if len(merged_symbols) == len(symbols):
            continue  # a stale holder: an earlier merge took the pair out of this word
        for old in pairwise(symbols):
            pair_counts[old] -= frequency
            changed.add(old)
        for new in pairwise(merged_symbols):
            pair_counts[new] += frequency
            holders[new].add(index)
            changed.add(new)
        words[index] = merged_symbols
    for changed_pair in changed:
        count = pair_counts[changed_pair]
        if count > 0:
            heapq.heappush(heap, (-count, changed_pair))
        else:
            del pair_counts[changed_pair]


CACHE_LIMIT = 500_000  # distinct chunks a PieceCutter remembers (a corpus has tens of thousands)


class PieceCutter:
    """Cuts chunks into the pieces the merges make, lowest-ranked merge first (which gives what
    applying the merges in order would), remembering each distinct chunk's pieces."""

    def __init__(self, merges: Iterable[Pair]) -> None:
        self._ranks = {pair: rank for rank, pair in enumerate(merges)}
        self._cache: dict[str, list[str]] = {}

    def pieces(self, chunk: str) -> list[str]:
        cached = self._cache.get(chunk)
        if cached is not None:
            return cached
        symbols = list(chunk)
        ranks = self._ranks
        while len(symbols) > 1:
            pairs = pairwise(symbols)
            best = min(pairs, key=lambda pair: ranks.get(pair, len(ranks)))
            if best not in ranks:
                break
            symbols = _merge(symbols, best, best[0] + best[1])
        if len(self._cache) < CACHE_LIMIT:  # sampled text brings new chunks: keep memory bounded
            self._cache[chunk] = symbols
        return symbols

    def cut(self, text: str) -> list[str]:
        """The text's pieces, in order; they join back to the text."""
        return [piece for part in chunk_slices(text) for chunk in part
                for piece in self.pieces(chunk)]  # fmt: skip
