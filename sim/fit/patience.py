"""Patience from waits: survival analysis with right censoring.

A caller who abandons after waiting ``w`` shows a patience of ``w``; a caller answered after
``w`` only shows that their patience was longer than ``w`` (right-censored). Ignoring the
censoring (averaging abandonment times) badly underestimates patience. Three estimators, all
on the calls that queued (answered at wait 0 tell nothing and are left out):

* **exponential, closed form**: the censored MLE of a constant hazard is
  ``rate = abandons / total time at risk`` (sum of all waits); the interval is the exact
  Poisson (chi-square) interval of the abandon count over the fixed exposure;
* **piecewise-constant hazard** (lifelines ``PiecewiseExponentialFitter``): one rate per
  segment between ``edges_s``, Wald intervals from lifelines; in closed form the MLE of each
  rate is the segment's abandons over its time at risk (checked in the tests);
* **Kaplan-Meier** (lifelines ``KaplanMeierFitter``): the nonparametric survival curve
  P(patience > t) with Greenwood-type (exponential) confidence bands.

Sources: Brown et al. (2005), "Statistical analysis of a telephone call center",
JASA 100:36-50, section 6 (patience of the Anonymous Bank's callers, censoring, the hazard
peak at the queue announcement); lifelines (Davidson-Pilon, JOSS 2019).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2

__all__ = ["DEFAULT_EDGES_S", "PatienceFit", "exponential_mle", "fit_patience", "segment_edges"]

#: Candidate change points of the piecewise hazard, seconds (merged where events are few).
DEFAULT_EDGES_S = (0.0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600, 900)
_EPS_S = 1e-3  # an abandonment at wait 0 is an event at this tiny time (lifelines needs > 0)


@dataclass(frozen=True)
class PatienceFit:
    """Patience estimated from censored waits (all times in seconds, rates per second).

    ``edges_s[i]`` starts segment ``i`` of the piecewise hazard (the last runs to infinity);
    ``rates_per_s``, ``rates_low``, ``rates_high`` its MLE and confidence bounds (lifelines);
    ``events``, ``exposure_s`` the abandons and time at risk per segment; ``km`` the
    Kaplan-Meier table (columns ``time_s``, ``survival``, ``lower``, ``upper``).
    """

    n: int
    abandons: int
    exposure_s: float
    exp_rate_per_s: float
    exp_rate_ci: tuple[float, float]
    edges_s: tuple[float, ...]
    rates_per_s: tuple[float, ...]
    rates_low: tuple[float, ...]
    rates_high: tuple[float, ...]
    events: tuple[int, ...]
    segment_exposure_s: tuple[float, ...]
    km: pd.DataFrame
    confidence: float = 0.95

    @property
    def exp_mean_s(self) -> float:
        """Mean patience of the exponential fit, seconds (inf if no abandons)."""
        return 1.0 / self.exp_rate_per_s if self.exp_rate_per_s > 0 else float("inf")

    def distribution(self) -> dict[str, Any]:
        """The fitted piecewise hazard as a callsim distribution node (``patience:``)."""
        return {
            "kind": "piecewise_hazard",
            "edges_s": [float(e) for e in self.edges_s],
            "rates_per_s": [float(r) for r in self.rates_per_s],
        }

    def exponential(self) -> dict[str, Any]:
        """The fitted exponential law as a callsim distribution node."""
        return {"kind": "exponential", "mean_s": float(self.exp_mean_s)}

    def survival(self, t: np.ndarray) -> np.ndarray:
        """P(patience > t) of the piecewise-hazard fit."""
        t = np.asarray(t, dtype=float)
        e = np.asarray(self.edges_s)
        r = np.asarray(self.rates_per_s)
        width = np.clip(t[..., None] - e, 0.0, np.append(np.diff(e), np.inf))
        return np.asarray(np.exp(-(width * r).sum(axis=-1)))


def _risk(wait: np.ndarray, abandoned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Durations and event flags of the calls that queued (answered at 0 dropped)."""
    wait = np.asarray(wait, dtype=float)
    abandoned = np.asarray(abandoned, dtype=bool)
    if wait.shape != abandoned.shape:
        raise ValueError(f"wait ({wait.shape}) and abandoned ({abandoned.shape}) differ in shape")
    if (wait < 0).any() or not np.isfinite(wait).all():
        raise ValueError("waits must be finite and >= 0 seconds")
    keep = (wait > 0) | abandoned
    return np.maximum(wait[keep], _EPS_S), abandoned[keep]


