"""Tests of sim.theory.analytic: closed forms, two independent derivations agreeing, identities."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import logsumexp

from sim.theory.analytic import (
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_agents,
    halfin_whitt_beta,
    mmng,
    sqrt_staffing,
)

REL = 1e-9
FIELDS = ("p_wait", "p_abandon", "p_answered", "mean_wait_s", "occupancy", "mean_queue")


# ----------------------------------------------------------------- self-contained patience laws
class Exponential:
    breakpoints: tuple[float, ...] = ()

    def __init__(self, mean_s: float) -> None:
        self.mean = mean_s

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return -np.expm1(-x / self.mean)

    def sf(self, x: np.ndarray) -> np.ndarray:
        return np.exp(-x / self.mean)

    def truncated_mean(self, x: np.ndarray) -> np.ndarray:
        return -self.mean * np.expm1(-x / self.mean)


class Never:
    breakpoints: tuple[float, ...] = ()
    mean = math.inf

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.zeros_like(x)

    def sf(self, x: np.ndarray) -> np.ndarray:
        return np.ones_like(x)

    def truncated_mean(self, x: np.ndarray) -> np.ndarray:
        return np.array(x, dtype=float)


class Deterministic:
    def __init__(self, value_s: float) -> None:
        self.d = value_s
        self.mean = value_s
        self.breakpoints = (value_s,)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return (x >= self.d).astype(float)

    def sf(self, x: np.ndarray) -> np.ndarray:
        return (x < self.d).astype(float)

    def truncated_mean(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(x, self.d)


class Uniform:
    """Uniform on [0, T] (a one-bin histogram)."""

    def __init__(self, top_s: float) -> None:
        self.top = top_s
        self.mean = top_s / 2
        self.breakpoints = (top_s,)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.clip(x / self.top, 0.0, 1.0)

    def sf(self, x: np.ndarray) -> np.ndarray:
        return 1.0 - self.cdf(x)

    def truncated_mean(self, x: np.ndarray) -> np.ndarray:
        y = np.minimum(x, self.top)
        return y - y * y / (2 * self.top)


class ZeroOrExp:
    """tau = 0 with probability p (atom at zero), else exponential; or inf (p_inf)."""

    def __init__(self, p_zero: float, mean_s: float, p_inf: float = 0.0) -> None:
        self.p0, self.m, self.pinf = p_zero, mean_s, p_inf
        self.mean = math.inf if p_inf > 0 else (1 - p_zero) * mean_s
        self.breakpoints: tuple[float, ...] = ()

    def sf(self, x: np.ndarray) -> np.ndarray:
        rest = 1 - self.p0 - self.pinf
        with np.errstate(invalid="ignore"):
            return self.pinf + rest * np.exp(-x / self.m)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return 1.0 - self.sf(x)

    def truncated_mean(self, x: np.ndarray) -> np.ndarray:
        return self.pinf * x - (1 - self.p0 - self.pinf) * self.m * np.expm1(-x / self.m)


def rel_close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)


def assert_fields_close(x: object, y: object, fields: tuple[str, ...] = FIELDS) -> None:
    for f in fields:
        assert rel_close(getattr(x, f), getattr(y, f)), (f, getattr(x, f), getattr(y, f))


def assert_identities(r: object) -> None:
    lam, h, n = r.arrival_rate, r.mean_handle_s, r.agents  # type: ignore[attr-defined]
    assert rel_close(r.p_answered + r.p_abandon, 1.0, 1e-12)  # type: ignore[attr-defined]
    assert rel_close(r.mean_queue, lam * r.mean_wait_s, 1e-12)  # type: ignore[attr-defined]
    assert rel_close(r.occupancy, lam * r.p_answered * h / n, 1e-12)  # type: ignore[attr-defined]
    assert 0.0 <= r.p_wait <= 1.0 and 0.0 <= r.occupancy <= 1.0  # type: ignore[attr-defined]


# ----------------------------------------------------------------- Erlang B
def test_erlang_b_exact_small() -> None:
    def exact(n: int, a: int) -> Fraction:
        terms = [Fraction(a**j, math.factorial(j)) for j in range(n + 1)]
        return terms[-1] / sum(terms)

    assert math.isclose(erlang_b(10, 5), 0.018384570336648, rel_tol=1e-12)
    for n, a in [(1, 1), (3, 2), (10, 5), (20, 17), (40, 50)]:
        assert rel_close(erlang_b(n, a), float(exact(n, a)), 1e-12)


def test_erlang_b_matches_recursion_and_large_n() -> None:
    for n, a in [(5, 0.3), (100, 90.5), (500, 480.0), (1000, 1200.0)]:
        b = 1.0
        for k in range(1, n + 1):
            b = a * b / (k + a * b)
        assert rel_close(erlang_b(n, a), b, 1e-11)
    b500 = erlang_b(500, 480.0)
    assert math.isfinite(b500) and 0.0 < b500 < 1.0
    assert 0.0 <= erlang_b(2000, 10.0) < 1e-300  # underflows gracefully, no error


# ----------------------------------------------------------------- Erlang C
def test_erlang_c_textbook_example() -> None:
    lam = 100 / 1800  # 100 calls per 30 minutes, handle 180 s -> 10 Erlangs
    assert erlang_c_agents(lam, 180.0, 0.8, 20.0) == 14
    r = erlang_c(lam, 180.0, 14)
    assert math.isclose(r.p_wait, 0.17413, abs_tol=1e-5)
    assert math.isclose(r.service_level(20.0), 0.88835, abs_tol=1e-5)
    assert math.isclose(r.occupancy, 10 / 14, rel_tol=1e-15)
    assert rel_close(r.mean_wait_s, r.p_wait / (14 / 180 - lam), 1e-14)
    assert r.asa_s == r.mean_wait_s
    assert erlang_c(lam, 180.0, 13).service_level(20.0) < 0.8
    # C = n B / (n - a (1 - B))
    b = erlang_b(14, 10.0)
    assert rel_close(r.p_wait, 14 * b / (14 - 10 * (1 - b)), 1e-12)


@pytest.mark.parametrize(("n", "load"), [(1, 0.5), (1, 0.95), (14, 0.714), (1000, 0.99)])
def test_erlang_c_equals_mmng_with_infinite_patience(n: int, load: float) -> None:
    lam = load * n / 180.0
    c, g = erlang_c(lam, 180.0, n), mmng(lam, 180.0, n, Never())
    for f in ("p_wait", "asa_s", "mean_wait_s", "occupancy", "mean_queue"):
        assert rel_close(getattr(c, f), getattr(g, f)), f
    assert g.p_abandon == 0.0 and g.p_answered == pytest.approx(1.0, abs=1e-12)
    for t in (0.0, 5.0, 20.0, 200.0):
        assert rel_close(c.service_level(t), g.service_level(t))
    assert_identities(g)


def test_unstable_and_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(1.0, 10.0, 10)
    with pytest.raises(ValueError, match="unstable"):
        mmng(1.0, 10.0, 10, Never())
    with pytest.raises(ValueError, match="unstable"):
        mmng(1.0, 10.0, 5, ZeroOrExp(0.0, 30.0, p_inf=0.5))
    with pytest.raises(ValueError, match=r"agents=0 .*integer >= 1"):
        erlang_b(0, 1.0)
    with pytest.raises(ValueError, match=r"agents=2\.5"):
        erlang_c(0.1, 1.0, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"arrival_rate=-1"):
        erlang_a(-1.0, 1.0, 2, 3.0)
    with pytest.raises(ValueError, match="mean_patience_s=0"):
        erlang_a(1.0, 1.0, 2, 0.0)
    with pytest.raises(ValueError, match="offered_load=nan"):
        erlang_b(3, math.nan)
    with pytest.raises(ValueError, match=r"sl_target=1\.2"):
        erlang_c_agents(1.0, 1.0, 1.2, 20.0)
    with pytest.raises(ValueError, match="t_s=-1"):
        erlang_c(0.1, 1.0, 2).service_level(-1.0)
    with pytest.raises(ValueError, match="p_wait_target=0"):
        halfin_whitt_beta(0.0)


# ----------------------------------------------------------------- Erlang A / M/M/n+G
CASES = [
    (1, 0.5, 60.0),
    (1, 1.3, 60.0),
    (20, 0.9, 120.0),
    (50, 1.2, 30.0),
    (1000, 0.5, 60.0),
    (1000, 1.0, 600.0),
    (1000, 1.3, 60.0),
]


@pytest.mark.parametrize(("n", "load", "patience"), CASES)
def test_erlang_a_birth_death_equals_mmng(n: int, load: float, patience: float) -> None:
    lam = load * n / 180.0
    a, g = erlang_a(lam, 180.0, n, patience), mmng(lam, 180.0, n, Exponential(patience))
    assert_fields_close(a, g)
    assert rel_close(a.asa_s, g.asa_s)
    assert_identities(a)
    assert_identities(g)
    # exponential patience: P(abandon) = E[W] / E[tau]
    assert rel_close(a.p_abandon, a.mean_wait_s / patience)
    assert rel_close(g.p_abandon, g.mean_wait_s / patience)
    sl = [g.service_level(t) for t in (0.0, 10.0, 20.0, 60.0, 1e6)]
    assert all(x <= y + 1e-15 for x, y in itertools.pairwise(sl))
    assert rel_close(sl[-1], g.p_answered) and sl[0] == pytest.approx(1 - g.p_wait, abs=1e-13)
    assert rel_close(g.service_level_answered(1e6), 1.0)
    assert rel_close(g.p_abandon_within(1e6), g.p_abandon)
    assert g.p_abandon_within(0.0) == pytest.approx(0.0, abs=1e-15)


def test_erlang_a_asa_independent_integral() -> None:
    """asa and SL(t) for Erlang A from a plain (non log-space) quad of f_V, small n."""
    n, h, m, lam = 3, 180.0, 90.0, 4.0 / 180.0
    mu, theta = 1 / h, 1 / m

    def f(x: float) -> float:  # unnormalised: lambda pi_{n-1}/pi_0 = lam a^(n-1)/(n-1)!
        return math.exp(lam * m * (1 - math.exp(-theta * x)) - n * mu * x)

    coef = lam * (lam * h) ** (n - 1) / math.factorial(n - 1)
    atoms = sum((lam * h) ** j / math.factorial(j) for j in range(n))
    norm = atoms + coef * quad(f, 0, np.inf, epsabs=0, epsrel=1e-13)[0]
    served = (
        atoms
        + coef * quad(lambda x: f(x) * math.exp(-theta * x), 0, np.inf, epsabs=0, epsrel=1e-13)[0]
    ) / norm
    asa = (
        coef
        * quad(lambda x: x * f(x) * math.exp(-theta * x), 0, np.inf, epsabs=0, epsrel=1e-13)[0]
        / norm
        / served
    )
    sl20 = (
        atoms
        + coef * quad(lambda x: f(x) * math.exp(-theta * x), 0, 20.0, epsabs=0, epsrel=1e-13)[0]
    ) / norm
    r = erlang_a(lam, h, n, m)
    assert rel_close(r.p_answered, served)
    assert rel_close(r.asa_s, asa)
    assert rel_close(r.service_level(20.0), sl20)


def test_mmng_deterministic_patience_closed_form() -> None:
    n, h, d = 3, 180.0, 45.0
    lam, mu = 3.6 / 180.0, 1 / h  # overloaded (rho = 1.2) but stable via abandonment
    s = lam - n * mu
    coef = lam * (lam * h) ** (n - 1) / math.factorial(n - 1)
    atoms = sum((lam * h) ** j / math.factorial(j) for j in range(n))
    before = math.expm1(s * d) / s  # int_0^d e^{s x} dx
    after = math.exp(s * d) / (n * mu)  # int_d^inf e^{lam d - n mu x} dx
    norm = atoms + coef * (before + after)
    p_ab = coef * after / norm
    r = mmng(lam, h, n, Deterministic(d))
    assert rel_close(r.p_wait, coef * (before + after) / norm)
    assert rel_close(r.p_abandon, p_ab)
    mean_wait_ans = coef * ((d * math.exp(s * d)) / s - math.expm1(s * d) / s**2) / norm
    assert rel_close(r.asa_s, mean_wait_ans / (1 - p_ab))
    assert rel_close(r.mean_wait_s, r.asa_s * r.p_answered + d * p_ab)
    assert r.p_abandon_within(d - 1e-6) == 0.0 and rel_close(r.p_abandon_within(d), p_ab)
    sl10 = (atoms + coef * math.expm1(s * 10.0) / s) / norm
    assert rel_close(r.service_level(10.0), sl10)
    assert rel_close(r.service_level(d + 1.0), r.p_answered)
    assert_identities(r)


@pytest.mark.parametrize(("n", "load"), [(1, 1.3), (30, 1.1), (1000, 1.3)])
def test_mmng_uniform_patience_plain_quadrature(n: int, load: float) -> None:
    """Uniform patience vs brute-force quad of the unnormalised density (log-ratio form)."""
    top, h = 240.0, 180.0
    lam = load * n / h
    law = Uniform(top)
    r = mmng(lam, h, n, law)
    a = lam * h
    log_pj = np.cumsum(np.log(np.arange(n - 1, 0, -1) / a))  # log pi_j / pi_{n-1}, j<n-1
    atoms = math.exp(float(logsumexp(np.concatenate(([0.0], log_pj)))))

    def dens(x: float) -> float:  # f_V / pi_{n-1}; phi has max < 0 beyond top
        hx = float(law.truncated_mean(np.array([x]))[0])
        return lam * math.exp(lam * hx - n * x / h)

    # shift to avoid overflow: divide by exp(phi at the mode x* = top (1 - n mu/lam)^+)
    x_star = max(0.0, top * (1 - n / (h * lam)))
    shift = lam * float(law.truncated_mean(np.array([x_star]))[0]) - n * x_star / h

    def g(x: float, w: float) -> float:
        return dens(x) * math.exp(-shift) * w

    kw = {"epsabs": 0.0, "epsrel": 1e-12, "limit": 500, "points": [x_star, top]}
    end = top + 200 * h / n + 60
    wait = quad(lambda x: g(x, 1.0), 0, end, **kw)[0]
    aband = quad(lambda x: g(x, min(x / top, 1.0)), 0, end, **kw)[0]
    norm = atoms * math.exp(-shift) + wait
    assert rel_close(r.p_wait, wait / norm, 1e-8)
    assert rel_close(r.p_abandon, aband / norm, 1e-8)
    assert_identities(r)


def test_mmng_atom_at_zero_equals_birth_death() -> None:
    """P(tau=0)=p: waiting arrivals balk w.p. p, then Erlang A; an independent chain."""
    n, h, m, p = 4, 180.0, 100.0, 0.3
    lam, mu, theta = 5.0 / h, 1 / h, 1 / m
    lp = [0.0]
    for k in range(1, 400):
        birth = lam if k - 1 < n else lam * (1 - p)
        lp.append(lp[-1] + math.log(birth / (min(k, n) * mu + max(k - n, 0) * theta)))
    probs = np.exp(np.array(lp) - logsumexp(lp))
    queue = float(np.dot(np.maximum(np.arange(400) - n, 0), probs))
    p_wait = float(probs[n:].sum())
    r = mmng(lam, h, n, ZeroOrExp(p, m))
    assert rel_close(r.p_wait, p_wait)
    assert rel_close(r.p_abandon, p * p_wait + theta * queue / lam)
    assert rel_close(r.mean_wait_s, queue / lam)
    assert rel_close(r.p_abandon_within(0.0), p * p_wait)
    assert_identities(r)


def test_mmng_partly_infinite_patience_stable() -> None:
    r = mmng(1.0, 10.0, 12, ZeroOrExp(0.0, 30.0, p_inf=0.5))
    assert 0.0 < r.p_abandon < 1.0 and math.isfinite(r.asa_s)
    assert_identities(r)


# ----------------------------------------------------------------- square-root staffing
def test_halfin_whitt_and_sqrt_staffing() -> None:
    beta = halfin_whitt_beta(0.2)
    phi = math.exp(-beta * beta / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * math.erfc(-beta / math.sqrt(2))
    assert rel_close(1 / (1 + beta * big_phi / phi), 0.2, 1e-12)
    a = 100.0
    exact = math.floor(a) + 1
    while erlang_c(a / 180.0, 180.0, exact).p_wait > 0.2:
        exact += 1
    assert abs(sqrt_staffing(a, beta) - exact) <= 1
    assert halfin_whitt_beta(0.5) < halfin_whitt_beta(0.2) < halfin_whitt_beta(1e-6)
    assert sqrt_staffing(100.0, 1.0) == 110 and sqrt_staffing(0.01, -5.0) == 1


# ----------------------------------------------------------------- optional: real distributions
def test_with_sim_distributions_if_available() -> None:
    dist = pytest.importorskip("sim.laws.distributions")
    lam = 30.0 / 180.0
    assert_fields_close(
        erlang_a(lam, 180.0, 28, 60.0), mmng(lam, 180.0, 28, dist.Exponential(60.0))
    )
    c, g = erlang_c(lam, 180.0, 33), mmng(lam, 180.0, 33, dist.Never())
    assert rel_close(c.p_wait, g.p_wait) and rel_close(c.asa_s, g.asa_s)
    u = mmng(lam, 180.0, 28, dist.Histogram((0.0, 240.0), (1.0,)))
    assert_fields_close(u, mmng(lam, 180.0, 28, Uniform(240.0)), (*FIELDS, "asa_s"))
