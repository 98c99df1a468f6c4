"""Means of KPIs over replications with Student-t confidence intervals, and the one rule
for their bounds: clipped at the KPI's natural range.

A count or a time is never below 0 and a share never outside [0, 1]
(:func:`sim.outputs.kpis.natural_bounds`), but the Student-t interval, symmetric around
the mean, reaches past the range when replications vary a lot relative to the mean
(customers lost to service: 77.5 ± 120.7 over 3 replications). Every table of means
with intervals (the run's ``summary``, per call type and agent group, the callbacks,
a sweep's points) is made here, so each is clipped the same way: ``ci_low`` and
``ci_high`` at the range, ``half_width`` not, so a bound was clipped exactly where it
differs from ``mean`` -/+ ``half_width`` (:func:`clipped`).

A ratio KPI (service level, abandonment, a callback's acceptance: a count over a count
of the same run) is not the mean of the replications' ratios, which weighs a
replication with 1 offer as much as one with 75, but the ratio estimator
(:func:`ratio_estimate`): every replication's numerator summed over every
replication's denominator, with its delta-method interval (docs/background/metrics.md,
"Ratios over replications"). :func:`confidence_table` applies it to the KPIs whose
parts it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.outputs.kpis import natural_bounds

__all__ = ["PARTS_COLUMNS", "STATS_COLUMNS", "RatioParts", "clipped", "confidence_by",
           "confidence_table", "parts_table", "pooled_parts", "ratio_estimate"]  # fmt: skip

#: The numerators and denominators of ratio KPIs, one entry per replication: KPI name
#: -> (numerators, denominators), two arrays of the same length.
RatioParts = Mapping[str, tuple[np.ndarray, np.ndarray]]

#: The columns of a long table of ratio parts (one replication's, per call type or
#: agent group: :func:`parts_table`), after the type (group) column.
PARTS_COLUMNS = ("kpi", "numerator", "denominator")

#: The columns of a table of means with confidence intervals, after its KPI column.
STATS_COLUMNS = ("mean", "sd", "n", "half_width", "ci_low", "ci_high")


def ratio_estimate(
    numerator: np.ndarray, denominator: np.ndarray
) -> tuple[float, float, int]:
    """The ratio estimator of i.i.d. replications: ``(R, sd, n)``.

    ``numerator`` X and ``denominator`` Y: one value per replication (e.g. calls
    answered within the threshold and calls offered); a replication where either is
    NaN is left out, one whose Y is 0 counts (it adds nothing to either sum). R =
    sum(X) / sum(Y), the pooled ratio, estimates r = E[X] / E[Y]. By the delta method
    sqrt(n) (R - r) tends to a normal law of variance Var(X - r Y) / E[Y]^2, estimated by
    ``sd`` squared = s^2(X_i - R Y_i) / Ybar^2 (``s``: the sample standard deviation,
    ddof 1; Ybar: the mean of Y), so R's standard error is ``sd`` / sqrt(n) and its
    interval R -/+ t(n-1) ``sd`` / sqrt(n) (Asmussen and Glynn, *Stochastic
    Simulation*, 2007, ch. III, the delta method and ratio estimators; Law,
    *Simulation Modeling and Analysis*, 5th ed., 2015, the regenerative method's
    ratio estimator).
    R is NaN when sum(Y) = 0, ``sd`` when n < 2 too.
    """
    x = np.asarray(numerator, dtype=float)
    y = np.asarray(denominator, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = int(x.size)
    total = float(y.sum())
    if n == 0 or total == 0:
        return float("nan"), float("nan"), n
    r = float(x.sum()) / total
    if n < 2:
        return r, float("nan"), n
    sd = float(np.std(x - r * y, ddof=1)) / (total / n)
    return r, sd, n


def pooled_parts(parts: pd.DataFrame) -> RatioParts:
    """A long table of ratio parts (:data:`PARTS_COLUMNS`, one row per replication and
    KPI, in replication order) as :data:`RatioParts`: KPI -> (numerators,
    denominators), in the order of the table's first rows."""
    return {
        str(kpi): (rows["numerator"].to_numpy(), rows["denominator"].to_numpy())
        for kpi, rows in parts.groupby("kpi", sort=False)
    }


