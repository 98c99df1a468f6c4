"""Means with Student-t intervals over replications, and the one rule for their
bounds: clipped at the KPI's natural range (``sim.outputs.confidence``)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.model.runner import replicate
from sim.outputs.confidence import clipped, confidence_by, confidence_table
from sim.outputs.kpis import natural_bounds
from sim.report.breakdown_report import ci_text
from sim.report.writer import summary_text, write_results


def test_bounds_are_clipped_at_the_kpis_range_and_other_columns_are_not() -> None:
    """customers lost to service 77.5 ± 120.7 (the case that was reported): the low
    bound is 0, the half-width stays; a share past 1 stops at 1; profit and a column
    that is not a KPI keep the symmetric interval."""
    per = pd.DataFrame({
        "replication": [0, 1],
        "customers_lost_to_service": [68.0, 87.0],
        "service_level": [0.97, 1.0],
        "profit": [-5.0, 5.0],
        "x": [-5.0, 5.0],
    })  # fmt: skip
    ci = confidence_table(per)
    half = ci["half_width"]
    # t(0.975, 1) x sd / sqrt(2) with sd = 19 / sqrt(2): 120.7, as reported
    assert half["customers_lost_to_service"] == pytest.approx(stats.t.ppf(0.975, 1) * 19 / 2)
    assert ci.loc["customers_lost_to_service", "ci_low"] == 0.0
    assert ci.loc["customers_lost_to_service", "ci_high"] == 77.5 + half["customers_lost_to_service"]
    assert ci.loc["service_level", "ci_high"] == 1.0 and ci.loc["service_level", "ci_low"] > 0.7
    for col in ("profit", "x"):
        assert ci.loc[col, "ci_low"] == -half[col] and ci.loc[col, "ci_high"] == half[col]
    flags = {(k, side): clipped(r["mean"], r["half_width"], r[side], side)
             for k, r in ci.iterrows() for side in ("ci_low", "ci_high")}  # fmt: skip
    assert {k for k, v in flags.items() if v} == {("customers_lost_to_service", "ci_low"),
                                                  ("service_level", "ci_high")}  # fmt: skip
    assert not clipped(1.0, math.nan, math.nan, "ci_low")  # one replication: nothing to say


def test_the_summary_text_shows_the_clipped_interval() -> None:
    row = confidence_table(pd.DataFrame({"customers_lost_to_service": [68.0, 87.0]})).iloc[0]
    assert ci_text(row, "customers_lost_to_service") == "(CI 0.0 to 198.2, clipped at 0.0)"
    row = confidence_table(pd.DataFrame({"customers_lost_to_service": [68.0, 87.0, 80.0]})).iloc[0]
    assert ci_text(row, "customers_lost_to_service") == "± 23.9"  # 4.303 x 9.61 / sqrt(3)
    assert ci_text(pd.Series({"mean": 1.0, "half_width": math.nan, "ci_low": math.nan,
                              "ci_high": math.nan}), "offered") == ""  # fmt: skip


def _inside(table: pd.DataFrame, kpis: pd.Series) -> None:
    """Every bound of ``table`` inside its KPI's range; every bound that is not on the
    range's edge is mean -/+ half-width."""
    bounds = np.array([natural_bounds(str(k)) for k in kpis], dtype=float).reshape(-1, 2)
    low, high = table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float)
    ok = ~np.isnan(low)
    assert (low[ok] >= bounds[ok, 0]).all() and (high[ok] <= bounds[ok, 1]).all()
    mean, half = table["mean"].to_numpy(float), table["half_width"].to_numpy(float)
    inner = ok & (low > bounds[:, 0])
    assert np.array_equal(low[inner], (mean - half)[inner])


def test_summary_csv_and_per_type_tables_follow_the_same_rule(tmp_path: Path) -> None:
    """Two call types, two replications of a short, well-staffed day: rates near 0
    reach past 0 in the centre's summary.csv as in summary_by_type.csv; both clipped,
    and the summary text says so (was: summary.csv unclipped, the text ± only)."""
    reps = replicate({"run": {"days": 1, "replications": 2, "seed": 5},
                      "center": {"volume_per_day": 300.0}, "staffing": {"agents": 6},
                      "call_types": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}]})  # fmt: skip
    folder = write_results(reps, tmp_path / "run")
    summary = reps.summary.reset_index()
    for table, name in ((summary, "summary.csv"), (reps.summary_by_type, "summary_by_type.csv")):
        _inside(table, table["kpi"])
        written = pd.read_csv(folder / name)
        assert np.allclose(written["ci_low"], table["ci_low"], rtol=1e-12, equal_nan=True)
        assert np.allclose(written["ci_high"], table["ci_high"], rtol=1e-12, equal_nan=True)
        # the case this test is about did arise in both tables
        raw_low = table["mean"] - table["half_width"]
        assert (raw_low.notna() & (table["ci_low"] != raw_low)).any()
    assert "clipped at" in summary_text(reps)
    pd.testing.assert_frame_equal(  # per type: confidence_table of each type's rows, pooled
        confidence_by(reps.per_replication_by_type.drop(columns="replication"), "call_type",
                      ratios=reps.ratio_parts_by_type),
        reps.summary_by_type)
