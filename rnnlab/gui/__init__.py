"""The desktop window: Qt widgets and the training thread around the engine in rnnlab.core."""
