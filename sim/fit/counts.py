"""Interval counts (no call-by-call log): reader and the overdispersion check.

A counts file has one row per interval: ``DateTime`` (start of the interval, local clock
time ``YYYY-MM-DD HH:MM:SS``) and ``Calls`` (calls in the interval), e.g. the ``bank_calls``
five-minute counts of Weinberg, Brown and Stroud (2007). :func:`read_counts` returns the
days x intervals matrix that :func:`sim.fit.arrivals.fit_arrivals` fits.

:func:`dispersion_table` gives, for each interval and weekday, the mean and variance of the
count over the days; under callsim's arrival model (Poisson given a gamma daily factor of
variance ``v``) the variance is ``m + v m^2``, more than Poisson's ``m``: the
overdispersion check compares the data's variance against mean with that curve and with
counts simulated by callsim's own arrival model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.fit.logs import LogError

__all__ = ["Counts", "dispersion_table", "read_counts"]


@dataclass(frozen=True)
class Counts:
    """Counts per day (rows, ``dates``) and interval (columns, from ``open_s`` every
    ``interval_s`` seconds); missing intervals of a present day are 0."""

    matrix: np.ndarray
    dates: tuple[dt.date, ...]
    open_s: float
    interval_s: float

    @property
    def weekdays(self) -> np.ndarray:
        """Weekday of each row (0 = Monday)."""
        return np.array([d.weekday() for d in self.dates])


def read_counts(path: str | Path) -> Counts:
    """Read a ``DateTime,Calls`` file. Raises :class:`~sim.fit.logs.LogError` naming the
    file, line and column of a bad time or count, a missing column or an empty file."""
    p = Path(path)
    if not p.is_file():
        raise LogError(f"{p}: no such file")
    try:
        raw = pd.read_csv(p, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise LogError(f"{p}, line 1: empty file, expected the header DateTime,Calls") from None
    for col in ("DateTime", "Calls"):
        if col not in raw.columns:
            raise LogError(f"{p}, line 1: missing column {col!r}")
    if raw.empty:
        raise LogError(f"{p}, line 2: no rows after the header")
    stamp = pd.to_datetime(raw["DateTime"].str.strip(), format="%Y-%m-%d %H:%M:%S",
                           errors="coerce")
    calls = pd.to_numeric(raw["Calls"], errors="coerce").to_numpy(dtype=float)
    for col, bad, what in (
        ("DateTime", stamp.isna().to_numpy(), "is not a date-time YYYY-MM-DD HH:MM:SS"),
        ("Calls", ~np.isfinite(calls) | (calls < 0) | (calls % 1 != 0),
         "must be a whole number >= 0"),
    ):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise LogError(f"{p}, line {i + 2}, column {col}: {raw[col].iloc[i]!r} {what}")
    tod = (stamp - stamp.dt.normalize()).dt.total_seconds().to_numpy()
    steps = np.diff(np.unique(tod))
    interval = float(steps.min()) if steps.size else 86_400.0
    open_s = float(tod.min())
    k = round(float(tod.max() - open_s) / interval) + 1
    day = stamp.dt.normalize()
    dates = sorted(day.unique())
    row = np.searchsorted(np.asarray(dates, dtype="datetime64[ns]"), day.to_numpy())
    col_idx = np.rint((tod - open_s) / interval).astype(int)
    matrix = np.zeros((len(dates), k), dtype=np.int64)
    np.add.at(matrix, (row, col_idx), calls.astype(np.int64))
    return Counts(matrix, tuple(pd.Timestamp(d).date() for d in dates), open_s, interval)


def dispersion_table(matrix: np.ndarray, weekdays: np.ndarray, min_days: int = 3
                     ) -> pd.DataFrame:
    """Mean and variance (ddof 1) over the days of each weekday, per interval: columns
    ``weekday``, ``interval``, ``days``, ``mean``, ``var``, ``ratio`` (var / mean). Weekdays
    with fewer than ``min_days`` days are left out."""
    rows = []
    for w in np.unique(weekdays):
        sub = matrix[weekdays == w]
        if sub.shape[0] < min_days:
            continue
        mean, var = sub.mean(axis=0), sub.var(axis=0, ddof=1)
        rows.append(pd.DataFrame({"weekday": w, "interval": np.arange(sub.shape[1]),
                                  "days": sub.shape[0], "mean": mean, "var": var}))
    out = pd.concat(rows, ignore_index=True)
    out["ratio"] = out["var"] / out["mean"].where(out["mean"] > 0)
    return out
