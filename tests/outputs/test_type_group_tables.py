"""Outputs per call type and per agent group (``sim.outputs.call_types``,
``sim.outputs.agent_groups``, ``sim.outputs.staff``), on synthetic inputs: a real
single-queue run whose calls are relabelled into two types and two groups, and a staff
log split into two groups' step functions. Checked against the centre's tables (the
totals must add up) and against brute-force counts that share no code with the
vectorised tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from busy_centre import BUSY_CENTRE
from multiskill import GROUPS, TYPES, relabelled, two_group_log

from sim.model.callcenter import CallCenter
from sim.outputs.agent_groups import (
    GROUP_INTERVAL_COLUMNS,
    GROUP_SUMMARY_COLUMNS,
    group_intervals_table,
    group_summary,
)
from sim.outputs.call_types import (
    TYPE_INTERVAL_COLUMNS,
    TYPE_SUMMARY_COLUMNS,
    fcr_by,
    type_intervals_table,
    type_summary,
)
from sim.outputs.kpis import CHANNEL_KPIS, OUTBOUND_KPIS
from sim.outputs.metrics import first_contact_resolution, intervals_table, summarize
from sim.outputs.results import Results
from sim.outputs.staff import cumulative_present, present_by_group, present_total
from sim.queue.engine import EngineLog

#: a busy 2-day centre (tests/busy_centre.py)
CONFIG: dict[str, Any] = BUSY_CENTRE


@dataclass
class Run:
    model: CallCenter
    log: EngineLog  # the engine's log, one staff group
    res: Results  # the centre's tables from it
    expected: np.ndarray


@pytest.fixture(scope="module")
def run() -> Run:
    model = CallCenter(CONFIG)
    engine = model.engine(0)
    log = engine.run()
    expected = model.expected_calls(engine.fresh)
    res = model.tabulate(log, 0, expected)  # release=False: the log stays whole
    return Run(model, log, res, expected)


def brute_type_intervals(calls: pd.DataFrame, threshold: dict[str, float]) -> pd.DataFrame:
    """Counts per (day, interval, call type) by pandas groupby, warm-up excluded."""
    c = calls[~calls["warmup"] & (calls["interval"] >= 0)].copy()
    c["within"] = c["wait_s"] <= c["call_type"].astype(str).map(threshold)
    c["ans"] = c["outcome"] == "answered"
    c["abd"] = c["outcome"] == "abandoned"
    c["ans_within"] = c["ans"] & c["within"]
    c["abd_within"] = c["abd"] & c["within"]
    c["ans_wait"] = c["wait_s"].where(c["ans"], 0.0)
    g = c.groupby(["day", "interval", "call_type"], observed=True)
    return pd.DataFrame(
        {
            "offered": g.size(),
            "answered": g["ans"].sum(),
            "abandoned": g["abd"].sum(),
            "answered_within_sl": g["ans_within"].sum(),
            "abandoned_within_sl": g["abd_within"].sum(),
            "wait_answered": g["ans_wait"].sum(),
        }
    )


def same(a: pd.Series, b: pd.Series) -> bool:
    """Equal values, bit for bit for numbers (NaN equal to NaN)."""
    x, y = a.to_numpy(), b.to_numpy()
    if x.dtype.kind in "fiub" and y.dtype.kind in "fiub":
        return x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
    return list(x) == list(y)


# ------------------------------------------------------------------------------ call types
def test_type_intervals_match_brute_force_counts(run: Run) -> None:
    """Each type at its own threshold (10 s and 40 s): every count equals a groupby."""
    calls = relabelled(run.res.calls)
    thr = {"sales": 10.0, "service": 40.0}
    t = type_intervals_table(calls, run.model.timetable, TYPES, [10.0, 40.0], [0.8, 0.7])
    assert list(t.columns) == list(TYPE_INTERVAL_COLUMNS)
    assert len(t) == 2 * len(run.res.intervals)
    assert list(t["call_type"].cat.categories) == list(TYPES)
    brute = brute_type_intervals(calls, thr)
    got = t.set_index(["day", "interval", "call_type"])
    got = got[(got["offered"] > 0)]
    assert len(got) == len(brute) and len(got) > 30
    for key in ("offered", "answered", "abandoned", "answered_within_sl", "abandoned_within_sl"):
        b = brute[key].reindex(got.index)
        assert (got[key].to_numpy() == b.to_numpy()).all(), key
    asa = brute["wait_answered"].reindex(got.index) / brute["answered"].reindex(got.index)
    assert np.allclose(got["asa_s"], asa, equal_nan=True)
    assert (t.loc[t["call_type"] == "sales", "sl_threshold_s"] == 10.0).all()
    assert (t.loc[t["call_type"] == "service", "sl_target"] == 0.7).all()
    assert t["expected_calls"].isna().all()  # not given


def test_types_add_up_to_the_intervals_table(run: Run) -> None:
    """With the centre's threshold for every type: counts add up exactly, ratios of sums
    equal the centre's, expected calls split by share add up."""
    calls = relabelled(run.res.calls)
    iv = run.res.intervals
    thr = run.model.config.metrics.sl_threshold_s
    expected = np.stack([0.3 * run.expected, 0.7 * run.expected])
    t = type_intervals_table(calls, run.model.timetable, TYPES, [thr, thr], [0.8, 0.8], expected)
    sums = t.groupby(["day", "interval"], sort=True)[
        ["offered", "answered", "abandoned", "blocked", "answered_within_sl",
         "abandoned_within_sl", "expected_calls"]
    ].sum()  # fmt: skip
    for key in ("offered", "answered", "abandoned", "blocked", "answered_within_sl",
                "abandoned_within_sl"):  # fmt: skip
        assert (sums[key].to_numpy() == iv[key].to_numpy()).all(), key
    assert np.allclose(sums["expected_calls"], iv["expected_calls"], rtol=1e-12)
    wait = (t["asa_s"].fillna(0) * t["answered"]).groupby([t["day"], t["interval"]]).sum()
    assert np.allclose(wait / sums["answered"], iv["asa_s"], rtol=1e-9, equal_nan=True)


