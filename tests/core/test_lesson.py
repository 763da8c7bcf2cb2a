"""Lesson files: the documented example reads as written, a lesson reads back equal after
saving, and every mistake is one line naming the file and the key. Real files in tmp_path."""

import os
import re
import stat
from pathlib import Path

import pytest

from rnnlab.core.errors import LessonError, RnnlabError
from rnnlab.core.lesson import (
    Action,
    Lesson,
    LessonRun,
    LessonStep,
    load_lesson,
    parse_action,
    parse_lesson,
)
from rnnlab.core.lesson_settings import toml_literal
from rnnlab.core.lesson_writer import lesson_to_toml, save_lesson
from rnnlab.core.tasks import Task, find_task

# The example, comments and all (README.md shows the same file).
EXAMPLE = """\
title = "Why vanilla RNNs forget"
task = { name = "adding", length = 5 }   # or: corpus = "tinyshakespeare"
page = "gradients"                  # loss | gates | text | gradients (the inspector page shown)
hidden_controls = ["optimizerCombo", "dropoutSpin"]   # object names of controls to hide

[[runs]]                            # one or more; several runs open side by side
name = "vanilla RNN"
model = { cell = "rnn", layers = 1, hidden_size = 128 }           # ModelConfig field names
train = { learning_rate = 0.002, clip = "norm", clip_value = 1.0, seed = 0 }

[[runs]]
name = "LSTM"
model = { cell = "lstm", layers = 1, hidden_size = 64 }
train = { learning_rate = 0.002, clip = "norm", clip_value = 1.0, seed = 0 }

[[steps]]
title = "Short distances"
text = "Press Next to race both cells on sums of numbers 5 steps apart."
action = "race"

[[steps]]
title = "Fifty steps apart"
text = "Now the two numbers are 50 steps apart. Watch the vanilla RNN stay on the chance line."
action = ["stop", "set taskLengthSpin 50", "race"]
"""


README = Path(__file__).resolve().parents[2] / "README.md"


