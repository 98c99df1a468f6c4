"""The post-processing counts once what several tables need (issue 16, speed) and gives
the numbers of the separate computations it replaced, bit for bit: the tally by
two coded ``np.bincount`` per chunk against one ``np.bincount`` per quantity over whole
columns, busy time at several grids searched once against one grid at a time, the
tables given shared counts against the tables computing their own, and the days
table's one-pass counts against a count per column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from busy_centre import BUSY_CENTRE

import sim.outputs.tally as tally
from sim.core.calls import BAD, Outcome, Source
from sim.core.timetable import Timetable
from sim.model.callcenter import CallCenter
from sim.outputs.agent_groups import group_intervals_table, group_summary
from sim.outputs.call_types import type_intervals_table, type_summary
from sim.outputs.days import days_table
from sim.outputs.metrics import intervals_table, summarize
from sim.outputs.outbound import outbound_rows

#: a busy 2-day centre (tests/busy_centre.py)
CONFIG: dict[str, Any] = BUSY_CENTRE


@pytest.fixture(scope="module")
def run() -> tuple[CallCenter, Any]:
    model = CallCenter(CONFIG)
    engine = model.engine(0)
    log = engine.run()
    res = model.tabulate(log, 0, model.expected_calls(engine.fresh))
    return model, res


def whole_column_tally(
    calls: pd.DataFrame, tt: Timetable, threshold: float, inbound_only: bool
) -> dict[str, np.ndarray]:
    """The tally as one ``np.bincount`` per quantity over whole columns (before chunks)."""
    k, n_buckets = tt.n_intervals, tt.days * tt.n_intervals
    interval = calls["interval"].to_numpy()
    row = calls["day"].to_numpy().astype(np.intp) * k + interval
    row[interval < 0] = n_buckets
    row[calls["warmup"].to_numpy()] = n_buckets + 1
    source = calls["source"].cat.codes.to_numpy()
    row[source == Source.OUTBOUND] = n_buckets + 1
    if inbound_only:
        row[source == Source.CALLBACK] = n_buckets + 1
    outcome = calls["outcome"].cat.codes.to_numpy() + 1
    wait = calls["wait_s"].to_numpy()
    ans, abd = outcome == Outcome.ANSWERED, outcome == Outcome.ABANDONED
    stays = outcome != Outcome.CALLBACK
    within = wait <= threshold
    size = n_buckets + 2

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(row[mask], weights=w, minlength=size).astype(float)

    return {
        "offered": count(np.ones(len(row), bool)), "answered": count(ans),
        "abandoned": count(abd), "blocked": count(outcome == Outcome.BLOCKED),
        "closed": count(outcome == Outcome.CLOSED),
        "unreached": count(outcome == Outcome.UNREACHED), "callback_accepted": count(~stays),
        "redials": count(source == Source.REDIAL), "repeats": count(source == Source.REPEAT),
        "bad": count(calls["experience"].cat.codes.to_numpy() == BAD + 1),
        "waited": count(abd | (wait > 0) | ~stays), "sl_offered": count(stays),
        "answered_within_sl": count(ans & within), "abandoned_within_sl": count(abd & within),
        "wait_answered": count(ans, wait), "wait_all": count(ans | abd, wait),
        "handle_answered": count(ans, calls["handle_s"].to_numpy()),
    }  # fmt: skip


@pytest.mark.parametrize("chunk", [97, 1 << 16])
@pytest.mark.parametrize("inbound_only", [False, True])
def test_tally_is_the_whole_column_count(
    run: tuple[CallCenter, Any], monkeypatch: pytest.MonkeyPatch, chunk: int, inbound_only: bool
) -> None:
    """Chunk boundaries anywhere (97, a prime) or none: the same numbers, bit for bit."""
    model, res = run
    monkeypatch.setattr(tally, "_CHUNK", chunk)
    got = tally.tally(res.calls, model.timetable, 20.0, inbound_only=inbound_only)
    want = whole_column_tally(res.calls, model.timetable, 20.0, inbound_only)
    assert want["redials"].sum() > 0 and want["repeats"].sum() > 0 and want["bad"].sum() > 0
    for key, v in want.items():
        assert np.array_equal(got[key], v), key


def test_busy_at_several_grids_is_one_grid_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Grids that share times and that do not, values on grid times, NaN and beyond."""
    monkeypatch.setattr(tally, "_CHUNK", 97)
    rng = np.random.default_rng(7)
    start = np.sort(rng.uniform(0, 1000, 40))
    grids = [start, start + 25.0, np.array([100.0, 500.0]), np.sort(rng.uniform(-50, 1100, 7))]
    x = np.r_[rng.uniform(-100, 1200, 3000), start[::3], grids[1][::4], np.nan, 500.0]
    x = rng.permutation(x)
    both = tally.count_sum_upto_each(x, grids)
    for at, (count, total) in zip(grids, both, strict=True):
        c, t = tally.count_sum_upto(x, at)
        assert np.array_equal(count, c) and np.array_equal(total, t)
    s = np.abs(x[np.isfinite(x)])
    e = s + rng.exponential(30.0, s.size)
    busy = tally.BusyTime(s, e)
    for at, b in zip(grids, busy.at(grids), strict=True):
        assert np.array_equal(b, tally.cumulative_busy(s, e, at))
    assert busy.at(grids) is busy.at([g.copy() for g in grids])  # computed once
    busy.drop_spans()  # the answers stay; other grids cannot be answered any more
    assert busy.knows(grids) and busy.at(grids) is busy.at(grids)
    assert not busy.knows(grids[:1])
    with pytest.raises(ValueError, match="spans dropped"):
        busy.at(grids[:1])


