"""The arrival model from counts: intraday profile, day-of-week factors and busyness.

callsim's arrival model (:mod:`sim.arrivals`) gives day ``d`` (weekday ``w``) the count
``N_dk ~ Poisson(B_d * L_w * p_k)`` in interval ``k``, with ``B_d`` a gamma busyness factor
of mean 1 and variance ``v``. Its likelihood splits in two exactly:

* given the day's total, the split over intervals is multinomial with shares ``p``, so the
  MLE of the profile is each interval's share of all calls;
* the daily total ``N_d`` is negative binomial with mean ``L_w`` and shape ``1/v``. For a
  fixed ``v`` the MLE of ``L_w`` is the mean total of the weekday's days; ``v`` maximises the
  profile likelihood (``v = 0``, plain Poisson, is allowed), and its confidence interval is
  the likelihood-ratio interval ``2 (l(v_hat) - l(v)) <= chi2_1(confidence)``.

callsim's parameters follow: ``volume_per_day`` = mean of ``L_w`` over the weekdays seen,
``day_of_week_factors[w] = L_w / volume_per_day`` (0 for a weekday never seen, stated).
Days without a single call (missing from the log) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import gammaln
from scipy.stats import chi2

__all__ = ["ArrivalFit", "counts_matrix", "fit_arrivals", "nb_loglik"]

_V_MAX = 5.0  # largest busyness variance searched (a daily factor with sd 2.2)


@dataclass(frozen=True)
class ArrivalFit:
    """Fitted arrival model. ``profile`` has one share per interval (sums to 1);
    ``day_of_week_factors`` 7 multipliers, Monday first; ``busyness_var`` with its
    likelihood-ratio interval ``busyness_ci``; ``weekday_days`` days seen per weekday."""

    profile: tuple[float, ...]
    volume_per_day: float
    day_of_week_factors: tuple[float, ...]
    busyness_var: float
    busyness_ci: tuple[float, float]
    days: int
    weekday_days: tuple[int, ...]
    daily_totals: tuple[int, ...]
    confidence: float = 0.95


def nb_loglik(totals: np.ndarray, means: np.ndarray, v: float) -> float:
    """Log-likelihood of daily totals, negative binomial with ``means`` and variance
    ``mean + v mean^2`` (Poisson at ``v = 0``); terms free of the parameters included."""
    n = np.asarray(totals, dtype=float)
    m = np.asarray(means, dtype=float)
    if v <= 0:
        return float((n * np.log(m) - m - gammaln(n + 1)).sum())
    a = 1.0 / v
    return float(
        (gammaln(n + a) - gammaln(a) - gammaln(n + 1) + a * np.log(a / (a + m))
         + n * np.log(m / (a + m))).sum()
    )


def counts_matrix(
    arrival_s: np.ndarray, days: int, open_s: float, close_s: float, interval_s: float
) -> np.ndarray:
    """Calls per day (rows) and interval (columns) of arrival times (seconds from 00:00 of
    day 0); arrivals outside ``[open_s, close_s)`` of their day are not counted."""
    t = np.asarray(arrival_s, dtype=float)
    day = np.floor(t / 86_400.0).astype(np.int64)
    k = round((close_s - open_s) / interval_s)
    idx = np.floor((t - day * 86_400.0 - open_s) / interval_s).astype(np.int64)
    keep = (idx >= 0) & (idx < k) & (day >= 0) & (day < days)
    return np.bincount(day[keep] * k + idx[keep], minlength=days * k).reshape(days, k)


def fit_arrivals(
    counts: np.ndarray, weekdays: np.ndarray, confidence: float = 0.95
) -> ArrivalFit:
    """Fit profile, weekday factors and busyness variance to ``counts`` (days x intervals)
    with the weekday (0 = Monday) of each row. Rows summing to 0 are left out. Raises
    ValueError with fewer than 2 days of calls."""
    c = np.asarray(counts, dtype=np.int64)
    wd = np.asarray(weekdays, dtype=np.int64)
    if c.ndim != 2 or wd.shape != (c.shape[0],):
        raise ValueError(f"counts {c.shape} need one weekday per row, got {wd.shape}")
    keep = c.sum(axis=1) > 0
    c, wd = c[keep], wd[keep]
    if c.shape[0] < 2:
        raise ValueError(f"{c.shape[0]} day(s) with calls: need at least 2 to fit arrivals")
    totals = c.sum(axis=1)
    profile = c.sum(axis=0) / totals.sum()
    seen = np.bincount(wd, minlength=7)
    level = np.bincount(wd, weights=totals, minlength=7) / np.maximum(seen, 1)
    means = level[wd]

    def nll(v: float) -> float:
        return -nb_loglik(totals, means, v)

    res = minimize_scalar(nll, bounds=(0.0, _V_MAX), method="bounded",
                          options={"xatol": 1e-9})
    v_hat = float(res.x) if nll(float(res.x)) < nll(0.0) else 0.0
    best = -nll(v_hat)
    crit = chi2.ppf(confidence, 1) / 2

    def gap(v: float) -> float:
        return best - (-nll(v)) - crit

    low = 0.0 if gap(0.0) <= 0 else _root(gap, 0.0, v_hat)
    high = _root(gap, v_hat, _V_MAX) if gap(_V_MAX) > 0 else math.inf
    volume = float(level[seen > 0].mean())
    return ArrivalFit(
        profile=tuple(float(p) for p in profile),
        volume_per_day=volume,
        day_of_week_factors=tuple(float(x / volume) for x in level),
        busyness_var=v_hat,
        busyness_ci=(low, high),
        days=int(c.shape[0]),
        weekday_days=tuple(int(s) for s in seen),
        daily_totals=tuple(int(t) for t in totals),
        confidence=confidence,
    )


def _root(f: Callable[[float], float], lo: float, hi: float) -> float:
    from scipy.optimize import brentq

    return float(brentq(f, lo, hi, xtol=1e-10))
