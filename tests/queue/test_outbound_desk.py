"""Outbound campaigns in the engine (sim.queue.outbound), read from the engine log:
every dial ends exactly once, retries follow their unreached dial by retry_delay_s up
to max_tries, a finite list is worked through, a dial never starts while a voice call
waits or with the group's reserve at or under reserve_idle, the reach probability and
the unreached dial time are as configured, the inbound calls are those of the run
without the campaign (common random numbers), and a run repeats bit for bit."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import numpy as np
import pytest
from outbound_configs import CAMPAIGN, outbound_centre
from scipy import stats

from sim.core.calls import Outcome, Source
from sim.model.callcenter import CallCenter
from sim.queue.engine import EngineLog

ANSWERED, UNREACHED, CLOSED = int(Outcome.ANSWERED), int(Outcome.UNREACHED), int(Outcome.CLOSED)
OUTBOUND = int(Source.OUTBOUND)
#: without the customer journey or the agent layer: the engine alone
ENGINE_ONLY = {"resolution": {"fcr": 1.0}, "customers": {"enabled": False},
               "workforce": {"enabled": False}}  # fmt: skip


def config(**campaign: Any) -> dict[str, Any]:
    return outbound_centre(3, ENGINE_ONLY, campaign=campaign)


BASE = config()


@cache
def run(seed: int = 11, **campaign: Any) -> EngineLog:
    cfg = config(**campaign)
    cfg["run"]["seed"] = seed
    return CallCenter(cfg).engine(0).run()


def test_every_dial_ends_exactly_once_and_retries_follow_their_unreached_dial() -> None:
    log = run()
    dial = np.flatnonzero(log.source == OUTBOUND)
    assert (log.call_type[dial] == 1).all() and (log.source[log.call_type == 1] == OUTBOUND).all()
    out = log.outcome[dial]
    assert set(np.unique(out)) <= {ANSWERED, UNREACHED, CLOSED}  # none left waiting
    assert (out == ANSWERED).any() and (out == UNREACHED).any()
    # every dial answered (reached) or unreached was made by an agent; closed: never dialed
    assert (log.agent_id[dial][out != CLOSED] >= 0).all()
    assert (log.agent_id[dial][out == CLOSED] == -1).all()
    closed = dial[out == CLOSED]  # closed when the run was over
    np.testing.assert_allclose(log.arrival_s[closed] + log.wait_s[closed], log.end_s)
    # a record's dials: attempts 1, 2, ... of one caller id, at most max_tries
    tries = log.attempt[dial]
    assert tries.min() == 1 and tries.max() <= CAMPAIGN["max_tries"]
    by_caller: dict[int, list[int]] = {}
    for i in dial:
        by_caller.setdefault(int(log.caller_id[i]), []).append(int(i))
    retry = CAMPAIGN["retry_delay_s"]
    for rows in by_caller.values():
        rows.sort(key=lambda i: log.attempt[i])
        assert [log.attempt[i] for i in rows] == list(range(1, len(rows) + 1))
        for a, b in itertools.pairwise(rows):  # each retry follows an unreached dial
            assert log.outcome[a] == UNREACHED
            end = log.arrival_s[a] + log.wait_s[a] + log.handle_s[a]
            assert log.arrival_s[b] == pytest.approx(end + retry)
        last = rows[-1]
        if log.outcome[last] == UNREACHED and log.attempt[last] < CAMPAIGN["max_tries"]:
            end = log.arrival_s[last] + log.wait_s[last] + log.handle_s[last]
            assert end + retry > log.end_s  # its retry would come after the run
    # the records: at most the list, one caller id each
    first = dial[tries == 1]
    assert len(first) == len(by_caller) <= CAMPAIGN["list_size"] + 3 * CAMPAIGN["records_per_day"]


def test_unreached_dials_take_unreached_s_and_reach_has_its_probability() -> None:
    log = run()
    dialed = (log.source == OUTBOUND) & (log.outcome != CLOSED)
    unreached = dialed & (log.outcome == UNREACHED)
    np.testing.assert_array_equal(log.handle_s[unreached], CAMPAIGN["unreached_s"])
    # each dial reaches with p independently (its own stream): a binomial test
    n, k = int(dialed.sum()), int((dialed & (log.outcome == ANSWERED)).sum())
    assert stats.binomtest(k, n, CAMPAIGN["reach_probability"]).pvalue > 0.001, (k, n)


def test_a_finite_list_is_worked_through() -> None:
    """Ample blended capacity and a small list: every record is dialed; with reach 1,
    each once (penetration 1, no retries)."""
    log = run(list_size=300, records_per_day=0, reach_probability=1.0)
    dial = log.source == OUTBOUND
    assert dial.sum() == 300 and (log.outcome[dial] == ANSWERED).all()
    assert (log.attempt[dial] == 1).all()


def test_dials_wait_for_inbound_calls_and_the_reserve() -> None:
    """At each dial start by a blended agent: no voice call waits, and more than
    reserve_idle agents of the group were idle just before (itself included)."""
    log = run()
    served = np.flatnonzero((log.outcome == ANSWERED) | (log.outcome == UNREACHED))
    start = log.arrival_s[served] + log.wait_s[served]
    end = start + log.handle_s[served]
    group = log.group_of_agent[log.agent_id[served]]
    voice = np.flatnonzero(log.call_type == 0)
    v_arr, v_ans = log.arrival_s[voice], log.arrival_s[voice] + log.wait_s[voice]
    blended = group == 1
    t = log.staff_time_s[log.staff_group == 1]
    present = log.staff_present[log.staff_group == 1]
    checked = 0
    agent = log.agent_id[served]
    for j in np.flatnonzero(log.source[served] == OUTBOUND):
        s = start[j]
        others = agent != agent[j]  # its own call ending at s freed it: that is the rule
        if np.isclose(start[others], s).any() or np.isclose(end[others], s).any():
            continue  # a simultaneous start or end: the order within the instant decides
        assert not np.any((v_arr < s) & (v_ans > s)), s  # no voice call waited
        busy = np.sum(blended & (start < s) & (end > s))
        on = present[np.searchsorted(t, s, side="right") - 1]
        assert on - busy > BASE["agent_groups"][1]["reserve_idle"], (s, on, busy)
        checked += 1
    assert checked > 200


def test_inbound_calls_do_not_depend_on_the_campaign() -> None:
    """Common random numbers: the campaign draws from its own streams, so the voice
    calls' arrivals, patience and handle times are the same whatever the campaign."""
    log = run()
    other = run(reach_probability=0.9, records_per_day=100, max_tries=1)
    v, w = log.call_type == 0, other.call_type == 0
    for name in ("arrival_s", "patience_s"):
        np.testing.assert_array_equal(getattr(log, name)[v], getattr(other, name)[w])
    assert not np.array_equal(log.wait_s[v], other.wait_s[w])  # the queue did change


