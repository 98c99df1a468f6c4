"""Counting the calls table into buckets: per interval, per run, per call type.

The shared arithmetic of the ``intervals`` table, the summary and their breakdowns by
call type and agent group (:mod:`sim.outputs.metrics`, :mod:`sim.outputs.call_types`,
:mod:`sim.outputs.agent_groups`): one ``np.bincount`` per quantity over whole columns,
the ratio KPIs from those counts, and busy agent-time from the answered calls' spans.
Nothing runs per call in Python.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.core.calls import BAD, Outcome, Source
from sim.core.timetable import DAY_S, Timetable, format_clock

#: Rows at a time of the chunked steps (a year's table: millions of rows).
_CHUNK = 1 << 20

__all__ = [
    "answered_spans",
    "count_sum_upto",
    "cumulative_busy",
    "interval_grid",
    "merge_spans",
    "ratio_kpis",
    "ratio_parts",
    "tally",
]


def count_sum_upto(x: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each time in the sorted ``at``: how many values of ``x`` are <= it, and their sum.

    Buckets ``x`` by ``at`` instead of sorting it, a chunk of values at a time, so
    memory stays small for tables of millions of calls: counts by ``np.bincount`` per
    chunk, sums by ``np.add.at``, which adds the values in order (the sums of one
    ``np.bincount`` over all of ``x``, bit for bit).
    """
    m = len(at) + 1
    count = np.zeros(m, dtype=np.int64)
    total = np.zeros(m)
    for lo in range(0, x.size, _CHUNK):
        part = x[lo : lo + _CHUNK]
        j = np.searchsorted(at, part, side="left")
        count += np.bincount(j, minlength=m)
        np.add.at(total, j, part)
    return np.cumsum(count)[:-1], np.cumsum(total)[:-1]


