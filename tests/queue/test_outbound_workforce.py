"""Outbound campaigns with the agent layer (sim/workforce) and with shifts (issue 15).

Exact checks:

* **A neutral agent layer changes nothing.** Agents as individuals with every behaviour
  off (no fatigue, learning, absence or attrition; empowerment only as the journey has
  it without the layer) answer like the core's anonymous agents, and a dial is
  stretched by no agent's factor: the run with a campaign is the run without the layer
  bit for bit (calls table, queue KPIs).
* **Agents' busy time is every attempt they started**: answered calls, reached dials
  (their drawn handle time, never stretched by learning, empowerment or fatigue) and
  the ``unreached_s`` of unreached ones (the workforce's ``work`` hook), to the last
  rounding, with fatigue and learning on or off.

Invariant: every dial ends exactly once (answered, unreached or closed), retries follow
their unreached dial, with shifts that end before closing, breaks, fatigue, learning and
attrition.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from neutral_layer import assert_same_queue_kpis
from outbound_configs import CAMPAIGN, outbound_centre

import sim
from sim.core.calls import Outcome, Source
from sim.core.timetable import DAY_S

ANSWERED, UNREACHED, CLOSED = int(Outcome.ANSWERED), int(Outcome.UNREACHED), int(Outcome.CLOSED)
OUTBOUND = int(Source.OUTBOUND)
#: the journey runs (resolution draws, redials): empowered agents answer differently
JOURNEY = {"resolution": {"fcr": 0.7, "recontact_probability": 0.5, "empowered_share": 0.5,
                          "empowerment_uplift": 0.2},
           "redials": {"probability": 0.3}}  # fmt: skip


def config(**extra: Any) -> dict[str, Any]:
    return outbound_centre(2, JOURNEY, extra)


BASE = config()


def test_a_neutral_agent_layer_is_the_run_without_it() -> None:
    cfg = config()
    core = sim.simulate({**cfg, "workforce": {"enabled": False}})
    agents = sim.simulate({**cfg, "workforce": {"enabled": True}})
    calls = core.calls
    assert (calls["source"] == "outbound").sum() > 500
    assert (calls["outcome"] == "unreached").sum() > 200
    pd.testing.assert_frame_equal(core.calls, agents.calls)
    assert_same_queue_kpis(core, agents)  # the queue's KPIs; not pay, cost or headcount
    assert core.agents.empty and len(agents.agents) > 0


@pytest.mark.parametrize("behaviour", [False, True])
def test_agents_busy_time_includes_every_dial(behaviour: bool) -> None:
    """The agents table's busy time is the handle time of every attempt its agents
    started, dials included; its call counts are those attempts. With fatigue and
    learning on (and empowered agents slower), a dial is still its drawn handle time:
    the same dials as with a neutral layer (the reach and handle draws are the
    campaign's own streams; which agent dials may differ)."""
    wf = {"enabled": True, "fatigue": {"enabled": behaviour},
          "learning": {"enabled": behaviour},
          "empowered_handle_factor": 1.3 if behaviour else 1.0}  # fmt: skip
    res = sim.simulate(config(workforce=wf))
    calls, agents = res.calls, res.agents
    started = calls[calls["agent_id"] >= 0]
    dials = started[started["source"] == "outbound"]
    unreached = dials[dials["outcome"] == "unreached"]
    assert len(unreached) > 200 and (unreached["handle_s"] == CAMPAIGN["unreached_s"]).all()
    assert set(dials["agent_group"]) == {"blended"}
    assert dials["handle_s"].sum() > 0.05 * started["handle_s"].sum()
    assert agents["busy_s"].sum() == pytest.approx(started["handle_s"].sum(), rel=1e-12)
    # by the day a dial started (a record's day is the day it joined the list)
    start_day = ((started["arrival_s"] + started["wait_s"]) // DAY_S).astype(int)
    per_day = started.groupby(start_day)["handle_s"].sum()
    assert np.allclose(agents.groupby("day")["busy_s"].sum().loc[per_day.index], per_day,
                       rtol=1e-12)  # fmt: skip
    assert agents["calls"].sum() == len(started)
    if behaviour:
        _dials_are_not_stretched(config(workforce=wf))


def _dials_are_not_stretched(cfg: dict[str, Any]) -> None:
    """Rows of the campaign in the order they were made draw their handle times in that
    order (its own streams): the k-th row's drawn handle time is the same in a run with
    a neutral layer, and where both runs reached the k-th row its handle time is the
    same bit for bit, however tired, new or empowered the agent who dialed it. The
    inbound calls are stretched (fatigue, learning, empowerment)."""
    tired = sim.CallCenter(cfg).engine(0).run()
    neutral = sim.CallCenter(config(workforce={"enabled": True})).engine(0).run()
    h1, h0 = (log.handle_s[log.source == OUTBOUND] for log in (tired, neutral))
    o1, o0 = (log.outcome[log.source == OUTBOUND] for log in (tired, neutral))
    n = min(len(h1), len(h0))
    both = (o1[:n] == ANSWERED) & (o0[:n] == ANSWERED)
    assert both.sum() > 100
    np.testing.assert_array_equal(h1[:n][both], h0[:n][both])
    inbound = [log.handle_s[(log.source != OUTBOUND) & (log.agent_id >= 0)]
               for log in (tired, neutral)]  # fmt: skip
    assert inbound[0].mean() > 1.05 * inbound[1].mean()


SHIFTS = [{"name": "early", "start": "08:00", "length_h": 6,
           "breaks": [{"after_min": 120, "length_min": 15}]},
          {"name": "late", "start": "11:00", "length_h": 6,
           "breaks": [{"after_min": 120, "length_min": 15}]}]  # fmt: skip


@pytest.mark.parametrize("after_close", ["drain", "cut"])
def test_every_dial_ends_once_with_shifts(after_close: str) -> None:
    wf = {"enabled": True, "fatigue": {"enabled": True}, "learning": {"enabled": True},
          "attrition": {"enabled": True}}  # fmt: skip
    groups = copy.deepcopy(BASE["agent_groups"])
    groups[1] = {**groups[1], "agents": None, "shifts": SHIFTS,
                 "roster": {"early": 4, "late": 4}}  # fmt: skip
    cfg = config(workforce=wf, center={"after_close": after_close}, agent_groups=groups)
    cfg["run"]["days"] = 3
    log = sim.CallCenter(cfg).engine(0).run()
    dial = np.flatnonzero(log.source == OUTBOUND)
    out = log.outcome[dial]
    assert set(np.unique(out)) <= {ANSWERED, UNREACHED, CLOSED}  # none left waiting
    assert (out == ANSWERED).sum() > 300 and (out == UNREACHED).sum() > 300
    assert (log.agent_id[dial][out != CLOSED] >= 0).all()
    assert (log.agent_id[dial][out == CLOSED] == -1).all()
    by_caller: dict[int, list[int]] = {}
    for i in dial:
        by_caller.setdefault(int(log.caller_id[i]), []).append(int(i))
    for js in by_caller.values():  # one record: dials 1, 2, ...; only a miss is retried
        assert list(log.attempt[js]) == list(range(1, len(js) + 1))
        assert all(log.outcome[j] == UNREACHED for j in js[:-1])
        assert len(js) <= CAMPAIGN["max_tries"]
        for a, b in itertools.pairwise(js):
            end = log.arrival_s[a] + log.wait_s[a] + CAMPAIGN["unreached_s"]
            assert log.arrival_s[b] == pytest.approx(end + CAMPAIGN["retry_delay_s"], abs=1e-6)
    # a dial starts only while its agent's shift is on: the blended agents dial within
    # their shifts' hours (08:00-17:00), never after the late shift ends
    started = (log.arrival_s + log.wait_s)[dial][out != CLOSED] % DAY_S
    assert started.min() >= 8 * 3600.0 and started.max() < 17 * 3600.0
