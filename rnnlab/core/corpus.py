"""Loading a training text: the bundled corpora, any text file, and its encoding.

A corpus is read once into memory as a str (for sampling primes and line mode) and as a compact
array of codes (for batching). A 100 MB file loads with a peak of a few times its size: the raw
bytes are dropped once decoded, and the codes are produced slice by slice.
"""

from __future__ import annotations

import codecs
import hashlib
import importlib.resources
import importlib.util
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from rnnlab.core.errors import CorpusError
from rnnlab.core.vocabulary import Vocabulary

# A text whose characters are more than this share of control characters is not prose or code.
_MAX_CONTROL_SHARE = 0.10
_ALLOWED_CONTROLS = frozenset("\n\t\r\f\v")
_COUNT_SLICE = 1 << 22  # codes per np.bincount call: bounds its int64 temporary to 32 MB
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


@dataclass(frozen=True)
class BundledCorpus:
    """A text that ships with rnnlab."""

    name: str
    path: Path
    description: str  # one short line for `rnnlab corpora` and the window's picker
    line_mode: bool  # True for the name lists: one example per line


# (name, description, line_mode), in the order the picker shows them.
_BUNDLED = (
    ("tinyshakespeare", "Shakespeare's plays, 1.1 M characters: the classic char-RNN text", False),
    ("names", "32,033 English first names, one per line", True),
    ("russian_names", "9,408 Russian surnames in Latin letters, one per line", True),
    ("onegin", "Pushkin's Eugene Onegin in Russian verse, 152 k characters", False),
    ("sonnets", "Shakespeare's 154 sonnets, 100 k characters", False),
    ("python_stdlib", "Python source code from the standard library, 572 k characters", False),
)


def bundled_data_dir() -> Path:
    """The folder of bundled corpora: rnnlab/sample_data when installed, else <repo>/sample_data."""
    candidates: list[Path] = []
    try:
        resource = importlib.resources.files("rnnlab.sample_data")
        if isinstance(resource, Path):
            candidates.append(resource)
        spec = importlib.util.find_spec("rnnlab.sample_data")
        # A folder without __init__.py is a namespace package; its folders are listed here.
        if spec is not None and spec.submodule_search_locations:
            candidates.extend(Path(location) for location in spec.submodule_search_locations)
    except (ImportError, TypeError, ValueError):
        pass
    source_checkout = Path(__file__).resolve().parents[2] / "sample_data"
    candidates.append(source_checkout)
    folders = [candidate for candidate in candidates if candidate.is_dir()]
    for folder in folders:  # prefer a folder that really holds the texts
        if (folder / f"{_BUNDLED[0][0]}.txt").is_file():
            return folder
    if folders:
        return folders[0]
    raise CorpusError(
        f"the bundled corpora are missing: no rnnlab/sample_data package and no {source_checkout}"
        "; reinstall rnnlab"
    )


def bundled_corpora() -> list[BundledCorpus]:
    folder = bundled_data_dir()
    return [
        BundledCorpus(name, folder / f"{name}.txt", description, line_mode)
        for name, description, line_mode in _BUNDLED
    ]


@dataclass(frozen=True, eq=False)
class Corpus:
    """A decoded, encoded training text."""

    name: str  # bundled name, or the file's name
    source: str  # bundled name, or the absolute path of the file
    bundled: bool
    encoding: str  # the codec used, e.g. "utf-8", "cp1251", or what --encoding named
    encoding_note: str  # "" for plain UTF-8, else one sentence for the user
    text: str = field(repr=False)  # line ends normalised to "\n"; may be 100 MB: not in repr
    vocabulary: Vocabulary
    codes: np.ndarray = field(repr=False)  # (len(text),) of vocabulary.dtype
    line_mode: bool
    size_bytes: int  # size of the file
    fingerprint: str  # corpus_fingerprint(vocabulary, codes)

    @cached_property
    def lines(self) -> list[str]:
        """Line-mode examples: the lines as written, without blank (empty or all-space) ones."""
        return [line for line in self.text.split("\n") if line and not line.isspace()]


