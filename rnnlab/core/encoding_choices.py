"""The encodings a text can be opened in when it is not UTF-8 and its encoding cannot be guessed,
and which of them read a file's first bytes.

A byte sequence cannot say which encoding wrote it: most single-byte encodings read any bytes at
all, as nonsense. So a choice is offered with what each reads (the window shows a preview), and
the encodings under which the file's first bytes decode strictly, with almost no control
characters, come first.
"""

from __future__ import annotations

import codecs
import unicodedata

# (codec name, what it is for), in the order offered: Unicode, then East Asian multibyte
# encodings (which reject most bytes that are not theirs), then single-byte ones.
ENCODINGS = (
    ("utf-8", "Unicode"),
    ("utf-16-le", "Unicode, 2 bytes, little-endian"),
    ("utf-16-be", "Unicode, 2 bytes, big-endian"),
    ("gb18030", "Chinese, simplified"),
    ("big5", "Chinese, traditional"),
    ("shift_jis", "Japanese"),
    ("euc-jp", "Japanese"),
    ("euc-kr", "Korean"),
    ("cp1251", "Cyrillic"),
    ("koi8-r", "Russian"),
    ("cp1250", "Central European"),
    ("cp1252", "Western European"),
    ("latin-1", "Western European, ISO"),
    ("cp1253", "Greek"),
    ("cp1254", "Turkish"),
    ("cp1255", "Hebrew"),
    ("cp1256", "Arabic"),
    ("cp874", "Thai"),
    ("cp1258", "Vietnamese"),
)
WIDE_ENCODINGS = ("utf-16-le", "utf-16-be")  # what NUL bytes between letters can be
SAMPLE_BYTES = 64 * 1024  # enough to tell, small enough to decode every encoding in a blink
_MAX_CONTROL_SHARE = 0.01  # of the characters read: line ends and tabs do not count


def read_as(data: bytes, encoding: str, errors: str = "strict") -> str:
    """The start of ``data`` read as ``encoding``; a character cut at the end is left out."""
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    return decoder.decode(data[:SAMPLE_BYTES], final=len(data) <= SAMPLE_BYTES)


def suggest_encodings(data: bytes, among: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The encodings of ENCODINGS (or of those ``among`` them), in their order, that read the
    first SAMPLE_BYTES of ``data`` without an error and with almost no control characters (UTF-16
    only when there are NUL bytes: the line ends and spaces of a UTF-16 text have them)."""
    suggested = []
    has_nul = b"\x00" in data[:SAMPLE_BYTES]
    for encoding, _ in ENCODINGS:
        if among is not None and encoding not in among:
            continue
        if encoding in WIDE_ENCODINGS and not has_nul:
            continue  # any even run of bytes reads as some 2-byte Unicode; real UTF-16 has NULs
        try:
            text = read_as(data, encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(
            1 for char in text if char not in "\n\r\t" and unicodedata.category(char) == "Cc"
        )
        if text and controls <= _MAX_CONTROL_SHARE * len(text):
            suggested.append(encoding)
    return tuple(suggested)
