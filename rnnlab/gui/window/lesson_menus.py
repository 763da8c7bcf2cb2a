"""The menu entries of lessons and of teaching with the window: File > Open lesson and Save as
lesson, the Lesson menu (Next and Back, with the keys presentation clickers send), and View >
Customise controls, Black screen (B) and Keyboard shortcuts (F1 or ?).

The shortcut sheet is made from the menus' own actions when it opens, so it lists every
shortcut the window has, as it has it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from rnnlab.gui.panels.control_dialogs import CustomiseControlsDialog, ShortcutSheet
from rnnlab.gui.widgets.black_screen import BlackScreen
from rnnlab.gui.window.lesson_saving import LESSON_FILTER, save_window_lesson
from rnnlab.gui.window.lessons import BACK_KEYS, NEXT_KEYS

# ``window`` below is the MainWindow (typed Any: importing it here, even for type checking only,
# would make the window room's imports circular).
MainWindow = Any


def menu_text(text: str) -> str:
    """A menu entry's text as read: without its & marks ("&&" is a real &)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_rows(menus: list[QMenu]) -> list[tuple[str, str, str]]:
    """(menu, command, keys) of every menu entry with a shortcut, submenus included."""
    rows = []

    def visit(menu: QMenu, title: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                visit(action.menu(), f"{title} > {menu_text(action.text())}")
            elif action.shortcuts():
                keys = ", ".join(sequence.toString(QKeySequence.SequenceFormat.NativeText)
                                 for sequence in action.shortcuts())  # fmt: skip
                rows.append((title, menu_text(action.text()), keys))

    for menu in menus:
        visit(menu, menu_text(menu.title()))
    return rows


class LessonMenus(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._sheet: ShortcutSheet | None = None
        self.black_screen = BlackScreen(window)
        actions = window.actions_
        file_menu, view_menu = self._menu("&File"), self._menu("&View")
        self.open_lesson = self._action("Open &lesson…", None, self.open_lesson_dialog)
        self.open_lesson.setToolTip("Open a lesson (.toml): its data, runs and steps")
        file_menu.insertAction(actions.open_model, self.open_lesson)
        self.save_lesson = self._action("Save as l&esson…", None, self.save_as_lesson)
        self.save_lesson.setToolTip("Write the data, the runs' settings, the page, the hidden "
                                    "controls and the lesson's steps as a lesson file")  # fmt: skip
        file_menu.insertAction(self._after(file_menu, actions.save_all), self.save_lesson)

        lesson_menu = QMenu("Lessons", window, objectName="lessonMenu")
        window.menuBar().insertMenu(view_menu.menuAction(), lesson_menu)
        self._add_builtin_lessons(lesson_menu)
        self.next_step = self._action("&Next step", NEXT_KEYS, window.lessons.next, lesson_menu)
        self.back_step = self._action("&Previous step", BACK_KEYS, window.lessons.back, lesson_menu)
        lesson_menu.addSeparator()
        self.close_lesson = self._action("&Close lesson", None, window.lessons.close, lesson_menu)

        view_menu.addSeparator()
        self.customise = self._action("C&ustomise controls…", None, self.customise_controls,
                                      view_menu)  # fmt: skip
        self.black = self._action("&Black screen (any key returns)", (Qt.Key.Key_B,),
                                  self.black_screen.toggle, view_menu)  # fmt: skip
        self.shortcuts = self._action("&Keyboard shortcuts", (Qt.Key.Key_F1, Qt.Key.Key_Question),
                                      self.show_shortcuts, view_menu)  # fmt: skip
        self.set_lesson_open(False)

    def _add_builtin_lessons(self, menu: QMenu) -> None:
        """The bundled lessons first, in teaching order: one click opens each."""
        from rnnlab.core.builtin_lessons import builtin_lessons
        from rnnlab.core.errors import RnnlabError

        try:
            lessons = builtin_lessons()
        except RnnlabError as error:  # a broken installation: say so where the lessons would be
            broken = menu.addAction("Built-in lessons could not be read")
            broken.setEnabled(False)
            broken.setToolTip(str(error))
            menu.addSeparator()
            return
        opener = self._window.open_corpus  # a .toml path opens as a lesson
        for number, lesson in enumerate(lessons, start=1):
            action = menu.addAction(f"{number}. {lesson.title}")
            action.setObjectName(f"lesson_{lesson.name}")
            action.setToolTip(f"Open the lesson {lesson.path.name}")
            action.triggered.connect(lambda _checked=False, path=str(lesson.path): opener(path))
        menu.addSeparator()

    def _menu(self, title: str) -> QMenu:
        return next(action.menu() for action in self._window.menuBar().actions()
                    if action.menu() is not None and action.text() == title)  # fmt: skip

    @staticmethod
    def _after(menu: QMenu, action: QAction) -> QAction | None:
        entries = menu.actions()
        index = entries.index(action) + 1
        return entries[index] if index < len(entries) else None

    def _action(self, text: str, keys: tuple[Qt.Key, ...] | None, slot: Callable[[], object],
                menu: QMenu | None = None) -> QAction:  # fmt: skip
        """An entry whose keys work wherever the focus is in the window (text fields keep
        theirs: Qt offers them a key first, and ``Lessons`` keeps Next's and Back's for them)."""
        window = self._window
        action = QAction(text, window)
        if keys:
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())  # not "checked" as an argument
        if menu is not None:
            menu.addAction(action)
        window.addAction(action)
        return action

    def set_lesson_open(self, open_: bool) -> None:
        """Next and Back (and their keys) only while a lesson is open: the arrows are the
        controls' own otherwise."""
        for action in (self.next_step, self.back_step, self.close_lesson):
            action.setEnabled(open_)

    # ---- what the entries do -------------------------------------------------------------------

    @Slot()
    def open_lesson_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._window, "Open a lesson", "", LESSON_FILTER)
        if path:
            self._window.open_corpus(path)  # the one way in for files: .toml is a lesson

    @Slot()
    def save_as_lesson(self, path: str | None = None) -> str | None:
        return save_window_lesson(self._window, self._window.lessons.lesson, path)

    @Slot()
    def customise_controls(self) -> CustomiseControlsDialog:
        """The dialog, open beside the window (not blocking it); OK applies the ticks."""
        hidden = self._window.hidden_controls
        dialog = CustomiseControlsDialog(hidden.groups(), set(hidden.names), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: hidden.set_hidden(dialog.hidden()))
        dialog.open()  # modal to the window, without a nested event loop
        return dialog

    @Slot()
    def show_shortcuts(self) -> ShortcutSheet:
        menus = [action.menu() for action in self._window.menuBar().actions()
                 if action.menu() is not None]  # fmt: skip
        if self._sheet is not None:  # made again: the menus may have changed since
            self._sheet.close()
            self._sheet.deleteLater()
        self._sheet = ShortcutSheet(shortcut_rows(menus), self._window)
        self._sheet.show()
        self._sheet.raise_()
        return self._sheet
