"""The README's "plain PyTorch" recipe really loads an rnnlab checkpoint without rnnlab."""

import contextlib
import io
import re
from pathlib import Path

from rnnlab.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_plain_pytorch_recipe_predicts_with_the_saved_weights(tmp_path, capsys) -> None:
    checkpoint = tmp_path / "model.pt"
    assert (
        main(
            [
                "train",
                "--corpus",
                "sonnets",
                "--hidden-size",
                "32",
                "--layers",
                "2",
                "--embedding-size",
                "16",
                "--steps",
                "3",
                "--out",
                str(checkpoint),
            ]
        )
        == 0
    )
    recipe = next(block for block in python_blocks() if "weights_only=True" in block)
    assert "import rnnlab" not in recipe and "from rnnlab" not in recipe
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(recipe.replace('"shakespeare.pt"', repr(str(checkpoint))), {})
    predicted = eval(output.getvalue().strip())  # the recipe prints repr(character)
    assert isinstance(predicted, str) and len(predicted) == 1
