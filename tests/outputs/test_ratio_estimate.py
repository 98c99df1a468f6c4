"""Ratio KPIs over replications: the ratio estimator (pooled numerator / pooled
denominator) with its delta-method interval (``sim.outputs.confidence.ratio_estimate``),
and the run's summaries built with it from each replication's parts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.model.runner import replicate
from sim.outputs.callbacks import CALLBACK_KEYS
from sim.outputs.confidence import confidence_by, confidence_table, ratio_estimate
from sim.outputs.metrics import QUEUE_KEYS


def test_the_estimator_against_a_hand_computation() -> None:
    """X = (3, 10, 1) over Y = (4, 20, 2): R = 14/26 = 7/13; the residuals X - R Y are
    (11, -10, -1)/13, their variance (121 + 100 + 1)/169/2 = 111/169, Ybar = 26/3, so
    sd = sqrt(111)/13 / (26/3) = 3 sqrt(111)/338 and the 95% half-width
    t(0.975, 2) sd / sqrt(3). The mean of the ratios, (0.75 + 0.5 + 0.5)/3, is not R."""
    r, sd, n = ratio_estimate(np.array([3.0, 10.0, 1.0]), np.array([4.0, 20.0, 2.0]))
    assert r == 7 / 13 and n == 3
    assert sd == pytest.approx(3 * math.sqrt(111) / 338, rel=1e-14)
    per = pd.DataFrame({"replication": [0, 1, 2], "abandon_rate": [0.75, 0.5, 0.5],
                        "offered": [4.0, 20.0, 2.0]})  # fmt: skip
    ci = confidence_table(per, 0.95, {"abandon_rate": (np.array([3, 10, 1]), np.array([4, 20, 2]))})
    row = ci.loc["abandon_rate"]
    half = stats.t.ppf(0.975, 2) * 3 * math.sqrt(111) / 338 / math.sqrt(3)
    assert row["mean"] == 7 / 13 and row["n"] == 3
    assert row["half_width"] == pytest.approx(half, rel=1e-13)
    assert row["ci_low"] == pytest.approx(7 / 13 - half, rel=1e-13)
    assert row["ci_high"] == pytest.approx(7 / 13 + half, rel=1e-13)
    assert ci.loc["offered", "mean"] == pytest.approx(26 / 3)  # a count: still the mean
    assert confidence_table(per).loc["abandon_rate", "mean"] == pytest.approx(1.75 / 3)


def test_a_replication_without_denominator_counts_and_edge_cases() -> None:
    """A replication with no offer has no ratio (NaN, left out of a mean of ratios) but
    counts in the ratio estimator with 0 over 0: n = 3. All denominators 0: NaN; one
    replication: its own ratio, no interval; NaN parts are left out."""
    per = pd.DataFrame({"callback_accept_rate": [0.5, math.nan, 1.0]})
    parts = {"callback_accept_rate": (np.array([1.0, 0.0, 3.0]), np.array([2.0, 0.0, 3.0]))}
    row = confidence_table(per, 0.95, parts).loc["callback_accept_rate"]
    assert row["mean"] == 4 / 5 and row["n"] == 3
    resid = np.array([1 - 0.8 * 2, 0.0, 3 - 0.8 * 3])
    assert row["sd"] == pytest.approx(resid.std(ddof=1) / (5 / 3), rel=1e-14)
    r, sd, n = ratio_estimate(np.zeros(4), np.zeros(4))
    assert math.isnan(r) and math.isnan(sd) and n == 4
    r, sd, n = ratio_estimate(np.array([0.1]), np.array([0.3]))
    assert r == 0.1 / 0.3 and math.isnan(sd) and n == 1
    r, sd, n = ratio_estimate(np.array([1.0, math.nan, 2.0]), np.array([2.0, 5.0, 2.0]))
    assert r == 0.75 and n == 2


def test_the_interval_covers_at_its_level_where_the_mean_of_ratios_does_not() -> None:
    """Coverage by simulation: 4,000 seeded studies of 10 i.i.d. replications, each
    quiet (Poisson(5) offers, 80% accepted) or busy (Poisson(60), 45% accepted) with
    probability 1/2, as callbacks that are rare and accepted less when the centre is
    full. r = E[X]/E[Y] = (2 + 13.5)/32.5. The 95% delta-method interval covers r in
    95% of the studies up to 3 binomial standard errors (sqrt(0.95 x 0.05 / 4000) =
    0.0034: 0.940 to 0.960; measured 0.947). The mean of the per-replication ratios
    estimates about (0.8 + 0.45)/2 instead, and its Student-t interval covers r in
    about 62% of the studies (measured 0.615): far below 0.90.
    The delta method is asymptotic: with 5 replications this case covers 0.93, with
    10 to 40 it stays within the tolerance (measured 0.947 to 0.949)."""
    m, n = 4000, 10
    rng = np.random.default_rng(20261130)
    busy = rng.random((m, n)) < 0.5
    y = rng.poisson(np.where(busy, 60.0, 5.0))
    x = rng.binomial(y, np.where(busy, 0.45, 0.8))
    r_true = (0.5 * 5 * 0.8 + 0.5 * 60 * 0.45) / (0.5 * 5 + 0.5 * 60)
    t = stats.t.ppf(0.975, n - 1)
    hits = 0
    for i in range(m):
        r, sd, k = ratio_estimate(x[i], y[i])
        hits += abs(r - r_true) <= t * sd / math.sqrt(k)
    # the mean of the ratios (a study's replications with no offer left out, as before)
    q = x / np.where(y > 0, y, np.nan)
    k = np.sum(~np.isnan(q), axis=1)
    half = stats.t.ppf(0.975, k - 1) * np.nanstd(q, axis=1, ddof=1) / np.sqrt(k)
    naive = int(np.sum(np.abs(np.nanmean(q, axis=1) - r_true) <= half))
    se = math.sqrt(0.95 * 0.05 / m)
    assert abs(hits / m - 0.95) <= 3 * se, hits / m
    assert naive / m < 0.90, naive / m


@pytest.fixture(scope="module")
def callback_reps() -> sim.Replications:
    return replicate(sim.compose(["scenario=callback_offered", "run.days=1", "run.seed=3"]),
                     replications=4, workers=1)  # fmt: skip


def test_each_replications_parts_give_its_ratios(callback_reps: sim.Replications) -> None:
    """numerator / denominator of every ratio KPI is the replication's own KPI (the
    mean delay up to rounding: a mean against a sum over a count), and every KPI of the
    summaries that is not a count has its parts."""
    parts = callback_reps.ratio_parts.set_index(["replication", "kpi"])
    per = callback_reps.per_replication.set_index("replication")
    cb = callback_reps.per_replication_callbacks.set_index("replication")
    counts = {"offered", "answered", "abandoned", "blocked", "closed", "redials", "repeats",
              "callback_offers", "callback_acceptances", "abandon_saved"}  # fmt: skip
    queue = [k for k in QUEUE_KEYS if k not in counts]
    callbacks = [k for k in CALLBACK_KEYS if k not in counts]
    assert set(parts.index.get_level_values("kpi")) == {*queue, *callbacks}
    for (rep, kpi), (x, y) in parts.iterrows():
        value = per.at[rep, kpi] if kpi in per.columns else cb.at[rep, kpi]
        own = x / y if y > 0 else math.nan
        if kpi == "callback_mean_delay_s":
            assert own == pytest.approx(value, rel=1e-12, nan_ok=True)
        else:
            assert own == value or (math.isnan(own) and math.isnan(value)), (rep, kpi)


def test_the_summaries_pool_the_parts(callback_reps: sim.Replications) -> None:
    """``summary`` and ``summary_callbacks`` give sum(numerators) / sum(denominators)
    for every ratio KPI, and the mean for a count."""
    sums = callback_reps.ratio_parts.groupby("kpi")[["numerator", "denominator"]].sum()
    for table in (callback_reps.summary, callback_reps.summary_callbacks):
        for kpi in table.index:
            if kpi in sums.index:
                x, y = sums.loc[kpi]
                assert table.at[kpi, "mean"] == pytest.approx(x / y, rel=1e-14), kpi
    per = callback_reps.per_replication_callbacks
    assert callback_reps.summary_callbacks.at["callback_offers", "mean"] == per["callback_offers"].mean()
    offers = callback_reps.ratio_parts.query("kpi == 'callback_accept_rate'")["denominator"]
    assert callback_reps.summary_callbacks.at["callback_accept_rate", "n"] == len(offers)


def test_one_replication_keeps_its_own_ratios() -> None:
    """One replication: the summary's mean is the replication's KPI, bit for bit."""
    reps = replicate({"run": {"days": 1, "seed": 4}, "staffing": {"agents": 9}}, replications=1)
    per = reps.per_replication.iloc[0]
    for kpi in reps.summary.index:
        a, b = reps.summary.at[kpi, "mean"], float(per[kpi])
        assert a == b or (math.isnan(a) and math.isnan(b)), kpi


def test_confidence_by_pools_each_values_parts() -> None:
    """Per call type: each type's ratio row is the ratio estimator of that type's
    parts, its count rows the mean."""
    per = pd.DataFrame({
        "call_type": pd.Categorical(["b", "a"] * 3, categories=["b", "a"]),
        "offered": [4.0, 10.0, 20.0, 10.0, 2.0, 12.0],
        "abandon_rate": [0.75, 0.1, 0.5, 0.2, 0.5, 0.25],
    })  # fmt: skip
    parts = pd.DataFrame({
        "call_type": pd.Categorical(["b", "a"] * 3, categories=["b", "a"]),
        "kpi": "abandon_rate",
        "numerator": [3.0, 1.0, 10.0, 2.0, 1.0, 3.0],
        "denominator": [4.0, 10.0, 20.0, 10.0, 2.0, 12.0],
    })  # fmt: skip
    ci = confidence_by(per, "call_type", 0.95, parts).set_index(["call_type", "kpi"])
    assert ci.at[("b", "abandon_rate"), "mean"] == 7 / 13  # the hand computation above
    assert ci.at[("b", "abandon_rate"), "sd"] == pytest.approx(3 * math.sqrt(111) / 338, rel=1e-14)
    assert ci.at[("a", "abandon_rate"), "mean"] == 6 / 32
    assert ci.at[("a", "offered"), "mean"] == pytest.approx(32 / 3)


def test_per_type_and_group_parts_give_their_ratios_and_are_pooled(
    callback_reps: sim.Replications,
) -> None:
    """Each replication's parts per call type (agent group) give that type's (group's)
    own ratio KPI, and the summaries by type and group pool them."""
    for by, per, parts, summary in (
        ("call_type", callback_reps.per_replication_by_type, callback_reps.ratio_parts_by_type,
         callback_reps.summary_by_type),
        ("agent_group", callback_reps.per_replication_by_group,
         callback_reps.ratio_parts_by_group, callback_reps.summary_by_group),
    ):  # fmt: skip
        assert len(parts) > 0
        values = per.set_index(["replication", by])
        for _, row in parts.iterrows():
            value = values.at[(row["replication"], row[by]), row["kpi"]]
            own = row["numerator"] / row["denominator"] if row["denominator"] > 0 else math.nan
            assert own == value or (math.isnan(own) and math.isnan(value)), dict(row)
        sums = parts.groupby([by, "kpi"], observed=True)[["numerator", "denominator"]].sum()
        got = summary.set_index([by, "kpi"])["mean"]
        for (name, kpi), (x, y) in sums.iterrows():
            want = x / y if y > 0 else math.nan
            assert got[(name, kpi)] == pytest.approx(want, rel=1e-14, nan_ok=True), (name, kpi)
