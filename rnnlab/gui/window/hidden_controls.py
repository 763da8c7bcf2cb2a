"""Controls a teacher hides (View > Customise controls, or a lesson's ``hidden_controls``): out
of sight with their labels, their values kept and still in use. The choice persists in the
window's settings and is saved with a lesson.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QWidget,
)

from rnnlab.gui.widgets.control_values import caption_of, control_label
from rnnlab.gui.window.layout import WindowParts

SETTINGS_KEY = "hiddenControls"
CONTROL_TYPES = (QAbstractSpinBox, QAbstractSlider, QComboBox, QAbstractButton, QLineEdit)


class HiddenControls(QObject):
    def __init__(self, window: QMainWindow, parts: WindowParts, settings: QSettings) -> None:
        super().__init__(window)
        self._window, self._parts, self._settings = window, parts, settings
        # Per hidden control: whether it (and its label) would show but for the choice. A
        # panel may show or hide it meanwhile (the sample panel's length boxes follow line
        # mode): what it wants is kept for when the control comes back.
        self._hidden: dict[str, tuple[QWidget, bool, QWidget | None, bool]] = {}
        self.set_hidden(self._remembered(), remember=False)

    @property
    def names(self) -> list[str]:
        """The hidden controls' object names, in the order they were hidden."""
        return list(self._hidden)

    def find(self, name: str) -> QWidget | None:
        return self._window.findChild(QWidget, name)

    def set_hidden(self, names: list[str] | tuple[str, ...], *, remember: bool = True) -> None:
        """Hide exactly these controls (names the window lacks are skipped); show the others."""
        wanted = list(dict.fromkeys(names))
        for name in [name for name in self._hidden if name not in wanted]:
            self._show(name)
        for name in wanted:
            widget = self.find(name)
            if widget is not None and name not in self._hidden:
                self._hide(name, widget)
        if remember:
            self._settings.setValue(SETTINGS_KEY, self.names)

    def groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The side panels' controls by panel, as (label, object name), for the dialog; then
        any other hidden control (one a lesson hid), so it can be shown again."""
        parts = self._parts
        panels = (("Corpus", parts.corpus_panel), ("Model", parts.model_panel),
                  ("Sample", parts.sample_panel), ("Surprise", parts.surprise_panel),
                  ("Training bar", parts.training_bar))  # fmt: skip
        listed: set[str] = set()
        groups = []
        for title, panel in panels:
            controls = []
            for widget in panel.findChildren(QWidget):
                name = widget.objectName()
                if isinstance(widget, CONTROL_TYPES) and name and not name.startswith("qt_") \
                        and name not in listed:  # fmt: skip
                    listed.add(name)
                    controls.append((control_label(widget), name))
            groups.append((title, controls))
        others = [(control_label(self._hidden[name][0]), name) for name in self._hidden
                  if name not in listed]  # fmt: skip
        if others:
            groups.append(("Elsewhere", others))
        return groups

    # ---- hiding and showing ------------------------------------------------------------------

    def _hide(self, name: str, widget: QWidget) -> None:
        caption = caption_of(widget)
        self._hidden[name] = (widget, not widget.isHidden(), caption,
                              caption is not None and not caption.isHidden())  # fmt: skip
        widget.installEventFilter(self)
        for item in (widget, caption):
            if item is not None:
                item.hide()

    def _show(self, name: str) -> None:
        widget, shown, caption, caption_shown = self._hidden.pop(name)
        widget.removeEventFilter(self)
        widget.setVisible(shown)
        if caption is not None:
            caption.setVisible(caption_shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            name = watched.objectName()
            if name in self._hidden:  # its panel showed it: remember that, and hide it again
                widget, _, caption, caption_shown = self._hidden[name]
                self._hidden[name] = (widget, True, caption, caption_shown)
                # After the show has finished: hiding a widget inside its own show event
                # leaves Qt's bookkeeping of it half done.
                QTimer.singleShot(0, lambda: self._hide_again(name))
        return super().eventFilter(watched, event)

    def _hide_again(self, name: str) -> None:
        if name in self._hidden:
            self._hidden[name][0].hide()

    def _remembered(self) -> list[str]:
        value = self._settings.value(SETTINGS_KEY) or []
        return [str(item) for item in (value if isinstance(value, list) else [value])]
