"""The event loop: a FCFS multi-agent queue with abandonment, blocking and redials, on SimPy.

Why it looks the way it does (design.md section 7, and the speed targets of the core
issue): a textbook SimPy model runs one generator process per caller and a
``simpy.Resource`` for the agents; that costs several events and generator switches
per call. Here SimPy is used as what it is at heart, a clock and an event heap:

* no process per caller: each call is an index into column arrays, and what happens
  to it is a callback attached to a plain event (:class:`_Fire`);
* no ``simpy.Resource``: identical agents are a deque of idle agent ids (the longest
  idle agent takes the next call) and a few counters;
* lazy cancellation: when a waiting call is answered its abandonment event is not
  removed from the heap; it fires later, sees the call is no longer waiting, and does
  nothing. Likewise answered-or-abandoned calls stay in the FCFS deque until an agent
  skips them;
* random variates are drawn in bulk with numpy (a day of fresh calls at a time, redial
  draws in blocks), never one at a time from the event loop.

The loop itself is a set of closures over local variables: in CPython that is the
cheapest state access there is, and this is the hot path of every study.

Semantics (the same as the textbook model in ``tests/textbook.py``):

* a call that finds an idle agent is answered at once (wait 0);
* otherwise, if a line or queue cap is full it is *blocked*; if its patience is 0 it
  *abandons* at once; else it waits in FCFS order and abandons when its patience runs
  out, unless an agent takes it first;
* staffing is piecewise constant per interval; when it drops, idle agents leave at
  once and busy agents leave when they finish their call (no pre-emption);
* at closing, fresh arrivals stop; with ``drain`` the agents on duty serve the calls
  still waiting, with ``cut`` those calls end as *closed*. Redials that come while
  the centre is closed end as *closed* too;
* redials are decided by a :class:`sim.queue.redials.RedialPolicy`; with the customer
  journey active (:mod:`sim.customers.journey`) every attempt's end is reported to the journey's
  hooks, which decide on resolution and repeat contacts (``source = repeat``) and hand
  the finished issues to the customer population once a day.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy
from simpy.core import NORMAL

from sim.core.calls import Outcome, Source
from sim.core.timetable import DAY_S, Timetable
from sim.queue.arrivals import FreshCalls

if TYPE_CHECKING:
    from sim.customers.journey import Journey, JourneyLog
    from sim.queue.redials import RedialPolicy
    from sim.workforce.agents import Workforce

__all__ = ["Engine", "EngineLog"]


OFF, ON, BREAK = 0, 1, 2  # an agent's duty state (shift mode)
OVER = -1.0  # due when the current call ends: the end of the shift


class _Clock(simpy.Environment):
    """SimPy's environment with a fast lane for the engine's own events.

    :meth:`fire` puts ``(time, priority, id, callback, value)`` on SimPy's event heap:
    no :class:`simpy.Event` object is created for the hundreds of thousands of
    arrivals, answers and abandonments. :meth:`run_to_end` is SimPy's ``step`` loop
    that also understands these entries, so ordinary SimPy events and processes can
    share the clock with them (same time -> first scheduled, first served).
    """

    def fire(self, delay: float, callback: Callable[[Any], None], value: Any) -> None:
        """Call ``callback(value)`` after ``delay`` seconds."""
        entry: Any = (self._now + delay, NORMAL, next(self._eid), callback, value)
        heappush(self._queue, entry)

    def run_to_end(self) -> None:
        """Process every scheduled event (``Environment.run()`` without ``until``)."""
        queue: list[Any] = self._queue
        while queue:
            item = heappop(queue)
            self._now = item[0]
            if len(item) == 5:
                item[3](item[4])
                continue
            event = item[3]
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                raise event._value


@dataclass
class EngineLog:
    """Raw per-call columns and the staffing log.

    The index of a call is its engine index: a day's fresh calls are stored in bulk
    when the day opens and redials are appended as they happen, so the index is not
    in order of arrival when there are redials (:func:`sim.outputs.metrics.calls_table` sorts).
    """

    arrival_s: np.ndarray  # float64, engine time of arrival
    patience_s: np.ndarray  # float64
    handle_s: np.ndarray  # float64, talk + after-call work (drawn even if not answered)
    wait_s: np.ndarray  # float64, time from arrival to answer/abandon/close (0 if blocked)
    outcome: np.ndarray  # uint8, Outcome
    agent_id: np.ndarray  # int32, -1 unless answered
    source: np.ndarray  # uint8, Source
    attempt: np.ndarray  # uint8, 1 for the first attempt of a caller
    caller_id: np.ndarray  # int64, call id of the caller's first attempt
    staff_time_s: np.ndarray  # float64, times at which the number of agents present changed
    staff_present: np.ndarray  # int32, agents present (on duty or finishing a call) from then on
    end_s: float  # engine time of the last event
    journey: JourneyLog | None = None  # issues, customers and ratings (journey active only)


class Engine:
    """One replication of one centre: build it, call :meth:`run` once."""

    def __init__(
        self,
        timetable: Timetable,
        staffing: np.ndarray,
        fresh: FreshCalls,
        redials: RedialPolicy,
        lines: int | None,
        max_waiting: int | None,
        drain: bool,
        journey: Journey | None = None,
        workforce: Workforce | None = None,
    ) -> None:
        self.timetable = timetable
        shape = (timetable.days, timetable.n_intervals)  # a per-interval vector: every day
        self.staffing = np.broadcast_to(np.asarray(staffing, dtype=np.int64), shape).tolist()
        self.fresh = fresh
        self.redials = redials
        self.lines = lines
        self.max_waiting = max_waiting
        self.drain = drain
        self.journey = journey
        self.workforce = workforce

    def run(self) -> EngineLog:
        """Simulate every day of the timetable and return the raw log."""
        env = _Clock()
        fire = env.fire
        tt = self.timetable
        lines, max_waiting, drain = self.lines, self.max_waiting, self.drain
        redials = self.redials if self.redials.active else None
        jr = self.journey if self.journey is not None and self.journey.active else None
        wf = self.workforce
        inf = float("inf")
        WAITING, ANSWERED, ABANDONED, BLOCKED, CLOSED = (int(o) for o in Outcome)

        arrival, patience, handle, wait = array("d"), array("d"), array("d"), array("d")
        agent_of, caller = array("i"), array("q")
        status, source, attempt = bytearray(), bytearray(), bytearray()
        staff_t, staff_n = array("d"), array("i")

        queue: deque[int] = deque()
        idle: deque[int] = deque()
        off: list[int] = []  # agents off duty, last to leave on top
        fresh: deque[int] = deque(range(max(map(max, self.staffing))))  # never on duty yet
        usable: list[bool] | None = None  # with a workforce: who may come in today
        n_busy = n_waiting = present = target = day_end = 0
        is_open = closed_drain = False

        def log_staff() -> None:
            staff_t.append(env.now)
            staff_n.append(present)

        def retry(i: int, blocked: bool) -> None:
            """Call ``i`` was blocked or abandoned: a redial, or the caller gives up."""
            delay = None if redials is None else redials.delay_after(attempt[i], blocked)
            if delay is not None:
                fire(delay, on_redial, i)
            if jr is not None:
                j_failed(i, delay is not None)

        def route(i: int) -> None:
            """Decide what happens to call ``i`` on arrival (the hot path)."""
            nonlocal n_waiting, n_busy
            if not is_open:
                status[i] = CLOSED
                if jr is not None:
                    j_failed(i, False)
            elif lines is not None and n_busy + n_waiting >= lines:
                status[i] = BLOCKED
                retry(i, True)
            elif idle:
                agent = idle.popleft()
                status[i] = ANSWERED
                agent_of[i] = agent
                n_busy += 1
                fire(handle[i] if serve is None else serve(i, agent), on_done, i)
            elif max_waiting is not None and n_waiting >= max_waiting:
                status[i] = BLOCKED
                retry(i, True)
            else:
                pat = patience[i]
                if pat <= 0.0:
                    status[i] = ABANDONED
                    retry(i, False)
                else:
                    n_waiting += 1
                    queue.append(i)
                    if pat < inf:
                        fire(pat, on_abandon, i)

        def answer_next(agent: int) -> None:
            """Give ``agent`` the longest-waiting live call (one must exist)."""
            nonlocal n_waiting, n_busy
            i = queue.popleft()
            while status[i] != WAITING:
                i = queue.popleft()
            n_waiting -= 1
            n_busy += 1
            status[i] = ANSWERED
            wait[i] = env.now - arrival[i]
            agent_of[i] = agent
            fire(handle[i] if serve is None else serve(i, agent), on_done, i)

        def on_arrival(value: Any) -> None:
            i = value
            now = env.now
            arrival[i] = now  # the event time, to the last bit (see Engine docs)
            if i + 1 < day_end:
                fire(arrival[i + 1] - now, on_arrival, i + 1)
            route(i)

        def follow_up(prev: int, pat: float, hnd: float, kind: int, tries: int) -> None:
            """A new attempt of the issue of call ``prev`` arrives now."""
            i = len(status)
            arrival.append(env.now)
            patience.append(pat)
            handle.append(hnd)
            wait.append(0.0)
            agent_of.append(-1)
            caller.append(caller[prev])
            status.append(WAITING)
            source.append(kind)
            attempt.append(tries)
            route(i)

        def on_redial(value: Any) -> None:
            assert redials is not None
            pat, hnd = redials.attempt_draws()
            if jr is not None:
                j_follow(value, False)
            follow_up(value, pat, hnd, Source.REDIAL, attempt[value] + 1)

        def on_repeat(value: Any) -> None:
            pat, hnd = j_follow(value, True)
            follow_up(value, pat, hnd, Source.REPEAT, 1)

        def on_abandon(value: Any) -> None:
            nonlocal n_waiting
            i = value
            if status[i] == WAITING:
                status[i] = ABANDONED
                wait[i] = env.now - arrival[i]
                n_waiting -= 1
                retry(i, False)

        def end_service(value: Any) -> None:
            """Call ``value`` has been handled: its agent leaves, or takes the next call."""
            nonlocal n_busy, present
            agent = agent_of[value]
            n_busy -= 1
            if present > target and not (closed_drain and n_waiting):
                present -= 1
                off.append(agent)
                log_staff()
                if wf is not None:
                    wf.left(agent, env.now)
            elif n_waiting:
                answer_next(agent)
            else:
                idle.append(agent)

        serve = None if wf is None else wf.callbacks(handle, env)
        shifts = None if wf is None else wf.shifts
        # shift mode: each agent's duty state (OFF, ON the phones, on a BREAK) and what is
        # due when the current call ends (0: nothing, OVER: the shift, > 0: a break of so
        # many seconds); lists indexed by agent id, grown with the workforce
        where: list[int] = []
        due: list[float] = []

        def go(agent: int, state: int) -> None:
            """``agent`` leaves the phones (to a break or home)."""
            nonlocal present
            assert wf is not None
            where[agent] = state
            due[agent] = 0.0
            present -= 1
            log_staff()
            wf.left(agent, env.now)

        def take_break(agent: int, length: float) -> None:
            go(agent, BREAK)
            fire(length, on_break_end, agent)

        def come(agent: int) -> None:
            """``agent`` comes on the phones (shift start, end of a break)."""
            nonlocal present
            assert wf is not None
            where[agent] = ON
            present += 1
            log_staff()
            wf.joined(agent, env.now)
            if n_waiting:
                answer_next(agent)
            else:
                idle.append(agent)

        def end_shift_service(value: Any) -> None:
            """Shift mode: call ``value`` is done; its agent takes a due break, goes home
            at the end of the shift (after serving the queue if draining), or goes on."""
            nonlocal n_busy
            agent = agent_of[value]
            n_busy -= 1
            d = due[agent]
            if d == 0.0 or (d == OVER and closed_drain and n_waiting):
                if n_waiting:
                    answer_next(agent)
                else:
                    idle.append(agent)
            elif d == OVER:
                go(agent, OFF)
            else:
                take_break(agent, d)

        def on_shift_start(value: Any) -> None:
            due[value] = 0.0
            come(value)

        def on_break_due(value: Any) -> None:
            agent, length = value
            if where[agent] == BREAK:  # a late break still running: take this one after
                due[agent] = length
            elif where[agent] == ON:
                try:
                    idle.remove(agent)
                except ValueError:  # on a call: the break starts when the call ends
                    due[agent] = length
                    return
                take_break(agent, length)

        def on_break_end(value: Any) -> None:
            d = due[value]
            if d == OVER:  # the shift ended during the break
                where[value] = OFF
                due[value] = 0.0
            elif d > 0.0:
                due[value] = 0.0
                fire(d, on_break_end, value)
            else:
                come(value)

        def on_shift_end(value: Any) -> None:
            if where[value] == BREAK:
                due[value] = OVER
            elif where[value] == ON:
                try:
                    idle.remove(value)
                except ValueError:  # on a call: goes home when it ends
                    due[value] = OVER
                    return
                go(value, OFF)

        if shifts is not None:
            end_service = end_shift_service

        on_done: Callable[[Any], None] = end_service
        if jr is not None:  # the journey's hooks; on_done decides on resolution first
            on_done, j_failed, j_follow = jr.callbacks(
                caller,
                wait,
                patience,
                agent_of,
                env,
                max(map(max, self.staffing)),
                end_service,
                on_repeat,
                None if wf is None else wf.p_resolve,
                None if wf is None or not wf.fatigue_on else wf.p_rude,
            )

        def set_target(new: int) -> None:
            nonlocal target, present
            target = new
            changed = False
            while present < target:
                if off:
                    agent = off.pop()
                elif fresh:
                    agent = fresh.popleft()
                else:
                    break  # nobody left to call in (vacancies, absence): short-staffed
                if usable is not None:
                    if not usable[agent]:
                        continue
                    assert wf is not None
                    wf.joined(agent, env.now)
                present += 1
                changed = True
                if n_waiting:
                    answer_next(agent)
                else:
                    idle.append(agent)
            while present > target and idle:
                agent = idle.popleft()
                off.append(agent)
                present -= 1
                changed = True
                if wf is not None:
                    wf.left(agent, env.now)
            if changed:
                log_staff()

        def on_staff(value: Any) -> None:
            set_target(value)

        def on_day_start(value: Any) -> None:
            """Workforce: who works today; shift mode: their shifts and breaks."""
            nonlocal usable
            assert wf is not None
            plan = wf.start_day(value)
            grow = wf.n - len(where)
            where.extend([OFF] * grow)
            due.extend([0.0] * grow)
            now = env.now
            if shifts is not None:
                base = value * DAY_S - now
                for agent, j in wf.assigned:
                    sh = shifts[j]
                    fire(base + sh.start_s, on_shift_start, agent)
                    for b in sh.breaks:
                        fire(base + sh.start_s + b.after_s, on_break_due, (agent, b.length_s))
                    fire(base + sh.end_s, on_shift_end, agent)
                return
            ok = [False] * wf.n
            for agent in plan:
                ok[agent] = True
            usable = ok
            on_duty = wf.since  # NaN unless on the phones
            off[:] = [a for a in off if ok[a]]
            known = set(off)
            fresh.clear()
            fresh.extend(a for a in plan if a not in known and on_duty[a] != on_duty[a])

        def on_open(value: Any) -> None:
            nonlocal is_open, closed_drain, day_end
            is_open, closed_drain = True, False
            calls = (
                self.fresh.day(value) if jr is None else self.fresh.day(value, jr.volume_scale())
            )
            n = len(calls.arrival_s)
            if jr is not None:
                jr.open_day(n)
            base = len(status)
            arrival.frombytes(calls.arrival_s.astype(np.float64).tobytes())
            patience.frombytes(calls.patience_s.astype(np.float64).tobytes())
            handle.frombytes(calls.handle_s.astype(np.float64).tobytes())
            wait.frombytes(bytes(8 * n))
            agent_of.frombytes(np.full(n, -1, dtype=np.int32).tobytes())
            caller.frombytes(np.arange(base, base + n, dtype=np.int64).tobytes())
            status.extend(bytes(n))
            source.extend(bytes(n))
            attempt.extend(b"\x01" * n)
            day_end = base + n
            if n:
                fire(arrival[base] - env.now, on_arrival, base)

        def on_close(value: Any) -> None:
            nonlocal is_open, closed_drain, n_waiting
            is_open, closed_drain = False, drain
            if not drain:
                now = env.now
                for i in queue:
                    if status[i] == WAITING:
                        status[i] = CLOSED
                        wait[i] = now - arrival[i]
                        if jr is not None:
                            j_failed(i, False)
                queue.clear()
                n_waiting = 0
            if shifts is None:
                set_target(0)

        def on_day_end(value: Any) -> None:
            if jr is not None:
                jr.end_of_day(value)
            if wf is not None:
                wf.end_of_day(value, env.now)

        for day in range(tt.days):
            if wf is not None:
                fire(day * DAY_S, on_day_start, day)
            opening = tt.opening(day)
            fire(opening, on_open, day)
            if shifts is None:
                for k, t0 in enumerate(tt.interval_starts(day).tolist()):
                    fire(t0, on_staff, self.staffing[day][k])
            if not tt.always_open or day == tt.days - 1:
                fire(tt.closing(day), on_close, None)
            if (jr is not None or wf is not None) and day < tt.days - 1:  # before the next day
                fire((day + 1) * DAY_S, on_day_end, day)
        env.run_to_end()

        now = env.now
        for i in queue:  # infinitely patient callers left with no agent: the run is over
            if status[i] == WAITING:
                status[i] = CLOSED
                wait[i] = now - arrival[i]
                if jr is not None:
                    j_failed(i, False)
        if jr is not None or wf is not None:
            on_day_end(tt.days - 1)
        return EngineLog(
            arrival_s=np.frombuffer(arrival, dtype=np.float64),
            patience_s=np.frombuffer(patience, dtype=np.float64),
            handle_s=np.frombuffer(handle, dtype=np.float64),
            wait_s=np.frombuffer(wait, dtype=np.float64),
            outcome=np.frombuffer(status, dtype=np.uint8),
            agent_id=np.frombuffer(agent_of, dtype=np.int32),
            source=np.frombuffer(source, dtype=np.uint8),
            attempt=np.frombuffer(attempt, dtype=np.uint8),
            caller_id=np.frombuffer(caller, dtype=np.int64),
            staff_time_s=np.frombuffer(staff_t, dtype=np.float64),
            staff_present=np.frombuffer(staff_n, dtype=np.int32),
            end_s=now,
            journey=None if jr is None else jr.log(),
        )
