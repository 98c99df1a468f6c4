"""Invariants of the multi-skill engine (sim.queue.skill_router, group staffing), and the
pooling identities: full cross-training is one pool, no cross-training is separate pools."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.core.calls import Outcome
from sim.model.callcenter import CallCenter
from sim.queue.engine import EngineLog
from sim.theory import analytic

ANSWERED = int(Outcome.ANSWERED)

SALES_SERVICE: dict[str, Any] = {
    "center": {"open_time": "08:00", "close_time": "14:00", "volume_per_day": 1900.0},
    "call_types": [
        {"name": "sales", "share": 0.4, "priority": 0,
         "patience": {"kind": "exponential", "mean_s": 240.0}},
        {"name": "service", "share": 0.45, "priority": 1},
        {"name": "vip", "share": 0.15, "priority": 0,
         "talk": {"kind": "exponential", "mean_s": 300.0}},
    ],
    "agent_groups": [
        {"name": "sellers", "agents": [9] * 6 + [11] * 6, "skills": {"sales": 1, "vip": 2},
         "handle_factor": {"vip": 1.2}},
        {"name": "support", "agents": 10, "skills": {"service": 1, "sales": 2},
         "overflow_after_s": {"sales": 30}},
        {"name": "seniors", "agents": [3] * 12, "skills": {"vip": 1, "service": 3, "sales": 2},
         "overflow_after_s": {"service": 60}},
    ],
    "redials": {"probability": 0.3},
    "run": {"days": 2, "seed": 7},
}  # fmt: skip

TYPES = ("sales", "service", "vip")
RANK = {0: {0: 1, 2: 2}, 1: {1: 1, 0: 2}, 2: {2: 1, 1: 3, 0: 2}}  # group -> type -> rank
OVERFLOW = {(1, 0): 30.0, (2, 1): 60.0}  # (group, type) -> seconds
PRIORITY = (0, 1, 0)


def run(mapping: dict[str, Any], rep: int = 0) -> EngineLog:
    return CallCenter(mapping).engine(rep).run()


@pytest.fixture(scope="module", params=["priority", "rank", "longest_wait"])
def log(request: pytest.FixtureRequest) -> tuple[str, EngineLog]:
    cfg = dict(SALES_SERVICE, routing={"call_choice": request.param})
    return request.param, run(cfg)


def test_conservation_per_type(log: tuple[str, EngineLog]) -> None:
    """Every call of every type ends answered, abandoned, blocked or closed; redials keep
    their caller's type."""
    _, lg = log
    assert (lg.outcome != int(Outcome.WAITING)).all()
    assert set(np.unique(lg.call_type)) == {0, 1, 2}
    first = {int(c): int(k) for c, k in zip(lg.caller_id, lg.call_type, strict=True)
             if True}  # fmt: skip
    for c, k in zip(lg.caller_id, lg.call_type, strict=True):
        assert first[int(c)] == int(k)
    assert (lg.attempt > 1).sum() > 50  # redials happened


def test_no_call_served_without_the_skill(log: tuple[str, EngineLog]) -> None:
    _, lg = log
    ans = lg.outcome == ANSWERED
    groups = lg.group_of_agent[lg.agent_id[ans]]
    for g, k in set(zip(groups.tolist(), lg.call_type[ans].tolist(), strict=True)):
        assert k in RANK[g], f"group {g} served type {k} without the skill"


def test_overflow_delay_respected(log: tuple[str, EngineLog]) -> None:
    """While the centre is open; at the closing (drain) the delays end, and the calls
    answered after it may have waited less (test_drain_waives_overflow_delays_...)."""
    _, lg = log
    start = lg.arrival_s + lg.wait_s
    closing = (np.floor(start / 86_400.0) * 86_400.0) + 14 * 3600.0  # 14:00 of the day
    ans = (lg.outcome == ANSWERED) & (start < closing)
    groups = lg.group_of_agent[lg.agent_id[ans]]
    kinds, waits = lg.call_type[ans], lg.wait_s[ans]
    for (g, k), delay in OVERFLOW.items():
        m = (groups == g) & (kinds == k)
        assert m.sum() > 20, (g, k)  # the overflow is used
        assert waits[m].min() >= delay - 1e-9
    after = (lg.outcome == ANSWERED) & (start >= closing)
    assert after.any()  # the drain served calls too


