"""Does a plan meet its target? The planning model per interval, with confidence intervals.

:func:`simulate_plan` simulates net agents per forecast row in the planning model
(:mod:`sim.planning.planmodel`) and judges every interval: service level, abandonment,
ASA and occupancy with 95% confidence intervals over the replications, ``met`` (1, 0,
NaN without calls) and a traffic ``light`` (green: the CI is at or above the target;
red: below it; amber: the target is inside the CI; none: no calls).
:func:`load_staffing` reads agents per interval from a ``plan.csv`` or a
``roster.csv``. The command is :mod:`sim.app.simulate_plan`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.checks import ConfigError
from sim.planning.forecast import Forecast
from sim.planning.plan_table import plan_from_spreadsheet
from sim.planning.planmodel import QueueModel, interval_kpis
from sim.planning.planner import PlanTarget
from sim.planning.simplan import meets_target
from sim.planning.tour_roster import is_roster_table, roster_on_phone

__all__ = ["PlanCheck", "check_plan_file", "default_column", "load_staffing", "simulate_plan"]


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
    model: QueueModel,
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


_KINDS = (
    "a plan.csv (interval_start and <method>_agents columns, from callsim plan) or a "
    "roster.csv (agent, date, start, end_date, end, break_start, break_end: one row per "
    "agent and working day, from callsim plan --roster)"
)


def _not_a_plan(path: Path, why: str) -> ConfigError:
    """The one-line error of a ``--plan`` file that is neither kind (:data:`_KINDS`)."""
    return ConfigError(f"--plan {path}: not a plan.csv or roster.csv ({why}); --plan must be "
                       f"{_KINDS}", "plan")  # fmt: skip


def _csv_error(exc: Exception) -> str:
    """pandas' reason a file is no CSV table, on one line without its C-parser prefix."""
    text = " ".join(str(exc).split())
    return text.replace("Error tokenizing data. C error: ", "") or type(exc).__name__


def check_plan_file(path: Path) -> None:
    """Refuse, with one line naming the file and what ``--plan`` takes, a file that is
    not a ``plan.csv`` (an ``interval_start`` column) or a ``roster.csv``: a YAML or JSON
    file (the plan folder's ``centre.json``), another CSV. Reads the header only.

    Raises ConfigError (key ``plan``)."""
    if path.suffix.lower() in (".json", ".yaml", ".yml", ".parquet", ".xlsx"):
        raise _not_a_plan(path, f"a {path.suffix.lower()[1:]} file, not a CSV table")
    try:
        columns = pd.read_csv(path, nrows=0).columns
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError) as exc:  # fmt: skip
        raise _not_a_plan(path, f"cannot read it as a CSV table: {_csv_error(exc)}") from None
    if not (is_roster_table(columns) or {"interval_start", "day"} <= set(columns)
            or "start" in columns):  # fmt: skip
        shown = ", ".join(map(str, columns[:8])) + (" ..." if len(columns) > 8 else "")
        hint = ("; a forecast? give it as --forecast, and as --plan the plan.csv made from it"
                if "expected_calls" in columns else "")  # fmt: skip
        raise _not_a_plan(path, f"its columns are {shown}{hint}")


def _read_table(path: Path) -> pd.DataFrame:
    """The file as read (a roster) or in the planner's form (a spreadsheet plan)."""
    check_plan_file(path)
    try:
        raw = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError) as exc:  # fmt: skip
        raise _not_a_plan(path, f"cannot read it as a CSV table: {_csv_error(exc)}") from None
    if is_roster_table(raw.columns) or "start" in raw.columns:
        return raw
    if not {"interval_start", "day"} <= set(raw.columns):
        raise ConfigError(f"{path}: must be {_KINDS}; its columns are "
                          f"{', '.join(map(str, raw.columns))}", "plan")  # fmt: skip
    try:
        return plan_from_spreadsheet(raw)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}", "plan") from None


def _roster_agents(path: Path, forecast: Forecast, column: str | None) -> np.ndarray:
    """On-phone agents per forecast row of a ``roster.csv``."""
    if column is not None:
        raise ConfigError(f"--column {column!r}: {path} is a roster.csv, whose agents per "
                          "interval are its shifts; give no --column", "column")  # fmt: skip
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    on_phone = roster_on_phone(path, text, forecast.table["start_s"].to_numpy(dtype=float),
                               forecast.interval_s, forecast.first_date, forecast.days)  # fmt: skip
    _check_days_covered(path, forecast, on_phone)
    return on_phone


