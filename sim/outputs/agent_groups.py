"""Outputs per agent group: the ``intervals_by_group`` table and the ``summary_by_group`` KPIs.

Busy agent-time comes from the answered calls' ``agent_group`` (a call's handling
counts for the group of the agent who answered it, by clock time); agent-time present
from the staff log's step function of each group (:mod:`sim.outputs.staff`). The
definitions are the centre's (:mod:`sim.outputs.metrics`): occupancy = busy / present.
Tidy (long) tables with an ``agent_group`` column (categorical, the groups in config
order). Over the groups, busy and present agent-time add up to the centre's; with one
group every number is the centre's. The dials of outbound campaigns are busy time of
the group that made them but not calls answered (:mod:`sim.outputs.outbound`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core.timetable import Timetable
from sim.outputs.confidence import parts_table
from sim.outputs.outbound import outbound_rows
from sim.outputs.staff import present_by_group
from sim.outputs.tally import BusyTime, answered_spans, cumulative_busy_at, interval_grid
from sim.queue.engine import EngineLog

__all__ = [
    "GROUP_INTERVAL_COLUMNS",
    "GROUP_KEYS",
    "GROUP_SUMMARY_COLUMNS",
    "group_intervals_table",
    "group_summary",
    "group_summary_with_parts",
]

#: Columns of the ``intervals_by_group`` table, in order.
GROUP_INTERVAL_COLUMNS = (
    "day", "interval", "weekday", "start_s", "clock", "agent_group", "scheduled_agents",
    "agents_present", "answered", "busy_agent_s", "available_agent_s", "occupancy",
)  # fmt: skip

#: The KPIs of an agent group; registry entries in :mod:`sim.outputs.kpis`.
GROUP_KEYS = ("answered", "answered_share", "mean_handle_s", "busy_hours", "present_hours",
              "occupancy", "mean_sessions")  # fmt: skip

#: Columns of ``summary_by_group`` (one row per agent group of one replication), in order.
GROUP_SUMMARY_COLUMNS = ("agent_group", *GROUP_KEYS)


def _codes(calls: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """The calls' agent-group codes (-1: not answered); raises ValueError if the table's
    groups are not ``names``."""
    col = calls["agent_group"]
    if list(col.cat.categories) != list(names):
        raise ValueError(
            f"calls table's agent groups {list(col.cat.categories)} != the scenario's {list(names)}"
        )
    return col.cat.codes.to_numpy()


def _busy(calls: pd.DataFrame, codes: np.ndarray, n_groups: int, grids: list[np.ndarray],
          merge: bool = False, centre: BusyTime | None = None) -> list[np.ndarray]:  # fmt: skip
    """Busy agent-seconds up to each time of each sorted grid of ``grids``, per group:
    (n_groups, len(grid)) each; ``merge``: an agent holding several chats at once
    counts once. Each group's spans are found, and searched in the grids, once. A single
    group's spans are the centre's: ``centre`` (its busy time, merged alike) answers if
    it can."""
    if centre is not None and n_groups == 1 and centre.merged == merge and centre.knows(grids):
        return [busy[None] for busy in centre.at(grids)]
    out = [np.zeros((n_groups, len(at))) for at in grids]
    for g in range(n_groups):
        s, e = answered_spans(calls, codes == g, merge)
        for o, busy in zip(out, cumulative_busy_at(s, e, grids), strict=True):
            o[g] = busy
    return out


def group_intervals_table(
    calls: pd.DataFrame,
    log: EngineLog,
    timetable: Timetable,
    names: Sequence[str],
    scheduled: np.ndarray,
    concurrent: bool = False,
    centre: BusyTime | None = None,
) -> pd.DataFrame:
    """The ``intervals_by_group`` table: one row per day, interval and agent group.

    ``concurrent``: agents may hold several chat sessions at once (busy time is then
    the time an agent holds at least one, :func:`sim.outputs.tally.merge_spans`).
    ``centre``: the busy time of every answered call's span (the ``intervals`` table's,
    :class:`sim.outputs.metrics.CentreCounts`), which a single group shares.

    ``names``: the agent groups in config order (the categories of the calls table's
    ``agent_group``); ``scheduled``: agents scheduled on the phones per group, day and
    interval, shape (groups, days, intervals). ``answered`` counts the calls the group
    answered that arrived in the interval (warm-up excluded); the agent-time columns are
    by clock time, as in the ``intervals`` table. Rows are day-major, then interval,
    then agent group. Raises ValueError on shapes or names that do not fit.
    """
    n_groups = len(names)
    days, k = timetable.days, timetable.n_intervals
    n = days * k
    sched = np.asarray(scheduled, dtype=np.float64)
    if sched.shape != (n_groups, days, k):
        raise ValueError(f"scheduled: shape {sched.shape}, need (groups, days, intervals) = "
                         f"{(n_groups, days, k)}")  # fmt: skip
    codes = _codes(calls, names)
    interval = calls["interval"].to_numpy()
    keep = (codes >= 0) & (interval >= 0) & ~calls["warmup"].to_numpy() & ~outbound_rows(calls)
    wide = np.int32 if n_groups * n <= np.iinfo(np.int32).max else np.int64
    row = calls["day"].to_numpy()[keep].astype(wide)  # in place after: one temporary
    row *= k
    row += interval[keep]
    keep_row = row < n  # redials after the last day are in no interval
    bucket = codes[keep][keep_row].astype(wide)
    bucket *= n
    bucket += row[keep_row]
    del row, keep_row
    answered = np.bincount(bucket, minlength=n_groups * n).reshape(n_groups, n)
    keys, end = interval_grid(timetable)
    start = keys["start_s"]
    busy_end, busy_start = _busy(calls, codes, n_groups, [end, start], concurrent, centre)
    busy = busy_end - busy_start
    avail = present_by_group(log, end, n_groups) - present_by_group(log, start, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = busy / avail
    group_codes = np.tile(np.arange(n_groups, dtype=np.int8), n)
    columns = {
        **{key: np.repeat(np.asarray(v), n_groups) for key, v in keys.items()},
        "agent_group": pd.Categorical.from_codes(group_codes,
                                                 dtype=pd.CategoricalDtype(list(names))),
        "scheduled_agents": sched.reshape(n_groups, n).T.ravel(),
        "agents_present": (avail / timetable.interval_s).T.ravel(),
        "answered": answered.T.ravel().astype(np.int64),
        "busy_agent_s": busy.T.ravel(),
        "available_agent_s": avail.T.ravel(),
        "occupancy": occupancy.T.ravel(),
    }  # fmt: skip
    return pd.DataFrame(columns, columns=list(GROUP_INTERVAL_COLUMNS))


def group_summary(
    calls: pd.DataFrame, log: EngineLog, names: Sequence[str], warmup_s: float,
    concurrent: bool = False, centre: BusyTime | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The KPIs of each agent group of one replication (:data:`GROUP_SUMMARY_COLUMNS`),
    one row per group in config order: calls that arrived after the warm-up, agent-time
    from ``warmup_s`` to the last event of the run (as the centre's ``occupancy``).
    ``concurrent`` and ``centre``: as :func:`group_intervals_table`; ``mean_sessions``
    is the handle time of the group's contacts over the time its agents held at least one."""
    return group_summary_with_parts(calls, log, names, warmup_s, concurrent, centre)[0]


