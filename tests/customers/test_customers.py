"""Population: the daily customer-journey step (churn, word of mouth, Bass, decay)."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from sim.core.rng import Streams
from sim.core.schema import CustomersConfig
from sim.customers.population import (
    ACTIVE,
    DAY_COLUMNS,
    LOST_BACKGROUND,
    LOST_SERVICE,
    LOST_WOM,
    PROSPECT,
    Population,
)

NONE = np.array([], dtype=np.int64)
NO_MEMORY = np.array([], dtype=np.int8)


def _quiet(cfg: CustomersConfig) -> CustomersConfig:
    """Switch off every mechanism; tests switch on the one they look at."""
    cfg.churn.after_one = cfg.churn.after_several = 0.0
    cfg.churn.background_per_year = 0.0
    cfg.wom.tell_bad = cfg.wom.tell_good = 0.0
    cfg.acquisition.innovation_per_year = cfg.acquisition.imitation_per_year = 0.0
    return cfg


def test_initial_state() -> None:
    cfg = CustomersConfig(initial=3000, market_size=5000, initial_tenure_max_days=10)
    pop = Population(cfg, Streams(1))
    assert pop.n_active == 3000 and np.all(pop.active_ids() == np.arange(3000))
    assert np.all(pop.state[:3000] == ACTIVE) and np.all(pop.state[3000:] == PROSPECT)
    tenure = -pop.join_day[:3000]
    assert tenure.min() == 0 and tenure.max() == 10  # uniform integers on [0, 10]
    assert np.all(pop.join_day[3000:] == 0)
    assert pop.days_table().columns.tolist() == list(DAY_COLUMNS)
    with pytest.raises(ValueError):
        Population(CustomersConfig(initial=10, market_size=5), Streams(1))


def test_pick_is_uniform_among_active() -> None:
    pop = Population(_quiet(CustomersConfig(initial=100, market_size=1000)), Streams(2))
    pop.state[:50] = LOST_SERVICE
    pop.recount()  # the test changed states behind the population's back
    ids = pop.pick(100_000)
    assert ids.dtype == np.int64 and ids.min() == 50 and ids.max() == 99
    counts = np.bincount(ids - 50, minlength=50)
    # Multinomial cells of mean 2000, SE sqrt(2000 * 49/50) = 44: all within 5 SE.
    assert np.all(np.abs(counts - 2000) < 5 * 44)
    assert pop.pick(0).size == 0
    pop.state[:] = PROSPECT
    pop.recount()
    with pytest.raises(ValueError):
        pop.pick(1)


def test_revenue_and_lifetime_value_by_hand() -> None:
    cfg = _quiet(CustomersConfig(initial=4, market_size=6, value_per_day=2.0))
    cfg.tenure_uplift, cfg.loyal_after_days = 0.5, 10
    cfg.churn.background_per_year = 0.10
    pop = Population(cfg, Streams(3))
    pop.join_day[:4] = [0, -5, -10, -20]  # tenures on day 0: 0, 5, 10, 20
    pop.recount()
    assert pop.revenue_today(0) == pytest.approx(2.0 * 2 + 3.0 * 2)
    assert pop.revenue_today(5) == pytest.approx(2.0 * 1 + 3.0 * 3)
    ltv = pop.lifetime_value(0)
    assert ltv == pytest.approx(2.5 / (1 - 0.9 ** (1 / 365)))  # ~ 2.5 * 3,464 days
    pop.end_of_day(0, NONE, NO_MEMORY)
    assert pop.days_table()["revenue"].iloc[0] == pytest.approx(10.0)


def test_background_churn_matches_the_yearly_share() -> None:
    n = 100_000
    cfg = _quiet(CustomersConfig(initial=n, market_size=n))
    cfg.churn.background_per_year = 0.10
    pop = Population(cfg, Streams(4))
    for day in range(365):
        pop.end_of_day(day, NONE, NO_MEMORY)
    share = float(np.mean(pop.state == LOST_BACKGROUND))
    # Each customer leaves within the year w.p. 0.10 independently: SE sqrt(.1*.9/n).
    assert abs(share - 0.10) < 4 * math.sqrt(0.1 * 0.9 / n), share
    assert pop.days_table()["lost_background"].sum() == n - pop.n_active


def test_word_of_mouth_reaches_the_market_and_negative_messages_churn() -> None:
    m, p = 100_000, 0.05
    cfg = _quiet(CustomersConfig(initial=m, market_size=m))
    cfg.wom.tell_bad, cfg.wom.tell_good = 1.0, 1.0
    cfg.wom.listeners_bad_mean, cfg.wom.listeners_good_mean = 10.0, 4.0
    cfg.churn.per_negative_message = p
    pop = Population(cfg, Streams(5))
    customer = np.arange(2000)
    memory = np.repeat(np.array([-1, 0, 1], dtype=np.int8), [1000, 500, 500])
    pop.end_of_day(0, customer, memory)
    row = pop.days_table().iloc[0]
    assert (row.issues_bad, row.issues_neutral, row.issues_good) == (1000, 500, 500)
    assert row.tellers_bad == 1000 and row.tellers_good == 500
    fade = math.exp(-1 / 90)
    assert pop.neg_held.sum(dtype=np.float64) == pytest.approx(row.messages_bad * fade, rel=1e-5)
    assert pop.pos_held.sum(dtype=np.float64) == pytest.approx(row.messages_good * fade, rel=1e-5)
    # A person hit by c of the n messages leaves w.p. 1 - (1-p)^c; messages land
    # uniformly, so E[lost] = m (1 - (1 - p/m)^n). The count is a sum of nearly
    # independent rare Bernoullis: SE ~ sqrt(E[lost]); 4 SE.
    expected = m * (1 - (1 - p / m) ** row.messages_bad)
    assert abs(row.lost_wom - expected) < 4 * math.sqrt(expected), (row.lost_wom, expected)
    assert np.sum(pop.state == LOST_WOM) == row.lost_wom
    assert row.active_end == m - row.lost_wom


def test_only_active_customers_leave_and_order_of_steps() -> None:
    cfg = _quiet(CustomersConfig(initial=100, market_size=200))
    cfg.churn.after_one = cfg.churn.after_several = 1.0  # every bad issue is the last
    pop = Population(cfg, Streams(6))
    pop.end_of_day(0, np.array([0, 0, 150]), np.array([-1, -1, -1], dtype=np.int8))
    assert pop.state[0] == LOST_SERVICE and pop.state[150] == PROSPECT  # prospects stay
    pop.end_of_day(1, np.array([0]), np.array([-1], dtype=np.int8))  # lost: no double count
    assert pop.days_table()["lost_service"].tolist() == [1, 0]


def _busy(seed: int, m: int = 20_000) -> Population:
    cfg = CustomersConfig(initial=m // 4, market_size=m)
    cfg.churn.forgetting_per_day, cfg.churn.per_negative_message = 0.01, 0.01
    cfg.wom.retell_bad, cfg.wom.retell_good = 0.2, 0.1
    pop = Population(cfg, Streams(seed))
    mems = np.random.default_rng(0)  # the test's own issue outcomes
    for day in range(5):
        ids = pop.pick(500)
        pop.end_of_day(day, ids, mems.choice(np.array([-1, 0, 1], dtype=np.int8), ids.size))
    return pop


def test_reproducible() -> None:
    a, b, c = _busy(7), _busy(7), _busy(8)
    for name in ("state", "join_day", "bad_count", "pos_held", "neg_held"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.days_table().equals(b.days_table())
    assert not np.array_equal(a.state, c.state)
    table = a.days_table()
    flows = table.new_customers - table.lost_service - table.lost_wom - table.lost_background
    assert np.all(table.active_end == table.active_start + flows)
    assert np.all(table.active_start.iloc[1:].to_numpy() == table.active_end.iloc[:-1].to_numpy())


def test_a_million_people_one_day() -> None:
    # Runs the full daily step at 1,000,000 people (measured ~0.05 s; no timing assert).
    cfg = CustomersConfig(initial=250_000, market_size=1_000_000)
    cfg.churn.per_negative_message = 0.01
    pop = Population(cfg, Streams(9))
    ids = pop.pick(12_000)
    memory = np.random.default_rng(1).choice(np.array([-1, 0, 1], dtype=np.int8), ids.size)
    start = time.perf_counter()
    pop.end_of_day(0, ids, memory)
    elapsed = time.perf_counter() - start
    row = pop.days_table().iloc[0]
    assert row.active_start == 250_000 and row.new_customers > 0 and row.lost_service > 0
    assert elapsed >= 0.0
