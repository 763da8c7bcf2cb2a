"""Each built-in lesson's point as the window shows it, for ``lesson_walk``: a small function
per lesson that reads the window (the runs' validation points as plotted, the runs table, the
sample panel's output and timeline, the gates page, the baseline lines) and says whether the
point is visible yet, with the criterion of the lesson's headless check
(``rnnlab.core.lesson_checks``) and what it measured; ``WALKS`` says how each lesson is walked.
The sampling lessons' points are in ``lesson_points_sampling``.

The checks' modules load torch: their criteria are imported where a point reads them, so that
importing this module (as every window module is, before torch has loaded) does not.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rnnlab.gui.tools.lesson_points_sampling import (
    beam_search,
    sample_done,
    samples_over_training,
    surnames,
    temperature,
)
from rnnlab.gui.tools.lesson_watch import LessonWalk, Reading, Watch

# ---- why vanilla RNNs forget, exploding gradients ------------------------------------------------


def _chance(watch: Watch) -> float:
    task = watch.window.loss_plot.task()
    return task.chance if task is not None else math.nan


def forgetting(watch: Watch) -> Reading:
    """Step 3, T = 20: the LSTM below 0.3 x chance while the vanilla RNN, validated as far,
    stays at or above 0.7 x chance (rnnlab.core.lesson_checks_memory.check_forgetting)."""
    from rnnlab.core.lesson_checks_memory import FORGETS_ABOVE, GATED, REMEMBERS_BELOW, VANILLA

    chance = _chance(watch)
    (rnn, *_), (lstm, *_) = watch.runs(VANILLA), watch.runs(GATED)
    (rnn_step, forgets), (lstm_step, remembers) = watch.latest(rnn, 3), watch.latest(lstm, 3)
    forgets, remembers = forgets / chance, remembers / chance
    reached = (remembers < REMEMBERS_BELOW and forgets >= FORGETS_ABOVE
               and rnn_step >= lstm_step)  # fmt: skip
    return Reading(reached, f"T = 20: {lstm.name} {remembers:.2f} x chance at step {lstm_step} "
                            f"(needs < {REMEMBERS_BELOW}), {rnn.name} {forgets:.2f} x chance at "
                            f"step {rnn_step} (needs >= {FORGETS_ABOVE})")  # fmt: skip


def forgetting_near(watch: Watch) -> Reading:
    """Step 4, T = 5, the same runs going on: both below 0.3 x chance."""
    from rnnlab.core.lesson_checks_memory import REMEMBERS_BELOW

    chance, shown = _chance(watch), []
    reached = True
    for run in watch.runs():
        step, loss = watch.latest(run, 4)
        reached &= loss / chance < REMEMBERS_BELOW
        shown.append(f"{run.name} {loss / chance:.2f} x chance at step {step}")
    return Reading(reached, f"T = 5: {', '.join(shown)}")


def exploding(watch: Watch) -> Reading:
    """The run without clipping diverges (its row says so) or its plotted gradient norm passes
    10,000, while the run clipped by norm has trained the check's steps with a finite loss."""
    from rnnlab.core.lesson_checks import CHECKS
    from rnnlab.core.lesson_checks_memory import EXPLODED_NORM

    window = watch.window
    wild = next(run for run in watch.runs() if run.train_config.clip == "none")
    tamed = next(run for run in watch.runs() if run.train_config.clip == "norm")
    norms = window.grad_norm_plot.data(wild.run)["grad_norms"]
    finite = norms[np.isfinite(norms)]
    peak = float(finite.max()) if len(finite) else math.nan
    exploded = wild.state == "diverged" or (bool(len(norms)) and not np.isfinite(norms).all()) \
        or peak > EXPLODED_NORM  # fmt: skip
    losses = window.loss_plot.data(tamed.run)["losses"]
    last = float(losses[-1]) if len(losses) else math.nan
    needed = CHECKS["exploding"].steps
    survives = tamed.state != "diverged" and tamed.step >= needed and math.isfinite(last)
    return Reading(exploded and survives,
                   f"{wild.name}: {wild.state} at step {wild.step}, peak gradient norm "
                   f"{peak:.3g}; {tamed.name}: step {tamed.step} (needs {needed}), loss "
                   f"{last:.3g}")  # fmt: skip


def clipped_learn(watch: Watch) -> Reading:
    """Step 2: the run clipped by norm validates below the chance line. Step 3: both clipped
    runs do, at the end of the race's budget of steps."""
    chance, shown = _chance(watch), []
    final = max(watch.presses) == 3
    budget = watch.window.training_bar.steps_budget.value()
    reached = True
    for run in watch.runs():
        if run.train_config.clip == "none":
            continue
        at, loss = watch.latest(run, 1)
        if final or run.train_config.clip == "norm":
            reached &= loss < chance and (not final or at >= budget)
        shown.append(f"{run.name} {loss / chance:.2f} x chance at step {at}")
    return Reading(reached, ", ".join(shown))


# ---- inside an LSTM ------------------------------------------------------------------------------


