"""Fast formulas (``sim.theory.fastqueue``) against ``sim.theory.analytic`` and an independent closed form,
and the galloping search against one agent at a time."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import gammainc, gammaln

from sim import analytic
from sim.laws.distributions import GENESYS, GENESYS_2020, Exponential, Never
from sim.theory.fastqueue import AtomTable, MMnGCurve, erlang_c_kpis, smallest_meeting

# Agreement demanded of the fast evaluation: both sides are exact formulas evaluated in
# floating point (the reference by adaptive quadrature at epsrel 1e-11), so they agree to
# far better than the 1e-6 a target comparison would ever notice; 1e-8 leaves room for
# the reference's own quadrature error.
TOL = 1e-8
CASES = [(100 / 1800, 180.0), (0.4, 240.0), (3 / 1800, 400.0), (2000 / 1800, 300.0)]


def _agents(a: float) -> list[int]:
    return sorted({1, max(1, int(a * 0.6)), max(1, int(a * 0.9)), int(a) + 1, int(a * 1.1) + 2})


@pytest.mark.parametrize("law", [GENESYS, GENESYS_2020, Exponential(30.0), Exponential(600.0)])
def test_mmng_kpis_match_the_reference(law: object) -> None:
    for lam, h in CASES:
        a = lam * h
        curve = MMnGCurve(lam, h, law, 20.0, AtomTable(a))  # type: ignore[arg-type]
        for n in _agents(a):
            fast = curve.kpis(n)
            try:
                ref = analytic.mmng(lam, h, n, law)  # type: ignore[arg-type]
            except ValueError:  # unstable (mass of patience at infinity): never meets
                assert fast.service_level == 0.0 and math.isinf(fast.asa_s)
                continue
            assert fast.service_level == pytest.approx(ref.service_level(20.0), abs=TOL)
            assert fast.abandon_rate == pytest.approx(ref.p_abandon, abs=TOL)
            assert fast.occupancy == pytest.approx(ref.occupancy, abs=TOL)
            assert fast.asa_s == pytest.approx(ref.asa_s, rel=TOL, abs=1e-9)


def test_erlang_a_service_level_equals_the_incomplete_gamma_closed_form() -> None:
    """Exponential patience (rate theta): with A = lambda/theta, s = n mu/theta the wait
    integrals are incomplete gamma functions (substitute y = exp(-theta x)):
    SL(t) = [atoms + lambda e^A/theta A^-(s+1) Gamma(s+1) (P(s+1, A) - P(s+1, A e^-theta t))]
          / [atoms + lambda e^A/theta A^-s Gamma(s) P(s, A)], atoms relative to pi_(n-1)."""
    for lam, h, n, mean in ((0.4, 240.0, 90, 60.0), (100 / 1800, 180.0, 12, 152.4),
                            (2000 / 1800, 300.0, 300, 30.0)):  # fmt: skip
        theta, t = 1.0 / mean, 20.0
        big_a, s = lam / theta, n / h / theta
        atoms = AtomTable(lam * h)
        log_atoms = atoms.log_atoms(n)
        log_pre = math.log(lam) + big_a - math.log(theta)
        num = math.exp(log_pre - (s + 1) * math.log(big_a) + gammaln(s + 1) - log_atoms) * (
            gammainc(s + 1, big_a) - gammainc(s + 1, big_a * math.exp(-theta * t))
        )
        den = math.exp(log_pre - s * math.log(big_a) + gammaln(s) - log_atoms) * gammainc(s, big_a)
        exact = (1.0 + num) / (1.0 + den)
        fast = MMnGCurve(lam, h, Exponential(mean), t, atoms).kpis(n)
        assert fast.service_level == pytest.approx(exact, rel=1e-10)


def test_erlang_c_kpis_match_the_reference() -> None:
    for lam, h in [*CASES, (10000 / 1800, 300.0)]:
        a = lam * h
        atoms = AtomTable(a)
        for n in (int(a) + 1, int(a) + 5, int(a * 1.2) + 3):
            ref = analytic.erlang_c(lam, h, n)
            fast = erlang_c_kpis(lam, h, n, 20.0, atoms)
            assert fast.service_level == pytest.approx(ref.service_level(20.0), abs=1e-11)
            assert fast.asa_s == pytest.approx(ref.asa_s, rel=1e-9)
        assert erlang_c_kpis(lam, h, int(a), 20.0, atoms).service_level == 0.0  # unstable


def test_never_patience_is_erlang_c() -> None:
    lam, h = 0.4, 240.0
    atoms = AtomTable(lam * h)
    for n in (97, 100, 110):
        c, g = erlang_c_kpis(lam, h, n, 20.0, atoms), MMnGCurve(lam, h, Never(), 20.0, atoms).kpis(n)
        assert g.service_level == pytest.approx(c.service_level, abs=1e-10)
        assert g.abandon_rate == 0.0
    assert MMnGCurve(lam, h, Never(), 20.0, atoms).kpis(96).service_level == 0.0  # unstable


def test_smallest_meeting_equals_one_at_a_time() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        lowest = int(rng.integers(0, 50))
        answer = lowest + int(rng.integers(0, 3000))
        guess = int(rng.integers(0, 4000))
        calls: list[int] = []

        def meets(n: int, answer: int = answer, calls: list[int] = calls) -> bool:
            calls.append(n)
            return n >= answer

        assert smallest_meeting(meets, lowest, guess) == answer
        assert min(calls) >= lowest
        assert len(calls) <= 2 * math.log2(abs(answer - max(lowest, guess)) + 2) + 3
