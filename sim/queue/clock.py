"""The engine's clock: an event calendar driven by a SimPy environment, public API only.

Why not one :class:`simpy.Event` per engine event? A run has several events per call
(arrival, answer's end, abandonment) and the event objects, the environment's
``schedule``/``step`` calls and the callback lists cost about half the engine's time
(measured: ``benchmarks/bench_engine.py``, 0.55x the calls per second of a plain event
calendar). So the engine keeps its own calendar, a heap of
``(time, sequence, handler, value)`` tuples, and SimPy drives it:

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

from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count
from typing import Any

import simpy

__all__ = ["Clock", "Handler"]

#: What an engine event calls: ``handler(value)`` (a call index, an agent id, ...).
Handler = Callable[[Any], None]

_INF = float("inf")


class Clock:
    """The engine's event calendar on ``env`` (engine time in seconds, from 0).

    ``now``: the time of the engine event being processed (a plain attribute: the hot
    path reads it). :attr:`fire` schedules ``handler(value)`` ``delay`` >= 0 seconds
    from ``now``, :attr:`fire_at` at a given time.
    """

    __slots__ = ("_armed_at", "_cal", "_generation", "_seq", "env", "fire", "fire_at", "now")

    #: ``fire(delay, handler, value)``: call ``handler(value)`` ``delay`` >= 0 seconds
    #: from now (same time: first scheduled, first called).
    fire: Callable[[float, Handler, Any], None]
    #: ``fire_at(time, handler, value)``: at engine time ``time`` >= now, exactly.
    fire_at: Callable[[float, Handler, Any], None]

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.now = float(env.now)
        self._cal: list[tuple[float, int, Handler, Any]] = []
        self._seq = count()
        self._armed_at = _INF  # when the live pump fires (inf: none scheduled)
        self._generation = 0  # the live pump's number; older pumps do nothing
        self._schedulers()

    def _schedulers(self) -> None:
        """Build :attr:`fire` and :attr:`fire_at`: closures over the calendar and the
        sequence (the engine fires two or three entries per call; a closure saves a
        bound-method call and two attribute lookups each)."""
        clock, cal, seq = self, self._cal, self._seq

        def fire(delay: float, handler: Handler, value: Any) -> None:
            """Call ``handler(value)`` ``delay`` seconds from now (same time: first
            scheduled, first called)."""
            heappush(cal, (clock.now + delay, next(seq), handler, value))

        def fire_at(time: float, handler: Handler, value: Any) -> None:
            """Call ``handler(value)`` at engine time ``time`` >= now (exactly that time:
            no ``now + delay`` rounding)."""
            heappush(cal, (time, next(seq), handler, value))

        self.fire, self.fire_at = fire, fire_at

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
        cal = self._cal
        if cal and cal[0][0] < self._armed_at:
            self._generation += 1
            self._armed_at = cal[0][0]
            pump = simpy.Timeout(self.env, max(cal[0][0] - self.env.now, 0.0), self._generation)
            pump.callbacks.append(self._pump)

    def _pump(self, event: simpy.Event) -> None:
        """Run the calendar up to (not including) SimPy's next event, then re-arm."""
        if event.value != self._generation:
            return  # superseded by an earlier pump
        self._armed_at = _INF
        cal = self._cal
        limit = self.env.peek()
        if limit == _INF:  # nothing else on SimPy's schedule: run the calendar out
            while cal:
                t, _, handler, value = heappop(cal)
                self.now = t
                handler(value)
            return
        while cal and cal[0][0] < limit:
            t, _, handler, value = heappop(cal)
            self.now = t
            handler(value)
        self._arm()