def test_type_summary_adds_up_to_the_summary(run: Run) -> None:
    calls = relabelled(run.res.calls)
    s = run.res.summary
    thr = run.model.config.metrics.sl_threshold_s
    ts = type_summary(calls, run.model.timetable, TYPES, [thr, thr])
    assert list(ts.columns) == list(TYPE_SUMMARY_COLUMNS) and len(ts) == 2
    for key in ("offered", "answered", "abandoned", "blocked", "closed", "redials", "repeats"):
        assert int(ts[key].sum()) == s[key], key
    assert s["redials"] > 0 and s["repeats"] > 0  # the relabelling has something to split
    for key, weight in (("service_level", "offered"), ("abandon_rate", "offered"),
                        ("p_wait", "offered"), ("asa_s", "answered"),
                        ("mean_handle_s", "answered"), ("bad_experience_rate", "offered")):  # fmt: skip
        pooled = float((ts[key] * ts[weight]).sum() / ts[weight].sum())
        assert pooled == pytest.approx(s[key], rel=1e-12), key
    # each type's FCR from a groupby of the issues' first answered contacts
    first = calls[(calls["outcome"] == "answered") & ~calls["warmup"].to_numpy()[calls["issue_id"]]]
    first = first.drop_duplicates("issue_id")
    brute = first.groupby("call_type", observed=True)["resolved"].mean()
    assert np.allclose(ts["fcr"], brute.reindex(list(TYPES)).to_numpy(dtype=float))
    assert 0.6 < ts["fcr"].min() < 0.95


def test_one_type_is_the_centre_bit_for_bit(run: Run) -> None:
    """The single type's numbers are the intervals table's and the summary's, exactly."""
    res = run.res
    t, iv = res.intervals_by_type, res.intervals
    assert list(t["call_type"].cat.categories) == [run.model.config.center.call_type]
    for key in TYPE_INTERVAL_COLUMNS:
        if key in iv.columns:
            assert same(t[key], iv[key]), key
    row = res.summary_by_type.iloc[0]
    for key in TYPE_SUMMARY_COLUMNS[1:]:
        if key in CHANNEL_KPIS:  # the backlog (tests/outputs/test_backlog.py), unreached
            # callbacks and callers who took one (tests/outputs/test_type_outcomes.py): not
            # centre KPIs
            continue
        if key in OUTBOUND_KPIS:  # a campaign's: NaN for an inbound type
            assert np.isnan(row[key]), key
            continue
        assert row[key] == res.summary[key] or (np.isnan(row[key]) and np.isnan(res.summary[key]))
    calls = res.calls
    one = np.zeros(len(calls), np.int64)
    assert fcr_by(calls, one, 1)[0] == first_contact_resolution(calls)


def test_type_tables_reject_what_does_not_fit(run: Run) -> None:
    calls, tt = run.res.calls, run.model.timetable
    with pytest.raises(ValueError, match=r"call types \['general'\] != the scenario's"):
        type_summary(calls, tt, TYPES, [20.0, 20.0])
    with pytest.raises(ValueError, match="one value per call type"):
        type_summary(relabelled(calls), tt, TYPES, [20.0])
    with pytest.raises(ValueError, match=r"expected: shape \(2, 10\)"):
        type_intervals_table(relabelled(calls), tt, TYPES, [20.0, 20.0], [0.8, 0.8],
                             run.expected)  # fmt: skip


# ------------------------------------------------------------------------------ staff log
def test_staff_log_per_group_adds_up(run: Run) -> None:
    """Two groups' step functions give each group its half and the centre its whole."""
    log2 = two_group_log(run.log)
    at = np.linspace(0.0, run.log.end_s, 97)
    whole = cumulative_present(run.log.staff_time_s, run.log.staff_present, at)
    per = present_by_group(log2, at, 2)
    assert np.allclose(per.sum(axis=0), whole, rtol=1e-12)
    assert np.allclose(present_total(log2, at), whole, rtol=1e-12)
    assert (per[0] >= per[1]).all() and per[1, -1] > 0.4 * whole[-1]
    # one group: the whole log, bit for bit
    assert np.array_equal(present_total(run.log, at), whole)
    with pytest.raises(ValueError, match="agent group 1; only 1 group"):
        present_by_group(log2, at, 1)


