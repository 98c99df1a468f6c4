"""Profit against staffing: the curve a service-level plan sits on.

Two curves, one per model (docs/how-to/plan-staffing.md, "planning model or research
model"):

* :func:`planning_profit_curve` (``callsim plan --profit``): the **planning model** of a
  forecast (the model every other planning method uses), each scaled plan simulated on
  the same replications (common random numbers). Profit is the part staffing moves:
  ``- agent cost - customers lost x customers.value_per_day x value_days``, customers
  lost = calls not answered within T x ``customers.churn.after_one`` (the estimate of
  ``callsim marginal``). A lost customer is valued over ``value_days`` (365), not over
  the forecast's week, so a short plan does not make thin staffing look cheap;
  :func:`planning_profit_warnings` warns when ``value_days`` is under
  :data:`MIN_CHURN_DAYS` and when the highest-profit multiplier's service level is more
  than :data:`SL_WARN_GAP` below the target.
* :func:`profit_curve`: the **research model** with the customer loop (churn, word of
  mouth), for studies; described below.

Scale a staffing plan by multipliers (0.8 = 20% fewer agents in every interval),
simulate each scaled plan with the customer loop on (same seeds for every multiplier:
common random numbers, so differences between points are sharp), and report profit
(revenue of the active customers - agent cost) and the customers lost to service, with
Student-t confidence intervals over the replications. The multiplier 1 is the plan
itself; the profit-optimal staffing is the multiplier with the highest mean profit.

Profit builds up slowly: customers lost to bad service stop paying for the rest of the
horizon, so short horizons favour thin staffing. Use a horizon of months
(``run.days``) and ``customers.feedback=true`` (tests/test_customer_loop.py shows the
14-day and 120-day answers differ); :func:`profit_warnings` says so below
:data:`MIN_CHURN_DAYS`, and :func:`economics_text` states the economics behind a curve.

``best`` marks the multiplier with the highest mean profit only when its confidence
interval overlaps no other multiplier's: where they overlap no best is named.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from sim.core.schema import Config
from sim.model.runner import replicate
from sim.planning.marginal import plan_measures
from sim.planning.planmodel import QueueModel

__all__ = [
    "MIN_CHURN_DAYS",
    "PLANNING_PROFIT_COLUMNS",
    "PROFIT_COLUMNS",
    "SL_WARN_GAP",
    "economics_text",
    "planning_economics_text",
    "planning_profit_curve",
    "planning_profit_warnings",
    "profit_curve",
    "profit_figure",
    "profit_warnings",
]

log = logging.getLogger(__name__)

#: Horizon (days) below which churn has no time to show in profit: a customer lost on
#: day d stops paying for the rest of the horizon only, while agent cost counts at once.
#: 90 days: about three months of lost revenue per lost customer; the customer-loop test
#: (tests/test_customer_loop.py) shows 14 days and 120 days rank staffing differently.
MIN_CHURN_DAYS = 90

#: Columns of :func:`profit_curve`'s table.
PROFIT_COLUMNS = (
    "multiplier", "agent_hours", "profit", "profit_ci_low", "profit_ci_high",
    "revenue", "agent_cost", "customers_lost_to_service", "service_level", "best",
)  # fmt: skip


def profit_curve(
    config: Config,
    base: np.ndarray,
    multipliers: Sequence[float],
    replications: int = 5,
    workers: int = 1,
) -> pd.DataFrame:
    """Profit and its confidence interval for each multiple of the plan ``base``.

    ``base``: net agents per interval (one list for every day) or per day and interval;
    each scaled plan is ``round(multiplier x base)``. Needs ``customers.enabled``.
    """
    if not config.customers.enabled:
        raise ValueError("customers.enabled = False: profit needs the customer base")
    if replications < 2:
        raise ValueError(f"replications = {replications}: need >= 2 for an interval")
    if not multipliers or any(not m > 0 for m in multipliers):
        raise ValueError(f"multipliers = {list(multipliers)}: need numbers > 0")
    base = np.asarray(base, dtype=float)
    rows = []
    for m in sorted(multipliers):
        agents = np.rint(m * base).astype(np.int64)
        staffing = dataclasses.replace(config.staffing, agents=agents.tolist())
        cfg = dataclasses.replace(config, staffing=staffing)
        log.info("profit curve: multiplier %.3g", m)
        reps = replicate(cfg, replications, workers)
        ci: dict[Any, dict[Any, Any]] = reps.summary.to_dict(orient="index")  # ratio KPIs pooled
        hours = float(reps.days["agent_hours"].sum()) / replications
        rows.append(
            {
                "multiplier": float(m),
                "agent_hours": hours,
                "profit": float(ci["profit"]["mean"]),
                "profit_ci_low": float(ci["profit"]["ci_low"]),
                "profit_ci_high": float(ci["profit"]["ci_high"]),
                "revenue": float(ci["revenue"]["mean"]),
                "agent_cost": float(ci["agent_cost"]["mean"]),
                "customers_lost_to_service": float(ci["customers_lost_to_service"]["mean"]),
                "service_level": float(ci["service_level"]["mean"]),
            }
        )
    table = pd.DataFrame(rows)
    table["best"] = _best(table)
    return table[list(PROFIT_COLUMNS)]


#: Columns of :func:`planning_profit_curve`'s table.
PLANNING_PROFIT_COLUMNS = (
    "multiplier", "agent_hours", "agent_cost", "customers_lost", "lost_value", "profit",
    "profit_ci_low", "profit_ci_high", "service_level", "service_level_ci_low",
    "service_level_ci_high", "abandoned", "best",
)  # fmt: skip

#: A profit-optimal plan whose service level is more than this (a share: 5 points) below
#: the target gets a warning: the economics, not the service target, drive it.
SL_WARN_GAP = 0.05


def planning_profit_curve(
    model: QueueModel,
    base: np.ndarray,
    multipliers: Sequence[float],
    config: Config,
    replications: int = 16,
    value_days: float = 365.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Profit of each multiple of the plan ``base`` in the planning model (module docstring).

    ``base``: net agents per forecast row; each scaled plan is ``round(multiplier x
    base)``, all simulated on replications ``0 .. replications - 1`` (common random
    numbers). Returns one row per multiplier (:data:`PLANNING_PROFIT_COLUMNS`): means
    over the replications, profit (currency over the horizon plus ``value_days`` of each
    lost customer's revenue) and service level (whole plan) with Student-t intervals;
    ``best`` as for :func:`profit_curve`. Raises ValueError for fewer than 2
    replications, a multiplier <= 0, ``value_days`` < 0 or ``base`` of the wrong shape.
    """
    if replications < 2:
        raise ValueError(f"replications = {replications}: need >= 2 for an interval")
    if not multipliers or any(not m > 0 for m in multipliers):
        raise ValueError(f"multipliers = {list(multipliers)}: need numbers > 0")
    if not value_days >= 0:
        raise ValueError(f"value_days = {value_days!r}: must be >= 0")
    base = np.asarray(base, dtype=float)
    if base.shape != (model.n_intervals,):
        raise ValueError(f"base has shape {base.shape}; need one value per interval")
    ms = sorted(float(m) for m in multipliers)
    plans = [np.rint(m * base).astype(np.int64) for m in ms]
    counts = model.simulate(plans, range(replications))
    tq = float(stats.t.ppf(0.5 + confidence / 2, replications - 1))
    interval_s = model.forecast.interval_s
    scope = np.ones(model.n_intervals, dtype=bool)
    rows = []
    for m, plan, c in zip(ms, plans, counts, strict=True):
        x = plan_measures(c, scope, plan, interval_s, config, value_days)
        row: dict[str, Any] = {"multiplier": m, "agent_hours": plan.sum() * interval_s / 3600.0,
                               "agent_cost": float(x["agent_cost"][0]),
                               "customers_lost": float(x["customers_lost"].mean()),
                               "abandoned": float(x["abandoned"].mean())}  # fmt: skip
        row["lost_value"] = row["customers_lost"] * config.customers.value_per_day * value_days
        for name in ("profit", "service_level"):
            v = x[name]
            half = tq * v.std(ddof=1) / np.sqrt(replications)
            row[name], row[f"{name}_ci_low"], row[f"{name}_ci_high"] = (
                float(v.mean()), float(v.mean() - half), float(v.mean() + half))
        rows.append(row)
    table = pd.DataFrame(rows)
    table["best"] = _best(table)
    return table[list(PLANNING_PROFIT_COLUMNS)]