def _write(folder: Path, text: str, name: str = "lesson.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _edited(old: str, new: str) -> str:
    assert old in EXAMPLE, old
    return EXAMPLE.replace(old, new, 1)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(LessonError) as caught:
        load_lesson(_write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message, "a LessonError is one line"
    assert message.startswith(str(tmp_path / "lesson.toml")), "it names the file"
    return message.removeprefix(str(tmp_path / "lesson.toml"))


def test_the_documented_example_reads_as_written(tmp_path) -> None:
    path = _write(tmp_path, EXAMPLE)
    lesson = load_lesson(path)
    assert lesson.title == "Why vanilla RNNs forget"
    assert lesson.source == find_task("adding", 5)
    assert lesson.page == "gradients"
    assert lesson.hidden_controls == ("optimizerCombo", "dropoutSpin")
    vanilla, lstm = lesson.runs
    assert vanilla == LessonRun(
        "vanilla RNN",
        {"cell": "rnn", "layers": 1, "hidden_size": 128},
        {"learning_rate": 0.002, "clip": "norm", "clip_value": 1.0, "seed": 0},
    )
    assert (lstm.name, lstm.model["cell"], lstm.model["hidden_size"]) == ("LSTM", "lstm", 64)
    assert lesson.steps == (
        LessonStep(
            "Short distances",
            "Press Next to race both cells on sums of numbers 5 steps apart.",
            (Action("race"),),
        ),
        LessonStep(
            "Fifty steps apart",
            "Now the two numbers are 50 steps apart. Watch the vanilla RNN stay on the chance"
            " line.",
            (Action("stop"), Action("set", object_name="taskLengthSpin", value="50"),
             Action("race")),
        ),
    )  # fmt: skip
    assert lesson.object_names() == {"optimizerCombo", "dropoutSpin", "taskLengthSpin"}
    assert lesson.path == path.absolute()


def test_the_readme_example_is_this_lesson(tmp_path) -> None:
    (block,) = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert load_lesson(_write(tmp_path, block, "readme.toml")) == load_lesson(
        _write(tmp_path, EXAMPLE)
    )


def test_a_run_builds_its_configs_over_the_data_with_the_task_defaults(tmp_path) -> None:
    lesson = load_lesson(_write(tmp_path, EXAMPLE))
    assert isinstance(lesson.source, Task)
    model, train = lesson.runs[0].configs(lesson.source.model_shape(), task=True)
    assert (model.cell, model.hidden_size, model.input_size, model.vocab_size) == ("rnn", 128, 2, 0)
    assert model.embedding_size == 16  # a task default the run leaves alone
    assert (train.learning_rate, train.clip_value, train.eval_every) == (0.002, 1.0, 100)


def test_a_lesson_reads_back_equal_after_saving(tmp_path) -> None:
    corpus = tmp_path / "lessons" / "texts" / "poems.txt"
    corpus.parent.mkdir(parents=True)
    corpus.write_text("a rose is a rose\n", encoding="utf-8")
    edits = {
        'task = { name = "adding", length = 5 }': 'corpus = "texts/poems.txt"',
        'text = "Press Next to race both cells on sums of numbers 5 steps apart."':
            'text = """\nTwo lines, "quoted", a back\\\\slash,\n\ttab and ünïcode ✓"""',
        'action = "race"': 'action = ["train 200", "page gates", "sample"]',
        "seed = 0 }\n\n[[runs]]": "seed = 0, threads = 2 }\n\n[[runs]]",
    }  # fmt: skip
    text = EXAMPLE
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    lesson = load_lesson(_write(tmp_path / "lessons", text))
    assert lesson.source == str(corpus.resolve())
    assert lesson.steps[0].text.startswith("Two lines")
    for original in (lesson, load_lesson(_write(tmp_path, EXAMPLE))):
        written = lesson_to_toml(original)
        assert parse_lesson(written, tmp_path / "lessons", "copy") == original
    for line in ('task = { name = "adding", length = 5 }',  # the documented layout
                 'model = { cell = "rnn", layers = 1, hidden_size = 128 }',
                 'action = ["stop", "set taskLengthSpin 50", "race"]'):  # fmt: skip
        assert f"\n{line}\n" in written
    saved = save_lesson(lesson, tmp_path / "lessons" / "copy.toml")
    assert 'corpus = "texts/poems.txt"' in saved.read_text(encoding="utf-8")  # shareable
    assert load_lesson(saved) == lesson
    assert sorted(os.listdir(tmp_path / "lessons")) == ["copy.toml", "lesson.toml", "texts"]
    if os.name == "posix":  # made to be shared: not private to its owner, as mkstemp makes it
        assert stat.S_IMODE(saved.stat().st_mode) == 0o644
    (tmp_path / "other").mkdir()
    elsewhere = save_lesson(lesson, tmp_path / "other" / "copy.toml")  # the absolute path
    assert f"corpus = {toml_literal(str(corpus.resolve()))}\n" in elsewhere.read_text("utf-8")
    assert load_lesson(elsewhere) == lesson


def test_a_corpus_path_is_relative_to_the_lesson_folder_and_a_bundled_name_stays_a_name(
    tmp_path, monkeypatch
) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)  # not the lesson's folder: the path must not depend on it
    text = _edited('task = { name = "adding", length = 5 }', 'corpus = "data/verses.txt"')
    assert load_lesson(_write(folder, text)).source == str(folder.resolve() / "data/verses.txt")
    text = _edited('task = { name = "adding", length = 5 }', 'corpus = "names"')
    assert load_lesson(_write(folder, text)).source == "names"
    text = _edited('task = { name = "adding", length = 5 }', 'corpus = "./names"')
    assert load_lesson(_write(folder, text)).source == str(folder.resolve() / "names")
    path_lesson = load_lesson(folder / "lesson.toml")
    assert 'corpus = "./names"' in lesson_to_toml(path_lesson)  # a file, not the bundled corpus


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('title = "Why', 'titel = "Why', ": titel: unknown key; did you mean title?"),
        ("title = ", "colour = 1\ntitle = ", ": colour: unknown key; the keys are title, task,"),
        ('name = "LSTM"', 'nmae = "LSTM"', ": runs[2].nmae: unknown key; did you mean name?"),
        ("layers = 1, hidden_size = 64", "layers = 1, hiden_size = 64",
         ": runs[2].model.hiden_size: unknown ModelConfig setting; did you mean hidden_size?"),
        ("hidden_size = 128", 'hidden_size = "128"',
         ': runs[1].model.hidden_size: must be a whole number, got "128"'),
        ("learning_rate = 0.002, clip", "learning_rate = true, clip",
         ": runs[1].train.learning_rate: must be a number, got true"),
        ("hidden_size = 128", "hidden_size = [128]",
         ": runs[1].model.hidden_size: must be a whole number, got a list"),
        ('cell = "rnn"', 'cell = "transformer"', ": runs[1].model.cell: cell must be one of rnn,"),
        ("layers = 1, hidden_size = 128", "layers = 0, hidden_size = 128",
         ": runs[1].model.layers: layers must be a whole number from 1 to 16, got 0"),
        ("layers = 1, hidden_size = 128", "layers = 1, vocab_size = 10",
         ": runs[1].model.vocab_size: decided by the task or corpus, not by the lesson"),
        ('cell = "rnn"', 'cell = "rnn", output_size = 1',
         ": runs[1].model.output_size: decided by the task or corpus"),
        ('cell = "rnn"', 'cell = "rnn", seed = 3',
         ": runs[1].model.seed: a TrainConfig setting: put it under train"),
        ('model = { cell = "rnn", layers = 1, hidden_size = 128 }', 'model = "rnn"',
         ': runs[1].model: must be a table like { cell = "lstm", hidden_size = 128 }, got "rnn"'),
        ("page = ", 'corpus = "names"\npage = ',
         ": task, corpus: a lesson trains on a task or on a corpus: give one, not both"),
        ('task = { name = "adding", length = 5 }', "", ": task, corpus: missing"),
        ('name = "adding"', 'name = "adder"', ": task.name: no task called 'adder'"),
        ("length = 5", "length = 1", ": task.length: task length must be from 2 to 10000"),
        ("length = 5", "length = 5, size = 2", ": task.size: unknown key"),
        ('page = "gradients"', 'page = "gradient"',
         ": page: no page 'gradient'; did you mean gradients?"),
        ('"dropoutSpin"', '"dropout spin"', ": hidden_controls[2]: 'dropout spin' is not an"),
        ('hidden_controls = ["optimizerCombo", "dropoutSpin"]', 'hidden_controls = "dropoutSpin"',
         ': hidden_controls: must be a list of texts like ["a", "b"], got "dropoutSpin"'),
        ('action = "race"', 'action = "jump"',
         ": steps[1].action: unknown action 'jump'; the actions are train, train N, race, pause,"
         " stop, sample, page NAME, set OBJECTNAME VALUE"),
        ('action = "race"', 'action = "rase"',
         ": steps[1].action: unknown action 'rase' (did you mean race?); the actions are"),
        ('action = ["stop"', 'action = ["train 0"',
         ": steps[2].action[1]: train N needs N from 1 to 1,000,000,000, got 0"),
        ('action = ["stop"', 'action = ["train fast"',
         ": steps[2].action[1]: train takes a whole number of steps (train N), got 'train fast'"),
        ('"set taskLengthSpin 50"', '"set taskLengthSpin"',
         ": steps[2].action[2]: set needs an object name and a value"),
        ('"set taskLengthSpin 50"', '"set 2ndSpin 50"',
         ": steps[2].action[2]: '2ndSpin' is not an object name"),
        ('action = "race"', 'action = "page weights"', ": steps[1].action: no page 'weights'"),
        ('action = "race"', "action = 3",
         ': steps[1].action: must be an action like "race" or a list like ["stop", "race"], got 3'),
        ('action = ["stop"', 'action = [1, "stop"', ": steps[2].action[1]: must be text in quotes"),
        ('title = "Short distances"', "title = 7", ": steps[1].title: must be text in quotes"),
        ('title = "Short distances"\n', "", ": steps[1].title: missing"),
        ('name = "LSTM"', 'name = "vanilla RNN"',
         ": runs[2].name: another run is already called 'vanilla RNN'"),
        ('name = "LSTM"', 'name = "  "', ": runs[2].name: must not be blank"),
        ("[[runs]]", "[[rums]]", ": rums: unknown key; did you mean runs?"),
    ],
)  # fmt: skip
def test_each_mistake_is_one_line_naming_its_key(tmp_path, old, new, expected) -> None:
    assert expected in _error(tmp_path, _edited(old, new))