def inside_lstm(watch: Watch) -> Reading:
    """The gates page, as shown: some unit's cell state follows the position in the line
    (|r| >= 0.7) and at least a quarter of the i, f, o values are saturated; the run beats
    guessing by letter frequencies (rnnlab.core.lesson_checks_text.check_inside_lstm)."""
    from rnnlab.core.lesson_checks_text import (
        SATURATED,
        SATURATED_SHARE,
        TRACKS_LINE,
        best_unit,
        position_in_line,
        unigram_entropy,
    )

    window = watch.window
    shown = window.inspector.gate_view.export_data()
    if not shown or not {"i", "f", "o", "c"} <= set(shown) or int(shown["step"]) < 1:
        return Reading(False, "the gates page shows no trained probe yet")
    opening = np.concatenate([shown[name].ravel() for name in ("i", "f", "o")])
    saturated = float(np.mean((opening < SATURATED) | (opening > 1 - SATURATED)))
    text = "".join(shown["text"].tolist())
    unit, r = best_unit(shown["c"].T.astype(np.float64), position_in_line(text))
    (run, *_) = watch.runs(("lstm",))
    _, loss = watch.latest(run, 1)
    unigram = unigram_entropy(window.corpus)
    reached = abs(r) >= TRACKS_LINE and saturated >= SATURATED_SHARE and loss < unigram
    return Reading(
        reached,
        f"probe at step {int(shown['step'])}: unit {unit} follows the "
        f"position in the line, r = {r:+.2f}; {saturated:.0%} of i, f, o "
        f"saturated; validation {loss:.2f} (unigram {unigram:.2f})",
    )


# ---- Markov against RNN, the cell race -----------------------------------------------------------


def baselines(window: Any) -> dict[str, float]:
    """The baseline lines drawn, by name ("unigram", "bigram", "6-gram ..."): nats."""
    lines = window.baselines.lines
    return {label.rsplit(" ", 1)[0]: value for label, value in zip(lines.labels(), lines.values())}


def markov_lines(watch: Watch) -> Reading:
    """Step 1: the unigram, bigram and best n-gram lines, each better than the one before."""
    drawn = baselines(watch.window)
    values = list(drawn.values())
    ok = len(values) == 3 and values[2] < values[1] < values[0]
    return Reading(ok, ", ".join(f"{name} {value:.2f}" for name, value in drawn.items()))


def markov(watch: Watch) -> Reading:
    """Step 2: the LSTM's validation point below the bigram line, still above the best
    n-gram's."""
    drawn = list(baselines(watch.window).items())
    (run, *_) = watch.runs()
    step, loss = watch.latest(run, 2)
    if len(drawn) < 3:
        return Reading(False, "the n-gram lines are not drawn")
    (_, _), (_, bigram), (best_name, best) = drawn
    return Reading(
        best < loss < bigram,
        f"{run.name} {loss:.2f} at step {step}: below the "
        f"bigram {bigram:.2f}, above {best_name} {best:.2f}",
    )


def cell_race(watch: Watch) -> Reading:
    """Raced by steps: every cell has taken the budget's steps and its validation there is
    below guessing uniformly (rnnlab.core.lesson_checks_text.check_cell_race); measured
    beside it: each one's loss and training seconds."""
    uniform = math.log(len(watch.window.corpus.vocabulary))
    budget = watch.window.training_bar.steps_budget.value()
    shown, reached = [], True
    for run in watch.runs():
        step, loss = watch.latest(run, 1)
        raced = step - watch.steps_at[1].get(run.run, 0)
        reached &= loss < uniform and (raced == budget or not budget)
        shown.append(f"{run.name} {loss:.2f} at step {step} ({run.seconds:.1f} s)")
    return Reading(reached, f"budget {budget} steps, uniform {uniform:.2f}: {', '.join(shown)}")


def tokens(watch: Watch) -> Reading:
    """Raced by steps in three units: every run took the budget's steps and its validation,
    per character, is below guessing the characters uniformly; the word run shows its unknown
    share (rnnlab.core.lesson_checks_tokens.check_tokens)."""
    raced = cell_race(watch)
    shares = [run.unknown_share for run in watch.runs() if run.train_config.tokens == "word"]
    unknown = ", ".join(f"{share:.1%}" for share in shares)
    return Reading(raced.reached and all(share > 0 for share in shares),
                   f"{raced.measured}; unknown words {unknown}")  # fmt: skip


WALKS: dict[str, LessonWalk] = {
    "forgetting": LessonWalk(3, forgetting, after={4: forgetting_near}),
    "exploding": LessonWalk(1, exploding, after={2: clipped_learn, 3: clipped_learn}),
    "inside_lstm": LessonWalk(2, inside_lstm, timed_from=1),
    "temperature": LessonWalk(
        4, temperature, timed_from=1, waits=dict.fromkeys((2, 3), sample_done),
        after={5: sample_done, 6: beam_search},
    ),
    "samples_over_training": LessonWalk(1, samples_over_training, when_done=True),
    "surnames": LessonWalk(2, surnames, timed_from=1),
    "markov": LessonWalk(2, markov, waits={1: markov_lines}, when_done=True),
    "cell_race": LessonWalk(1, cell_race),
    "tokens": LessonWalk(1, tokens),
}