def test_same_seed_same_log_bit_for_bit() -> None:
    a, b = run(), CallCenter(config()).engine(0).run()
    for name in ("arrival_s", "wait_s", "handle_s", "outcome", "agent_id", "source", "attempt"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_with_the_customer_journey_a_dial_is_no_contact() -> None:
    """The journey runs next to a campaign: the inbound calls are resolved, rated and
    repeated as usual; a dial is neither resolved nor rated, has no customer, and opens
    no issue (no repeat contact or redial of the campaign's type); FCR counts no dial."""
    cfg = config()
    cfg["resolution"] = {"fcr": 0.7, "recontact_probability": 0.5,
                         "recontact_delay": {"kind": "exponential", "mean_s": 3600.0}}
    cfg["customers"] = {"enabled": True}
    res = CallCenter(cfg).run(0)
    calls = res.calls
    dial = (calls["source"] == "outbound").to_numpy()
    assert dial.any() and (calls["source"] == "repeat").any()
    assert (calls.loc[~dial, "call_type"] == "calls").all()
    assert calls.loc[dial, "resolved"].isna().all() and calls.loc[dial, "experience"].isna().all()
    assert (calls.loc[dial, "customer_id"] == -1).all() and (calls.loc[dial, "contact"] == 1).all()
    inbound = ~dial & (calls["outcome"] == "answered").to_numpy()
    assert calls.loc[inbound, "resolved"].notna().all()
    assert (calls.loc[~dial, "customer_id"] >= 0).any()
    assert 0.6 < res.summary["fcr"] < 0.8  # the inbound issues' (fcr 0.7)
