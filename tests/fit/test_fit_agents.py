"""Agents on duty rebuilt from the agent ids of callsim's own answered calls: at heavy load
every agent on duty is busy nearly all the time, so the reconstruction must match the
staffing inside the day (not at shift edges, where it errs low by design)."""

from __future__ import annotations

import numpy as np

import sim
from sim.fit.agents import agent_sessions, agents_on_duty, staffing_matrix
from sim.fit.logs import make_log
from sim.fit.simulated import log_from_calls


def test_staffing_rebuilt_at_heavy_load() -> None:
    staffing = [4] * 8 + [8] * 8 + [6] * 8
    cfg = {
        "center": {"volume_per_day": 4000.0},  # ~2x what the agents can answer
        "staffing": {"agents": staffing},
        "service": {"talk": {"kind": "exponential", "mean_s": 120.0},
                    "acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "exponential", "mean_s": 120.0},
        "run": {"days": 2, "seed": 8},
    }
    log = log_from_calls(sim.simulate(cfg).calls)
    sessions = agent_sessions(log, max_gap_s=900.0)
    duty = agents_on_duty(sessions, 2, 8 * 3600.0, 20 * 3600.0, 1800.0)
    inner = [k for k in range(24) if k not in (0, 7, 8, 15, 16, 23)]  # away from changes
    err = np.abs(duty[:, inner] - np.asarray(staffing)[inner])
    assert err.mean() < 0.3, duty.round(2)
    assert np.array_equal(np.asarray(staffing_matrix(duty))[:, inner],
                          np.tile(np.asarray(staffing)[inner], (2, 1)))


def test_sessions_split_at_long_pauses() -> None:
    # one agent: calls 0-100, 200-300, then 5000-5100 (a pause of 4700 s > 1800 s)
    log = make_log(
        np.array([0.0, 200.0, 5000.0]), np.zeros(3), np.ones(3, bool),
        np.array([100.0, 100.0, 100.0]), agent_id="x",
    )
    s = agent_sessions(log, max_gap_s=1800.0)
    assert s[["start_s", "end_s", "calls"]].values.tolist() == [[0.0, 300.0, 2],
                                                                [5000.0, 5100.0, 1]]
    duty = agents_on_duty(s, 1, 0.0, 6000.0, 1000.0)
    np.testing.assert_allclose(duty[0], [0.3, 0, 0, 0, 0, 0.1])
