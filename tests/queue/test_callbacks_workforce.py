"""Callbacks with the agent layer (sim/workforce) and with shifts (issue 15).

Exact checks:

* **A neutral agent layer changes nothing.** Agents as individuals with every behaviour
  off (no fatigue, learning, absence or attrition; empowerment only as the journey
  has it without the layer) answer like the core's anonymous agents: same agent ids,
  handle times and resolution draws. Callbacks draw from their own streams and reach
  the agents through the same router, so the run with callbacks is the run without the
  layer bit for bit: calls, callbacks table, queue and callback KPIs.
* **Shifts that cover the counts** give the same calls as the counts (agent ids
  aside: a roster fills shifts in id order, counts call back the last to leave first).
* **Agents' busy time is every attempt they started**: answered calls, reached
  callbacks and the dial time of unreached ones (the workforce's ``work`` hook), to
  the last rounding, with fatigue on or off.

Invariants: every accepted callback ends exactly once (reached, unreached after its
tries or because the retry would come after closing, or closed: still waiting at a
``cut`` closing or at the end of the run), with shifts that end before closing, breaks,
``drain`` and ``cut``, both modes and several agent groups with their own workforce.
"""

from __future__ import annotations

import math
from collections import Counter
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from neutral_layer import assert_same_queue_kpis

import sim
from sim.core.calls import Outcome, Source
from sim.core.timetable import DAY_S

ANSWERED, UNREACHED, CLOSED = int(Outcome.ANSWERED), int(Outcome.UNREACHED), int(Outcome.CLOSED)
OPEN = {"open_time": "08:00", "close_time": "16:00", "interval_min": 60}
#: agents per hour: fewer than the load needs at times (callbacks are offered), and
#: changing, so agents come and go during the day
AGENTS = [9, 12, 12, 10, 8, 10, 12, 9]
CALLBACKS = {"enabled": True, "threshold_s": 60.0, "accept_probability": 0.6,
             "reach_probability": 0.7, "dial_s": 30.0, "max_tries": 3,
             "retry_delay_s": 600.0}  # fmt: skip
JOURNEY = {"resolution": {"fcr": 0.7, "recontact_probability": 0.5, "empowered_share": 0.5,
                          "empowerment_uplift": 0.2},
           "redials": {"probability": 0.3}}  # fmt: skip
#: two shifts with breaks; the late one ends an hour before closing, so callbacks
#: accepted late in the day wait with no agent on until the next day's first shift
SHIFTS = [{"name": "early", "start": "08:00", "length_h": 5,
           "breaks": [{"after_min": 90, "length_min": 15}]},
          {"name": "late", "start": "11:00", "length_h": 4,
           "breaks": [{"after_min": 120, "length_min": 15}]}]  # fmt: skip
ROSTER = {"early": 10, "late": 9}


def centre(days: int = 2, seed: int = 5, **extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "run": {"days": days, "seed": seed},
        "center": {**OPEN, "volume_per_day": 1700.0},
        "staffing": {"agents": AGENTS},
        **JOURNEY,
    }
    for key, value in extra.items():
        cfg[key] = {**cfg.get(key, {}), **value} if isinstance(value, dict) else value
    return cfg


# ------------------------------------------------------------------ exact identities
@pytest.mark.parametrize(
    ("callbacks", "after_close"),
    [
        ({"mode": "keep_place"}, "drain"),
        ({"mode": "keep_place", "predictor": "les"}, "cut"),
        ({"mode": "promised", "priority": "idle"}, "drain"),
        ({"mode": "promised", "promise_s": 600.0}, "cut"),
    ],
)
def test_a_neutral_agent_layer_is_the_run_without_it(callbacks: dict, after_close: str) -> None:
    cfg = centre(callbacks={**CALLBACKS, **callbacks}, center={"after_close": after_close})
    core = sim.simulate({**cfg, "workforce": {"enabled": False}})
    agents = sim.simulate({**cfg, "workforce": {"enabled": True}})
    assert core.callback_summary["callback_acceptances"] > 100
    assert (core.calls["outcome"] == "unreached").sum() > 20
    pd.testing.assert_frame_equal(core.calls, agents.calls)
    pd.testing.assert_frame_equal(core.callbacks, agents.callbacks)
    assert core.callback_summary == agents.callback_summary
    assert_same_queue_kpis(core, agents)  # the queue's KPIs; not pay, cost or headcount
    assert core.agents.empty and len(agents.agents) > 0


