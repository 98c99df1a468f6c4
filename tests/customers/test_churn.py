"""Churn law: the PwC targets (seed 003) exactly, and as simulated shares."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.rng import Streams
from sim.core.schema import ChurnConfig, CustomersConfig
from sim.customers.churn import ChurnLaw
from sim.customers.population import LOST_SERVICE, Population


def test_escalating_meets_both_pwc_targets_exactly() -> None:
    law = ChurnLaw.from_config(ChurnConfig())
    assert law.hazard(np.array([1]))[0] == pytest.approx(0.17, abs=1e-12)
    assert law.p_gone_after(1) == pytest.approx(0.17, abs=1e-12)
    assert law.p_gone_after(3) == pytest.approx(0.59, abs=1e-12)
    assert law.p_gone_after(0) == 0.0
    h = law.hazard(np.arange(1, 6))
    assert h[0] < h[1] and np.all(h[1:] == h[1])  # escalates once, then constant
    assert h[1] == pytest.approx(1 - math.sqrt(0.41 / 0.83), abs=1e-12)


def test_escalating_other_several() -> None:
    law = ChurnLaw(after_one=0.1, after_several=0.5, several=5)
    assert law.p_gone_after(5) == pytest.approx(0.5, abs=1e-12)


def test_constant_meets_after_one_only() -> None:
    law = ChurnLaw(shape="constant")
    assert np.all(law.hazard(np.arange(1, 10)) == 0.17)
    assert law.p_gone_after(3) == pytest.approx(1 - 0.83**3, abs=1e-12)  # 0.428, not 0.59
    assert law.constant_several == pytest.approx(math.log(0.41) / math.log(0.83))
    assert law.constant_several == pytest.approx(4.79, abs=0.005)


def test_background_daily_compounds_to_the_yearly_share() -> None:
    law = ChurnLaw(background_per_year=0.10)
    assert 1 - (1 - law.background_daily) ** 365 == pytest.approx(0.10, abs=1e-12)
    assert ChurnLaw(background_per_year=0.0).background_daily == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"shape": "linear"},
        {"several": 1},
        {"after_one": 0.6, "after_several": 0.5},
        {"after_one": 1.5},
    ],
)
def test_invalid_laws_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ChurnLaw(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ChurnLaw().hazard(np.array([0]))


def _isolated(n: int, seed: int, forgetting: float = 0.0) -> Population:
    """n customers, all active, nothing but service churn."""
    cfg = CustomersConfig(initial=n, market_size=n)
    cfg.churn.background_per_year = 0.0
    cfg.churn.forgetting_per_day = forgetting
    cfg.wom.tell_bad = cfg.wom.tell_good = 0.0
    return Population(cfg, Streams(seed))


N = 100_000


def _within_4se(share: float, p: float, n: int) -> None:
    # A share of n independent Bernoulli(p) draws has SE sqrt(p(1-p)/n); 4 SE makes a
    # false alarm of a correct model ~6e-5 per check, yet catches an error of ~0.005.
    se = math.sqrt(p * (1 - p) / n)
    assert abs(share - p) < 4 * se, (share, p, se)


def test_simulated_shares_one_bad_issue_per_day() -> None:
    pop = _isolated(N, seed=11)
    ids = np.arange(N)
    bad = np.full(N, -1, dtype=np.int8)
    shares = []
    for day in range(3):
        pop.end_of_day(day, ids, bad)  # everybody has one more bad issue (lost ones ignored)
        shares.append(np.mean(pop.state == LOST_SERVICE))
    _within_4se(shares[0], 0.17, N)
    _within_4se(shares[2], 0.59, N)
    assert pop.days_table()["lost_service"].sum() == np.sum(pop.state == LOST_SERVICE)


def test_simulated_shares_several_bad_issues_same_day() -> None:
    pop = _isolated(N, seed=12)
    ids = np.repeat(np.arange(N), 3)[::-1].copy()  # unsorted on purpose
    pop.end_of_day(0, ids, np.full(ids.size, -1, dtype=np.int8))
    _within_4se(float(np.mean(pop.state == LOST_SERVICE)), 0.59, N)
    assert np.all(pop.bad_count == 3)


def test_forgetting_restarts_the_count() -> None:
    # A strong forgetting rate brings every count below 1 overnight: each bad issue is
    # a "first" one again, so 3 days give 1 - 0.83^3 instead of 0.59.
    pop = _isolated(N, seed=13, forgetting=5.0)
    ids = np.arange(N)
    for day in range(3):
        pop.end_of_day(day, ids, np.full(N, -1, dtype=np.int8))
    _within_4se(float(np.mean(pop.state == LOST_SERVICE)), 1 - 0.83**3, N)