def test_tables_with_shared_counts_are_the_tables_alone(run: tuple[CallCenter, Any]) -> None:
    """What tabulate shares (the centre's tally and busy time, the types' tally and
    backlog, the single group's busy time) gives each table's own numbers."""
    model, res = run
    calls, tt, log = res.calls, model.timetable, model_log(model)
    sc, cfg = model.scenario, model.config
    alone = intervals_table(calls, log, tt, model.on_phone, res.intervals["expected_calls"]
                            .to_numpy().reshape(tt.days, -1), cfg.metrics.sl_threshold_s)  # fmt: skip
    pd.testing.assert_frame_equal(alone, res.intervals, check_exact=True)
    summary = summarize(calls, log, tt, cfg.run.warmup_s, cfg.metrics.sl_threshold_s)
    for key, v in summary.items():
        assert v == res.summary[key] or (np.isnan(v) and np.isnan(res.summary[key])), key
    names = [t.name for t in sc.call_types]
    threshold = [t.sl_threshold_s for t in sc.call_types]
    target = [t.sl_target for t in sc.call_types]
    expected = (
        res.intervals_by_type["expected_calls"].to_numpy().reshape(tt.days, tt.n_intervals, -1)
    )
    by_type = type_intervals_table(calls, tt, names, threshold, target,
                                   np.moveaxis(expected, 2, 0))  # fmt: skip
    pd.testing.assert_frame_equal(by_type, res.intervals_by_type, check_exact=True)
    pd.testing.assert_frame_equal(type_summary(calls, tt, names, threshold, cfg.run.warmup_s),
                                  res.summary_by_type, check_exact=True)  # fmt: skip
    groups = [g.name for g in sc.agent_groups]
    assert len(groups) == 1
    scheduled = res.intervals_by_group["scheduled_agents"].to_numpy().reshape(1, tt.days, -1)
    pd.testing.assert_frame_equal(group_intervals_table(calls, log, tt, groups, scheduled),
                                  res.intervals_by_group, check_exact=True)  # fmt: skip
    pd.testing.assert_frame_equal(group_summary(calls, log, groups, cfg.run.warmup_s),
                                  res.summary_by_group, check_exact=True)  # fmt: skip


def model_log(model: CallCenter) -> Any:
    """The engine log of replication 0 again (the fixture's was taken over by the table)."""
    return model.engine(0).run()


def test_single_group_with_chats_shares_only_the_merged_busy_time() -> None:
    """One group holding two chats at once: the group's busy time is the centre's
    merged one, its handling time its own (unmerged), as when computed alone."""
    cfg = {**CONFIG, "resolution": {"fcr": 1.0},
           "call_types": [{"name": "calls", "share": 0.6},
                          {"name": "chat", "share": 0.4, "channel": "chat"}],
           "agent_groups": [{"name": "all", "agents": [6, 8, 10, 10, 9, 9, 10, 10, 8, 6],
                             "skills": {"calls": 1, "chat": 1}, "max_sessions": 2}]}  # fmt: skip
    model = CallCenter(cfg)
    res = model.run(0)
    log = model_log(model)
    alone = group_summary(res.calls, log, ["all"], model.config.run.warmup_s, concurrent=True)
    pd.testing.assert_frame_equal(alone, res.summary_by_group, check_exact=True)
    assert float(alone["mean_sessions"].iloc[0]) > 1.0


def test_days_counts_are_one_count_per_column(run: tuple[CallCenter, Any]) -> None:
    model, res = run
    calls = res.calls
    days = days_table(calls, model_log(model), model.timetable, model.config.economics)
    day = np.where(outbound_rows(calls), -1, calls["day"].to_numpy())
    for column, names in (("outcome", ("answered", "abandoned", "blocked", "closed")),
                          ("source", ("fresh", "redials", "repeats"))):  # fmt: skip
        for name in names:
            label = {"redials": "redial", "repeats": "repeat"}.get(name, name)
            mine = (calls[column] == label).to_numpy() & (day >= 0) & (day < model.timetable.days)
            assert np.array_equal(
                days[name].to_numpy(), np.bincount(day[mine], minlength=model.timetable.days)
            ), name
    assert np.array_equal(days["offered"].to_numpy(),
                          np.bincount(day[(day >= 0) & (day < model.timetable.days)]))  # fmt: skip
    assert days["repeats"].sum() > 0 and days["redials"].sum() > 0
