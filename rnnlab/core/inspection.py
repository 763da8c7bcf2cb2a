"""One look inside the live model: a probe plus the training statistics the views plot over time.

Called between training steps by whoever owns the model (the window's training thread, the
command line's demonstration); the result is frozen NumPy values (``rnnlab.core.probe_result``).
``inspect`` probes a text, ``inspect_task`` one sequence of a synthetic task.
"""

from __future__ import annotations

import time

from rnnlab.core.models import CharModel
from rnnlab.core.probe import probe, text_pieces
from rnnlab.core.probe_result import MAX_PROBE_CHARS, Inspection, ProbeResult
from rnnlab.core.spectral import SpectralTracker, exact_norms
from rnnlab.core.task_probe import probe_task
from rnnlab.core.tasks import Task
from rnnlab.core.tokens import Tokenizer
from rnnlab.core.vocabulary import Vocabulary


def inspect(
    model: CharModel,
    vocabulary: Vocabulary | Tokenizer,
    text: str,
    *,
    step: int,
    connectivity_position: int | None = None,
    group_grad_norms: dict[str, float] | None = None,
    spectral: SpectralTracker | None = None,
) -> Inspection:
    """Probe ``model`` on ``text`` and measure its recurrent matrices (with the run's
    ``spectral`` tracker when there is one: cheaper, ``rnnlab.core.spectral``; else exactly).

    ``connectivity_position`` beyond the text falls back to the last position (the text may have
    been shortened since it was chosen). Raises ValueError for a text that is too short, too
    long or has characters outside the vocabulary.
    """
    if len(text) > MAX_PROBE_CHARS:
        raise ValueError(f"a probe text has at most {MAX_PROBE_CHARS} characters, got {len(text)}")
    unknown = vocabulary.unknown(text)
    if unknown:
        listed = " ".join(repr(char) for char in unknown)
        raise ValueError(f"the probe text has characters the model does not know: {listed}")
    started = time.perf_counter()
    pieces = text_pieces(vocabulary, text)
    positions = (len(text) if pieces is None else len(pieces)) - 1
    if connectivity_position is not None and connectivity_position >= positions:
        connectivity_position = None
    result = probe(model, vocabulary, text, connectivity_position, pieces=pieces)
    return _inspection(model, result, step, group_grad_norms, started, spectral)


def inspect_task(
    model: CharModel,
    task: Task,
    *,
    step: int,
    sequence_index: int = 0,
    seed: int = 0,
    group_grad_norms: dict[str, float] | None = None,
    spectral: SpectralTracker | None = None,
) -> Inspection:
    """Probe ``model`` on sequence ``sequence_index`` of ``task`` (the same sequence for the
    same seed and index; ``rnnlab.core.task_probe``) and measure its recurrent matrices.

    The connectivity is always the answer's, at the last position. Raises ValueError where the
    model does not fit the task. The sequence has the task's length, with no MAX_PROBE_CHARS
    limit: a 1 x 64 model takes about 0.2 s at T = 1,000 and 2-3 s at T = 10,000 on one core.
    """
    started = time.perf_counter()
    result = probe_task(model, task, sequence_index, seed)
    return _inspection(model, result, step, group_grad_norms, started, spectral)


def _inspection(
    model: CharModel,
    result: ProbeResult,
    step: int,
    group_grad_norms: dict[str, float] | None,
    started: float,
    spectral: SpectralTracker | None,
) -> Inspection:
    matrices = model.recurrent_matrices()  # empty for SRU, whose recurrence is element-wise
    return Inspection(
        step=step,
        probe=result,
        group_grad_norms=dict(group_grad_norms or {}),
        spectral_norms=exact_norms(matrices) if spectral is None else spectral.norms(matrices),
        seconds=time.perf_counter() - started,
    )
