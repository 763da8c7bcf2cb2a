"""The main window's wiring: which signal of which part reaches which slot, in one place."""

from __future__ import annotations

from typing import Any


def connect_window(window: Any) -> None:
    """``window``: the MainWindow, which calls this (typed Any: importing it here, even for
    type checking only, would make the window room's imports circular)."""
    parts, bar, controller = window.parts, window.training_bar, window.controller
    actions = window.actions_
    for trigger, slot in (
        ((bar.trainClicked, actions.train.triggered), window.train),
        ((bar.pauseClicked, actions.pause.triggered), window.toggle_pause),
        ((bar.stepClicked, actions.step.triggered), window.step_once),
        ((bar.stopClicked, actions.stop.triggered), window.stop),
        ((bar.resetClicked, actions.reset.triggered, window.banner.resetClicked),
         window.reset_weights),
    ):  # fmt: skip
        for signal in trigger:
            signal.connect(slot)
    bar.unitChanged.connect(window.loss_plot.set_unit)
    bar.unitChanged.connect(parts.surprise_panel.set_unit)  # surprise in the plot's unit
    window.loss_plot.modeChanged.connect(bar.set_loss_task)  # a task has its own loss
    parts.smoothing_control.smoothingChanged.connect(window.loss_plot.set_smoothing)
    parts.x_axis_control.xAxisChanged.connect(window.loss_plot.set_x_axis)
    parts.x_axis_control.xAxisChanged.connect(window.grad_norm_plot.set_x_axis)
    actions.open_model.triggered.connect(window.files.open_model_dialog)
    actions.save.triggered.connect(window.files.save_model)
    actions.save_as.triggered.connect(window.files.save_model_as)
    actions.save_all.triggered.connect(window.run_commands.save_all)
    actions.exported.connect(window.show_exported)
    actions.failed.connect(window.show_error)
    window.files.corpusRequested.connect(window.open_corpus)
    window.files.recentTextsChanged.connect(window.corpus_panel.set_recent)
    window.files.failed.connect(window.show_error)
    window.corpus_panel.corpusRequested.connect(window.open_corpus)
    window.model_panel.learningRateChanged.connect(controller.set_learning_rate)
    window.model_panel.clippingChanged.connect(window._on_clipping_changed)
    window.model_panel.presetChosen.connect(window._on_preset)
    window.model_panel.settingsEdited.connect(window.run_commands.check_shape)
    window.model_panel.configError.connect(window.show_error)
    window.token_units.failed.connect(window.show_error)
    window.token_units.learned.connect(window.runs.take_unit)
    controller.updated.connect(window._on_update)
    controller.stateChanged.connect(window._on_state)
    controller.runStateChanged.connect(window.runs.set_state)
    controller.diverged.connect(window._on_diverged)
    controller.failed.connect(window.show_error)
    controller.snapshotReady.connect(window._on_snapshot)
    parts.sample_panel.timeline.stepsWanted.connect(controller.snapshot_at_steps)
    controller.saved.connect(window._on_saved)
    # Every probe with its run: the current run's fill the inspector, the others' overlay it.
    controller.runInspected.connect(window.run_inspections.take)
    controller.probeFailed.connect(parts.inspector.show_probe_failure)
    parts.inspector.probeRequested.connect(controller.set_probe)
    parts.inspector.taskProbeRequested.connect(controller.set_task_probe)
    parts.inspector.probeNowRequested.connect(controller.probe_now)
    parts.inspector.failed.connect(window.show_error)
    parts.inspector.exported.connect(window.show_exported)
    window.loader.corpusLoaded.connect(window._on_corpus_loaded)
    window.loader.corpusFailed.connect(window._on_load_failed)
    window.loader.checkpointLoaded.connect(window.run_commands.open_loaded)
    window.loader.checkpointFailed.connect(window.show_error)
    window.loader.devicesFailed.connect(window.show_error)
    window.loader.devicesListed.connect(window._on_devices)
    window.center_tabs.currentChanged.connect(window._on_page)
    window.banner.resumeClicked.connect(window._resume_after_divergence)
