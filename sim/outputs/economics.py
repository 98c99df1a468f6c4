"""Money per day: what agents cost, what customers pay, what bad service loses.

Built on :meth:`sim.customers.population.Population.days_table` (one row per day). Agent cost is
paid per agent-hour paid (present, or rostered with ``workforce.enabled``) at
``agent_cost_per_hour``, plus ``workforce.hiring.cost_per_hire`` for each hire.
The value lost to service counts the customers who left after bad experiences or
negative word of mouth, each worth ``ltv`` (see
:meth:`~sim.customers.population.Population.lifetime_value`; undiscounted). Currency units of
:class:`~sim.core.schema.EconomicsConfig` ``currency``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.core.schema import EconomicsConfig

__all__ = ["economics_summary", "economics_table"]


def economics_table(
    days: pd.DataFrame,
    available_agent_s_per_day: npt.ArrayLike,
    cfg: EconomicsConfig,
    ltv: float,
    hiring_cost_per_day: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """``days`` plus ``agent_cost``, ``profit``, ``value_lost_to_service`` and
    ``value_won`` columns.

    ``available_agent_s_per_day``: agent-seconds paid on each day of ``days``
    (same length, same order); ``hiring_cost_per_day``: recruiting and training cost of
    the hires of each day (0 if None). ``agent_cost`` = paid hours x
    ``agent_cost_per_hour`` + hiring cost; ``profit = revenue - agent_cost``;
    ``value_lost_to_service = (lost_service + lost_wom) * ltv``;
    ``value_won = new_customers * ltv``.
    """
    agent_s = np.asarray(available_agent_s_per_day, dtype=np.float64)
    if agent_s.shape != (len(days),):
        raise ValueError(f"need one agent-seconds value per day: {agent_s.shape} vs {len(days)}")
    out = days.copy()
    out["agent_cost"] = agent_s / 3600.0 * cfg.agent_cost_per_hour
    if hiring_cost_per_day is not None:
        out["agent_cost"] += np.asarray(hiring_cost_per_day, dtype=np.float64)
    out["profit"] = out["revenue"] - out["agent_cost"]
    out["value_lost_to_service"] = (out["lost_service"] + out["lost_wom"]) * float(ltv)
    out["value_won"] = out["new_customers"] * float(ltv)
    return out


def economics_summary(table: pd.DataFrame) -> dict[str, float]:
    """Totals over the days of an :func:`economics_table`."""
    return {
        "revenue": float(table["revenue"].sum()),
        "agent_cost": float(table["agent_cost"].sum()),
        "profit": float(table["profit"].sum()),
        "customers_lost_to_service": float((table["lost_service"] + table["lost_wom"]).sum()),
        "value_lost_to_service": float(table["value_lost_to_service"].sum()),
        "value_won": float(table["value_won"].sum()),
    }
