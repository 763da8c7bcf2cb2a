"""Texts whose encoding the user picks in the window: the dialog with its preview, the pick
remembered per file, giving up, and reading a text again in another encoding."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from rnnlab.gui.window.text_encodings import SETTINGS_KEY

TIMEOUT = 30_000
CHINESE = "你好世界，这是一个测试。\n" * 200
GREEK = "Καλημέρα κόσμε, αυτό είναι ένα δοκιμαστικό κείμενο.\n" * 100


def asked(qtbot, main):
    qtbot.waitUntil(lambda: main.text_encodings.dialog is not None, timeout=TIMEOUT)
    return main.text_encodings.dialog


def pick(dialog, encoding: str) -> None:
    dialog.encodingCombo.setCurrentIndex(dialog.encodingCombo.findData(encoding))


def test_a_chinese_text_opens_in_the_encoding_picked_and_is_remembered(
    qtbot, window, tmp_path: Path
) -> None:
    main = window
    path = tmp_path / "zh.txt"
    path.write_bytes(CHINESE.encode("gb18030"))
    main.open_corpus(str(path))
    dialog = asked(qtbot, main)
    assert dialog.encoding() == "gb18030" and dialog.preview().startswith("你好世界")
    assert "zh.txt could not be read" in dialog.findChild(object, "encodingExplanation").text()
    assert "--encoding" not in dialog.findChild(object, "encodingExplanation").text()
    pick(dialog, "shift_jis")  # a wrong one reads as nonsense in the preview
    assert "你好世界" not in dialog.preview()
    pick(dialog, "gb18030")
    with qtbot.waitSignal(main.loader.corpusLoaded, timeout=TIMEOUT):
        dialog.accept()
    assert main.corpus.text == CHINESE and main.corpus.encoding == "gb18030"
    assert main.actions_.reopen_encoding.isEnabled()
    # Opened again (a recent file, a lesson, the next launch): no question.
    with qtbot.waitSignal(main.loader.corpusLoaded, timeout=TIMEOUT):
        main.open_corpus("sonnets")
    assert not main.actions_.reopen_encoding.isEnabled()  # a bundled text is UTF-8
    with qtbot.waitSignal(main.loader.corpusLoaded, timeout=TIMEOUT):
        main.open_corpus(str(path))
    assert main.text_encodings.dialog is None and main.corpus.encoding == "gb18030"
    assert str(path.resolve()) in str(main.settings.value(SETTINGS_KEY))


def test_cancelling_keeps_the_text_shown_and_a_waiting_train_does_not_start(
    qtbot, window, tmp_path: Path
) -> None:
    main = window
    before = main.corpus
    path = tmp_path / "wide.txt"
    path.write_bytes("Grüße aus Köln\n".encode("utf-16-le") * 100)  # UTF-16, no byte-order mark
    main.open_corpus(str(path))
    dialog = asked(qtbot, main)
    assert dialog.encoding() == "utf-16-le" and dialog.preview().startswith("Grüße aus Köln")
    main.actions_.train.trigger()  # pressed while the text is still to come: it waits
    assert main.loader.loading_corpus and not main.controller.running
    with qtbot.waitSignal(main.loader.corpusFailed, timeout=TIMEOUT):
        dialog.reject()
    assert main.corpus is before and not main.loader.loading_corpus
    assert "wide.txt was not opened" in main.banner.label.text()
    assert not main.controller.running and len(main.runs) == 0


def test_a_text_read_in_the_wrong_encoding_is_read_again_in_another(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    # Greek cp1253 bytes read as Russian cp1251 without an error: only the user can tell.
    main = window
    path = tmp_path / "greek.txt"
    path.write_bytes(GREEK.encode("cp1253"))
    with qtbot.waitSignal(main.loader.corpusLoaded, timeout=TIMEOUT):
        main.open_corpus(str(path))
    assert main.corpus.encoding == "cp1251" and main.corpus.text != GREEK
    main.model_panel.hiddenSizeSpin.setValue(16)
    main.training_bar.steps_budget.setValue(2)
    main.actions_.train.trigger()
    qtbot.waitUntil(lambda: not main.controller.running and main.controller.step == 2,
                    timeout=TIMEOUT)  # fmt: skip
    asked_to_drop = []

    def answer(*args, **kwargs):
        asked_to_drop.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    main.actions_.reopen_encoding.trigger()
    dialog = asked(qtbot, main)
    assert "greek.txt was read as cp1251" in dialog.findChild(object, "encodingExplanation").text()
    pick(dialog, "cp1253")
    assert dialog.preview().startswith("Καλημέρα κόσμε")
    with qtbot.waitSignal(main.loader.corpusLoaded, timeout=TIMEOUT):
        dialog.accept()
    assert main.corpus.text == GREEK and main.corpus.encoding == "cp1253"
    assert asked_to_drop and "belong to greek.txt" in asked_to_drop[0]  # the run was asked about
    assert len(main.runs) == 0  # the run belonged to the other reading
