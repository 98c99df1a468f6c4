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
* lazy cancellation: when a waiting call is answered its deadline is not removed
  from the heap of deadlines (:func:`sim.queue.flow.waiting`, which puts only the
  first live one on the calendar); it is dropped when it comes first. Likewise
  answered-or-abandoned calls stay in the router's queue until an agent skips them;
* random variates are drawn in bulk with numpy (a day of fresh calls at a time, redial
  draws in blocks), never one at a time from the event loop.

The call handlers are closures over local variables: in CPython that is the cheapest
state access there is, and this is the hot path of every study. They are built once
per run, in four named groups (:mod:`sim.queue.flow`: attempts, waiting, the call
path, days), over the per-call columns (:mod:`sim.queue.columns`). The customer journey
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

import numpy as np
import simpy

from sim.core.timetable import DAY_S, Timetable
from sim.queue.arrivals import FreshCalls
from sim.queue.callbacks import CallbackDesk, CallbackLog, CallbackPlan
from sim.queue.channels import ChannelRouter
from sim.queue.clock import Clock
from sim.queue.columns import CallColumns
from sim.queue.control import Control, Process, run_processes
from sim.queue.flow import Days, DeskParts, attempts, call_path, days, waiting
from sim.queue.group_staffing import GroupStaffing
from sim.queue.hooks import JourneyColumns, JourneyHooks, WorkforceHooks
from sim.queue.outbound import OutboundDesk, OutboundPlan
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
    callbacks: CallbackLog | None = None  # offers and callback attempts (callbacks only)


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
    counts or, with a workforce, its own shifts and roster: :mod:`sim.queue.group_staffing`;
    your processes reach each group through :meth:`Control.group`); None: one queue,
    one pool.
    ``callbacks``: callbacks offered to callers about to wait (:mod:`sim.queue.callbacks`;
    its callback types are call types of ``skills``). Raises ValueError for ``callbacks``
    without ``skills``.
    ``outbound``: outbound campaigns (:mod:`sim.queue.outbound`; their types are call
    types of ``skills`` with the outbound channel). Raises ValueError for ``outbound``
    without ``skills``.
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
        callbacks: CallbackPlan | None = None,
        outbound: OutboundPlan | None = None,
    ) -> None:
        if callbacks is not None and skills is None:
            raise ValueError("callbacks need the call types of a SkillPlan (skills)")
        if outbound is not None and (skills is None or not skills.channels):
            raise ValueError("outbound campaigns need the outbound types of a SkillPlan")
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
        self.callbacks = callbacks
        self.outbound = outbound

    def _desk(
        self,
        clock: Clock,
        status: bytearray,
        kind: bytearray,
        arrival: array,
        handle: array,
        free: Callable[[int], None],
        peak: int,
    ) -> DeskParts:
        """The router, the staffing controller and the ``serve(call, agent)`` hook (None:
        the handle column as it is) of one run."""
        wf, sk = self.workforce, self.skills
        if sk is None:
            router = self.router(status)
            serve = None if wf is None else wf.callbacks(handle, clock)
            return router, Staffing(clock, router, free, peak, wf), serve
        make = ChannelRouter if sk.channels else SkillRouter  # chat or e-mail types
        skill_router = make(status, kind, arrival, clock, sk, free,
                            None if wf is None else wf.group_of)  # fmt: skip
        staff = GroupStaffing(clock, skill_router, free, sk, wf)
        scaled = sk.factors or any(sk.session_stretch)
        factor = skill_router.serve(handle) if scaled else None
        if wf is None or factor is None:
            return skill_router, staff, factor if wf is None else wf.callbacks(handle, clock)
        agent_serve = wf.callbacks(handle, clock)

        def serve_both(i: int, agent: int) -> float:
            """The group's handle-time factor, then the agent's own effects."""
            factor(i, agent)
            return agent_serve(i, agent)

        return skill_router, staff, serve_both

    def run(self) -> EngineLog:
        """Simulate every day of the timetable and return the raw log.

        The event handlers are built once, in four groups (:mod:`sim.queue.flow`), around
        the router and the staffing controller (:meth:`_desk`); the calendar gets each
        day's opening, staffing targets, closing and day end; then SimPy runs it (with
        your processes, if any) to the end.
        """
        env = simpy.Environment()
        clock = Clock(env)
        cols = CallColumns()
        tt, wf = self.timetable, self.workforce
        jr = self.journey if self.journey is not None and self.journey.active else None
        peak = max(map(max, self.staffing)) if self.skills is None else self.skills.n_agents

        # the router and the staffing controller call the path's "agent is free" (late
        # bound: the path is built around them; it runs only when staffing changes)
        parts = self._desk(clock, cols.status, cols.ctype, cols.arrival, cols.handle,
                           lambda agent: path.free(agent), peak)  # fmt: skip
        router, staff, serve = parts
        desk: CallbackDesk | None = None
        if self.callbacks is not None:  # three hook points: offer, serve, end of service
            cols.base_of = list(self.callbacks.base_type)
            desk = CallbackDesk(self.callbacks, tt, clock, cols, lambda i: path.place(i),
                                lambda: path.busy(), lambda: router.n_waiting)  # fmt: skip
            parts = (router, staff, desk.serve(serve, cols.source,
                                               None if wf is None else wf.work(clock)))
        ob: OutboundDesk | None = None
        if self.outbound is not None:  # four hook points: load, stock, serve, end of a dial
            assert isinstance(router, ChannelRouter)
            ob = OutboundDesk(self.outbound, tt, clock, cols, router)
            work = plain = None
            if wf is not None:  # a dial is agent time, stretched by the group's factor only
                work = wf.work(clock)
                sk = self.skills
                if sk is not None and (sk.factors or any(sk.session_stretch)):
                    plain = router.serve(cols.handle)
            parts = (router, staff, ob.serve(parts[2], cols.ctype, work, plain))
        att = attempts(clock, cols, self.redials, jr, wf, peak,
                       None if desk is None else desk.offset)  # fmt: skip
        if desk is not None:
            desk.connect(att.follow, None if jr is None else jr.deferral(), att.failed)
            att = att._replace(answered=desk.done_hook(att.answered))
        if ob is not None:
            att = att._replace(answered=ob.done_hook(att.answered),
                               failed=ob.failed_hook(att.failed))
        wt = waiting(clock, cols, router, self.max_waiting, att,
                     None if desk is None else desk.offer)  # fmt: skip
        path = call_path(clock, cols, parts, self.lines, att, wt)
        att.connect(path.route)  # redials and repeat contacts arrive through the router
        day = days(clock, cols, self.fresh, parts, path, att, jr, wf, self.drain)
        if ob is not None:
            ob.connect(path.place, path.free, None if jr is None else jr.outside())

        def schedule() -> None:
            self._schedule(clock, staff, day, jr is not None or wf is not None)
            if ob is not None:
                ob.schedule()  # after each opening and its staffing targets

        clock.calendar(schedule)
        clock.start()
        if self.processes:
            control = Control(clock, router, staff, path.busy)
            run_processes(env, control, self.processes, tt.closing(tt.days - 1))
        env.run()

        now = clock.now
        day.close_queue(True)  # patient callers and e-mail left with no agent: the run is over
        if jr is not None or wf is not None:
            day.on_day_end(tt.days - 1)
        return EngineLog(
            **cols.arrays(),
            **_staff_log(staff),
            end_s=now,
            journey=None if jr is None else jr.log(),
            callbacks=None if desk is None else desk.log,
        )

    def _schedule(
        self, clock: Clock, staff: Staffing | GroupStaffing, day: Days, day_ends: bool
    ) -> None:
        """Put every day's fixed events on the calendar: the workforce's day start,
        opening, staffing targets (count mode), closing, and the end of each day but
        the last (``day_ends``: a journey or a workforce wants it)."""
        tt, wf, fire = self.timetable, self.workforce, clock.fire
        shifts = None if wf is None else wf.shifts
        for d in range(tt.days):
            if wf is not None:
                fire(d * DAY_S, staff.on_day_start, d)
            fire(tt.opening(d), day.on_open, d)
            if shifts is None:
                staff.schedule_targets(tt.interval_starts(d).tolist(), self.staffing[d])
            if not tt.always_open or d == tt.days - 1:
                fire(tt.closing(d), day.on_close, None)
            if day_ends and d < tt.days - 1:  # before the next day
                fire((d + 1) * DAY_S, day.on_day_end, d)


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