def group_summary_with_parts(
    calls: pd.DataFrame, log: EngineLog, names: Sequence[str], warmup_s: float,
    concurrent: bool = False, centre: BusyTime | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """:func:`group_summary`, and the numerator and denominator of each group's ratio
    KPIs (``answered_share``, ``mean_handle_s``, ``occupancy``, ``mean_sessions``), long
    form (:func:`sim.outputs.confidence.parts_table`, ``agent_group``). ``centre``: as
    :func:`group_intervals_table`."""
    n_groups = len(names)
    codes = _codes(calls, names)
    counted = (codes >= 0) & ~calls["warmup"].to_numpy() & ~outbound_rows(calls)
    c = codes[counted].astype(np.int64)
    answered = np.bincount(c, minlength=n_groups)
    handle = np.bincount(c, weights=calls["handle_s"].to_numpy()[counted], minlength=n_groups)
    del c, counted  # before the spans' temporaries
    at = np.array([warmup_s, max(log.end_s, warmup_s)])
    handling = np.diff(_busy(calls, codes, n_groups, [at], False, centre)[0], axis=1)[:, 0]
    busy = (np.diff(_busy(calls, codes, n_groups, [at], True, centre)[0], axis=1)[:, 0]
            if concurrent else handling)  # fmt: skip
    present = np.diff(present_by_group(log, at, n_groups), axis=1)[:, 0]
    parts = {
        "answered_share": (answered, np.full(n_groups, answered.sum())),
        "mean_handle_s": (handle, answered),
        "occupancy": (busy, present),
        "mean_sessions": (handling, busy),
    }
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "agent_group": pd.Categorical(list(names), categories=list(names)),
                "answered": answered.astype(np.int64),
                "answered_share": answered / answered.sum(),
                "mean_handle_s": handle / answered,
                "busy_hours": busy / 3600.0,
                "present_hours": present / 3600.0,
                "occupancy": busy / present,
                "mean_sessions": handling / busy,
            },
            columns=list(GROUP_SUMMARY_COLUMNS),
        )
    return table, parts_table("agent_group", names, parts)
