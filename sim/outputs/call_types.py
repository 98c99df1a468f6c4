"""Outputs per call type: the ``intervals_by_type`` table and the ``summary_by_type`` KPIs.

The same definitions as the centre's ``intervals`` table and summary
(:mod:`sim.outputs.metrics`, ``docs/background/metrics.md``), counted per call type
(the ``call_type`` column of the calls table) in one ``np.bincount`` per quantity, with
each type's own service-level threshold. Tidy (long) tables: one row per day, interval
and call type, or per call type, with a ``call_type`` column (categorical, the types in
config order). Counts over the types add up to the centre's; with one type whose
threshold is ``metrics.sl_threshold_s``, every number is the centre's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.core.timetable import Timetable
from sim.outputs.backlog import CHUNK, backlog_at
from sim.outputs.confidence import parts_table
from sim.outputs.outbound import OUTBOUND_KEYS, outbound_kpis, outbound_rows
from sim.outputs.tally import interval_grid, ratio_kpis, ratio_parts, tally

__all__ = [
    "TYPE_INTERVAL_COLUMNS",
    "TYPE_KEYS",
    "TYPE_SUMMARY_COLUMNS",
    "TypeCounts",
    "fcr_by",
    "fcr_counts_by",
    "type_counts",
    "type_intervals_table",
    "type_summary",
    "type_summary_with_parts",
]

#: Columns of the ``intervals_by_type`` table, in order.
TYPE_INTERVAL_COLUMNS = (
    "day", "interval", "weekday", "start_s", "clock", "call_type", "sl_threshold_s",
    "sl_target", "expected_calls", "offered", "answered", "abandoned", "blocked",
    "answered_within_sl", "abandoned_within_sl", "service_level", "service_level_answered",
    "service_level_excl_short_abandons", "asa_s", "mean_wait_s", "abandon_rate",
    "backlog", "oldest_age_s",
)  # fmt: skip

#: The KPIs of a call type (the summary's queue KPIs, same definitions, at the type's own
#: service-level threshold, and the type's own: ``unreached`` and ``callback_accepted``,
#: so that ``offered`` = ``answered`` + ``abandoned`` + ``blocked`` + ``closed`` +
#: ``unreached`` + ``callback_accepted`` for every type, the backlog, the outbound KPIs);
#: registry entries in :mod:`sim.outputs.kpis`.
TYPE_KEYS = (
    "offered", "answered", "abandoned", "blocked", "closed", "unreached", "callback_accepted",
    "redials", "repeats", "p_wait", "service_level", "service_level_answered",
    "service_level_excl_short_abandons", "asa_s", "mean_wait_s", "abandon_rate", "block_rate",
    "mean_handle_s", "fcr", "bad_experience_rate", "backlog_end", "oldest_age_end_s", *OUTBOUND_KEYS,
)  # fmt: skip

#: Columns of ``summary_by_type`` (one row per call type of one replication), in order.
TYPE_SUMMARY_COLUMNS = ("call_type", *TYPE_KEYS)

_COUNTS = ("offered", "answered", "abandoned", "blocked", "answered_within_sl",
           "abandoned_within_sl")  # fmt: skip


def _codes(calls: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """The calls' call-type codes; raises ValueError if the table's types are not ``names``."""
    col = calls["call_type"]
    if list(col.cat.categories) != list(names):
        raise ValueError(
            f"calls table's call types {list(col.cat.categories)} != the scenario's {list(names)}"
        )
    codes = col.cat.codes.to_numpy()
    if codes.size and codes.min() < 0:
        raise ValueError("calls table: call_type missing for some calls")
    return codes


def _thresholds(values: Sequence[float], n: int, what: str) -> np.ndarray:
    out = np.asarray(values, dtype=np.float64)
    if out.shape != (n,):
        raise ValueError(f"{what}: need one value per call type ({n}), got {out.shape}")
    return out


@dataclass(frozen=True)
class TypeCounts:
    """What ``intervals_by_type`` and ``summary_by_type`` both count, counted once:
    ``tallied``, the calls' :func:`~sim.outputs.tally.tally` by call type, each at its
    own threshold, arrays (types, days x intervals + 2); ``backlog``, the contacts of
    each type waiting at the end of each interval and the age of the oldest (seconds),
    (types, days x intervals) each (the summary's ``backlog_end`` is the last
    interval's, :func:`~sim.outputs.backlog.backlog_at` of that time alone, bit for
    bit: a count and a minimum do not depend on the other times)."""

    tallied: dict[str, np.ndarray]
    backlog: tuple[np.ndarray, np.ndarray]


def type_counts(
    calls: pd.DataFrame, timetable: Timetable, names: Sequence[str], sl_threshold_s: Sequence[float]
) -> TypeCounts:
    """The :class:`TypeCounts` of ``calls`` (arguments as :func:`type_intervals_table`'s)."""
    n_types = len(names)
    threshold = _thresholds(sl_threshold_s, n_types, "sl_threshold_s")
    codes = _codes(calls, names)
    _, end = interval_grid(timetable)
    return TypeCounts(
        tally(calls, timetable, threshold, codes, n_types),
        backlog_at(calls, codes, n_types, end),
    )


def type_intervals_table(
    calls: pd.DataFrame,
    timetable: Timetable,
    names: Sequence[str],
    sl_threshold_s: Sequence[float],
    sl_target: Sequence[float],
    expected: np.ndarray | None = None,
    counts: TypeCounts | None = None,
) -> pd.DataFrame:
    """The ``intervals_by_type`` table: one row per day, interval and call type.

    ``names``: the call types in config order (the categories of the calls table's
    ``call_type``); ``sl_threshold_s`` (seconds) and ``sl_target`` (shares): one per
    type; ``expected``: expected fresh calls per type, day and interval, shape (types,
    days, intervals), or None (the column is NaN); ``counts``: :func:`type_counts` of
    the same arguments, if the caller has them (:func:`type_summary` needs them too).
    Rows are day-major, then interval, then call type. Warm-up calls are excluded.
    Raises ValueError on shapes or names that do not fit.
    """
    n_types = len(names)
    threshold = _thresholds(sl_threshold_s, n_types, "sl_threshold_s")
    target = _thresholds(sl_target, n_types, "sl_target")
    days, k = timetable.days, timetable.n_intervals
    n = days * k
    if counts is None:
        counts = type_counts(calls, timetable, names, sl_threshold_s)
    t = {key: v[:, :n].T.ravel() for key, v in counts.tallied.items()}
    kpi = ratio_kpis(t)
    keys, _ = interval_grid(timetable)
    waiting, age = counts.backlog
    if expected is None:
        exp = np.full(n * n_types, np.nan)
    else:
        e = np.asarray(expected, dtype=np.float64)
        if e.shape != (n_types, days, k):
            raise ValueError(f"expected: shape {e.shape}, need (types, days, intervals) = "
                             f"{(n_types, days, k)}")  # fmt: skip
        exp = e.reshape(n_types, n).T.ravel()
    type_codes = np.tile(np.arange(n_types, dtype=np.int8), n)
    columns = {
        **{key: np.repeat(np.asarray(v), n_types) for key, v in keys.items()},
        "call_type": pd.Categorical.from_codes(type_codes, dtype=pd.CategoricalDtype(list(names))),
        "sl_threshold_s": threshold[type_codes],
        "sl_target": target[type_codes],
        "expected_calls": exp,
        **{key: t[key].astype(np.int64) for key in _COUNTS},
        **{key: kpi[key] for key in TYPE_INTERVAL_COLUMNS if key in kpi},
        "backlog": waiting.T.ravel(),
        "oldest_age_s": age.T.ravel(),
    }
    return pd.DataFrame(columns, columns=list(TYPE_INTERVAL_COLUMNS))


def fcr_by(calls: pd.DataFrame, by: np.ndarray, n_by: int) -> np.ndarray:
    """First-contact resolution per code of ``by`` (e.g. the call type), shape (n_by,):
    the ratio of :func:`fcr_counts_by`; NaN for a code with no issue."""
    good, issues = fcr_counts_by(calls, by, n_by)
    with np.errstate(invalid="ignore", divide="ignore"):
        return good / issues


def fcr_counts_by(calls: pd.DataFrame, by: np.ndarray, n_by: int) -> tuple[np.ndarray, np.ndarray]:
    """Issues resolved at their first answered contact, and issues with an answered
    contact, per code of ``by`` (two float arrays of shape (n_by,)).

    As :func:`sim.outputs.metrics.first_contact_counts`: over the issues whose
    first attempt arrived after the warm-up; an issue counts for the code of its first
    answered contact (its first such row: ``np.minimum.at`` per issue over the table in
    chunks, no sort, so a year's table needs one int32 per row more, not a few int64).
    """
    n = len(calls)
    answered = (calls["outcome"] == "answered").to_numpy() & ~outbound_rows(calls)
    issue = calls["issue_id"].to_numpy()
    counted = answered & ~calls["warmup"].to_numpy()[issue]
    del answered
    wide = np.int32 if n < np.iinfo(np.int32).max else np.int64
    first: np.ndarray = np.full(n, n, dtype=wide)
    for lo in range(0, n, CHUNK):  # each issue's first counted row
        c = counted[lo : lo + CHUNK]
        rows = (np.flatnonzero(c) + lo).astype(wide)
        np.minimum.at(first, issue[lo : lo + CHUNK][c], rows)
    rows = first[first < n]
    del first, counted
    resolved = calls["resolved"].to_numpy(dtype=bool, na_value=False)[rows]
    code = np.asarray(by)[rows].astype(np.int64)
    issues = np.bincount(code, minlength=n_by).astype(float)
    good = np.bincount(code[resolved], minlength=n_by).astype(float)
    return good, issues


def type_summary(
    calls: pd.DataFrame, timetable: Timetable, names: Sequence[str],
    sl_threshold_s: Sequence[float], warmup_s: float = 0.0,
    records: Sequence[float] | None = None, counts: TypeCounts | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The KPIs of each call type of one replication (:data:`TYPE_SUMMARY_COLUMNS`), one
    row per type in config order: every call that arrived after the warm-up, as the
    centre's summary (:func:`sim.outputs.metrics.summarize`), each type at its own
    ``sl_threshold_s`` (seconds); an outbound campaign's dials are not calls offered but
    have KPIs of their own (:mod:`sim.outputs.outbound`; ``records``: per type the
    records put on its list over the run, NaN for a type that is not outbound, None: no
    outbound type; ``counts``: as :func:`type_intervals_table`)."""
    return type_summary_with_parts(calls, timetable, names, sl_threshold_s, warmup_s, records,
                                   counts)[0]  # fmt: skip


def type_summary_with_parts(
    calls: pd.DataFrame, timetable: Timetable, names: Sequence[str],
    sl_threshold_s: Sequence[float], warmup_s: float = 0.0,
    records: Sequence[float] | None = None, counts: TypeCounts | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """:func:`type_summary`, and the numerator and denominator of each type's ratio KPIs
    as the centre's (:func:`sim.outputs.metrics.summarize_with_parts`: the ratios of
    :func:`sim.outputs.tally.ratio_parts` and ``fcr``), long form: ``call_type``,
    ``kpi``, ``numerator``, ``denominator``
    (:func:`sim.outputs.confidence.parts_table`). The outbound
    KPIs are left out (their means over replications stay means of ratios).
    ``counts``: as :func:`type_intervals_table`."""
    n_types = len(names)
    codes = _codes(calls, names)
    if counts is None:
        counts = type_counts(calls, timetable, names, sl_threshold_s)
    t = {key: v[:, :-1].sum(axis=1) for key, v in counts.tallied.items()}
    kpi = ratio_kpis(t)
    parts = dict(ratio_parts(t))
    parts["fcr"] = fcr_counts_by(calls, codes, n_types)
    out: dict[str, object] = {
        "call_type": pd.Categorical(list(names), categories=list(names)),
    }
    waiting, age = (v[:, -1:] for v in counts.backlog)
    ob = outbound_kpis(calls, codes, n_types, warmup_s,
                       [np.nan] * n_types if records is None else records)  # fmt: skip
    for key in TYPE_KEYS:
        if key == "backlog_end":
            out[key] = waiting[:, 0]
        elif key == "oldest_age_end_s":
            out[key] = age[:, 0]
        elif key == "fcr":
            with np.errstate(invalid="ignore", divide="ignore"):
                out[key] = parts["fcr"][0] / parts["fcr"][1]
        elif key in ob:
            out[key] = ob[key]
        elif key in kpi:
            out[key] = kpi[key]
        else:
            out[key] = t[key].astype(np.int64)
    table = pd.DataFrame(out, columns=list(TYPE_SUMMARY_COLUMNS))
    return table, parts_table("call_type", names, parts)
