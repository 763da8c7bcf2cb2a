"""The lesson strip above the plots: the lesson's title, the step the class is at and its text,
Back and Next, and a list of the steps to jump to.

It sits across the top of the middle column, where a projector's audience looks first, in the
window's own font (presentation mode enlarges it with everything else). It shows a lesson; the
window performs the steps' actions. Torch-free, as every panel.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtGui import Qt as GuiQt  # the namespace's text functions live in QtGui
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

START = -1  # the position before the first step: the lesson is open, nothing done yet
TITLE_SCALE = 1.3  # the lesson's title a little larger than the step's text


def step_html(text: str) -> str:
    """A step's text as rich text: markup as written ("<b>", "<i>", "<br>"), or plain text with
    its blank lines as paragraphs and its line breaks kept."""
    if GuiQt.mightBeRichText(text):
        return text
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)


class LessonPanel(QFrame):
    """``lessonPanel``: title, ``lessonStepList``, ``lessonBackButton``, ``lessonNextButton``,
    ``lessonCloseButton``, the step's heading (``lessonStepTitle``) and text
    (``lessonStepText``)."""

    nextClicked = Signal()
    backClicked = Signal()
    stepChosen = Signal(int)  # a step picked from the list, counted from 0
    closeClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="lessonPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.titleLabel = QLabel(objectName="lessonTitle")
        self.titleLabel.setTextFormat(Qt.TextFormat.PlainText)
        font = self.titleLabel.font()
        font.setBold(True)
        self.titleLabel.setFont(font)
        self.stepList = QComboBox(objectName="lessonStepList")
        self.stepList.setToolTip("Jump to a step: it is shown and its actions are done")
        self.stepList.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.stepList.setMinimumContentsLength(16)
        self.stepList.activated.connect(self.stepChosen.emit)
        style = self.style()
        self.backButton = self._button(
            "lessonBackButton", "Back", style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack),
            "The previous step, without undoing what was done (Page Up, Left, Up)",
            self.backClicked,
        )  # fmt: skip
        self.nextButton = self._button(
            "lessonNextButton", "Next", style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward),
            "The next step: show it and do its actions (Page Down, Right, Down)",
            self.nextClicked,
        )  # fmt: skip
        self.closeButton = QToolButton(objectName="lessonCloseButton")
        self.closeButton.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        self.closeButton.setToolTip("Close the lesson: the runs and settings stay")
        self.closeButton.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.closeButton.clicked.connect(self.closeClicked.emit)
        self.stepTitle = QLabel(objectName="lessonStepTitle")
        self.stepTitle.setTextFormat(Qt.TextFormat.PlainText)
        self.stepTitle.setFont(font)
        self.stepText = QLabel(objectName="lessonStepText")
        self.stepText.setTextFormat(Qt.TextFormat.RichText)
        self.stepText.setWordWrap(True)
        # Links are shown, never followed: a lesson only shows text.
        self.stepText.setOpenExternalLinks(False)
        self.stepText.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stepText.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        top = QHBoxLayout()
        top.addWidget(self.titleLabel, stretch=1)
        top.addWidget(self.stepList)
        top.addWidget(self.backButton)
        top.addWidget(self.nextButton)
        top.addWidget(self.closeButton)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.stepTitle)
        layout.addWidget(self.stepText)
        self._count = 0
        self._apply_title_font()

    def _button(self, name: str, text: str, icon: QIcon, tip: str, signal: Signal) -> QPushButton:
        button = QPushButton(icon, text, objectName=name)
        button.setToolTip(tip)
        # Space must reach the window's Pause, as the training bar's buttons let it.
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        button.clicked.connect(signal.emit)
        return button

    def _apply_title_font(self) -> None:
        font = self.titleLabel.font()
        size = self.font().pointSizeF()
        if size > 0:
            font.setPointSizeF(size * TITLE_SCALE)
        self.titleLabel.setFont(font)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode: the title grows too
            self._apply_title_font()

    # ---- what the window calls ----------------------------------------------------------------

    def show_lesson(self, title: str, step_titles: list[str]) -> None:
        """A newly opened lesson, at its start."""
        self.titleLabel.setText(title)
        self._count = len(step_titles)
        self.stepList.clear()
        for number, step in enumerate(step_titles, 1):
            self.stepList.addItem(f"{number}. {step}")
        self.stepList.setPlaceholderText("Steps" if step_titles else "No steps")
        self.stepList.setEnabled(bool(step_titles))

    def show_step(self, index: int, title: str = "", text: str = "") -> None:
        """Step ``index`` (from 0), or the start (START) with the first step's title."""
        count = self._count
        self.backButton.setEnabled(index > START)
        self.nextButton.setEnabled(index < count - 1)
        self.stepList.setCurrentIndex(index)  # -1 shows the placeholder at the start
        if index == START:
            self.stepTitle.setText(f"{count} step{'s' if count != 1 else ''}"
                                   if count else "This lesson has no steps")  # fmt: skip
            self.stepText.setText(
                step_html(f"Press Next (Page Down) to begin with step 1: {title}.")
                if count
                else step_html("Its runs are ready: train and look inside them.")
            )
            return
        self.stepTitle.setText(f"Step {index + 1} of {count}: {title}")
        self.stepText.setText(step_html(text))
