"""Callbacks (virtual hold, issue 15): exact identities, invariants and bad input.

What is exactly testable, and how:

* **Order of service.** With ``keep_place``, every caller who accepts is called back
  when their place comes up: the callback attempt keeps the call's arrival time and
  its tier of the router, so the router serves the same calls in the same order. With
  infinite patience and every callback reaching its customer, the agent side of the
  run is therefore the run without callbacks *call for call* (same arrivals, handle
  times and agents from the same streams: common random numbers), whatever the
  threshold and acceptance: the agents' KPIs are Erlang C's because the run without
  callbacks is (tests/theory). With exponential patience (Erlang A), threshold 0 and
  every caller accepting, no caller ever waits on the line, nobody abandons, and the
  run is call for call the Erlang C run with the same arrivals and handle times.
* **P(offered).** The issue asks for P(offered) = P(wait >= threshold). That holds only
  for a clairvoyant predictor; a real predictor sees the queue, not the future. What
  is exact is the law of the ``queue`` predictor in M/M/n: an arrival that must wait
  finds q calls waiting with P(q >= j, all busy) = C rho^j (PASTA; C the Erlang C
  probability of waiting, rho = lambda / (n mu)); it is offered iff
  (q + 1) / (n mu) >= t, so P(offered) = C rho^m with m = max(0, ceil(t n mu - 1)).
  :func:`test_offer_probability_is_the_predictor_law` checks it within a confidence
  interval.
* **Priorities.** Callback types use the multi-skill router's static priorities; with
  equal exponential service and Poisson classes the mean waits are Cobham's formula
  (:func:`test_priority_classes_follow_cobham`). Callback arrivals themselves are not
  Poisson (only callers who would wait are offered), so no closed form covers them:
  their priority is checked as an invariant instead.

Statistics: replications are independent; a KPI's Student-t interval at level
1 - 0.01 / checks (Bonferroni over the file's statistical checks) must contain the
exact value: a correct engine fails with probability < 1 %. Seeds are fixed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.config.validation import load_scenario
from sim.core.checks import ConfigError
from sim.model.callcenter import CallCenter, simulate
from sim.theory.analytic import erlang_c

N_AGENTS, HANDLE_S, RHO = 5, 240.0, 0.8
LAM = RHO * N_AGENTS / HANDLE_S  # calls per second
CHECKS = 4  # statistical checks in this file (Bonferroni)
LEVEL = 1 - 0.01 / CHECKS


def centre(days: int = 1, seed: int = 11, **extra: Any) -> dict[str, Any]:
    """An always-open M/M/5 at load 0.8 (exponential talk 240 s, no after-call work)."""
    cfg: dict[str, Any] = {
        "run": {"days": days, "seed": seed},
        "center": {"open_time": "00:00", "close_time": "24:00", "interval_min": 60,
                   "volume_per_day": LAM * 86400.0},
        "staffing": {"agents": N_AGENTS},
        "service": {"talk": {"kind": "exponential", "mean_s": HANDLE_S},
                    "acw": {"kind": "deterministic", "value_s": 0.0}},
        "patience": {"kind": "never"},
    }  # fmt: skip
    for key, value in extra.items():
        cfg[key] = {**cfg.get(key, {}), **value}
    return cfg


def agent_side(calls: pd.DataFrame) -> pd.DataFrame:
    """The attempts an agent took or that waited on the line, without the attempts that
    left for a callback, in order of arrival: what the agents saw."""
    kept = calls[calls["outcome"] != "callback"].sort_values("arrival_s", kind="stable")
    return kept[["arrival_s", "wait_s", "agent_id", "handle_s"]].reset_index(drop=True)


def interval(values: list[float]) -> tuple[float, float]:
    x = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + LEVEL / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


# ------------------------------------------------------------------ exact identities
@pytest.mark.parametrize("accept", [1.0, 0.5])
def test_keep_place_leaves_the_order_of_service_unchanged(accept: float) -> None:
    """Infinitely patient callers, callbacks that always reach: call for call the run
    without callbacks (arrivals, waits until an agent starts, agents, handle times),
    and the same occupancy to the last bit."""
    plain = simulate(centre())
    cb = simulate(centre(callbacks={"enabled": True, "threshold_s": 60.0,
                                    "accept_probability": accept}))  # fmt: skip
    assert cb.callback_summary["callback_acceptances"] > 50
    pd.testing.assert_frame_equal(agent_side(cb.calls), agent_side(plain.calls))
    assert cb.summary["occupancy"] == plain.summary["occupancy"]
    callbacks = cb.calls[cb.calls["source"] == "callback"]
    assert (callbacks["outcome"] == "answered").all()
    assert callbacks["call_type"].eq("general_callback").all()


def test_erlang_a_with_everyone_called_back_is_erlang_c() -> None:
    """Exponential patience, threshold 0, every caller accepts: nobody waits on the line
    or abandons, and the agents serve the Erlang C run with the same arrivals and
    handle times, call for call."""
    never = simulate(centre())
    cfg = centre(patience={"kind": "exponential", "mean_s": 180.0},
                 callbacks={"enabled": True, "threshold_s": 0.0, "accept_probability": 1.0})  # fmt: skip
    cfg["patience"] = {"kind": "exponential", "mean_s": 180.0}
    cb = simulate(cfg)
    assert cb.summary["abandoned"] == 0
    pd.testing.assert_frame_equal(agent_side(cb.calls), agent_side(never.calls))
    waited = cb.calls[(cb.calls["source"] == "fresh") & (cb.calls["wait_s"] > 0)]
    assert (waited["outcome"] == "answered").sum() == 0  # every waiting caller left the line


def test_same_seed_same_numbers() -> None:
    cfg = centre(callbacks={"enabled": True, "mode": "promised", "threshold_s": 30.0,
                            "reach_probability": 0.7, "accept_probability": 0.6})  # fmt: skip
    a, b = simulate(cfg), simulate(cfg)
    pd.testing.assert_frame_equal(a.calls, b.calls)
    pd.testing.assert_frame_equal(a.callbacks, b.callbacks)


# ------------------------------------------------------------------ statistics
def test_offer_probability_is_the_predictor_law() -> None:
    """P(offered) of the queue predictor = C rho^m, m = max(0, ceil(t n mu - 1)) (see the
    module docstring); 16 replications of 2 days (~5,800 calls each), 1 h warm-up."""
    t = 300.0
    mu = 1.0 / HANDLE_S
    m = max(0, math.ceil(t * N_AGENTS * mu - 1))
    exact = erlang_c(LAM, HANDLE_S, N_AGENTS).p_wait * RHO**m
    model = CallCenter(centre(days=2, seed=5, run={"warmup_s": 3600.0},
                              callbacks={"enabled": True, "threshold_s": t,
                                         "accept_probability": 0.5}))  # fmt: skip
    rates = [model.run(r).callback_summary["callback_offer_rate"] for r in range(16)]
    lo, hi = interval(rates)
    assert lo <= exact <= hi, (exact, lo, hi)


def _cobham(lams: tuple[float, ...]) -> list[float]:
    c = erlang_c(sum(lams), HANDLE_S, N_AGENTS)
    cap = N_AGENTS / HANDLE_S
    sigma = np.concatenate([[0.0], np.cumsum(lams) / cap])
    return [(c.p_wait / cap) / ((1 - sigma[k]) * (1 - sigma[k + 1])) for k in range(len(lams))]


def test_priority_classes_follow_cobham() -> None:
    """Two Poisson classes with static priorities, one pool, equal exponential service:
    the mean wait of each class is Cobham's (M/M/c, non-pre-emptive priorities); this
    is the multi-skill router's priority rule that the callback types ride on."""
    shares = (0.3, 0.7)
    cfg = centre(days=2, seed=7, run={"warmup_s": 3600.0})
    cfg["call_types"] = [{"name": "first", "share": shares[0], "priority": 0},
                         {"name": "second", "share": shares[1], "priority": 1}]  # fmt: skip
    model = CallCenter(cfg)
    exact = _cobham(tuple(LAM * s for s in shares))
    waits: list[list[float]] = [[], []]
    for r in range(16):
        calls = model.run(r).calls
        calls = calls[~calls["warmup"]]
        for k, name in enumerate(("first", "second")):
            waits[k].append(float(calls.loc[calls["call_type"] == name, "wait_s"].mean()))
    for k in range(2):
        lo, hi = interval(waits[k])
        assert lo <= exact[k] <= hi, (k, exact[k], lo, hi)


