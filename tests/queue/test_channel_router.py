"""Invariants of the channel router (sim.queue.channels) on the shipped scenarios, read
from the engine log: no agent holds more than its group's max_sessions, an agent holding
a chat answers no call or e-mail, an e-mail never starts while a call its agent may take
waits, blended agents keep reserve_idle colleagues idle, the backlog carries over
closing and days, and a centre without channels is untouched."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import sim
from sim.core.calls import Outcome
from sim.model.callcenter import CallCenter
from sim.queue.engine import EngineLog

ANSWERED = int(Outcome.ANSWERED)
CLOSED = int(Outcome.CLOSED)


@cache
def run(scenario: str, days: int = 2) -> tuple[CallCenter, EngineLog]:
    model = CallCenter(sim.compose([f"scenario={scenario}", f"run.days={days}"]))
    return model, model.engine(0).run()


def spans(log: EngineLog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ans = np.flatnonzero(log.outcome == ANSWERED)
    start = log.arrival_s[ans] + log.wait_s[ans]
    return ans, start, start + log.handle_s[ans]


def held_at_start(log: EngineLog, chat: int) -> tuple[np.ndarray, np.ndarray]:
    """For each answered contact: the chats its agent holds at its start, itself
    excluded (contacts in index order of ``spans``)."""
    ans, start, end = spans(log)
    agent = log.agent_id[ans]
    is_chat = log.call_type[ans] == chat
    held = np.zeros(len(ans), np.int64)
    order = np.argsort(agent, kind="stable")
    for a in np.unique(agent):
        idx = order[np.searchsorted(agent[order], a):np.searchsorted(agent[order], a, "right")]
        s, e, c = start[idx], end[idx], is_chat[idx]
        held[idx] = ((s[None, :] <= s[:, None]) & (e[None, :] > s[:, None]) & c[None, :]).sum(1)
        held[idx] -= c  # itself
    return ans, held


def test_sessions_within_max_and_no_call_while_chatting() -> None:
    model, log = run("chat_and_calls")
    names = [t.name for t in model.scenario.call_types]
    chat = names.index("chat")
    cap = np.array([g.max_sessions for g in model.scenario.agent_groups])
    ans, held = held_at_start(log, chat)
    group = log.group_of_agent[log.agent_id[ans]]
    is_chat = log.call_type[ans] == chat
    assert (held[is_chat] + 1 <= cap[group[is_chat]]).all()
    assert (held[is_chat] + 1 == cap[group[is_chat]]).any()  # some agent is full
    assert (held[~is_chat] == 0).all()  # a call only to an agent holding no chat
    assert is_chat.any() and (~is_chat).any()


def test_email_waits_for_calls_and_carries_over() -> None:
    model, log = run("email_backlog", days=3)
    names = [t.name for t in model.scenario.call_types]
    calls, email = names.index("calls"), names.index("email")
    groups = model.scenario.agent_groups
    ans, start, _ = spans(log)
    kind = log.call_type[ans]
    group = log.group_of_agent[log.agent_id[ans]]
    # calls waiting at each e-mail start that the e-mail's group may take
    c = log.call_type == calls
    c_arr = log.arrival_s[c]
    c_leave = c_arr + log.wait_s[c]
    for j in np.flatnonzero(kind == email):
        g = groups[group[j]]
        if calls in g.skills:
            waiting = (c_arr < start[j]) & (c_leave > start[j])
            assert not waiting.any(), f"e-mail started at {start[j]} with a call waiting"
    # the backlog outlives closing: e-mails answered on a later day than they came
    e = log.call_type == email
    day_in = (log.arrival_s[e] // 86400).astype(int)
    e_start = log.arrival_s[e] + log.wait_s[e]
    done = log.outcome[e] == ANSWERED
    assert ((e_start[done] // 86400).astype(int) > day_in[done]).any()
    # e-mails are closed only when the run is over; no e-mail abandons
    assert (log.outcome[e] != int(Outcome.ABANDONED)).all()
    closed = log.outcome[e] == CLOSED
    assert (e_start[closed] >= log.end_s - 1e-6).all()


@pytest.mark.parametrize("reserve", [0, 2])
def test_blended_agents_keep_reserve_idle(reserve: int) -> None:
    """At every e-mail start by a blended agent, more than ``reserve`` of its group were
    idle just before (itself included): present - busy > reserve."""
    cfg = {
        "run": {"days": 1, "seed": 3},
        "center": {"volume_per_day": 1800.0},
        "call_types": [{"name": "calls", "share": 0.7},
                       {"name": "email", "share": 0.3, "channel": "email",
                        "sl_threshold_s": 86400.0}],
        "agent_groups": [{"name": "blended", "agents": 12, "skills": {"calls": 1, "email": 1},
                          "reserve_idle": reserve}],
    }  # fmt: skip
    log = CallCenter(cfg).engine(0).run()
    ans, start, end = spans(log)
    email = log.call_type[ans] == 1
    t, present = log.staff_time_s, log.staff_present
    checked = 0
    for j in np.flatnonzero(email):
        s = start[j]
        busy = np.sum((start < s) & (end > s))  # before it starts (ties: not counted)
        on = present[np.searchsorted(t, s, side="right") - 1]
        if np.any(np.isclose(start, s) & (np.arange(len(start)) != j)) or np.isclose(end, s).any():
            continue  # a simultaneous start or end: the order within the instant decides
        assert on - busy > reserve, (s, on, busy)
        checked += 1
    assert checked > 50


def test_no_channels_no_change() -> None:
    """Explicit voice channels give the same log as no channel key, bit for bit."""
    base = {
        "run": {"days": 1},
        "call_types": [{"name": "a", "share": 0.6}, {"name": "b", "share": 0.4}],
        "agent_groups": [{"name": "x", "agents": 8, "skills": {"a": 1, "b": 2}},
                         {"name": "y", "agents": 4, "skills": {"b": 1}}],
    }  # fmt: skip
    voice = {**base, "call_types": [dict(t, channel="voice") for t in base["call_types"]]}
    one, two = CallCenter(base).engine(0).run(), CallCenter(voice).engine(0).run()
    for col in ("arrival_s", "wait_s", "handle_s", "outcome", "agent_id"):
        np.testing.assert_array_equal(getattr(one, col), getattr(two, col))


def test_channel_router_serves_voice_as_the_skill_router() -> None:
    """An e-mail type without arrivals switches on the channel router: the voice calls
    are served exactly as by the skill router (same agents, same waits, bit for bit)."""
    base = {
        "run": {"days": 1},
        "routing": {"call_choice": "rank"},
        "call_types": [{"name": "a", "share": 0.6}, {"name": "b", "share": 0.4}],
        "agent_groups": [{"name": "x", "agents": 8, "skills": {"a": 1, "b": 2}},
                         {"name": "y", "agents": 4, "skills": {"b": 1}}],
    }  # fmt: skip
    mail = {**base,
            "call_types": [*base["call_types"],
                           {"name": "m", "share": 0.0, "channel": "email", "sl_threshold_s": 86400}],
            "agent_groups": [*base["agent_groups"],
                             {"name": "z", "agents": 1, "skills": {"m": 1}}]}  # fmt: skip
    one, two = CallCenter(base).engine(0).run(), CallCenter(mail).engine(0).run()
    assert len(one.outcome) == len(two.outcome) > 100
    for col in ("arrival_s", "wait_s", "handle_s", "outcome", "agent_id", "call_type"):
        np.testing.assert_array_equal(getattr(one, col), getattr(two, col))