def corpus_fingerprint(vocabulary: Vocabulary, codes: np.ndarray) -> str:
    """sha256 hex identifying a text: its vocabulary and codes (checkpoints store it)."""
    digest = hashlib.sha256(vocabulary.to_string().encode("utf-8", "surrogatepass"))
    digest.update(memoryview(np.ascontiguousarray(codes)).cast("B"))  # no copy when contiguous
    return digest.hexdigest()


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
                raise CorpusError(
                    f"{source_name} starts with a {label} byte-order mark but is not valid {label}"
                    f" (first bad byte at offset {error.start}); pass --encoding NAME"
                ) from None
            order = f", {byte_order}" if byte_order else ""
            return text, codec, f"{label} with a byte-order mark{order}"
    nul = data.find(b"\x00")
    if nul != -1:
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
    raise CorpusError(
        f"{source_name} is not valid UTF-8 (first bad byte at offset {bad_offset}) and does not"
        " look like cp1251 or latin-1 text; pass --encoding NAME"
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
        raise CorpusError(
            f"{source_name} is not valid {encoding} text (first bad byte at offset {error.start})"
            "; check --encoding"
        ) from None
    if text.startswith("\ufeff"):  # a byte-order mark is never part of the text
        text = text[1:]
    note = "" if codec.name == "utf-8" else f"decoded as {encoding}, as asked"
    return text, encoding, note


def load_corpus(
    source: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    line_mode: bool | None = None,
) -> Corpus:
    """Load a bundled corpus by name, or a text file by path (a file in the current folder wins).

    line_mode None means the bundled corpus's default, and False for files.
    """
    given = os.fspath(source)
    path, bundled = _resolve(given)
    display = given if not bundled else f"bundled corpus {given}"
    data = _read_file(path, display)
    size_bytes = len(data)
    if size_bytes == 0:
        raise CorpusError(f"{display} is empty")
    text, used_encoding, note = decode_bytes(data, encoding, source_name=display)
    del data  # the bytes can be as large as the text: free them before encoding
    text = normalize_newlines(text)
    if not text:
        raise CorpusError(f"{display} is empty")
    vocabulary = Vocabulary.from_text(text)
    if all(char.isspace() for char in vocabulary.chars):
        raise CorpusError(f"{display} contains only whitespace")
    codes = vocabulary.encode(text)
    control_share = _control_share(vocabulary, codes)
    if control_share > _MAX_CONTROL_SHARE:
        raise CorpusError(f"{display} looks binary ({control_share:.0%} control characters)")
    if line_mode is None:
        line_mode = bundled is not None and bundled.line_mode
    return Corpus(
        name=bundled.name if bundled else path.name,
        source=bundled.name if bundled else str(path.resolve()),
        bundled=bundled is not None,
        encoding=used_encoding,
        encoding_note=note,
        text=text,
        vocabulary=vocabulary,
        codes=codes,
        line_mode=line_mode,
        size_bytes=size_bytes,
        fingerprint=corpus_fingerprint(vocabulary, codes),
    )


def _resolve(given: str) -> tuple[Path, BundledCorpus | None]:
    path = Path(given)
    try:
        exists = path.exists() or path.is_symlink()
    except (OSError, ValueError):  # e.g. a NUL in the name, or a name too long
        exists = False
    if exists and given:
        return path, None
    try:
        catalogue = bundled_corpora()
    except CorpusError:
        catalogue = []
    for corpus in catalogue:
        if corpus.name == given:
            if not corpus.path.is_file():
                raise CorpusError(f"bundled corpus {given} is missing ({corpus.path}); reinstall")
            return corpus.path, corpus
    names = ", ".join(corpus.name for corpus in catalogue) or "none installed"
    raise CorpusError(f"no such file or bundled corpus: {given}; bundled corpora: {names}")


def _read_file(path: Path, display: str) -> bytes:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise CorpusError(f"{display} does not exist (a broken link or a missing file)") from None
    except OSError as error:
        raise CorpusError(f"cannot read {display}: {error.strerror or error}") from None
    if stat.S_ISDIR(mode):
        raise CorpusError(f"{display} is a folder, not a text file")
    if not stat.S_ISREG(mode):
        raise CorpusError(f"{display} is not a regular file")
    try:
        return path.read_bytes()
    except PermissionError:
        raise CorpusError(f"cannot read {display}: permission denied") from None
    except OSError as error:
        raise CorpusError(f"cannot read {display}: {error.strerror or error}") from None


def _control_share(vocabulary: Vocabulary, codes: np.ndarray) -> float:
    """Share of characters that are control characters other than the usual whitespace."""
    controls = [
        code
        for code, char in enumerate(vocabulary.chars)
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS
    ]
    if not controls or codes.size == 0:
        return 0.0
    counts = np.zeros(len(vocabulary), dtype=np.int64)
    for start in range(0, codes.size, _COUNT_SLICE):
        counts += np.bincount(codes[start : start + _COUNT_SLICE], minlength=len(vocabulary))
    return float(counts[controls].sum()) / codes.size


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
