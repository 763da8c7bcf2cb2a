"""Loading corpora: bundled texts, encodings, line ends, and every bad file a user might pick."""

from __future__ import annotations

import codecs
import os
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from rnnlab.core.corpus import (
    bundled_corpora,
    bundled_data_dir,
    corpus_fingerprint,
    load_corpus,
    split_lines,
    validation_excerpt,
)
from rnnlab.core.errors import CorpusError, EncodingError
from rnnlab.core.text_encoding import decode_bytes

BUNDLED_NAMES = ["tinyshakespeare", "names", "russian_names", "onegin", "sonnets", "python_stdlib"]
RUSSIAN = (
    "Мой дядя самых честных правил,\nКогда не в шутку занемог,\nОн уважать себя заставил\n"
    "И лучше выдумать не мог.\nЕго пример другим наука;\nНо, боже мой, какая скука\n"
)
FRENCH = (
    "Il était une fois, dans un pays très éloigné, une jeune fille qui s'appelait Cendrillon.\n"
    "Elle vivait avec sa belle-mère et ses deux sœurs, qui étaient méchantes envers elle.\n"
    "« Où est mon déjeuner ? » criait l'aînée. Ça n'arrête jamais, pensait-elle, à genoux.\n"
)
GERMAN = "Über die Brücke gehen schöne Mädchen. Die Straße ist grün und heiß.\n"


def write(tmp_path: Path, data: bytes | str, name: str = "text.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def refused(path: Path, **options: object) -> str:
    with pytest.raises(CorpusError) as caught:
        load_corpus(path, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- bundled corpora ---------------------------------------------------------------------------


def test_bundled_catalogue_lists_six_existing_files() -> None:
    catalogue = bundled_corpora()
    assert [corpus.name for corpus in catalogue] == BUNDLED_NAMES
    assert all(
        corpus.path.is_file() and corpus.path.parent == bundled_data_dir() for corpus in catalogue
    )
    assert all(corpus.description and "\n" not in corpus.description for corpus in catalogue)
    assert [corpus.name for corpus in catalogue if corpus.line_mode] == ["names", "russian_names"]


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_every_bundled_corpus_loads_as_plain_utf8(name: str) -> None:
    corpus = load_corpus(name)
    assert (corpus.name, corpus.source, corpus.bundled) == (name, name, True)
    assert (corpus.encoding, corpus.encoding_note) == ("utf-8", "")
    assert corpus.line_mode == (name in ("names", "russian_names"))
    assert corpus.codes.shape == (len(corpus.text),)
    assert corpus.vocabulary.decode(corpus.codes[:500]) == corpus.text[:500]


def test_tinyshakespeare_and_names_have_their_known_sizes() -> None:
    shakespeare = load_corpus("tinyshakespeare")
    assert len(shakespeare.text) == 1_115_394 and len(shakespeare.vocabulary) == 65
    assert shakespeare.size_bytes == 1_115_394
    names = load_corpus("names")
    assert len(names.vocabulary) == 27
    assert len(names.lines) == 32_033 and names.lines[0] == "emma"


def test_line_mode_can_be_overridden() -> None:
    assert load_corpus("names", line_mode=False).line_mode is False
    assert load_corpus("sonnets", line_mode=True).line_mode is True


def test_a_file_in_the_current_folder_wins_over_a_bundled_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "alice\nbob\n", name="names")
    monkeypatch.chdir(tmp_path)
    corpus = load_corpus("names")
    assert corpus.bundled is False and corpus.text == "alice\nbob\n"
    assert corpus.source == str(tmp_path / "names") and corpus.line_mode is False


# --- encodings ---------------------------------------------------------------------------------


def test_plain_utf8_file(tmp_path: Path) -> None:
    path = write(tmp_path, RUSSIAN)
    corpus = load_corpus(path)
    assert corpus.text == RUSSIAN and (corpus.encoding, corpus.encoding_note) == ("utf-8", "")
    assert corpus.name == "text.txt" and corpus.source == str(path.resolve())
    assert corpus.size_bytes == len(RUSSIAN.encode("utf-8")) and corpus.bundled is False


@pytest.mark.parametrize(
    ("mark", "codec", "used", "note"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig", "UTF-8 with a byte-order mark"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16", "UTF-16 with a byte-order mark, little"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16", "UTF-16 with a byte-order mark, big"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32", "UTF-32 with a byte-order mark, little"),
    ],
)
def test_byte_order_marks_choose_the_encoding(
    tmp_path: Path, mark: bytes, codec: str, used: str, note: str
) -> None:
    corpus = load_corpus(write(tmp_path, mark + RUSSIAN.encode(codec)))
    assert corpus.text == RUSSIAN  # the mark itself is not part of the text
    assert corpus.encoding == used and corpus.encoding_note.startswith(note)


