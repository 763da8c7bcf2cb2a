"""Real inspections for the inspector views: tiny models trained for a moment, then probed."""

from pathlib import Path

import pytest

import rnnlab.gui  # noqa: F401  (binds pyqtgraph to PySide6 before a test imports pyqtgraph)
from rnnlab.core.config import CELL_TYPES
from rnnlab.core.corpus import Corpus, bundled_data_dir, load_corpus, validation_excerpt

PROBE_CHARS = 120
HIDDEN_SIZE = 24


@pytest.fixture(scope="session", autouse=True)
def collect_in_the_gui_thread(qapp) -> None:
    """As the application does (rnnlab.gui.window.collector): worker and pool threads in these tests
    must not finalise Qt objects."""
    from rnnlab.gui.window.collector import collect_in_gui_thread

    collect_in_gui_thread()


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    text = (bundled_data_dir() / "tinyshakespeare.txt").read_text(encoding="utf-8")[:30_000]
    path: Path = tmp_path_factory.mktemp("corpora") / "shakespeare_30k.txt"
    path.write_text(text, encoding="utf-8")
    return load_corpus(path)


@pytest.fixture(scope="session")
def trained_trainers(small_corpus: Corpus) -> dict:
    """A 2-layer model of every cell type, trained 40 steps, keyed by cell type."""
    from rnnlab.core.trainer import new_trainer

    trainers = {}
    for cell in CELL_TYPES:
        from engine_helpers import fast_training, tiny_model

        model_config = tiny_model(small_corpus, cell, hidden_size=HIDDEN_SIZE, layers=2)
        trainer = new_trainer(small_corpus, model_config, fast_training(eval_chars=65_536))
        list(trainer.run(max_steps=40))
        trainers[cell] = trainer
    return trainers


@pytest.fixture(scope="session")
def probe_text(small_corpus: Corpus) -> str:
    return validation_excerpt(small_corpus, 0.1, PROBE_CHARS)


@pytest.fixture(scope="session")
def inspections(trained_trainers: dict, small_corpus: Corpus, probe_text: str) -> dict:
    """An Inspection of each trained model on the probe text, keyed by cell type."""
    from rnnlab.core.inspection import inspect

    return {
        cell: inspect(
            trainer.model,
            small_corpus.vocabulary,
            probe_text,
            step=trainer.step,
            group_grad_norms=trainer.group_grad_norms(),
        )
        for cell, trainer in trained_trainers.items()
    }


@pytest.fixture
def shown(qtbot):
    """Show a view at a given size, closed by pytest-qt at teardown: ``shown(View(), 700, 350)``."""

    def show(widget, width: int, height: int):
        qtbot.addWidget(widget)
        widget.resize(width, height)
        widget.show()
        return widget

    return show


@pytest.fixture
def window(qtbot, tmp_path):
    """The main window on sonnets, with its own settings file; stopped and closed at teardown."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from rnnlab.app import create_main_window

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    main = create_main_window(["sonnets"], settings=settings)
    main.show()  # closed below, not by qtbot: pytest-qt closes its widgets before this teardown
    qtbot.waitUntil(lambda: main.corpus is not None, timeout=30_000)
    yield main
    main.controller.stop()
    assert main.controller.wait(5000)
    assert not main.controller.running
    QApplication.processEvents()  # deliver the worker's last queued updates
    main.controller.dirty = False  # no Save/Discard question
    main.close()
    main.deleteLater()
