"""Counting the calls table into buckets: per interval, per run, per call type.

The shared arithmetic of the ``intervals`` table, the summary and their breakdowns by
call type and agent group (:mod:`sim.outputs.metrics`, :mod:`sim.outputs.call_types`,
:mod:`sim.outputs.agent_groups`): counts and sums per bucket over the table in chunks
(the numbers of one ``np.bincount`` per quantity over whole columns, bit for bit), the
ratio KPIs from those counts, and busy agent-time from the answered calls' spans.
Nothing runs per call in Python.

Speed (issue 16, sweeps of thousands of runs): what two tables both need is counted
once and handed to both (:class:`sim.outputs.metrics.CentreCounts`,
:class:`sim.outputs.call_types.TypeCounts`, :class:`BusyTime`); a span is searched
once for all the grids it is wanted at (:func:`count_sum_upto_each`); the counts of a
chunk are two ``np.bincount`` of coded rows, not one masked copy per quantity. The
sums keep ``np.add.at`` in table order: a sum in another order would differ in the
last bits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.core.calls import BAD, Outcome, Source
from sim.core.timetable import DAY_S, Timetable, format_clock

#: Rows at a time of the chunked steps: a year's table has millions of rows, and a
#: chunk's temporaries (512 KB per float column) stay in the cache and in the memory
#: the allocator already holds. Chunks of a million rows made each temporary a fresh
#: mapping of a few MB: a 30-day run spent a third of its post-processing in page
#: faults (issue 16). The numbers do not depend on it: sums run in table order.
_CHUNK = 1 << 16

__all__ = [
    "BusyTime",
    "answered_spans",
    "count_sum_upto",
    "count_sum_upto_each",
    "cumulative_busy",
    "cumulative_busy_at",
    "interval_grid",
    "merge_spans",
    "ratio_kpis",
    "ratio_parts",
    "tally",
]


def count_sum_upto(x: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each time in the sorted ``at``: how many values of ``x`` are <= it, and their sum."""
    return count_sum_upto_each(x, [at])[0]


