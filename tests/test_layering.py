"""The engine (rnnlab.core) must stay importable without Qt, and its text side without torch.

Each check runs in a fresh interpreter, because the test process itself has usually imported Qt
(pytest-qt) and torch already. The import-linter contract in pyproject.toml checks the same
layering statically; these tests check what really gets loaded at run time, including imports
made indirectly through third-party packages.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# Nothing Qt-related may be loaded by the engine (rnnlab.cli is also off limits for it).
QT_SIDE = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "rnnlab.gui", "rnnlab.cli")


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter from the repository root; return its JSON output."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"subprocess failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_core_imports_no_qt() -> None:
    code = f"""
import importlib, json, pkgutil, sys
import rnnlab.core
names = ["rnnlab.core"]
for info in pkgutil.walk_packages(rnnlab.core.__path__, "rnnlab.core."):
    importlib.import_module(info.name)
    names.append(info.name)
loaded = sorted(name for name in {QT_SIDE!r} if name in sys.modules)
print(json.dumps({{"imported": names, "loaded": loaded}}))
"""
    result = _run(code)
    assert len(result["imported"]) > 1, "walk_packages found no modules under rnnlab.core"
    assert result["loaded"] == [], (
        f"importing {result['imported']} loaded {result['loaded']}: rnnlab.core must stay Qt-free"
    )


def test_corpus_vocabulary_config_and_sampling_do_not_import_torch() -> None:
    """The window shows a corpus, counts parameters and samples before torch (about 1.5 s to
    import) has loaded."""
    code = f"""
import json, sys
import rnnlab.core.builtin_lessons  # the Lessons menu lists them before torch has loaded
import rnnlab.core.config
import rnnlab.core.corpus
import rnnlab.core.lesson  # the window opens a lesson before any run is built
import rnnlab.core.lesson_writer
import rnnlab.core.sampling
import rnnlab.core.stepping
import rnnlab.core.vocabulary
import rnnlab.core.ngram_baselines  # the whole program of the window's n-gram process
import rnnlab.core.ngram_sampling
import rnnlab.core.validation_layout
heavy = ("torch",) + {QT_SIDE!r}
print(json.dumps({{"loaded": sorted(name for name in heavy if name in sys.modules)}}))
"""
    assert _run(code)["loaded"] == [], "these modules must be numpy-only"


def test_no_window_module_loads_torch_when_imported() -> None:
    """The window paints before torch (about 1.5 s to import) has loaded: every module under
    rnnlab.gui, and the application's entry, imports without loading torch. torch loads later,
    in the training thread or a pool thread, when a model is built or opened."""
    code = """
import importlib, json, pkgutil, sys
import rnnlab.gui
names = ["rnnlab.app", "rnnlab.gui"]
importlib.import_module("rnnlab.app")
for info in pkgutil.walk_packages(rnnlab.gui.__path__, "rnnlab.gui."):
    importlib.import_module(info.name)
    names.append(info.name)
print(json.dumps({"imported": names, "torch": "torch" in sys.modules}))
"""
    result = _run(code)
    rooms = {name.split(".")[2] for name in result["imported"] if name.count(".") >= 2}
    assert rooms >= {"window", "panels", "plots", "inspector", "training", "widgets", "tools"}
    assert len(result["imported"]) > 40, result["imported"]
    assert result["torch"] is False, f"importing {result['imported']} loaded torch"