def test_same_text_in_two_encodings_has_the_same_fingerprint(tmp_path: Path) -> None:
    utf8 = load_corpus(write(tmp_path, RUSSIAN, name="a.txt"))
    utf16 = load_corpus(write(tmp_path, codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le")))
    assert utf8.fingerprint == utf16.fingerprint
    assert utf8.fingerprint == corpus_fingerprint(utf8.vocabulary, utf8.codes)
    assert load_corpus(write(tmp_path, RUSSIAN + ".")).fingerprint != utf8.fingerprint


def test_cp1251_russian_is_detected_and_named() -> None:
    onegin = (bundled_data_dir() / "onegin.txt").read_text(encoding="utf-8")
    text, used, note = decode_bytes(onegin.encode("cp1251"))
    assert text == onegin and used == "cp1251"
    assert note == "not valid UTF-8: decoded as cp1251 (Cyrillic)"


def test_koi8r_russian_is_told_apart_from_cp1251() -> None:
    text, used, _ = decode_bytes(RUSSIAN.encode("koi8-r"))
    assert (text, used) == (RUSSIAN, "koi8-r")


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (FRENCH.replace("œ", "oe"), "latin-1"),
        (GERMAN, "latin-1"),
        (FRENCH.replace("'", "’"), "cp1252"),
    ],  # curly quotes and œ only exist in cp1252
)
def test_western_european_legacy_text_is_detected_and_named(
    tmp_path: Path, text: str, codec: str
) -> None:
    corpus = load_corpus(write(tmp_path, text.encode(codec)))
    assert corpus.text == text and corpus.encoding == codec
    assert corpus.encoding_note == f"not valid UTF-8: decoded as {codec} (Western European)"


def test_undecodable_bytes_are_refused_with_offset_and_advice(tmp_path: Path) -> None:
    garbage = bytes(np.random.default_rng(3).integers(0x80, 0x100, 4000, dtype=np.uint8))
    message = refused(write(tmp_path, b"header\n" + garbage, name="blob.txt"))
    assert message == (
        f"{tmp_path / 'blob.txt'} is not valid UTF-8 (first bad byte at offset 7) and does not"
        " look like cp1251 or latin-1 text; pass --encoding NAME"
    )


def test_a_text_in_an_encoding_its_bytes_do_not_tell_names_those_that_read_it(
    tmp_path: Path,
) -> None:
    # The window offers these first (rnnlab.gui.panels.encoding_dialog); the command line says
    # to pass --encoding, as before.
    chinese = write(tmp_path, ("你好世界，这是一个测试。\n" * 50).encode("gb18030"), name="zh.txt")
    with pytest.raises(EncodingError, match="pass --encoding NAME") as refusal:
        load_corpus(chinese)
    assert refusal.value.suggested[0] == "gb18030" and "utf-8" not in refusal.value.suggested
    wide = write(tmp_path, "Grüße aus Köln\n".encode("utf-16-le") * 50, name="wide.txt")
    with pytest.raises(EncodingError, match="reads as utf-16-le text without a byte-order mark"):
        load_corpus(wide)
    assert load_corpus(wide, encoding="utf-16-le").text.startswith("Grüße aus Köln")
    with pytest.raises(EncodingError, match="not valid shift_jis text") as wrong:
        load_corpus(chinese, encoding="shift_jis")  # a wrong pick: pick again
    assert "gb18030" in wrong.value.suggested


def test_utf8_with_one_stray_byte_is_refused_not_misread(tmp_path: Path) -> None:
    data = RUSSIAN.encode("utf-8") + b"\xff" + RUSSIAN.encode("utf-8")
    message = refused(write(tmp_path, data))
    assert f"first bad byte at offset {len(RUSSIAN.encode('utf-8'))}" in message


def test_explicit_encoding_is_honoured(tmp_path: Path) -> None:
    path = write(tmp_path, RUSSIAN.encode("cp1251"))
    corpus = load_corpus(path, encoding="cp1251")
    assert corpus.text == RUSSIAN and corpus.encoding == "cp1251"
    assert corpus.encoding_note == "decoded as cp1251, as asked"
    # Even a wrong choice is obeyed: the user asked for it.
    assert load_corpus(path, encoding="latin-1").text == RUSSIAN.encode("cp1251").decode("latin-1")
    bom_path = write(tmp_path, codecs.BOM_UTF8 + b"abc\n", name="bom.txt")
    assert load_corpus(bom_path, encoding="utf-8").text == "abc\n"


@pytest.mark.parametrize("name", ["klingon", "base64"])
def test_unknown_encoding_name_is_refused(tmp_path: Path, name: str) -> None:
    message = refused(write(tmp_path, "abc\n"), encoding=name)
    assert message.startswith(f"unknown text encoding '{name}' for {tmp_path / 'text.txt'}")


