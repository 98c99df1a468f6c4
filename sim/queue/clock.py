"""The engine's clock: an event calendar driven by a SimPy environment, public API only.

Why not one :class:`simpy.Event` per engine event? A run has several events per call
(arrival, answer's end, abandonment) and the event objects, the environment's
``schedule``/``step`` calls and the callback lists cost about half the engine's time
(measured: ``benchmarks/bench_engine.py``, 0.55x the calls per second of a plain event
calendar). So the engine keeps its own calendar, a heap of
``(time, sequence, handler, value)`` tuples (with a one-entry lane beside it for the
fresh arrivals, :attr:`Clock.chain` and :attr:`Clock.stream`, and the run's fixed
entries in a sorted list, :attr:`Clock.calendar`, both merged in the same order), and
SimPy drives it:

* one SimPy event, the *pump* (a :class:`simpy.Timeout` with a callback), is kept
  scheduled at the time of the calendar's first entry;
* when the environment processes it, the pump runs the calendar's entries in order
  (time, then order of scheduling) for as long as they come strictly before the next
  event on SimPy's own schedule (:meth:`simpy.Environment.peek`), then re-arms itself
  at the calendar's new first entry.

Without processes of your own, SimPy's schedule holds only the pump, and a run is one
pass through the calendar. With them (:mod:`sim.queue.control`), SimPy's events and
the engine's interleave in time order; at equal times SimPy's go first. While a
process step runs, :attr:`Clock.now` equals ``env.now``; changes a process makes go
through :meth:`Clock.act`, which re-arms the pump if they scheduled something earlier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heappop, heappush
from itertools import count
from typing import Any

import simpy

__all__ = ["Clock", "Entry", "Handler"]

#: What an engine event calls: ``handler(value)`` (a call index, an agent id, ...).
Handler = Callable[[Any], None]

_INF = float("inf")


def _nothing(value: Any) -> None:
    """The empty lane's handler (never called)."""


#: A calendar entry: ``(time, sequence, handler, value)``; the sequence number is unique,
#: so entries order by time, then order of scheduling, and handlers are never compared.
Entry = tuple[float, int, Handler, Any]