def exponential_mle(
    wait: np.ndarray, abandoned: np.ndarray, confidence: float = 0.95
) -> tuple[float, tuple[float, float], int, float]:
    """Closed-form censored MLE of an exponential patience.

    Returns ``(rate, (low, high), abandons, exposure_s)``: rate = abandons / sum of waits,
    per second; the exact Poisson interval ``chi2(a/2; 2d) / 2E .. chi2(1-a/2; 2d+2) / 2E``.
    """
    d, e = _risk(wait, abandoned)
    events, exposure = int(e.sum()), float(d.sum())
    if exposure <= 0:
        raise ValueError("no time at risk: no call waited")
    alpha = 1.0 - confidence
    low = chi2.ppf(alpha / 2, 2 * events) / (2 * exposure) if events else 0.0
    high = chi2.ppf(1 - alpha / 2, 2 * events + 2) / (2 * exposure)
    return events / exposure, (float(low), float(high)), events, exposure


def _segment_counts(
    d: np.ndarray, e: np.ndarray, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Abandons and time at risk per segment between ``edges`` (last open)."""
    width = np.append(np.diff(edges), np.inf)
    exposure = np.clip(d[:, None] - edges, 0.0, width).sum(axis=0)
    seg = np.searchsorted(edges, d, side="right") - 1
    events = np.bincount(seg[e], minlength=edges.size)
    return events, exposure


def segment_edges(
    wait: np.ndarray,
    abandoned: np.ndarray,
    candidates: tuple[float, ...] = DEFAULT_EDGES_S,
    min_events: int = 30,
) -> tuple[float, ...]:
    """Change points from ``candidates``, merging segments with fewer than ``min_events``
    abandons into their left neighbour (so every rate rests on enough events)."""
    d, e = _risk(wait, abandoned)
    edges = [float(c) for c in candidates]
    while len(edges) > 1:
        events, _ = _segment_counts(d, e, np.asarray(edges))
        small = np.flatnonzero(events < min_events)
        small = small[small > 0]
        if small.size == 0:
            break
        del edges[int(small[-1])]
    return tuple(edges)


def _kaplan_meier(d: np.ndarray, e: np.ndarray, confidence: float) -> pd.DataFrame:
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter(alpha=1.0 - confidence).fit(d, e)
    sf = km.survival_function_.iloc[:, 0]
    ci = km.confidence_interval_survival_function_
    return pd.DataFrame(
        {
            "time_s": sf.index.to_numpy(dtype=float),
            "survival": sf.to_numpy(dtype=float),
            "lower": ci.iloc[:, 0].to_numpy(dtype=float),
            "upper": ci.iloc[:, 1].to_numpy(dtype=float),
        }
    )


def fit_patience(
    wait: np.ndarray,
    abandoned: np.ndarray,
    edges_s: tuple[float, ...] | None = None,
    confidence: float = 0.95,
    min_events: int = 30,
) -> PatienceFit:
    """Fit patience to waits (seconds) and abandon flags of the calls of a log.

    ``edges_s`` (first 0) are the hazard's change points; None chooses them from
    :data:`DEFAULT_EDGES_S` with at least ``min_events`` abandons per segment. Raises
    ValueError when no call waited or no call abandoned.
    """
    from lifelines import PiecewiseExponentialFitter

    rate, ci, events, exposure = exponential_mle(wait, abandoned, confidence)
    if events == 0:
        raise ValueError("no call abandoned: patience cannot be estimated (only bounded)")
    d, e = _risk(wait, abandoned)
    edges = np.asarray(
        segment_edges(wait, abandoned, min_events=min_events) if edges_s is None else edges_s,
        dtype=float,
    )
    if edges[0] != 0.0:
        raise ValueError(f"edges_s[0] = {edges[0]!r}: must be 0")
    seg_events, seg_exposure = _segment_counts(d, e, edges)
    if (seg_events == 0).any():
        raise ValueError(
            f"no abandons in the hazard segment starting at {edges[seg_events == 0][0]:g} s; "
            "use fewer change points"
        )
    if edges.size > 1:
        pf = PiecewiseExponentialFitter(breakpoints=list(edges[1:]), alpha=1.0 - confidence)
        # started at the closed-form MLE (events / exposure per segment), the optimiser only
        # confirms it and lifelines supplies the Wald intervals of the scales 1/rate
        pf.fit(d, e, initial_point=seg_exposure / seg_events)
        s = pf.summary
        rates = 1.0 / s["coef"].to_numpy(dtype=float)
        low = 1.0 / s[s.columns[3]].to_numpy(dtype=float)  # upper bound of the scale
        high = 1.0 / np.maximum(s[s.columns[2]].to_numpy(dtype=float), 1e-300)
    else:
        rates = np.array([rate])
        low, high = np.array([ci[0]]), np.array([ci[1]])
    return PatienceFit(
        n=int(d.size),
        abandons=events,
        exposure_s=exposure,
        exp_rate_per_s=rate,
        exp_rate_ci=ci,
        edges_s=tuple(float(x) for x in edges),
        rates_per_s=tuple(float(x) for x in rates),
        rates_low=tuple(float(x) for x in low),
        rates_high=tuple(float(x) for x in high),
        events=tuple(int(x) for x in seg_events),
        segment_exposure_s=tuple(float(x) for x in seg_exposure),
        km=_kaplan_meier(d, e, confidence),
        confidence=confidence,
    )
