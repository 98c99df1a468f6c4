"""Tests of sim.laws.distributions: exact formulas vs quadrature, samples vs exact moments.

Statistical tolerances are 5 standard errors. Seeds are fixed, so every test is
deterministic; 5 SE keeps the chance that a *correct* implementation would fail on some
other seed below ~1e-6 per check (two-sided normal tail), while a wrong mean, share or
shape shows up as many SEs at n = 200_000.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from scipy.integrate import quad

from sim.laws.distributions import (
    GENESYS,
    GENESYS_2020,
    KINDS,
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Histogram,
    LogNormal,
    Mixture,
    Never,
    PiecewiseHazard,
    Weibull,
    from_spec,
    genesys2020_patience,
    genesys_patience,
)

N = 200_000
SEED = 20240611
INF = math.inf

_DATA = (0.0, 3.5, 12.0, 12.0, 40.0, 41.5, 75.0, 75.0, 75.0, 130.0, 210.0, 333.0, 610.0)

CASES: dict[str, Distribution] = {
    "exponential": Exponential(180.0),
    "lognormal": LogNormal(240.0, 0.8),
    "gamma_k4": Gamma(200.0, 0.5),
    "gamma_k0.25": Gamma(100.0, 2.0),
    "weibull_1.5": Weibull(1.5, 200.0),
    "weibull_0.7": Weibull(0.7, 150.0),
    "deterministic": Deterministic(120.0),
    "deterministic_0": Deterministic(0.0),
    "empirical": Empirical(_DATA),
    "histogram_bounded": Histogram((10.0, 60.0, 180.0, 300.0), (0.25, 0.5, 0.25)),
    # atom at 0, uniform, atom at 30, uniform, empty bin, exponential tail beyond 200 s
    "histogram_atoms": Histogram(
        (0.0, 0.0, 30.0, 30.0, 90.0, 200.0, INF),
        (0.1, 0.2, 0.05, 0.25, 0.0, 0.4),
        tail_mean_s=120.0,
    ),
    "genesys": GENESYS,
    "genesys2020": GENESYS_2020,
    "hazard": PiecewiseHazard((0.0, 30.0, 120.0), (0.001, 0.01, 0.004)),
    "hazard_zero_start": PiecewiseHazard((0.0, 20.0, 60.0), (0.0, 0.02, 0.005)),
    "hazard_defective": PiecewiseHazard((0.0, 60.0), (0.01, 0.0)),
    "mixture_atom": Mixture((Deterministic(0.0), Exponential(200.0)), (0.1, 0.9)),
    "mixture_mixed": Mixture((LogNormal(90.0, 0.5), GENESYS, Weibull(2.0, 400.0)), (0.3, 0.5, 0.2)),
    "mixture_never": Mixture((Exponential(60.0), Never()), (0.7, 0.3)),
    "never": Never(),
}
FINITE_MEAN = [k for k, d in CASES.items() if math.isfinite(d.mean)]
NON_CONSTANT = [k for k in CASES if k not in ("deterministic", "deterministic_0", "never")]


@cache
def draws(name: str) -> np.ndarray:
    return CASES[name].sample(np.random.default_rng(SEED), N)


def integrate(f: Callable[[float], float], d: Distribution, upper: float) -> float:
    """Integral of f over [0, upper], split at the breakpoints (kinks and jumps)."""
    pts = [0.0, *(b for b in d.breakpoints if b < upper), upper]
    return math.fsum(
        quad(f, a, b, epsabs=0.0, epsrel=1e-12, limit=500)[0] for a, b in pairwise(pts) if b > a
    )


def exact_variance(d: Distribution) -> float:
    """Var T = 2 * integral of x sf(x) over [0, inf) - mean^2, by quadrature."""
    second = 2.0 * integrate(lambda x: x * float(d.sf(x)), d, INF)
    return second - d.mean**2


# ----------------------------------------------------------------------------- basics
@pytest.mark.parametrize("name", CASES)
def test_sample_shape_dtype_and_support(name: str) -> None:
    x = draws(name)
    assert x.shape == (N,) and x.dtype == np.float64
    assert np.all(x >= 0)
    assert CASES[name].sample(np.random.default_rng(1), 0).shape == (0,)


@pytest.mark.parametrize("name", CASES)
def test_cdf_sf_shapes_and_limits(name: str) -> None:
    d = CASES[name]
    assert isinstance(d.cdf(5.0), np.ndarray) and d.cdf(5.0).shape == ()
    assert d.cdf([[1.0, 2.0]]).shape == (1, 2)
    assert float(d.cdf(-1.0)) == 0.0 and float(d.sf(-1.0)) == 1.0
    grid = np.concatenate(([0.0], np.geomspace(1e-3, 1e5, 400), d.breakpoints, [INF]))
    grid.sort()
    c = d.cdf(grid)
    assert np.all(np.diff(c) >= -1e-15) and np.all((c >= 0) & (c <= 1))
    np.testing.assert_allclose(c + d.sf(grid), 1.0, rtol=0, atol=1e-14)
    mass_at_inf = 1.0 - float(d.cdf(INF))
    assert math.isinf(d.mean) == (mass_at_inf > 0)
    assert d.is_never == (name == "never")
    assert d.is_exponential == (name == "exponential")


@pytest.mark.parametrize("name", CASES)
def test_breakpoints_are_sorted_finite_positive(name: str) -> None:
    bp = CASES[name].breakpoints
    assert isinstance(bp, tuple)
    assert list(bp) == sorted(set(bp)) and all(0 < b < INF for b in bp)


def test_breakpoints_examples() -> None:
    assert Exponential(10.0).breakpoints == ()
    assert Deterministic(0.0).breakpoints == () and Deterministic(7.0).breakpoints == (7.0,)
    assert GENESYS.breakpoints == (60.0, 180.0, 300.0)
    assert GENESYS_2020.breakpoints == (300.0, 900.0)
    assert CASES["hazard"].breakpoints == (30.0, 120.0)
    assert CASES["mixture_mixed"].breakpoints == (60.0, 180.0, 300.0)


def test_value_objects_are_frozen_hashable_and_repr_readable() -> None:
    d = LogNormal(240, 0.8)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.cv = 1.0  # type: ignore[misc]
    assert d == LogNormal(240.0, 0.8) and hash(d) == hash(LogNormal(240.0, 0.8))
    assert len({Exponential(180), Exponential(180.0), Never(), Never()}) == 2
    assert repr(Exponential(180)) == "Exponential(mean=180 s)"
    assert repr(d) == "LogNormal(mean=240 s, cv=0.8)"
    assert repr(Never()) == "Never()"
    assert "tail_mean=300 s" in repr(GENESYS)
    assert repr(CASES["mixture_atom"]) == (
        "Mixture(0.1*Deterministic(value=0 s) + 0.9*Exponential(mean=200 s))"
    )
    # lists are stored as tuples
    assert Empirical([1, 2]).values_s == (1.0, 2.0)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- moments
@pytest.mark.parametrize("name", FINITE_MEAN)
def test_mean_is_integral_of_sf(name: str) -> None:
    d = CASES[name]
    assert d.mean == pytest.approx(integrate(lambda x: float(d.sf(x)), d, INF), rel=1e-9)
    assert d.mean == pytest.approx(float(d.truncated_mean(INF)), rel=1e-12)


@pytest.mark.parametrize(
    ("d", "var"),
    [
        (Exponential(180.0), 180.0**2),
        (LogNormal(240.0, 0.8), (0.8 * 240.0) ** 2),
        (Gamma(100.0, 2.0), (2.0 * 100.0) ** 2),
        (Weibull(1.5, 200.0), 200.0**2 * (math.gamma(1 + 2 / 1.5) - math.gamma(1 + 1 / 1.5) ** 2)),
        (Empirical(_DATA), float(np.var(_DATA))),
        (
            GENESYS,
            0.2 * 60**2 / 3
            + 0.47 * (60**2 + 60 * 180 + 180**2) / 3
            + 0.3 * (180**2 + 180 * 300 + 300**2) / 3
            + 0.03 * (300**2 + 2 * 300 * 300 + 2 * 300**2)
            - 152.4**2,
        ),
    ],
    ids=repr,
)
def test_exact_variance_helper_matches_closed_forms(d: Distribution, var: float) -> None:
    assert exact_variance(d) == pytest.approx(var, rel=1e-8)


@pytest.mark.parametrize("name", FINITE_MEAN)
def test_sample_mean_and_variance(name: str) -> None:
    # Tolerance: 5 standard errors. SE of the sample mean = sd / sqrt(n); the sample
    # variance s^2 has SE ~ sqrt((mu4 - sigma^4) / n), with the 4th central moment mu4
    # estimated from the same sample (fine at n = 200_000 for these moderate tails).
    d, x = CASES[name], draws(name)
    var = exact_variance(d)
    se_mean = math.sqrt(var / N)
    assert abs(x.mean() - d.mean) <= 5 * se_mean + 1e-9 * d.mean
    c = x - x.mean()
    se_var = math.sqrt(max(np.mean(c**4) - np.mean(c**2) ** 2, 0.0) / N)
    assert abs(x.var() - var) <= 5 * se_var + 1e-9 * max(var, 1.0)


@pytest.mark.parametrize("name", CASES)
def test_cdf_vs_empirical_frequency(name: str) -> None:
    d, x = CASES[name], draws(name)
    points = sorted({0.0, 1.0, 30.0, 90.0, 150.0, 240.0, 600.0, 2000.0, *d.breakpoints})
    for t in points:
        p = float(d.cdf(t))
        tol = 5 * math.sqrt(p * (1 - p) / N) + 1e-12  # 5 SE of a binomial share
        assert abs(np.mean(x <= t) - p) <= tol, (t, p)
    assert abs(np.mean(np.isinf(x)) - float(d.sf(INF))) <= 5 * math.sqrt(0.25 / N)


# ----------------------------------------------------------------------------- truncated mean
@pytest.mark.parametrize("name", CASES)
def test_truncated_mean_vs_quadrature(name: str) -> None:
    d = CASES[name]
    assert float(d.truncated_mean(0.0)) == 0.0
    xs = [0.5, 7.0, 45.0, 100.0, 299.0, 301.0, 777.0, 2500.0, 10_000.0]
    xs += [b * f for b in d.breakpoints for f in (0.99, 1.0, 1.01)]
    got = d.truncated_mean(xs)
    for x, g in zip(xs, got, strict=True):
        ref = integrate(lambda u: float(d.sf(u)), d, x)
        assert g == pytest.approx(ref, rel=1e-8), x
        assert g <= min(x, d.mean) * (1 + 1e-12)
    assert np.all(np.diff(d.truncated_mean(np.sort(xs))) >= 0)


@pytest.mark.parametrize("name", CASES)
def test_truncated_mean_vs_monte_carlo(name: str) -> None:
    d, x = CASES[name], draws(name)
    for t in (20.0, 100.0, 300.0, 1000.0):
        m = np.minimum(x, t)
        tol = 5 * m.std() / math.sqrt(N) + 1e-9 * t  # 5 SE of the sample mean of min(T, t)
        assert abs(m.mean() - float(d.truncated_mean(t))) <= tol, t


def test_truncated_mean_special_cases() -> None:
    np.testing.assert_array_equal(Never().truncated_mean([0.0, 5.0, INF]), [0.0, 5.0, INF])
    assert float(Empirical(_DATA).truncated_mean(75.0)) == pytest.approx(
        np.minimum(_DATA, 75.0).mean(), rel=1e-13
    )
    assert float(Deterministic(50.0).truncated_mean(20.0)) == 20.0
    assert float(GENESYS_2020.truncated_mean(INF)) == INF
    assert float(CASES["hazard_defective"].truncated_mean(INF)) == INF


def test_equivalent_laws_agree() -> None:
    xs = np.array([0.0, 10.0, 100.0, 1000.0, INF])
    e = Exponential(50.0)
    for other in (
        Gamma(50.0, 1.0),
        Weibull(1.0, 50.0),
        PiecewiseHazard((0.0, 30.0), (0.02, 0.02)),
        Histogram((0.0, INF), (1.0,), tail_mean_s=50.0),
    ):
        np.testing.assert_allclose(other.cdf(xs), e.cdf(xs), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(other.truncated_mean(xs), e.truncated_mean(xs), rtol=1e-12)
    assert Histogram((0.0, INF), (1.0,), tail_mean_s=INF).is_never


# ----------------------------------------------------------------------------- calibration
def _within(share: Any, p: float) -> bool:
    return abs(float(share) - p) <= 5 * math.sqrt(p * (1 - p) / N)


def test_genesys_shares() -> None:
    assert genesys_patience() == GENESYS and GENESYS.tail_mean_s == 300.0
    x = draws("genesys")
    assert _within(np.mean(x < 60), 0.20)
    assert _within(np.mean((x >= 60) & (x < 180)), 0.47)
    assert _within(np.mean((x >= 180) & (x < 300)), 0.30)
    assert _within(np.mean(x >= 300), 0.03)
    np.testing.assert_allclose(GENESYS.cdf([60, 180, 300]), [0.20, 0.67, 0.97], rtol=1e-12)
    assert GENESYS.mean == pytest.approx(152.4, rel=1e-12)


def test_genesys2020_shares() -> None:
    assert genesys2020_patience() == GENESYS_2020
    x = draws("genesys2020")
    assert _within(np.mean(x == 0), 0.13)
    assert _within(np.mean((x > 0) & (x <= 300)), 0.31)
    assert _within(np.mean((x > 300) & (x <= 900)), 0.34)
    assert _within(np.mean(np.isinf(x)), 0.22)
    np.testing.assert_allclose(
        GENESYS_2020.cdf([0, 300, 900, INF]), [0.13, 0.44, 0.78, 0.78], rtol=1e-12
    )
    assert GENESYS_2020.mean == INF


def test_mixture_atom_at_zero() -> None:
    x = draws("mixture_atom")
    assert _within(np.mean(x == 0), 0.1)
    assert float(CASES["mixture_atom"].cdf(0.0)) == pytest.approx(0.1, rel=1e-14)


# ----------------------------------------------------------------------------- randomness
@pytest.mark.parametrize("name", NON_CONSTANT)
def test_reproducible_by_seed(name: str) -> None:
    d = CASES[name]
    a = d.sample(np.random.default_rng(7), 1000)
    np.testing.assert_array_equal(a, d.sample(np.random.default_rng(7), 1000))
    assert not np.array_equal(a, d.sample(np.random.default_rng(8), 1000))


def test_only_the_passed_generator_is_used() -> None:
    # The legacy global RNG must be left untouched (its next draw is unchanged).
    np.random.seed(3)  # noqa: NPY002
    expected = np.random.random()  # noqa: NPY002
    np.random.seed(3)  # noqa: NPY002
    for d in CASES.values():
        d.sample(np.random.default_rng(0), 10)
    assert np.random.random() == expected  # noqa: NPY002


def test_mixture_draw_order() -> None:
    # Component choices come first (one uniform per draw), then each component in order.
    mix = Mixture((Exponential(10.0), LogNormal(50.0, 0.5), Exponential(99.0)), (0.2, 0.0, 0.8))
    got = mix.sample(np.random.default_rng(5), 500)
    rng = np.random.default_rng(5)
    which = np.searchsorted(np.cumsum([0.2, 0.0, 0.8]), rng.random(500), side="right")
    want = np.empty(500)
    for i, comp in enumerate(mix.components):
        if (k := int(np.sum(which == i))) > 0:
            want[which == i] = comp.sample(rng, k)
    np.testing.assert_array_equal(got, want)
    assert not np.any(which == 1)


# ----------------------------------------------------------------------------- from_spec
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"kind": "exponential", "mean_s": 180}, Exponential(180.0)),
        ({"kind": "lognormal", "mean_s": 240, "cv": 0.8}, LogNormal(240.0, 0.8)),
        ({"kind": "gamma", "mean_s": 100, "cv": 0.5}, Gamma(100.0, 0.5)),
        ({"kind": "weibull", "shape": 1.5, "scale_s": 200}, Weibull(1.5, 200.0)),
        ({"kind": "deterministic", "value_s": 0}, Deterministic(0.0)),
        ({"kind": "empirical", "values_s": [1, 2.5]}, Empirical((1.0, 2.5))),
        (
            {
                "kind": "histogram",
                "edges_s": [0, 60, ".inf"],
                "probs": [0.5, 0.5],
                "tail_mean_s": "inf",
            },
            Histogram((0.0, 60.0, INF), (0.5, 0.5), tail_mean_s=INF),
        ),
        (
            {"kind": "piecewise_hazard", "edges_s": [0, 60], "rates_per_s": [0.01, 0.0]},
            PiecewiseHazard((0.0, 60.0), (0.01, 0.0)),
        ),
        (
            {
                "kind": "mixture",
                "components": [
                    {"kind": "deterministic", "value_s": 0, "weight": 0.1, "mean_s": None},
                    {"kind": "exponential", "mean_s": 200, "weight": 0.9},
                ],
            },
            Mixture((Deterministic(0.0), Exponential(200.0)), (0.1, 0.9)),
        ),
        ({"kind": "genesys"}, GENESYS),
        ({"kind": "genesys2020", "mean_s": None}, GENESYS_2020),
        ({"kind": "never"}, Never()),
    ],
    ids=lambda v: v["kind"] if isinstance(v, dict) else "",
)
def test_from_spec_builds(spec: dict[str, object], expected: Distribution) -> None:
    assert from_spec(spec) == expected


def test_from_spec_covers_all_kinds_and_ignores_nulls() -> None:
    assert set(KINDS) == {
        "exponential",
        "lognormal",
        "gamma",
        "weibull",
        "deterministic",
        "empirical",
        "histogram",
        "piecewise_hazard",
        "mixture",
        "never",
        "genesys",
        "genesys2020",
    }
    config_like = {
        "kind": "lognormal",
        "mean_s": 240.0,
        "cv": 0.8,
        "shape": None,
        "scale_s": None,
        "values_s": None,
        "edges_s": None,
        "components": None,
    }
    assert from_spec(config_like, key="service.talk") == LogNormal(240.0, 0.8)
    assert from_spec(Never()) == Never()


_HIST = {"kind": "histogram", "edges_s": [0, 60, 180]}


@pytest.mark.parametrize(
    ("spec", "key", "fragments"),
    [
        ({"kind": "poisson"}, "patience", ["patience.kind = 'poisson'", "allowed:", "lognormal"]),
        ({"mean_s": 3}, "patience", ["patience.kind", "missing"]),
        (
            {"kind": "exponential", "mean_s": -3},
            "service.talk",
            ["service.talk.mean_s = -3.0", "must be a finite number > 0"],
        ),
        ({"kind": "exponential", "mean_s": ".inf"}, "service.acw", ["service.acw.mean_s = inf"]),
        (
            {"kind": "lognormal", "mean_s": 240, "cv": 0},
            "service.talk",
            ["service.talk.cv = 0.0", "> 0"],
        ),
        ({"kind": "gamma", "mean_s": 240, "cv": -0.5}, "service.talk", ["service.talk.cv = -0.5"]),
        (
            {**_HIST, "probs": [0.5, 0.4]},
            "patience",
            ["patience.probs = (0.5, 0.4)", "sum to 1 within 1e-09", "sum = 0.9"],
        ),
        ({**_HIST, "probs": [1.2, -0.2]}, "patience", ["patience.probs[0] = 1.2", "[0, 1]"]),
        ({**_HIST, "probs": [0.5]}, "patience", ["patience.probs", "one entry per bin"]),
        (
            {"kind": "histogram", "edges_s": [0, "inf"], "probs": [1]},
            "patience",
            ["patience.tail_mean_s = None", "required"],
        ),
        (
            {"kind": "histogram", "edges_s": [0, 90, 60], "probs": [0.5, 0.5]},
            "patience",
            ["patience.edges_s[2] = 60.0", "non-decreasing"],
        ),
        ({"kind": "lognormal", "mean_s": 240}, "service.talk", ["service.talk.cv", "missing"]),
        (
            {"kind": "exponential", "mean_s": 180, "cv": 0.5},
            "patience",
            ["patience.cv = 0.5: not a key of kind exponential (allowed: mean_s)"],
        ),
        (
            {"kind": "genesys", "mean_s": 3},
            "patience",
            ["patience.mean_s = 3: not a key of kind genesys (allowed: none)"],
        ),
        (
            {"kind": "exponential", "mean_s": "abc"},
            "patience",
            ["patience.mean_s = 'abc'", "not a number"],
        ),
        (
            {"kind": "empirical", "values_s": "abc"},
            "patience",
            ["patience.values_s = 'abc'", "list"],
        ),
        ({"kind": "empirical", "values_s": [1, "x"]}, "patience", ["patience.values_s[1] = 'x'"]),
        ({"kind": "empirical", "values_s": [1, -2]}, "patience", ["patience.values_s[1] = -2.0"]),
        (
            {"kind": "piecewise_hazard", "edges_s": [5, 60], "rates_per_s": [0.1, 0.1]},
            "patience",
            ["patience.edges_s[0] = 5.0", "must be 0"],
        ),
        (
            {
                "kind": "mixture",
                "components": [
                    {"kind": "never", "weight": 0.5},
                    {"kind": "exponential", "mean_s": -1, "weight": 0.5},
                ],
            },
            "patience",
            ["patience.components[1].mean_s = -1.0"],
        ),
        (
            {
                "kind": "mixture",
                "components": [
                    {"kind": "never", "weight": 0.5},
                    {"kind": "exponential", "mean_s": 1, "weight": 0.4},
                ],
            },
            "patience",
            ["patience.components[*].weight", "within 1e-09", "sum = 0.9"],
        ),
        (
            {"kind": "mixture", "components": [{"kind": "never"}]},
            "patience",
            ["patience.components[0].weight", "missing"],
        ),
        ("exponential", "patience", ["patience = 'exponential'", "mapping"]),
    ],
    ids=lambda v: "" if isinstance(v, (dict, str, list)) else str(v),
)
def test_from_spec_errors(spec: object, key: str, fragments: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        from_spec(spec, key=key)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Exponential(-3.0), "mean_s = -3.0: must be a finite number > 0"),
        (lambda: Exponential(True), "mean_s = True: must be a number"),
        (lambda: Weibull(0.0, 10.0), "shape = 0.0: must be a finite number > 0"),
        (lambda: Deterministic(-1.0), "value_s = -1.0: must be a finite number >= 0"),
        (lambda: Empirical(()), "values_s = (): must be a non-empty"),
        (
            lambda: Histogram((0.0, 60.0), (1.0,), tail_mean_s=5.0),
            "tail_mean_s = 5.0: only allowed",
        ),
        (lambda: Histogram((0.0, INF), (1.0,), tail_mean_s=0.0), "tail_mean_s = 0.0: must be"),
        (lambda: Histogram((0.0, INF, INF), (0.5, 0.5), tail_mean_s=1.0), "edges_s[1] = inf"),
        (lambda: PiecewiseHazard((0.0, 10.0), (0.1,)), "one rate per edge"),
        (lambda: PiecewiseHazard((0.0, 10.0, 10.0), (0.1, 0.1, 0.1)), "edges_s[2] = 10.0"),
        (
            lambda: Mixture((Never(), 3.0), (0.5, 0.5)),  # type: ignore[arg-type]
            "components[1] = 3.0: must be a Distribution",
        ),
        (lambda: Mixture((Never(),), (0.5, 0.5)), "one weight per component"),
    ],
)
def test_constructor_validation(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError) as info:
        build()
    assert message in str(info.value)
