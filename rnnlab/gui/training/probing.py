"""One probe as the window asked for it (``SetProbe``): of a text, or of a task's sequence.

Called in the training thread between steps, or in a pool thread on a copy of an idle run's
model; torch loads with the engine, not with this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnlab.core.probe_result import Inspection
from rnnlab.gui.training.requests import SetProbe

if TYPE_CHECKING:
    from rnnlab.core.models import CharModel
    from rnnlab.core.spectral import SpectralTracker
    from rnnlab.core.tokens import Tokenizer


def inspect_request(
    model: CharModel,
    probe: SetProbe,
    step: int,
    group_grad_norms: dict[str, float],
    spectral: SpectralTracker | None = None,
    tokenizer: Tokenizer | None = None,
) -> Inspection:
    """The inspection ``probe`` asks for, of ``model``'s weights at ``step`` (with the run's
    spectral-norm tracker, if it has one). ``tokenizer``: a word or BPE run's, which reads the
    probe text in its tokens instead of the window's characters."""
    from rnnlab.core.inspection import inspect, inspect_task

    if probe.task is not None:
        return inspect_task(
            model, probe.task, step=step, sequence_index=probe.sequence,
            group_grad_norms=group_grad_norms, spectral=spectral,
        )  # fmt: skip
    if probe.vocabulary is None:
        raise ValueError("a text probe needs the corpus's vocabulary")
    return inspect(
        model, tokenizer or probe.vocabulary, probe.text, step=step,
        connectivity_position=probe.position, group_grad_norms=group_grad_norms,
        spectral=spectral,
    )  # fmt: skip
