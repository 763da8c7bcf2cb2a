"""NumPy's BLAS threads: one, wherever NumPy works beside training.

NumPy's BLAS (OpenBLAS in the wheels) starts as many threads as there are cores for each
matrix product. Beside a training thread that already keeps a core busy, a sampler's or a
probe's small matrix-vector products then wait on each other's threads: sampling a 2 x 256 LSTM
while the window trained ran at about half the speed it reaches with one BLAS thread (``rnnlab
bench`` measures both). PyTorch's own threads are set apart (``rnnlab.core.device``); this holds
only NumPy's, through threadpoolctl, which finds the BLAS library NumPy loaded, whichever it is.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

# Imported first, for its side effect: threadpoolctl only finds the libraries already loaded.
import numpy  # noqa: F401
from threadpoolctl import threadpool_limits

_held: threadpool_limits | None = None  # kept: the limit lasts while the object does


def hold_numpy_to_one_thread() -> None:
    """From now on, in this whole process, NumPy's matrix products use one thread. Called where
    the window starts and by the command line; calling it again changes nothing."""
    global _held
    if _held is None:
        _held = threadpool_limits(limits=1, user_api="blas")


def numpy_threads(threads: int) -> AbstractContextManager[object]:
    """Inside ``with numpy_threads(n):`` NumPy's matrix products use ``n`` threads (benchmarks
    compare), then the limit before it holds again."""
    return threadpool_limits(limits=threads, user_api="blas")
