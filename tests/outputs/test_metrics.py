"""Metrics (``sim.outputs.metrics``): the tables and KPIs computed from the engine's log."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.model.callcenter import CallCenter

HOURS = {"open_time": "08:00", "close_time": "20:00", "interval_min": 60}


def centre(**sections: Any) -> dict[str, Any]:
    """A small 08:00-20:00 centre with 3 agents, 2 days, no busyness (one call every ~90 s)."""
    cfg: dict[str, Any] = {
        "center": {**HOURS, "volume_per_day": 480.0},
        "staffing": {"agents": 3},
        "service": {
            "talk": {"kind": "exponential", "mean_s": 400.0},
            "acw": {"kind": "deterministic", "value_s": 0.0},
        },
        "patience": {"kind": "exponential", "mean_s": 300.0},
        "run": {"days": 2},
    }
    for key, value in sections.items():  # a law is replaced whole, other sections merged
        cfg[key] = value if key == "patience" else {**cfg.get(key, {}), **value}
    return cfg


def test_interval_agent_time_stops_at_closing() -> None:
    """Constant staffing: every interval has exactly agents x interval of presence.

    Agents who stay after closing to drain the queue add no time to the day's last
    interval (they did, up to the next opening, before this was fixed).
    """
    res = CallCenter(centre()).run(0)
    iv = res.intervals
    assert np.allclose(iv["available_agent_s"], 3 * 3600.0, rtol=0, atol=1e-6)
    assert (iv["busy_agent_s"] <= iv["available_agent_s"] + 1e-6).all()
    assert (iv["occupancy"] > 0.5).all()  # load 480 x 400 / 43200 / 3 = 1.48: saturated


def test_interval_counts_add_up_to_the_summary() -> None:
    """Without redials or warm-up, the intervals' counts sum to the summary's."""
    res = CallCenter(centre(redials={"probability": 0.0})).run(1)
    for key in ("offered", "answered", "abandoned", "blocked"):
        assert int(res.intervals[key].sum()) == res.summary[key], key


def test_p_wait_counts_calls_cut_at_closing() -> None:
    """p_wait: abandoned, or waited (W > 0), whatever the end: a 'cut' closing included."""
    res = CallCenter(centre(center={"after_close": "cut"}, patience={"kind": "never"})).run(0)
    calls, s = res.calls, res.summary
    cut = (calls["outcome"] == "closed") & (calls["wait_s"] > 0)
    assert cut.sum() > 0
    waited = (calls["outcome"] == "abandoned") | (calls["wait_s"] > 0)
    assert s["p_wait"] == waited.sum() / s["offered"]


def test_first_contact_resolution_is_the_first_answered_row_of_each_issue() -> None:
    """The mask rule (answered attempt with contact 1) picks exactly the first answered
    row of each issue counted (its first attempt after the warm-up), as a sort would."""
    from sim.outputs.metrics import first_contact_resolution

    cfg = {"run": {"days": 3, "warmup_s": 40_000.0}, "staffing": {"agents": 11},
           "resolution": {"fcr": 0.6, "recontact_probability": 0.8,
                          "recontact_delay": {"kind": "exponential", "mean_s": 3600.0}},
           "redials": {"probability": 0.6, "max_attempts": 3}}  # fmt: skip
    calls = CallCenter(cfg).run(0).calls
    answered = (calls["outcome"] == "answered").to_numpy()
    issue = calls["issue_id"].to_numpy()
    counted = answered & ~calls["warmup"].to_numpy()[issue]
    _, first = np.unique(issue[counted], return_index=True)  # the first row, by sorting
    resolved = calls["resolved"].to_numpy(dtype=bool, na_value=False)[counted]
    assert len(first) > 1000 and (calls["contact"] > 1).sum() > 300
    assert first_contact_resolution(calls) == float(resolved[first].mean())
