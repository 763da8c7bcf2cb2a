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
