"""Live plots of training (loss, gradient norm) and what every step plot shares: buffered
redraws at a bounded rate, axes, NumPy buffers, units and smoothing. No torch, no training
thread."""

from rnnlab.gui.plots.run_series import MAX_POINTS, X_AXES, X_AXIS_LABELS

__all__ = ["MAX_POINTS", "X_AXES", "X_AXIS_LABELS"]
