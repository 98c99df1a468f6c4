"""Handle-time law choice on callsim's own calls: a lognormal handle time is recovered
(mean and cv inside their exact delta-method intervals, which narrow like 1/sqrt(n)) and
chosen over gamma and Weibull by AIC."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.fit.handle import fit_handle
from sim.fit.simulated import log_from_calls


def _handles(days: int, seed: int) -> np.ndarray:
    cfg = {
        "center": {"volume_per_day": 1500.0},
        "staffing": {"agents": 12},
        "service": {"talk": {"kind": "lognormal", "mean_s": 180.0, "cv": 1.2},
                    "acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "exponential", "mean_s": 300.0},
        "run": {"days": days, "seed": seed},
    }
    return log_from_calls(sim.simulate(cfg).calls).calls["handle_s"].to_numpy()


def test_lognormal_handle_recovered_and_chosen() -> None:
    half = []
    for days in (2, 8):
        fit = fit_handle(_handles(days, seed=1))  # fixed seed; 95% intervals
        assert fit.chosen == "lognormal", fit.table
        lo, hi = fit.lognormal_ci["mean_s"]
        assert lo <= 180.0 <= hi
        lo_cv, hi_cv = fit.lognormal_ci["cv"]
        assert lo_cv <= 1.2 <= hi_cv
        half.append(hi - lo)
        assert fit.distribution()["kind"] == "lognormal"
    # 4x the calls: half the width (+-15%: the answered count is itself random, sd ~1%)
    assert 1.7 < half[0] / half[1] < 2.3


def test_gamma_data_prefers_gamma() -> None:
    rng = np.random.default_rng(4)
    x = rng.gamma(2.0, 100.0, size=20_000)
    fit = fit_handle(x)
    assert fit.chosen == "gamma"
    spec = fit.distribution()
    # gamma MLE: shape within 4 se of 2 (se of the shape ~ sqrt(shape/n)*1.4 ~ 0.014)
    assert spec["cv"] == pytest.approx(1 / np.sqrt(2.0), abs=4 * 0.014 / (2 * 2.0**1.5))


def test_mixture_falls_back_to_empirical_and_zeros_counted() -> None:
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.lognormal(3, 0.3, 8000), rng.lognormal(6, 0.3, 8000), [0.0] * 7])
    fit = fit_handle(x)
    assert fit.zeros == 7 and fit.n == 16_000
    assert fit.chosen == "empirical"
    assert len(fit.distribution()["values_s"]) == 1000
    with pytest.raises(ValueError, match="at least 10"):
        fit_handle(np.array([1.0, 2.0, np.nan]))
