"""Live plots of training (loss, gradient norm) and what every step plot shares: buffered
redraws at a bounded rate, axes, NumPy buffers, units and smoothing. No torch, no training
thread."""
