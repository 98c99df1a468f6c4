"""``plan.csv`` as a planner reads it in a spreadsheet, and back.

:func:`plan_for_spreadsheet` turns the planner's table (the forecast's columns, see
:class:`sim.planning.forecast.Forecast`, then per method ``m``: ``m_agents``, ``m_scheduled``,
``m_service_level``, ``m_abandon_rate``, ``m_asa_s``, ``m_occupancy``) into:

=====================  ==============================================================
column                 content
=====================  ==============================================================
``interval_start``     ``YYYY-MM-DD HH:MM`` (so ``plan.csv`` reads back as a forecast)
``day``                day of the plan, **1-based** (1 = the first date)
``date``               ``YYYY-MM-DD``
``weekday``            ``Mon`` ... ``Sun``
``start_time``         interval start, clock time ``HH:MM``
``end_time``           interval end, ``HH:MM`` (``24:00`` at midnight)
``expected_calls``     calls, 2 decimals
``aht_s``              seconds, 1 decimal
``load_erlangs``       Erlangs, 2 decimals
``m_agents``           whole agents (net of shrinkage); ``m_scheduled`` grossed up
``m_service_level``    share in [0, 1], 3 decimals (also ``m_abandon_rate``,
                       ``m_occupancy``); ``m_asa_s`` seconds, 1 decimal
=====================  ==============================================================

Any other numeric column is rounded to 3 decimals. :func:`plan_from_spreadsheet` gives
the planner's form back (0-based ``day``, ``start`` as datetime, ``clock``, ``start_s``)
for a reader of ``plan.csv`` (e.g. simulating a plan).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.timetable import format_clock

__all__ = ["SPREADSHEET_LEAD", "plan_for_spreadsheet", "plan_from_spreadsheet", "read_plan_csv"]

#: The first columns of a spreadsheet plan, in order.
SPREADSHEET_LEAD = ("interval_start", "day", "date", "weekday", "start_time", "end_time",
                    "expected_calls", "aht_s", "load_erlangs")  # fmt: skip
_INTERNAL = ("start", "day", "clock", "start_s")
_DECIMALS = {"expected_calls": 2, "aht_s": 1, "load_erlangs": 2}
_SUFFIX_DECIMALS = {"_service_level": 3, "_abandon_rate": 3, "_occupancy": 3, "_asa_s": 1}


def _clock(seconds: np.ndarray) -> list[str]:
    return [format_clock(float(t)) for t in seconds]


def plan_for_spreadsheet(plan: pd.DataFrame, interval_s: float) -> pd.DataFrame:
    """The plan with dates, 1-based days, clock times and rounded numbers (module docstring).

    ``plan`` needs the columns ``start`` (datetime64) and ``day`` (0-based) of a
    :class:`~sim.planning.forecast.Forecast` table; ``interval_s`` is the interval length,
    seconds. Raises ValueError when ``start`` or ``day`` is missing.
    """
    missing = [c for c in ("start", "day") if c not in plan.columns]
    if missing:
        raise ValueError(f"plan table: missing column(s) {', '.join(missing)}")
    start = pd.to_datetime(plan["start"])
    tod = (start - start.dt.normalize()).dt.total_seconds().to_numpy()
    out = pd.DataFrame(
        {
            "interval_start": start.dt.strftime("%Y-%m-%d %H:%M"),
            "day": plan["day"].to_numpy(dtype=np.int64) + 1,
            "date": start.dt.strftime("%Y-%m-%d"),
            "weekday": start.dt.strftime("%a"),
            "start_time": _clock(tod),
            "end_time": _clock(tod + interval_s),
        }
    )
    for name in plan.columns:
        if name in _INTERNAL or name in out.columns:
            continue
        values = plan[name]
        if name in _DECIMALS:
            values = values.round(_DECIMALS[name])
        elif name.endswith(("_agents", "_scheduled")) and pd.api.types.is_numeric_dtype(values):
            values = values.astype(np.int64)
        elif pd.api.types.is_float_dtype(values):
            digits = next((d for s, d in _SUFFIX_DECIMALS.items() if name.endswith(s)), 3)
            values = values.round(digits)
        out[name] = values.to_numpy()
    return out


def read_plan_csv(path: str | Path) -> pd.DataFrame:
    """A ``plan.csv`` in the planner's form: a spreadsheet plan (``interval_start``,
    1-based ``day``; :func:`plan_for_spreadsheet`) goes through
    :func:`plan_from_spreadsheet`, any other table (a ``roster.csv``) is returned as
    read. Raises what :func:`pandas.read_csv` raises, and ValueError for a spreadsheet
    plan whose ``interval_start`` or ``day`` cannot be read."""
    table = pd.read_csv(path)
    if "interval_start" in table.columns and "start" not in table.columns:
        return plan_from_spreadsheet(table)
    return table


def plan_from_spreadsheet(table: pd.DataFrame) -> pd.DataFrame:
    """The planner's form of a spreadsheet plan: ``start`` (datetime64), ``day``
    (0-based), ``clock`` and ``start_s`` (seconds from 00:00 of day 1) in front of the
    other columns (``date``, ``weekday``, ``start_time``, ``end_time`` dropped).

    Raises ValueError when ``interval_start`` or ``day`` is missing or not readable.
    """
    for name in ("interval_start", "day"):
        if name not in table.columns:
            raise ValueError(f"plan table: missing column {name}")
    try:
        start = pd.to_datetime(table["interval_start"], format="%Y-%m-%d %H:%M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"plan table: interval_start: {exc}") from None
    day = table["day"].to_numpy(dtype=np.int64) - 1
    tod = (start - start.dt.normalize()).dt.total_seconds().to_numpy()
    lead = pd.DataFrame(
        {
            "start": start.astype("datetime64[ns]"),
            "day": day,
            "clock": start.dt.strftime("%H:%M"),
            "start_s": day * 86400.0 + tod,
        }
    )
    rest = table.drop(columns=[c for c in SPREADSHEET_LEAD[:6] if c in table.columns])
    return pd.concat([lead, rest.reset_index(drop=True)], axis=1)
