"""Self-consistency of the patience estimators: simulate callsim with a known patience law,
fit its own calls table, recover the law within intervals that shrink like 1/sqrt(n).

Tolerances: every check compares an estimate with the truth through its own standard error
or confidence interval, over fixed seeds; z-scores of independent replications must look
standard normal (mean within 3 standard errors of 0)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.fit.patience import exponential_mle, fit_patience
from sim.fit.simulated import log_from_calls


def _run(patience: dict[str, Any], days: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    cfg = {
        "center": {"open_time": "08:00", "close_time": "20:00", "volume_per_day": 2000.0},
        "staffing": {"agents": 9},  # offered load 9.3 erlangs on 9 agents: long waits
        "service": {"talk": {"kind": "lognormal", "mean_s": 200.0, "cv": 1.0},
                    "acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": patience,
        "run": {"days": days, "seed": seed},
    }
    calls = log_from_calls(sim.simulate(cfg).calls).calls
    return calls["wait_s"].to_numpy(), (calls["outcome"] == "abandoned").to_numpy()


def test_exponential_mle_is_abandons_over_time_at_risk() -> None:
    wait = np.array([10.0, 0.0, 30.0, 5.0, 60.0])
    ab = np.array([True, False, False, True, True])
    rate, (low, high), events, exposure = exponential_mle(wait, ab)
    assert events == 3 and exposure == 105.0 and rate == pytest.approx(3 / 105)
    assert low < rate < high


def test_exponential_patience_recovered_and_interval_shrinks() -> None:
    true_rate = 1 / 120.0
    widths = []
    for days in (4, 16):
        wait, ab = _run({"kind": "exponential", "mean_s": 120.0}, days, seed=11)
        rate, (low, high), _, _ = exponential_mle(wait, ab)
        assert low <= true_rate <= high, (days, rate, low, high)
        widths.append(high - low)
        fit = fit_patience(wait, ab, edges_s=(0.0,))
        assert fit.rates_per_s[0] == pytest.approx(rate, rel=1e-6)  # lifelines = closed form
    # 4x the data: the interval narrows by sqrt(4) = 2 (events are Poisson; +-15% slack
    # covers the random number of events, whose sd is ~2% here)
    assert 1.7 < widths[0] / widths[1] < 2.3


def test_exponential_z_scores_look_standard_normal() -> None:
    true_rate = 1 / 120.0
    z = []
    for seed in range(12):
        wait, ab = _run({"kind": "exponential", "mean_s": 120.0}, 2, seed=100 + seed)
        rate, _, events, _ = exponential_mle(wait, ab)
        z.append((rate - true_rate) / (rate / np.sqrt(events)))  # se of the MLE: rate/sqrt(d)
    z = np.asarray(z)
    assert abs(z.mean()) < 3 / np.sqrt(z.size)
    assert 0.4 < z.std(ddof=1) < 1.7  # sd of 12 standard normals: 95% range ~0.7-1.3


def test_piecewise_hazard_recovered_by_lifelines_and_closed_form() -> None:
    edges = (0.0, 30.0, 90.0)
    rates = (1 / 60.0, 1 / 300.0, 1 / 100.0)
    wait, ab = _run({"kind": "piecewise_hazard", "edges_s": list(edges),
                     "rates_per_s": list(rates)}, 12, seed=5)
    fit = fit_patience(wait, ab, edges_s=edges)
    closed = np.asarray(fit.events) / np.asarray(fit.segment_exposure_s)
    np.testing.assert_allclose(fit.rates_per_s, closed, rtol=1e-6)
    for r, lo, hi in zip(rates, fit.rates_low, fit.rates_high, strict=True):
        assert lo <= r <= hi
    # the Kaplan-Meier band covers the true survival at a few times inside the data
    km = fit.km
    for t in (20.0, 60.0, 120.0):
        row = km[km["time_s"] <= t].iloc[-1]
        true_sf = np.exp(-sum(r * max(0.0, min(t, b) - a) for a, b, r in
                              zip(edges, (*edges[1:], np.inf), rates, strict=True)))
        assert row["lower"] <= true_sf <= row["upper"], (t, row.to_dict(), true_sf)


def test_weibull_patience_kaplan_meier_band_covers_truth() -> None:
    shape, scale = 0.7, 200.0
    wait, ab = _run({"kind": "weibull", "shape": shape, "scale_s": scale}, 8, seed=9)
    fit = fit_patience(wait, ab)
    km = fit.km
    for t in (15.0, 45.0, 100.0):
        row = km[km["time_s"] <= t].iloc[-1]
        true_sf = np.exp(-((t / scale) ** shape))
        assert row["lower"] <= true_sf <= row["upper"], (t, row.to_dict(), true_sf)
    # the hazard falls with time (Weibull shape < 1): first segment rate > last
    assert fit.rates_per_s[0] > fit.rates_per_s[-1]


def test_patience_errors() -> None:
    with pytest.raises(ValueError, match="no call abandoned"):
        fit_patience(np.array([1.0, 2.0]), np.array([False, False]))
    with pytest.raises(ValueError, match=">= 0"):
        fit_patience(np.array([-1.0, 2.0]), np.array([True, False]))
