"""Inputs of the per-type and per-group tables from a scenario (``sim.model.breakdowns``)
and the per-type and per-group means with confidence intervals over replications
(``sim.model.runner.confidence_by``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config.skills import AgentGroup
from sim.config.validation import load_scenario
from sim.model.breakdowns import expected_by_type, scheduled_by_group
from sim.model.runner import confidence_by, confidence_table, replicate
from sim.report.writer import write_results


def test_scheduled_agents_split_by_group_staffing() -> None:
    """Each group gets its share of the agents on the phones (off-phone share applied);
    one group gets the centre's ``on_phone`` as it is."""
    sc = load_scenario({"run": {"days": 2}, "staffing": {"agents": 10},
                        "workforce": {"enabled": True, "offphone_share": 0.2}})  # fmt: skip
    one = scheduled_by_group(sc)
    assert one.shape == (1, *sc.on_phone.shape) and np.array_equal(one[0], sc.on_phone)
    assert (sc.on_phone == 8).all()
    a = np.full_like(sc.staffing, 6)
    a[:, 0] = 0  # the first interval: only group b
    two = replace(sc, agent_groups=(AgentGroup("a", a), AgentGroup("b", sc.staffing - a)))
    split = scheduled_by_group(two)
    assert np.allclose(split.sum(axis=0), sc.on_phone)
    assert np.allclose(split[0, :, 1:], 8 * 0.6) and (split[0, :, 0] == 0).all()
    assert np.allclose(split[1, :, 0], 8.0)


def test_expected_calls_by_share_or_own_matrix() -> None:
    sc = load_scenario({"run": {"days": 2}})
    expected = np.arange(sc.staffing.size, dtype=float).reshape(sc.staffing.shape) + 1.0
    (only,) = sc.call_types
    assert np.array_equal(expected_by_type(sc, expected)[0], expected)  # share 1: the same
    own = np.full(expected.shape, 5.0)
    two = replace(sc, call_types=(replace(only, name="a", share=0.25),
                                  replace(only, name="b", share=0.0, expected_calls=own)))  # fmt: skip
    got = expected_by_type(two, expected, day_factor=[1.0, 2.0])
    assert np.allclose(got[0], 0.25 * expected)
    assert np.allclose(got[1], [[5.0] * expected.shape[1], [10.0] * expected.shape[1]])


def test_confidence_by_is_the_confidence_table_of_each_value() -> None:
    rng = np.random.default_rng(3)
    per = pd.DataFrame({
        "call_type": pd.Categorical(["b", "a"] * 5, categories=["b", "a"]),
        "offered": rng.poisson(100, 10).astype(float),
        "service_level": rng.uniform(0.6, 0.9, 10),
    })  # fmt: skip
    ci = confidence_by(per, "call_type", 0.9)
    assert list(ci.columns) == ["call_type", "kpi", "mean", "sd", "n", "half_width", "ci_low",
                                "ci_high"]  # fmt: skip
    assert list(ci["call_type"].astype(str)) == ["b", "b", "a", "a"]  # config order
    for name in ("a", "b"):
        want = confidence_table(per[per["call_type"] == name].drop(columns="call_type"), 0.9)
        got = ci[ci["call_type"] == name].set_index("kpi").drop(columns="call_type")
        pd.testing.assert_frame_equal(got, want, check_names=False)
    assert confidence_by(per.iloc[0:0], "call_type").empty


def test_confidence_by_clips_bounds_at_natural_ranges() -> None:
    """A rate near 0 and a time near 0 over few replications: the Student-t bounds past
    0 (or 1) are clipped there, as in ``confidence_table``; the half-width is not, so
    mean -/+ half-width tells which bound was clipped; bounds inside the range are the
    unclipped ones."""
    per = pd.DataFrame({
        "call_type": pd.Categorical(["a"] * 3 + ["b"] * 3),
        "abandon_rate": [0.0, 0.0, 0.03, 0.97, 1.0, 1.0],
        "asa_s": [0.0, 0.0, 9.0, 100.0, 110.0, 120.0],
    })  # fmt: skip
    ci = confidence_by(per, "call_type").set_index(["call_type", "kpi"])
    raw_low, raw_high = ci["mean"] - ci["half_width"], ci["mean"] + ci["half_width"]
    assert raw_low[("a", "abandon_rate")] < 0 and raw_low[("a", "asa_s")] < 0
    assert raw_high[("b", "abandon_rate")] > 1
    assert ci.loc[("a", "abandon_rate"), "ci_low"] == 0.0
    assert ci.loc[("a", "asa_s"), "ci_low"] == 0.0
    assert ci.loc[("b", "abandon_rate"), "ci_high"] == 1.0
    for key, r in ci.iterrows():  # not clipped: as computed
        for col, raw in (("ci_low", raw_low[key]), ("ci_high", raw_high[key])):
            if 0.0 < raw and (key[1] == "asa_s" or raw < 1.0):
                assert r[col] == raw


