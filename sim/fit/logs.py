"""Call logs: the one table every estimator of :mod:`sim.fit` reads, and the generic CSV reader.

A :class:`CallLog` holds one row per call that reached the agents' queue (phantom calls and
calls that hung up before queueing are dropped by the readers and counted in
``CallLog.dropped``). Columns of ``CallLog.calls`` (:data:`LOG_COLUMNS`):

=================  ==========================================================================
``call_id``        the log's id of the call (string)
``day``            day index, 0 = the log's first date
``arrival_s``      time the call joined the queue, seconds from 00:00 of day 0
``wait_s``         time in the queue until answered or abandoned, seconds (>= 0)
``outcome``        ``answered`` or ``abandoned``
``handle_s``       service (handle) time of answered calls, seconds; NaN if abandoned
``call_type``      call type ("" when the log has none)
``customer_id``    customer id ("" when unknown)
``agent_id``       id of the agent who answered ("" when abandoned or unknown)
=================  ==========================================================================

The **generic CSV format** (:func:`read_csv_log`), one header row, comma separated:

* ``arrival``: date and time the call joined the queue, ``YYYY-MM-DD HH:MM:SS``;
* ``wait_s``: seconds waited (>= 0);
* ``outcome``: ``answered`` or ``abandoned``;
* ``handle_s``: handle time of an answered call, seconds (> 0); empty when abandoned;
* optional ``call_type``, ``customer_id``, ``agent_id`` (text; empty = unknown).

Bad input raises :class:`LogError` with one line naming the file, line and column.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "CSV_OPTIONAL",
    "CSV_REQUIRED",
    "LOG_COLUMNS",
    "OUTCOMES",
    "CallLog",
    "LogError",
    "make_log",
    "read_csv_log",
]

LOG_COLUMNS = (
    "call_id", "day", "arrival_s", "wait_s", "outcome", "handle_s", "call_type",
    "customer_id", "agent_id",
)  # fmt: skip
OUTCOMES = ("answered", "abandoned")
CSV_REQUIRED = ("arrival", "wait_s", "outcome", "handle_s")
CSV_OPTIONAL = ("call_type", "customer_id", "agent_id")
DAY_S = 86_400.0


class LogError(ValueError):
    """A call log cannot be read: the message names the file, line and column."""


@dataclass(frozen=True)
class CallLog:
    """The calls of a log that reached the queue, sorted by arrival.

    ``start_date`` is the calendar date of day 0; ``dropped`` counts the rows the reader
    left out, by reason (e.g. ``phantom``, ``abandoned_in_ivr``); ``source`` names the file.
    """

    calls: pd.DataFrame
    start_date: dt.date
    source: str = ""
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def days(self) -> int:
        """Days spanned by the log, first to last date."""
        return int(self.calls["day"].max()) + 1 if len(self.calls) else 0

    def weekday(self, day: int) -> int:
        """Weekday of ``day`` (0 = Monday)."""
        return (self.start_date + dt.timedelta(days=day)).weekday()

    def call_types(self) -> list[str]:
        """The call types present, most frequent first ("" if the log has none)."""
        return [str(t) for t in self.calls["call_type"].value_counts().index]

    def of_type(self, call_type: str | None) -> CallLog:
        """The calls of one type (None: all calls)."""
        if call_type is None:
            return self
        keep = self.calls["call_type"] == call_type
        return CallLog(self.calls[keep].reset_index(drop=True), self.start_date, self.source)


def make_log(
    arrival_s: np.ndarray,
    wait_s: np.ndarray,
    answered: np.ndarray,
    handle_s: np.ndarray,
    start_date: dt.date = dt.date(2000, 1, 3),
    call_type: object = "",
    customer_id: object = "",
    agent_id: object = "",
    call_id: object = None,
    source: str = "",
    dropped: dict[str, int] | None = None,
    extra: dict[str, np.ndarray] | None = None,
) -> CallLog:
    """A :class:`CallLog` from columns (arrays of one length n; scalars are broadcast).

    ``arrival_s`` seconds from 00:00 of ``start_date``; ``handle_s`` of abandoned calls is
    set to NaN; ``extra`` columns are appended as they are. Rows are sorted by arrival
    (stable).
    """
    arrival = np.asarray(arrival_s, dtype=float)
    n = arrival.size
    answered = np.asarray(answered, dtype=bool)

    def text(v: object) -> np.ndarray:
        if isinstance(v, str):
            return np.full(n, v, dtype=object)
        return np.asarray(v, dtype=object).astype(str)

    calls = pd.DataFrame(
        {
            "call_id": text(np.arange(n) if call_id is None else call_id),
            "day": np.floor(arrival / DAY_S).astype(np.int64),
            "arrival_s": arrival,
            "wait_s": np.asarray(wait_s, dtype=float),
            "outcome": pd.Categorical.from_codes(
                np.where(answered, 0, 1), dtype=pd.CategoricalDtype(list(OUTCOMES))
            ),
            "handle_s": np.where(answered, np.asarray(handle_s, dtype=float), np.nan),
            "call_type": text(call_type),
            "customer_id": text(customer_id),
            "agent_id": np.where(answered, text(agent_id), ""),
        }
    )
    for name, values in (extra or {}).items():
        calls[name] = np.asarray(values)
    calls = calls.sort_values("arrival_s", kind="stable").reset_index(drop=True)
    return CallLog(calls, start_date, source, dict(dropped or {}))


def _fail(path: Path, line: int, column: str, value: object, allowed: str) -> LogError:
    return LogError(f"{path}, line {line}, column {column}: {value!r} {allowed}")


def _first_bad(mask: np.ndarray) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if idx.size else None


def read_csv_log(path: str | Path) -> CallLog:
    """Read a call log in the generic CSV format (see the module docstring).

    Raises :class:`LogError` naming the file, line and column for a missing file, an empty
    file, a missing column, an unparseable time or number, a negative wait, an unknown
    outcome or an answered call without a handle time.
    """
    path = Path(path)
    if not path.is_file():
        raise LogError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), None)
    if not header or not any(h.strip() for h in header):
        raise LogError(f"{path}, line 1: empty file, expected a header row with columns "
                       + ", ".join(CSV_REQUIRED))
    header = [h.strip() for h in header]
    for col in CSV_REQUIRED:
        if col not in header:
            raise LogError(
                f"{path}, line 1: missing column {col!r} (found: {', '.join(header)}; "
                f"required: {', '.join(CSV_REQUIRED)})"
            )
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:  # e.g. "Expected 4 fields in line 7, saw 5"
        raise LogError(f"{path}: {str(exc).strip()}") from None
    raw.columns = header
    if raw.empty:
        raise LogError(f"{path}, line 2: no calls after the header row")
    line = np.arange(len(raw)) + 2  # header is line 1
    stamp = pd.to_datetime(raw["arrival"].str.strip(), format="%Y-%m-%d %H:%M:%S", errors="coerce")
    bad = _first_bad(stamp.isna().to_numpy())
    if bad is not None:
        raise _fail(path, line[bad], "arrival", raw["arrival"].iloc[bad],
                    "is not a date-time YYYY-MM-DD HH:MM:SS")
    wait = pd.to_numeric(raw["wait_s"], errors="coerce").to_numpy(dtype=float)
    bad = _first_bad(~np.isfinite(wait) | (wait < 0))
    if bad is not None:
        raise _fail(path, line[bad], "wait_s", raw["wait_s"].iloc[bad],
                    "must be a number of seconds >= 0")
    outcome = raw["outcome"].str.strip().str.lower()
    bad = _first_bad(~outcome.isin(OUTCOMES).to_numpy())
    if bad is not None:
        raise _fail(path, line[bad], "outcome", raw["outcome"].iloc[bad],
                    "must be one of " + ", ".join(OUTCOMES))
    answered = (outcome == "answered").to_numpy()
    handle = pd.to_numeric(raw["handle_s"], errors="coerce").to_numpy(dtype=float)
    bad = _first_bad(answered & ~(np.isfinite(handle) & (handle > 0)))
    if bad is not None:
        raise _fail(path, line[bad], "handle_s", raw["handle_s"].iloc[bad],
                    "must be a number of seconds > 0 for an answered call")
    day0 = stamp.min().normalize()
    arrival = (stamp - day0).dt.total_seconds().to_numpy()
    opt = {c: (raw[c].str.strip().to_numpy() if c in raw else "") for c in CSV_OPTIONAL}
    return make_log(
        arrival, wait, answered, handle, day0.date(), opt["call_type"], opt["customer_id"],
        opt["agent_id"], call_id=line.astype(str), source=str(path),
    )
