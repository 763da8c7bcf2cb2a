"""The built-in lessons: every one reads, `rnnlab lessons` lists them, and each one's claim holds
when its runs are trained headless for a test-sized budget, so a lesson that stops showing its
point fails here. A check can fail, too: on a variant that lacks what the lesson shows."""

import dataclasses
import json
import re
from pathlib import Path

import pytest

from rnnlab.cli import main
from rnnlab.core.builtin_lessons import BUILTIN_ORDER, builtin_lessons, lessons_folder
from rnnlab.core.errors import LessonError
from rnnlab.core.lesson import Lesson, LessonRun, load_lesson
from rnnlab.core.lesson_checks import CHECKS, run_check
from rnnlab.core.lesson_checks_sampling import (
    SLIDER_HIGH,
    SLIDER_LOW,
    SLIDER_POSITIONS,
    slider_temperature,
)

GUI = Path(__file__).resolve().parents[2] / "rnnlab" / "gui"


def _window_object_names() -> set[str]:
    """The object names the window's source gives its controls (read as text: no Qt here)."""
    names = set()
    for path in GUI.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r'objectName="(\w+)"', text))
        names.update(re.findall(r'setObjectName\("(\w+)"\)', text))
        names.update(re.findall(r'(?:spin_box|combo_box)\(\s*"(\w+)"', text))
        # The sample panel's self._add(widget, "name"): the name is the call's last argument.
        names.update(re.findall(r'_add\(.*, "(\w+)"\)$', text, re.M))
    return names


def test_every_builtin_lesson_reads_and_names_controls_the_window_has() -> None:
    lessons = builtin_lessons()
    assert [lesson.name for lesson in lessons] == list(BUILTIN_ORDER)
    assert len(lessons) >= 8
    assert sorted(path.stem for path in lessons_folder().glob("*.toml")) == sorted(BUILTIN_ORDER)
    assert list(CHECKS) == list(BUILTIN_ORDER), "every built-in lesson has its check"
    window_names = _window_object_names()
    assert {"taskLengthSpin", "stepsBudgetSpin", "temperatureSlider"} <= window_names
    for listed in lessons:
        lesson = load_lesson(listed.path)
        assert lesson.title == listed.title and lesson.title.strip()
        assert 2 <= len(lesson.steps) <= 6, listed.name  # ten minutes of a lecture
        assert all(step.text.strip() for step in lesson.steps), listed.name
        assert "XX" not in " ".join(step.text for step in lesson.steps), listed.name
        unknown = lesson.object_names() - window_names
        assert not unknown, f"{listed.name} names controls the window lacks: {unknown}"


def test_the_temperature_check_reads_the_slider_as_the_sample_panel_does() -> None:
    source = (GUI / "panels" / "sample_panel.py").read_text(encoding="utf-8")
    low, high = re.search(r"TEMPERATURE_MIN, TEMPERATURE_MAX, \w+ = ([\d.]+), ([\d.]+)",
                          source).groups()  # fmt: skip
    positions = re.search(r"SLIDER_POSITIONS = ([\d_]+)", source)[1]
    assert (float(low), float(high), int(positions)) == (SLIDER_LOW, SLIDER_HIGH,
                                                         SLIDER_POSITIONS)  # fmt: skip
    assert [round(slider_temperature(position), 2) for position in (438, 732, 901)] == [
        0.3, 1.0, 2.0]  # the positions the temperature lesson sets


def test_an_unknown_builtin_lesson_is_one_line_naming_the_lessons() -> None:
    from rnnlab.core.builtin_lessons import builtin_lesson_path

    with pytest.raises(LessonError, match="no built-in lesson 'forget'; the lessons are forg"):
        builtin_lesson_path("forget")


def test_lessons_command_lists_all_eight_with_their_files(capsys) -> None:
    assert main(["lessons", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["lessons"]
    assert [lesson["name"] for lesson in listed] == list(BUILTIN_ORDER)
    for lesson in listed:
        assert set(lesson) == {"name", "title", "path"}
        assert Path(lesson["path"]).is_file() and Path(lesson["path"]).is_absolute()
        assert load_lesson(lesson["path"]).title == lesson["title"]
    assert main(["lessons"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(BUILTIN_ORDER)
    assert lines[0].split(None, 1) == ["forgetting", "Why vanilla RNNs forget"]


@pytest.mark.parametrize("name", BUILTIN_ORDER)
def test_each_lesson_still_shows_its_point(name: str) -> None:
    result = run_check(name)
    print(f"{name}: {result.measured}")  # shown with -s or -rA: the numbers the class will see
    assert result.passed, f"{name}: {result.measured}"


def _without_cells(lesson: Lesson, *cells: str) -> Lesson:
    runs = tuple(run for run in lesson.runs if run.model.get("cell") not in cells)
    return dataclasses.replace(lesson, runs=runs)


def test_the_forgetting_check_fails_without_a_vanilla_rnn_to_forget() -> None:
    lesson = load_lesson(lessons_folder() / "forgetting.toml")
    result = run_check("forgetting", lesson=_without_cells(lesson, "rnn"))
    assert not result.passed
    assert "it needs a vanilla RNN run and a gated run" in result.measured


def test_the_forgetting_check_fails_where_the_distance_is_short_enough_to_remember() -> None:
    lesson = load_lesson(lessons_folder() / "forgetting.toml")
    short = tuple(dataclasses.replace(step, actions=tuple(
        action for action in step.actions if str(action) != "set taskLengthSpin 20"))
        for step in lesson.steps)  # fmt: skip
    result = run_check("forgetting", lesson=dataclasses.replace(lesson, steps=short))
    assert not result.passed  # at T = 5 the vanilla RNN learns: it falls below 0.7 x chance
    assert result.measured.startswith("T = 5, 400 steps each: vanilla RNN 0.")


def test_the_lstm_check_fails_on_an_untrained_network() -> None:
    result = run_check("inside_lstm", steps=1)
    assert not result.passed, result.measured  # no unit follows the line, no gate saturates


def test_the_clipping_check_fails_when_the_unclipped_run_is_tame() -> None:
    lesson = load_lesson(lessons_folder() / "exploding.toml")
    tame = tuple(LessonRun(run.name, run.model, {**run.train, "learning_rate": 0.01})
                 for run in lesson.runs)  # fmt: skip
    result = run_check("exploding", steps=30, lesson=dataclasses.replace(lesson, runs=tame))
    assert not result.passed
    assert "no clipping (clip none): validation" in result.measured