def cumulative_busy(starts: np.ndarray, ends: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Busy agent-seconds accumulated up to each (sorted) time in ``at`` by spans [start, end)."""
    ns, cs = count_sum_upto(starts, at)
    ne, ce = count_sum_upto(ends, at)
    return (at * ns - cs) - (at * ne - ce)


def answered_spans(
    calls: pd.DataFrame, mask: np.ndarray | None = None, merge: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (seconds) of every answered call's handling, and of every unreached
    callback attempt's (of the rows in ``mask``, if given: e.g. the calls one agent
    group answered). ``merge``: an agent's overlapping spans (chat sessions held at
    once, issue 15) become one, so busy time counts each agent at most once
    (:func:`merge_spans`)."""
    codes = calls["outcome"].cat.codes.to_numpy()  # an unreached callback took agent time too
    ans = (codes == Outcome.ANSWERED - 1) | (codes == Outcome.UNREACHED - 1)
    if mask is not None:
        ans &= mask
    start = _masked_sum(ans, calls["arrival_s"].to_numpy(), calls["wait_s"].to_numpy())
    end = _masked_sum(ans, calls["handle_s"].to_numpy(), start, compressed=True)
    if merge:
        return merge_spans(start, end, calls["agent_id"].to_numpy()[ans])
    return start, end


def _masked_sum(
    mask: np.ndarray, x: np.ndarray, y: np.ndarray, compressed: bool = False
) -> np.ndarray:
    """``x[mask] + y[mask]`` (``compressed``: ``y`` is already ``y[mask]``), filled a chunk
    at a time: no temporary as long as the column."""
    out = np.empty(int(np.count_nonzero(mask)), dtype=np.float64)
    k = 0
    for lo in range(0, mask.size, _CHUNK):
        m = mask[lo : lo + _CHUNK]
        part = x[lo : lo + _CHUNK][m]
        part += y[k : k + part.size] if compressed else y[lo : lo + _CHUNK][m]
        out[k : k + part.size] = part
        k += part.size
    return out


def merge_spans(
    start: np.ndarray, end: np.ndarray, agent: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The union of each agent's spans [start, end): overlapping spans of one agent merged
    (spans that only touch stay apart). Order: by agent, then start. Vectorised: within
    an agent (sorted by start) a span opens a new block when it starts at or after the
    running maximum of the ends before it."""
    if start.size == 0:
        return start, end
    order = np.lexsort((start, agent))
    s, e, a = start[order], end[order], agent[order]
    run = np.empty_like(e)  # the running max of the ends, restarted for each agent
    new_agent = np.r_[True, a[1:] != a[:-1]]
    ids = np.cumsum(new_agent) - 1
    offset = ids * (float(np.max(e) - np.min(s)) + 1.0)  # blocks of agents cannot mix
    run = np.maximum.accumulate(e + offset) - offset
    opens = new_agent.copy()
    opens[1:] |= s[1:] >= run[:-1]
    first = np.flatnonzero(opens)
    last = np.r_[first[1:] - 1, len(s) - 1]
    return s[first], run[last]


def tally(
    calls: pd.DataFrame,
    timetable: Timetable,
    sl_threshold_s: float | np.ndarray,
    by: np.ndarray | None = None,
    n_by: int = 1,
    inbound_only: bool = False,
) -> dict[str, np.ndarray]:
    """Counts and sums per bucket, over the table a chunk of rows at a time.

    Bucket ``day * n_intervals + interval`` holds the calls that arrived in that
    interval; bucket ``B`` (= days * n_intervals) those that arrived outside opening
    hours (redials while closed); bucket ``B + 1`` the warm-up calls and the dials of
    outbound campaigns (discarded: :mod:`sim.outputs.outbound` counts them).
    The table is never copied, and the per-call temporaries are a chunk's
    (:data:`_CHUNK` rows): counts by ``np.bincount`` per chunk, added up; sums by
    ``np.add.at`` into the running totals, which adds each call in table order, as one
    ``np.bincount`` over the whole table did, so the sums are the same bit for bit.

    ``by`` (integer codes 0 .. ``n_by`` - 1, one per call, e.g. the call type) splits
    every bucket: the arrays then have shape (``n_by``, B + 2), and ``sl_threshold_s``
    may be one threshold per code (seconds). Without ``by``: shape (B + 2,).

    Callbacks (issue 15): ``sl_offered``, the service level's base, leaves out a caller
    who accepted a callback (outcome ``callback``: the call flowed out of the line; it
    found no idle agent, so it counts in ``waited``), and ``inbound_only`` (the centre's
    counts) puts every callback attempt (``source = callback``: outbound work, with its
    own KPIs in :mod:`sim.outputs.callbacks`) in the discarded bucket, beside the
    warm-up calls. Without callbacks, ``sl_offered`` is ``offered`` and nothing
    changes, bit for bit
    (docs/background/metrics.md).
    """
    size = timetable.days * timetable.n_intervals + 2
    codes = None if by is None else np.asarray(by)
    if codes is not None and codes.size and (codes.min() < 0 or codes.max() >= n_by):
        raise ValueError(f"tally: codes outside 0..{n_by - 1}")
    threshold = np.broadcast_to(np.asarray(sl_threshold_s, dtype=np.float64), (n_by,))
    out = {key: np.zeros(size * n_by) for key in _TALLIED}
    everyone_stays = True
    for lo in range(0, len(calls), _CHUNK):
        part = slice(lo, lo + _CHUNK)
        everyone_stays &= _tally_chunk(calls, part, timetable, threshold, codes, inbound_only, out)
    if everyone_stays:
        out["sl_offered"] = out["offered"]  # the same array without callbacks
    return out if by is None else {key: v.reshape(n_by, -1) for key, v in out.items()}


#: The quantities of :func:`tally`, in order.
_TALLIED = (
    "offered", "answered", "abandoned", "blocked", "closed", "unreached", "callback_accepted",
    "redials", "repeats", "bad",
    "waited", "sl_offered", "answered_within_sl", "abandoned_within_sl", "wait_answered",
    "wait_all", "handle_answered",
)  # fmt: skip


def _tally_chunk(
    calls: pd.DataFrame,
    part: slice,
    timetable: Timetable,
    threshold: np.ndarray,
    codes: np.ndarray | None,
    inbound_only: bool,
    out: dict[str, np.ndarray],
) -> bool:
    """Add the rows ``part`` of ``calls`` to the totals ``out`` of :func:`tally`; whether
    every caller of them stayed on the line (no outcome ``callback``)."""
    k = timetable.n_intervals
    n_buckets = timetable.days * k
    interval = calls["interval"].to_numpy()[part]
    row = calls["day"].to_numpy()[part].astype(np.intp) * k + interval
    row[interval < 0] = n_buckets
    row[calls["warmup"].to_numpy()[part]] = n_buckets + 1
    source = calls["source"].cat.codes.to_numpy()[part]
    if len(calls["source"].cat.categories) > Source.OUTBOUND:  # dials are no calls offered
        row[source == Source.OUTBOUND] = n_buckets + 1
    if inbound_only:
        row[source == Source.CALLBACK] = n_buckets + 1  # outbound work: not the queue's
    outcome = calls["outcome"].cat.codes.to_numpy()[part] + 1
    wait = calls["wait_s"].to_numpy()[part]
    ans = outcome == Outcome.ANSWERED
    abd = outcome == Outcome.ABANDONED
    stays = outcome != Outcome.CALLBACK  # a caller who took a callback left the line
    waited = abd | (wait > 0)  # blocked calls and calls closed on arrival: 0
    everyone_stays = bool(stays.all())
    if not everyone_stays:
        waited |= ~stays  # the acceptor found no idle agent
    if codes is None:
        within = wait <= threshold[0]
    else:
        c = codes[part]
        within = np.zeros(len(wait), dtype=bool)
        for code, t in enumerate(threshold):  # bool temporaries only
            within |= (c == code) & (wait <= t)
        row += c.astype(np.intp) * (n_buckets + 2)
    size = len(out["offered"])

    def count(key: str, mask: np.ndarray | None = None, weights: np.ndarray | None = None) -> None:
        r = row if mask is None else row[mask]
        if weights is None:
            out[key] += np.bincount(r, minlength=size)  # whole numbers: exact in any order
        else:
            np.add.at(out[key], r, weights[mask])  # in table order, as one bincount

    count("offered")
    count("answered", ans)
    count("abandoned", abd)
    count("blocked", outcome == Outcome.BLOCKED)
    count("closed", outcome == Outcome.CLOSED)
    count("unreached", outcome == Outcome.UNREACHED)
    if not everyone_stays:
        count("callback_accepted", ~stays)
    count("redials", source == Source.REDIAL)
    count("repeats", source == Source.REPEAT)
    count("bad", calls["experience"].cat.codes.to_numpy()[part] == BAD + 1)
    count("waited", waited)
    count("sl_offered", stays)
    count("answered_within_sl", ans & within)
    count("abandoned_within_sl", abd & within)
    count("wait_answered", ans, wait)
    count("wait_all", ans | abd, wait)
    count("handle_answered", ans, calls["handle_s"].to_numpy()[part])
    return everyone_stays


def ratio_parts(t: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The numerator and denominator of each ratio KPI of :func:`ratio_kpis`, from
    tallies: what the ratio estimator over replications pools
    (:func:`sim.outputs.confidence.ratio_estimate`)."""
    return {
        "p_wait": (t["waited"], t["offered"]),
        "service_level": (t["answered_within_sl"], t["sl_offered"]),
        "service_level_answered": (t["answered_within_sl"], t["answered"]),
        "service_level_excl_short_abandons": (
            t["answered_within_sl"], t["sl_offered"] - t["abandoned_within_sl"]),
        "asa_s": (t["wait_answered"], t["answered"]),
        "mean_wait_s": (t["wait_all"], t["answered"] + t["abandoned"]),
        "abandon_rate": (t["abandoned"], t["offered"]),
        "block_rate": (t["blocked"], t["offered"]),
        "mean_handle_s": (t["handle_answered"], t["answered"]),
        "bad_experience_rate": (t["bad"], t["offered"]),
    }  # fmt: skip


def ratio_kpis(t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Ratio KPIs from tallies (NaN where the denominator is 0): the numerator over the
    denominator of each :func:`ratio_parts`."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return {key: x / y for key, (x, y) in ratio_parts(t).items()}


def interval_grid(timetable: Timetable) -> tuple[dict[str, Any], np.ndarray]:
    """The key columns of a per-interval table (``day``, ``interval``, ``weekday``,
    ``start_s``, ``clock``; one entry per day and interval, day-major) and the
    intervals' end times (seconds; time after closing is in no interval)."""
    days, k = timetable.days, timetable.n_intervals
    day = np.repeat(np.arange(days), k)
    start = np.concatenate([timetable.interval_starts(d) for d in range(days)])
    keys = {
        "day": day,
        "interval": np.tile(np.arange(k), days),
        "weekday": (timetable.start_weekday + day) % 7,
        "start_s": start,
        "clock": [format_clock(t % DAY_S) for t in start[:k]] * days,
    }
    return keys, start + timetable.interval_s
