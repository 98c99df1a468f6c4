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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.core.calls import RATINGS, Outcome, Source
from sim.core.timetable import Timetable
from sim.customers.experience import ExperienceRule
from sim.outputs.kpis import KPIS
from sim.outputs.outbound import outbound_rows
from sim.outputs.staff import cumulative_present, present_total
from sim.outputs.tally import (
    BusyTime,
    answered_spans,
    interval_grid,
    ratio_kpis,
    ratio_parts,
    tally,
)
from sim.queue.engine import EngineLog

__all__ = [
    "AGENT_KEYS",
    "CALL_COLUMNS",
    "INTERVAL_COLUMNS",
    "KPI_DEFINITIONS",
    "MONEY_KEYS",
    "QUEUE_KEYS",
    "SUMMARY_KEYS",
    "CentreCounts",
    "calls_table",
    "centre_counts",
    "cumulative_present",
    "first_contact_counts",
    "first_contact_resolution",
    "intervals_table",
    "summarize",
    "summarize_with_parts",
]

OUTCOMES = ("answered", "abandoned", "blocked", "closed", "callback", "unreached")  # index = Outcome value - 1
SOURCES = ("fresh", "redial", "repeat", "callback")  # index = Source value
#: the sources with outbound campaigns (``outbound``: a dial of a campaign's record)
OUTBOUND_SOURCES = (*SOURCES, "outbound")

#: Rows at a time of the chunked steps of :func:`calls_table`.
_CHUNK = 1 << 20

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
    outbound: bool = False,
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
    ``outbound``: the run has outbound campaigns: ``source`` has the category
    ``outbound`` (a dial of a campaign's record: not an issue, so ``resolved`` and
    ``experience`` are missing).
    """
    n = len(log.outcome)
    order: np.ndarray | slice = slice(None)
    issue = log.caller_id
    if n > 1 and bool(np.any(np.diff(log.arrival_s) < 0)):
        order = np.argsort(log.arrival_s, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        issue = np.empty(n, dtype=np.int64)
        for lo in range(0, n, _CHUNK):  # no temporary as long as the table
            issue[lo : lo + _CHUNK] = rank[log.caller_id[order[lo : lo + _CHUNK]]]
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
    served = answered | (outcome == Outcome.UNREACHED)  # an agent took it (callbacks)
    day, interval = timetable.locate(arrival)
    handle = take(log, "handle_s")
    handle[~served] = np.nan  # the log is ours to change: no copy of the column
    patience, wait = take(log, "patience_s"), take(log, "wait_s")
    agent = take(log, "agent_id")
    group = np.full(n, -1, dtype=np.int8)
    if len(log.group_of_agent):
        group[served] = log.group_of_agent[agent[served]]
    else:
        group[served] = 0
    j = log.journey
    if j is None:
        customer = np.full(n, -1, dtype=np.int64)
        contact = np.ones(n, dtype=np.uint8)
        resolved = answered
        rating = rule.rate_array(outcome, wait, patience, answered)
    else:
        customer, contact = take(j, "customer"), take(j, "contact")
        resolved, rating = take(j, "resolved") == 1, take(j, "rating")
    source = take(log, "source")
    if outbound:
        dial = source == Source.OUTBOUND
        resolved = resolved & ~dial
        answered = answered & ~dial  # resolved is missing (NA) where not answered
        rating = np.where(dial, -2, rating)  # code -1: missing
    columns = {
        "call_id": np.arange(n, dtype=np.int64),
        "issue_id": issue,
        "customer_id": customer,
        "contact": contact,
        "attempt": take(log, "attempt"),
        "source": _categorical(source.astype(np.int8),
                               OUTBOUND_SOURCES if outbound else SOURCES),
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


@dataclass(frozen=True)
class CentreCounts:
    """What the ``intervals`` table and the summary both count, counted once:
    ``tallied``, the calls' :func:`~sim.outputs.tally.tally` (inbound only), and
    ``busy``, the busy time of the answered calls' handling spans
    (:func:`~sim.outputs.tally.answered_spans`; merged per agent with chat concurrency),
    which a single agent group's tables share (:mod:`sim.outputs.agent_groups`)."""

    tallied: dict[str, np.ndarray]
    busy: BusyTime


def centre_counts(
    calls: pd.DataFrame, timetable: Timetable, sl_threshold_s: float, concurrent: bool = False
) -> CentreCounts:
    """The :class:`CentreCounts` of ``calls`` (``concurrent``: as :func:`intervals_table`)."""
    return CentreCounts(
        tally(calls, timetable, sl_threshold_s, inbound_only=True),
        BusyTime(*answered_spans(calls, merge=concurrent), merged=concurrent),
    )