def test_replications_carry_the_breakdowns() -> None:
    """One type and one group: the per-type and per-group means and CIs are the
    centre's (ratio KPIs pooled by the ratio estimator in both)."""
    reps = replicate({"run": {"days": 1, "replications": 3}, "center": {"volume_per_day": 300.0},
                      "staffing": {"agents": 4}})  # fmt: skip
    assert len(reps.per_replication_by_type) == 3 and len(reps.per_replication_by_group) == 3
    assert list(reps.per_replication_by_type.columns[:2]) == ["replication", "call_type"]
    t = reps.summary_by_type.set_index("kpi")
    for kpi in ("offered", "service_level", "asa_s", "abandon_rate", "fcr"):
        assert t.loc[kpi, "mean"] == pytest.approx(reps.summary.loc[kpi, "mean"], rel=1e-12)
        assert t.loc[kpi, "half_width"] == pytest.approx(reps.summary.loc[kpi, "half_width"],
                                                         rel=1e-9, nan_ok=True)  # fmt: skip
    unpooled = confidence_table(reps.per_replication)  # the mean of the ratios: another number
    assert t.loc["service_level", "mean"] != pytest.approx(unpooled.loc["service_level", "mean"])
    g = reps.summary_by_group.set_index("kpi")
    for kpi in ("occupancy", "mean_handle_s"):
        assert g.loc[kpi, "mean"] == pytest.approx(reps.summary.loc[kpi, "mean"], rel=1e-12)
        assert g.loc[kpi, "half_width"] == pytest.approx(reps.summary.loc[kpi, "half_width"],
                                                         rel=1e-9)  # fmt: skip
    assert len(reps.intervals_by_type) == len(reps.intervals)
    assert len(reps.intervals_by_group) == len(reps.intervals)


# ------------------------------------------------------------------ end to end, real engine
TWO_LANGUAGES = {
    "run": {"name": "two_languages", "days": 2, "replications": 2},
    "center": {"volume_per_day": 1400.0},
    "call_types": [
        {"name": "english", "share": 0.7},
        {"name": "french", "share": 0.3, "priority": 1, "sl_threshold_s": 40, "sl_target": 0.7,
         "patience": {"kind": "exponential", "mean_s": 240}},
    ],
    "agent_groups": [
        {"name": "english_only", "agents": 7, "skills": {"english": 1}},
        {"name": "bilingual", "agents": [4] * 12 + [3] * 12,
         "skills": {"french": 1, "english": 2}, "overflow_after_s": {"english": 20}},
    ],
}  # fmt: skip


def test_two_types_two_groups_end_to_end(tmp_path: Path) -> None:
    """The multi-skill engine's log through every table: the types add up to the centre,
    the groups' agent time too, each group's schedule is its own agents, and the results
    folder gets the files per type and group."""
    reps = replicate(TWO_LANGUAGES, workers=1)
    iv, t, g = reps.intervals, reps.intervals_by_type, reps.intervals_by_group
    keys = ["replication", "day", "interval"]
    for key in ("offered", "answered", "abandoned", "blocked", "answered_within_sl"):
        if key == "answered_within_sl":  # french counts within 40 s, the centre within 20 s
            assert (t.groupby(keys)[key].sum().to_numpy() >= iv[key].to_numpy()).all()
        else:
            assert (t.groupby(keys)[key].sum().to_numpy() == iv[key].to_numpy()).all(), key
    sums = g.groupby(keys)[["answered", "busy_agent_s", "available_agent_s"]].sum()
    assert (sums["answered"].to_numpy() == iv["answered"].to_numpy()).all()
    for key in ("busy_agent_s", "available_agent_s"):
        assert np.allclose(sums[key], iv[key], rtol=1e-9, atol=1e-6), key
    assert (g["occupancy"] <= 1 + 1e-9).all()
    # count mode: every scheduled agent is present (more while finishing calls after a
    # drop); the staff log read as one step function across groups gave 3-7 of 12-31
    assert (iv["agents_present"] >= iv["scheduled_agents"] - 1e-9).all()
    assert (g["agents_present"] >= g["scheduled_agents"] - 1e-9).all()
    bil = g[g["agent_group"] == "bilingual"]
    assert (bil["scheduled_agents"].to_numpy() == np.tile([4.0] * 12 + [3.0] * 12, 4)).all()
    assert set(t.loc[t["call_type"] == "french", "sl_threshold_s"]) == {40.0}
    per = reps.per_replication_by_type.groupby("replication")["offered"].sum()
    assert (per.to_numpy() == reps.per_replication["offered"].to_numpy()).all()
    # no french call is answered by the english-only group (its skills), in every table
    calls = reps.calls
    wrong = (calls["call_type"] == "french") & (calls["agent_group"] == "english_only")
    assert not wrong.any()
    folder = write_results(reps, tmp_path / "run", [])
    for name in ("intervals_by_type.parquet", "summary_by_group.csv", "figures/call_types.png"):
        assert (folder / name).is_file(), name