def test_a_lesson_without_runs_or_with_a_single_runs_table_says_so(tmp_path) -> None:
    no_runs = EXAMPLE.split("[[runs]]")[0] + "[[steps]]" + EXAMPLE.split("[[steps]]", 1)[1]
    assert _error(tmp_path, no_runs) == ": runs: missing: a lesson has at least one [[runs]] table"
    single = EXAMPLE.split("[[runs]]\nname = \"LSTM\"")[0].replace("[[runs]]", "[runs]")
    assert _error(tmp_path, single).startswith(": runs: write each one as a [[runs]] table")


def test_a_toml_syntax_error_gives_its_line_and_column(tmp_path) -> None:
    assert _error(tmp_path, _edited('page = "gradients"', "page = gradients")) == (
        ", line 3, column 8: invalid value"
    )
    assert _error(tmp_path, 'title = "unfinished') == ", at its end: unterminated string"


def test_file_problems_are_one_line_each(tmp_path) -> None:
    assert _error(tmp_path, "") == " is empty"
    assert _error(tmp_path, "  \n\t\n") == " is empty"
    (tmp_path / "lesson.toml").write_bytes(b'title = "caf\xe9"\n')  # latin-1, not UTF-8
    with pytest.raises(LessonError, match=r"lesson.toml, line 1: not UTF-8 text \(byte 0xe9\)"):
        load_lesson(tmp_path / "lesson.toml")
    with pytest.raises(LessonError, match=r"missing.toml does not exist$"):
        load_lesson(tmp_path / "missing.toml")
    with pytest.raises(LessonError, match=r"is a folder, not a lesson file$"):
        load_lesson(tmp_path)
    (tmp_path / "big.toml").write_bytes(b"# " + b"x" * 1_000_000)
    with pytest.raises(LessonError, match=r"big.toml is over 1 MB"):
        load_lesson(tmp_path / "big.toml")
    assert issubclass(LessonError, RnnlabError)  # the command line prints it and exits with 2