def intervals_table(
    calls: pd.DataFrame,
    log: EngineLog,
    timetable: Timetable,
    staffing: np.ndarray,
    expected: np.ndarray,
    sl_threshold_s: float,
    paid_agent_s: np.ndarray | None = None,
    concurrent: bool = False,
    counts: CentreCounts | None = None,
) -> pd.DataFrame:
    """The ``intervals`` table: one row per day and planning interval.

    ``expected`` holds the expected fresh calls (forecast x busyness), shape
    (days, intervals); ``staffing`` the agents scheduled on the phones, shape (days,
    intervals) or (intervals,) for every day alike (fractional with shifts and breaks);
    ``paid_agent_s`` the paid agent-seconds per day and interval (None: agents are paid
    while present, so it equals ``available_agent_s``). Warm-up calls are excluded from the call counts.
    ``concurrent``: agents may hold several chat sessions at once (busy time: the time
    an agent holds at least one, :func:`sim.outputs.tally.merge_spans`).
    ``counts``: :func:`centre_counts` of the same arguments, if the caller has them
    (:func:`summarize` needs them too).
    """
    days, k = timetable.days, timetable.n_intervals
    n = days * k
    keys, end = interval_grid(timetable)  # time after closing (drain) is in no interval
    start = keys["start_s"]
    if counts is None:
        counts = centre_counts(calls, timetable, sl_threshold_s, concurrent)
    tallied = {key: v[:n] for key, v in counts.tallied.items()}
    kpi = ratio_kpis(tallied)
    busy_end, busy_start = counts.busy.at([end, start])
    busy = busy_end - busy_start
    avail = present_total(log, end) - present_total(log, start)
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = busy / avail
    whole = (
        "offered",
        "answered",
        "abandoned",
        "blocked",
        "answered_within_sl",
        "abandoned_within_sl",
    )
    return pd.DataFrame(
        {
            **keys,
            "expected_calls": np.asarray(expected, dtype=float).ravel(),
            **{key: tallied[key].astype(np.int64) for key in whole},
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
    concurrent: bool = False,
    counts: CentreCounts | None = None,
) -> dict[str, Any]:
    """The queue KPIs (:data:`QUEUE_KEYS`) of one replication: every call that arrived
    after the warm-up (``concurrent`` and ``counts``: as :func:`intervals_table`)."""
    return summarize_with_parts(calls, log, timetable, warmup_s, sl_threshold_s, concurrent,
                                counts)[0]  # fmt: skip


def summarize_with_parts(
    calls: pd.DataFrame,
    log: EngineLog,
    timetable: Timetable,
    warmup_s: float,
    sl_threshold_s: float,
    concurrent: bool = False,
    counts: CentreCounts | None = None,
) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    """:func:`summarize`, and the numerator and denominator of each of its ratio KPIs
    (every one but the counts: :func:`sim.outputs.tally.ratio_parts`, ``occupancy``
    busy / available agent-seconds, ``fcr`` as :func:`first_contact_resolution`), which
    the ratio estimator over replications pools (:func:`sim.outputs.confidence.ratio_estimate`).
    ``counts``: as :func:`intervals_table`.
    """
    if counts is None:
        counts = centre_counts(calls, timetable, sl_threshold_s, concurrent)
    totals = {key: float(v[:-1].sum()) for key, v in counts.tallied.items()}
    one = {k: np.array([v]) for k, v in totals.items()}
    kpi = {key: float(v[0]) for key, v in ratio_kpis(one).items()}
    parts = {key: (float(x[0]), float(y[0])) for key, (x, y) in ratio_parts(one).items()}
    at = np.array([warmup_s, max(log.end_s, warmup_s)])
    busy = float(np.diff(counts.busy.at([at])[0])[0])
    avail = float(np.diff(present_total(log, at))[0])
    out: dict[str, Any] = {}
    for key in QUEUE_KEYS:
        if key in totals:
            out[key] = int(totals[key])
        elif key in kpi:
            out[key] = kpi[key]
    out["occupancy"] = busy / avail if avail > 0 else float("nan")
    parts["occupancy"] = (busy, avail)
    resolved, issues = first_contact_counts(calls)
    out["fcr"] = resolved / issues if issues else float("nan")
    parts["fcr"] = (float(resolved), float(issues))
    return {key: out[key] for key in QUEUE_KEYS}, parts


def first_contact_resolution(calls: pd.DataFrame) -> float:
    """Issues resolved at their first answered contact / issues with an answered contact
    (:func:`first_contact_counts`); NaN with no issue."""
    resolved, issues = first_contact_counts(calls)
    return resolved / issues if issues else float("nan")


def first_contact_counts(calls: pd.DataFrame) -> tuple[int, int]:
    """Issues resolved at their first answered contact, and issues with an answered
    contact: the numerator and denominator of :func:`first_contact_resolution`.

    Counts the issues whose first attempt arrived after the warm-up (design.md section
    5). An issue's first answered contact is its answered attempt with ``contact == 1``:
    the attempts of contact 1 (the fresh call and its redials) end at the first answer,
    and a repeat contact (2, 3, ...) follows only an answered one. Masks over the table,
    no sort (a year: millions of rows).
    """
    first = (calls["outcome"] == "answered").to_numpy() & ~outbound_rows(calls)
    first &= calls["contact"].to_numpy() == 1
    first &= ~calls["warmup"].to_numpy()[calls["issue_id"].to_numpy()]  # row = first attempt
    n = int(np.count_nonzero(first))
    if n == 0:
        return 0, 0
    resolved = calls["resolved"].to_numpy(dtype=bool, na_value=False)
    return int(np.count_nonzero(resolved & first)), n
