"""The arrival fit recovers callsim's own arrival model: profile, weekday levels and the
gamma busyness variance (likelihood-ratio intervals that cover the truth and narrow like
1/sqrt(days))."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

import sim
from sim.core.rng import Streams
from sim.core.timetable import Timetable
from sim.fit.arrivals import counts_matrix, fit_arrivals, nb_loglik
from sim.fit.simulated import log_from_calls
from sim.queue.arrivals import ArrivalForecast

PROFILE = np.linspace(1.0, 3.0, 24) / np.linspace(1.0, 3.0, 24).sum()
FACTORS = (1.2, 1.0, 1.0, 1.0, 0.9, 0.5, 0.4)


def _counts(days: int, var: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Counts drawn exactly as callsim's FreshCalls draws them (busyness, then Poisson)."""
    tt = Timetable(8 * 3600.0, 20 * 3600.0, 1800.0, days, 0)
    fc = ArrivalForecast(tt, 500.0, tuple(PROFILE), FACTORS, var)
    streams = Streams(seed, 0)
    busy = fc.busyness(streams["busyness"])
    rng = streams["arrivals"]
    counts = np.stack([rng.poisson(fc.expected(d) * busy[d]) for d in range(days)])
    return counts, np.array([tt.weekday(d) for d in range(days)])


def test_busyness_interval_covers_and_shrinks() -> None:
    widths = []
    for days in (100, 400):
        counts, wd = _counts(days, 0.04, seed=21)
        fit = fit_arrivals(counts, wd)
        lo, hi = fit.busyness_ci
        assert lo <= 0.04 <= hi, (days, fit.busyness_var, fit.busyness_ci)
        widths.append(hi - lo)
        level = fit.volume_per_day * np.asarray(fit.day_of_week_factors)
        # weekday level: mean of ~days/7 totals, each with sd sqrt(m + v m^2) ~ 0.2 m
        se = 0.21 * 500 * np.asarray(FACTORS) / np.sqrt(days / 7)
        assert np.all(np.abs(level - 500 * np.asarray(FACTORS)) < 4 * se)
    assert 1.6 < widths[0] / widths[1] < 2.5  # 1/sqrt(days): 2, with slack for the skew


def test_busyness_interval_coverage_over_replications() -> None:
    # 20 independent data sets of 120 days: the 95% interval covers the truth in >= 16
    # (P(fewer than 16 | p = 0.95) = 1.6%); each fit takes milliseconds
    covered = 0
    for seed in range(20):
        counts, wd = _counts(120, 0.03, seed=1000 + seed)
        lo, hi = fit_arrivals(counts, wd).busyness_ci
        covered += lo <= 0.03 <= hi
    assert covered >= 16


def test_poisson_days_give_variance_near_zero() -> None:
    counts, wd = _counts(200, 0.0, seed=3)
    fit = fit_arrivals(counts, wd)
    assert fit.busyness_ci[0] == 0.0
    assert fit.busyness_var < fit.busyness_ci[1] < 0.01


def test_profile_from_callsim_calls_table() -> None:
    cfg = {
        "center": {"volume_per_day": 1500.0, "profile": [float(p) for p in PROFILE],
                   "day_of_week_factors": list(FACTORS)},
        "staffing": {"agents": 30},
        "patience": {"kind": "exponential", "mean_s": 300.0},
        "run": {"days": 14, "seed": 2},
    }
    res = sim.simulate(cfg)
    log = log_from_calls(res.calls)
    counts = counts_matrix(log.calls["arrival_s"].to_numpy(), 14, 8 * 3600.0, 20 * 3600.0,
                           1800.0)
    assert counts.sum() == len(log.calls)  # every call is inside opening hours
    fit = fit_arrivals(counts, np.array([log.weekday(d) for d in range(14)]))
    # chi-square test of the fitted shares against the true profile (multinomial given the
    # total): the statistic has 23 degrees of freedom; reject only beyond its 99.9% point
    n = counts.sum()
    stat = ((counts.sum(axis=0) - n * PROFILE) ** 2 / (n * PROFILE)).sum()
    assert stat < chi2.ppf(0.999, 23)
    assert np.asarray(fit.profile).sum() == pytest.approx(1.0)


def test_nb_loglik_tends_to_poisson() -> None:
    n, m = np.array([3, 7, 12]), np.array([5.0, 6.0, 10.0])
    # the negative binomial differs from the Poisson by O(v n^2): 1e-4 at v = 1e-6
    assert nb_loglik(n, m, 1e-6) == pytest.approx(nb_loglik(n, m, 0.0), abs=1e-3)
    assert nb_loglik(n, m, 0.1) < nb_loglik(n, m, 0.0)  # these counts are underdispersed


def test_fit_arrivals_errors() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        fit_arrivals(np.array([[1, 2]]), np.array([0]))


def test_busyness_from_callsims_calls_table() -> None:
    # the engine's own calls table (not just the arrival generator): 120 days, v = 0.05;
    # the 95% likelihood-ratio interval must cover it (fixed seed)
    cfg = {
        "center": {"volume_per_day": 600.0, "busyness_var": 0.05},
        "staffing": {"agents": 12},
        "service": {"talk": {"kind": "exponential", "mean_s": 300.0},
                    "acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "exponential", "mean_s": 300.0},
        "run": {"days": 120, "seed": 12},
    }
    log = log_from_calls(sim.simulate(cfg).calls)
    counts = counts_matrix(log.calls["arrival_s"].to_numpy(), 120, 8 * 3600.0, 20 * 3600.0,
                           1800.0)
    fit = fit_arrivals(counts, np.array([log.weekday(d) for d in range(120)]))
    lo, hi = fit.busyness_ci
    assert lo <= 0.05 <= hi, (fit.busyness_var, fit.busyness_ci)
    assert fit.volume_per_day == pytest.approx(600.0, rel=4 * np.sqrt(0.05 / 120))
