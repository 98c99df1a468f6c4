"""Tests of the engine's calendar (``sim.queue.clock``) and the default router's counts.

* The calendar runs its entries in (time, order of scheduling) order, whether they sit
  in the heap or in the one-entry lane of :attr:`Clock.chain`: checked against a
  plain heap on random programs with many ties (integer delays, zero delays), alone
  and with a SimPy process interleaving (the pump's limited runs); so do a
  :attr:`Clock.stream` (against the chain it replaces) and entries booked through
  :attr:`Clock.calendar`.
* :class:`sim.queue.router.LongestIdleFcfs` counts its live waiting calls as
  ``len(queue) - dead``, and the engine's inlined answers of that router give the
  same run as asking it (a subclass, which the engine does not inline).
"""

from __future__ import annotations

import heapq
import itertools
import random
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import simpy

from sim.core.calls import Outcome
from sim.model.callcenter import CallCenter
from sim.queue.clock import Clock
from sim.queue.engine import EngineLog
from sim.queue.router import LongestIdleFcfs

Fire = Callable[[float, Callable[[Any], None], Any], None]


class PlainCalendar:
    """The reference: one heap of (time, sequence, handler, value), run to the end."""

    def __init__(self) -> None:
        self.now = 0.0
        self.cal: list[tuple[float, int, Any, Any]] = []
        self.seq = itertools.count()

    def fire(self, delay: float, handler: Any, value: Any) -> None:
        heapq.heappush(self.cal, (self.now + delay, next(self.seq), handler, value))

    def fire_at(self, time: float, handler: Any, value: Any) -> None:
        heapq.heappush(self.cal, (time, next(self.seq), handler, value))

    chain = fire

    def run(self) -> None:
        while self.cal:
            self.now, _, handler, value = heapq.heappop(self.cal)
            handler(value)


def program(seed: int, clock: Any, log: list[tuple[float, int]]) -> None:
    """Schedule a random program on ``clock``: each entry logs (now, value) and may
    schedule more through ``fire``, ``fire_at`` or ``chain`` (integer delays, so many
    ties; the chained stream schedules its own successor, as fresh arrivals do)."""
    rng = random.Random(seed)
    draws = [rng.random() for _ in range(4000)]
    stream = itertools.count(10_000)  # values of spawned entries
    budget = [2500]  # entries the handlers may still spawn

    def spawn() -> bool:
        budget[0] -= 1
        return budget[0] >= 0

    def handler(value: int) -> None:
        log.append((clock.now, value))
        u = draws[value % len(draws)]
        if u < 0.6 and spawn():
            clock.fire(float(int(u * 10) % 3), handler, next(stream))
        if u > 0.5 and spawn():
            clock.fire_at(clock.now + int(u * 7) % 2, handler, next(stream))

    def chained(value: int) -> None:
        log.append((clock.now, -value))
        if value < 800:
            clock.chain(float(int(draws[value] * 4) % 2), chained, value + 1)
            if draws[value] < 0.05:  # a second pending entry (goes to the heap)
                clock.chain(0.0, handler, next(stream))

    for k in range(30):
        clock.fire_at(float(rng.randrange(20)), handler, k)
    clock.chain(0.0, chained, 1)


@pytest.mark.parametrize("seed", range(6))
def test_calendar_order_equals_a_plain_heap(seed: int) -> None:
    """Heap plus lane: the same entries in the same order as one heap."""
    ref_log: list[tuple[float, int]] = []
    ref = PlainCalendar()
    program(seed, ref, ref_log)
    ref.run()

    log: list[tuple[float, int]] = []
    env = simpy.Environment()
    clock = Clock(env)
    program(seed, clock, log)
    clock.start()
    env.run()
    assert len(ref_log) > 2000
    assert log == ref_log


@pytest.mark.parametrize("seed", range(3))
def test_calendar_with_a_process_keeps_its_order(seed: int) -> None:
    """A SimPy process stepping at half-integer and integer times splits the calendar
    into limited runs; the engine's entries keep their order, and a process step at a
    time equal to engine entries runs before them (documented in the module)."""
    ref_log: list[tuple[float, int]] = []
    ref = PlainCalendar()
    program(seed, ref, ref_log)
    ref.run()

    log: list[tuple[float, int]] = []
    steps: list[tuple[float, int]] = []
    env = simpy.Environment()
    clock = Clock(env)
    program(seed, clock, log)

    def watcher(env: simpy.Environment) -> Any:
        for _ in range(60):
            steps.append((env.now, len(log)))
            yield env.timeout(0.5)

    env.process(watcher(env))
    clock.start()
    env.run()
    assert log == ref_log
    times = np.array([t for t, _ in log])
    for now, seen in steps:  # everything before the step ran, nothing at or after it
        assert np.all(times[:seen] < now) and np.all(times[seen:] >= now)


