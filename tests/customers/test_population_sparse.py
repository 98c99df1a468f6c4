"""The population's per-event draws have the laws of the per-person draws they replace.

``sim.bernoulli.bernoulli_successes`` (geometric gaps) against the law of ``n``
Bernoulli trials; the acquisition's thinning against the exact per-prospect
probabilities; and the whole daily step against a reference written the old way (one
uniform per person of the market per day for background churn and acquisition),
compared on the statistics of the days table over replications.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.bernoulli import DENSE_P, bernoulli_successes, geometric
from sim.core.rng import Streams
from sim.core.schema import AcquisitionConfig, CustomersConfig
from sim.customers.population import (
    ACTIVE,
    LOG_BOUND,
    LOST_BACKGROUND,
    PROSPECT,
    Population,
)

NONE = np.array([], dtype=np.int64)


@pytest.mark.parametrize("p", [0.001, 0.02, DENSE_P, 0.3])
def test_bernoulli_successes_have_the_binomial_law(p: float) -> None:
    # 400 draws of n trials: the count is Binomial(n, p); its mean over 400 draws has
    # SE sqrt(n p (1 - p) / 400); the sample variance of 400 counts has relative SE
    # ~ sqrt(2 / 399) = 0.07 (near-normal counts): 4 SE each. Positions: every success
    # falls in one of 10 equal bins with probability 1/10 (uniform): chi-square, 9 df,
    # 99.99% quantile 33.7.
    n, reps = 20_000, 400
    rng = np.random.default_rng(1)
    draws = [bernoulli_successes(rng, n, p) for _ in range(reps)]
    counts = np.array([d.size for d in draws], dtype=float)
    mean, var = n * p, n * p * (1 - p)
    assert abs(counts.mean() - mean) < 4 * math.sqrt(var / reps)
    assert abs(counts.var(ddof=1) / var - 1) < 4 * math.sqrt(2 / (reps - 1))
    every = np.concatenate(draws)
    assert every.min() >= 0 and every.max() < n
    assert all(np.all(np.diff(d) > 0) for d in draws)  # ascending, distinct
    bins = np.bincount(every * 10 // n, minlength=10)
    expected = every.size / 10
    assert ((bins - expected) ** 2 / expected).sum() < 33.7


def test_bernoulli_successes_edges() -> None:
    rng = np.random.default_rng(2)
    assert bernoulli_successes(rng, 0, 0.5).size == 0
    assert bernoulli_successes(rng, 100, 0.0).size == 0
    assert np.array_equal(bernoulli_successes(rng, 100, 1.0), np.arange(100))
    with pytest.raises(ValueError):
        bernoulli_successes(rng, 10, 1.5)
    with pytest.raises(ValueError):
        bernoulli_successes(rng, -1, 0.5)


@pytest.mark.parametrize("p", [1e-12, 2.9e-4, 1e-3, 1 / 12.77, 1 / 6.64, 0.333, 1 / 3, 0.5, 1.0])
def test_geometric_draws_the_numbers_of_numpy(p: float) -> None:
    """``geometric`` is ``Generator.geometric`` made cheaper: the same variates, in the
    same order, and the generator left in the same state (so every later draw of the
    stream is unchanged too)."""
    for seed, size in ((1, 0), (2, 1), (3, 50_000)):
        ours, numpy = np.random.default_rng(seed), np.random.default_rng(seed)
        got = geometric(ours, p, size)
        assert got.dtype == np.int64
        assert np.array_equal(got, numpy.geometric(p, size=size))
        assert ours.random() == numpy.random()
    with pytest.raises(ValueError):
        geometric(np.random.default_rng(0), 0.0, 3)


def test_geometric_caps_like_numpy() -> None:
    """Below ``p ~ 1e-19`` a variate may pass ``INT64_MAX``: numpy returns the cap."""
    ours, numpy = np.random.default_rng(9), np.random.default_rng(9)
    got = geometric(ours, 1e-300, 1000)
    assert np.array_equal(got, numpy.geometric(1e-300, size=1000))
    assert got.max() == np.iinfo(np.int64).max


def test_strong_set_stays_the_prospects_above_the_bound() -> None:
    """The strong set kept day by day (listeners added, adopters dropped, filtered in
    the acquisition step) is exactly the set a market-sized recount finds, before and
    after the lazy decay's rescale of the messages; and a candidate prospect is in it
    iff its multiplier is above the bound (what the acquisition step relies on)."""
    cfg = CustomersConfig(initial=2_000, market_size=20_000)
    cfg.acquisition = AcquisitionConfig(1.0, 2.0, positive_effect=0.5, negative_effect=1.0)
    cfg.wom.tell_good, cfg.wom.listeners_good_mean = 1.0, 30.0  # many strong prospects
    cfg.wom.memory_days = 2.0  # the messages' scale passes 2**-64 on day 89
    pop = Population(cfg, Streams(13))
    mems = np.random.default_rng(4)
    sizes = []
    for day in range(95):
        ids = pop.pick(300)
        pop.end_of_day(day, ids, mems.choice(np.array([-1, 0, 1], dtype=np.int8), ids.size))
        kept = pop._strong.copy()
        fresh = kept[pop._log_multiplier(kept) > LOG_BOUND]  # as _acquire filters it
        pop.recount()
        assert np.array_equal(fresh, pop._strong), day
        assert np.all(pop.state[kept] == PROSPECT)
        sizes.append(fresh.size)
    assert np.median(sizes) > 30 and max(sizes) > 100, sizes  # the set was busy
    assert pop._msg_scale > 2.0**-60  # and the messages were rescaled on the way


def test_thinning_gives_each_prospect_its_own_probability() -> None:
    # Three groups of prospects by messages held: none (P = base), 1 negative
    # (P = base / e, sparse path), 3 positive (P = base e^1.5 > 2 base: per-person
    # path). Over 40 seeds each group's adopters are Binomial(40 x size, P): 4 SE.
    m, n0, seeds = 60_000, 6_000, 40
    p, q = 2.0 / 365, 6.0 / 365
    base = p + q * n0 / m
    groups = {"none": (slice(n0, 24_000), 0.0, 0.0), "neg": (slice(24_000, 42_000), 0.0, 1.0),
              "pos": (slice(42_000, m), 3.0, 0.0)}  # fmt: skip
    adopted = dict.fromkeys(groups, 0)
    for seed in range(seeds):
        cfg = CustomersConfig(initial=n0, market_size=m)
        cfg.churn.background_per_year = 0.0
        cfg.acquisition = AcquisitionConfig(p * 365, q * 365, positive_effect=0.5,
                                            negative_effect=1.0)  # fmt: skip
        pop = Population(cfg, Streams(seed))
        for ids, pos, neg in groups.values():
            pop.set_messages(ids, pos=pos, neg=neg)
        pop.end_of_day(0, NONE, NONE.astype(np.int8))
        for name, (ids, _, _) in groups.items():
            adopted[name] += int(np.count_nonzero(pop.state[ids] == ACTIVE))
    for name, (ids, pos, neg) in groups.items():
        size = seeds * (ids.stop - ids.start)
        prob = min(1.0, base * math.exp(0.5 * pos - 1.0 * neg))
        se = math.sqrt(size * prob * (1 - prob))
        assert abs(adopted[name] - size * prob) < 4 * se, (name, adopted[name], size * prob)


def _reference_day(
    state: np.ndarray, pos: np.ndarray, neg: np.ndarray, cfg: CustomersConfig,
    rng: np.random.Generator,
) -> tuple[int, int]:  # fmt: skip
    """Steps c-e the old way: one uniform per person for churn, one for adoption."""
    from sim.customers.acquisition import BassAdoption
    from sim.customers.churn import ChurnLaw

    hazard = ChurnLaw.from_config(cfg.churn).background_daily
    leave = (rng.random(state.size) < hazard) & (state == ACTIVE)
    state[leave] = LOST_BACKGROUND
    bass = BassAdoption.from_config(cfg.acquisition)
    prospects = np.flatnonzero(state == PROSPECT)
    n_active = int(np.count_nonzero(state == ACTIVE))
    u = rng.random(state.size)[prospects]
    adopt = prospects[bass.adopt(n_active, state.size, pos[prospects], neg[prospects], u)]
    state[adopt] = ACTIVE
    fade = math.exp(-1.0 / cfg.wom.memory_days)
    pos *= fade
    neg *= fade
    return int(leave.sum()), int(adopt.size)


def test_daily_step_matches_the_per_person_reference() -> None:
    # The same market run 30 days by Population (sparse draws) and by the per-person
    # reference, 24 replications each, with messages held: positive on a tenth of the
    # market (some above the thinning bound), negative on another tenth. Statistic:
    # total new customers and total background losses per replication; the difference
    # of the two means over 24 independent replications each is within 4 SE (SE from
    # the two sample variances). No word of mouth or service churn (no issues).
    m, n0, days, reps = 40_000, 10_000, 30, 24
    cfg = CustomersConfig(initial=n0, market_size=m)
    cfg.churn.background_per_year = 0.5  # strong, to have counts worth comparing
    cfg.acquisition = AcquisitionConfig(1.0, 4.0, positive_effect=0.5, negative_effect=1.0)
    pos0 = np.zeros(m, np.float32)
    neg0 = np.zeros(m, np.float32)
    pos0[10_000:14_000] = np.linspace(0.0, 4.0, 4_000)
    neg0[20_000:24_000] = 1.0
    new, ref = [], []
    for r in range(reps):
        pop = Population(cfg, Streams(100, r))
        pop._pos[:], pop._neg[:] = pos0, neg0
        pop.recount()
        for day in range(days):
            pop.end_of_day(day, NONE, NONE.astype(np.int8))
        t = pop.days_table()
        new.append((t.new_customers.sum(), t.lost_background.sum()))
        state = np.zeros(m, np.int8)
        state[:n0] = ACTIVE
        pos, neg = pos0.copy(), neg0.copy()
        rng = np.random.default_rng([200, r])
        totals = np.array([_reference_day(state, pos, neg, cfg, rng) for _ in range(days)])
        ref.append((totals[:, 1].sum(), totals[:, 0].sum()))
    a, b = np.array(new, float), np.array(ref, float)
    se = np.sqrt(a.var(axis=0, ddof=1) / reps + b.var(axis=0, ddof=1) / reps)
    diff = a.mean(axis=0) - b.mean(axis=0)
    assert np.all(np.abs(diff) < 4 * se), (a.mean(axis=0), b.mean(axis=0), se)
    assert a[:, 0].mean() > 1_000 and a[:, 1].mean() > 100  # both mechanisms at work


def test_lazy_decay_and_counters_agree_with_the_arrays() -> None:
    cfg = CustomersConfig(initial=5_000, market_size=20_000)
    cfg.churn.forgetting_per_day = 0.3
    pop = Population(cfg, Streams(11))
    mems = np.random.default_rng(3)
    for day in range(40):
        ids = pop.pick(800)
        pop.end_of_day(day, ids, mems.choice(np.array([-1, 0, 1], dtype=np.int8), ids.size))
    assert pop.n_active == np.count_nonzero(pop.state == ACTIVE)
    tenure = 39 + 1 - pop.join_day[pop.state == ACTIVE]  # the revenue of day 40
    loyal = np.count_nonzero(tenure >= cfg.loyal_after_days)
    expected = cfg.value_per_day * (tenure.size + cfg.tenure_uplift * loyal)
    assert pop.revenue_today(40) == pytest.approx(expected)
    # messages held: every message heard, faded by its age (no message lost or doubled)
    table = pop.days_table()
    fade = math.exp(-1 / cfg.wom.memory_days)
    ages = 40 - table.day.to_numpy()
    held = (table.messages_bad.to_numpy() * fade**ages).sum()
    assert pop.neg_held.sum(dtype=np.float64) == pytest.approx(held, rel=1e-4)
    bad = (table.issues_bad.to_numpy() * np.exp(-0.3 * ages)).sum()
    assert pop.bad_count.sum(dtype=np.float64) == pytest.approx(bad, rel=1e-4)


def test_released_people_keep_the_counters() -> None:
    cfg = CustomersConfig(initial=1_000, market_size=4_000)
    pop = Population(cfg, Streams(12))
    pop.end_of_day(0, pop.pick(50), np.zeros(50, dtype=np.int8))
    before = (pop.n_active, pop.revenue_today(1), pop.lifetime_value(1))
    pop.release_people()
    assert pop.state.size == 0
    assert (pop.n_active, pop.revenue_today(1), pop.lifetime_value(1)) == before
    assert len(pop.days_table()) == 1
    with pytest.raises(RuntimeError):
        pop.pick(1)
    with pytest.raises(RuntimeError):
        pop.end_of_day(1, NONE, NONE.astype(np.int8))


@pytest.mark.parametrize(("initial", "market", "tenure"), [(0, 10, 30), (7, 7, 0), (500, 2000, 90)])
def test_initial_counters_equal_a_recount(initial: int, market: int, tenure: int) -> None:
    """The counters set at construction (without scanning the market) are the ones
    :meth:`Population.recount` builds from the arrays."""
    cfg = CustomersConfig(initial=initial, market_size=market, initial_tenure_max_days=tenure)
    pop = Population(cfg, Streams(5))
    built = (pop.n_active, pop._offset, pop._joined.copy(), pop._strong.copy())
    pop.recount()
    assert built[:2] == (pop.n_active, pop._offset)
    assert np.array_equal(built[2], pop._joined) and built[2].dtype == pop._joined.dtype
    assert np.array_equal(built[3], pop._strong)