def test_shifts_covering_the_counts_give_the_same_calls() -> None:
    """One shift over the opening hours with 11 agents is 11 agents per interval: the
    same calls and callbacks (agent ids aside) with agents that differ in nothing."""
    wf = {"enabled": True}
    same = {"resolution": {"empowered_share": 0.0}}  # else which agent answers matters
    counts = sim.simulate(
        centre(**same, callbacks=CALLBACKS, workforce=wf, staffing={"agents": 11})
    )
    day = [{"name": "day", "start": "08:00", "length_h": 8}]
    shifts = sim.simulate(centre(**same, callbacks=CALLBACKS, workforce=wf,
                                 staffing={"agents": None, "shifts": day, "roster": {"day": 11}}))  # fmt: skip
    assert counts.callback_summary["callback_acceptances"] > 100
    pd.testing.assert_frame_equal(counts.calls.drop(columns="agent_id"),
                                  shifts.calls.drop(columns="agent_id"))  # fmt: skip
    pd.testing.assert_frame_equal(counts.callbacks, shifts.callbacks)


@pytest.mark.parametrize("fatigue", [False, True])
def test_agents_busy_time_includes_callback_work(fatigue: bool) -> None:
    """The agents table's busy time is the handle time of every attempt its agents
    started: answered calls, reached callbacks and the dial time of unreached ones;
    its call counts are those attempts."""
    wf = {"enabled": True, "fatigue": {"enabled": fatigue}, "learning": {"enabled": fatigue}}
    res = sim.simulate(centre(callbacks=CALLBACKS, workforce=wf))
    calls, agents = res.calls, res.agents
    started = calls[calls["agent_id"] >= 0]
    assert set(started["outcome"]) == {"answered", "unreached"}
    callback_work = started.loc[started["source"] == "callback", "handle_s"]
    dial = started.loc[started["outcome"] == "unreached", "handle_s"]
    assert len(dial) > 20 and (dial == CALLBACKS["dial_s"]).all()  # never stretched
    assert callback_work.sum() > 0.05 * started["handle_s"].sum()
    assert agents["busy_s"].sum() == pytest.approx(started["handle_s"].sum(), rel=1e-12)
    per_day = started.groupby("day")["handle_s"].sum()
    assert np.allclose(agents.groupby("day")["busy_s"].sum().loc[per_day.index], per_day,
                       rtol=1e-12)  # fmt: skip
    assert agents["calls"].sum() == len(started)


def test_dial_time_rests_and_tires_like_a_call() -> None:
    """The workforce's ``work`` hook (the dial time of an unreached callback): the agent
    rests since its last work ended, then tires over the dial time by the fatigue
    model's build-up rate; busy time and attempts count it."""
    model = sim.CallCenter(centre(workforce={"enabled": True, "fatigue": {"enabled": True}}))
    wf = model.workforce(model.streams(0))
    assert wf is not None
    clock = SimpleNamespace(now=100.0)
    work = wf.work(clock)
    *_, rest, rate = wf.fatigue_k[0]  # agent 0: rest and build-up rates
    work(0, 600.0)
    f1 = 1.0 - math.exp(-600.0 * rate)
    assert (wf.fat[0], wf.t_fat[0], wf.busy[0], wf.ncalls[0]) == (f1, 700.0, 600.0, 1)
    clock.now = 1300.0  # 600 s of rest
    work(0, 30.0)
    rested = f1 * math.exp(-600.0 * rest)
    assert wf.fsum[0] == pytest.approx(rested, rel=1e-15)
    assert wf.fat[0] == pytest.approx(1.0 - (1.0 - rested) * math.exp(-30.0 * rate), rel=1e-15)
    assert (wf.busy[0], wf.ncalls[0]) == (630.0, 2)