def count_sum_upto_each(
    x: np.ndarray, grids: Sequence[np.ndarray]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`count_sum_upto` of ``x`` for each sorted grid of times in ``grids``.

    Buckets ``x`` by each grid instead of sorting it, a chunk of values at a time, so
    memory stays small for tables of millions of calls: counts by ``np.bincount`` per
    chunk, sums by ``np.add.at``, which adds the values in order (the sums of one
    ``np.bincount`` over all of ``x``, bit for bit). The binary search, the costly
    step, runs once per value, in the union of the grids; a lookup table turns its
    index into each grid's.
    """
    if len(grids) == 1:
        union, lookup = np.asarray(grids[0], dtype=np.float64), None
    else:
        union = np.unique(np.concatenate(grids))
        # values in (union[u - 1], union[u]]: above the grid's times <= union[u - 1]
        lookup = [np.r_[0, np.searchsorted(g, union, side="right")] for g in grids]
    count = [np.zeros(len(g) + 1, dtype=np.int64) for g in grids]
    total = [np.zeros(len(g) + 1) for g in grids]
    for lo in range(0, x.size, _CHUNK):
        part = x[lo : lo + _CHUNK]
        u = np.searchsorted(union, part, side="left")
        for i in range(len(grids)):
            j = u if lookup is None else lookup[i][u]
            count[i] += np.bincount(j, minlength=len(count[i]))
            np.add.at(total[i], j, part)
    return [(np.cumsum(c)[:-1], np.cumsum(t)[:-1]) for c, t in zip(count, total, strict=True)]


def cumulative_busy(starts: np.ndarray, ends: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Busy agent-seconds accumulated up to each (sorted) time in ``at`` by spans [start, end)."""
    return cumulative_busy_at(starts, ends, [at])[0]


def cumulative_busy_at(
    starts: np.ndarray, ends: np.ndarray, grids: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """:func:`cumulative_busy` at each sorted grid of ``grids`` (e.g. the intervals'
    starts and ends), each span's start and end searched once for all grids."""
    out = []
    for at, (ns, cs), (ne, ce) in zip(
        grids, count_sum_upto_each(starts, grids), count_sum_upto_each(ends, grids), strict=True
    ):
        out.append((at * ns - cs) - (at * ne - ce))
    return out


class BusyTime:
    """Busy agent-seconds of a set of handling spans [start, end) up to given times
    (:func:`cumulative_busy_at`), each set of grids computed once: the tables that ask
    for the same times of the same spans (the ``intervals`` table and a single agent
    group's, the summary and the group's summary) share the answer, bit for bit.

    ``merged``: the spans are an agent's merged chats (:func:`merge_spans`).
    :meth:`drop_spans` frees the spans (a year: ~100 MB) and keeps the answers.
    """

    def __init__(self, starts: np.ndarray, ends: np.ndarray, merged: bool = False) -> None:
        self.spans: tuple[np.ndarray, np.ndarray] | None = (starts, ends)
        self.merged = merged
        self._known: dict[tuple[bytes, ...], list[np.ndarray]] = {}

    @staticmethod
    def _key(grids: Sequence[np.ndarray]) -> tuple[bytes, ...]:
        return tuple(np.asarray(g, dtype=np.float64).tobytes() for g in grids)

    def knows(self, grids: Sequence[np.ndarray]) -> bool:
        """Whether :meth:`at` can answer ``grids`` (computed, or the spans still kept)."""
        return self.spans is not None or self._key(grids) in self._known

    def at(self, grids: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Busy agent-seconds up to each time of each sorted grid (seconds) of ``grids``.
        The arrays are shared with every caller of the same grids: do not change them.
        Raises ValueError for grids not computed before :meth:`drop_spans`."""
        key = self._key(grids)
        if key not in self._known:
            if self.spans is None:
                raise ValueError("BusyTime: spans dropped; these grids were not computed")
            self._known[key] = cumulative_busy_at(*self.spans, grids)
        return self._known[key]

    def drop_spans(self) -> None:
        """Free the spans; the answers computed so far stay."""
        self.spans = None


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
    (:data:`_CHUNK` rows). Counts: two ``np.bincount`` per chunk, of each row's bucket
    with its outcome and within-threshold flag, and with its source and its bad-rating
    and waited flags; whole numbers, exact in any order. Sums: ``np.add.at`` into the
    running totals, which adds each call in table order, as one ``np.bincount`` over
    the whole table did, so the sums are the same bit for bit.

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
    columns = _Columns(calls)
    everyone_stays = True
    for lo in range(0, len(calls), _CHUNK):
        part = slice(lo, lo + _CHUNK)
        everyone_stays &= _tally_chunk(columns, part, timetable, threshold, codes, inbound_only, out)
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

#: Counts of :func:`tally` by outcome (the calls table's outcome code + 1 = its value).
_BY_OUTCOME = {
    "answered": Outcome.ANSWERED, "abandoned": Outcome.ABANDONED, "blocked": Outcome.BLOCKED,
    "closed": Outcome.CLOSED, "unreached": Outcome.UNREACHED,
    "callback_accepted": Outcome.CALLBACK,
}  # fmt: skip


class _Columns:
    """The columns :func:`tally` reads, as numpy arrays (views of the table), looked
    up once instead of once per chunk."""

    def __init__(self, calls: pd.DataFrame) -> None:
        self.day = calls["day"].to_numpy()
        self.interval = calls["interval"].to_numpy()
        self.warmup = calls["warmup"].to_numpy()
        self.source = calls["source"].cat.codes.to_numpy()
        self.dials = len(calls["source"].cat.categories) > Source.OUTBOUND  # outbound campaigns
        self.outcome = calls["outcome"].cat.codes.to_numpy()
        self.bad = calls["experience"].cat.codes.to_numpy()
        self.wait = calls["wait_s"].to_numpy()
        self.handle = calls["handle_s"].to_numpy()


def _tally_chunk(
    calls: _Columns,
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
    interval = calls.interval[part]
    row = calls.day[part].astype(np.intp) * k + interval
    row[interval < 0] = n_buckets
    row[calls.warmup[part]] = n_buckets + 1
    source = calls.source[part]
    if calls.dials:  # dials are no calls offered
        row[source == Source.OUTBOUND] = n_buckets + 1
    if inbound_only:
        row[source == Source.CALLBACK] = n_buckets + 1  # outbound work: not the queue's
    outcome = calls.outcome[part].astype(np.intp) + 1
    wait = calls.wait[part]
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
    # counts per bucket x outcome (0 .. 7) x within the threshold (0, 1)
    by_within = np.bincount((row * 8 + outcome) * 2 + within, minlength=size * 16)
    n = by_within.reshape(size, 8, 2)
    by_outcome = n.sum(axis=2)
    out["offered"] += by_outcome.sum(axis=1)
    for key, value in _BY_OUTCOME.items():
        out[key] += by_outcome[:, value]
    out["sl_offered"] += by_outcome.sum(axis=1) - by_outcome[:, Outcome.CALLBACK]
    out["answered_within_sl"] += n[:, Outcome.ANSWERED, 1]
    out["abandoned_within_sl"] += n[:, Outcome.ABANDONED, 1]
    # counts per bucket x source (0 .. 7) x rated bad (0, 1) x waited (0, 1)
    bad = calls.bad[part] == BAD + 1
    by_source = np.bincount(((row * 8 + source) * 2 + bad) * 2 + waited, minlength=size * 32)
    m = by_source.reshape(size, 8, 2, 2)
    out["redials"] += m[:, Source.REDIAL].sum(axis=(1, 2))
    out["repeats"] += m[:, Source.REPEAT].sum(axis=(1, 2))
    out["bad"] += m[:, :, 1].sum(axis=(1, 2))
    out["waited"] += m[:, :, :, 1].sum(axis=(1, 2))
    # sums in table order, as one np.bincount over the whole table (bit for bit)
    np.add.at(out["wait_answered"], row[ans], wait[ans])
    both = ans | abd
    np.add.at(out["wait_all"], row[both], wait[both])
    np.add.at(out["handle_answered"], row[ans], calls.handle[part][ans])
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