def _starts(lg: EngineLog) -> pd.DataFrame:
    return pd.DataFrame({
        "arrival": lg.arrival_s, "end": lg.arrival_s + lg.wait_s, "kind": lg.call_type,
        "answered": lg.outcome == ANSWERED,
        "group": np.where(lg.agent_id >= 0, lg.group_of_agent[np.maximum(lg.agent_id, 0)], -1),
    })  # fmt: skip


def priority_violations(lg: EngineLog) -> int:
    """Starts of a call while a call of a smaller priority that the same agent could
    take (skill, overflow delay passed) was waiting; asserts the check is not vacuous."""
    df = _starts(lg)
    waiting = df[df["end"] > df["arrival"]]  # calls that waited (the only ones that matter)
    starts = df[df["answered"]]
    checked = violations = 0
    for g in range(3):
        for k in RANK[g]:
            higher = [j for j in RANK[g] if PRIORITY[j] < PRIORITY[k]]
            s = starts[(starts["group"] == g) & (starts["kind"] == k)]["end"].to_numpy()
            for j in higher:
                w = waiting[waiting["kind"] == j]
                ready = w["arrival"].to_numpy() + OVERFLOW.get((g, j), 0.0)
                end = w["end"].to_numpy()
                for chunk in np.array_split(s, max(1, len(s) // 500)):
                    bad = (ready[None, :] <= chunk[:, None]) & (end[None, :] > chunk[:, None])
                    violations += int(bad.any(axis=1).sum())
                    checked += bad.size
    assert checked > 10_000
    return violations


def test_priorities_respected() -> None:
    """With call_choice priority, a lower-priority call never starts while a
    higher-priority call the agent may take waits; longest_wait breaks that rule (the
    check can fail)."""
    assert priority_violations(run(dict(SALES_SERVICE, routing={"call_choice": "priority"}))) == 0
    assert priority_violations(run(dict(SALES_SERVICE, routing={"call_choice": "longest_wait"}))) > 0


def test_agents_never_idle_while_an_eligible_call_waits() -> None:
    """Under one interval of constant staffing, a waiting call that abandons never had
    an idle agent of an eligible group: it is only checked through the staff log's
    counts: busy agents of each group (from the calls) reach the group's size whenever
    a call it may take waits past the overflow delay."""
    cfg = dict(SALES_SERVICE, run={"days": 1, "seed": 3})
    cfg["agent_groups"] = [dict(g, agents=g["agents"] if isinstance(g["agents"], int) else 10)
                           for g in SALES_SERVICE["agent_groups"]]  # fmt: skip
    lg = run(cfg)
    df = _starts(lg)
    served = df[df["answered"]]
    start, stop = served["end"].to_numpy(), served["end"].to_numpy() + lg.handle_s[df["answered"]]
    sizes = [g["agents"] for g in cfg["agent_groups"]]
    w = df[(~df["answered"]) & (df["end"] > df["arrival"] + 1.0)]  # abandoned after waiting
    rng = np.random.default_rng(0)
    checked = 0
    for _, row in w.sample(min(len(w), 300), random_state=1).iterrows():
        for g, ranks in RANK.items():
            if row["kind"] not in ranks:
                continue
            t = row["arrival"] + OVERFLOW.get((g, int(row["kind"])), 0.0)
            t = t + (row["end"] - t) * rng.uniform(0.01, 0.99)  # a time it waited eligible
            if t >= row["end"] or t >= 14 * 3600.0:
                continue
            m = served["group"].to_numpy() == g
            busy = int(((start[m] <= t) & (stop[m] > t)).sum())
            assert busy == sizes[g], (g, t, busy)
            checked += 1
    assert checked > 50


# ------------------------------------------------------------------ pooling identities
def _pool(agents: int) -> dict[str, Any]:
    return {
        "center": {"open_time": "00:00", "close_time": "24:00", "interval_min": 60,
                   "volume_per_day": 0.13 * 86400},
        "service": {"talk": {"kind": "exponential", "mean_s": 60.0},
                    "acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "exponential", "mean_s": 200.0},
        "staffing": {"agents": agents},
        "redials": {"probability": 0.4},
        "run": {"days": 1, "seed": 11},
    }  # fmt: skip


def test_full_cross_training_of_one_type_is_one_pool_call_for_call() -> None:
    """One type, two groups with the skill at the same rank: the longest-idle agent of
    either group answers, which is the one pool's rule; with the same random numbers
    (one type draws from the single-queue streams) every call's outcome, wait and agent
    are the same."""
    one = run(_pool(9))
    split = _pool(9)
    split["agent_groups"] = [
        {"name": "a", "agents": 4, "skills": {"general": 1}},
        {"name": "b", "agents": 5, "skills": {"general": 1}},
    ]
    two = run(split)
    for col in ("arrival_s", "wait_s", "outcome", "agent_id", "handle_s", "caller_id"):
        np.testing.assert_array_equal(getattr(one, col), getattr(two, col), err_msg=col)
    assert set(np.unique(two.group_of_agent[two.agent_id[two.agent_id >= 0]])) == {0, 1}


def test_explicit_single_type_and_group_equal_the_defaults() -> None:
    """A config with one explicit call type (share 1) and one explicit group equal to the
    defaults gives identical tables."""
    base = dict(_pool(9), run={"days": 2, "seed": 5})
    explicit = dict(base, call_types=[{"name": "general", "share": 1.0}],
                    agent_groups=[{"name": "agents", "agents": 9, "skills": {"general": 1}}])  # fmt: skip
    a, b = CallCenter(base).run(0), CallCenter(explicit).run(0)
    pd.testing.assert_frame_equal(a.calls, b.calls)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    assert a.summary.keys() == b.summary.keys()
    for key, value in a.summary.items():
        assert value == b.summary[key] or (value != value and b.summary[key] != b.summary[key])


def _types(shares: tuple[float, float], agents: tuple[int, int], cross: bool,
           days: int, seed: int) -> dict[str, Any]:  # fmt: skip
    lam = 0.11
    return {
        "center": {"open_time": "00:00", "close_time": "24:00", "interval_min": 60,
                   "volume_per_day": lam * 86400},
        "service": {"talk": {"kind": "exponential", "mean_s": 60.0},
                    "acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "never"},
        "call_types": [{"name": "a", "share": shares[0]}, {"name": "b", "share": shares[1]}],
        "agent_groups": [
            {"name": "ga", "agents": agents[0], "skills": {"a": 1, "b": 2} if cross else {"a": 1}},
            {"name": "gb", "agents": agents[1], "skills": {"b": 1, "a": 2} if cross else {"b": 1}},
        ],
        "routing": {"call_choice": "longest_wait"},
        "run": {"days": days, "warmup_s": 3000.0, "seed": seed},
    }  # fmt: skip


def _p_wait_and_wait(cfg: dict[str, Any], reps: int) -> tuple[np.ndarray, np.ndarray]:
    model = CallCenter(cfg)
    out = []
    for r in range(reps):
        lg = model.engine(r).run()
        keep = lg.arrival_s >= 3000.0
        kind, wait = lg.call_type[keep], lg.wait_s[keep]
        out.append([[np.mean(wait[kind == k] > 0), np.mean(wait[kind == k])] for k in (0, 1)]
                   + [[np.mean(wait > 0), np.mean(wait)]])  # fmt: skip
    return np.mean(out, axis=0), np.std(out, axis=0, ddof=1) / np.sqrt(reps)


def test_full_cross_training_is_erlang_c() -> None:
    """Two types, both groups with both skills, FCFS across types (longest_wait), equal
    exponential service: the busy count is one M/M/9 queue, so P(wait) and the mean wait
    of every type and of all calls are Erlang C's. Interval: 3.5 standard errors of 10
    replications (9 checks; a correct engine fails one with probability < 0.5 %)."""
    mean, se = _p_wait_and_wait(_types((0.6, 0.4), (5, 4), True, 2, 21), 10)
    c = analytic.erlang_c(0.11, 60.0, 9)
    for row in range(3):
        assert abs(mean[row, 0] - c.p_wait) <= 3.5 * se[row, 0], (row, mean[row], c)
        assert abs(mean[row, 1] - c.mean_wait_s) <= 3.5 * se[row, 1], (row, mean[row], c)


def test_no_cross_training_is_separate_pools() -> None:
    """Each group serves its own type only: two independent M/M/n queues (Erlang C each)."""
    mean, se = _p_wait_and_wait(_types((0.6, 0.4), (5, 4), False, 2, 22), 10)
    for k, (share, n) in enumerate(((0.6, 5), (0.4, 4))):
        c = analytic.erlang_c(0.11 * share, 60.0, n)
        assert abs(mean[k, 0] - c.p_wait) <= 3.5 * se[k, 0], (k, mean[k], c)
        assert abs(mean[k, 1] - c.mean_wait_s) <= 3.5 * se[k, 1], (k, mean[k], c)


def test_random_agent_choice_is_reproducible_and_uses_every_group() -> None:
    cfg = dict(SALES_SERVICE, routing={"agent_choice": "random"})
    a, b = run(cfg), run(cfg)
    np.testing.assert_array_equal(a.agent_id, b.agent_id)
    c = run(dict(SALES_SERVICE))
    assert not np.array_equal(a.agent_id, c.agent_id)


def test_staff_log_per_group() -> None:
    lg = run(SALES_SERVICE)
    assert len(lg.staff_group) == len(lg.staff_present) == len(lg.staff_time_s)
    assert set(np.unique(lg.staff_group)) == {0, 1, 2}
    peaks = [int(lg.staff_present[lg.staff_group == g].max()) for g in range(3)]
    assert peaks == [11, 10, 3]
    assert list(np.bincount(lg.group_of_agent)) == [11, 10, 3]


def test_redials_and_repeats_keep_the_type_and_its_laws() -> None:
    """Each type has a deterministic talk time of its own: every attempt of a caller
    (fresh, redial, repeat contact) is served with its type's."""
    cfg: dict[str, Any] = {
        "center": {"open_time": "08:00", "close_time": "12:00", "volume_per_day": 900.0},
        "service": {"acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "exponential", "mean_s": 60.0},
        "call_types": [
            {"name": "short", "share": 0.5, "talk": {"kind": "deterministic", "value_s": 100.0}},
            {"name": "long", "share": 0.5, "talk": {"kind": "deterministic", "value_s": 500.0}},
        ],
        "agent_groups": [{"name": "all", "agents": 18, "skills": {"short": 1, "long": 1}}],
        "redials": {"probability": 0.6},
        "resolution": {"fcr": 0.5, "recontact_probability": 1.0,
                       "recontact_delay": {"kind": "exponential", "mean_s": 600.0}},
        "run": {"days": 1, "seed": 4},
    }  # fmt: skip
    lg = run(cfg)
    for source in (0, 1, 2):  # fresh, redial, repeat
        m = lg.source == source
        assert m.sum() > 20, source
        np.testing.assert_array_equal(lg.handle_s[m], np.where(lg.call_type[m] == 0, 100.0, 500.0))


def test_one_explicit_type_with_its_own_laws_uses_them_everywhere() -> None:
    """One call type with its own talk law: fresh calls, redials and repeats use it."""
    cfg: dict[str, Any] = {
        "center": {"open_time": "08:00", "close_time": "12:00", "volume_per_day": 600.0},
        "service": {"acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "exponential", "mean_s": 60.0},
        "call_types": [{"name": "only", "share": 1.0,
                        "talk": {"kind": "deterministic", "value_s": 250.0}}],
        "staffing": {"agents": 9},
        "redials": {"probability": 0.6},
        "resolution": {"fcr": 0.5, "recontact_probability": 1.0,
                       "recontact_delay": {"kind": "exponential", "mean_s": 600.0}},
        "run": {"days": 1, "seed": 4},
    }  # fmt: skip
    lg = run(cfg)
    assert set(np.unique(lg.source)) == {0, 1, 2}
    assert (lg.handle_s == 250.0).all()


def test_drain_waives_overflow_delays_no_agent_idles_overnight() -> None:
    """At a closing with drain, the calls still waiting become eligible for every group
    with the skill (the overflow delays end), so no agent stays idle while a call it
    may take waits, and every agent has left once the queues are empty. Before this
    rule, an agent of group b whose only waiting calls had not waited b's delay went
    idle and stayed on until the next day's first target: 9 such nights in these 8
    replications (measured); now none."""
    cfg = {"run": {"days": 3, "seed": 5},
           "center": {"open_time": "08:00", "close_time": "12:00", "interval_min": 60,
                      "volume_per_day": 350.0, "after_close": "drain"},
           "patience": {"kind": "never"},
           "call_types": [{"name": "x", "share": 0.8}, {"name": "y", "share": 0.2}],
           "agent_groups": [{"name": "a", "agents": 5, "skills": {"x": 1}},
                            {"name": "b", "agents": 4, "skills": {"y": 1, "x": 2},
                             "overflow_after_s": {"x": 900}}]}  # fmt: skip
    cc = CallCenter(cfg)
    for rep in range(8):
        log = cc.engine(rep).run()
        assert (log.outcome == int(Outcome.ANSWERED)).all()  # drained, nobody hangs up
        for g in range(2):
            mine = log.staff_group == g
            t, present = log.staff_time_s[mine], log.staff_present[mine]
            for day in (1, 2):
                k = np.searchsorted(t, day * 86400.0, side="right") - 1
                assert present[k] == 0, (rep, g, day, t[k] / 3600 % 24)
