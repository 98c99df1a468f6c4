"""Profit against staffing (``sim.profit``): common random numbers and directions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model.runner import replicate
from sim.planning.profit import (
    MIN_CHURN_DAYS,
    PROFIT_COLUMNS,
    _best,
    economics_text,
    profit_curve,
    profit_warnings,
)


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
    assert int(curve["best"].sum()) <= 1  # named only when its CI stands apart
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


def test_best_only_where_confidence_intervals_do_not_overlap() -> None:
    clear = pd.DataFrame({"profit": [1.0, 5.0, 2.0], "profit_ci_low": [0.5, 4.0, 1.5],
                          "profit_ci_high": [1.5, 6.0, 2.5]})  # fmt: skip
    assert _best(clear).tolist() == [False, True, False]
    overlap = clear.assign(profit_ci_high=[1.5, 6.0, 4.5])
    assert not _best(overlap).any()


def test_short_horizon_is_warned_and_the_economics_stated() -> None:
    cfg = centre()  # 20 days
    warnings = profit_warnings(cfg)
    assert any(f"under {MIN_CHURN_DAYS} days" in w for w in warnings)
    long = dataclasses.replace(cfg, run=dataclasses.replace(cfg.run, days=MIN_CHURN_DAYS))
    assert not any("horizon" in w for w in profit_warnings(long))
    text = economics_text(cfg)
    assert "30 EUR/hour" in text and "40,000 customers" in text and "horizon 20 day(s)" in text


def test_planning_profit_curve_is_the_plans_own_measures() -> None:
    """The planning-model curve (``callsim plan --profit``): each multiplier's numbers are
    those of simulating its plan on the same replications (common random numbers), profit
    is exactly - agent cost - customers lost x value per day x value days, and more
    agents mean more cost and a better service level."""
    from datetime import datetime, timedelta

    from sim.config.compose import compose
    from sim.planning.forecast import _build
    from sim.planning.marginal import plan_measures
    from sim.planning.planmodel import planning_model
    from sim.planning.profit import planning_profit_curve, planning_profit_warnings

    starts = [datetime(2026, 11, 30, 8) + timedelta(minutes=30 * i) for i in range(8)]
    fc = _build(starts, [40.0, 60, 80, 70, 50, 30, 40, 50], [240.0] * 8, 1800.0)
    cfg = compose(["model=planning"])
    model = planning_model(cfg, fc)
    base = np.array([7, 10, 12, 11, 8, 6, 7, 8])
    curve = planning_profit_curve(model, base, [1.2, 0.8, 1.0], cfg, replications=8)
    assert curve["multiplier"].tolist() == [0.8, 1.0, 1.2]
    assert curve["agent_cost"].is_monotonic_increasing
    assert curve["service_level"].is_monotonic_increasing
    value = cfg.customers.value_per_day * 365.0
    np.testing.assert_allclose(curve["profit"],
                               -curve["agent_cost"] - curve["customers_lost"] * value)  # fmt: skip
    at_one = plan_measures(model.simulate([base], range(8))[0], np.ones(8, bool), base, 1800.0,
                           cfg, 365.0)  # fmt: skip
    row = curve.loc[curve["multiplier"] == 1.0].iloc[0]
    assert row["service_level"] == pytest.approx(at_one["service_level"].mean(), abs=1e-12)
    assert row["agent_hours"] == base.sum() / 2.0
    # the warning: the highest-profit multiplier more than 5 points below the target
    table = pd.DataFrame({"multiplier": [0.8, 1.0], "profit": [2.0, 1.0],
                          "service_level": [0.74, 0.81]})  # fmt: skip
    assert planning_profit_warnings(table, 0.80, 365.0) == [
        "the highest mean profit (0.80 x the plan) has service level 74.0%, 6.0 points below "
        "the 80% target: the economics, not the target, favour it; check "
        "customers.churn.after_one, customers.value_per_day and --value-days before acting on it"]
    assert planning_profit_warnings(table.assign(service_level=[0.76, 0.81]), 0.80, 365.0) == []
    assert "fewer than 90 days" in planning_profit_warnings(table, 0.7, 30.0)[0]
    with pytest.raises(ValueError, match="replications"):
        planning_profit_curve(model, base, [1.0], cfg, replications=1)
    with pytest.raises(ValueError, match="one value per interval"):
        planning_profit_curve(model, base[:3], [1.0], cfg)