def planning_economics_text(config: Config, value_days: float) -> str:
    """The economics behind :func:`planning_profit_curve`, one line."""
    c, e = config.customers, config.economics
    return (
        f"planning model; agents cost {e.agent_cost_per_hour:g} {e.currency}/hour; a call not "
        f"answered within T loses a customer with probability {c.churn.after_one:g}; a lost "
        f"customer is worth {c.value_per_day:g} {e.currency}/day x {value_days:g} days"
    )


def planning_profit_warnings(curve: pd.DataFrame, sl_target: float, value_days: float
                             ) -> list[str]:  # fmt: skip
    """Why a planning profit curve may mislead (empty when nothing to say)."""
    out = []
    if value_days < MIN_CHURN_DAYS:
        out.append(f"--value-days {value_days:g}: a lost customer valued over fewer than "
                   f"{MIN_CHURN_DAYS} days makes thin staffing look profitable")  # fmt: skip
    top = curve.iloc[int(curve["profit"].to_numpy().argmax())]
    gap = sl_target - float(top["service_level"])
    if gap > SL_WARN_GAP:
        out.append(f"the highest mean profit ({top['multiplier']:.2f} x the plan) has service "
                   f"level {top['service_level']:.1%}, {100 * gap:.1f} points below the "
                   f"{sl_target:.0%} target: the economics, not the target, favour it; check "
                   "customers.churn.after_one, customers.value_per_day and --value-days "
                   "before acting on it")  # fmt: skip
    return out


