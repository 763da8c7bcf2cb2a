"""Turning a text file's bytes into text: byte-order marks, UTF-8, and a guess at legacy
encodings (cp1251 and KOI8-R for Russian, cp1252 and latin-1 for Western European text).

Every refusal is a CorpusError that names the file and, where it helps, the first bad byte; an
EncodingError when another encoding could read the text, with the encodings that read its first
bytes cleanly (``rnnlab.core.encoding_choices``), which the window offers.
"""

from __future__ import annotations

import codecs
import unicodedata

import numpy as np

from rnnlab.core.encoding_choices import WIDE_ENCODINGS, suggest_encodings
from rnnlab.core.errors import CorpusError, EncodingError

_COUNT_SLICE = 1 << 22  # bytes per vectorised pass: bounds the temporaries
# Legacy-encoding guess: the share of non-ASCII bytes that must decode to the expected letters.
_MIN_CYRILLIC_SHARE = 0.85  # real Russian cp1251 text: 99 %; random high bytes: 73 %
_MIN_LATIN_SHARE = 0.5  # French and German: most non-ASCII bytes are accented letters
_MIN_PLAUSIBLE_SHARE = 0.95  # letters plus typographic punctuation, no C1 controls

# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32", "little-endian"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32", "big-endian"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8", ""),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16", "little-endian"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16", "big-endian"),
)


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; free when the text has no CR."""
    if "\r" not in text:
        return text
    text = text.replace("\r\n", "\n")
    return text.replace("\r", "\n") if "\r" in text else text


def decode_bytes(
    data: bytes, encoding: str | None = None, *, source_name: str = "the text"
) -> tuple[str, str, str]:
    """(text, encoding used, note for the user) for the raw bytes of a text file.

    An explicit encoding wins; else a byte-order mark decides; else UTF-8; else a likely legacy
    encoding (cp1251, cp1252, latin-1) is guessed from the bytes. CorpusError names source_name.
    """
    if encoding is not None:
        return _decode_as(data, encoding, source_name)
    for mark, codec, label, byte_order in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as error:
                raise EncodingError(
                    f"{source_name} starts with a {label} byte-order mark but is not valid {label}"
                    f" (first bad byte at offset {error.start})",
                    "pass --encoding NAME",
                    suggest_encodings(data),
                ) from None
            order = f", {byte_order}" if byte_order else ""
            return text, codec, f"{label} with a byte-order mark{order}"
    nul = data.find(b"\x00")
    if nul != -1:
        wide = suggest_encodings(data, WIDE_ENCODINGS)
        if wide:  # NUL bytes, but they read as 2-byte Unicode: UTF-16 with no byte-order mark
            raise EncodingError(
                f"{source_name} has NUL bytes but reads as {wide[0]} text without a byte-order"
                " mark",
                f"pass --encoding {wide[0]}",
                wide,
            )
        raise CorpusError(
            f"{source_name} looks binary (NUL byte at offset {nul}); for UTF-16 text without a"
            " byte-order mark pass --encoding utf-16-le"
        )
    try:
        return data.decode("utf-8"), "utf-8", ""
    except UnicodeDecodeError as error:
        bad_offset = error.start
    guess = _guess_legacy_encoding(data)
    if guess is not None:
        codec, language = guess
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            pass  # e.g. the one byte cp1251 leaves undefined: not that encoding after all
        else:
            return text, codec, f"not valid UTF-8: decoded as {codec} ({language})"
    raise EncodingError(
        f"{source_name} is not valid UTF-8 (first bad byte at offset {bad_offset}) and does not"
        " look like cp1251 or latin-1 text",
        "pass --encoding NAME",
        suggest_encodings(data),
    )


def _decode_as(data: bytes, encoding: str, source_name: str) -> tuple[str, str, str]:
    try:
        codec = codecs.lookup(encoding)
        if not getattr(codec, "_is_text_encoding", True):  # e.g. base64, zlib, rot13
            raise LookupError(encoding)
        text = data.decode(encoding)
    except LookupError:
        raise CorpusError(
            f"unknown text encoding {encoding!r} for {source_name}; try utf-8, cp1251, latin-1"
            " or utf-16"
        ) from None
    except UnicodeDecodeError as error:
        raise EncodingError(
            f"{source_name} is not valid {encoding} text (first bad byte at offset {error.start})",
            "check --encoding",
            suggest_encodings(data),
        ) from None
    if text.startswith("\ufeff"):  # a byte-order mark is never part of the text
        text = text[1:]
    note = "" if codec.name == "utf-8" else f"decoded as {encoding}, as asked"
    return text, encoding, note


def _byte_classes(codec: str, predicate: str) -> np.ndarray:
    """(256,) bool: which bytes decode in codec to a letter of the named script (or to any
    plausible character: letter, punctuation, symbol or space, when predicate is "plausible")."""
    result = np.zeros(256, dtype=bool)
    for byte in range(128, 256):
        try:
            char = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            continue
        category = unicodedata.category(char)
        if predicate == "plausible":
            result[byte] = category[0] in "LPSZ"
        else:
            result[byte] = category[0] == "L" and predicate in unicodedata.name(char, "")
    return result


def _guess_legacy_encoding(data: bytes) -> tuple[str, str] | None:
    """(codec, language) when the non-ASCII bytes look like cp1251 Russian or Western European
    cp1252/latin-1 text, else None. One vectorised pass over the bytes, slice by slice."""
    histogram = np.zeros(256, dtype=np.int64)
    high_pairs = 0  # two non-ASCII bytes in a row: Cyrillic words are runs of them
    mixed_pairs = 0  # a non-ASCII byte next to an ASCII letter: accents inside Latin words
    utf8_bytes = 0  # bytes inside well-formed 2-byte UTF-8 sequences: damaged UTF-8, not legacy
    for start in range(0, len(data), _COUNT_SLICE):
        chunk = np.frombuffer(data, np.uint8, min(_COUNT_SLICE, len(data) - start), start)
        histogram += np.bincount(chunk, minlength=256)
        high = chunk >= 0x80
        letter = ((chunk | 0x20) - np.uint8(ord("a"))) < 26  # wraps below "a" in uint8
        high_pairs += int(np.count_nonzero(high[:-1] & high[1:]))
        mixed_pairs += int(np.count_nonzero(high[:-1] & letter[1:]))
        mixed_pairs += int(np.count_nonzero(letter[:-1] & high[1:]))
        lead = (chunk >= 0xC2) & (chunk <= 0xDF)
        continuation = (chunk & 0xC0) == 0x80
        utf8_bytes += 2 * int(np.count_nonzero(lead[:-1] & continuation[1:]))
    high_total = int(histogram[128:].sum())
    if high_total == 0 or utf8_bytes >= high_total // 2:
        return None
    if high_pairs >= mixed_pairs:
        # Russian prose is mostly lower case: in cp1251 that is 0xE0-0xFF, in KOI8-R 0xC0-0xDF.
        lower = int(histogram[0xE0:].sum() + histogram[0xB8])
        upper = int(histogram[0xC0:0xE0].sum() + histogram[0xA8])
        codec = "cp1251" if lower >= upper else "koi8-r"
        cyrillic = int(histogram[_byte_classes(codec, "CYRILLIC")].sum())
        return (codec, "Cyrillic") if cyrillic >= _MIN_CYRILLIC_SHARE * high_total else None
    c1_bytes = np.flatnonzero(histogram[0x80:0xA0]) + 0x80
    codec = "latin-1"
    if c1_bytes.size and _byte_classes("cp1252", "plausible")[c1_bytes].all():
        codec = "cp1252"  # its typographic quotes and dashes live in 0x80-0x9F
    latin = int(histogram[_byte_classes(codec, "LATIN")].sum())
    plausible = int(histogram[_byte_classes(codec, "plausible")].sum())
    if latin >= _MIN_LATIN_SHARE * high_total and plausible >= _MIN_PLAUSIBLE_SHARE * high_total:
        return codec, "Western European"
    return None
