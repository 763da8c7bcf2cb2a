"""The built-in lessons suit the real window: every control they hide or set exists, and every
value they set is one that control takes (rnnlab.core.builtin_lessons lists the lessons;
tests/core/test_builtin_lessons.py checks their claims)."""

from rnnlab.core.builtin_lessons import builtin_lessons


def test_every_builtin_lesson_opens_in_the_window_without_a_problem(window) -> None:
    problems = {}
    for listed in builtin_lessons():
        problem = window.lessons.problem(listed.load(), str(listed.path))
        if problem:
            problems[listed.name] = problem
    assert not problems, problems


def test_the_control_names_the_readme_gives_lesson_writers_exist(window) -> None:
    import re
    from pathlib import Path

    from PySide6.QtWidgets import QWidget

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("  - Control names:") : readme.index("  - `temperatureSlider`")]
    names = re.findall(r"`([a-z]\w+(?:Spin|Combo|Edit|Check|Slider))`", paragraph)
    assert len(names) >= 10
    missing = [name for name in names if window.findChild(QWidget, name) is None]
    assert not missing, missing
