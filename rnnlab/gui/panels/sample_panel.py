"""The sampling panel: prime, temperature, top-k, greedy and beam search; the output; the
next-character chart; samples over training (auto-sample). Here are the controls and what they
show; how a sample reaches the output piece by piece, marked new or seen in line mode, is in
``sample_stream``; beam search's report in ``sample_beams``; the timeline in ``sample_timeline``.

It samples from a NumPy weight snapshot (rnnlab.core.sampling) and never imports torch, so it works
before torch has loaded and while the training thread changes the live weights. It can sample from
an n-gram model instead (``sample_sources``).
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from rnnlab.core.errors import SamplingError
from rnnlab.core.sampling import CharSampler, SampleSettings
from rnnlab.gui.panels.next_char_chart import NextCharChart
from rnnlab.gui.panels.sample_beams import MAX_BEAM_CHARS, MAX_BEAM_WIDTH, beam_report
from rnnlab.gui.panels.sample_layout import lay_out
from rnnlab.gui.panels.sample_sources import SampleSources
from rnnlab.gui.panels.sample_stream import MARK_NEW, MARK_SEEN, SampleStream
from rnnlab.gui.panels.sample_texts import TIPS
from rnnlab.gui.panels.sample_timeline import SampleTimeline
from rnnlab.gui.widgets.form_controls import named
from rnnlab.gui.widgets.style import point_size

__all__ = ["MARK_NEW", "MARK_SEEN", "SamplePanel", "slider_position", "temperature_at"]

TEMPERATURE_MIN, TEMPERATURE_MAX, DEFAULT_TEMPERATURE = 0.05, 3.0, 0.8
SLIDER_POSITIONS = 1000  # log scale: equal slider moves multiply T by equal factors
PRIME_DELAY_MS = 120  # feeding a long prime to a big model takes a while: not on every keystroke
AUTO_SAMPLE_CHARS, AUTO_SAMPLE_LINES = 120, 5
AUTO_SAMPLE_SEED = 0  # the same dice every time: timeline entries differ by training, not luck
OUTPUT_FONT_SCALE = 1.2


def temperature_at(position: int) -> float:
    return TEMPERATURE_MIN * (TEMPERATURE_MAX / TEMPERATURE_MIN) ** (position / SLIDER_POSITIONS)


def slider_position(temperature: float) -> int:
    fraction = math.log(temperature / TEMPERATURE_MIN) / math.log(TEMPERATURE_MAX / TEMPERATURE_MIN)
    return round(min(max(fraction, 0.0), 1.0) * SLIDER_POSITIONS)


class SamplePanel(QWidget):
    """Samples stream into ``sampleOutput`` from a timer; ``samplingFinished`` gives the text
    (the prime and what followed; in line mode the lines joined by newlines, without markers)."""

    samplingFinished = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sampler: CharSampler | None = None  # the chosen source's: run or n-gram
        self._step = 0
        self._prime = ""  # the prime as sampled: characters the model never saw dropped
        self._last_auto_step: int | None = None
        self._build()
        self.sources = SampleSources(self.sampleSourceCombo)
        self._stream = SampleStream(self.sampleOutput)
        self._prime_timer = QTimer(self, interval=PRIME_DELAY_MS, singleShot=True)
        self._prime_timer.timeout.connect(self._refresh_prime)
        self._connect()
        self._ready = True
        self._apply_text_fonts()
        self.nextCharPlot.restyle()
        self.set_sampler(None, 0)

    # ---- building ----------------------------------------------------------------------------

    def _add(self, widget: QWidget, name: str) -> QWidget:
        return named(widget, name, TIPS)

    def _build(self) -> None:
        self.sampleSourceCombo = self._add(QComboBox(), "sampleSourceCombo")
        self.primeEdit = self._add(QLineEdit(), "primeEdit")
        self.primeWarning = self._add(QLabel(), "primeWarning")
        self.primeWarning.setWordWrap(True)
        self.sampleButton = self._add(QPushButton("Sample"), "sampleButton")
        self.temperatureSlider = self._add(QSlider(Qt.Orientation.Horizontal), "temperatureSlider")
        self.temperatureSlider.setRange(0, SLIDER_POSITIONS)
        self.temperatureSlider.setValue(slider_position(DEFAULT_TEMPERATURE))
        self.temperatureLabel = self._add(QLabel(), "temperatureLabel")
        self.countLabel = QLabel()
        self.lengthSpin = self._add(QSpinBox(minimum=1, maximum=100_000, value=300), "lengthSpin")
        self.lineCountSpin = self._add(QSpinBox(minimum=1, maximum=500, value=10), "lineCountSpin")
        self.topKSpin = self._add(QSpinBox(minimum=0, maximum=1000), "topKSpin")
        self.topKSpin.setSpecialValueText("off")
        self.greedyCheck = self._add(QCheckBox("Greedy"), "greedyCheck")
        self.beamSpin = self._add(QSpinBox(minimum=1, maximum=MAX_BEAM_WIDTH), "beamSpin")
        self.beamSpin.setSpecialValueText("off")  # a beam of one would be greedy decoding
        self.keepSamplesCheck = self._add(QCheckBox("Keep earlier"), "keepSamplesCheck")
        self.sampleEntropyLabel = self._add(QLabel(), "sampleEntropyLabel")
        self.sampleEntropyLabel.setWordWrap(True)
        self.sampleOutput = self._add(QPlainTextEdit(readOnly=True), "sampleOutput")
        self.sampleOutput.setPlaceholderText("Train a model, then press Sample (Ctrl+G).")
        self.nextCharPlot = self._add(NextCharChart(), "nextCharPlot")
        self.timeline = SampleTimeline()
        self.autoSampleCheck = self.timeline.autoSampleCheck
        self.autoSampleSeconds = self.timeline.autoSampleSeconds
        self.sampleTimeline = self.timeline.sampleTimeline

        self._areas = lay_out(self)

    def _connect(self) -> None:
        self.primeEdit.textChanged.connect(self._prime_timer.start)
        self.temperatureSlider.valueChanged.connect(self._show_temperature)
        self.sampleButton.clicked.connect(self.sample)
        self._stream.failed.connect(lambda message: self._show_warnings([message]))
        self._stream.ended.connect(self.stop_sampling)
        self.sources.changed.connect(self._use_source)
        stop = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.stop_sampling)
        stop.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # Esc elsewhere is not ours
        self.timeline.due.connect(self.auto_sample_now)
        self.autoSampleCheck.toggled.connect(self._make_room_for_the_timeline)

    # ---- public calls --------------------------------------------------------------------------

    def set_sampler(
        self, sampler: CharSampler | None, step: int, training_lines: frozenset[str] = frozenset()
    ) -> None:
        """A new weight snapshot at training step ``step``; None: no model to sample from.
        ``training_lines`` (line mode) tells which generated lines the model has seen."""
        self._step = step
        self.sources.set_run(sampler, frozenset(training_lines))
        self._use_source()
        self.timeline.forget_after(step)
        if sampler is not None and self.timeline.wants_step(step):
            self.auto_sample_now()

    def _use_source(self) -> None:
        """Sample from the chosen source: the run's network or an n-gram model."""
        sampler = self._sampler = self.sources.current()
        self._stream.training_lines = self.sources.training_lines()
        line_mode = sampler is not None and sampler.line_mode
        self.lengthSpin.setVisible(not line_mode)
        self.lineCountSpin.setVisible(line_mode)
        self.countLabel.setText("Lines:" if line_mode else "Characters:")
        self.primeEdit.setToolTip(TIPS["linePrime" if line_mode else "primeEdit"])
        self._refresh_prime()
        self.sampleButton.setEnabled(sampler is not None or self.is_sampling())

    def has_sampler(self) -> bool:
        """Whether the run has a network to sample from (an n-gram source does not count)."""
        return self.sources.run() is not None

    def sample_entropy(self) -> float | None:
        """The last finished sample's mean entropy (nats per character); None in line mode,
        for a beam search or before any sample."""
        return self._stream.entropy

    def is_sampling(self) -> bool:
        return self._stream.is_running()

    def temperature(self) -> float:
        return temperature_at(self.temperatureSlider.value())

    def settings(self, seed: int | None = None) -> SampleSettings:
        """The controls' settings (SamplingError if invalid: the controls should not allow it)."""
        top_k = self.topKSpin.value() or None
        greedy = self.greedyCheck.isChecked()
        return SampleSettings(self.temperature(), top_k=top_k, greedy=greedy, seed=seed)

    def sample(self) -> bool:
        """Start streaming a sample into the output; while one runs, stop it instead (the Sample
        button and Ctrl+G toggle). True if a sample started."""
        if self.is_sampling():
            self.stop_sampling()
            return False
        if self._sampler is None:
            return False
        if self._prime_timer.isActive():
            self._refresh_prime()
        line_mode = self._sampler.line_mode
        count = (self.lineCountSpin if line_mode else self.lengthSpin).value()
        if self.beamSpin.value() > 1:
            return self._beam_search(MAX_BEAM_CHARS if line_mode else count)  # a line ends it
        try:
            settings = self.settings()
        except SamplingError as error:
            self._show_warnings([str(error)])
            return False
        keep = self.keepSamplesCheck.isChecked()
        self._stream.start(self._sampler, self._prime, settings, count, keep=keep)
        self.sampleButton.setText("Stop")
        return True

    def _beam_search(self, length: int) -> bool:
        """Show beam search's best continuations of the prime (and greedy decoding's, to compare)
        in the output at once: a search, not a stream."""
        assert self._sampler is not None
        try:
            report, best = beam_report(self._sampler, self._prime, self.beamSpin.value(), length)
            self._stream.entropy = None  # a search draws no dice
        except SamplingError as error:
            self._show_warnings([str(error)])
            return False
        if self.keepSamplesCheck.isChecked() and not self.sampleOutput.document().isEmpty():
            self.sampleOutput.appendPlainText("\n" + report)
        else:
            self.sampleOutput.setPlainText(report)
        self.samplingFinished.emit(best)
        return True

    def stop_sampling(self) -> None:
        """Stop the running sample; ``samplingFinished`` gives what was generated so far."""
        if not self.is_sampling():
            return
        produced = self._stream.stop()
        self.sampleButton.setText("Sample")
        self.sampleButton.setEnabled(self._sampler is not None)
        line_mode = self._sampler is not None and self._sampler.line_mode
        entropy = self._stream.entropy
        self.sampleEntropyLabel.setText(
            "" if entropy is None else f"{self._stream.heading}: mean entropy "
            f"{entropy:.2f} nats per character, how uncertain each draw was (0: always the "
            "same character)"
        )  # fmt: skip
        self.samplingFinished.emit(("\n" if line_mode else "").join(produced))

    def auto_sample_now(self) -> bool:
        """Add a short sample of the current step to the timeline (the same dice each time);
        False if there is no model or this step has one already. Always the run's network:
        the timeline shows training, whatever the source of the output."""
        sampler = self.sources.run()
        if sampler is None or self._step == self._last_auto_step:
            return False
        if self._prime_timer.isActive():
            self._refresh_prime()
        try:
            settings = self.settings(seed=AUTO_SAMPLE_SEED)
            if sampler.line_mode:
                lines = sampler.sample_lines(self._prime, AUTO_SAMPLE_LINES, settings)
                text = "\n".join(lines)
            else:
                text = self._prime + sampler.sample(self._prime, AUTO_SAMPLE_CHARS, settings)
        except SamplingError as error:
            self._show_warnings([str(error)])
            return False
        self._last_auto_step = self._step
        self.timeline.add(self._step, text)
        return True

    def next_char_chart(self) -> list[tuple[str, float]]:
        """The chart as drawn: (label, probability) per bar, most likely first."""
        return self.nextCharPlot.bars()

    def set_font_scale(self, scale: float) -> None:
        """Presentation mode: the chart's fonts, scaled from the application font at start-up
        (the text widgets follow the application font by themselves)."""
        self.nextCharPlot.set_font_scale(scale)

    def export_samples(self, path: str) -> None:
        """Write the output and the timeline as UTF-8 text (OSError goes to the caller)."""
        output, timeline = self.sampleOutput.toPlainText(), self.sampleTimeline.toPlainText()
        text = f"Sample\n{output}\n\nSamples over training\n{timeline}\n"
        Path(path).write_text(text, encoding="utf-8")

    # ---- prime, chart and fonts ----------------------------------------------------------------

    def _refresh_prime(self) -> None:
        """Clean the prime; the chart caches the scores of the character after it."""
        self._prime_timer.stop()
        self._prime, logits, warnings = self.primeEdit.text(), None, []
        if self._sampler is not None:
            try:
                self._prime, warnings = self._sampler.clean_prime(self._prime, drop_unknown=True)
                logits = self._sampler.next_char_logits(self._prime)
            except SamplingError as error:
                warnings.append(str(error))
        self._show_warnings(warnings)
        chars = self._sampler.vocabulary.chars if self._sampler is not None else []
        self.nextCharPlot.set_next(logits, chars, self._prime, has_model=self._sampler is not None)
        self._show_temperature()

    def _show_temperature(self) -> None:
        temperature = self.temperature()
        self.temperatureLabel.setText(f"T = {temperature:.2f}")
        self.nextCharPlot.show_temperature(temperature)

    def _show_warnings(self, warnings: list[str]) -> None:
        self.primeWarning.setText("⚠ " + " ".join(warnings) if warnings else "")
        self.primeWarning.setVisible(bool(warnings))

    def _make_room_for_the_timeline(self, checked: bool) -> None:
        """Auto-sample on: the timeline is what to read, so it gets half the height (it had a
        few lines under an empty output on a projector)."""
        output, chart, timeline = self._areas.sizes()
        total = output + chart + timeline
        if checked and timeline < total // 2:
            self._areas.setSizes([total // 2 - chart, chart, total - total // 2])

    def _apply_text_fonts(self) -> None:
        """Monospace output a bit larger than the panel's font, which follows the application."""
        size = point_size(self.font())
        output_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        output_font.setPointSizeF(size * OUTPUT_FONT_SCALE)
        self.sampleOutput.setFont(output_font)
        timeline_font = QFont(output_font)
        timeline_font.setPointSizeF(size)
        self.sampleTimeline.setFont(timeline_font)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # It also arrives during construction, before there is anything to restyle.
        if not getattr(self, "_ready", False):
            return
        if event.type() == QEvent.Type.FontChange:  # e.g. presentation mode's larger app font
            self._apply_text_fonts()