def confidence_table(
    per_replication: pd.DataFrame, confidence: float = 0.95, ratios: RatioParts | None = None
) -> pd.DataFrame:
    """Mean and Student-t confidence interval at ``confidence`` of every numeric column
    of ``per_replication`` (one row per replication; a ``replication`` column is
    dropped), one row per column, indexed by ``kpi``: :data:`STATS_COLUMNS`.

    ``ratios``: the per-replication numerators and denominators of the ratio KPIs
    (:data:`RatioParts`; :attr:`sim.outputs.results.Results.ratio_parts`). Their rows
    give the ratio estimator instead of the mean of the ratios (:func:`ratio_estimate`:
    ``mean`` = the pooled ratio, ``sd`` its delta-method standard deviation per
    replication, ``half_width`` = t quantile x ``sd`` / sqrt(n)); a name of ``ratios``
    that is not a column of ``per_replication`` is left out.

    ``ci_low`` and ``ci_high`` are clipped at the natural range of a column named after
    a KPI (:func:`~sim.outputs.kpis.natural_bounds`; any other column is unbounded);
    ``half_width`` is not. ``n`` < 2 gives NaN for ``sd``, ``half_width`` and the
    bounds."""
    num = per_replication.drop(columns=["replication"], errors="ignore").astype(float)
    n = num.notna().sum()
    mean = num.mean()
    sd = num.std(ddof=1)
    for name, (x, y) in (ratios or {}).items():
        if name in num.columns:
            mean[name], sd[name], n[name] = ratio_estimate(x, y)
    tq = pd.Series(
        [stats.t.ppf(0.5 + confidence / 2, k - 1) if k > 1 else np.nan for k in n], index=n.index
    )
    half = tq * sd / np.sqrt(n)
    bounds = np.array([natural_bounds(str(k)) for k in num.columns], dtype=float).reshape(-1, 2)
    return pd.DataFrame(
        {
            "mean": mean,
            "sd": sd,
            "n": n,
            "half_width": half,
            "ci_low": (mean - half).clip(lower=bounds[:, 0], upper=bounds[:, 1]),
            "ci_high": (mean + half).clip(lower=bounds[:, 0], upper=bounds[:, 1]),
        }
    ).rename_axis("kpi")


def confidence_by(
    per: pd.DataFrame, by: str, confidence: float = 0.95, ratios: pd.DataFrame | None = None
) -> pd.DataFrame:
    """:func:`confidence_table` of each value of the column ``by`` (a call type, an agent
    group), long form: one row per value and KPI with ``by``, ``kpi`` and
    :data:`STATS_COLUMNS` (bounds clipped as there); values in the order of ``by``'s
    categories (config order). ``per``: one row per replication and value. ``ratios``:
    the ratio parts of every replication and value (``by`` and :data:`PARTS_COLUMNS`,
    :func:`parts_table` of each replication stacked): those KPIs by the ratio estimator."""
    if per.empty:
        return pd.DataFrame(columns=[by, "kpi", *STATS_COLUMNS])
    pooled: dict[object, RatioParts] = {}
    if ratios is not None and len(ratios):
        pooled = {value: pooled_parts(rows)
                  for value, rows in ratios.groupby(by, observed=True, sort=False)}  # fmt: skip
    frames = []
    for value, rows in per.groupby(by, observed=True, sort=True):
        ci = confidence_table(rows.drop(columns=[by]), confidence, pooled.get(value)).reset_index()
        ci.insert(0, by, value)
        frames.append(ci)
    out = pd.concat(frames, ignore_index=True)
    column = per[by]
    if isinstance(column.dtype, pd.CategoricalDtype):
        out[by] = pd.Categorical(out[by], categories=column.cat.categories)
    return out[[by, "kpi", *STATS_COLUMNS]]


def parts_table(
    by: str, names: Sequence[str], parts: Mapping[str, tuple[np.ndarray, np.ndarray]]
) -> pd.DataFrame:
    """The ratio parts of one replication per call type (agent group) ``names``, long
    form: ``by`` (categorical, categories ``names``) and :data:`PARTS_COLUMNS`, one row
    per KPI and name. ``parts``: KPI -> (numerators, denominators), each an array with
    one entry per name, in the order of ``names``."""
    k = len(names)
    return pd.DataFrame({
        by: pd.Categorical(list(names) * len(parts), categories=list(names)),
        "kpi": np.repeat(list(parts), k),
        "numerator": np.concatenate([np.asarray(x, float).reshape(k) for x, _ in parts.values()]),
        "denominator": np.concatenate([np.asarray(y, float).reshape(k) for _, y in parts.values()]),
    })  # fmt: skip


def clipped(mean: float, half_width: float, bound: float, side: str) -> bool:
    """Whether ``bound`` (``side``: ``ci_low`` or ``ci_high``) of a row of a table of
    :func:`confidence_table` was clipped at the KPI's natural range: it differs from
    ``mean`` -/+ ``half_width`` (False when those are not finite)."""
    raw = mean - half_width if side == "ci_low" else mean + half_width
    return bool(np.isfinite(raw)) and bound != raw
