"""Trace files of ``center.arrivals: trace``: reading and checking recorded calls.

The trace file (``center.trace_file``, CSV or Parquet) has one row per call with the column
``arrival_s`` (seconds from 00:00 of day 0 of the run) and optionally ``handle_s`` and
``patience_s`` (seconds; empty or NaN = unknown). Each day's recorded calls replace the
forecast's Poisson draws; an unknown handle time or patience is drawn from the configured
law (``service``, ``patience``) on the same streams as usual, so a trace with no known values
only fixes the arrival times. Every arrival must fall inside the opening hours of a day of
the run (the engine opens a day's calls at its opening). With several call types
(``call_types``) the file also has a ``call_type`` column naming each call's type
(a name of ``call_types[*].name``); each type's unknown times are drawn from its own
laws and streams. This is how a recorded day or month
is back-tested (``experiments/backtest.py``); ``sim.fit`` writes such traces from a log.
:class:`sim.queue.trace.TraceCalls` plays a :class:`Trace` back in the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.timetable import DAY_S, Timetable

__all__ = ["TRACE_COLUMNS", "Trace", "TraceError", "read_trace"]

TRACE_COLUMNS = ("arrival_s", "handle_s", "patience_s")


class TraceError(ValueError):
    """A trace file cannot be replayed; the message names the file, row and column
    (:mod:`sim.config.validation` reports it under the key ``center.trace_file``)."""


@dataclass(frozen=True)
class Trace:
    """Recorded calls sorted by arrival: seconds, NaN where unknown."""

    arrival_s: np.ndarray
    handle_s: np.ndarray
    patience_s: np.ndarray
    #: uint8 index of each call's type into the call types (several types), else None
    call_type: np.ndarray | None = None

    def counts(self, timetable: Timetable) -> np.ndarray:
        """Recorded calls per day (rows) and interval (columns)."""
        day, k = timetable.locate(self.arrival_s)
        n = timetable.n_intervals
        return np.bincount(day.astype(np.int64) * n + k, minlength=timetable.days * n).reshape(
            timetable.days, n
        )

    def counts_by_type(self, timetable: Timetable, n_types: int) -> np.ndarray:
        """Recorded calls per call type, day and interval: (types, days, intervals)."""
        assert self.call_type is not None
        return np.stack([Trace(self.arrival_s[self.call_type == k], self.handle_s[:0],
                               self.patience_s[:0]).counts(timetable)
                         for k in range(n_types)])  # fmt: skip


def _error(message: str) -> TraceError:
    return TraceError(message)


def _types(raw: pd.DataFrame, p: Path, types: Sequence[str]) -> np.ndarray | None:
    """The ``call_type`` column as indices into ``types`` (several types), else None."""
    if len(types) < 2:
        return None
    if "call_type" not in raw.columns:
        raise _error(f"{p}: missing column 'call_type' (several call types: "
                     f"{', '.join(types)})")  # fmt: skip
    names = raw["call_type"].astype(str).where(raw["call_type"].notna(), None)
    known = names.isin(list(types)).to_numpy()
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        raise _error(f"{p}, row {i + 2}, column call_type: {raw['call_type'].iloc[i]!r} is not "
                     f"a call type (call types: {', '.join(types)})")  # fmt: skip
    index = {name: k for k, name in enumerate(types)}
    return np.fromiter((index[n] for n in names), dtype=np.uint8, count=len(names))


def read_trace(path: str | Path | None, timetable: Timetable, types: Sequence[str] = ()) -> Trace:
    """Read and check a trace file against the run's ``timetable`` (``types``: the names
    of the call types; with several, the ``call_type`` column is read).

    Raises :class:`TraceError` naming the file, row and column: missing file or column, a value that is not a number, a negative time,
    an arrival outside the opening hours or after the run's last day.
    """
    if path is None or str(path) == "":
        raise _error("None: must name a CSV or Parquet file when center.arrivals is 'trace'")
    p = Path(path)
    if not p.is_file():
        raise _error(f"{str(p)!r}: no such file")
    try:
        raw = (pd.read_parquet(p) if p.suffix == ".parquet"
               else pd.read_csv(p, float_precision="round_trip"))
    except Exception as exc:  # any reader failure is a bad file, said in one line
        raise _error(f"{p}: cannot be read ({type(exc).__name__}: {exc})") from None
    if "arrival_s" not in raw.columns:
        raise _error(f"{p}: missing column 'arrival_s' (found: {', '.join(map(str, raw.columns))})")
    cols = {}
    for col in TRACE_COLUMNS:
        if col not in raw.columns:
            cols[col] = np.full(len(raw), np.nan)
            continue
        x = pd.to_numeric(raw[col], errors="coerce").to_numpy(dtype=float)
        bad = (raw[col].notna().to_numpy() & np.isnan(x)) | (x < 0) | np.isinf(x)
        if col == "arrival_s":
            bad |= np.isnan(x)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            cell = raw[col].iloc[i]
            cell = cell.item() if hasattr(cell, "item") else cell  # numpy scalar: plain repr
            raise _error(f"{p}, row {i + 2}, column {col}: {cell!r} must be a "
                         "number of seconds >= 0" + ("" if col == "arrival_s" else " or empty"))
        cols[col] = x
    arrival = cols["arrival_s"]
    _, k = timetable.locate(arrival)
    out = (k < 0) | (arrival >= timetable.days * DAY_S)
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise _error(
            f"{p}, row {i + 2}, column arrival_s: {float(arrival[i])!r} is outside the opening hours "
            f"of the run's days (run.days = {timetable.days}, open "
            f"{timetable.open_s / 3600:g} h - {timetable.close_s / 3600:g} h)"
        )
    kinds = _types(raw, p, types)
    order = np.argsort(arrival, kind="stable")
    return Trace(arrival[order], cols["handle_s"][order], cols["patience_s"][order],
                 None if kinds is None else kinds[order])  # fmt: skip


