"""The x-axis combo in the window: beside the smoothing slider, driving both training plots, and
remembered between launches."""

from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QApplication, QComboBox

from rnnlab.app import create_main_window


def test_x_axis_combo_drives_both_plots_and_is_remembered(qtbot, window) -> None:
    combo = window.findChild(QComboBox, "xAxisCombo")
    assert combo is window.parts.x_axis_control.combo
    slider = window.parts.smoothing_control.slider
    # On the smoothing slider's row, above the loss plot.
    middle = combo.mapTo(window, QPoint(0, combo.height() // 2)).y()
    top = slider.mapTo(window, QPoint(0, 0)).y()
    assert top <= middle <= top + max(slider.height(), combo.height())
    assert middle < window.loss_plot.mapTo(window, QPoint(0, 0)).y()
    combo.setCurrentIndex(2)
    assert window.loss_plot.x_axis() == window.grad_norm_plot.x_axis() == "seconds"
    window.save_settings()
    settings = QSettings(window.settings.fileName(), QSettings.Format.IniFormat)
    again = create_main_window(["sonnets"], settings=settings)
    try:
        assert again.parts.x_axis_control.x_axis() == "seconds"
        assert again.loss_plot.x_axis() == again.grad_norm_plot.x_axis() == "seconds"
    finally:
        again.controller.stop()
        assert again.controller.wait(5000)
        QApplication.processEvents()
        again.controller.dirty = False
        again.close()
        again.deleteLater()
