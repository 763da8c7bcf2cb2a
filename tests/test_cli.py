"""The rnnlab command: what a user types, what they see, and the exit codes scripts rely on."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlab.cli import main
from rnnlab.core.corpus import bundled_data_dir

TINY = [
    "--hidden-size",
    "32",
    "--layers",
    "1",
    "--embedding-size",
    "16",
    "--batch-size",
    "4",
    "--seq-len",
    "16",
    "--threads",
    "1",
]


@pytest.fixture(scope="module")
def poem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = (bundled_data_dir() / "sonnets.txt").read_text(encoding="utf-8")[:12_000]
    path = tmp_path_factory.mktemp("cli") / "poem.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def checkpoint(poem: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ckpt") / "poem.pt"
    assert train_tiny(poem, "--out", str(out)) == 0
    return out


def train_tiny(corpus: Path, *extra: str) -> int:
    """rnnlab train on a tiny model: 12 steps, validation every 5."""
    return main(
        ["train", "--corpus", str(corpus), *TINY, "--steps", "12", "--eval-every", "5", *extra]
    )


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_train_writes_progress_log_and_checkpoint(poem, tmp_path, capsys) -> None:
    out, log = tmp_path / "model.pt", tmp_path / "log.jsonl"
    code = train_tiny(poem, "--out", str(out), "--log-jsonl", str(log))
    assert code == 0
    err = capsys.readouterr().err
    assert "poem.txt: 12,000 characters" in err and "saved step 12" in err
    assert "step 12/12" in err and "val " in err  # the last progress line
    records = [json.loads(line) for line in log.read_text().splitlines()]
    steps = [r for r in records if "loss" in r]
    evaluations = [r for r in records if "val_loss" in r]
    assert [r["step"] for r in steps] == list(range(1, 13))
    assert [r["step"] for r in evaluations] == [5, 10, 12]
    assert {"bits_per_char", "grad_norm", "clipped", "learning_rate", "chars_per_second"} <= set(
        steps[0]
    )
    assert {"val_bits_per_char", "val_perplexity"} <= set(evaluations[0])
    assert out.exists()


def test_resume_continues_the_count_and_refuses_new_shapes(checkpoint, tmp_path, capsys) -> None:
    resumed = tmp_path / "resumed.pt"
    assert (
        main(
            [
                "train",
                "--resume",
                str(checkpoint),
                "--steps",
                "3",
                "--lr",
                "0.001",
                "--out",
                str(resumed),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["info", str(resumed)]) == 0
    info = capsys.readouterr().out
    assert "step 15" in info and "learning_rate 0.003 -> 0.001" in info
    assert main(["train", "--resume", str(checkpoint), "--hidden-size", "64"]) == 2
    assert "--hidden-size cannot change when resuming" in one_line_error(capsys)


def test_sample_prints_text_and_is_repeatable(checkpoint, capsys) -> None:
    arguments = ["sample", str(checkpoint), "--prime", "Thy", "--length", "80", "--seed", "3"]
    assert main(arguments) == 0
    first = capsys.readouterr().out
    assert first.startswith("Thy") and len(first) == len("Thy") + 80 + 1
    assert main(arguments) == 0
    assert capsys.readouterr().out == first
    assert main(["sample", str(checkpoint), "--beam", "3", "--length", "10", "--prime", "O"]) == 0
    beams = capsys.readouterr().out
    assert beams.count("--- beam") == 3 and "log-probability" in beams


def test_sample_drops_unknown_prime_characters_with_a_warning(checkpoint, capsys) -> None:
    assert main(["sample", str(checkpoint), "--prime", "Thy€", "--length", "5"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Thy") and "warning" in captured.err and "'€'" in captured.err


def test_info_and_corpora(checkpoint, capsys) -> None:
    assert main(["info", str(checkpoint)]) == 0
    info = capsys.readouterr().out
    assert "1 x 32 lstm" in info and "parameters:" in info and "poem.txt" in info
    count = info.split("parameters: ")[1].split(" ")[0]
    assert f"(formula: {count})" in info
    assert main(["corpora"]) == 0
    listing = capsys.readouterr().out
    for name in ("tinyshakespeare", "names", "russian_names", "onegin", "sonnets", "python_stdlib"):
        assert name in listing
    assert "1,115,394" in listing


def test_line_mode_samples_whole_names(tmp_path, capsys) -> None:
    out = tmp_path / "names.pt"
    assert train_tiny("names", "--batch-size", "32", "--steps", "40", "--out", str(out)) == 0
    assert "(line mode)" in capsys.readouterr().err
    assert main(["sample", str(out), "--prime", "ar", "--count", "5", "--seed", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and all(line.startswith("ar") for line in lines)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["train", "--corpus", "no/such/file.txt"], "no such file or bundled corpus"),
        (["train"], "say what to train on"),
        (["train", "--corpus", "names", "--steps", "0"], "--steps must be at least 1"),
        (["train", "--corpus", "names", "--hidden-size", "0"], "hidden size must be"),
        (["train", "--corpus", "names", "--cell", "transformer"], "invalid choice"),
        (["train", "--corpus", "names", "--lr", "fast"], "invalid float value"),
        (["sample", "missing.pt"], "no such checkpoint"),
        (["info", "missing.pt"], "no such checkpoint"),
    ],
)
def test_user_errors_exit_2_with_one_line(arguments, message, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        sys.exit(main(arguments))
    assert exit_info.value.code == 2
    assert message in one_line_error(capsys)


def test_a_model_larger_than_memory_is_refused_before_it_is_built(capsys) -> None:
    from rnnlab.core.memory_estimate import available_memory

    if available_memory() is None:
        pytest.skip("this system does not say how much memory is free")
    arguments = ["--hidden-size", "16384", "--layers", "16", "--batch-size", "65536"]
    assert main(["train", "--corpus", "sonnets", "--device", "cpu", *arguments]) == 2
    assert "this model needs at least" in one_line_error(capsys)


def test_bad_sampling_settings_and_files(checkpoint, tmp_path, capsys) -> None:
    assert main(["sample", str(checkpoint), "--temperature", "0"]) == 2
    assert "temperature must be a number above 0" in one_line_error(capsys)
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 100)
    assert main(["train", "--corpus", str(binary)]) == 2
    assert "looks binary" in one_line_error(capsys)
    not_a_model = tmp_path / "notes.pt"
    not_a_model.write_text("just some notes\n")
    assert main(["sample", str(not_a_model)]) == 2
    assert "not a checkpoint" in one_line_error(capsys)


def test_divergence_exits_3_and_keeps_the_last_good_weights(poem, tmp_path, capsys) -> None:
    out = tmp_path / "exploded.pt"
    code = main(
        [
            "train",
            "--corpus",
            str(poem),
            "--cell",
            "rnn-relu",
            "--hidden-size",
            "64",
            "--layers",
            "1",
            "--batch-size",
            "8",
            "--seq-len",
            "32",
            "--optimizer",
            "sgd",
            "--lr",
            "50",
            "--clip",
            "none",
            "--steps",
            "300",
            "--out",
            str(out),
        ]
    )
    assert code == 3
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert "training diverged at step" in message and "Lower --lr or use --clip norm" in message
    assert main(["info", str(out)]) == 0
    assert "divergence" in capsys.readouterr().out


def test_no_traceback_reaches_the_user_from_a_real_process(tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "rnnlab", "train", "--corpus", str(empty)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "is empty" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    help_result = subprocess.run(
        [sys.executable, "-m", "rnnlab", "--help"], capture_output=True, text=True, timeout=120
    )
    assert help_result.returncode == 0 and "train" in help_result.stdout


def test_bench_fading_prints_how_much_gradient_each_cell_keeps(capsys) -> None:
    """The demonstration's command, tiny: the vanilla RNN keeps less gradient 50 steps back."""
    arguments = ["bench", "fading", "--steps", "3", "--hidden-size", "16", "--layers", "1"]
    assert main([*arguments, "--corpus", "sonnets", "--device", "cpu", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    cells = results["cells"]
    assert set(cells) == {"rnn", "lstm"} and results["distance"] == 50
    for values in cells.values():
        assert len(values["fade_after"]) == 1 and 0 <= values["fade_after"][0] < 1
    assert cells["rnn"]["fade_after"][0] < cells["lstm"]["fade_after"][0]


def test_bench_plots_times_the_window_plots_from_the_command_line() -> None:
    """The window's benchmarks moved out of the window into ``rnnlab bench window|plots``; a
    fresh process, as a user runs it, without a display."""
    result = subprocess.run(
        [sys.executable, "-m", "rnnlab", "bench", "plots", "--points", "3000"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3,000 points")
    for plot in ("LossPlot", "GradNormPlot"):
        assert any(line.startswith(f"{plot}: zoom + repaint, median:") for line in lines)


def test_building_the_parser_loads_no_qt() -> None:
    """`rnnlab train` and friends never pay for Qt: only `bench window|plots` and the window
    import it, when they run."""
    code = (
        "import json, sys; from rnnlab.cli import build_parser; build_parser(); "
        "print(json.dumps(sorted(m for m in ('PySide6', 'pyqtgraph', 'rnnlab.gui') "
        "if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_ngram_reports_validation_loss_by_order(capsys) -> None:
    assert main(["ngram", "--corpus", "sonnets", "--orders", "2-4", "--json", "--sample", "80",
                 "--seed", "1"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["smoothing"] == "kneser-ney" and result["seconds"] > 0
    orders = result["orders"]
    assert [row["order"] for row in orders] == [2, 3, 4]
    losses = [row["val_loss"] for row in orders]
    assert losses == sorted(losses, reverse=True)  # longer contexts help at these orders
    assert orders[0]["val_bits_per_char"] == pytest.approx(losses[0] / math.log(2))
    assert len(result["sample"]) == 80
    assert main(["ngram", "--corpus", "sonnets", "--order", "3", "--smoothing", "add-k"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["order", "nats/char", "bits/char"] and table[1].split()[0] == "3"


@pytest.mark.parametrize("orders", ["8-2", "0-3", "three", "1-40"])
def test_ngram_refuses_bad_orders_in_one_line(capsys, orders: str) -> None:
    assert main(["ngram", "--corpus", "sonnets", "--orders", orders]) == 2
    error = capsys.readouterr().err
    assert len(error.splitlines()) == 1 and "orders" in error


def test_race_reports_every_run_in_the_documented_json(poem, tmp_path, capsys) -> None:
    out = tmp_path / "race"
    assert main(["race", "--corpus", str(poem), "--cells", "rnn,gru", "--hidden-size", "16",
                 "--layers", "1", "--steps", "12", "--eval-every", "5", "--out", str(out),
                 "--json"]) == 0  # fmt: skip
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [run["cell"] for run in runs] == ["rnn", "gru"]
    for run in runs:
        assert set(run) == {"cell", "hidden_size", "parameters", "steps", "seconds", "loss",
                            "val_loss", "best_val_loss", "history"}  # fmt: skip
        assert run["steps"] == 12 and run["seconds"] > 0
        # One row per validation (steps 5 and 10) plus the end of the run.
        assert [row[0] for row in run["history"]] == [5, 10, 12]
        _, characters, seconds, loss, val_loss = run["history"][-1]
        assert val_loss == run["val_loss"] and loss == pytest.approx(run["loss"])
        assert seconds == pytest.approx(run["seconds"], rel=1e-5) and characters > 0
        assert run["best_val_loss"] == min(row[4] for row in run["history"])
    # Equal parameters: within 5% of an LSTM's (same embedding and head).
    rnn, gru = runs
    assert abs(rnn["parameters"] - gru["parameters"]) < 0.05 * rnn["parameters"]
    assert rnn["hidden_size"] > gru["hidden_size"]
    assert sorted(path.name for path in out.iterdir()) == ["1-rnn.pt", "2-gru.pt"]
    assert main(["info", str(out / "2-gru.pt")]) == 0
    assert "step 12" in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments, complaint",
    [(["--cells", "lstm,transformer"], "transformer"), (["--seconds", "0"], "--seconds"),
     (["--steps", "0"], "--steps"), (["--seconds", "nan"], "--seconds")],
)  # fmt: skip
def test_race_refuses_bad_arguments_in_one_line(poem, capsys, arguments, complaint) -> None:
    assert main(["race", "--corpus", str(poem), *arguments]) == 2
    error = capsys.readouterr().err
    assert len(error.splitlines()) == 1 and complaint in error


def test_race_table_by_seconds(poem, capsys) -> None:
    assert main(["race", "--corpus", str(poem), "--cells", "lstm,rnn-relu", "--hidden-size",
                 "16", "--layers", "1", "--seconds", "0.2", "--equal", "hidden"]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("equal hidden size") and lines[1].split()[0] == "cell"
    assert [line.split()[0] for line in lines[2:]] == ["lstm", "rnn-relu"]
    assert {line.split()[1] for line in lines[2:]} == {"16"}


def test_tasks_are_listed_with_their_loss_and_chance(capsys) -> None:
    assert main(["tasks", "--json"]) == 0
    tasks = json.loads(capsys.readouterr().out)["tasks"]
    by_name = {task["name"]: task for task in tasks}
    assert {"adding", "recall"} <= set(by_name)
    assert by_name["adding"]["loss"] == "squared error"
    assert by_name["adding"]["chance"] == pytest.approx(1 / 6)
    assert by_name["recall"]["loss"] == "cross-entropy"
    assert by_name["recall"]["chance"] == pytest.approx(math.log(8))
    assert all(task["description"] for task in tasks)


def test_race_on_a_task_reports_chance_and_accuracy(capsys) -> None:
    small = ["--hidden-size", "16", "--steps", "30", "--eval-every", "10", "--json"]
    assert main(["race", "--task", "recall", "--task-length", "5", "--cells", "rnn,lstm",
                 *small]) == 0  # fmt: skip
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [run["cell"] for run in runs] == ["rnn", "lstm"]
    for run in runs:
        assert run["chance"] == pytest.approx(math.log(8))
        assert 0.0 <= run["accuracy"] <= 1.0 and run["steps"] == 30
    assert main(["race", "--task", "adding", "--task-length", "5", "--cells", "gru",
                 *small]) == 0  # fmt: skip
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    assert run["chance"] == pytest.approx(1 / 6) and "accuracy" not in run


@pytest.mark.parametrize(
    "arguments, complaint",
    [
        (["race", "--task", "adding", "--corpus", "sonnets"], "not allowed with"),
        (["train", "--corpus", "sonnets", "--task-length", "5"], "--task-length needs --task"),
        (["train", "--task", "juggling"], "invalid choice"),
        (["train", "--task", "adding", "--task-length", "1"], "task length must be from 2"),
    ],
)
def test_task_arguments_refuse_mistakes_in_one_line(arguments, complaint, capsys) -> None:
    try:
        code = main(arguments)
    except SystemExit as exit_:  # argparse's own checks exit at once
        code = exit_.code
    assert code == 2
    error = capsys.readouterr().err
    assert len(error.splitlines()) == 1 and complaint in error


def test_train_a_task_then_make_it_harder_with_resume(tmp_path, capsys) -> None:
    out = tmp_path / "adding.pt"
    assert main(["train", "--task", "adding", "--task-length", "5", "--hidden-size", "16",
                 "--steps", "20", "--eval-every", "10", "--threads", "1", "--out",
                 str(out)]) == 0  # fmt: skip
    assert "x chance" in capsys.readouterr().err
    assert main(["train", "--resume", str(out), "--task-length", "40", "--steps", "5"]) == 0
    assert "adding, T = 40" in capsys.readouterr().err
    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "task: adding, T = 40" in info and "step 25" in info and "reads 2 numbers" in info
    assert main(["sample", str(out)]) == 2
    assert "does not write text" in capsys.readouterr().err


def test_bench_memory_reports_each_run_against_chance(capsys) -> None:
    assert main(["bench", "memory", "--seconds", "0.3", "--lengths", "5", "--cells", "rnn,lstm",
                 "--json"]) == 0  # fmt: skip
    results = json.loads(capsys.readouterr().out)
    assert results["task"] == "adding" and results["seconds"] == 0.3
    assert [(run["length"], run["cell"]) for run in results["runs"]] == [(5, "rnn"), (5, "lstm")]
    for run in results["runs"]:
        assert run["ratio"] > 0 and run["steps"] > 0 and run["ratios"]
    assert any(line.startswith("T = 5 rnn after 30 s") for line in results["goals"])


def test_tokens_reports_a_unit_in_the_issue_s_keys(capsys) -> None:
    assert main(["tokens", "--corpus", "sonnets", "--tokens", "bpe:60", "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert {"vocabulary_size", "tokens", "characters_per_token", "unknown_share", "seconds",
            "merges"} <= set(facts)  # fmt: skip
    assert len(facts["merges"]) == 60 and all(len(pair) == 2 for pair in facts["merges"])
    assert facts["unknown_share"] == 0 and facts["characters_per_token"] > 1.2
    assert main(["tokens", "--corpus", "sonnets", "--tokens", "word"]) == 0
    out = capsys.readouterr().out
    assert "5,000 most frequent words" in out and "of the validation text's tokens" in out
    # The start of the validation text cut into tokens, unknown words marked.
    example = out.split("the validation text's start in tokens: ")[1]
    assert "|␣thou|" in example and "<unk>(" in example
    assert main(["tokens", "--corpus", "sonnets", "--tokens", "char", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["merges"] == []


def test_tokens_names_a_wrong_unit_in_one_line(capsys) -> None:
    assert main(["tokens", "--corpus", "sonnets", "--tokens", "bpe:20"]) == 2
    assert one_line_error(capsys) == (
        "rnnlab tokens: error: BPE takes 50 to 5,000 merges, not 20 ('bpe:20')"
    )


def test_train_on_bpe_pieces_then_info_and_sample_in_characters(tmp_path, capsys) -> None:
    out = tmp_path / "pieces.pt"
    assert main(["train", "--corpus", "sonnets", "--tokens", "bpe:60", "--steps", "6",
                 "--eval-every", "3", "--hidden-size", "24", "--layers", "1", "--batch-size", "4",
                 "--seq-len", "16", "--out", str(out)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "BPE-60 learned on the training split" in err and "tokens (BPE-60)" in err
    assert "k chars/s" in err  # characters of text a second, whatever the unit
    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "tokens (BPE-60)" in info and "nats/token" in info and "bits/char)" in info
    assert main(["sample", str(out), "--prime", "Thy ", "--length", "75", "--seed", "3"]) == 0
    assert len(capsys.readouterr().out) == len("Thy ") + 75 + 1  # characters, and the newline
    assert main(["train", "--resume", str(out), "--tokens", "word"]) == 2
    assert "--tokens cannot change when resuming" in one_line_error(capsys)
    assert main(["train", "--resume", str(out), "--steps", "2"]) == 0


def test_a_word_run_warns_that_unknown_words_flatter_its_bits_per_character(capsys) -> None:
    assert main(["train", "--corpus", "sonnets", "--tokens", "word", "--steps", "1",
                 "--hidden-size", "8", "--layers", "1", "--batch-size", "2"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "of the validation text's tokens are unknown words" in err
    assert "bits per character read lower" in err


def test_race_every_cell_in_every_unit_compared_per_character(tmp_path, capsys) -> None:
    out = tmp_path / "units"
    assert main(["race", "--corpus", "sonnets", "--cells", "lstm,gru", "--tokens",
                 "bpe:60,char", "--hidden-size", "24", "--layers", "1", "--steps", "4",
                 "--out", str(out), "--json"]) == 0  # fmt: skip
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [(run["cell"], run["tokens"]) for run in runs] == [
        ("lstm", "bpe:60"), ("gru", "bpe:60"), ("lstm", "char"), ("gru", "char")
    ]  # fmt: skip
    parameters = [run["parameters"] for run in runs]
    assert max(parameters) < 1.05 * min(parameters)  # equal parameters across units too
    for run in runs:
        assert run["steps"] == 4 and run["unknown_share"] == 0.0
        bits = run["val_loss"] / math.log(2)
        if run["tokens"] == "char":
            assert run["val_bits_per_char"] == pytest.approx(bits)
        else:  # a piece spells more than one character: fewer bits a character than a token
            assert run["val_bits_per_char"] < bits
    assert sorted(path.name for path in out.iterdir()) == [
        "1-lstm-bpe60.pt", "2-gru-bpe60.pt", "3-lstm-char.pt", "4-gru-char.pt"
    ]  # fmt: skip


def test_race_of_units_says_what_it_cannot_do(capsys) -> None:
    assert main(["race", "--corpus", "sonnets", "--cells", "rnn,lstm,gru", "--tokens",
                 "char,word,bpe:60"]) == 2  # fmt: skip
    assert "3 x 3 runs, at most 8" in one_line_error(capsys)
    assert main(["race", "--corpus", "sonnets", "--cells", "lstm", "--tokens", "char,word",
                 "--hidden-size", "16", "--layers", "1"]) == 2  # fmt: skip
    assert "list that unit first" in one_line_error(capsys)
    assert main(["race", "--corpus", "sonnets", "--cells", "lstm", "--tokens", "word,char",
                 "--hidden-size", "16", "--layers", "1", "--steps", "2"]) == 0  # fmt: skip
    assert "of the validation text's tokens are unknown words" in capsys.readouterr().err
    assert main(["race", "--corpus", "sonnets", "--tokens", "bpe:60,BPE:60"]) == 2
    assert "--tokens lists bpe:60 twice" in one_line_error(capsys)
    assert main(["race", "--corpus", "sonnets", "--cells", "lstm", "--tokens", "char,bpe:200",
                 "--hidden-size", "32", "--layers", "1"]) == 2  # fmt: skip
    assert "gets a hidden size of" in one_line_error(capsys)
