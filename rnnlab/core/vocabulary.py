"""The characters a model knows, and the mapping between text and integer codes.

Encoding is built for large texts (100 MB and more): it works on slices of the text so the only
full-size allocation is the output array, and it never loops over characters in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

# Characters per slice. Small enough that the temporaries (4 bytes a character for the UTF-32
# view, 2 or 4 for the looked-up codes) stay in the CPU cache, large enough that the per-slice
# overhead is negligible; measured fastest between 2**16 and 2**18 on 100 MB of text.
_SLICE_CHARS = 1 << 18
# Below this length a plain set() is faster than the NumPy machinery.
_SMALL_TEXT_CHARS = 1 << 16
_CODE_POINT_LIMIT = 0x110000
_BYTE_SENTINEL = 255  # marks "not in the vocabulary" in the byte translation table
_MAX_LISTED_UNKNOWN = 20


def _code_points(text: str) -> np.ndarray:
    """(len(text),) uint32 code points; a view on the UTF-32 bytes, no further copy."""
    # surrogatepass: a Python str may hold lone surrogates; keep them as ordinary characters.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _latin1_bytes(text: str) -> bytes | None:
    """The text as one byte per character when every character is below U+0100, else None."""
    if text.isascii():  # O(1): CPython stores this flag on the string
        return text.encode("ascii")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _chars_from_code_points(points: np.ndarray) -> list[str]:
    return list(points.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass"))


class Vocabulary:
    """An ordered set of distinct characters; a character's code is its position."""

    def __init__(self, chars: str | Sequence[str]) -> None:
        chars_tuple = tuple(chars)
        if not chars_tuple:
            raise ValueError("a vocabulary needs at least one character")
        index: dict[str, int] = {}
        for position, char in enumerate(chars_tuple):
            if not isinstance(char, str) or len(char) != 1:
                raise ValueError(f"vocabulary entries must be single characters, got {char!r}")
            if char in index:
                raise ValueError(f"duplicate character in vocabulary: {char!r}")
            index[char] = position
        self._chars = chars_tuple
        self._index = index
        # (V,) code point of each vocabulary entry, in vocabulary order.
        self._points = np.fromiter((ord(char) for char in chars_tuple), np.uint32, len(index))
        self._lookup: np.ndarray | None = None  # built on first use, see _lookup_table
        self._byte_table: bytes | None = None

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The distinct characters of text, sorted by code point (so the order never varies)."""
        if len(text) <= _SMALL_TEXT_CHARS:
            return cls(sorted(set(text)))
        seen = np.zeros(_CODE_POINT_LIMIT, dtype=bool)  # seen[code point]
        seen_latin1 = b""  # the characters below U+0100 seen so far, as bytes
        for start in range(0, len(text), _SLICE_CHARS):
            piece = text[start : start + _SLICE_CHARS]
            raw = _latin1_bytes(piece)
            if raw is None:
                seen[_code_points(piece)] = True
                continue
            # Deleting the known bytes is a fast C loop; what is left is usually empty.
            new = raw.translate(None, seen_latin1)
            if new:
                seen[np.frombuffer(new, dtype=np.uint8)] = True
                seen_latin1 = np.flatnonzero(seen[:256]).astype(np.uint8).tobytes()
        return cls(_chars_from_code_points(np.flatnonzero(seen)))

    @property
    def chars(self) -> tuple[str, ...]:
        return self._chars

    @property
    def dtype(self) -> np.dtype:
        """The smallest unsigned integer type that holds every code."""
        if len(self._chars) <= 1 << 8:
            return np.dtype(np.uint8)
        if len(self._chars) <= 1 << 16:
            return np.dtype(np.uint16)
        return np.dtype(np.uint32)

    def __len__(self) -> int:
        return len(self._chars)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return self._chars == other._chars

    def __hash__(self) -> int:
        return hash(self._chars)

    def __contains__(self, char: object) -> bool:
        return char in self._index

    def __repr__(self) -> str:
        if len(self._chars) <= 80:
            return f"Vocabulary({self.to_string()!r})"
        return f"Vocabulary(<{len(self._chars)} characters>)"

    def index(self, char: str) -> int:
        try:
            return self._index[char]
        except KeyError:
            raise ValueError(f"character {char!r} is not in the vocabulary") from None

    def to_string(self) -> str:
        """All characters in order; Vocabulary(to_string()) restores an equal vocabulary."""
        return "".join(self._chars)

    def _lookup_table(self) -> tuple[np.ndarray, int]:
        """(max code point + 2,) table from code point to code, and its "unknown" value.

        The table is one integer type wider than the codes so that the sentinel cannot collide
        with a real code. Code points beyond the table are clipped onto its last entry, which is
        the sentinel, so the table only spans the vocabulary's highest code point.
        """
        # Annotated: mypy joins the two scalar types to object, which np.iinfo rejects.
        widths: dict[int, type[np.unsignedinteger]] = {1: np.uint16, 2: np.uint32, 4: np.uint32}
        wider = widths[self.dtype.itemsize]
        sentinel = int(np.iinfo(wider).max)
        if self._lookup is None:
            table = np.full(int(self._points.max()) + 2, sentinel, dtype=wider)
            table[self._points] = np.arange(len(self._chars), dtype=wider)
            self._lookup = table
        return self._lookup, sentinel

    def _translation(self) -> bytes | None:
        """A bytes.translate table from Latin-1 byte to code, for vocabularies under 256."""
        if len(self._chars) > _BYTE_SENTINEL:
            return None
        if self._byte_table is None:
            table = bytearray([_BYTE_SENTINEL]) * 256
            for code, point in enumerate(self._points.tolist()):
                if point < 256:
                    table[point] = code
            self._byte_table = bytes(table)
        return self._byte_table

    def unknown(self, text: str) -> list[str]:
        """Distinct characters of text that are not in the vocabulary, by first appearance."""
        table, sentinel = self._lookup_table()
        found: dict[str, None] = {}  # an ordered set
        for start in range(0, len(text), _SLICE_CHARS):
            points = _code_points(text[start : start + _SLICE_CHARS])
            missing = points[table.take(points, mode="clip") == sentinel]
            if missing.size:
                values, first = np.unique(missing, return_index=True)
                for char in _chars_from_code_points(values[np.argsort(first)]):
                    found.setdefault(char)
        return list(found)

    def encode(self, text: str) -> np.ndarray:
        """(len(text),) codes of self.dtype; ValueError naming any unknown characters."""
        codes = np.empty(len(text), dtype=self.dtype)
        translation = self._translation()
        table, sentinel = self._lookup_table()
        for start in range(0, len(text), _SLICE_CHARS):
            piece = text[start : start + _SLICE_CHARS]
            raw = _latin1_bytes(piece) if translation is not None else None
            if raw is not None and translation is not None:
                # One byte per character: bytes.translate maps it at memory speed.
                mapped_bytes = raw.translate(translation)
                if mapped_bytes.find(_BYTE_SENTINEL) != -1:  # never a real code: len <= 255
                    self._raise_unknown(text)
                codes[start : start + len(piece)] = np.frombuffer(mapped_bytes, dtype=np.uint8)
                continue
            mapped = table.take(_code_points(piece), mode="clip")
            if (mapped == sentinel).any():
                self._raise_unknown(text)
            codes[start : start + len(piece)] = mapped
        return codes

    def _raise_unknown(self, text: str) -> None:
        unknown = self.unknown(text)
        listed = ", ".join(repr(char) for char in unknown[:_MAX_LISTED_UNKNOWN])
        more = len(unknown) - _MAX_LISTED_UNKNOWN
        suffix = f" and {more} more" if more > 0 else ""
        noun = "character" if len(unknown) == 1 else "characters"
        raise ValueError(f"text has {len(unknown)} {noun} not in the vocabulary: {listed}{suffix}")

    def decode(self, codes: Iterable[int] | np.ndarray) -> str:
        """The text for a sequence of codes (a list, a NumPy array or a CPU tensor)."""
        if hasattr(codes, "__array__"):  # NumPy arrays and tensors: no Python-level loop
            array = np.asarray(codes)
        else:
            array = np.asarray(list(codes), dtype=np.int64)
        if array.size == 0:
            return ""
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"codes must be whole numbers, got {array.dtype}")
        low, high = int(array.min()), int(array.max())
        if low < 0 or high >= len(self._chars):
            bad = low if low < 0 else high
            raise ValueError(f"code {bad} is outside the vocabulary (0 to {len(self._chars) - 1})")
        points = self._points[array.reshape(-1)]
        return points.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")
