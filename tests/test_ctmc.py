"""The test utility tests/ctmc.py (the multi-skill Markov chain) checked against exact
formulas it does not share code with: Erlang C and A (one type, one group), Cobham's
non-pre-emptive priority formula, and full cross-training = one pool."""

from __future__ import annotations

import math

import pytest
from ctmc import Design, service_level, solve

from sim.theory import analytic


def test_one_type_one_group_is_erlang_c_and_a() -> None:
    lam, h, n, t = 4 / 60, 60.0, 5, 20.0
    c = analytic.erlang_c(lam, h, n)
    d = Design(arrival=(lam,), agents=(n,), rank=((0,),), service=((1 / h,),), cap=120)
    s = solve(d)
    assert s.p_full < 1e-9
    assert s.p_wait[0] == pytest.approx(c.p_wait, rel=1e-7)
    assert s.mean_wait_s[0] == pytest.approx(c.mean_wait_s, rel=1e-6)
    assert s.occupancy[0] == pytest.approx(lam * h / n, rel=1e-7)
    assert service_level(d, s, 0, t) == pytest.approx(c.service_level(t), rel=1e-6)
    patience = 120.0
    a = analytic.erlang_a(lam * 1.2, h, n, patience)
    d = Design(arrival=(lam * 1.2,), agents=(n,), rank=((0,),), service=((1 / h,),),
               patience=(1 / patience,), cap=80)  # fmt: skip
    s = solve(d)
    assert s.p_full < 1e-12
    assert s.p_wait[0] == pytest.approx(a.p_wait, rel=1e-6)
    assert s.abandon_rate[0] == pytest.approx(a.p_abandon, rel=1e-6)
    assert service_level(d, s, 0, t) == pytest.approx(a.service_level(t), rel=1e-5)


def test_priorities_follow_cobham() -> None:
    """Two types on one pool, equal exponential service, type 0 first (no pre-emption):
    W_k = (P(wait) / (n mu)) / ((1 - s_{k-1}) (1 - s_k)), s_k = sum_{j<=k} lam_j/(n mu)."""
    lam, mu, n = (0.025, 0.033), 1 / 60, 5  # load 0.70
    d = Design(arrival=lam, agents=(n,), rank=((0, 0),), service=((mu, mu),),
               priority=(0, 1), cap=80)  # fmt: skip
    s = solve(d)
    assert s.p_full < 1e-9
    c = analytic.erlang_c(sum(lam), 1 / mu, n)
    sigma = [0.0, lam[0] / (n * mu), sum(lam) / (n * mu)]
    for k in range(2):
        cobham = (c.p_wait / (n * mu)) / ((1 - sigma[k]) * (1 - sigma[k + 1]))
        assert s.mean_wait_s[k] == pytest.approx(cobham, rel=1e-5)
    assert s.p_wait == pytest.approx([c.p_wait, c.p_wait], rel=1e-7)


def _finite_pool(lam: float, mu: float, n: int, cap: int, t: float) -> tuple[float, ...]:
    """M/M/n with ``cap`` waiting places, FCFS, by its birth-death chain: P(all busy),
    mean wait of all offered calls, P(answered within t) of all offered."""
    weights = [1.0]
    for m in range(1, n + cap + 1):
        weights.append(weights[-1] * lam / (min(m, n) * mu))
    total = sum(weights)
    pi = [w / total for w in weights]
    p_busy = sum(pi[n:])
    mean_queue = sum((m - n) * pi[m] for m in range(n, n + cap + 1))
    rate = n * mu  # a waiting call with j ahead waits Erlang(j + 1, n mu)
    answered = sum(pi[:n]) + sum(
        pi[n + j] * (1 - sum(math.exp(-rate * t) * (rate * t) ** i / math.factorial(i)
                             for i in range(j + 1)))
        for j in range(cap)
    )  # fmt: skip
    return p_busy, mean_queue / lam, answered


def test_full_cross_training_is_one_pool() -> None:
    """Two types, two groups with both skills, equal service, FCFS across types: the
    number of busy agents is one pool's chain with n0 + n1 agents. The waiting room is
    small (8: the full order of two types is kept), so the reference is the same pool
    with 8 waiting places."""
    lam, mu, cap, t = (0.03, 0.02), 1 / 60, 8, 20.0
    d = Design(arrival=lam, agents=(2, 2), rank=((0, 1), (1, 0)),
               service=((mu, mu), (mu, mu)), cap=cap)  # fmt: skip
    s = solve(d)
    p_busy, mean_wait, answered = _finite_pool(sum(lam), mu, 4, cap, t)
    assert s.p_wait == pytest.approx([p_busy, p_busy], rel=1e-7)
    assert s.mean_wait_s == pytest.approx([mean_wait, mean_wait], rel=1e-6)
    for k in range(2):
        assert service_level(d, s, k, t) == pytest.approx(answered, rel=1e-6)


def test_separate_pools_are_two_erlang_cs() -> None:
    lam, mu = (0.03, 0.02), 1 / 60
    d = Design(arrival=lam, agents=(3, 2), rank=((0, None), (None, 0)),
               service=((mu, 0.0), (0.0, mu)), priority=(0, 1), cap=60)  # fmt: skip
    s = solve(d)
    for k, n in enumerate((3, 2)):
        c = analytic.erlang_c(lam[k], 1 / mu, n)
        assert s.p_wait[k] == pytest.approx(c.p_wait, rel=1e-6)
        assert s.occupancy[k] == pytest.approx(lam[k] / (n * mu), rel=1e-6)
        t = 20.0
        assert service_level(d, s, k, t) == pytest.approx(c.service_level(t), rel=1e-5)
    assert s.p_full < 1e-9


def test_ties_between_groups_are_refused() -> None:
    d = Design(arrival=(0.01,), agents=(1, 1), rank=((0,), (0,)), service=((0.1,), (0.1,)))
    with pytest.raises(ValueError, match="tie"):
        solve(d)
