"""The backlog of each call type at given times: how many wait, and how old the oldest is.

A contact waits from its arrival until it is answered, abandons or is closed
(``arrival_s + wait_s``; a blocked call never waits). For e-mail (issue 15) the backlog
carries over closing and days; for voice and chat it is the queue. Computed for every
time at once, nothing per contact in Python: each contact's arrival and leaving are
put into the buckets between consecutive times (``np.searchsorted``) and counted
(``np.bincount``); the oldest contact waiting at a time is the earliest arrival among
those leaving after it (a suffix minimum over the buckets). The table is read in
chunks, so memory stays small for a year's millions of calls (no sort, no copy of a
column). Warm-up contacts count: the backlog is a state, not a tally of arrivals. The
records of outbound campaigns do not (their list is no queue:
:mod:`sim.outputs.outbound`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outputs.outbound import outbound_rows

__all__ = ["CHUNK", "backlog_at"]

#: Rows of the calls table read at a time.
CHUNK = 1 << 16


def backlog_at(
    calls: pd.DataFrame, codes: np.ndarray, n_types: int, at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per call type and time of ``at`` (seconds): the contacts waiting then, and the age
    (seconds) of the oldest of them (0 if none). Both shape (n_types, len(at)).

    Waiting at t: arrived at or before t, and answered, abandoned or closed after t.
    ``codes``: each row's call type (0 .. n_types - 1).
    """
    at = np.asarray(at, dtype=np.float64)
    order = np.argsort(at, kind="stable")
    t = at[order]
    m = len(t) + 1  # bucket j: the contacts with t[j - 1] < x <= t[j]
    came = np.zeros(n_types * m, dtype=np.int64)
    gone = np.zeros(n_types * m, dtype=np.int64)
    first = np.full(n_types * m, np.inf)  # the earliest arrival leaving in each bucket
    arrival, wait = calls["arrival_s"].to_numpy(), calls["wait_s"].to_numpy()
    waited = (calls["outcome"] != "blocked").to_numpy() & ~outbound_rows(calls)
    codes = np.asarray(codes)
    for lo in range(0, len(arrival), CHUNK):
        part = slice(lo, lo + CHUNK)
        keep = waited[part]
        a = arrival[part][keep]
        base = codes[part][keep].astype(np.int64) * m
        into = base + np.searchsorted(t, a, side="left")  # a <= t[i] from bucket i on
        came += np.bincount(into, minlength=n_types * m)
        into = base + np.searchsorted(t, a + wait[part][keep], side="left")
        gone += np.bincount(into, minlength=n_types * m)
        np.minimum.at(first, into, a)
    count = np.cumsum(came.reshape(n_types, m), axis=1)
    count -= np.cumsum(gone.reshape(n_types, m), axis=1)
    # waiting at t[i] and leaving after it: leaving in a bucket after i
    oldest = np.minimum.accumulate(first.reshape(n_types, m)[:, ::-1], axis=1)[:, ::-1][:, 1:]
    count = count[:, :-1]
    age = np.where((count > 0) & (oldest <= t), t - oldest, 0.0)
    out_count = np.empty_like(count)
    out_age = np.empty_like(age)
    out_count[:, order], out_age[:, order] = count, age
    return out_count, out_age