def stream_program(seed: int, clock: Any, log: list[tuple[float, int]], streamed: bool) -> None:
    """A stream of 600 entries at sorted times (many ties with the heap's entries) next to
    a random heap program; ``streamed``: through :attr:`Clock.stream`, else as the
    engine used to chain them (each entry chains the next, then runs)."""
    rng = random.Random(seed)
    # integer times (ties with the heap) and fractional ones (now + (t - now) may
    # differ from t in the last bit: the stream must keep the chain's times exactly)
    times = array("d", sorted(rng.randrange(300) + (rng.random() if k % 2 else 0.0)
                              for k in range(600)))  # fmt: skip
    times[0] = 0.0
    stream = itertools.count(10_000)

    def handler(value: int) -> None:
        log.append((clock.now, value))
        if rng.random() < 0.3:
            clock.fire(float(rng.randrange(3)), handler, next(stream))

    def arrive(k: int) -> None:
        log.append((clock.now, -k))
        if rng.random() < 0.5:
            clock.fire(float(rng.randrange(3)), handler, next(stream))

    def chained(k: int) -> None:
        if k + 1 < len(times):
            clock.chain(times[k + 1] - clock.now, chained, k + 1)
        arrive(k)

    for k in range(60):
        clock.fire_at(float(rng.randrange(300)), handler, k)
    if streamed:
        clock.stream(times, 0, len(times), arrive)
    else:
        clock.chain(times[0] - clock.now, chained, 0)


@pytest.mark.parametrize("seed", range(4))
def test_stream_equals_a_chain(seed: int) -> None:
    """:attr:`Clock.stream` runs the same entries in the same order as the chain it
    replaces (the handlers also draw from one random generator: same draws, same
    program), and as a plain heap running that chain."""
    logs = []
    for streamed in (False, True):
        log: list[tuple[float, int]] = []
        env = simpy.Environment()
        clock = Clock(env)
        stream_program(seed, clock, log, streamed)
        clock.start()
        env.run()
        logs.append(log)
    ref_log: list[tuple[float, int]] = []
    ref = PlainCalendar()
    stream_program(seed, ref, ref_log, False)
    ref.run()
    assert len(ref_log) > 900
    assert logs[0] == ref_log and logs[1] == ref_log


def booking_program(cal: Any, out: list[tuple[float, int]]) -> Callable[[], None]:
    """Handlers that log and may fire more; returns ``book()``, which books 400 entries
    at integer times (many ties), half through ``fire``, half through ``fire_at``."""
    rng = random.Random(7)

    def handler(value: int) -> None:
        out.append((cal.now, value))
        if value < 5000 and rng.random() < 0.5:
            cal.fire(float(rng.randrange(4)), handler, value + 5000)

    def book() -> None:
        for k in range(400):
            if k % 2:
                cal.fire(float(rng.randrange(50)), handler, k)
            else:
                cal.fire_at(float(rng.randrange(50)), handler, k)
        cal.fire(3.0, handler, 4999)  # not booked: fired from inside ``book``

    return book


def test_calendar_keeps_the_order_of_booked_entries() -> None:
    """Entries booked through :attr:`Clock.calendar` (many at equal times) run in the
    order of a plain heap, among entries fired while they run."""
    ref_log: list[tuple[float, int]] = []
    ref = PlainCalendar()
    booking_program(ref, ref_log)()
    ref.run()

    log: list[tuple[float, int]] = []
    env = simpy.Environment()
    clock = Clock(env)
    clock.calendar(booking_program(clock, log))
    clock.start()
    env.run()
    assert len(ref_log) > 500 and log == ref_log


def test_default_router_counts_live_calls() -> None:
    """``n_waiting`` = calls enqueued, less those taken and those withdrawn; dead
    entries are skipped at the head; ``drain`` yields the live ones and empties."""
    status = bytearray(10)
    r = LongestIdleFcfs(status)
    assert r.select_call(7) == -1 and r.select_agent(0) == 7  # 7 filed idle, then taken
    for i in range(5):
        r.enqueue(i)
    status[0] = status[2] = Outcome.ABANDONED
    r.withdraw(0)
    r.withdraw(2)
    assert r.n_waiting == 3
    assert r.select_call(1) == 1 and r.n_waiting == 2  # dead 0 skipped
    assert r.select_call(1) == 3 and r.n_waiting == 1  # dead 2 skipped
    status[1] = status[3] = Outcome.ANSWERED
    assert list(r.drain()) == [4] and r.n_waiting == 0
    assert r.select_call(5) == -1 and r.select_agent(0) == 5


class AskedFcfs(LongestIdleFcfs):
    """The default rule, but not the exact class: the engine asks it every time."""


def _run(cfg: dict[str, Any], router: Any) -> EngineLog:
    engine = CallCenter(cfg).engine(0)
    engine.router = router
    return engine.run()


CFGS = {
    "queue-and-redials": {
        "staffing": {"agents": 6},
        "center": {"volume_per_day": 900.0, "after_close": "drain"},
        "redials": {"probability": 0.5, "max_attempts": 3},
        "run": {"days": 2},
    },
    "caps-and-cut": {
        "staffing": {"agents": 5},
        "center": {"volume_per_day": 1200.0, "after_close": "cut"},
        "queue": {"lines": 9, "max_waiting": 3},
        "run": {"days": 2},
    },
}


@pytest.mark.parametrize("name", list(CFGS))
def test_inlined_default_router_equals_asking_it(name: str) -> None:
    """The call path's inlined answers of the default router change nothing."""
    fast, asked = _run(CFGS[name], LongestIdleFcfs), _run(CFGS[name], AskedFcfs)
    assert len(fast.outcome) > 500
    assert (fast.outcome == Outcome.ABANDONED).any() and (fast.wait_s > 0).any()
    for col in ("arrival_s", "wait_s", "outcome", "agent_id", "source", "staff_present"):
        assert np.array_equal(getattr(fast, col), getattr(asked, col)), col
