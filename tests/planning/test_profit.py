"""Profit against staffing (``sim.planning.profit``): common random numbers and directions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sim
from sim.model.runner import replicate
from sim.planning.profit import PROFIT_COLUMNS, profit_curve


def centre() -> sim.Config:
    cfg = sim.compose(["run.days=20", "customers.feedback=true", "customers.initial=40000",
                       "customers.market_size=100000"])  # fmt: skip
    return cfg


def test_profit_curve_directions_and_common_random_numbers() -> None:
    """More agents: more agent cost, better service, fewer customers lost (on common
    random numbers the comparisons hold draw by draw, not only on average); the
    multiplier 1 is exactly the plan simulated on its own."""
    cfg = centre()
    base = np.asarray(cfg.staffing.agents)
    curve = profit_curve(cfg, base, [1.2, 0.8, 1.0], replications=2)
    assert list(curve.columns) == list(PROFIT_COLUMNS)
    assert curve["multiplier"].tolist() == [0.8, 1.0, 1.2]
    assert curve["agent_cost"].is_monotonic_increasing
    assert curve["agent_hours"].is_monotonic_increasing
    assert curve["service_level"].is_monotonic_increasing
    lost = curve["customers_lost_to_service"].to_numpy()
    assert lost[0] > lost[1] > lost[2]
    assert int(curve["best"].sum()) == 1
    assert (curve["profit_ci_low"] <= curve["profit"]).all()
    assert (curve["profit"] <= curve["profit_ci_high"]).all()
    direct = replicate(cfg, 2).per_replication["profit"].mean()
    assert curve.loc[curve["multiplier"] == 1.0, "profit"].iloc[0] == pytest.approx(
        direct, rel=1e-12
    )


def test_profit_needs_customers_and_replications() -> None:
    cfg = centre()
    base = np.asarray(cfg.staffing.agents)
    off = dataclasses.replace(cfg, customers=dataclasses.replace(cfg.customers, enabled=False))
    with pytest.raises(ValueError, match=r"customers\.enabled"):
        profit_curve(off, base, [1.0])
    with pytest.raises(ValueError, match="replications"):
        profit_curve(cfg, base, [1.0], replications=1)
    with pytest.raises(ValueError, match="multipliers"):
        profit_curve(cfg, base, [0.0, 1.0])
