"""Does a plan meet its target? The planning model per interval, with confidence intervals.

:func:`simulate_plan` simulates net agents per forecast row in the planning model
(:mod:`sim.planning.planmodel`) and judges every interval: service level, abandonment,
ASA and occupancy with 95% confidence intervals over the replications, ``met`` (1, 0,
NaN without calls) and a traffic ``light`` (green: the CI is at or above the target;
red: below it; amber: the target is inside the CI; none: no calls).
:func:`load_staffing` reads agents per interval from a ``plan.csv`` or
``roster_intervals.csv``. The command is :mod:`sim.app.simulate_plan`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.checks import ConfigError
from sim.planning.forecast import Forecast
from sim.planning.plan_table import read_plan_csv
from sim.planning.planmodel import PlanningModel, interval_kpis
from sim.planning.planner import PlanTarget
from sim.planning.simplan import meets_target

__all__ = ["PlanCheck", "load_staffing", "simulate_plan"]


@dataclass(frozen=True)
class PlanCheck:
    """The result of :func:`simulate_plan`: ``intervals`` (one row per forecast row) and
    ``summary`` (one row: the whole plan), as described in the module docstring."""

    intervals: pd.DataFrame
    summary: pd.DataFrame


def _lights(k: pd.DataFrame, target: float) -> np.ndarray:
    light = np.where(k["service_level_ci_low"] >= target, "green",
                     np.where(k["service_level_ci_high"] < target, "red", "amber"))  # fmt: skip
    return np.where(k["offered"] > 0, light, "none")


def simulate_plan(
    model: PlanningModel,
    agents: np.ndarray,
    target: PlanTarget,
    replications: int = 32,
    first_replication: int = 0,
) -> PlanCheck:
    """Simulate ``agents`` (net, per forecast row) and judge every interval against ``target``.

    Replications ``first_replication ...`` of ``model``'s seed; raises ``ValueError`` for
    fewer than 2 replications or agents of the wrong shape or negative.
    """
    a = np.asarray(agents)
    if a.shape != (model.n_intervals,) or (a < 0).any():
        raise ValueError(f"agents: need {model.n_intervals} values >= 0, got shape {a.shape}")
    if replications < 2:
        raise ValueError(f"replications = {replications}: need >= 2 for a confidence interval")
    reps = range(first_replication, first_replication + replications)
    counts = model.simulate([a.astype(np.int64)], reps)[0]
    k = interval_kpis(counts, a, model.forecast.interval_s)
    t = model.forecast.table.reset_index(drop=True)
    intervals = pd.concat(
        [t[["start", "day", "clock", "expected_calls", "aht_s"]],
         pd.DataFrame({"agents": a}), k], axis=1,
    )  # fmt: skip
    intervals["met"] = meets_target(k, target)
    intervals["light"] = _lights(k, target.sl_target)
    total = counts.sum(axis=1, keepdims=True)  # (reps, 1, 7): the whole plan
    whole = interval_kpis(total, np.array([a.sum()]), model.forecast.interval_s)
    summary = whole.assign(
        agent_hours=a.sum() * model.forecast.interval_s / 3600.0,
        intervals=len(a),
        green=int((intervals["light"] == "green").sum()),
        amber=int((intervals["light"] == "amber").sum()),
        red=int((intervals["light"] == "red").sum()),
        no_calls=int((intervals["light"] == "none").sum()),
        met=int((intervals["met"] == 1.0).sum()),
        missed=int((intervals["met"] == 0.0).sum()),
        replications=replications,
    )
    return PlanCheck(intervals, summary)


def load_staffing(
    path: Path, forecast: Forecast, column: str | None, shrinkage: float
) -> np.ndarray:
    """Net agents per forecast row from a plan or roster CSV (ConfigError naming the file,
    line and column of a problem).

    Rows are matched on ``start`` (a date-time, plan.csv), else ``start_s`` (engine
    seconds, roster_intervals.csv). ``column`` defaults to ``simulation_agents``, else
    the last ``*_agents`` column, else ``scheduled``. ``*_scheduled`` and ``scheduled``
    columns are on-duty agents: net = floor(scheduled x (1 - shrinkage)).
    """
    try:
        table_ = read_plan_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError) as exc:  # fmt: skip
        raise ConfigError(f"{path}: cannot read it as a CSV ({exc})", "plan") from None
    if column is None:
        named = [c for c in table_.columns if c.endswith("_agents")]
        column = ("simulation_agents" if "simulation_agents" in named
                  else named[-1] if named else "scheduled")  # fmt: skip
    if column not in table_.columns:
        raise ConfigError(f"{path}, column {column!r}: no such column (columns: "
                          f"{', '.join(map(str, table_.columns))})", "column")  # fmt: skip
    if "start" in table_.columns:
        keys = pd.to_datetime(table_["start"], errors="coerce")
        want = forecast.table["start"]
        key_name = "start"
    elif "start_s" in table_.columns:
        keys = pd.to_numeric(table_["start_s"], errors="coerce").round(3)
        want = forecast.table["start_s"].round(3)
        key_name = "start_s"
    else:
        raise ConfigError(f"{path}: needs a 'start' (date-time) or 'start_s' column to match "
                          "the forecast's intervals", "plan")  # fmt: skip
    values = pd.to_numeric(table_[column], errors="coerce")
    for i in range(len(table_)):
        v = values.iloc[i]
        if pd.isna(keys.iloc[i]):
            raise ConfigError(f"{path} line {i + 2}, column {key_name}: "
                              f"{table_[key_name].iloc[i]!r} is not an interval start", "plan")  # fmt: skip
        if not (math.isfinite(v) and v >= 0 and float(v).is_integer()):
            raise ConfigError(f"{path} line {i + 2}, column {column}: {table_[column].iloc[i]!r}: "
                              "must be a whole number of agents >= 0", "plan")  # fmt: skip
    by_key = dict(zip(keys.tolist(), values.astype(int).tolist(), strict=True))
    missing = [k for k in want.tolist() if k not in by_key]
    if missing:
        raise ConfigError(f"{path}: no row for the forecast's interval {missing[0]} (column "
                          f"{key_name}); plan and forecast must cover the same intervals", "plan")  # fmt: skip
    agents = np.array([by_key[k] for k in want.tolist()], dtype=np.int64)
    if column == "scheduled" or column.endswith("_scheduled"):
        agents = np.floor(agents * (1.0 - shrinkage) + 1e-9).astype(np.int64)
    return agents
