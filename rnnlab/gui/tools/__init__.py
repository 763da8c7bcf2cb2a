"""Tools around the window, not part of it: screenshots for looking at it as a user would,
and the window benchmarks behind ``rnnlab bench window`` and ``rnnlab bench plots``."""
