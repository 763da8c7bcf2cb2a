"""Each built-in lesson's claim as a measurable check, run headless on the lesson's own runs.

A lesson tells a class what it will see ("the vanilla RNN stays on the chance line"); its check
trains the runs the lesson file sets up, for a test-sized budget of steps, and measures that
claim, so a lesson that stops demonstrating its point fails the test suite. A budget is steps,
never seconds: a verdict must not depend on the machine or its load. Where the point itself
needs more training than a test can afford, the check says so and tests what the point rests on.

    result = run_check("forgetting")  # CheckResult(passed=True, measured="T = 20, ...")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rnnlab.core.builtin_lessons import builtin_lesson_path
from rnnlab.core.lesson import Lesson, load_lesson
from rnnlab.core.lesson_checks_memory import check_exploding, check_forgetting
from rnnlab.core.lesson_checks_sampling import check_surnames, check_temperature
from rnnlab.core.lesson_checks_text import (
    check_cell_race,
    check_inside_lstm,
    check_markov,
    check_samples_over_training,
)
from rnnlab.core.lesson_checks_tokens import check_tokens
from rnnlab.core.lesson_training import CheckResult, one_thread

__all__ = ["CHECKS", "CheckResult", "LessonCheck", "run_check"]


@dataclass(frozen=True)
class LessonCheck:
    """A lesson's check and the budget (steps per run) that shows its claim reliably."""

    function: Callable[[Lesson, int], CheckResult]
    steps: int

    def __call__(self, lesson: Lesson, steps: int | None = None) -> CheckResult:
        with one_thread():
            return self.function(lesson, self.steps if steps is None else steps)


# The budgets are the smallest that held with a margin on every seed tried; the lessons'
# texts give the numbers a class sees with the longer budgets they train for.
CHECKS: dict[str, LessonCheck] = {
    "forgetting": LessonCheck(check_forgetting, 400),
    "exploding": LessonCheck(check_exploding, 40),
    "inside_lstm": LessonCheck(check_inside_lstm, 100),
    "temperature": LessonCheck(check_temperature, 100),
    "samples_over_training": LessonCheck(check_samples_over_training, 100),
    "surnames": LessonCheck(check_surnames, 200),
    "markov": LessonCheck(check_markov, 100),
    "cell_race": LessonCheck(check_cell_race, 20),
    "tokens": LessonCheck(check_tokens, 30),
}


def run_check(name: str, steps: int | None = None, lesson: Lesson | None = None) -> CheckResult:
    """The check of the built-in lesson ``name``, on that lesson (or on ``lesson``, a variant
    of it), for its budget (or ``steps`` per run)."""
    if lesson is None:
        lesson = load_lesson(builtin_lesson_path(name))
    return CHECKS[name](lesson, steps)
