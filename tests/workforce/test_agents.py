"""The agent model (sim/workforce/agents.py and its engine hooks): identity with the core engine,
occupancy, no cut calls at breaks and shift ends, fatigue and attrition against load
(common random numbers), the agents table, and the calibrated attrition band."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.core.calls import Outcome, is_empowered
from sim.outputs.days import DAY_COLUMNS
from sim.workforce.agents import AGENT_COLUMNS, WORKFORCE_DAY_COLUMNS

FLAT = {
    "center": {"open_time": "08:00", "close_time": "16:00", "volume_per_day": 1500.0},
    "staffing": {"agents": 14},
    "run": {"days": 3},
}
ALL_OFF = {"enabled": True}  # individuals, every behaviour at the schema default (off)
ALL_ON = {
    "enabled": True,
    "absence_probability": 0.05,
    "fatigue": {"enabled": True},
    "learning": {"enabled": True},
    "attrition": {"enabled": True},
}
JOURNEY = {
    "resolution": {
        "fcr": 0.7,
        "recontact_probability": 0.5,
        "empowered_share": 0.5,
        "empowerment_uplift": 0.2,
    },
    "experience": {"discourtesy_probability": 0.05},
    "redials": {"probability": 0.3},
    "customers": {"enabled": True, "initial": 20_000, "market_size": 50_000},
}


def merged(*parts: dict) -> dict:
    out: dict = {}
    for p in parts:
        for k, v in p.items():
            out[k] = {**out.get(k, {}), **v} if isinstance(v, dict) else v
    return out


@pytest.mark.parametrize("extra", [{}, JOURNEY], ids=["queue", "journey"])
def test_individual_agents_with_behaviours_off_reproduce_the_core_bit_for_bit(extra: dict) -> None:
    core = sim.simulate(merged(FLAT, extra))
    agents = sim.simulate(merged(FLAT, extra, {"workforce": ALL_OFF}))
    pd.testing.assert_frame_equal(core.calls, agents.calls)
    queue_keys = [k for k in core.summary if k not in WORKFORCE_DAY_COLUMNS]
    for key in queue_keys:
        if key in ("paid_hours", "agent_cost", "profit", "headcount_end", "attrition_annual"):
            continue
        assert core.summary[key] == pytest.approx(agents.summary[key], nan_ok=True), key
    assert len(agents.agents) == 14 * 3 and core.agents.empty


def test_agents_table_schema_and_accounting() -> None:
    res = sim.simulate(merged(FLAT, JOURNEY, {"workforce": ALL_ON}))
    a = res.agents
    assert list(a.columns) == list(AGENT_COLUMNS)
    assert list(res.days.columns) == list(DAY_COLUMNS)
    working = a[a["status"] == "working"]
    # every answered call belongs to exactly one agent-day row
    answered = res.calls[res.calls["outcome"] == "answered"]
    assert working["calls"].sum() + a.loc[a["status"] != "working", "calls"].sum() == len(answered)
    assert (a["busy_s"] <= a["available_s"] + answered["handle_s"].max()).all()
    assert ((a["occupancy"] >= 0) | a["occupancy"].isna()).all()
    assert (a.loc[a["status"] == "absent", "available_s"] == 0).all()
    # busy time in the table is the answered handle time
    assert a["busy_s"].sum() == pytest.approx(answered["handle_s"].sum(), rel=1e-9)


def test_occupancy_matches_offered_load_over_agents() -> None:
    """M/M/n without abandonment: occupancy = lambda x E[S] / n. 20 replications of a
    steady centre (open around the clock, warm-up 5 h); the tolerance is 4 standard errors
    of the replication mean (false alarm ~6e-5)."""
    cfg = sim.compose(
        [
            "scenario=steady_erlang_c",
            "workforce=default",
            "workforce.fatigue.enabled=false",
            "workforce.learning.enabled=false",
            "workforce.attrition.enabled=false",
            "staffing.agents=20",
            "center.volume_per_day=5760",  # 0.8 x 20 / 240 s x 86400 s: load 0.8
            "run.days=1",
            "run.warmup_s=18000",
        ]
    )
    occ = [sim.simulate(cfg, r).summary["occupancy"] for r in range(20)]
    se = np.std(occ, ddof=1) / np.sqrt(len(occ))
    assert abs(np.mean(occ) - 0.8) < 4 * se, (np.mean(occ), se)


def _no_call_cut(res: sim.Results) -> None:
    calls = res.calls
    answered = calls[calls["outcome"] == "answered"]
    assert answered["handle_s"].gt(0).all()
    # every answered call ends: nothing left waiting or in service at the end of the run
    assert not (calls["outcome"] == "waiting").any()
    # each agent serves one call at a time: answered spans of an agent do not overlap
    start = answered["arrival_s"] + answered["wait_s"]
    df = pd.DataFrame({"a": answered["agent_id"], "s": start, "e": start + answered["handle_s"]})
    df = df.sort_values(["a", "s"])
    same = df["a"].to_numpy()[1:] == df["a"].to_numpy()[:-1]
    assert (df["s"].to_numpy()[1:][same] >= df["e"].to_numpy()[:-1][same] - 1e-6).all()


def test_breaks_and_shift_ends_never_cut_a_call() -> None:
    res = sim.simulate(
        sim.compose(["scenario=well_staffed_with_breaks", "run.days=2", "customers.enabled=false"])
    )
    _no_call_cut(res)
    a, calls = res.agents, res.calls
    answered = calls[calls["outcome"] == "answered"]
    # on-phone time per agent is below the paid shift (breaks) and calls are answered
    # only while the agent is on shift (start within the shift; it may run past its end)
    working = a[a["status"] == "working"]
    # (an agent on a call at the end of the shift finishes it: overtime up to one handle)
    assert (working["available_s"] <= working["scheduled_s"] + answered["handle_s"].max()).all()
    assert (working["available_s"] < working["scheduled_s"]).mean() > 0.9  # breaks taken
    shifts = {s["name"]: s for s in res.config.staffing.shifts}
    row = working.iloc[0]
    sh = shifts[row["shift"]]
    start_s = int(sh["start"][:2]) * 3600 + int(sh["start"][3:]) * 60
    mine = answered[(answered["agent_id"] == row["agent_id"]) & (answered["day"] == row["day"])]
    begin = mine["arrival_s"] + mine["wait_s"] - row["day"] * 86400.0
    assert begin.min() >= start_s and begin.max() <= start_s + sh["length_h"] * 3600


def test_quitting_agents_finish_their_calls_and_are_replaced() -> None:
    res = sim.simulate(
        merged(
            FLAT,
            {
                "run": {"days": 40},
                "workforce": {
                    "enabled": True,
                    "attrition": {"enabled": True, "annual_rate": 0.95, "occupancy_effect": 20.0},
                    "hiring": {"lag_days": 3, "training_days": 2},
                },
            },
        )
    )
    _no_call_cut(res)
    a = res.agents
    quitters = a[a["quit"]]
    assert len(quitters) > 3
    # a quitter's last row is the day it quit; it answers no call afterwards
    calls = res.calls[res.calls["outcome"] == "answered"]
    for _, q in quitters.iterrows():
        assert not ((calls["agent_id"] == q["agent_id"]) & (calls["day"] > q["day"])).any()
        assert a[(a["agent_id"] == q["agent_id"]) & (a["day"] > q["day"])].empty
    hired = a[a["hired"]]
    assert len(hired) > 0 and (hired["status"] == "training").all()
    assert res.days["hiring_cost"].sum() == len(hired) * 6000.0


def _load_pair(extra: list[str]) -> tuple[sim.Replications, sim.Replications]:
    base = ["run.days=20", "customers.enabled=false", "run.replications=3", *extra]
    low = sim.replicate(sim.compose(base))
    high = sim.replicate(sim.compose([*base, "center.volume_per_day=2500"]))
    return low, high


def test_fatigue_and_attrition_rise_with_load_common_random_numbers() -> None:
    """Same seeds, 19% more calls: fatigue and the quit hazard go up in every replication
    (paired: common random numbers make the comparison tight), and quits on average."""
    low, high = _load_pair([])
    f_lo = low.per_replication["fatigue_mean"].to_numpy()
    f_hi = high.per_replication["fatigue_mean"].to_numpy()
    assert (f_hi > f_lo).all(), (f_lo, f_hi)
    h_lo = low.days.groupby("replication")["quit_hazard_annual"].mean().to_numpy()
    h_hi = high.days.groupby("replication")["quit_hazard_annual"].mean().to_numpy()
    assert (h_hi > h_lo).all(), (h_lo, h_hi)


@pytest.mark.slow
def test_baseline_annual_attrition_lands_in_the_calibrated_band() -> None:
    """The baseline over a year, 6 replications: the mean annualised attrition (quits per
    agent-year) must be inside 30-45% (QATC; sim/config/yaml/workforce/default.yaml). With ~10
    quits per replication its standard error is ~0.03, so the calibrated 37% sits over two
    standard errors from either edge; the interval must be narrow enough to tell (half-
    width < 0.1) and the hazard-implied rate (no vacancy feedback) must not exceed it."""
    cfg = sim.compose(["run.days=365", "customers.enabled=false", "run.replications=6",
                       "run.workers=2"])  # fmt: skip
    reps = sim.replicate(cfg)
    realised = reps.per_replication["attrition_annual"].to_numpy()
    m, se = realised.mean(), realised.std(ddof=1) / np.sqrt(len(realised))
    t = stats.t.ppf(0.975, len(realised) - 1)
    assert 0.30 <= m <= 0.45, (m, se)
    assert t * se < 0.1, (m, se)
    implied = reps.days["quit_hazard_annual"].mean()
    assert 0.25 <= implied <= m, (implied, m)


def test_learning_slows_new_agents() -> None:
    res = sim.simulate(
        merged(
            FLAT,
            {"run": {"days": 2}, "workforce": {"enabled": True, "learning": {"enabled": True},
                                               "initial_tenure_mean_days": 60.0}},
        )
    )  # fmt: skip
    calls = res.calls[res.calls["outcome"] == "answered"]
    a = res.agents[["day", "agent_id", "tenure_days"]]
    m = calls.merge(a, on=["day", "agent_id"])
    new = m[m["tenure_days"] < 20]["handle_s"].mean()
    old = m[m["tenure_days"] > 120]["handle_s"].mean()
    assert new > 1.1 * old  # 1 + 0.3 e^{-t/45}: >= 1.19 under 20 days, <= 1.02 over 120


def test_empowerment_is_a_spread_share_of_ids() -> None:
    flags = [is_empowered(a, 0.3) for a in range(1000)]
    assert abs(np.mean(flags) - 0.3) < 0.01
    assert not any(is_empowered(a, 0.0) for a in range(100))
    assert all(is_empowered(a, 1.0) for a in range(100))


def test_shortfall_when_headcount_is_below_the_schedule() -> None:
    res = sim.simulate(merged(FLAT, {"workforce": {"enabled": True, "headcount": 10}}))
    assert res.intervals["agents_present"].max() == pytest.approx(10.0)
    assert res.intervals["scheduled_agents"].max() == 14
    assert (res.calls["outcome"] != Outcome.WAITING.name.lower()).all()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"staffing": {"shifts": [{"name": "x", "start": "20:00", "length_h": 6}],
                       "roster": {"x": 3}}},
         "staffing.shifts[0].length_h = 6: the shift must end by 24:00 (it starts at 20:00; "
         "shifts do not cross midnight)"),
        ({"staffing": {"shifts": [{"name": "x", "start": "08:00", "length_h": 4,
                                   "breaks": [{"after_min": 230, "length_min": 15}]}],
                       "roster": {"x": 3}}},
         "staffing.shifts[0].breaks[0].after_min = 230: the break (230 + 15 min) must lie "
         "inside the shift (240 min)"),
        ({"staffing": {"shifts": [{"name": "x", "start": "08:00", "length_h": 4}],
                       "roster": {"y": 3}}},
         "staffing.roster.y = 3: unknown shift (shifts: x)"),
        ({"workforce": {"hiring": {"lag_days": -1}}},
         "workforce.hiring.lag_days = -1: must be a whole number >= 0"),
        ({"workforce": {"absence_probability": 1.2}},
         "workforce.absence_probability = 1.2: must be a probability in [0, 1]"),
        ({"workforce": {"offphone_share": -0.1}},
         "workforce.offphone_share = -0.1: must be a probability in [0, 1]"),
        ({"workforce": {"attrition": {"annual_rate": 1.0}}},
         "workforce.attrition.annual_rate = 1.0: must be < 1"),
        ({"workforce": {"learning": {"new_handle_factor": 0.8}}},
         "workforce.learning.new_handle_factor = 0.8: must be >= 1 (slower)"),
    ],
)  # fmt: skip
def test_bad_workforce_input_names_the_key(overrides: dict, message: str) -> None:
    cfg = merged(FLAT, {"workforce": {"enabled": True}}, overrides)
    if "workforce" in overrides:
        cfg["workforce"] = {**cfg["workforce"], **overrides["workforce"], "enabled": True}
    with pytest.raises(sim.ConfigError) as err:
        sim.load_config(cfg)
    assert str(err.value) == message


def test_workforce_keys_need_the_workforce() -> None:
    with pytest.raises(
        sim.ConfigError, match=r"workforce.fatigue.enabled = True: needs workforce"
    ):
        sim.load_config(merged(FLAT, {"workforce": {"fatigue": {"enabled": True}}}))