def _best(table: pd.DataFrame) -> np.ndarray:
    """True at the highest mean profit when its CI overlaps no other multiplier's CI."""
    i = int(table["profit"].to_numpy().argmax())
    low = float(table["profit_ci_low"].iloc[i])
    others = np.delete(table["profit_ci_high"].to_numpy(), i)
    best = np.zeros(len(table), dtype=bool)
    best[i] = bool(np.all(others < low))
    return best


def profit_warnings(config: Config) -> list[str]:
    """Why a profit curve of ``config`` may mislead (empty when nothing to say)."""
    out = []
    if config.run.days < MIN_CHURN_DAYS:
        out.append(
            f"run.days = {config.run.days}: a horizon under {MIN_CHURN_DAYS} days leaves churn "
            "no time to cost revenue (a lost customer stops paying only for the rest of the "
            "horizon, agent cost counts at once), so thin staffing looks profitable; set "
            f"run.days >= {MIN_CHURN_DAYS} (e.g. --set run.days=120)"
        )
    if not config.customers.feedback:
        out.append("customers.feedback = false: lost customers stop paying but the call "
                   "volume stays the forecast's")  # fmt: skip
    return out


def economics_text(config: Config) -> str:
    """The economics behind a profit curve, one line."""
    c, e = config.customers, config.economics
    revenue = c.initial * c.value_per_day
    return (
        f"agents cost {e.agent_cost_per_hour:g} {e.currency}/hour; {c.initial:,} customers x "
        f"{c.value_per_day:g} {e.currency}/day = {revenue:,.0f} {e.currency}/day of revenue "
        f"(+{c.tenure_uplift:.0%} after {c.loyal_after_days} days of tenure); horizon "
        f"{config.run.days} day(s); churn after one bad experience {c.churn.after_one:.0%}"
    )


def profit_figure(curve: pd.DataFrame, method: str,
                  model: str = "research model, customer loop on") -> Figure:  # fmt: skip
    """Profit (with its confidence interval) against the staffing multiplier; a star on
    the best multiplier only when ``curve['best']`` names one; ``model`` in the title."""
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    x, y = curve["multiplier"], curve["profit"]
    err = np.vstack([y - curve["profit_ci_low"], curve["profit_ci_high"] - y])
    ax.errorbar(x, y, yerr=err, fmt="k-o", capsize=3, label="profit, 95% CI")
    ax.axvline(1.0, color="tab:red", ls="--", label=f"the {method} service-level plan")
    if curve["best"].any():
        best = curve.loc[curve["best"]].iloc[0]
        ax.plot([best["multiplier"]], [best["profit"]], "g*", ms=14, label="highest profit")
    else:
        ax.text(0.02, 0.02, "confidence intervals overlap: no best multiplier",
                transform=ax.transAxes, fontsize=8)  # fmt: skip
    ax.set(xlabel="agents, multiple of the plan", ylabel="profit over the horizon (currency)",
           title=f"Profit against staffing ({model})")  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
