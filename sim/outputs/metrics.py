"""From the engine's raw log to the fixed-schema tables and the headline KPIs.

Everything here is vectorised numpy/pandas over whole columns; nothing runs per call
in Python. The definitions are stated once, in ``docs/background/metrics.md``, and
every column once, in ``docs/reference/outputs.md``:

* service level SL(T): answered within T / offered (``service_level``); variants
  answered within T / answered (``service_level_answered``) and answered within T /
  (offered - abandoned within T) (``service_level_excl_short_abandons``);
* ASA: mean wait of answered calls; ``mean_wait_s``: mean wait of answered and
  abandoned calls (an abandoned call waited its patience);
* abandonment rate: abandoned / offered; blocking rate: blocked / offered;
* ``p_wait``: share of offered calls that found no idle agent and were not blocked;
* occupancy: busy agent-time / available agent-time, where available agent-time counts
  every agent present (on duty, or finishing a call after their shift ended).

Offered calls are all call attempts (fresh and redials) that arrived after the warm-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.core.calls import BAD, RATINGS, Outcome, Source
from sim.core.timetable import DAY_S, Timetable, format_clock
from sim.customers.experience import ExperienceRule
from sim.outputs.kpis import KPIS
from sim.queue.engine import EngineLog

__all__ = [
    "AGENT_KEYS",
    "CALL_COLUMNS",
    "INTERVAL_COLUMNS",
    "KPI_DEFINITIONS",
    "MONEY_KEYS",
    "QUEUE_KEYS",
    "SUMMARY_KEYS",
    "calls_table",
    "cumulative_present",
    "first_contact_resolution",
    "intervals_table",
    "summarize",
]

OUTCOMES = ("answered", "abandoned", "blocked", "closed")  # index = Outcome value - 1
SOURCES = ("fresh", "redial", "repeat")  # index = Source value

#: Columns of the ``calls`` table, in order.
CALL_COLUMNS = (
    "call_id", "issue_id", "customer_id", "contact", "attempt", "source", "call_type",
    "day", "interval", "arrival_s", "patience_s", "wait_s", "outcome", "agent_id",
    "agent_group", "handle_s", "resolved", "experience", "warmup",
)  # fmt: skip

#: Columns of the ``intervals`` table, in order.
INTERVAL_COLUMNS = (
    "day", "interval", "weekday", "start_s", "clock", "expected_calls", "offered",
    "answered", "abandoned", "blocked", "answered_within_sl", "abandoned_within_sl",
    "service_level", "service_level_answered", "service_level_excl_short_abandons",
    "asa_s", "mean_wait_s", "abandon_rate", "scheduled_agents", "agents_present",
    "paid_agent_s", "busy_agent_s", "available_agent_s", "occupancy",
)  # fmt: skip

#: Summary keys of the queue, computed by :func:`summarize` from the calls.
QUEUE_KEYS = (
    "offered", "answered", "abandoned", "blocked", "closed", "redials", "repeats", "p_wait",
    "service_level", "service_level_answered", "service_level_excl_short_abandons",
    "asa_s", "mean_wait_s", "abandon_rate", "block_rate", "occupancy", "mean_handle_s",
    "fcr", "bad_experience_rate",
)  # fmt: skip
#: Summary keys of customers and money (:mod:`sim.outputs.days`; NaN without customers, except
#: ``agent_cost``).
MONEY_KEYS = (
    "customers_end", "customers_lost_to_service", "revenue", "agent_cost", "profit",
    "value_lost_to_service", "value_won",
)  # fmt: skip
#: Summary keys of the agents (:mod:`sim.outputs.days`; NaN without ``workforce.enabled``, except
#: ``paid_hours`` and ``hiring_cost``).
AGENT_KEYS = (
    "headcount_end", "quits", "hires", "attrition_annual", "fatigue_mean", "paid_hours",
    "hiring_cost",
)  # fmt: skip
#: Keys of the one-row ``summary``, in order.
SUMMARY_KEYS = QUEUE_KEYS + MONEY_KEYS + AGENT_KEYS


#: What each summary KPI means (units in the name; rates are shares in [0, 1]); from
#: the KPI registry (:mod:`sim.outputs.kpis`), the one place of names, labels, units, definitions.
KPI_DEFINITIONS = {k.name: k.definition for k in KPIS.values()}


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> Any:
    """A categorical column from integer codes (-1 = missing), without copying labels."""
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(categories)))


def calls_table(
    log: EngineLog,
    timetable: Timetable,
    warmup_s: float,
    call_types: Sequence[str],
    agent_groups: Sequence[str],
    rule: ExperienceRule,
    release: bool = False,
) -> pd.DataFrame:
    """The ``calls`` table: one row per call attempt, in order of arrival.

    ``call_types`` and ``agent_groups`` name the codes of ``log.call_type`` and
    ``log.group_of_agent`` (the categories of the ``call_type`` and ``agent_group``
    columns, in that order; ``agent_group`` is missing for calls not answered).

    ``call_id`` is the rank of the attempt by arrival time (ties keep engine order);
    ``issue_id`` is the ``call_id`` of the first attempt of the issue (redials and repeat
    contacts share it). Without an active journey every answered call resolves its
    issue, there are no customers (``customer_id`` -1) and ``rule`` rates the calls.
    ``release``: each per-call column of ``log`` (and of its journey log) is emptied as
    soon as the table has its copy, so a long run never holds both in full.
    """
    n = len(log.outcome)
    order: np.ndarray | slice = slice(None)
    issue = log.caller_id
    if n > 1 and bool(np.any(np.diff(log.arrival_s) < 0)):
        order = np.argsort(log.arrival_s, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        issue = rank[log.caller_id[order]]
        del rank

    def take(source: Any, name: str) -> np.ndarray:
        column: np.ndarray = getattr(source, name)[order]
        if release:
            setattr(source, name, column[:0].copy())
        return column

    if release:
        log.caller_id = log.caller_id[:0].copy()
    arrival = take(log, "arrival_s")
    outcome = take(log, "outcome")
    kind = take(log, "call_type") if len(log.call_type) == n else np.zeros(n, np.uint8)
    answered = outcome == Outcome.ANSWERED
    day, interval = timetable.locate(arrival)
    handle = take(log, "handle_s")
    handle[~answered] = np.nan  # the log is ours to change: no copy of the column
    patience, wait = take(log, "patience_s"), take(log, "wait_s")
    agent = take(log, "agent_id")
    group = np.full(n, -1, dtype=np.int8)
    if len(log.group_of_agent):
        group[answered] = log.group_of_agent[agent[answered]]
    else:
        group[answered] = 0
    j = log.journey
    if j is None:
        customer = np.full(n, -1, dtype=np.int64)
        contact = np.ones(n, dtype=np.uint8)
        resolved = answered
        rating = rule.rate_array(outcome, wait, patience, answered)
    else:
        customer, contact = take(j, "customer"), take(j, "contact")
        resolved, rating = take(j, "resolved") == 1, take(j, "rating")
    columns = {
        "call_id": np.arange(n, dtype=np.int64),
        "issue_id": issue,
        "customer_id": customer,
        "contact": contact,
        "attempt": take(log, "attempt"),
        "source": _categorical(take(log, "source").astype(np.int8), SOURCES),
        "call_type": _categorical(kind.astype(np.int8), call_types),
        "day": day,
        "interval": interval,
        "arrival_s": arrival,
        "patience_s": patience,
        "wait_s": wait,
        "outcome": _categorical(outcome.astype(np.int8) - 1, OUTCOMES),
        "agent_id": agent,
        "agent_group": _categorical(group, agent_groups),
        "handle_s": handle,
        "resolved": pd.arrays.BooleanArray(resolved, ~answered),
        "experience": _categorical(rating.astype(np.int8) + 1, RATINGS),
        "warmup": arrival < warmup_s,
    }
    return pd.DataFrame(columns, columns=list(CALL_COLUMNS), copy=False)


def _count_sum_upto(x: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each time in the sorted ``at``: how many values of ``x`` are <= it, and their sum.

    Buckets ``x`` by ``at`` (one int32 temporary per value) instead of sorting it, so
    memory stays small for tables of millions of calls.
    """
    j = np.empty(x.size, dtype=np.int32)
    for lo in range(0, x.size, 1 << 20):  # no int64 temporary as long as x
        j[lo : lo + (1 << 20)] = np.searchsorted(at, x[lo : lo + (1 << 20)], side="left")
    m = len(at) + 1
    count = np.cumsum(np.bincount(j, minlength=m))[:-1]
    total = np.cumsum(np.bincount(j, weights=x, minlength=m))[:-1]
    return count, total