class Clock:
    """The engine's event calendar on ``env`` (engine time in seconds, from 0).

    ``now``: the time of the engine event being processed (a plain attribute: the hot
    path reads it). :attr:`fire` schedules ``handler(value)`` ``delay`` >= 0 seconds
    from ``now``, :attr:`fire_at` at a given time, :attr:`chain` as :attr:`fire` for
    the chained fresh arrivals.
    """

    __slots__ = (
        "_armed_at",
        "_first",
        "_generation",
        "_run",
        "_run_out",
        "calendar",
        "chain",
        "env",
        "fire",
        "fire_at",
        "heap",
        "now",
        "seq",
        "stream",
    )

    #: ``fire(delay, handler, value)``: call ``handler(value)`` ``delay`` >= 0 seconds
    #: from now (same time: first scheduled, first called).
    fire: Callable[[float, Handler, Any], None]
    #: ``fire_at(time, handler, value)``: at engine time ``time`` >= now, exactly.
    fire_at: Callable[[float, Handler, Any], None]
    #: ``chain(delay, handler, value)``: the same as :attr:`fire`, for the next entry
    #: of a stream whose every entry schedules the next (a day's fresh arrivals: there
    #: is one pending at a time). It waits in a one-entry lane beside the heap, which
    #: the calendar merges by (time, sequence): same order, one push and one pop fewer
    #: per call (the heap holds every call in service and its abandonment; measured on
    #: ``bench_engine.py``, a quarter less engine time). A second pending entry (or one
    #: at an infinite time) goes to the heap.
    chain: Callable[[float, Handler, Any], None]
    #: ``calendar(schedule)``: call ``schedule()``, which puts the run's fixed entries
    #: (every day's opening, staffing targets, closing, day end) on the calendar
    #: through :attr:`fire` and :attr:`fire_at`. They get their sequence numbers as
    #: if pushed, but wait in a sorted list beside the heap, and the heap holds only
    #: the first of them (an entry that pushes the next one before it runs): the same
    #: order, and a heap of the calls' own entries (measured, 200 agents, everything
    #: on, 30 days: 628 entries on average with the fixed ones on it, 215 without;
    #: every push and pop costs log(size)).
    calendar: Callable[[Callable[[], None]], None]
    #: The heap itself and its sequence numbers, for the engine's hottest handlers:
    #: ``heappush(clock.heap, (clock.now + delay, next(clock.seq), handler, value))``
    #: is exactly :attr:`fire` without its Python call (one per answered call and one
    #: per waiting call: :mod:`sim.queue.flow`). Nothing else may touch them.
    heap: list[Entry]
    seq: Iterator[int]
    #: ``stream(times, start, end, handler)``: ``handler(k)`` for each ``k`` in
    #: ``range(start, end)`` at time ``times[k]``, in the lane: exactly a chain whose
    #: every entry ``k`` calls ``chain(times[k + 1] - now, handler, k + 1)`` first
    #: (same times to the last bit, same sequence numbers), but the calendar takes the
    #: next entry itself, a Python call fewer per entry (a day's fresh arrivals). The
    #: lane must be empty, and ``handler`` not chained otherwise while the stream runs;
    #: ``times`` may grow meanwhile (an ``array``), entries below ``end`` must not change.
    stream: Callable[[Any, int, int, Handler], None]

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.now = float(env.now)
        self._armed_at = _INF  # when the live pump fires (inf: none scheduled)
        self._generation = 0  # the live pump's number; older pumps do nothing
        self._build()

    def _build(self) -> None:
        """Build the calendar: a heap and the lane, and the closures that use them
        (the engine schedules two or three entries per call: a closure saves a
        bound-method call and the attribute lookups each).

        The lane's entry lives in four closure variables, not a tuple: ``l_t`` (its
        time, inf when the lane is empty), ``l_s``, ``l_h``, ``l_v``; the loops compare
        it with the heap's first by time, then sequence, with plain float and int
        comparisons (the same order as comparing the tuples), and a stream's next
        entry costs no tuple."""
        clock, cal, seq = self, list[Entry](), count()
        inf = _INF
        l_t, l_s = inf, 0  # the lane: empty (l_t inf)
        l_h: Handler = _nothing
        l_v: Any = None
        s_times: Any = ()  # the stream: times, its last index, its handler
        s_last, s_handler = -1, None

        def stream(times: Any, start: int, end: int, handler: Handler) -> None:
            nonlocal l_t, l_s, l_h, l_v, s_times, s_last, s_handler
            assert l_t == inf, "a stream needs the lane"
            s_times, s_last, s_handler = times, end - 1, handler
            if start < end:
                l_t, l_s, l_h, l_v = clock.now + (times[start] - clock.now), next(seq), handler, start

        def fire(delay: float, handler: Handler, value: Any) -> None:
            heappush(cal, (clock.now + delay, next(seq), handler, value))

        def fire_at(time: float, handler: Handler, value: Any) -> None:
            heappush(cal, (time, next(seq), handler, value))

        def chain(delay: float, handler: Handler, value: Any) -> None:
            nonlocal l_t, l_s, l_h, l_v
            t = clock.now + delay
            if l_t == inf and t < inf:  # (an entry at inf waits on the heap)
                l_t, l_s, l_h, l_v = t, next(seq), handler, value
            else:
                heappush(cal, (t, next(seq), handler, value))

        def calendar(schedule: Callable[[], None]) -> None:
            booked = list[Entry]()

            def book(delay: float, handler: Handler, value: Any) -> None:
                booked.append((clock.now + delay, next(seq), handler, value))

            def book_at(time: float, handler: Handler, value: Any) -> None:
                booked.append((time, next(seq), handler, value))

            clock.fire, clock.fire_at = book, book_at
            try:
                schedule()
            finally:
                clock.fire, clock.fire_at = fire, fire_at
            booked.sort(key=lambda e: (e[0], e[1]))  # sequence numbers are unique
            last = len(booked) - 1

            def step(k: Any) -> None:
                """Run booked entry ``k``, after putting the next one on the heap."""
                if k < last:
                    t, s, _, _ = booked[k + 1]
                    heappush(cal, (t, s, step, k + 1))
                booked[k][2](booked[k][3])

            if booked:
                heappush(cal, (booked[0][0], booked[0][1], step, 0))

        def first() -> float:
            """The time of the first entry (inf: none)."""
            t = cal[0][0] if cal else inf
            return t if l_t > t else l_t

        def run(limit: float) -> None:
            """Run the entries before time ``limit`` (not including it), in order."""
            nonlocal l_t, l_s, l_v
            while True:
                if cal:
                    top = cal[0]
                    t = top[0]
                    lane = l_t < t or (l_t == t and l_t < inf and l_s < top[1])
                else:
                    lane = l_t < inf
                if lane:
                    t, handler, value = l_t, l_h, l_v
                    if t >= limit:
                        return
                    if handler is s_handler and value < s_last:  # the stream's next
                        l_t, l_s, l_v = t + (s_times[value + 1] - t), next(seq), value + 1
                    else:
                        l_t = inf
                elif cal and t < limit:
                    t, _, handler, value = heappop(cal)
                else:
                    return
                clock.now = t
                handler(value)

        def run_out() -> None:
            """Run every entry, in order (the same loop without a limit)."""
            nonlocal l_t, l_s, l_v
            while True:
                if cal:
                    top = cal[0]
                    t = top[0]
                    if l_t < t or (l_t == t and l_t < inf and l_s < top[1]):
                        t, handler, value = l_t, l_h, l_v
                        if handler is s_handler and value < s_last:  # the stream's next
                            l_t, l_s, l_v = t + (s_times[value + 1] - t), next(seq), value + 1
                        else:
                            l_t = inf
                    else:
                        t, _, handler, value = heappop(cal)
                elif l_t < inf:
                    t, handler, value = l_t, l_h, l_v
                    if handler is s_handler and value < s_last:
                        l_t, l_s, l_v = t + (s_times[value + 1] - t), next(seq), value + 1
                    else:
                        l_t = inf
                else:
                    return
                clock.now = t
                handler(value)

        self.fire, self.fire_at, self.chain = fire, fire_at, chain
        self.calendar, self.heap, self.seq, self.stream = calendar, cal, seq, stream
        self._first, self._run, self._run_out = first, run, run_out

    def start(self) -> None:
        """Arm the pump at the first scheduled entry (call before ``env.run``)."""
        self._arm()

    def act(self, action: Callable[..., Any], *args: Any) -> Any:
        """Run ``action(*args)`` now from outside the calendar (a SimPy process): the
        engine's time is set to ``env.now`` and the pump re-armed if needed."""
        self.now = float(self.env.now)
        result = action(*args)
        self._arm()
        return result

    def _arm(self) -> None:
        first = self._first()
        if first < self._armed_at:
            self._generation += 1
            self._armed_at = first
            pump = simpy.Timeout(self.env, max(first - self.env.now, 0.0), self._generation)
            pump.callbacks.append(self._pump)

    def _pump(self, event: simpy.Event) -> None:
        """Run the calendar up to (not including) SimPy's next event, then re-arm."""
        if event.value != self._generation:
            return  # superseded by an earlier pump
        self._armed_at = _INF
        limit = self.env.peek()
        if limit == _INF:  # nothing else on SimPy's schedule: run the calendar out
            self._run_out()
            return
        self._run(limit)
        self._arm()