def _check_days_covered(path: Path, forecast: Forecast, on_phone: np.ndarray) -> None:
    """Refuse a roster that puts nobody on the phone all day on forecast days that have
    calls: it was planned for fewer days than the forecast (a 2-day roster against a
    week) and would be judged on days it never staffed."""
    day = forecast.table["day"].to_numpy()
    calls = np.bincount(day, weights=forecast.table["expected_calls"].to_numpy(float))
    staffed = np.bincount(day, weights=on_phone.astype(float), minlength=calls.size)
    empty = np.flatnonzero((staffed == 0) & (calls > 0))
    if empty.size == 0:
        return
    dates = [str(forecast.first_date + timedelta(days=int(d))) for d in empty]
    shown = ", ".join(dates[:3]) + (f" ... {dates[-1]}" if len(dates) > 3 else "")
    raise ConfigError(f"{path}: nobody is on the phone on {len(dates)} of the forecast's "
                      f"{calls.size} days ({shown}; {calls[empty].sum():,.0f} calls "
                      "expected): the roster was planned for other days; give the forecast "
                      "(--forecast, or --set run.days=...) it was planned for", "plan")  # fmt: skip


def default_column(columns: Sequence[str] | pd.Index) -> str | None:
    """The agents column ``load_staffing`` reads from a plan without ``--column``:
    ``simulation_agents``, else the last ``*_agents`` column (None if there is none)."""
    named = [str(c) for c in columns if str(c).endswith("_agents")]
    if not named:
        return None
    return "simulation_agents" if "simulation_agents" in named else named[-1]


def load_staffing(
    path: Path, forecast: Forecast, column: str | None, shrinkage: float
) -> np.ndarray:
    """Net agents per forecast row from a ``plan.csv`` or a ``roster.csv`` (ConfigError
    naming the file, line and column of a problem, or the kinds of file it takes).

    A plan's rows are matched on ``interval_start``; ``column`` defaults to
    ``simulation_agents``, else the last ``*_agents`` column; a ``*_scheduled`` column
    counts agents on duty. A roster (:func:`~sim.planning.tour_roster.roster_on_phone`)
    gives the agents on the phone in each interval, on duty too. Agents on duty are
    netted of shrinkage: net = floor(on duty x (1 - shrinkage)).
    """
    table_ = _read_table(path)
    if is_roster_table(table_.columns):
        on_duty = _roster_agents(path, forecast, column)
        return np.floor(on_duty * (1.0 - shrinkage) + 1e-9).astype(np.int64)
    named = [c for c in table_.columns if str(c).endswith("_agents")]
    if "start" not in table_.columns or (column is None and not named):
        raise ConfigError(f"{path}: must be {_KINDS}; its columns are "
                          f"{', '.join(map(str, table_.columns))}", "plan")  # fmt: skip
    column = column or default_column(table_.columns) or named[-1]
    if column not in table_.columns:
        raise ConfigError(f"{path}, column {column!r}: no such column (columns: "
                          f"{', '.join(map(str, table_.columns))})", "column")  # fmt: skip
    keys = pd.to_datetime(table_["start"], errors="coerce")
    values = pd.to_numeric(table_[column], errors="coerce")
    for i in range(len(table_)):
        v = values.iloc[i]
        if not (math.isfinite(v) and v >= 0 and float(v).is_integer()):
            raise ConfigError(f"{path} line {i + 2}, column {column}: {table_[column].iloc[i]!r}: "
                              "must be a whole number of agents >= 0", "plan")  # fmt: skip
    by_key = dict(zip(keys.tolist(), values.astype(int).tolist(), strict=True))
    missing = [k for k in forecast.table["start"].tolist() if k not in by_key]
    if missing:
        raise ConfigError(f"{path}: no row for the forecast's interval {missing[0]:%Y-%m-%d %H:%M} "
                          "(column interval_start); plan and forecast must cover the same "
                          "intervals", "plan")  # fmt: skip
    agents = np.array([by_key[k] for k in forecast.table["start"].tolist()], dtype=np.int64)
    if column.endswith("_scheduled"):
        agents = np.floor(agents * (1.0 - shrinkage) + 1e-9).astype(np.int64)
    return agents