def _cumulative_busy(starts: np.ndarray, ends: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Busy agent-seconds accumulated up to each (sorted) time in ``at`` by spans [start, end)."""
    ns, cs = _count_sum_upto(starts, at)
    ne, ce = _count_sum_upto(ends, at)
    return (at * ns - cs) - (at * ne - ce)


def cumulative_present(times: np.ndarray, present: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Agent-seconds of presence accumulated up to each time in ``at`` (step function)."""
    if len(times) == 0:
        return np.zeros_like(at)
    area = np.concatenate(([0.0], np.cumsum(present[:-1] * np.diff(times))))
    k = np.searchsorted(times, at, side="right") - 1
    inside = k >= 0
    out = np.zeros_like(at)
    out[inside] = area[k[inside]] + present[k[inside]] * (at[inside] - times[k[inside]])
    return out


def _answered_spans(calls: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (seconds) of every answered call's handling."""
    ans = (calls["outcome"] == "answered").to_numpy()
    start = calls["arrival_s"].to_numpy()[ans]
    start += calls["wait_s"].to_numpy()[ans]  # in place: one temporary less per column
    end = calls["handle_s"].to_numpy()[ans]
    end += start
    return start, end


def _tally(
    calls: pd.DataFrame, timetable: Timetable, sl_threshold_s: float
) -> dict[str, np.ndarray]:
    """Counts and sums per bucket, in one pass of ``np.bincount`` per quantity.

    Bucket ``day * n_intervals + interval`` holds the calls that arrived in that
    interval; bucket ``B`` (= days * n_intervals) those that arrived outside opening
    hours (redials while closed); bucket ``B + 1`` the warm-up calls (discarded).
    The table is never copied: only a few compact per-call temporaries are made.
    """
    k = timetable.n_intervals
    n_buckets = timetable.days * k
    row = calls["day"].to_numpy().astype(np.int32) * k + calls["interval"].to_numpy()
    row[calls["interval"].to_numpy() < 0] = n_buckets
    row[calls["warmup"].to_numpy()] = n_buckets + 1
    outcome = calls["outcome"].cat.codes.to_numpy() + 1
    wait = calls["wait_s"].to_numpy()
    ans = outcome == Outcome.ANSWERED
    abd = outcome == Outcome.ABANDONED
    within = wait <= sl_threshold_s
    size = n_buckets + 2

    def count(mask: np.ndarray | None = None, weights: np.ndarray | None = None) -> np.ndarray:
        if mask is None:
            return np.bincount(row, weights=weights, minlength=size).astype(float)
        w = None if weights is None else weights[mask]
        return np.bincount(row[mask], weights=w, minlength=size).astype(float)

    return {
        "offered": count(),
        "answered": count(ans),
        "abandoned": count(abd),
        "blocked": count(outcome == Outcome.BLOCKED),
        "closed": count(outcome == Outcome.CLOSED),
        "redials": count(calls["source"].cat.codes.to_numpy() == Source.REDIAL),
        "repeats": count(calls["source"].cat.codes.to_numpy() == Source.REPEAT),
        "bad": count(calls["experience"].cat.codes.to_numpy() == BAD + 1),
        "waited": count(abd | (wait > 0)),  # blocked calls and calls closed on arrival: 0
        "answered_within_sl": count(ans & within),
        "abandoned_within_sl": count(abd & within),
        "wait_answered": count(ans, wait),
        "wait_all": count(ans | abd, wait),
        "handle_answered": count(ans, calls["handle_s"].to_numpy()),
    }


def _kpis(t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Ratio KPIs from tallies (NaN where the denominator is 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "p_wait": t["waited"] / t["offered"],
            "service_level": t["answered_within_sl"] / t["offered"],
            "service_level_answered": t["answered_within_sl"] / t["answered"],
            "service_level_excl_short_abandons": t["answered_within_sl"]
            / (t["offered"] - t["abandoned_within_sl"]),
            "asa_s": t["wait_answered"] / t["answered"],
            "mean_wait_s": t["wait_all"] / (t["answered"] + t["abandoned"]),
            "abandon_rate": t["abandoned"] / t["offered"],
            "block_rate": t["blocked"] / t["offered"],
            "mean_handle_s": t["handle_answered"] / t["answered"],
            "bad_experience_rate": t["bad"] / t["offered"],
        }


def intervals_table(
    calls: pd.DataFrame,
    log: EngineLog,
    timetable: Timetable,
    staffing: np.ndarray,
    expected: np.ndarray,
    sl_threshold_s: float,
    paid_agent_s: np.ndarray | None = None,
) -> pd.DataFrame:
    """The ``intervals`` table: one row per day and planning interval.

    ``expected`` holds the expected fresh calls (forecast x busyness), shape
    (days, intervals); ``staffing`` the agents scheduled on the phones, shape (days,
    intervals) or (intervals,) for every day alike (fractional with shifts and breaks);
    ``paid_agent_s`` the paid agent-seconds per day and interval (None: agents are paid
    while present, so it equals ``available_agent_s``). Warm-up calls are excluded from the call counts.
    """
    days, k = timetable.days, timetable.n_intervals
    n = days * k
    day = np.repeat(np.arange(days), k)
    start = np.concatenate([timetable.interval_starts(d) for d in range(days)])
    end = start + timetable.interval_s  # time after closing (drain) is in no interval
    tally = {key: v[:n] for key, v in _tally(calls, timetable, sl_threshold_s).items()}
    kpi = _kpis(tally)
    s, e = _answered_spans(calls)
    busy = _cumulative_busy(s, e, end) - _cumulative_busy(s, e, start)
    avail = cumulative_present(log.staff_time_s, log.staff_present, end) - cumulative_present(
        log.staff_time_s, log.staff_present, start
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = busy / avail
    counts = (
        "offered",
        "answered",
        "abandoned",
        "blocked",
        "answered_within_sl",
        "abandoned_within_sl",
    )
    return pd.DataFrame(
        {
            "day": day,
            "interval": np.tile(np.arange(k), days),
            "weekday": (timetable.start_weekday + day) % 7,
            "start_s": start,
            "clock": [format_clock(t % DAY_S) for t in start[:k]] * days,
            "expected_calls": np.asarray(expected, dtype=float).ravel(),
            **{key: tally[key].astype(np.int64) for key in counts},
            **{key: kpi[key] for key in INTERVAL_COLUMNS if key in kpi},
            "scheduled_agents": np.broadcast_to(np.asarray(staffing, float), (days, k)).ravel(),
            "agents_present": avail / timetable.interval_s,
            "paid_agent_s": avail if paid_agent_s is None else np.asarray(paid_agent_s).ravel(),
            "busy_agent_s": busy,
            "available_agent_s": avail,
            "occupancy": occupancy,
        },
        columns=list(INTERVAL_COLUMNS),
    )




def summarize(
    calls: pd.DataFrame,
    log: EngineLog,
    timetable: Timetable,
    warmup_s: float,
    sl_threshold_s: float,
) -> dict[str, Any]:
    """The queue KPIs (:data:`QUEUE_KEYS`) of one replication: every call that arrived
    after the warm-up."""
    tally = {
        key: float(v[:-1].sum()) for key, v in _tally(calls, timetable, sl_threshold_s).items()
    }
    kpi = {
        key: float(v[0]) for key, v in _kpis({k: np.array([v]) for k, v in tally.items()}).items()
    }
    s, e = _answered_spans(calls)
    at = np.array([warmup_s, max(log.end_s, warmup_s)])
    busy = float(np.diff(_cumulative_busy(s, e, at))[0])
    del s, e  # before the resolution count's temporaries (a year: ~100 MB each)
    avail = float(np.diff(cumulative_present(log.staff_time_s, log.staff_present, at))[0])
    out: dict[str, Any] = {}
    for key in QUEUE_KEYS:
        if key in tally:
            out[key] = int(tally[key])
        elif key in kpi:
            out[key] = kpi[key]
    out["occupancy"] = busy / avail if avail > 0 else float("nan")
    out["fcr"] = first_contact_resolution(calls)
    return {key: out[key] for key in QUEUE_KEYS}


def first_contact_resolution(calls: pd.DataFrame) -> float:
    """Issues resolved at their first answered contact / issues with an answered contact.

    Counts the issues whose first attempt arrived after the warm-up (design.md section
    5). The table is in arrival order and an issue's contacts follow each other, so the
    first answered row of an issue is its first answered contact. NaN with no issue.
    """
    answered = (calls["outcome"] == "answered").to_numpy()
    issue = calls["issue_id"].to_numpy()
    counted = answered & ~calls["warmup"].to_numpy()[issue]  # row issue_id = first attempt
    _, first = np.unique(issue[counted], return_index=True)
    if len(first) == 0:
        return float("nan")
    resolved = calls["resolved"].to_numpy(dtype=bool, na_value=False)[counted]
    return float(resolved[first].mean())
