"""The customer loop end to end: calls -> issues -> experience -> customers -> money."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model.callcenter import CallCenter

QUEUE_COLUMNS = ("arrival_s", "wait_s", "patience_s", "agent_id", "issue_id", "contact",
                 "resolved", "experience", "outcome", "source")  # fmt: skip


def small_market(**customers: Any) -> dict[str, Any]:
    """The customers section of a small, fast market (the defaults otherwise)."""
    return {"enabled": True, "initial": 40_000, "market_size": 100_000, **customers}


def test_tracking_customers_leaves_the_queue_unchanged() -> None:
    """Customers tracked but no feedback: the calls are those of the plain engine."""
    base = sim.compose(["run.days=3", "customers.enabled=false"])
    tracked = sim.compose(["run.days=3", "customers.enabled=true"])
    a, b = CallCenter(base).run(1), CallCenter(tracked).run(1)
    for col in QUEUE_COLUMNS:
        assert a.calls[col].equals(b.calls[col]), col
    assert (a.calls["customer_id"] == -1).all() and (b.calls["customer_id"] >= 0).all()
    for key in sim.outputs.metrics.QUEUE_KEYS:
        assert a.summary[key] == b.summary[key] or (
            math.isnan(a.summary[key]) and math.isnan(b.summary[key])
        )
    assert math.isnan(a.summary["profit"]) and b.summary["profit"] > 0
    assert a.summary["agent_cost"] == b.summary["agent_cost"] > 0


def test_customers_are_conserved_every_day() -> None:
    """initial + won = active + lost, every day; each day starts where the last ended."""
    cfg = sim.compose(["run.days=20", "customers.feedback=true"])
    cfg.customers.initial, cfg.customers.market_size = 40_000, 100_000
    cfg.customers.churn.per_negative_message = 0.01  # every kind of leaving happens
    days = CallCenter(cfg).run(0).days
    lost = days[["lost_service", "lost_wom", "lost_background"]].sum(axis=1).cumsum()
    won = days["new_customers"].cumsum()
    assert np.array_equal(40_000 + won - lost, days["active_end"])
    assert np.array_equal(days["active_start"].iloc[1:], days["active_end"].iloc[:-1])
    assert (days[["lost_service", "lost_wom", "lost_background", "new_customers"]] > 0).all().all()
    ended = days[["issues_bad", "issues_neutral", "issues_good"]].sum(axis=1)
    assert (ended > 0).all()


def test_feedback_moves_the_volume_with_the_customer_base() -> None:
    """With feedback on, a shrinking base brings fewer fresh calls than the forecast, and
    the intervals' ``expected_calls`` follow the base exactly (no busyness here)."""
    args = ["run.days=30", "customers.feedback=true", "customers.initial=40000",
            "customers.market_size=40000", "customers.churn.background_per_year=0.9"]  # fmt: skip
    res = CallCenter(sim.compose([*args, "center.busyness_var=0"])).run(0)
    days = res.days
    share = days["active_start"] / 40_000
    expected = res.intervals.groupby("day")["expected_calls"].sum().to_numpy()
    assert np.allclose(expected, 2100.0 * share.to_numpy(), rtol=1e-9)  # the forecast, scaled
    assert share.iloc[-1] < 0.85  # 90% a year leave: ~17% in 30 days
    # fresh calls per day follow the base: compare the last week with the first
    first, last = days["fresh"].iloc[:7].sum(), days["fresh"].iloc[-7:].sum()
    ratio = share.iloc[-7:].mean() / share.iloc[:7].mean()
    # Poisson counts of ~14,700 calls a week: SE of the ratio ~ 1.2%; allow 4 SE
    assert last / first == pytest.approx(ratio, abs=4 * 0.012)


def test_fcr_and_share_of_issues_needing_several_contacts() -> None:
    """The resolution mechanism alone (agents plenty, nobody waits): the share of issues
    whose first answered contact fails is 1 - fcr (seed 001's 62% in poor_resolution),
    and the share that make a second contact is (1 - fcr) x recontact_probability.

    Each is a binomial share over the n issues counted (first contacts on days 0-4 of a
    6-day run with 10-minute recontact delays, so no repeat falls past the horizon): we
    allow 4 standard errors sqrt(p (1 - p) / n).
    """
    cfg = sim.compose(["scenario=poor_resolution", "run.days=6", "staffing.agents=60",
                       "redials.probability=0", "customers.enabled=false",
                       "resolution.recontact_delay.mean_s=600"])  # fmt: skip
    calls = CallCenter(cfg).run(0).calls
    assert (calls["wait_s"] == 0).all()
    first = calls[(calls["contact"] == 1) & (calls["day"] <= 4)]
    n = len(first)
    f, r = cfg.resolution.fcr, cfg.resolution.recontact_probability
    failed = (~first["resolved"].astype(bool)).mean()
    assert abs(failed - (1 - f)) < 4 * math.sqrt(f * (1 - f) / n)
    issues_again = set(calls.loc[calls["contact"] == 2, "issue_id"])
    again = first["issue_id"].isin(issues_again).mean()
    p = (1 - f) * r
    assert abs(again - p) < 4 * math.sqrt(p * (1 - p) / n)
    assert 1 - f == pytest.approx(0.62)  # the seed figure poor_resolution is built on


def _scenario(name: str, days: int) -> pd.Series:
    cfg = sim.compose([f"scenario={name}", f"run.days={days}", "customers.feedback=true"])
    cfg.customers.initial, cfg.customers.market_size = 100_000, 250_000
    res = CallCenter(cfg).run(0)
    return pd.Series(
        {**res.summary, "repeat_share": res.summary["repeats"] / res.summary["offered"]}
    )


@pytest.mark.slow
def test_directions_with_common_random_numbers() -> None:
    """Understaffed: more abandonment, more bad experiences, more churn, fewer customers,
    less profit; empowered agents: higher FCR, fewer repeat calls. 120 days, one
    replication each on common random numbers: the differences are many times the
    replication noise (the 14-day runs of the scenarios differ by 5-20 standard errors)."""
    base, under, empowered = (_scenario(n, 120) for n in ("baseline", "understaffed",
                                                          "empowered_agents"))  # fmt: skip
    assert under["abandon_rate"] > base["abandon_rate"]
    assert under["bad_experience_rate"] > base["bad_experience_rate"]
    assert under["customers_lost_to_service"] > base["customers_lost_to_service"]
    assert under["customers_end"] < base["customers_end"]
    assert under["profit"] < base["profit"]
    assert empowered["fcr"] > base["fcr"] + 0.1
    assert empowered["repeat_share"] < base["repeat_share"]
    assert empowered["customers_lost_to_service"] < base["customers_lost_to_service"]
