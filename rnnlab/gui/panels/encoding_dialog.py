"""The encoding dialog: a text that is not UTF-8, and whose encoding its bytes do not tell, is
opened in the encoding the user picks, with a preview of what each one reads.

A view only: ``encoding()`` gives the pick; the window loads the text with it
(``rnnlab.gui.window.text_encodings``). The encodings offered and the ones suggested come from
``rnnlab.core.encoding_choices``.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from rnnlab.core.encoding_choices import ENCODINGS, read_as

PREVIEW_CHARS = 2_000  # the start of the text: enough lines to read, few enough to draw at once


class EncodingDialog(QDialog):
    def __init__(
        self,
        name: str,
        headline: str,
        sample: bytes,
        suggested: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        """``name``: the file's name; ``headline``: what happened to it, a sentence (what reading
        it failed on, or how it was read); ``sample``: its first bytes; ``suggested``: encodings
        that read them cleanly, offered first."""
        super().__init__(parent)
        self.setObjectName("encodingDialog")
        self.setWindowTitle(f"Open {name} as…")
        self._sample = sample
        explanation = QLabel(
            f"{html.escape(headline)}<br>A file does not say which encoding "
            "wrote it, so pick the one it was written in: the preview shows its start read that "
            "way. The encodings that read it without errors come first; the wrong ones show "
            "nonsense or � marks."
        )
        explanation.setWordWrap(True)
        explanation.setObjectName("encodingExplanation")

        self.encodingCombo = QComboBox()
        self.encodingCombo.setObjectName("encodingCombo")
        labels = dict(ENCODINGS)
        for encoding in suggested:
            self.encodingCombo.addItem(f"{encoding} — {labels[encoding]} (reads it)", encoding)
        if suggested:
            self.encodingCombo.insertSeparator(self.encodingCombo.count())
        for encoding, label in ENCODINGS:
            if encoding not in suggested:
                self.encodingCombo.addItem(f"{encoding} — {label}", encoding)
        self.encodingCombo.setToolTip(
            "The character encoding the text was saved in. Chinese: gb18030 or big5; Japanese: "
            "shift_jis or euc-jp; Russian: cp1251 or koi8-r; Western European: cp1252; a file "
            "with NUL bytes between letters: utf-16."
        )
        self.encodingPreview = QPlainTextEdit()
        self.encodingPreview.setObjectName("encodingPreview")
        self.encodingPreview.setReadOnly(True)
        self.encodingPreview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.encodingPreview.setMinimumSize(520, 220)

        form = QFormLayout()
        label = QLabel("&Encoding:")
        label.setBuddy(self.encodingCombo)
        form.addRow(label, self.encodingCombo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.encodingPreview, 1)
        layout.addWidget(buttons)

        self.encodingCombo.currentIndexChanged.connect(self._show_preview)
        self._show_preview()
        self.encodingCombo.setFocus()

    def encoding(self) -> str:
        """The codec name picked."""
        return str(self.encodingCombo.currentData())

    def preview(self) -> str:
        return self.encodingPreview.toPlainText()

    def _show_preview(self) -> None:
        # Undecodable bytes show as U+FFFD, so a wrong pick is visible rather than refused here.
        text = read_as(self._sample, self.encoding(), errors="replace")
        self.encodingPreview.setPlainText(text[:PREVIEW_CHARS])
