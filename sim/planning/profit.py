"""Profit against staffing: the curve a service-level plan sits on.

Scale a staffing plan by multipliers (0.8 = 20% fewer agents in every interval),
simulate each scaled plan with the customer loop on (same seeds for every multiplier:
common random numbers, so differences between points are sharp), and report profit
(revenue of the active customers - agent cost) and the customers lost to service, with
Student-t confidence intervals over the replications. The multiplier 1 is the plan
itself; the profit-optimal staffing is the multiplier with the highest mean profit.

Profit builds up slowly: customers lost to bad service stop paying for the rest of the
horizon, so short horizons favour thin staffing. Use a horizon of months
(``run.days``) and ``customers.feedback=true`` (tests/customers/test_customer_loop.py shows the
14-day and 120-day answers differ).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.core.schema import Config
from sim.model.runner import confidence_table, replicate

__all__ = ["PROFIT_COLUMNS", "profit_curve"]

log = logging.getLogger(__name__)

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
        ci: dict[Any, dict[Any, Any]] = confidence_table(
            reps.per_replication, config.metrics.confidence
        ).to_dict(orient="index")
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
    table["best"] = table["profit"] == table["profit"].max()
    return table[list(PROFIT_COLUMNS)]
