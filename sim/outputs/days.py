"""The ``days`` table: calls, agent time, customers and money, one row per simulated day.

Calls are counted by the day they arrived (warm-up included: the customer base lives
through it too); agent time is every agent-second present from 00:00 to 24:00 of the
day (the drain after closing included: it is paid). The customer and money columns
come from :meth:`sim.customers.population.Population.days_table` and :mod:`sim.outputs.economics` and are
missing (NaN) when ``customers.enabled`` is false; ``agent_cost`` is always there.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.core.schema import EconomicsConfig
from sim.core.timetable import DAY_S, Timetable
from sim.customers.population import DAY_COLUMNS as POPULATION_COLUMNS
from sim.outputs.economics import economics_summary, economics_table
from sim.outputs.metrics import AGENT_KEYS, MONEY_KEYS, OUTCOMES, SOURCES
from sim.outputs.outbound import outbound_rows
from sim.outputs.staff import present_total
from sim.queue.engine import EngineLog
from sim.workforce.agents import WORKFORCE_DAY_COLUMNS

__all__ = ["AGENT_KEYS", "DAY_COLUMNS", "days_summary", "days_table", "workforce_summary"]

_CALLS = ("offered", "fresh", "repeats", "redials", "answered", "abandoned", "blocked", "closed")
_MONEY = ("agent_hours", "agent_cost", "profit", "value_lost_to_service", "value_won")

_CHUNK = 1 << 16  # rows per pass of the per-day counts

#: Columns of the ``days`` table, in order.
DAY_COLUMNS = ("day", "weekday", *_CALLS, *WORKFORCE_DAY_COLUMNS, *POPULATION_COLUMNS[1:], *_MONEY)


def days_table(
    calls: pd.DataFrame,
    log: EngineLog,
    timetable: Timetable,
    economics: EconomicsConfig,
    population: Any = None,
    workforce: Any = None,
) -> pd.DataFrame:
    """One row per day: calls by source and outcome (not the dials of outbound
    campaigns: :mod:`sim.outputs.outbound`), agents, agent time and cost,
    customers. Without a workforce the agents columns are NaN, except ``paid_hours``
    (= ``agent_hours``: agents are paid while present) and ``hiring_cost`` (0)."""
    days = timetable.days
    day = calls["day"].to_numpy()
    dials = outbound_rows(calls)
    if dials.any():  # an outbound campaign's dials are not calls (sim.outputs.outbound)
        day = np.where(dials, -1, day)

    def by_day(outcome: np.ndarray, source: np.ndarray) -> np.ndarray:
        """Calls per day (axis 0), outcome code + 1 (axis 1) and source code + 1 (axis 2;
        0: missing), in one ``np.bincount`` per chunk of rows: a year's table needs no
        temporary as long as itself. Rows outside the days are left out."""
        n_out, n_src = len(OUTCOMES) + 1, len(calls["source"].cat.categories) + 1
        out = np.zeros(days * n_out * n_src, dtype=np.int64)
        for lo in range(0, len(day), _CHUNK):
            d = day[lo : lo + _CHUNK].astype(np.int64)
            keep = (d >= 0) & (d < days)
            code = (d * n_out + outcome[lo : lo + _CHUNK] + 1) * n_src + source[lo : lo + _CHUNK] + 1
            out += np.bincount(code[keep], minlength=len(out))
        return out.reshape(days, n_out, n_src)

    counts = by_day(calls["outcome"].cat.codes.to_numpy(), calls["source"].cat.codes.to_numpy())
    outcome, source = counts.sum(axis=2)[:, 1:], counts.sum(axis=1)[:, 1:]
    table: dict[str, Any] = {
        "day": np.arange(days),
        "weekday": [timetable.weekday(d) for d in range(days)],
        "offered": counts.sum(axis=(1, 2)),
        "fresh": source[:, SOURCES.index("fresh")],
        "repeats": source[:, SOURCES.index("repeat")],
        "redials": source[:, SOURCES.index("redial")],
        **{key: outcome[:, OUTCOMES.index(key)] for key in OUTCOMES},
    }
    edges = np.arange(days + 1) * DAY_S
    edges[-1] = max(edges[-1], log.end_s)  # the last day's drain belongs to it
    present = np.diff(present_total(log, edges))  # every agent group
    out = pd.DataFrame(table)
    if population is None:
        for col in POPULATION_COLUMNS[1:]:
            out[col] = np.nan
        ltv = math.nan
    else:
        out = out.merge(population.days_table(), on="day", how="left")
        ltv = population.lifetime_value(days - 1)
        if not math.isfinite(ltv):  # no background churn: a customer would stay forever
            ltv = math.nan
    out["agent_hours"] = present / 3600.0
    if workforce is None:
        for col in WORKFORCE_DAY_COLUMNS:
            out[col] = np.nan
        out["paid_hours"] = out["agent_hours"]
        out["hiring_cost"] = 0.0
    else:
        wf = workforce.days_columns()
        for col in WORKFORCE_DAY_COLUMNS:
            out[col] = wf[col].to_numpy()
    money = economics_table(
        out, out["paid_hours"].to_numpy() * 3600.0, economics, ltv, out["hiring_cost"].to_numpy()
    )
    return money[list(DAY_COLUMNS)]


def days_summary(days: pd.DataFrame, customers: bool) -> dict[str, float]:
    """Totals of the run for :data:`MONEY_KEYS` (money and customers NaN without
    customers; ``agent_cost`` always) and :data:`AGENT_KEYS` (NaN without a workforce,
    except ``paid_hours`` and ``hiring_cost``)."""
    totals = economics_summary(days)
    if not customers:
        out = {key: totals["agent_cost"] if key == "agent_cost" else math.nan for key in MONEY_KEYS}
    else:
        out = {key: totals.get(key, math.nan) for key in MONEY_KEYS}
        out["customers_end"] = float(days["active_end"].iloc[-1]) if len(days) else math.nan
    out.update(workforce_summary(days))
    return out


def workforce_summary(days: pd.DataFrame) -> dict[str, float]:
    """The :data:`AGENT_KEYS` of a ``days`` table."""
    exposure = float((days["headcount"] + days["quits"]).sum())  # agent-days employed
    quits = float(days["quits"].sum(min_count=1))
    calls = days["answered"].to_numpy(dtype=float)
    fat = days["fatigue_mean"].to_numpy(dtype=float)
    keep = np.isfinite(fat) & (calls > 0)
    return {
        "headcount_end": float(days["headcount"].iloc[-1]) if len(days) else math.nan,
        "quits": quits,
        "hires": float(days["hires"].sum(min_count=1)),
        "attrition_annual": quits / exposure * 365.0 if exposure > 0 else math.nan,
        "fatigue_mean": float(np.average(fat[keep], weights=calls[keep]))
        if keep.any()
        else math.nan,
        "paid_hours": float(days["paid_hours"].sum()),
        "hiring_cost": float(days["hiring_cost"].sum()),
    }
