"""Readable stand-ins for characters that print as nothing (space, new line, controls)."""

from __future__ import annotations

_VISIBLE_NAMES = {" ": "␣", "\n": "⏎", "\t": "⇥", "\x7f": "␡", "\xa0": "⍽"}


def visible_character(char: str) -> str:
    """A readable stand-in for a character that would print as nothing (space, newline, ...)."""
    if char in _VISIBLE_NAMES:
        return _VISIBLE_NAMES[char]
    if ord(char) < 0x20:
        return chr(0x2400 + ord(char))  # Unicode "control pictures": ␀ ... ␟
    return char if char.isprintable() else "◌"
