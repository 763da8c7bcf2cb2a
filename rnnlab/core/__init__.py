"""The Qt-free engine: corpus, models, trainer, probes, sampling, checkpoints.

Import from the submodules (``rnnlab.core.corpus``, ``rnnlab.core.trainer`` ...). This package
itself imports nothing heavy, so the window can show a corpus before ``torch`` is loaded.
"""
