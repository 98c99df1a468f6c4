"""What one agent more or less does: paired differences on common random numbers.

:func:`marginal_analysis` adds one agent to, and separately removes one from, every
interval of a scope (:func:`scope_mask`: one interval, one day or the whole plan) and
simulates base and changed plans on the same replications of the planning model, so
that the differences (service level, abandoned calls, customers lost, agent cost,
profit) are sharp; see :mod:`sim.app.marginal` for the measures and the command.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.planning.planmodel import QueueModel

__all__ = ["MEASURES", "marginal_analysis", "plan_measures", "scope_mask"]

#: The measures of :func:`marginal_analysis`, in order.
MEASURES = ("service_level_scope", "service_level", "abandoned", "customers_lost",
            "agent_cost", "profit")  # fmt: skip


def scope_mask(
    model: QueueModel, interval: str | None = None, day: str | None = None
) -> np.ndarray:
    """Rows of the scope: one interval start (``"YYYY-MM-DD HH:MM"``), one date, or all.

    Raises :class:`ConfigError` naming ``--interval``/``--day`` when it matches no interval.
    """
    start = pd.to_datetime(model.forecast.table["start"]).reset_index(drop=True)
    if interval is not None and day is not None:
        raise ConfigError("--interval and --day: give one of them (or neither: the whole plan)")
    if interval is not None:
        try:
            at = pd.Timestamp(interval)
        except ValueError:
            raise ConfigError(f"--interval {interval!r}: must be a date and time like "
                              '"2026-11-30 10:00"', "interval") from None  # fmt: skip
        mask = (start == at).to_numpy()
        name = "--interval"
    elif day is not None:
        try:
            date = pd.Timestamp(day).date()
        except ValueError:
            raise ConfigError(f"--day {day!r}: must be a date like 2026-11-30", "day") from None
        mask = (start.dt.date == date).to_numpy()
        name = "--day"
    else:
        return np.ones(len(start), dtype=bool)
    if not mask.any():
        value = interval if interval is not None else day
        raise ConfigError(f"{name} {value!r}: no open interval of the forecast there (first "
                          f"{start.iloc[0]:%Y-%m-%d %H:%M}, last {start.iloc[-1]:%Y-%m-%d %H:%M})",
                          name.lstrip("-"))  # fmt: skip
    return mask


def plan_measures(counts: np.ndarray, scope: np.ndarray, agents: np.ndarray, interval_s: float,
                  cfg: Config, value_days: float) -> dict[str, np.ndarray]:  # fmt: skip
    """The :data:`MEASURES` of one plan per replication (``counts``: reps x rows x 7 of
    :meth:`~sim.planning.planmodel.PlanningModel.simulate`; ``scope``: bool per row;
    ``agents``: net agents per row): service levels (shares), abandoned calls, customers
    lost (calls not answered within T x ``customers.churn.after_one``), agent cost
    (agent-hours x ``economics.agent_cost_per_hour``) and profit (- agent cost -
    customers lost x ``customers.value_per_day`` x ``value_days``), each an array over
    the replications."""
    offered, within, abandoned = counts[..., 0], counts[..., 2], counts[..., 3]
    with np.errstate(invalid="ignore", divide="ignore"):
        sl_scope = within[:, scope].sum(axis=1) / offered[:, scope].sum(axis=1)
        sl = within.sum(axis=1) / offered.sum(axis=1)
    lost = (offered - within).sum(axis=1) * cfg.customers.churn.after_one
    cost = agents.sum() * interval_s / 3600.0 * cfg.economics.agent_cost_per_hour
    profit = -cost - lost * cfg.customers.value_per_day * value_days
    return {"service_level_scope": sl_scope, "service_level": sl,
            "abandoned": abandoned.sum(axis=1), "customers_lost": lost,
            "agent_cost": np.full(counts.shape[0], cost), "profit": profit}  # fmt: skip


def marginal_analysis(
    model: QueueModel,
    agents: np.ndarray,
    scope: np.ndarray,
    cfg: Config,
    replications: int = 32,
    value_days: float = 365.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired differences of one agent more and one less in ``scope`` (bool per row).

    Returns one row per change (``one more``, ``one less``) and measure (:data:`MEASURES`) with the
    base value, the changed value, the mean difference and its Student-t CI over the
    replications (common random numbers: the differences are sharp), and ``agents_changed``
    (interval-agents actually changed: ``-1`` leaves intervals at 0 agents alone).
    """
    if replications < 2:
        raise ValueError(f"replications = {replications}: need >= 2 for an interval")
    base = np.asarray(agents, dtype=np.int64)
    more = base + scope
    less = np.maximum(base - scope, 0)
    counts = model.simulate([base, more, less], range(replications))
    interval_s = model.forecast.interval_s
    m0 = plan_measures(counts[0], scope, base, interval_s, cfg, value_days)
    tq = float(stats.t.ppf(0.5 + confidence / 2, replications - 1))
    rows = []
    for change, plan, c in (("one more", more, counts[1]), ("one less", less, counts[2])):
        m1 = plan_measures(c, scope, plan, interval_s, cfg, value_days)
        for name in MEASURES:
            d = m1[name] - m0[name]
            half = tq * d.std(ddof=1) / np.sqrt(replications)
            rows.append({"change": change, "measure": name, "base": m0[name].mean(),
                         "changed": m1[name].mean(), "difference": d.mean(),
                         "ci_low": d.mean() - half, "ci_high": d.mean() + half,
                         "agents_changed": int(np.abs(plan - base).sum())})  # fmt: skip
    return pd.DataFrame(rows)
