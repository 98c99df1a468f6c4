"""Arrivals: Poisson counts per interval at the forecast rate, gamma busyness per day."""

from __future__ import annotations

import numpy as np

from sim.core.rng import Streams
from sim.core.timetable import Timetable
from sim.laws.distributions import Deterministic, Exponential
from sim.queue.arrivals import ArrivalForecast, FreshCalls

TT = Timetable(open_s=8 * 3600.0, close_s=20 * 3600.0, interval_s=1800.0, days=400)
PROFILE = tuple(np.linspace(1, 3, 24) / np.linspace(1, 3, 24).sum())


def _fresh(busyness_var: float, seed: int = 1) -> FreshCalls:
    forecast = ArrivalForecast(
        TT, 1000.0, PROFILE, (1.0, 1.0, 1.0, 1.0, 1.2, 0.5, 0.5), busyness_var
    )
    return FreshCalls(
        forecast, Exponential(100.0), Exponential(200.0), Deterministic(10.0), Streams(seed)
    )


def _counts(fresh: FreshCalls, days: int) -> np.ndarray:
    out = np.zeros((days, TT.n_intervals))
    for d in range(days):
        calls = fresh.day(d)
        _, k = TT.locate(calls.arrival_s)
        out[d] = np.bincount(k, minlength=TT.n_intervals)
    return out


def test_counts_follow_the_forecast_and_are_poisson() -> None:
    days = 140  # 20 weeks: 20 Mondays..Sundays each
    fresh = _fresh(0.0)
    counts = _counts(fresh, days)
    expected = np.stack([fresh.forecast.expected(d) for d in range(days)])
    # Each interval total over all days is Poisson with mean = sum of expectations:
    # z-scores must look standard normal; 5 SE bounds the largest of 24 comfortably.
    z = (counts.sum(0) - expected.sum(0)) / np.sqrt(expected.sum(0))
    assert np.abs(z).max() < 5, z
    # Poisson: variance = mean (index of dispersion ~1 on Mondays' first interval etc.)
    mondays = counts[0::7]
    disp = mondays.var(axis=0, ddof=1) / mondays.mean(axis=0)
    # the mean dispersion over 24 intervals has SE ~ sqrt(2/(n-1)/24) ~ 0.06 for n=20
    assert abs(disp.mean() - 1) < 5 * np.sqrt(2 / 19 / 24)


def test_arrivals_are_sorted_inside_opening_hours() -> None:
    calls = _fresh(0.0).day(3)
    assert np.all(np.diff(calls.arrival_s) >= 0)
    assert calls.arrival_s.min() >= TT.opening(3)
    assert calls.arrival_s.max() < TT.closing(3)
    assert len(calls.patience_s) == len(calls.arrival_s) == len(calls.handle_s)
    assert np.all(calls.handle_s >= 10.0)


def test_busyness_factor_has_mean_one_and_the_configured_variance() -> None:
    var = 0.04
    b = _fresh(var).busyness
    n = len(b)
    # mean 1 and variance `var`: tolerances are 5 standard errors of the sample moments
    # (gamma with shape 1/var: SE(mean) = sqrt(var/n), SE(var) ~ var*sqrt((2 + 6*var)/n)).
    assert abs(b.mean() - 1) < 5 * np.sqrt(var / n)
    assert abs(b.var(ddof=1) - var) < 5 * var * np.sqrt((2 + 6 * var) / n)
    assert np.array_equal(_fresh(0.0).busyness, np.ones(n))


def test_daily_volume_variance_includes_busyness() -> None:
    var = 0.05
    fresh = _fresh(var, seed=7)
    totals = np.array([len(fresh.day(d).arrival_s) for d in range(0, 400, 7)])  # Mondays
    mean = 1000.0
    # mixed Poisson: Var(N) = m + var * m^2
    expected_var = mean + var * mean**2
    n = len(totals)
    assert abs(totals.var(ddof=1) / expected_var - 1) < 5 * np.sqrt(2 / (n - 1))