def test_centre_tables_sum_the_groups_step_functions(run: Run) -> None:
    """The ``intervals`` table and the summary of a two-group log: the centre's agent time
    is the sum over the groups (not one step function read across both)."""
    m, res = run.model, run.res
    log2 = two_group_log(run.log)
    iv2 = intervals_table(res.calls, log2, m.timetable, m.on_phone, run.expected,
                          m.config.metrics.sl_threshold_s)  # fmt: skip
    assert np.allclose(iv2["available_agent_s"], res.intervals["available_agent_s"], rtol=1e-12)
    s2 = summarize(res.calls, log2, m.timetable, m.config.run.warmup_s,
                   m.config.metrics.sl_threshold_s)  # fmt: skip
    assert s2["occupancy"] == pytest.approx(res.summary["occupancy"], rel=1e-12)


# ------------------------------------------------------------------------------ agent groups
def brute_busy(calls: pd.DataFrame, group: str, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Busy seconds of ``group`` in each [start, end): every span clipped, summed."""
    c = calls[calls["agent_group"] == group]
    s = (c["arrival_s"] + c["wait_s"]).to_numpy()
    e = s + c["handle_s"].to_numpy()
    overlap = np.minimum(e[None, :], end[:, None]) - np.maximum(s[None, :], start[:, None])
    return np.clip(overlap, 0.0, None).sum(axis=1)


def test_group_intervals_add_up_and_match_brute_force(run: Run) -> None:
    m, res = run.model, run.res
    calls, log2, iv = relabelled(res.calls), two_group_log(run.log), res.intervals
    on = np.broadcast_to(m.on_phone, (m.timetable.days, m.timetable.n_intervals)).astype(float)
    scheduled = np.stack([0.5 * on, 0.5 * on])
    g = group_intervals_table(calls, log2, m.timetable, GROUPS, scheduled)
    assert list(g.columns) == list(GROUP_INTERVAL_COLUMNS) and len(g) == 2 * len(iv)
    sums = g.groupby(["day", "interval"], sort=True)[
        ["scheduled_agents", "agents_present", "answered", "busy_agent_s", "available_agent_s"]
    ].sum()
    assert (sums["answered"].to_numpy() == iv["answered"].to_numpy()).all()
    for key in ("scheduled_agents", "agents_present", "busy_agent_s", "available_agent_s"):
        assert np.allclose(sums[key], iv[key], rtol=1e-9, atol=1e-6), key
    start = iv["start_s"].to_numpy()
    end = start + m.timetable.interval_s
    for name in GROUPS:
        mine = g[g["agent_group"] == name]
        assert np.allclose(mine["busy_agent_s"], brute_busy(calls, name, start, end), atol=1e-6)
        assert np.allclose(mine["occupancy"], mine["busy_agent_s"] / mine["available_agent_s"])
    # group 0 has the larger half of the agents: present >= group 1's in every interval
    present = g.pivot_table(index=["day", "interval"], columns="agent_group",
                            values="agents_present", observed=True)  # fmt: skip
    assert (present["english"] >= present["bilingual"] - 1e-9).all()


def test_group_summary_adds_up_to_the_summary(run: Run) -> None:
    m, res = run.model, run.res
    calls, log2 = relabelled(res.calls), two_group_log(run.log)
    gs = group_summary(calls, log2, GROUPS, m.config.run.warmup_s)
    assert list(gs.columns) == list(GROUP_SUMMARY_COLUMNS) and len(gs) == 2
    assert int(gs["answered"].sum()) == res.summary["answered"]
    assert gs["answered_share"].sum() == pytest.approx(1.0)
    occupancy = gs["busy_hours"].sum() / gs["present_hours"].sum()
    assert occupancy == pytest.approx(res.summary["occupancy"], rel=1e-12)
    handle = (gs["mean_handle_s"] * gs["answered"]).sum() / gs["answered"].sum()
    assert handle == pytest.approx(res.summary["mean_handle_s"], rel=1e-12)


def test_one_group_is_the_centre_bit_for_bit(run: Run) -> None:
    res = run.res
    g, iv = res.intervals_by_group, res.intervals
    assert list(g["agent_group"].cat.categories) == [run.model.config.staffing.group]
    for key in GROUP_INTERVAL_COLUMNS:
        if key in iv.columns:
            assert same(g[key], iv[key]), key
    row = res.summary_by_group.iloc[0]
    assert row["occupancy"] == res.summary["occupancy"]
    assert row["answered"] == res.summary["answered"] and row["answered_share"] == 1.0


def test_group_tables_reject_what_does_not_fit(run: Run) -> None:
    m, calls = run.model, relabelled(run.res.calls)
    with pytest.raises(ValueError, match=r"scheduled: shape \(1, 2, 10\)"):
        group_intervals_table(calls, run.log, m.timetable, GROUPS, m.on_phone[None])
    with pytest.raises(ValueError, match="agent groups"):
        group_summary(calls, run.log, ["a", "b", "c"], 0.0)