def test_bytes_that_do_not_fit_the_explicit_encoding_are_refused(tmp_path: Path) -> None:
    message = refused(write(tmp_path, b"abc\xffdef"), encoding="utf-8")
    assert "text.txt is not valid utf-8 text (first bad byte at offset 3)" in message


@pytest.mark.parametrize("raw", [b"one\r\ntwo\r\n", b"one\rtwo\r", b"one\r\ntwo\r"])
def test_carriage_returns_become_newlines(tmp_path: Path, raw: bytes) -> None:
    corpus = load_corpus(write(tmp_path, raw))
    assert corpus.text == "one\ntwo\n" and "\r" not in corpus.vocabulary


# --- files that are refused --------------------------------------------------------------------


def test_missing_file_lists_the_bundled_corpora(tmp_path: Path) -> None:
    message = refused(tmp_path / "nope.txt")
    assert message == (
        f"no such file or bundled corpus: {tmp_path / 'nope.txt'}; bundled corpora: "
        + ", ".join(BUNDLED_NAMES)
    )


def test_folder_is_refused(tmp_path: Path) -> None:
    assert refused(tmp_path) == f"{tmp_path} is a folder, not a text file"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "is empty"),
        (codecs.BOM_UTF8, "is empty"),
        (b" \n\t\r\n  ", "contains only whitespace"),
    ],
)
def test_empty_and_blank_files_are_refused(tmp_path: Path, raw: bytes, problem: str) -> None:
    assert refused(write(tmp_path, raw)) == f"{tmp_path / 'text.txt'} {problem}"


def test_nul_byte_means_binary(tmp_path: Path) -> None:
    message = refused(write(tmp_path, b"PK\x03\x04\x00\x00abc"))
    assert message.startswith(f"{tmp_path / 'text.txt'} looks binary (NUL byte at offset 4)")


def test_many_control_characters_mean_binary(tmp_path: Path) -> None:
    control = "".join(chr(code) for code in range(1, 8))  # 7 control characters in 27
    message = refused(write(tmp_path, ("abcdefghij" + control + "klmnopqrst") * 100))
    assert message == f"{tmp_path / 'text.txt'} looks binary (26% control characters)"
    # A few form feeds, tabs or escapes in real text are fine.
    assert len(load_corpus(write(tmp_path, "page one\f\tx\x1b[0m\n" * 50)).text) == 800


def test_unreadable_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret\n")
    path.chmod(0)
    if getattr(os, "geteuid", lambda: 1)() == 0:  # root reads anything: fail as a user would

        def deny(self: Path) -> bytes:
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "read_bytes", deny)
    try:
        assert refused(path) == f"cannot read {path}: permission denied"
    finally:
        path.chmod(0o600)  # lets tmp_path be cleaned up


# --- scale -------------------------------------------------------------------------------------


def test_twenty_thousand_distinct_characters_load(tmp_path: Path) -> None:
    chars = "".join(chr(0x4E00 + i) for i in range(20_000))
    corpus = load_corpus(write(tmp_path, chars + "\n" + chars[::-1] + "\n"))
    assert len(corpus.vocabulary) == 20_001 and corpus.codes.dtype == np.uint16
    assert corpus.vocabulary.decode(corpus.codes) == corpus.text


@pytest.mark.parametrize("sample", ["shakespeare", "russian"])
def test_peak_memory_stays_under_five_times_the_file_size(tmp_path: Path, sample: str) -> None:
    if sample == "shakespeare":
        piece = (bundled_data_dir() / "tinyshakespeare.txt").read_text(encoding="utf-8")
    else:
        piece = RUSSIAN * 50
    data = piece.encode("utf-8")
    path = write(tmp_path, data * (20_000_000 // len(data) + 1))
    size = path.stat().st_size
    del piece, data
    tracemalloc.start()
    try:
        corpus = load_corpus(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert corpus.codes.dtype == np.uint8 and size >= 20_000_000
    assert peak < 5 * size, f"peak {peak / size:.2f} x the file size"


@pytest.mark.parametrize("name", ["tinyshakespeare", "names"])
def test_the_default_probe_text_is_held_out_whole_words(name: str) -> None:
    corpus = load_corpus(name)
    excerpt = validation_excerpt(corpus, 0.1)
    assert 160 <= len(excerpt) <= 256
    assert excerpt[0] != "\n" and excerpt[-1] in " \n"  # starts a line, ends after a word
    if corpus.line_mode:
        validation = set(split_lines(corpus, 0.1)[1])
        assert all(line in validation for line in excerpt.split("\n") if line)
    else:
        held_out = corpus.text[len(corpus.text) - int(len(corpus.text) * 0.1) :]
        assert excerpt in held_out
