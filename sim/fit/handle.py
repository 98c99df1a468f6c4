"""Handle time: candidate laws fitted by maximum likelihood and compared.

Candidates: lognormal, gamma and Weibull (scipy.stats MLE with location 0) and the empirical
law of the observations. Each parametric law gets its log-likelihood, AIC and the
Kolmogorov-Smirnov distance to the data; the law with the least AIC is chosen, unless its KS
distance exceeds ``max_ks`` (the parametric shape misses the data by more than that anywhere),
in which case the empirical law is kept. Zero handle times (a log rounding to whole seconds)
are left out of the parametric fits and counted.

For the lognormal the intervals are exact delta-method formulas: with ``sigma`` the MLE of
the log-sd over ``n`` values, ``se(mean) = mean * sqrt(sigma^2/n + sigma^4/(2n))`` and
``se(cv) = sigma^2 exp(sigma^2) / (cv sqrt(2n))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CANDIDATES", "HandleFit", "fit_handle"]

CANDIDATES = ("lognormal", "gamma", "weibull")
_Z = 1.959963984540054  # 97.5% normal quantile
_EMPIRICAL_POINTS = 1000  # the empirical law keeps this many quantiles of the data


@dataclass(frozen=True)
class HandleFit:
    """Handle-time fit: ``table`` has one row per candidate (``law``, ``loglik``, ``aic``,
    ``ks``, ``mean_s``, ``cv`` and the law's callsim parameters); ``chosen`` its winner."""

    n: int
    zeros: int
    mean_s: float
    cv: float
    table: pd.DataFrame
    chosen: str
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    lognormal_ci: dict[str, tuple[float, float]] = field(default_factory=dict)

    def distribution(self) -> dict[str, Any]:
        """The chosen law as a callsim distribution node (``service.talk``)."""
        return self.specs[self.chosen]


def _lognormal_ci(x: np.ndarray) -> tuple[dict[str, Any], dict[str, tuple[float, float]], float]:
    logs = np.log(x)
    n = x.size
    mu, sigma = float(logs.mean()), float(logs.std())  # MLE (ddof 0)
    mean = math.exp(mu + sigma**2 / 2)
    cv = math.sqrt(math.expm1(sigma**2))
    se_mean = mean * math.sqrt(sigma**2 / n + sigma**4 / (2 * n))
    se_cv = sigma**2 * math.exp(sigma**2) / (cv * math.sqrt(2 * n))
    ll = float(stats.lognorm.logpdf(x, sigma, scale=math.exp(mu)).sum())
    spec = {"kind": "lognormal", "mean_s": mean, "cv": cv}
    ci = {
        "mean_s": (mean - _Z * se_mean, mean + _Z * se_mean),
        "cv": (cv - _Z * se_cv, cv + _Z * se_cv),
    }
    return spec, ci, ll


def _ks(x: np.ndarray, cdf: Any) -> float:
    return float(stats.kstest(x, cdf).statistic)


def fit_handle(handle_s: np.ndarray, max_ks: float = 0.03) -> HandleFit:
    """Fit the candidate laws to handle times (seconds, >= 0; NaN ignored).

    Raises ValueError with fewer than 10 positive handle times.
    """
    x = np.asarray(handle_s, dtype=float)
    x = x[np.isfinite(x)]
    zeros = int((x <= 0).sum())
    x = x[x > 0]
    if x.size < 10:
        raise ValueError(f"only {x.size} positive handle times: need at least 10 to fit a law")
    rows: list[dict[str, Any]] = []
    specs: dict[str, dict[str, Any]] = {}
    spec, ci, ll = _lognormal_ci(x)
    s = math.sqrt(math.log1p(spec["cv"] ** 2))
    ks = _ks(x, stats.lognorm(s, scale=spec["mean_s"] / math.exp(s**2 / 2)).cdf)
    specs["lognormal"] = spec
    rows.append({"law": "lognormal", "loglik": ll, "k": 2, "ks": ks, **spec})
    a, _, scale = stats.gamma.fit(x, floc=0)
    law = stats.gamma(a, scale=scale)
    specs["gamma"] = {"kind": "gamma", "mean_s": float(a * scale), "cv": float(1 / math.sqrt(a))}
    rows.append({"law": "gamma", "loglik": float(law.logpdf(x).sum()), "k": 2,
                 "ks": _ks(x, law.cdf), **specs["gamma"]})
    c, _, scale = stats.weibull_min.fit(x, floc=0)
    law = stats.weibull_min(c, scale=scale)
    specs["weibull"] = {"kind": "weibull", "shape": float(c), "scale_s": float(scale)}
    rows.append({"law": "weibull", "loglik": float(law.logpdf(x).sum()), "k": 2,
                 "ks": _ks(x, law.cdf), "mean_s": float(law.mean()), "cv": float(law.std() /
                                                                                 law.mean()),
                 **specs["weibull"]})
    table = pd.DataFrame(rows)
    table["aic"] = 2 * table["k"] - 2 * table["loglik"]
    best = str(table["law"].iloc[int(table["aic"].to_numpy().argmin())])
    q = np.quantile(x, (np.arange(_EMPIRICAL_POINTS) + 0.5) / _EMPIRICAL_POINTS)
    specs["empirical"] = {"kind": "empirical", "values_s": [round(float(v), 3) for v in q]}
    emp = {"law": "empirical", "loglik": math.nan, "k": x.size, "aic": math.nan,
           "ks": _ks(x, lambda t: np.searchsorted(np.sort(q), t, side="right") / q.size),
           "mean_s": float(q.mean()), "cv": float(q.std() / q.mean())}
    table = pd.concat([table, pd.DataFrame([emp])], ignore_index=True)
    chosen = best if float(table.loc[table["law"] == best, "ks"].iloc[0]) <= max_ks else "empirical"
    return HandleFit(
        n=int(x.size),
        zeros=zeros,
        mean_s=float(x.mean()),
        cv=float(x.std() / x.mean()),
        table=table,
        chosen=chosen,
        specs=specs,
        lognormal_ci=ci,
    )
