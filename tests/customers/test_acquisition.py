"""Acquisition: the Bass rule, its difference equation, and word-of-mouth effects."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.rng import Streams
from sim.core.schema import AcquisitionConfig, CustomersConfig
from sim.customers.acquisition import BassAdoption
from sim.customers.population import ACTIVE, Population

M, N0, DAYS = 200_000, 10_000, 100
P_YEAR, Q_YEAR = 0.5, 3.0  # fast diffusion, so 100 days show the S-curve taking off


def test_rule_formula() -> None:
    bass = BassAdoption.from_config(
        AcquisitionConfig(
            innovation_per_year=0.365,
            imitation_per_year=3.65,
            positive_effect=0.5,
            negative_effect=1.0,
        )
    )
    assert bass.p_daily == pytest.approx(0.001) and bass.q_daily == pytest.approx(0.01)
    base = 0.001 + 0.01 * 50 / 100
    prob = bass.probability(50, 100, [0.0, 2.0, 0.0, 20.0], [0.0, 0.0, 1.0, 0.0])
    assert prob == pytest.approx([base, base * math.e, base / math.e, 1.0])  # capped at 1
    assert not bass.adopt(50, 100, [0.0], [0.0], [base]).any()  # u < prob, strictly
    with pytest.raises(ValueError):
        BassAdoption(p_daily=-1.0, q_daily=0.0)


def _bass_population(seed: int, pos: float = 0.0, neg: float = 0.0) -> Population:
    cfg = CustomersConfig(initial=N0, market_size=M)
    cfg.churn.background_per_year = 0.0
    cfg.acquisition = AcquisitionConfig(P_YEAR, Q_YEAR, positive_effect=pos, negative_effect=neg)
    return Population(cfg, Streams(seed))


def test_adopters_follow_the_bass_difference_equation() -> None:
    pop = _bass_population(seed=5)
    none = np.array([], dtype=np.int64)
    for day in range(DAYS):
        pop.end_of_day(day, none, none.astype(np.int8))
    table = pop.days_table()
    n = table["active_start"].to_numpy(dtype=float)
    new = table["new_customers"].to_numpy(dtype=float)
    assert np.all(table["active_end"] == n + new)
    p, q = P_YEAR / 365, Q_YEAR / 365
    hazard = p + q * n / M
    # (1) Conditional on the day's start, new adopters are Binomial(M - N, p + qN/M):
    # the summed deviations from that expectation form a martingale whose variance is
    # the summed binomial variances, so the z-score is standard normal; |z| < 4.
    expected = hazard * (M - n)
    z = (new - expected).sum() / math.sqrt((expected * (1 - hazard)).sum())
    assert abs(z) < 4, z
    # (2) The whole path vs the deterministic recursion N(t+1) = N(t) + (p + qN/M)(M - N).
    # Its SE by the delta method: Var(t+1) = (1 + f'(N))^2 Var(t) + binomial variance,
    # f(N) = (p + qN/M)(M - N), f'(N) = q(M - N)/M - p - qN/M.
    det, var = float(N0), 0.0
    for _ in range(DAYS):
        h = p + q * det / M
        slope = q * (M - det) / M - p - q * det / M
        var = (1 + slope) ** 2 * var + h * (1 - h) * (M - det)
        det += h * (M - det)
    final = float(table["active_end"].iloc[-1])
    assert final > 2 * N0  # the diffusion really happened
    assert abs(final - det) < 4 * math.sqrt(var), (final, det, math.sqrt(var))


def test_word_of_mouth_moves_adoption_the_right_way() -> None:
    # Every prospect holds 2 positive and 1 negative message; with effects on, adoption
    # is multiplied by exp(2 pos - neg). "good" (multiplier e^2 > 2) takes the per-person
    # path of the thinning, "neutral" and "bad" the sparse candidates (sim.customers).
    none = np.array([], dtype=np.int64)
    adopters = {}
    p, q = P_YEAR / 365, Q_YEAR / 365
    base = p + q * N0 / M
    for name, pos, neg in (("neutral", 0.0, 0.0), ("good", 1.0, 0.0), ("bad", 0.0, 1.0)):
        pop = _bass_population(seed=6, pos=pos, neg=neg)
        pop.set_messages(slice(N0, None), pos=2.0, neg=1.0)
        pop.end_of_day(0, none, none.astype(np.int8))
        adopters[name] = int(np.count_nonzero(pop.state[N0:] == ACTIVE))
        # Each count is Binomial(M - N0, base * exp(2 pos - neg)): within 4 SE.
        prob = base * math.exp(2 * pos - neg)
        se = math.sqrt((M - N0) * prob * (1 - prob))
        assert abs(adopters[name] - (M - N0) * prob) < 4 * se, name
    # expected 125 / 338 / 2,500, SE 11 / 18 / 50: the order cannot come out otherwise
    assert adopters["bad"] < adopters["neutral"] < adopters["good"]
