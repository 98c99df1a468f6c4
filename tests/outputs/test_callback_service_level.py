"""The centre's service level with callbacks (issue 15; docs/background/callbacks.md,
"What is measured").

The headline counts the inbound calls that stayed on the line: a caller who accepted a
callback flowed out of the line (out of the base, as Genesys Cloud's default and Cisco
ICM's "no service-level event" treat a call sent elsewhere), and a callback attempt is
outbound work (out of every queue count of the centre). These tests hold that
definition exactly (counts from the calls table, no statistics):

* the summary's queue KPIs are the hand count of the inbound attempts after the
  warm-up;
* with everybody accepting at threshold 0 and infinitely patient callers, every caller
  who would wait leaves the line: the calls on the line are all answered at once
  (service level 1), and the callers who found no idle agent are the same as without
  callbacks (``p_wait`` and ``offered`` equal bit for bit, the agent side being the
  same run, tests/queue/test_callbacks.py);
* without callbacks nothing changes bit for bit (tests/test_golden.py).
"""

from __future__ import annotations

from typing import Any

from sim.model.callcenter import simulate

N_AGENTS, HANDLE_S, RHO = 5, 240.0, 0.9
LAM = RHO * N_AGENTS / HANDLE_S  # calls per second


def centre(**extra: Any) -> dict[str, Any]:
    """An always-open M/M/5 at load 0.9, one day, a warm-up of one hour."""
    cfg: dict[str, Any] = {
        "run": {"days": 1, "seed": 5, "warmup_s": 3600.0},
        "center": {"open_time": "00:00", "close_time": "24:00", "interval_min": 60,
                   "volume_per_day": LAM * 86400.0},
        "staffing": {"agents": N_AGENTS},
        "service": {"talk": {"kind": "exponential", "mean_s": HANDLE_S},
                    "acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "exponential", "mean_s": 300.0},
    }  # fmt: skip
    cfg.update(extra)
    return cfg


def test_headline_counts_the_calls_on_the_line() -> None:
    res = simulate(centre(callbacks={"enabled": True, "threshold_s": 60.0,
                                     "accept_probability": 0.5, "reach_probability": 0.8}))  # fmt: skip
    c, s, T = res.calls, res.summary, 20.0
    assert res.callback_summary["callback_acceptances"] > 20  # the case is not empty
    assert (c["source"] == "callback").sum() > 20
    inbound = c[~c["warmup"] & (c["source"] != "callback")]
    on_line = inbound[inbound["outcome"] != "callback"]
    answered = on_line["outcome"] == "answered"
    within = answered & (on_line["wait_s"] <= T)
    assert s["offered"] == len(inbound)
    assert s["answered"] == int(answered.sum())
    assert s["service_level"] == within.sum() / len(on_line)
    assert s["service_level_answered"] == within.sum() / answered.sum()
    short = (on_line["outcome"] == "abandoned") & (on_line["wait_s"] <= T)
    assert s["service_level_excl_short_abandons"] == within.sum() / (len(on_line) - short.sum())
    assert s["abandon_rate"] == (inbound["outcome"] == "abandoned").sum() / len(inbound)
    waited = (inbound["outcome"] == "abandoned") | (inbound["wait_s"] > 0)
    waited |= inbound["outcome"] == "callback"
    assert s["p_wait"] == waited.sum() / len(inbound)
    # the intervals table counts the same calls (always open: none outside the hours)
    iv = res.intervals
    assert iv["offered"].sum() == len(inbound)
    assert iv["answered_within_sl"].sum() == within.sum()


def test_everybody_called_back_leaves_only_prompt_answers_on_the_line() -> None:
    never = {"kind": "never"}
    hold = simulate(centre(patience=never))
    cb = simulate(centre(patience=never, callbacks={"enabled": True, "threshold_s": 0.0,
                                                    "accept_probability": 1.0}))  # fmt: skip
    assert cb.callback_summary["callback_acceptances"] > 20
    assert cb.summary["service_level"] == 1.0
    assert cb.summary["asa_s"] == 0.0
    for key in ("offered", "p_wait"):
        assert cb.summary[key] == hold.summary[key], key
    assert cb.summary["occupancy"] == hold.summary["occupancy"]  # the same agent time
    assert hold.summary["service_level"] < 1.0  # without callbacks somebody waited


def test_type_breakdown_leaves_acceptors_out_of_the_inbound_type() -> None:
    """Per call type (``summary_by_type``): the inbound type's base leaves out its
    acceptors, as the centre's; the callback type keeps its own attempts (their wait
    since they joined its queue)."""
    res = simulate(centre(callbacks={"enabled": True, "threshold_s": 60.0,
                                     "accept_probability": 0.5}))  # fmt: skip
    by_type = res.summary_by_type.set_index("call_type")
    c = res.calls[~res.calls["warmup"]]
    for name, rows in (("general", c[(c["call_type"] == "general") & (c["outcome"] != "callback")]),
                       ("general_callback", c[c["call_type"] == "general_callback"])):  # fmt: skip
        within = ((rows["outcome"] == "answered") & (rows["wait_s"] <= 20.0)).sum()
        assert len(rows) > 20
        assert by_type.loc[name, "service_level"] == within / len(rows), name
    assert by_type.loc["general", "service_level"] == res.summary["service_level"]
