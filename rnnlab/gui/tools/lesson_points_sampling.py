"""The points of the lessons on sampling, as the sample panel shows them (``lesson_points``):
the samples' entropies rising with the temperature, names after a prefix, and the timeline of
samples over training."""

from __future__ import annotations

import itertools
import math
import re

from rnnlab.gui.panels.sample_stream import MARK_NEW, MARK_SEEN
from rnnlab.gui.tools.lesson_watch import Reading, Watch

ENDS_WITHIN = 40  # a sampled name ends on its own within this many characters (as the check)


def sample_done(watch: Watch) -> Reading:
    """A step that samples has its sample: it finished since its Next."""
    step = max(watch.presses, default=0)
    done = any(sample[0] == step for sample in watch.samples)
    return Reading(done and not watch.window.sample_panel.is_sampling(), "sampled")


def temperature(watch: Watch) -> Reading:
    """The samples of steps 2 to 4, each read from the output when it finished: their mean
    entropies rise with the temperature (rnnlab.core.lesson_checks_sampling)."""
    prime = watch.window.sample_panel.primeEdit.text()
    shown = []
    for step, t, text, entropy in watch.samples:
        if step < 2 or entropy is None or not text.startswith(prime):
            continue
        shown.append((t, entropy, text[len(prime) : len(prime) + 30]))
    pairs = itertools.pairwise(shown)
    rising = len(shown) >= 3 and all(a[0] < b[0] and a[1] < b[1] for a, b in pairs)
    described = "; ".join(f"T {t:.2f}: {h:.2f} nats/char {sample!r}" for t, h, sample in shown)
    return Reading(rising, described or "no sample yet")


def surnames(watch: Watch) -> Reading:
    """The sampled names, as the output shows them: the asked-for number, each starting with
    the prefix and ending on its own; the run predicts better than uniform guessing."""
    panel, window = watch.window.sample_panel, watch.window
    if panel.is_sampling() or not sample_done(watch).reached:
        return Reading(False, "sampling")
    prefix, wanted = panel.primeEdit.text(), panel.lineCountSpin.value()
    rows = [row for row in panel.sampleOutput.toPlainText().splitlines() if row.strip()]
    marked = [(row[: len(MARK_NEW)], row[len(MARK_NEW) :]) for row in rows]
    names = [name for mark, name in marked if mark in (MARK_NEW, MARK_SEEN)]
    new = sum(mark == MARK_NEW for mark, _ in marked)
    (run, *_) = watch.runs()
    _, loss = watch.latest(run, 1)
    uniform = math.log(len(window.corpus.vocabulary))
    ok = (
        len(names) == wanted
        and all(name.startswith(prefix) for name in names)
        and all(len(name) < len(prefix) + ENDS_WITHIN for name in names)
        and loss < uniform
    )
    return Reading(ok, f"{len(names)} names after {prefix!r}: {new} new, {len(names) - new} "
                       f"seen ({', '.join(names[:5])}); validation {loss:.2f} (uniform "
                       f"{uniform:.2f})")  # fmt: skip


BEAM_SCORE = re.compile(r"^(?:1\.|greedy) (\S+)$", re.MULTILINE)


def beam_search(watch: Watch) -> Reading:
    """The beam search's report in the output: its best continuation at least as likely as
    greedy decoding's (rnnlab.core.lesson_checks_sampling)."""
    text = watch.window.sample_panel.sampleOutput.toPlainText()
    scores = [float(score.replace("\N{MINUS SIGN}", "-")) for score in BEAM_SCORE.findall(text)]
    if len(scores) != 2:
        return Reading(False, "no beam search shown yet")
    best, greedy = scores
    return Reading(best >= greedy, f"best beam {best:.2f} nats, greedy {greedy:.2f}")


TIMELINE_ENTRY = re.compile(r"^step (\d+):", re.MULTILINE)


def samples_over_training(watch: Watch) -> Reading:
    """The timeline has a sample at every scheduled step the run has passed (the lesson sets
    100, 300, 500, 700, 1200, 2000), three at least, and the loss has fallen by a nat (as
    plotted: from the first training step's loss to the latest validation point)."""
    from rnnlab.core.lesson_checks_text import LEARNED_NATS  # loads torch: here, not above

    window = watch.window
    timeline = window.sample_panel.timeline
    entries = [int(step) for step in TIMELINE_ENTRY.findall(timeline.text())]
    (run, *_) = watch.runs()
    passed = [step for step in timeline.scheduled_steps() if step <= window.controller.step]
    losses = window.loss_plot.data(run.run)["losses"]
    start = float(losses[0]) if len(losses) else math.nan
    steps, validation = watch.validations(run, 1)
    fallen = steps[start - validation >= LEARNED_NATS]
    learned_at = int(fallen[0]) if len(fallen) else None
    reached = len(entries) >= 3 and entries == passed and learned_at is not None
    latest = f"{validation[-1]:.2f} at step {steps[-1]}" if len(steps) else "none yet"
    return Reading(reached, f"timeline at steps {entries}; loss {start:.2f} at the first step, "
                            f"validation {latest}; fell by {LEARNED_NATS:g} nat by step "
                            f"{learned_at}")  # fmt: skip
