"""The workforce layer per agent group (issue 14): each group its own staffing (counts,
or shifts and a roster) and its own workforce keys.

Exact checks: one group given as ``agent_groups`` is the single-group model bit for
bit (counts and shifts); a group on shifts that cover its counts exactly gives the same
calls as the counts; a group without fatigue answers exactly as without the layer's
fatigue. Invariants: each group's agents are its own (ids, the agents table, the
calls), calls are conserved per group. Bad input: one line naming the key.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.core.checks import ConfigError
from tests.test_golden import table_digest

OPEN = {"open_time": "08:00", "close_time": "14:00", "interval_min": 60}
#: a small two-type, two-group centre (design N: group b also takes type x)
TYPES = [{"name": "x", "share": 0.6}, {"name": "y", "share": 0.4}]


def _base(**extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "run": {"days": 3, "seed": 7},
        "center": {**OPEN, "volume_per_day": 500.0},
        "workforce": {"enabled": True, "fatigue": {"enabled": True},
                      "learning": {"enabled": True}, "attrition": {"enabled": True}},
    }  # fmt: skip
    cfg.update(extra)
    return cfg


def _groups(a: dict[str, Any] | None = None, b: dict[str, Any] | None = None) -> list[dict]:
    return [
        {"name": "a", "agents": 6, "skills": {"x": 1}, **(a or {})},
        {"name": "b", "agents": 5, "skills": {"y": 1, "x": 2}, **(b or {})},
    ]


def _digests(res: sim.Results) -> dict[str, str]:
    return {name: table_digest(getattr(res, name))
            for name in ("calls", "intervals", "days", "agents")}  # fmt: skip


# ------------------------------------------------------------------ one group: bit for bit
def test_one_group_counts_is_the_single_group_model() -> None:
    """``agent_groups`` with one group equal to ``staffing.*`` and the centre's
    workforce: the same tables as the single-group model, bit for bit."""
    single = sim.simulate(_base(staffing={"agents": 9, "group": "agents"}))
    grouped = sim.simulate(_base(agent_groups=[{"name": "agents", "agents": 9,
                                                "skills": {"general": 1}}]))  # fmt: skip
    assert single.agents["quit"].any() or single.agents["fatigue_mean"].gt(0).any()
    assert _digests(single) == _digests(grouped)


def test_one_group_shifts_is_the_single_group_model() -> None:
    shifts = [{"name": "early", "start": "08:00", "length_h": 4,
               "breaks": [{"after_min": 120, "length_min": 15}]},
              {"name": "late", "start": "10:00", "length_h": 4}]  # fmt: skip
    roster = {"early": 5, "late": [4, 5, 6]}
    single = sim.simulate(_base(staffing={"shifts": shifts, "roster": roster}))
    grouped = sim.simulate(_base(agent_groups=[{"name": "agents", "skills": {"general": 1},
                                                "shifts": shifts, "roster": roster}]))  # fmt: skip
    assert set(single.agents["shift"]) >= {"early", "late"}
    assert _digests(single) == _digests(grouped)


# ------------------------------------------------------------------ two groups
def test_shifts_covering_the_counts_give_the_same_calls() -> None:
    """Group a on one shift over the opening hours with 6 agents is group a with 6
    agents per interval: the same calls, call for call, and the same per-group tables.
    Exact with agents that differ in nothing (fatigue and learning off): the agents come
    at opening and go at closing; only which of a's identical agents takes a call may
    differ (counts call back the last to leave first, a roster fills shifts in id
    order), so ``agent_id`` is left out."""
    same = {"fatigue": {"enabled": False}, "learning": {"enabled": False}}
    wf = {"enabled": True, **same, "attrition": {"enabled": True}}
    counts = sim.simulate(_base(call_types=TYPES, workforce=wf, agent_groups=_groups()))
    shift = [{"name": "day", "start": "08:00", "length_h": 6}]
    shifts = sim.simulate(_base(call_types=TYPES, workforce=wf, agent_groups=_groups(
        a={"shifts": shift, "roster": {"day": 6}})))  # fmt: skip
    pd.testing.assert_frame_equal(counts.calls.drop(columns="agent_id"),
                                  shifts.calls.drop(columns="agent_id"))  # fmt: skip
    pd.testing.assert_frame_equal(counts.summary_by_group, shifts.summary_by_group)
    pd.testing.assert_frame_equal(counts.intervals_by_group, shifts.intervals_by_group)
    a = shifts.agents[shifts.agents["agent_group"] == "a"]
    assert set(a.loc[a["status"] == "working", "shift"]) == {"day"}


def test_a_group_without_fatigue_shows_no_fatigue() -> None:
    """Group b switches fatigue off: its agents' fatigue is exactly 0 and its calls'
    handle times are the drawn ones times the learning factor only; group a's agents
    tire. The effect is in group a only."""
    res = sim.simulate(_base(call_types=TYPES,
                             agent_groups=_groups(b={"workforce": {"fatigue": {"enabled": False},
                                                                   "learning": {"enabled": False}}})))  # fmt: skip
    ag = res.agents[res.agents["status"] == "working"]
    by = ag.groupby("agent_group", observed=True)
    assert (by.get_group("b")[["fatigue_mean", "fatigue_end"]] == 0.0).all().all()
    assert (by.get_group("a")["fatigue_mean"] > 0.0).all()
    # with learning and fatigue off, group b serves each call in its drawn handle time:
    # the same run with the whole layer's fatigue and learning off in b gives b's calls
    # the handle times of a plain run's draws (its handle column is not rescaled)
    calls = res.calls
    b_calls = calls[calls["agent_group"] == "b"]
    assert len(b_calls) > 100
    ref = sim.simulate(_base(call_types=TYPES, workforce={"enabled": False},
                             agent_groups=_groups()))  # fmt: skip
    drawn = ref.calls.set_index("call_id")["handle_s"]
    common = b_calls.set_index("call_id")["handle_s"]
    first_day = common[b_calls.set_index("call_id")["source"] == "fresh"]
    assert np.array_equal(first_day.to_numpy(), drawn.loc[first_day.index].to_numpy())


def test_agents_belong_to_their_group_and_calls_are_conserved() -> None:
    res = sim.simulate(_base(call_types=TYPES, agent_groups=_groups(
        b={"workforce": {"headcount": 8, "absence_probability": 0.2}})))  # fmt: skip
    calls, agents = res.calls, res.agents
    group_of = agents.drop_duplicates("agent_id").set_index("agent_id")["agent_group"]
    answered = calls[calls["agent_id"] >= 0]
    assert (answered["agent_group"].astype(str).to_numpy()
            == group_of.loc[answered["agent_id"]].astype(str).to_numpy()).all()  # fmt: skip
    # group a's ids first (its budget: 6 agents, no absence), then b's 8
    assert sorted(group_of[group_of == "a"].index)[:6] == list(range(6))
    assert (group_of.loc[list(range(6, 14))] == "b").all()
    # per group: calls in the agents table = calls answered by the group
    per_agent = agents.groupby("agent_group", observed=True)["calls"].sum()
    per_call = answered.groupby("agent_group", observed=True).size()
    assert per_agent.to_dict() == per_call.to_dict()
    # conservation per type: every call ends in exactly one outcome
    assert calls.groupby("call_type", observed=True).size().sum() == len(calls)
    assert calls["outcome"].notna().all()
    # group b's absence: some b agents absent, no a agent absent
    status = agents.groupby("agent_group", observed=True)["status"]
    assert (status.get_group("b") == "absent").any()
    assert not (status.get_group("a") == "absent").any()


def test_same_seed_same_tables() -> None:
    cfg = _base(call_types=TYPES, agent_groups=_groups(
        a={"shifts": [{"name": "d", "start": "08:00", "length_h": 6}], "roster": {"d": 6}}))
    assert _digests(sim.simulate(cfg)) == _digests(sim.simulate(cfg))


def test_shipped_multi_skill_scenarios_run_with_the_agent_layer() -> None:
    for name in ("two_languages", "sales_service"):
        cfg = sim.compose([f"scenario={name}", "run.days=1"])
        assert cfg.workforce.enabled
        res = sim.CallCenter(cfg).run(0)
        assert set(res.agents["agent_group"].cat.categories) == {
            g.name for g in cfg.agent_groups}


# ------------------------------------------------------------------ bad input
BAD = [
    ({"b": {"workforce": {"enabled": False}}}, "agent_groups[1].workforce.enabled"),
    ({"b": {"workforce": {"fatigue": {"speed": 1}}}}, "agent_groups[1].workforce.fatigue.speed"),
    ({"b": {"workforce": {"fatigue": {"handle_effect": -1}}}},
     "agent_groups[1].workforce.fatigue.handle_effect"),
    ({"b": {"workforce": {"fatigue": {"enabled": "yes"}}}},
     "agent_groups[1].workforce.fatigue.enabled"),
    ({"b": {"workforce": 3}}, "agent_groups[1].workforce"),
    ({"a": {"roster": {"d": 2}}}, "agent_groups[0].roster"),
    ({"a": {"shifts": [{"name": "d", "start": "08:00", "length_h": 6}]}},
     "agent_groups[0].roster"),
    ({"a": {"shifts": [{"name": "d", "start": "08:00", "length_h": 6}],
            "roster": {"e": 2}}}, "agent_groups[0].roster.e"),
    ({"a": {"shifts": [{"name": "d", "start": "08:00", "length_h": 6}], "roster": {"d": 2},
            "workforce": {"offphone_share": 0.1}}}, "agent_groups[0].workforce.offphone_share"),
]  # fmt: skip


@pytest.mark.parametrize(("groups", "key"), BAD)
def test_bad_group_workforce_names_the_key(groups: dict[str, dict], key: str) -> None:
    cfg = _base(call_types=TYPES, agent_groups=_groups(groups.get("a"), groups.get("b")))
    with pytest.raises(ConfigError) as exc:
        sim.CallCenter(cfg)
    assert str(exc.value).startswith(key), str(exc.value)
    assert "\n" not in str(exc.value)


def test_centre_keys_with_a_per_group_form_are_refused() -> None:
    shifts = [{"name": "d", "start": "08:00", "length_h": 6}]
    cases = [
        (_base(call_types=TYPES, agent_groups=_groups(),
               staffing={"shifts": shifts, "roster": {"d": 3}}), "staffing.shifts"),
        (_base(call_types=TYPES, agent_groups=_groups(),
               workforce={"enabled": True, "headcount": 20}), "workforce.headcount"),
        ({**_base(call_types=TYPES, agent_groups=_groups(b={"shifts": shifts, "roster": {"d": 3}})),
          "workforce": {"enabled": False}}, "agent_groups[1].shifts"),
        ({**_base(call_types=TYPES, agent_groups=_groups(b={"workforce": {"headcount": 3}})),
          "workforce": {"enabled": False}}, "agent_groups[1].workforce"),
    ]  # fmt: skip
    for cfg, key in cases:
        with pytest.raises(ConfigError) as exc:
            sim.CallCenter(cfg)
        assert str(exc.value).startswith(key), str(exc.value)
