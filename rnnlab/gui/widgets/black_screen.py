"""A black screen over the whole window, as presentation software shows on B: the class looks
at the teacher, not the plots. Any key or click brings the window back."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid


class BlackScreen(QWidget):
    """A child of the window that covers all of it (menus and docks too) while shown."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window, objectName="blackScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self._focus_before: QWidget | None = None
        self.hide()
        window.installEventFilter(self)  # follows the window's size

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            self.cover()

    def cover(self) -> None:
        window = self.parentWidget()
        self._focus_before = QApplication.focusWidget()
        self.setGeometry(window.rect())
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QEvent) -> None:
        super().hideEvent(event)
        before, self._focus_before = self._focus_before, None
        # The widget that had the focus may be gone by now (a dialog closed meanwhile).
        if before is not None and isValid(before) and before.isVisible():
            before.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        # Every key is ours while the screen is black, even one that is a shortcut (Space would
        # pause training unseen): it brings the window back instead.
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        event.accept()
        self.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        QPainter(self).fillRect(self.rect(), QColor(0, 0, 0))
