"""Redials recovered from callsim's own calls, with its redial probability inside the exact
binomial interval and the delay mean within its standard error."""

from __future__ import annotations

import numpy as np

import sim
from sim.fit.logs import make_log
from sim.fit.repeats import clopper_pearson, fit_repeats
from sim.fit.simulated import log_from_calls


def test_redials_recovered() -> None:
    cfg = {
        # open around the clock: no redial is lost to a closed centre
        "center": {"open_time": "00:00", "close_time": "24:00", "interval_min": 60,
                   "volume_per_day": 4000.0},
        "staffing": {"agents": 9},
        "service": {"talk": {"kind": "exponential", "mean_s": 200.0},
                    "acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "exponential", "mean_s": 60.0},
        "redials": {"probability": 0.4, "delay": {"kind": "exponential", "mean_s": 600.0},
                    "max_attempts": 255},  # no cap: every abandoned call may redial
        "run": {"days": 3, "seed": 4},
    }
    log = log_from_calls(sim.simulate(cfg).calls)
    # a 3-hour window is 18 mean delays: P(a redial comes later) = e^-18, negligible
    fit = fit_repeats(log, window_s=3 * 3600.0)
    lo, hi = fit.redial_ci
    assert lo <= 0.4 <= hi, fit
    assert fit.abandoned > 1000
    # mean of ~0.4 x abandoned exponential delays: se = 600 / sqrt(redialled)
    assert abs(fit.redial_delay_mean_s - 600.0) < 4 * 600.0 / np.sqrt(fit.redialled)
    assert fit.identified_share == 1.0
    assert fit.repeat_probability == 0.0  # an answered caller never calls again here


def test_window_and_censoring_by_hand() -> None:
    # customer a: abandons at 0 (wait 10), calls again at 100 -> redial after 90 s;
    # customer b: answered, calls again at 5000 (beyond the 1000 s window) -> no repeat;
    # customer c: abandons at 9500: its window runs past the log's end -> left out
    log = make_log(
        np.array([0.0, 100.0, 200.0, 5000.0, 9500.0, 10_000.0]),
        np.array([10.0, 0.0, 0.0, 0.0, 5.0, 0.0]),
        np.array([False, True, True, True, False, True]),
        np.array([0.0, 50.0, 60.0, 70.0, 0.0, 30.0]),
        customer_id=np.array(["a", "a", "b", "b", "c", ""]),
    )
    fit = fit_repeats(log, window_s=1000.0)
    assert (fit.abandoned, fit.redialled, fit.redial_delay_mean_s) == (1, 1, 90.0)
    assert fit.answered == 3 and fit.repeated == 0  # a's 2nd call, b's two calls
    assert fit.identified_share == 5 / 6


def test_clopper_pearson_edges() -> None:
    assert clopper_pearson(0, 10)[0] == 0.0 and clopper_pearson(10, 10)[1] == 1.0
    lo, hi = clopper_pearson(5, 10)
    assert 0.18 < lo < 0.19 and 0.81 < hi < 0.82  # the textbook values 0.187, 0.813
