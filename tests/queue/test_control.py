"""Tests of the extension point: your own SimPy processes next to the engine
(``sim.queue.control``, driven through ``sim.queue.clock``'s pump).

* A process that only watches changes nothing, bit for bit, however often it wakes
  (the pump interleaves SimPy's events and the engine's calendar in time order).
* What a process reads (``control.waiting``, ``control.busy``) equals what the call log
  says at that instant (reconstructed from arrival, wait and handle times).
* A supervisor that calls in extra agents changes staffing exactly as asked.
* Bad use gets a clear error; a process still alive at the last closing is interrupted.
Deterministic (fixed seeds); a few seconds.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import pytest
import simpy

import sim
from sim.core.calls import Outcome
from sim.model.callcenter import CallCenter
from sim.queue.control import Control


def config(agents: int = 10, load: float = 1.1, hours: tuple[str, str] = ("08:00", "12:00"),
           days: int = 2, **sections: Any) -> dict[str, Any]:  # fmt: skip
    """An overloaded morning: exponential talk (240 s) and patience (300 s)."""
    open_h, close_h = (int(h[:2]) for h in hours)
    cfg: dict[str, Any] = {
        "center": {
            "open_time": hours[0],
            "close_time": hours[1],
            "interval_min": 60,
            "volume_per_day": load * agents * (close_h - open_h) * 3600.0 / 240.0,
            "after_close": "drain",
        },
        "staffing": {"agents": agents},
        "service": {
            "talk": {"kind": "exponential", "mean_s": 240.0},
            "acw": {"kind": "deterministic", "value_s": 0.0},
        },
        "patience": {"kind": "exponential", "mean_s": 300.0},
        "redials": {"probability": 0.5, "max_attempts": 3},
        "run": {"days": days, "seed": 7},
    }
    for key, value in sections.items():
        cfg.setdefault(key, {}).update(value)
    return cfg


def watcher(every_s: float, seen: list[tuple[float, int, int]]) -> Any:
    """A process that records (now, waiting, busy) every ``every_s`` seconds."""

    def process(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        while True:
            yield env.timeout(every_s)
            assert control.now == env.now
            seen.append((control.now, control.waiting, control.busy))

    return process


def logs_equal(a: Any, b: Any) -> bool:
    fields = ("arrival_s", "patience_s", "handle_s", "wait_s", "outcome", "agent_id",
              "source", "attempt", "caller_id", "staff_time_s", "staff_present")  # fmt: skip
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in fields)


@pytest.mark.parametrize("every_s", [0.5, 60.0, 3600.0])
def test_a_watching_process_changes_nothing(every_s: float) -> None:
    cc = CallCenter(config())
    plain = cc.engine(0).run()
    seen: list[tuple[float, int, int]] = []
    watched = cc.engine(0, [watcher(every_s, seen)]).run()
    assert logs_equal(plain, watched)
    assert plain.end_s == watched.end_s
    assert seen and seen[-1][0] <= cc.timetable.closing(cc.timetable.days - 1)


def test_what_a_process_reads_is_what_the_log_says() -> None:
    """At each sample time t (whole minutes: no engine event is at the same instant
    with continuous laws), waiting = calls arrived before t that neither got an agent
    nor left before t; busy = answered calls whose service spans t."""
    cc = CallCenter(config(load=1.3))
    seen: list[tuple[float, int, int]] = []
    log = cc.engine(0, [watcher(60.0, seen)]).run()
    arrival, wait, handle = log.arrival_s, log.wait_s, log.handle_s
    out = log.outcome
    queued = (out == Outcome.ANSWERED) | (out == Outcome.ABANDONED) | (out == Outcome.CLOSED)
    answered = out == Outcome.ANSWERED
    start = arrival + wait
    checked = 0
    for t, waiting, busy in seen:
        exp_wait = int(np.sum(queued & (arrival < t) & (start > t)))
        exp_busy = int(np.sum(answered & (start < t) & (start + handle > t)))
        assert (waiting, busy) == (exp_wait, exp_busy), t
        checked += waiting > 0
    assert checked > 50  # the check saw a queue, not only an empty centre


def test_a_supervisor_calls_in_extra_agents() -> None:
    """The plan asks for 10, 10, 15, 10 agents from 08:00 (a pool of 15). From 08:30, 5
    extra agents whenever more than 3 calls wait: the staff log shows up to 15 present
    from then on (never more: the pool), and more calls are answered than without."""
    cc = CallCenter(config(days=1, staffing={"agents": [10, 10, 15, 10]}))
    half_past = 8.5 * 3600.0

    def supervisor(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(half_past)
        while True:
            control.set_extra(5 if control.waiting > 3 else 0)
            yield env.timeout(30.0)

    plain = cc.engine(0).run()
    helped = cc.engine(0, [supervisor]).run()
    t, n = helped.staff_time_s, helped.staff_present
    assert plain.staff_present.max() == 15
    assert n[t < half_past].max() == 10
    assert n[(t >= half_past) & (t < 10 * 3600.0)].max() == 15
    assert n.max() == 15 and t[n > 10].min() >= half_past
    early = (helped.arrival_s < half_past) & (helped.outcome == Outcome.ANSWERED)
    early &= helped.arrival_s + helped.wait_s < half_past
    assert set(helped.agent_id[early].tolist()) <= set(range(10))
    answered = [int(np.sum(g.outcome == Outcome.ANSWERED)) for g in (plain, helped)]
    assert answered[1] > answered[0]


def test_extra_agents_leave_at_closing_and_bad_use_is_refused() -> None:
    cc = CallCenter(config(days=1, staffing={"agents": [10, 13, 10, 10]}))
    seen: dict[str, Any] = {}

    def process(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        with pytest.raises(ValueError, match="extra agents must be >= 0, got -1"):
            control.set_extra(-1)
        control.set_extra(3)  # while closed: no one comes
        seen["closed"] = control.present
        yield env.timeout(8 * 3600.0 + 1.0)
        seen["open"] = (control.is_open, control.present, control.target, control.extra)
        try:
            yield env.timeout(10 * 86400.0)
        except simpy.Interrupt:
            seen["interrupted"] = env.now

    log = cc.engine(0, [process]).run()
    assert seen["closed"] == 0
    assert seen["open"] == (True, 13, 13, 3)
    assert seen["interrupted"] == 12 * 3600.0
    assert log.staff_present[-1] == 0  # everybody went home after the drain


def test_an_uncaught_interrupt_ends_the_process_quietly() -> None:
    def sleeper(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(1e9)

    cc = CallCenter(config(days=1))
    assert logs_equal(cc.engine(0).run(), cc.engine(0, [sleeper]).run())


def test_extra_agents_need_staffing_by_counts() -> None:
    cfg = sim.compose(["scenario=well_staffed_with_breaks", "run.days=1"])
    cc = CallCenter(cfg)
    assert cc.shifts is not None and cc.config.workforce.enabled
    errors: list[str] = []

    def process(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        try:
            control.set_extra(1)
        except ValueError as exc:
            errors.append(str(exc))
        yield env.timeout(0)

    assert logs_equal(cc.engine(0).run(), cc.engine(0, [process]).run())
    assert errors == ["extra agents need staffing by counts; this run uses shifts"]
