"""The event loop: a multi-agent queue with abandonment, blocking and redials, on SimPy.

Why it looks the way it does (design.md section 7, and the speed targets of the core
issue): a textbook SimPy model runs one generator process per caller and a
``simpy.Resource`` for the agents; that costs several events and generator switches
per call. Here SimPy drives an event calendar (:mod:`sim.queue.clock`, public SimPy
API only):

* no process per caller: each call is an index into column arrays, and what happens
  to it is a handler on the engine's calendar, called with the call's index;
* no ``simpy.Resource``: who answers whom is the router's decision
  (:mod:`sim.queue.router`; today: the longest-idle agent takes the longest-waiting
  call), who is on the phones the staffing controller's (:mod:`sim.queue.staffing`);
* lazy cancellation: when a waiting call is answered its abandonment event is not
  removed from the heap; it fires later, sees the call is no longer waiting, and does
  nothing. Likewise answered-or-abandoned calls stay in the router's queue until an
  agent skips them;
* random variates are drawn in bulk with numpy (a day of fresh calls at a time, redial
  draws in blocks), never one at a time from the event loop.

The call handlers are closures over local variables: in CPython that is the cheapest
state access there is, and this is the hot path of every study. The customer journey
and the workforce are reached only through the protocols of :mod:`sim.queue.hooks`.
Your own SimPy processes can join a run: ``Engine(..., processes=[...])``, see
:mod:`sim.queue.control`.

Semantics (the same as the textbook model in ``tests/textbook.py``):

* a call that finds an idle agent is answered at once (wait 0);
* otherwise, if a line or queue cap is full it is *blocked*; if its patience is 0 it
  *abandons* at once; else it waits and abandons when its patience runs out, unless an
  agent takes it first;
* staffing: see :mod:`sim.queue.staffing` (no pre-emption of a call in hand);
* at closing, fresh arrivals stop; with ``drain`` the agents on duty serve the calls
  still waiting, with ``cut`` those calls end as *closed*. Redials that come while
  the centre is closed end as *closed* too;
* redials are decided by a :class:`sim.queue.redials.RedialPolicy`; with the customer
  journey active every attempt's end is reported to the journey's hooks, which decide
  on resolution and repeat contacts (``source = repeat``) and hand the finished issues
  to the customer population once a day.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from sim.core.calls import Outcome, Source
from sim.core.timetable import DAY_S, Timetable
from sim.queue.arrivals import FreshCalls
from sim.queue.channels import ChannelRouter
from sim.queue.clock import Clock
from sim.queue.control import Control, Process, run_processes
from sim.queue.group_staffing import GroupStaffing
from sim.queue.hooks import JourneyColumns, JourneyHooks, WorkforceHooks
from sim.queue.redials import RedialPolicy
from sim.queue.router import LongestIdleFcfs, Router
from sim.queue.skill_router import SkillPlan, SkillRouter
from sim.queue.staffing import Staffing

__all__ = ["Engine", "EngineLog"]


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
    staff_present: np.ndarray  # int32, agents of that group present (on duty or finishing a call) from then on
    end_s: float  # engine time of the last event
    #: uint8, the call type of each call (index into the scenario's call types; all 0
    #: with one type)
    call_type: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    #: uint8, the agent group of each staff-log record (index into the scenario's
    #: agent groups; all 0 with one group): the log is one step function per group
    staff_group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    #: int16, the agent group of each agent id (empty: every agent is of group 0)
    group_of_agent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    journey: JourneyColumns | None = None  # issues, customers, ratings (journey active only)


class Engine:
    """One replication of one centre: build it, call :meth:`run` once.

    ``staffing``: agents per interval, shape (n_intervals,) or (days, n_intervals)
    (count mode; ignored for who comes when if the workforce has shifts).
    ``router``: a factory ``router(status) -> Router`` over the engine's outcome
    column (default :class:`sim.queue.router.LongestIdleFcfs`). ``processes``: your
    own SimPy processes, each a function ``process(env, control)`` returning a
    generator (:mod:`sim.queue.control`). ``skills``: several call types and agent
    groups (:class:`sim.queue.skill_router.SkillPlan`: the router is then a
    :class:`~sim.queue.skill_router.SkillRouter` and each group is staffed by its own
    counts, :mod:`sim.queue.group_staffing`); None: one queue, one pool. Raises
    ValueError for ``skills`` with a workforce or your own processes (not supported yet).
    """

    def __init__(
        self,
        timetable: Timetable,
        staffing: np.ndarray,
        fresh: FreshCalls,
        redials: RedialPolicy,
        lines: int | None,
        max_waiting: int | None,
        drain: bool,
        journey: JourneyHooks | None = None,
        workforce: WorkforceHooks | None = None,
        *,
        router: Callable[[bytearray], Router] = LongestIdleFcfs,
        processes: Sequence[Process] = (),
        skills: SkillPlan | None = None,
    ) -> None:
        if skills is not None and (workforce is not None or processes):
            raise ValueError("several call types or agent groups (skills) cannot run with a "
                             "workforce or your own processes yet")  # fmt: skip
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
        self.router = router
        self.processes = tuple(processes)
        self.skills = skills

    def _desk(
        self,
        clock: Clock,
        status: bytearray,
        kind: bytearray,
        arrival: array,
        handle: array,
        free: Callable[[int], None],
        peak: int,
    ) -> tuple[Router, Staffing | GroupStaffing, Callable[[int, int], float] | None]:
        """The router, the staffing controller and the ``serve(call, agent)`` hook (None:
        the handle column as it is) of one run."""
        wf, sk = self.workforce, self.skills
        if sk is None:
            router = self.router(status)
            serve = None if wf is None else wf.callbacks(handle, clock)
            return router, Staffing(clock, router, free, peak, wf), serve
        make = ChannelRouter if sk.channels else SkillRouter
        skill_router = make(status, kind, arrival, clock, sk, free)
        staff = GroupStaffing(clock, skill_router, free, sk)
        scaled = sk.factors or any(sk.session_stretch)
        return skill_router, staff, skill_router.serve(handle) if scaled else None

    def run(self) -> EngineLog:
        """Simulate every day of the timetable and return the raw log."""
        env = simpy.Environment()
        clock = Clock(env)
        fire = clock.fire
        tt = self.timetable
        lines, max_waiting, drain = self.lines, self.max_waiting, self.drain
        redials = self.redials if self.redials.active else None
        typed = self.redials.typed
        jr = self.journey if self.journey is not None and self.journey.active else None
        wf = self.workforce
        inf = float("inf")
        WAITING, ANSWERED, ABANDONED, BLOCKED, CLOSED = (int(o) for o in Outcome)
        peak = max(map(max, self.staffing)) if self.skills is None else self.skills.n_agents

        arrival, patience, handle, wait = array("d"), array("d"), array("d"), array("d")
        agent_of, caller = array("i"), array("q")
        status, source, attempt, ctype = bytearray(), bytearray(), bytearray(), bytearray()
        n_busy = day_end = 0
        is_open = False

        def free(agent: int) -> None:
            """``agent`` is free: it answers the call the router picks, or waits idle."""
            i = select_call(agent)
            if i >= 0:
                answer(i, agent)

        router, staff, serve = self._desk(clock, status, ctype, arrival, handle, free, peak)
        select_agent, select_call = router.select_agent, router.select_call
        enqueue, withdraw = router.enqueue, router.withdraw
        after_call = staff.after_call

        def answer(i: int, agent: int) -> None:
            """``agent`` answers call ``i`` now."""
            nonlocal n_busy
            n_busy += 1
            status[i] = ANSWERED
            wait[i] = clock.now - arrival[i]
            agent_of[i] = agent
            fire(handle[i] if serve is None else serve(i, agent), on_done, i)

        def retry(i: int, blocked: bool) -> None:
            """Call ``i`` was blocked or abandoned: a redial, or the caller gives up."""
            delay = None if redials is None else redials.delay_after(attempt[i], blocked)
            if delay is not None:
                fire(delay, on_redial, i)
            if jr is not None:
                j_failed(i, delay is not None)

        def route(i: int) -> None:
            """Decide what happens to call ``i`` on arrival (the hot path)."""
            nonlocal n_busy
            if not is_open:
                status[i] = CLOSED
                if jr is not None:
                    j_failed(i, False)
            elif lines is not None and n_busy + router.n_waiting >= lines:
                status[i] = BLOCKED
                retry(i, True)
            else:
                agent = select_agent(i)
                if agent >= 0:  # answer(i, agent), inlined: the hot path (wait stays 0)
                    n_busy += 1
                    status[i] = ANSWERED
                    agent_of[i] = agent
                    fire(handle[i] if serve is None else serve(i, agent), on_done, i)
                elif max_waiting is not None and router.n_waiting >= max_waiting:
                    status[i] = BLOCKED
                    retry(i, True)
                else:
                    pat = patience[i]
                    if pat <= 0.0:
                        status[i] = ABANDONED
                        retry(i, False)
                    else:
                        enqueue(i)
                        if pat < inf:
                            fire(pat, on_abandon, i)

        def on_arrival(value: Any) -> None:
            i = value
            now = clock.now
            arrival[i] = now  # the event time, to the last bit (see Engine docs)
            if i + 1 < day_end:
                fire(arrival[i + 1] - now, on_arrival, i + 1)
            route(i)

        def follow_up(prev: int, pat: float, hnd: float, kind: int, tries: int) -> None:
            """A new attempt of the issue of call ``prev`` arrives now."""
            i = len(status)
            arrival.append(clock.now)
            patience.append(pat)
            handle.append(hnd)
            wait.append(0.0)
            agent_of.append(-1)
            caller.append(caller[prev])
            ctype.append(ctype[prev])
            status.append(WAITING)
            source.append(kind)
            attempt.append(tries)
            route(i)

        def on_redial(value: Any) -> None:
            assert redials is not None
            prev = value
            pat, hnd = redials.attempt_draws(ctype[prev])
            if jr is not None:
                j_follow(prev, False)
            follow_up(prev, pat, hnd, Source.REDIAL, attempt[prev] + 1)

        def on_repeat(value: Any) -> None:
            pat, hnd = j_follow(value, True)
            if typed:  # several call types: the type's laws
                pat, hnd = self.redials.repeat_draws(ctype[value])
            follow_up(value, pat, hnd, Source.REPEAT, 1)

        def on_abandon(value: Any) -> None:
            i = value
            if status[i] == WAITING:
                status[i] = ABANDONED
                wait[i] = clock.now - arrival[i]
                withdraw(i)
                retry(i, False)

        def done_plain(value: Any) -> None:
            """Call ``value`` has been handled: its agent goes on or leaves."""
            nonlocal n_busy
            agent = agent_of[value]
            n_busy -= 1
            if staff.excess and not after_call(agent):
                return  # left the phones
            i = select_call(agent)  # free(agent) and answer(i, agent), inlined: hot path
            if i >= 0:
                n_busy += 1
                status[i] = ANSWERED
                wait[i] = clock.now - arrival[i]
                agent_of[i] = agent
                fire(handle[i] if serve is None else serve(i, agent), on_done, i)

        def done_journey(value: Any) -> None:
            """The same, the journey deciding on resolution and repeat contact first."""
            nonlocal n_busy
            i = value
            j_answered(i)
            agent = agent_of[i]
            n_busy -= 1
            if staff.excess and not after_call(agent):
                return
            i = select_call(agent)
            if i >= 0:
                answer(i, agent)

        if jr is not None:  # the journey's hooks
            j_answered, j_failed, j_follow = jr.callbacks(
                caller,
                wait,
                patience,
                agent_of,
                clock,
                peak,
                on_repeat,
                None if wf is None else wf.p_resolve,
                None if wf is None or not wf.fatigue_on else wf.p_rude,
            )
        on_done = done_plain if jr is None else done_journey
        if isinstance(router, ChannelRouter):  # chat sessions: the agent may hold more
            assert isinstance(staff, GroupStaffing)
            end_session, leaving = router.end_session, staff.leaving

            def done_sessions(value: Any) -> None:
                """The same, with chat sessions: an agent due to leave takes no new chat
                and leaves when its last session ends."""
                nonlocal n_busy
                i = value
                if jr is not None:
                    j_answered(i)
                agent = agent_of[i]
                n_busy -= 1
                held = end_session(i, agent)
                if staff.excess and (leaving(agent) if held else not after_call(agent)):
                    return
                i = select_call(agent)
                if i >= 0:
                    answer(i, agent)

            on_done = done_sessions

        def on_open(value: Any) -> None:
            nonlocal is_open, day_end
            is_open = True
            staff.open()
            day = value
            calls = self.fresh.day(day) if jr is None else self.fresh.day(day, jr.volume_scale())
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
            ctype.extend(bytes(n) if calls.call_type is None else calls.call_type.tobytes())
            day_end = base + n
            if n:
                fire(arrival[base] - clock.now, on_arrival, base)

        def close_queue(final: bool = False) -> None:
            """Every call still waiting ends as closed, now (deferred work only if
            ``final``: it carries over closing)."""
            now = clock.now
            for i in router.drain(final):
                status[i] = CLOSED
                wait[i] = now - arrival[i]
                if jr is not None:
                    j_failed(i, False)

        def on_close(value: Any) -> None:
            nonlocal is_open
            is_open = False
            if not drain:
                close_queue()
            staff.close(drain)

        def on_day_end(value: Any) -> None:
            day_end_hooks(value)

        def day_end_hooks(day: int) -> None:
            if jr is not None:
                jr.end_of_day(day)
            if wf is not None:
                wf.end_of_day(day, clock.now)

        shifts = None if wf is None else wf.shifts
        for day in range(tt.days):
            if wf is not None:
                fire(day * DAY_S, staff.on_day_start, day)
            fire(tt.opening(day), on_open, day)
            if shifts is None:
                staff.schedule_targets(tt.interval_starts(day).tolist(), self.staffing[day])
            if not tt.always_open or day == tt.days - 1:
                fire(tt.closing(day), on_close, None)
            if (jr is not None or wf is not None) and day < tt.days - 1:  # before the next day
                fire((day + 1) * DAY_S, on_day_end, day)
        clock.start()
        if self.processes:
            assert isinstance(staff, Staffing)  # processes need one group (__init__)
            control = Control(clock, router, staff, lambda: n_busy)
            run_processes(env, control, self.processes, tt.closing(tt.days - 1))
        env.run()

        now = clock.now
        close_queue(True)  # infinitely patient callers left with no agent: the run is over
        if jr is not None or wf is not None:
            day_end_hooks(tt.days - 1)
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
            **_staff_log(staff),
            end_s=now,
            call_type=np.frombuffer(ctype, dtype=np.uint8),
            journey=None if jr is None else jr.log(),
        )


def _staff_log(staff: Staffing | GroupStaffing) -> dict[str, np.ndarray]:
    """The staff-log columns of an :class:`EngineLog` (one step function per group)."""
    if isinstance(staff, GroupStaffing):
        time_s, count, group = staff.log_columns()
        return {
            "staff_time_s": np.frombuffer(time_s, dtype=np.float64),
            "staff_present": np.frombuffer(count, dtype=np.int32),
            "staff_group": group,
            "group_of_agent": staff.group_of_agent,
        }
    return {
        "staff_time_s": np.frombuffer(staff.time_s, dtype=np.float64),
        "staff_present": np.frombuffer(staff.count, dtype=np.int32),
        "staff_group": np.zeros(len(staff.count), dtype=np.uint8),
    }
