"""The n-gram baselines of the window: built in the background when a corpus is shown, drawn as
lines on the loss plot (``baselineCombo``) and offered as sample sources (``sampleSourceCombo``).

The lines are scored on the validation characters that the model panel's settings (batch size,
sequence length, evaluation size) give the runs, and scored again when those change. A build for
a corpus that was replaced is ended, and a result that arrives for it anyway is ignored. A failed
build says why in the combo's tooltip and the status bar; training and the uniform line go on.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QMainWindow

from rnnlab.core.config import TrainConfig
from rnnlab.core.corpus import Corpus, split_sizes
from rnnlab.core.errors import RnnlabError
from rnnlab.core.ngram import NgramCounts, NgramModel, ngram_training_codes
from rnnlab.core.ngram_baselines import (
    DEFAULT_MAX_ORDER,
    MAX_COUNTED_CHARS,
    BuildRequest,
    BuildResult,
)
from rnnlab.core.ngram_sampling import NgramSampler
from rnnlab.core.tasks import Task
from rnnlab.core.validation_layout import ValidationText, validation_text
from rnnlab.gui.plots.baseline_lines import BaselineLines
from rnnlab.gui.window.baseline_jobs import BaselineJobs
from rnnlab.gui.window.layout import WindowParts

# The build waits this long after a corpus is shown: the window paints and torch loads in the
# first second, and on a 2-core machine a process starting then would slow both down.
START_DELAY_MS = 1000
RESCORE_DELAY_MS = 300  # settings typed digit by digit are scored once, when the typing stops
MESSAGE_MS = 8000


@dataclass(frozen=True)
class Layout:
    """The settings that decide which characters the runs validate on."""

    batch_size: int
    seq_len: int
    eval_chars: int
    fraction: float


class Baselines(QObject):
    def __init__(self, window: QMainWindow, parts: WindowParts) -> None:
        super().__init__(window)
        self._window, self._parts = window, parts
        self.max_order = DEFAULT_MAX_ORDER
        self.jobs = BaselineJobs(self)
        self.lines = BaselineLines(parts.loss_plot, parts.loss_plot.unit())
        self._corpus: Corpus | None = None
        self._token = 0  # counts corpora: a build's result is used only for the latest
        self._score_token = 0  # counts scorings: only the latest is used
        self._counts: NgramCounts | None = None
        self._losses: list[float] = []  # nats per character, order 1.., on self._scored
        self._scored: Layout | None = None  # the layout the losses are for
        self._names: list[str] = []  # per order: "3-gram (Kneser–Ney)"
        self._built = ""  # what was built, for the combo's tooltip
        self._capped = ""  # says so when a long text was counted in part
        self._pending: Layout | None = None  # the layout being scored
        self._start_timer = QTimer(self, singleShot=True, interval=START_DELAY_MS)
        self._start_timer.timeout.connect(self._start_build)
        self._rescore_timer = QTimer(self, singleShot=True, interval=RESCORE_DELAY_MS)
        self._rescore_timer.timeout.connect(self._rescore)
        self.jobs.built.connect(self._on_built)
        self.jobs.failed.connect(self._on_failed)
        self.jobs.scored.connect(self._on_scored)
        self.jobs.notScored.connect(self._on_not_scored)
        parts.baseline_control.choiceChanged.connect(self._show_lines)
        parts.training_bar.unitChanged.connect(self._on_unit)
        parts.loss_plot.modeChanged.connect(self._on_mode)
        for spin in (parts.model_panel.batchSizeSpin, parts.model_panel.seqLenSpin):
            spin.valueChanged.connect(self._on_setting)
        self._set_note("no corpus yet", "")

    # ---- what the window calls ------------------------------------------------------------

    def show_corpus(self, corpus: Corpus) -> None:
        """Build the baselines of a newly shown corpus; the same text again keeps them."""
        same = self._corpus is not None and corpus.fingerprint == self._corpus.fingerprint
        self._corpus = corpus
        self._show_lines()  # the plot re-showed its uniform line with the new vocabulary
        if same and (self._counts is not None or self.jobs.building()):
            self._rescore_timer.start()  # an opened model may bring other settings
            return
        self._token += 1
        self.jobs.cancel_build()
        self._counts, self._losses, self._scored = None, [], None
        self._offer_ngrams([])
        self._set_note("building…", "Counting the n-grams of this text in the background.")
        self._start_timer.start()  # the settings of an opened model arrive after this call

    def show_task(self, task: Task) -> None:
        """A task has no text to count n-grams of: no baselines (its chance line stands in)."""
        self._token += 1
        self._start_timer.stop()
        self._rescore_timer.stop()
        self.jobs.cancel_build()
        self._corpus, self._counts, self._losses, self._scored = None, None, [], None
        self._offer_ngrams([])
        self._set_note("not on a task", f"n-gram baselines count text; {task.spec.name} is a "
                       "synthetic task, whose chance line the plot shows instead.")  # fmt: skip

    def build_now(self) -> None:
        """Start a build that waits for the start-up delay at once (tests, and scripts that
        drive the window)."""
        if self._start_timer.isActive():
            self._start_timer.stop()
            self._start_build()

    def close(self) -> None:
        """End the build and any scoring: nothing of ours outlives the window."""
        self._start_timer.stop()
        self._rescore_timer.stop()
        self.jobs.close()

    def _offer_ngrams(self, samplers: list[NgramSampler], lines: frozenset[str] = frozenset()):
        """The n-gram models as sources of the sample and surprise panels (none: only the run)."""
        self._parts.sample_panel.sources.set_ngrams(samplers, lines)
        self._parts.surprise_panel.sources.set_ngrams(samplers, lines)

    # ---- building and scoring ---------------------------------------------------------------

    @Slot()
    def _start_build(self) -> None:
        corpus = self._corpus
        if corpus is None:
            return
        layout = self._layout()
        try:
            train, training_chars = ngram_training_codes(corpus, layout.fraction, MAX_COUNTED_CHARS)
        except RnnlabError as error:  # e.g. a line-mode text of one line
            self._on_failed(self._token, str(error))
            return
        self._capped = ""
        if training_chars > MAX_COUNTED_CHARS:
            self._capped = (
                f" Counted on the first {MAX_COUNTED_CHARS:,} of the {training_chars:,} training "
                "characters, to keep memory and time small."
            )
        max_order = min(self.max_order, len(train))
        if max_order < 1:
            self._on_failed(self._token, "the training split is empty")
            return
        validation = self._validation(corpus, layout, max_order)
        self._scored = layout if validation is not None else None
        request = BuildRequest(train, len(corpus.vocabulary), max_order, validation)
        self.jobs.build(self._token, request)

    @Slot(int, object)
    def _on_built(self, token: int, result: BuildResult) -> None:
        corpus = self._corpus
        if token != self._token or corpus is None:
            return  # built for a corpus that was replaced meanwhile
        counts = self._counts = result.counts
        self._losses = list(result.losses)
        samplers = [
            NgramSampler(NgramModel(counts, order), corpus.vocabulary, corpus.line_mode)
            for order in range(1, counts.max_order + 1)
        ]
        self._names = [sampler.name for sampler in samplers]
        lines = split_sizes(corpus, self._layout().fraction)[2]
        self._offer_ngrams(samplers, lines)
        self._built = (
            f"Orders 1–{counts.max_order} counted in {result.seconds:.1f} s (tables "
            f"{counts.memory_bytes() / 1e6:.0f} MB, peak {result.peak_bytes / 1e6:.0f} MB)."
        )
        if counts.max_order < self.max_order:
            self._built += f" The training text is too short for order {self.max_order}."
        self._built += self._capped
        self._set_note("", self._built)
        self._rescore()  # the settings may have changed while it counted

    @Slot(int, str)
    def _on_failed(self, token: int, message: str) -> None:
        if token != self._token:
            return
        self._set_note("failed", f"The n-gram baselines failed: {message}")
        self._window.statusBar().showMessage(f"n-gram baselines failed: {message}", MESSAGE_MS)

    @Slot()
    def _rescore(self) -> None:
        """Score the counts on the current settings' validation characters, if not done."""
        corpus, counts = self._corpus, self._counts
        layout = self._layout()
        if corpus is None or counts is None or layout == self._scored:
            return
        self._score_token += 1
        validation = self._validation(corpus, layout, counts.max_order)
        if validation is None:
            self._scored, self._losses = layout, []
            self._show_lines()
            return
        self._set_note("", self._built)  # it had no validation characters before, maybe
        self._pending = layout
        self.jobs.score(self._score_token, counts, validation, range(1, counts.max_order + 1))

    @Slot(int, object)
    def _on_scored(self, token: int, losses: list[float]) -> None:
        if token != self._score_token or self._counts is None:
            return  # an earlier scoring, or for a corpus since replaced
        self._scored, self._losses = self._pending, list(losses)
        self._show_lines()

    @Slot(int, str)
    def _on_not_scored(self, token: int, message: str) -> None:
        if token == self._score_token:
            self._window.statusBar().showMessage(f"n-gram scoring failed: {message}", MESSAGE_MS)

    @Slot()
    def _on_setting(self, *_value) -> None:
        self._rescore_timer.start()  # not start(value): that would set the interval

    def _layout(self) -> Layout:
        config = self._parts.model_panel.train_config()
        if config is None:  # the panel has said what is wrong (its spins cannot get here)
            config = TrainConfig()
        fraction = config.validation_fraction
        return Layout(config.batch_size, config.seq_len, config.eval_chars, fraction)

    def _validation(self, corpus: Corpus, layout: Layout, max_order: int) -> ValidationText | None:
        """The runs' validation characters; None, saying why, if there are none."""
        try:
            text = validation_text(
                corpus, batch_size=layout.batch_size, seq_len=layout.seq_len,
                fraction=layout.fraction, eval_chars=layout.eval_chars, context=max_order - 1,
            )  # fmt: skip
        except (RnnlabError, ValueError) as error:
            reason = str(error)
        else:
            if len(text.targets):
                return text
            reason = "the validation split is empty"
        if self._counts is not None:  # built: sampling works, only the lines are missing
            self._set_note("no validation", f"{self._built} No n-gram lines: {reason}.")
        return None

    # ---- showing ----------------------------------------------------------------------------

    def _set_note(self, note: str, detail: str) -> None:
        self._parts.baseline_control.set_ngram_state(note, detail)
        self._show_lines()

    @Slot()
    def _show_lines(self) -> None:
        plot = self._parts.loss_plot
        # On a task no line of these applies: the plot draws the task's chance line instead.
        keys = self._parts.baseline_control.shown_keys() if plot.task() is None else []
        corpus = self._corpus
        # "uniform" is the plot's own line (ln V, labelled "uniform guess"): shown or hidden.
        plot.show_uniform_line(
            "uniform" in keys and corpus is not None and len(corpus.vocabulary) > 1
        )
        self.lines.show(self._chosen(keys))

    @Slot(object)
    def _on_mode(self, task: object) -> None:
        """Text or a task: n-gram baselines count the characters of a text, and a task has
        none, so on a task their menu is hidden (nothing in it would draw a line)."""
        self._parts.baseline_control.setVisible(task is None)
        self._show_lines()

    def _chosen(self, keys: list[str]) -> list[tuple[str, float]]:
        """(name, nats) of the n-gram lines ``keys`` ask for, each order once."""
        losses = self._losses
        if not losses:
            return []
        best = min(range(len(losses)), key=losses.__getitem__)
        indices = {"unigram": 0, "bigram": 1, "best": best}
        chosen = sorted({indices[key] for key in keys if key in indices} & set(range(len(losses))))
        return [(self._names[index], losses[index]) for index in chosen]

    @Slot(str)
    def _on_unit(self, unit: str) -> None:
        self.lines.set_unit(unit)
        self._show_lines()  # the plot has shown its uniform line again
