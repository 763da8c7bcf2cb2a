"""Test-wide setup shared by every test under tests/."""

import os

# Tests run without a display (CI machines have none). This must happen before anything imports
# Qt: the platform plugin is chosen when the QApplication is created and cannot be changed later.
# An explicit QT_QPA_PLATFORM in the environment (e.g. "xcb" to watch the tests) still wins.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
