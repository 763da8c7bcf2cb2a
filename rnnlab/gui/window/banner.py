"""A message strip above the plots: errors, and the divergence explanation with what to do."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

# Strong colours that read on both palettes and on a projector.
STYLE = ("#banner { background: #fff3cd; border: 2px solid #b45309; border-radius: 6px; }"
         "#bannerText { color: #3b2300; }")  # fmt: skip


class Banner(QFrame):
    resetClicked = Signal()
    resumeClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        self.label = QLabel(objectName="bannerText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label, stretch=1)
        self.reset_button = QPushButton("Reset weights", objectName="bannerResetButton")
        self.reset_button.setToolTip("Start again from new random weights")
        self.resume_button = QPushButton(
            "Resume from last good weights", objectName="bannerResumeButton"
        )
        self.resume_button.setToolTip(
            "Continue from the weights before the bad step: lower the learning rate or turn on "
            "clipping first, or it will likely diverge again"
        )
        # An icon, not a symbol character: it renders whatever fonts the machine has.
        close_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton)
        self.close_button = QPushButton(close_icon, "", objectName="bannerCloseButton")
        self.close_button.setToolTip("Hide this message")
        self.close_button.setAccessibleName("Hide this message")
        self.close_button.setFixedWidth(36)
        for button in (self.reset_button, self.resume_button, self.close_button):
            layout.addWidget(button)
        self.reset_button.clicked.connect(self.resetClicked.emit)
        self.resume_button.clicked.connect(self.resumeClicked.emit)
        self.close_button.clicked.connect(self.hide)
        self.setStyleSheet(STYLE)
        QGuiApplication.instance().fontChanged.connect(self._restyle)
        self.hide()

    def _restyle(self, _font: QFont) -> None:
        # A widget with a style sheet keeps the font it was polished with: presentation mode's
        # larger application font reaches the banner only when its sheet is applied again.
        self.setStyleSheet(STYLE)

    def show_message(self, message: str) -> None:
        self.label.setText(f"<b>⚠</b> {html.escape(message, quote=False)}")
        self.reset_button.hide()
        self.resume_button.hide()
        self.show()

    def show_divergence(self, step: int, reason: str) -> None:
        self.label.setText(
            f"<b>Training diverged at step {step:,}</b>: {html.escape(reason, quote=False)}.<br>"
            "The gradient exploded: a step this large throws the weights far off, and the loss "
            "becomes infinite or NaN. This run is paused with the weights of its last good step. "
            "<b>Turn on gradient clipping or lower the learning rate</b>, then resume — "
            "or reset the weights."
        )
        self.reset_button.show()
        self.resume_button.show()
        self.show()
