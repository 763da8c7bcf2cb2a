"""Loading a training text: the bundled corpora, any text file, and its encoding.

A corpus is read once into memory as a str (for sampling primes and line mode) and as a compact
array of codes (for batching). A 100 MB file loads with a peak of a few times its size: the raw
bytes are dropped once decoded, and the codes are produced slice by slice.
"""

from __future__ import annotations

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
from rnnlab.core.text_encoding import decode_bytes, normalize_newlines
from rnnlab.core.vocabulary import Vocabulary

# A text whose characters are more than this share of control characters is not prose or code.
_MAX_CONTROL_SHARE = 0.10
_ALLOWED_CONTROLS = frozenset("\n\t\r\f\v")
_LINE_SPLIT_SEED = 0  # line mode's split never depends on the user's seed
_COUNT_SLICE = 1 << 22  # codes per np.bincount call: bounds its int64 temporary to 32 MB


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


def bundled_names() -> tuple[str, ...]:
    """The bundled corpora's names, without looking for their files (lessons name them)."""
    return tuple(name for name, _, _ in _BUNDLED)


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
    # (V,) occurrences of each vocabulary entry, counted once while loading (off the GUI thread)
    char_counts: np.ndarray = field(repr=False)

    @cached_property
    def lines(self) -> list[str]:
        """Line-mode examples: the lines as written, without blank (empty or all-space) ones."""
        return [line for line in self.text.split("\n") if line and not line.isspace()]


def split_lines(corpus: Corpus, fraction: float) -> tuple[list[str], list[str]]:
    """Line mode's (training lines, validation lines): a fixed shuffle, the last ``fraction``
    validates. Distinct lines are split, so a name listed twice never sits on both sides;
    duplicates stay in training as often as the file lists them."""
    lines = corpus.lines
    distinct = list(dict.fromkeys(lines))
    if len(distinct) < 2:
        raise CorpusError(
            f"{corpus.name} has {len(distinct)} distinct non-empty"
            f" line{'' if len(distinct) == 1 else 's'}: line mode needs at least 2 (one to"
            " train on, one to validate)"
        )
    order = np.random.default_rng(_LINE_SPLIT_SEED).permutation(len(distinct))
    validation_count = min(max(1, int(len(distinct) * fraction)), len(distinct) - 1)
    validation_set = {distinct[i] for i in order[len(distinct) - validation_count :]}
    shuffled = [distinct[i] for i in order]
    repeats: dict[str, int] = {}
    for line in lines:
        repeats[line] = repeats.get(line, 0) + 1
    train_lines = [
        line for line in shuffled if line not in validation_set for _ in range(repeats[line])
    ]
    return train_lines, [line for line in shuffled if line in validation_set]


def split_sizes(corpus: Corpus, fraction: float) -> tuple[int, int, frozenset[str]]:
    """(training characters, validation characters, the training lines in line mode).

    A line-mode corpus too small to split has no sizes yet: (0, 0, no lines).
    """
    if corpus.line_mode:
        try:
            train, validation = split_lines(corpus, fraction)
        except CorpusError:
            return 0, 0, frozenset()
        return sum(map(len, train)), sum(map(len, validation)), frozenset(train)
    validation_chars = int(len(corpus.codes) * fraction)
    return len(corpus.codes) - validation_chars, validation_chars, frozenset()


def corpus_fingerprint(vocabulary: Vocabulary, codes: np.ndarray) -> str:
    """sha256 hex identifying a text: its vocabulary and codes (checkpoints store it)."""
    digest = hashlib.sha256(vocabulary.to_string().encode("utf-8", "surrogatepass"))
    # .data is memoryview(array), no copy when contiguous; spelled so because NumPy's stubs give
    # ndarray a __buffer__ (for memoryview()) only from Python 3.12.
    digest.update(np.ascontiguousarray(codes).data.cast("B"))
    return digest.hexdigest()


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
    char_counts = character_counts(len(vocabulary), codes)
    control_share = _control_share(vocabulary, char_counts)
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
        char_counts=char_counts,
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


def character_counts(vocabulary_size: int, codes: np.ndarray) -> np.ndarray:
    """(V,) occurrences of each code: NumPy, slice by slice, no Python loop."""
    counts = np.zeros(vocabulary_size, dtype=np.int64)
    for start in range(0, codes.size, _COUNT_SLICE):
        counts += np.bincount(codes[start : start + _COUNT_SLICE], minlength=vocabulary_size)
    return counts


def _control_share(vocabulary: Vocabulary, counts: np.ndarray) -> float:
    """Share of characters that are control characters other than the usual whitespace."""
    controls = [
        code
        for code, char in enumerate(vocabulary.chars)
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS
    ]
    total = int(counts.sum())
    if not controls or total == 0:
        return 0.0
    return float(counts[controls].sum()) / total


def validation_excerpt(corpus: Corpus, fraction: float, length: int = 200) -> str:
    """About ``length`` characters of held-out text, for probes: from the start of a line in the
    validation part (line mode: validation lines joined by newlines), cut at a word boundary."""
    if corpus.line_mode:
        try:
            text = "\n".join(split_lines(corpus, fraction)[1]) + "\n"
        except CorpusError:
            text = corpus.text
    else:
        begin = len(corpus.text) - max(int(len(corpus.text) * fraction), length)
        text = corpus.text[begin : begin + 2 * length + 40]  # all the excerpt can reach
    start = text.find("\n", 0, length) + 1  # a line start, if one comes soon
    excerpt = text[start : start + length + 40].lstrip("\n")
    if len(excerpt) > length:
        # End after the last space or newline past 80% of the length: whole words.
        cut = max(excerpt.rfind(" ", int(length * 0.8), length + 1),
                  excerpt.rfind("\n", int(length * 0.8), length + 1))  # fmt: skip
        excerpt = excerpt[: cut + 1 if cut > 0 else length]
    return excerpt
