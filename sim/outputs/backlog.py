"""The backlog of each call type at given times: how many wait, and how old the oldest is.

A contact waits from its arrival until it is answered, abandons or is closed
(``arrival_s + wait_s``; a blocked call never waits). For e-mail (issue 15) the backlog
carries over closing and days; for voice and chat it is the queue. Computed for every
time at once from sorted columns (``np.searchsorted``), nothing per contact in Python.
Warm-up contacts count: the backlog is a state, not a tally of arrivals. The records of
outbound campaigns do not (their list is no queue: :mod:`sim.outputs.outbound`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outputs.outbound import outbound_rows

__all__ = ["backlog_at"]


def backlog_at(
    calls: pd.DataFrame, codes: np.ndarray, n_types: int, at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per call type and time of ``at`` (seconds): the contacts waiting then, and the age
    (seconds) of the oldest of them (0 if none). Both shape (n_types, len(at)).

    Waiting at t: arrived at or before t, and answered, abandoned or closed after t.
    ``codes``: each row's call type (0 .. n_types - 1).
    """
    arrival = calls["arrival_s"].to_numpy()
    leave = arrival + calls["wait_s"].to_numpy()
    waited = (calls["outcome"] != "blocked").to_numpy() & ~outbound_rows(calls)
    at = np.asarray(at, dtype=np.float64)
    count = np.zeros((n_types, len(at)), dtype=np.int64)
    age = np.zeros((n_types, len(at)))
    for k in range(n_types):
        m = (codes == k) & waited
        a, lv = arrival[m], leave[m]
        if not a.size:
            continue
        came = np.searchsorted(np.sort(a), at, side="right")
        gone = np.searchsorted(np.sort(lv), at, side="right")
        count[k] = came - gone
        order = np.argsort(lv, kind="stable")
        lv_sorted = lv[order]
        # the earliest arrival among those leaving after t: a suffix minimum
        suffix = np.minimum.accumulate(a[order][::-1])[::-1]
        j = np.searchsorted(lv_sorted, at, side="right")
        oldest = np.where(j < a.size, suffix[np.minimum(j, a.size - 1)], np.inf)
        age[k] = np.where((count[k] > 0) & (oldest <= at), at - oldest, 0.0)
    return count, age
