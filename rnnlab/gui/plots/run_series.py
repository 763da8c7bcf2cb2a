"""One run's points in a training plot: steps, characters seen, training seconds and values, in
growing NumPy buffers that stay bounded however long the run trains.

A run left training overnight makes millions of steps, and a plot has a few thousand pixel
columns. So once a run holds ``max_points`` points, the older ones are thinned: every four
stored points become two, the lowest and the highest of the key value (the raw loss, the
gradient norm) in their order, so a spike or the best loss so far is never thinned away; from
then on, each block of 2 x ``stride`` incoming points is stored as its lowest and highest too,
and ``stride`` doubles at each thinning. The newest points wait at full resolution until their
block is complete, so the last point is always there.

No Qt here: the thinning and the look-ups are tested on plain arrays.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rnnlab.gui.plots.plot_data import GrowingArray

X_AXES = ("step", "chars", "seconds")  # what a training plot's x axis can count
X_AXIS_LABELS = {"step": "step", "chars": "characters seen", "seconds": "training seconds"}
# On a task a run counts answers (one a sequence), not characters.
TASK_X_AXIS_LABELS = {**X_AXIS_LABELS, "chars": "sequences answered"}
# Per run and plot: over 5 points per pixel column of a 4K screen (TensorBoard keeps 1,000). At
# 100,000, redrawing a full plot churned enough large arrays that the window's memory grew by
# 91 bytes a step (rnnlab bench runs --size tiny); at 20,000 it grows by what the history keeps.
MAX_POINTS = 20_000
_X_COLUMNS = {"step": "steps", "chars": "chars", "seconds": "seconds"}


class RunSeries:
    """Per-step rows of one run: ``steps`` (int64), ``chars`` and ``seconds`` (float64, NaN where
    unknown: characters are exact as floats up to 2 ** 53), ``clipped``, the float64 columns
    named by ``values``, ``spans``: the number of steps each row stands for (1 until thinned),
    and ``means``: the mean key value over those steps. ``key`` names the value column whose
    lowest and highest survive thinning."""

    def __init__(self, values: tuple[str, ...], key: str, max_points: int = MAX_POINTS) -> None:
        if key not in values:
            raise ValueError(f"key {key!r} is not one of the value columns {values}")
        if max_points < 16:
            raise ValueError(f"max_points must be at least 16, got {max_points}")
        self._value_names, self._key, self._max_points = values, key, max_points
        self.version = 0  # changes with every change of the rows: a key for caches
        self.clear()

    def clear(self) -> None:
        """Forget every row; the next row starts at full resolution again."""
        self._columns = self._new_columns()
        self._settled = 0  # rows before this index are thinned as far as the stride says
        self._stride = 1  # steps per stored row in the newest thinned part
        self.version += 1

    def __len__(self) -> int:
        return len(self._columns["steps"])

    @property
    def stride(self) -> int:
        return self._stride

    def append(
        self,
        steps: np.ndarray,
        clipped: np.ndarray,
        values: Mapping[str, np.ndarray],
        chars: np.ndarray | None = None,
        seconds: np.ndarray | None = None,
    ) -> None:
        """Add rows in step order; ``chars`` and ``seconds`` None: unknown (NaN)."""
        steps = np.ravel(steps).astype(np.int64)
        count = len(steps)
        rows = {"steps": steps, "clipped": np.ravel(clipped).astype(np.bool_)}
        for name, given in (("chars", chars), ("seconds", seconds)):
            rows[name] = np.full(count, np.nan) if given is None else np.ravel(given).astype(float)
        if set(values) != set(self._value_names):
            raise ValueError(f"expected values {self._value_names}, got {tuple(values)}")
        for name in self._value_names:
            rows[name] = np.ravel(values[name]).astype(np.float64)
        rows["spans"] = np.ones(count, dtype=np.int32)
        rows["means"] = rows[self._key]
        if any(len(column) != count for column in rows.values()):
            raise ValueError("every column of the appended rows must have the same length")
        for name, column in rows.items():
            self._columns[name].append(column)
        self._settle()
        while len(self) > self._max_points and self._settled >= 5:
            self._thin()
        self.version += 1

    def column(self, name: str) -> np.ndarray:
        """A column without copying (see GrowingArray.view)."""
        return self._columns[name].view()

    def replace(self, name: str, values: np.ndarray) -> None:
        """Set a value column anew (smoothed again, converted to another unit)."""
        if len(values) != len(self):
            raise ValueError(f"{name}: {len(values)} values for {len(self)} rows")
        replacement = GrowingArray(np.float64, max(len(values), 1024), self._capacity())
        replacement.append(values)
        self._columns[name] = replacement  # views handed out earlier stay as they were
        self.version += 1

    def x(self, kind: str) -> np.ndarray:
        """The x values of every row on an axis of X_AXES (NaN where unknown)."""
        if kind not in _X_COLUMNS:
            raise ValueError(f"unknown x axis {kind!r}; expected one of {', '.join(X_AXES)}")
        return self.column(_X_COLUMNS[kind])

    def xy(self, kind: str, column: str, rows: np.ndarray | None = None):
        """A column against an x axis (of these rows only), without rows whose x is unknown."""
        x, y = self.x(kind), self.column(column)
        if rows is not None:
            x, y = x[rows], y[rows]
        known = np.isfinite(x) if kind != "step" else None
        return (x[known], y[known]) if known is not None and not known.all() else (x, y)

    def x_extent(self, kind: str) -> tuple[float, float] | None:
        """The smallest and largest known x, or None."""
        x = self.x(kind)
        if not len(x):
            return None
        if np.isfinite(x[[0, -1]]).all():  # x only grows: the ends are enough
            return float(x[0]), float(x[-1])
        if np.isfinite(x).any():  # some unknown (NaN) characters or seconds
            return float(np.nanmin(x)), float(np.nanmax(x))
        return None

    def x_at_steps(self, steps: np.ndarray, kind: str) -> np.ndarray:
        """The x values at these steps (a validation's, a marker's): the row's own value where a
        row has that step, else interpolated between the rows either side (thinned rows may
        skip it); NaN outside the rows or where a neighbour's value is unknown."""
        steps = np.atleast_1d(np.asarray(steps, dtype=np.int64))
        if kind == "step":
            return steps.astype(np.float64)
        stored, values = self.column("steps"), self.x(kind)
        result = np.full(len(steps), np.nan)
        if not len(stored):
            return result
        after = np.searchsorted(stored, steps)  # first row at or after each step
        inside = after < len(stored)
        exact = inside & (stored[np.minimum(after, len(stored) - 1)] == steps)
        result[exact] = values[after[exact]]
        between = inside & ~exact & (after > 0)
        low, high = after[between] - 1, after[between]
        fraction = (steps[between] - stored[low]) / (stored[high] - stored[low])
        result[between] = values[low] + fraction * (values[high] - values[low])
        return result

    def data(self) -> dict[str, np.ndarray]:
        """Copies of every column."""
        return {name: column.view().copy() for name, column in self._columns.items()}

    def nbytes(self) -> int:
        """Bytes held by the buffers, unused capacity included."""
        return sum(column.nbytes for column in self._columns.values())

    def _capacity(self) -> int:
        # Room for a few batches above the bound, so that the buffers need not double between
        # two thinnings.
        return self._max_points + self._max_points // 16

    def _new_columns(self, capacity: int = 1024) -> dict[str, GrowingArray]:
        dtypes: dict[str, type] = {
            "steps": np.int64, "chars": np.float64, "seconds": np.float64,
            "clipped": np.bool_, "spans": np.int32, "means": np.float64,
        }  # fmt: skip
        dtypes.update(dict.fromkeys(self._value_names, np.float64))
        limit = self._capacity()
        return {name: GrowingArray(dtype, capacity, limit) for name, dtype in dtypes.items()}

    def _settle(self) -> None:
        """Store complete blocks of incoming rows as their lowest and highest."""
        if self._stride == 1:  # blocks of two kept as two: nothing to do
            self._settled = len(self)
            return
        block = 2 * self._stride
        # At least one row keeps waiting: the newest point stays on the plot as it is.
        blocks = (len(self) - self._settled - 1) // block
        if blocks <= 0:
            return
        start, end = self._settled, self._settled + blocks * block
        reduced = self._extremes(start, end, block)
        for name, column in self._columns.items():
            values = column.view()
            part = reduced[name] if name in reduced else values[reduced["kept"]]
            rest = values[end:].copy()  # the incomplete block, written back just after
            column.truncate(start)
            column.append(part)
            column.append(rest)
        self._settled = start + len(reduced["kept"])

    def _thin(self) -> None:
        """Halve the thinned rows (every four become two) and double the stride."""
        # The first row stays as it is: the curve starts where the run started, and the x of an
        # early validation can still be looked up.
        start = 1
        end = start + (self._settled - start) // 4 * 4
        reduced = self._extremes(start, end, 4)
        # New buffers: the old ones may have grown past the bound with a large batch.
        columns = self._new_columns(self._capacity())
        for name, column in self._columns.items():
            values = column.view()
            part = reduced[name] if name in reduced else values[reduced["kept"]]
            columns[name].append(values[:start])
            columns[name].append(part)
            columns[name].append(values[end:])
        self._columns = columns
        self._settled = self._settled - (end - start) + len(reduced["kept"])
        self._stride *= 2
        self._settle()

    def _extremes(self, start: int, end: int, block: int) -> dict[str, np.ndarray]:
        """For each block of rows in [start, end), what its two kept rows store: the indices of
        its lowest and highest key value, in step order; whether any row of the block was
        clipped, on one of the two (one marker, not two, per clipped stretch); and each row
        standing for one half of the block: its steps (spans) and its mean key value."""
        keys = self.column(self._key)[start:end].reshape(-1, block)
        # NaN (a diverged step) counts as the highest: its gap in the curve survives.
        ranked = np.where(np.isnan(keys), np.inf, keys)
        lowest, highest = ranked.argmin(axis=1), ranked.argmax(axis=1)
        same = lowest == highest  # a flat block: keep its last row as well
        highest[same] = np.where(lowest[same] == block - 1, 0, block - 1)
        offsets = start + block * np.arange(len(keys))
        first, second = np.minimum(lowest, highest), np.maximum(lowest, highest)
        clipped = self.column("clipped")[start:end].reshape(-1, block)
        rows = np.arange(len(keys))
        # One marker per clipped block, on a kept row that was clipped itself where there is one.
        on_second = clipped[rows, second] & ~clipped[rows, first]
        any_clipped = clipped.any(axis=1)
        # Halves: (blocks, 2, block / 2). A half's mean weighs each row by the steps it stands
        # for; a half with no finite value (diverged) has a NaN mean, as its rows had.
        spans = self.column("spans")[start:end].reshape(-1, 2, block // 2)
        means = self.column("means")[start:end].reshape(-1, 2, block // 2)
        finite = np.isfinite(means)
        weights = np.where(finite, spans, 0).sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            half_means = np.where(finite, means * spans, 0.0).sum(axis=2) / weights
        return {
            "kept": np.stack([offsets + first, offsets + second], axis=1).ravel(),
            "clipped": np.stack([any_clipped & ~on_second, on_second], axis=1).ravel(),
            "spans": spans.sum(axis=2).ravel(),
            "means": half_means.ravel(),
        }