def test_keep_place_agent_waits_are_erlang_c() -> None:
    """The mean wait until an agent starts (callbacks included) is Erlang C's ASA."""
    model = CallCenter(centre(days=2, seed=9, run={"warmup_s": 3600.0},
                              callbacks={"enabled": True, "threshold_s": 60.0,
                                         "accept_probability": 0.7}))  # fmt: skip
    asa = []
    for r in range(16):
        calls = model.run(r).calls
        asa.append(float(agent_side(calls[~calls["warmup"]])["wait_s"].mean()))
    lo, hi = interval(asa)
    exact = erlang_c(LAM, HANDLE_S, N_AGENTS).asa_s
    assert lo <= exact <= hi, (exact, lo, hi)


# ------------------------------------------------------------------ invariants
def _starts(calls: pd.DataFrame, mask: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    rows = calls[mask & calls["outcome"].isin(["answered", "unreached"])]
    return rows["arrival_s"].to_numpy(), (rows["arrival_s"] + rows["wait_s"]).to_numpy()


@pytest.mark.parametrize("priority", ["first", "idle"])
def test_promised_callbacks_respect_promise_and_priority(priority: str) -> None:
    cfg = centre(callbacks={"enabled": True, "mode": "promised", "threshold_s": 30.0,
                            "accept_probability": 0.8, "priority": priority,
                            "reach_probability": 0.6, "max_tries": 3,
                            "retry_delay_s": 300.0, "dial_s": 20.0})  # fmt: skip
    res = simulate(cfg)
    cb, calls = res.callbacks, res.calls
    acc = cb[cb["accepted"]]
    assert len(acc) > 50
    assert (acc.loc[acc["reached"], "delay_s"] >= 0).all()  # never before the promise
    assert acc["tries"].between(1, 3).all()
    # an unreached offer stopped early only because its retry would have come after closing
    early = acc[~acc["reached"] & (acc["tries"] < 3)]
    assert (early["promised_s"] + early["tries"] * 300.0 >= 86400.0 - 3600.0 * 3).all()
    is_cb = calls["source"] == "callback"
    unreached = calls[calls["outcome"] == "unreached"]
    assert len(unreached) > 0 and (unreached["handle_s"] == 20.0).all()
    assert int(is_cb.sum()) == int(acc["tries"].sum())
    assert int((calls["outcome"] == "callback").sum()) == len(acc)
    # priority: with one pool, no call of the lower class starts while one of the higher
    # class waits (it arrived before and started after)
    hi_mask, lo_mask = (is_cb, ~is_cb) if priority == "first" else (~is_cb, is_cb)
    hi_arr, hi_start = _starts(calls, hi_mask)
    _, lo_start = _starts(calls, lo_mask)
    lo_start = np.sort(lo_start)
    between = np.searchsorted(lo_start, hi_start, "left") - np.searchsorted(lo_start, hi_arr, "right")
    assert (between <= 0).all()


def test_deferral_rating_and_the_journey() -> None:
    base = {"enabled": True, "threshold_s": 30.0, "accept_probability": 1.0}
    neutral = simulate(centre(callbacks=base)).calls
    bad = simulate(centre(callbacks={**base, "deferral_rating": "bad"})).calls
    for calls, rating in ((neutral, "neutral"), (bad, "bad")):
        left = calls[calls["outcome"] == "callback"]
        assert len(left) > 0 and (left["experience"] == rating).all()
    # a keep_place callback is rated by its delay past the promise: with infinite
    # patience any delay is a share 0 of it, so every resolved callback is good
    assert (neutral.loc[neutral["source"] == "callback", "experience"] == "good").all()


def test_without_callbacks_nothing_changes() -> None:
    res = simulate(centre())
    assert res.callbacks.empty or len(res.callbacks) == 0
    assert all(math.isnan(v) for v in res.callback_summary.values())
    assert not (res.calls["source"] == "callback").any()


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("threshold_s", -5.0, "callbacks.threshold_s = -5.0: must be a finite number >= 0"),
        ("accept_probability", 1.5, "callbacks.accept_probability = 1.5: must be a probability"),
        ("mode", "later", "callbacks.mode = 'later': must be one of keep_place, promised"),
        ("promise_s", 60.0, "callbacks.promise_s = 60.0: applies to mode: promised only"),
        ("reach_probability", 0.0, "callbacks.reach_probability = 0.0: must be > 0"),
        ("max_tries", 0, "callbacks.max_tries = 0: must be a whole number >= 1"),
        ("call_types", ["sales"], "callbacks.call_types = ['sales']: names an unknown call type"),
        ("accept_by_wait", [[60, 0.2], [30, 0.5]], "callbacks.accept_by_wait[1][0] = 30"),
        ("predictor", "oracle", "callbacks.predictor = 'oracle': must be one of queue, les"),
    ],
)
def test_bad_input_is_one_line_naming_the_key(key: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_scenario(centre(callbacks={"enabled": True, key: value}))
    text = str(err.value)
    assert text.startswith(message) and "\n" not in text


def test_promised_callbacks_need_priority_routing() -> None:
    cfg = centre(callbacks={"enabled": True, "mode": "promised"}, routing={"call_choice": "rank"})
    with pytest.raises(ConfigError, match=r"routing\.call_choice = 'rank': must be priority"):
        load_scenario(cfg)


def test_accept_by_wait_steps() -> None:
    sc = load_scenario(centre(callbacks={"enabled": True,
                                         "accept_by_wait": [[60, 0.2], [300, 0.6]]}))  # fmt: skip
    plan = sc.callbacks
    assert plan is not None
    assert [plan.p_accept(w) for w in (10, 60, 299, 300, 1e6)] == [0.0, 0.2, 0.2, 0.6, 0.6]
    assert [t.name for t in sc.call_types] == ["general", "general_callback"]
    assert sc.agent_groups[0].skills == {0: 1, 1: 1}