# ------------------------------------------------------------------ conservation
def _endings(cfg: dict[str, Any]) -> tuple[Counter[str], Any]:
    """Run ``cfg`` (replication 0) and check that every accepted offer ends exactly
    once; returns the count of each ending and the engine log."""
    model = sim.CallCenter(cfg)
    plan = model.scenario.callbacks
    assert plan is not None
    log = model.engine(0).run()
    tt = model.timetable
    cb = log.callbacks.columns()
    accepted = np.flatnonzero(cb["accepted"])
    attempts: dict[int, list[int]] = {int(r): [] for r in accepted}
    for j, r in zip(cb["attempt_call"].tolist(), cb["origin"].tolist(), strict=True):
        attempts[r].append(j)  # KeyError: an attempt of an offer that was not accepted
    assert (log.outcome != int(Outcome.WAITING)).all()  # nothing left waiting
    assert int((log.outcome == int(Outcome.CALLBACK)).sum()) == len(accepted)
    ends: Counter[str] = Counter()
    for r, js in attempts.items():
        assert js, f"offer {r} accepted but never called back"
        *early, last = js
        assert all(log.outcome[j] == UNREACHED for j in early)  # only a miss is retried
        assert list(log.attempt[js]) == list(range(1, len(js) + 1))
        o = int(log.outcome[last])
        if o == ANSWERED:
            ends["reached"] += 1
        elif o == UNREACHED:  # out of tries, or the retry would come after closing
            end = log.arrival_s[last] + log.wait_s[last] + plan.dial_s
            day = int((log.arrival_s[last] + log.wait_s[last]) // DAY_S)
            assert len(js) == plan.max_tries or end + plan.retry_delay_s >= tt.closing(day)
            ends["unreached"] += 1
        else:
            assert o == CLOSED, o
            ends["closed"] += 1
    assert sum(ends.values()) == len(accepted)
    return ends, log


@pytest.mark.parametrize("mode", ["keep_place", "promised"])
@pytest.mark.parametrize("after_close", ["drain", "cut"])
def test_every_accepted_callback_ends_once_with_shifts(mode: str, after_close: str) -> None:
    wf = {"enabled": True, "fatigue": {"enabled": True}, "learning": {"enabled": True},
          "attrition": {"enabled": True}}  # fmt: skip
    cfg = centre(days=3, callbacks={**CALLBACKS, "mode": mode}, workforce=wf,
                 center={"after_close": after_close},
                 staffing={"agents": None, "shifts": SHIFTS, "roster": ROSTER})  # fmt: skip
    ends, log = _endings(cfg)
    assert ends["reached"] > 100 and ends["unreached"] > 0
    started = log.arrival_s + log.wait_s
    is_cb = log.source == int(Source.CALLBACK)
    made_next_day = is_cb & (log.outcome != CLOSED) & (started // DAY_S > log.arrival_s // DAY_S)
    if after_close == "drain":
        # waiting at closing with no agent left on (the late shift ends at 15:00): made
        # by the next day's first shift; those of the last day are pending at the end
        assert made_next_day.any() and ends["closed"] > 0
    else:  # cut: closed at closing, never made the next day
        assert ends["closed"] > 0 and not made_next_day.any()


def test_every_accepted_callback_ends_once_with_agent_groups() -> None:
    """Two groups, each its own workforce keys; group a on shifts, group b by counts;
    callbacks of type x only, made by either group (b at its rank for x)."""
    types = [{"name": "x", "share": 0.6}, {"name": "y", "share": 0.4}]
    groups = [
        {"name": "a", "skills": {"x": 1}, "shifts": SHIFTS, "roster": {"early": 6, "late": 5},
         "workforce": {"fatigue": {"enabled": True}}},
        {"name": "b", "agents": 6, "skills": {"y": 1, "x": 2},
         "workforce": {"absence_probability": 0.1, "headcount": 8}},
    ]  # fmt: skip
    cfg = centre(callbacks={**CALLBACKS, "call_types": ["x"]}, call_types=types,
                 agent_groups=groups, workforce={"enabled": True})  # fmt: skip
    ends, _ = _endings(cfg)
    assert ends["reached"] > 50
    res = sim.simulate(cfg)
    calls = res.calls
    cb = calls[calls["source"] == "callback"]
    assert set(cb["call_type"]) == {"x_callback"}
    assert set(cb.loc[cb["agent_id"] >= 0, "agent_group"]) == {"a", "b"}
    started = calls[calls["agent_id"] >= 0]
    assert res.agents["busy_s"].sum() == pytest.approx(started["handle_s"].sum(), rel=1e-12)