def test_a_byte_order_mark_is_not_part_of_the_lesson(tmp_path) -> None:
    (tmp_path / "lesson.toml").write_bytes(b"\xef\xbb\xbf" + EXAMPLE.encode("utf-8"))
    assert load_lesson(tmp_path / "lesson.toml").title == "Why vanilla RNNs forget"


def test_nothing_in_a_lesson_runs_code(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    payload = "__import__('os').system('touch pwned')"
    text = _edited('title = "Why vanilla RNNs forget"', f'title = "{payload}"')
    text = text.replace("set taskLengthSpin 50", f"set taskLengthSpin {payload}")
    lesson = load_lesson(_write(tmp_path, text))
    assert lesson.title == payload
    assert lesson.steps[1].actions[1].value == payload  # the text typed into the control
    hostile_cell = _edited('cell = "rnn"', f'cell = "{payload}"')
    assert "cell must be one of" in _error(tmp_path, hostile_cell)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("train", Action("train")),
        ("train 250", Action("train", steps=250)),
        ("  race ", Action("race")),
        ("pause", Action("pause")),
        ("stop", Action("stop")),
        ("sample", Action("sample")),
        ("page text", Action("page", page="text")),
        ("set temperatureSpin 0.5", Action("set", object_name="temperatureSpin", value="0.5")),
        ("set primeEdit ROMEO:  and  JULIET", Action("set", object_name="primeEdit",
                                                     value="ROMEO:  and  JULIET")),
    ],
)  # fmt: skip
def test_actions_parse_and_write_back(text, action) -> None:
    assert parse_action(text) == action
    assert parse_action(str(action)) == action


@pytest.mark.parametrize(
    "text",
    ["", "train -1", "train 2 3", "train ٣", "race now", "page", "page loss gates", "Set x 1"],
)
def test_malformed_actions_are_refused(text) -> None:
    with pytest.raises(LessonError):
        parse_action(text)


def test_a_lesson_that_would_not_read_back_is_not_written(tmp_path) -> None:
    lesson = load_lesson(_write(tmp_path, EXAMPLE))
    broken = Lesson("Broken", lesson.source, "nowhere", (), lesson.runs, ())
    with pytest.raises(LessonError, match=r"broken.toml: page: no page 'nowhere'"):
        save_lesson(broken, tmp_path / "broken.toml")
    assert sorted(os.listdir(tmp_path)) == ["lesson.toml"]
    with pytest.raises(LessonError, match=r"cannot write .*missing.*lesson.toml"):
        save_lesson(lesson, tmp_path / "missing" / "lesson.toml")


def test_settings_at_none_are_left_out_so_a_run_reads_back_equal(tmp_path) -> None:
    run = LessonRun("GRU", {"cell": "gru", "forget_bias": None}, {"threads": None, "seed": 1})
    assert (dict(run.model), dict(run.train)) == ({"cell": "gru"}, {"seed": 1})
    lesson = Lesson("One run", find_task("recall", 20), "loss", (), (run,), ())
    assert load_lesson(save_lesson(lesson, tmp_path / "one.toml")) == lesson
