"""The training side of the window: one worker thread driving the engine's generator, the
controller that owns it, the frozen messages that cross the thread boundary, the probe schedule
and background loading of corpora and checkpoints. It imports no views: it emits messages and
the window wires them."""
