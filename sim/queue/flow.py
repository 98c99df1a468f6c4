"""The engine's event handlers, built once per run: the hot path of every study.

Why closures, built by functions: a handler runs several times per call, for hundreds
of thousands of calls per run. A closure reads and writes the variables of the
function that built it through cells (``LOAD_DEREF``/``STORE_DEREF`` in CPython), the
cheapest state access there is; an attribute of an object costs a dictionary or slot
lookup, a method a bound-method call. So the state that handlers share lives in the
function that builds them, and handlers that share a variable are built together.
Four groups, each a builder returning its closures, built in this order by
:meth:`sim.queue.engine.Engine.run` around the run's router and staffing controller:

* :func:`attempts`: what follows an attempt that did not reach an agent, or whose
  issue stays open: a redial or the caller gives up (``retry``), the new attempts of
  redials and repeat contacts, and the customer journey's per-call hooks;
* :func:`waiting`: a call no agent answers on arrival is blocked, abandons at once or
  waits; a waiting call abandons;
* :func:`call_path`: an arriving call is routed, an agent answers, a service ends.
  The count of agents on a call lives here, a closure variable of the hottest
  handlers;
* :func:`days`: a day opens (its fresh calls appended, their arrivals streamed), the
  centre closes (drain or cut), a day ends.

The groups call each other through the closures they return. The one circle, a redial
needs the router and the router's path needs ``retry``, is closed by
``Attempts.connect(route)`` once the call path exists.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from heapq import heappop, heappush
from typing import Any, NamedTuple

from sim.core.calls import Outcome, Source
from sim.queue.arrivals import FreshCalls
from sim.queue.channels import ChannelRouter
from sim.queue.clock import Clock, Handler
from sim.queue.columns import CallColumns
from sim.queue.group_staffing import GroupStaffing
from sim.queue.hooks import Answered, Failed, Follow, JourneyHooks, Serve, WorkforceHooks
from sim.queue.redials import RedialPolicy
from sim.queue.router import LongestIdleFcfs, Router
from sim.queue.staffing import Staffing

__all__ = [
    "Attempts",
    "CallPath",
    "Days",
    "DeskParts",
    "Waiting",
    "attempts",
    "call_path",
    "days",
    "waiting",
]

WAITING, ANSWERED, ABANDONED, BLOCKED, CLOSED = (int(o) for o in list(Outcome)[:5])
REDIAL, REPEAT = int(Source.REDIAL), int(Source.REPEAT)  # plain ints: the hot path reads them

#: The run's router, staffing controller and ``serve(call, agent)`` hook (None: the
#: handle column as it is): :meth:`sim.queue.engine.Engine._desk`.
DeskParts = tuple[Router, Staffing | GroupStaffing, Serve | None]


class Attempts(NamedTuple):
    """The closures of :func:`attempts`."""

    retry: Callable[[int, bool], None]  # retry(call, blocked): a redial, or give up
    failed: Failed | None  # the journey's hook for an attempt without an agent
    answered: Answered | None  # the journey's hook at the end of a service
    connect: Callable[[Callable[[int], None]], None]  # connect(route), once it exists
    follow: Follow | None = None  # the journey's hook for a new attempt (callbacks)


def attempts(
    clock: Clock,
    cols: CallColumns,
    redials: RedialPolicy,
    journey: JourneyHooks | None,
    workforce: WorkforceHooks | None,
    agents: int,
    promised: Mapping[int, float] | None = None,
) -> Attempts:
    """Retries, redials and repeat contacts, and the journey's per-call hooks.

    ``journey``: None when there is no active journey. ``agents``: the most agents
    ever present (the journey's per-agent counts). ``promised``: with callbacks, the
    seconds from each callback attempt's arrival to its promise (the journey rates the
    delay past it; :mod:`sim.queue.callbacks`).
    """
    fire, add_attempt, attempt, ctype = clock.fire, cols.add_attempt, cols.attempt, cols.ctype
    policy = redials if redials.active else None
    delay_after = None if policy is None else policy.decider()  # closures: the same draws
    attempt_draws = redials.drawer()
    typed = redials.typed  # several call types: repeats draw from their type's laws
    jr, wf = journey, workforce
    route: Callable[[int], None]  # set by connect: the call path's router

    def connect(to: Callable[[int], None]) -> None:
        nonlocal route
        route = to

    def retry(i: int, blocked: bool) -> None:
        """Call ``i`` was blocked or abandoned: a redial, or the caller gives up."""
        delay = None if delay_after is None else delay_after(attempt[i], blocked)
        if delay is not None:
            fire(delay, on_redial, i)
        if jr is not None:
            j_failed(i, delay is not None)

    def on_redial(value: Any) -> None:
        assert policy is not None
        prev = value
        pat, hnd = attempt_draws(ctype[prev])
        if jr is not None:
            j_follow(prev, False)
        route(add_attempt(prev, clock.now, pat, hnd, REDIAL, attempt[prev] + 1))

    def on_repeat(value: Any) -> None:
        pat, hnd = j_follow(value, True)
        if typed:  # several call types: the type's laws
            k = ctype[value] if cols.base_of is None else cols.base_of[ctype[value]]
            pat, hnd = redials.repeat_draws(k)
        route(add_attempt(value, clock.now, pat, hnd, REPEAT, 1))

    if jr is None:
        return Attempts(retry, None, None, connect)
    j_answered, j_failed, j_follow = jr.callbacks(
        cols.caller, cols.wait, cols.patience, cols.agent_of, clock, agents, on_repeat,
        None if wf is None else wf.p_resolve,
        None if wf is None or not wf.fatigue_on else wf.p_rude, promised,
    )  # fmt: skip
    return Attempts(retry, j_failed, j_answered, connect, j_follow)


class Waiting(NamedTuple):
    """The closures of :func:`waiting`."""

    wait_or_leave: Callable[[int], None]  # no agent answers call i now
    closed: Callable[[int], None]  # call i arrives while the centre is closed
    blocked: Callable[[int], None]  # call i finds every line (or the queue) full


def waiting(
    clock: Clock, cols: CallColumns, router: Router, max_waiting: int | None, att: Attempts,
    offer: Callable[[int], bool] | None = None,
) -> Waiting:  # fmt: skip
    """Calls that no agent answers on arrival: blocked, abandoning at once, or waiting.

    A waiting call abandons when its patience runs out, unless an agent took it first.
    ``max_waiting``: the queue cap (None: none). ``offer(i)``: with callbacks, True if
    the caller of call ``i``, about to wait, accepted a callback and left the line
    (:meth:`sim.queue.callbacks.CallbackDesk.offer`).

    The deadlines: each waiting call's ``(arrival + patience, sequence, call)`` goes on
    a heap of its own, ``pend``, with the sequence number :attr:`Clock.fire` would have
    given its abandonment entry; the calendar holds an entry, with that same key, only
    for ``pend``'s first (pushed when a call's deadline becomes the first, or when the
    first's entry runs and the next live one becomes first). A call answered meanwhile
    stays in ``pend`` (lazy cancellation) and is dropped when it reaches the front, in
    one loop, without a calendar entry of its own. So each abandonment runs at the
    same (time, sequence) as with one calendar entry per waiting call, and the
    calendar gets about a quarter of those entries (measured, 200 agents, everything
    on: 47,000 instead of 189,000 in 30 days), each costing a push, a pop and a call.
    """
    heap, seq, retry, failed = clock.heap, clock.seq, att.retry, att.failed
    arrival, patience, wait, status = cols.arrival, cols.patience, cols.wait, cols.status
    enqueue, withdraw = router.enqueue, router.withdraw
    inf = float("inf")
    pend: list[tuple[float, int, int]] = []  # (deadline, sequence, call), a heap

    def closed(i: int) -> None:
        status[i] = CLOSED
        if failed is not None:
            failed(i, False)

    def blocked(i: int) -> None:
        status[i] = BLOCKED
        retry(i, True)

    def wait_or_leave(i: int) -> None:
        """No agent is free for call ``i``: blocked (queue full), gone (patience 0), or
        it waits."""
        if max_waiting is not None and router.n_waiting >= max_waiting:
            blocked(i)
        elif offer is not None and offer(i):
            pass  # the caller left the line for a callback
        elif (pat := patience[i]) <= 0.0:
            status[i] = ABANDONED
            retry(i, False)
        else:
            enqueue(i)
            if pat < inf:
                e = (clock.now + pat, next(seq), i)
                heappush(pend, e)
                if pend[0] is e:  # the first deadline now: on the calendar
                    heappush(heap, (e[0], e[1], on_deadline, e))

    def on_deadline(value: Any) -> None:
        """The entry of ``pend``'s first ran: it abandons if it still waits; then the
        next live one goes on the calendar. (An entry whose deadline is no longer in
        ``pend``, dropped as answered, does nothing.)"""
        if not pend or pend[0] is not value:
            return
        heappop(pend)
        i = value[2]
        if status[i] == WAITING:  # else answered meanwhile
            status[i] = ABANDONED
            wait[i] = clock.now - arrival[i]
            withdraw(i)
            retry(i, False)
        while pend:
            e = pend[0]
            if status[e[2]] == WAITING:
                heappush(heap, (e[0], e[1], on_deadline, e))
                return
            heappop(pend)

    return Waiting(wait_or_leave, closed, blocked)


class CallPath(NamedTuple):
    """The closures of :func:`call_path`."""

    route: Callable[[int], None]  # route(call): call ``call`` arrives now
    free: Callable[[int], None]  # free(agent): ``agent`` is free now
    set_open: Callable[[bool], None]  # the centre takes fresh calls (True) or not
    busy: Callable[[], int]  # agents on a call now
    place: Callable[[int], None]  # place(call): an idle agent takes it, or it waits


def call_path(
    clock: Clock,
    cols: CallColumns,
    parts: DeskParts,
    lines: int | None,
    att: Attempts,
    wt: Waiting,
) -> CallPath:
    """Routing on arrival, answering and the end of a service: the hottest handlers.

    ``parts``: the run's router, staffing controller and ``serve`` hook.
    ``lines``: the cap on calls in the centre, waiting or answered (None: none).
    """
    fire, answered, wait_or_leave = clock.fire, att.answered, wt.wait_or_leave
    heap, seq = clock.heap, clock.seq  # clock.fire inlined in route and free
    arrival, handle, wait = cols.arrival, cols.handle, cols.wait
    status, agent_of = cols.status, cols.agent_of
    router, staff, serve = parts
    select_agent, select_call, after_call = router.select_agent, router.select_call, staff.after_call
    fast, idle, queue = _inlined(router)  # the default router's rule, applied here
    pop_idle, file_idle, pop_call = idle.popleft, idle.append, queue.popleft
    n_busy = 0  # agents on a call
    is_open = False

    def route(i: int) -> None:
        """Decide what happens to call ``i`` on arrival (the hot path); its arrival is
        now (a fresh call's, drawn, becomes the event time to the last bit; a redial's
        or repeat's is now already)."""
        nonlocal n_busy
        arrival[i] = clock.now
        if not is_open:
            wt.closed(i)
        elif lines is not None and n_busy + router.n_waiting >= lines:
            wt.blocked(i)
        elif (agent := pop_idle() if idle else (-1 if fast else select_agent(i))) < 0:
            wait_or_leave(i)
        else:  # answer(i, agent), inlined: the hot path (wait stays 0)
            n_busy += 1
            status[i] = ANSWERED
            agent_of[i] = agent
            d = handle[i] if serve is None else serve(i, agent)
            heappush(heap, (clock.now + d, next(seq), on_done, i))

    def free(agent: int) -> None:
        """``agent`` is free: it answers the call the router picks, or waits idle."""
        nonlocal n_busy
        if fast and queue and status[queue[0]] == WAITING:  # the default router's pick
            i = pop_call()
        elif (i := select_call(agent)) < 0:
            return
        n_busy += 1
        status[i] = ANSWERED
        now = clock.now
        wait[i] = now - arrival[i]
        agent_of[i] = agent
        d = handle[i] if serve is None else serve(i, agent)
        heappush(heap, (now + d, next(seq), on_done, i))

    def on_done(value: Any) -> None:
        """Call ``value`` has been handled: its agent goes on or leaves."""
        nonlocal n_busy
        if answered is not None:  # the journey decides on resolution and repeat first
            answered(value)
        agent = agent_of[value]
        n_busy -= 1
        if staff.excess and not after_call(agent):
            return  # left the phones
        if fast and not queue:  # no call waits (default router): it joins the idle
            file_idle(agent)
        else:
            free(agent)

    if isinstance(router, ChannelRouter):  # chat sessions: the agent may hold more
        assert isinstance(staff, GroupStaffing)
        end_session, leaving = router.end_session, staff.leaving

        def on_done_sessions(value: Any) -> None:
            """The same, with chat sessions: an agent due to leave takes no new chat
            and leaves when its last session ends."""
            nonlocal n_busy
            if answered is not None:
                answered(value)
            agent = agent_of[value]
            n_busy -= 1
            held = end_session(value, agent)
            if not staff.excess or not (leaving(agent) if held else not after_call(agent)):
                free(agent)

        on_done = on_done_sessions  # the handler route and free fire (late bound)

    def set_open(flag: bool) -> None:
        nonlocal is_open
        is_open = flag

    def place(i: int) -> None:
        """Call ``i`` (a callback attempt) is taken by an idle agent now, or waits: no
        cap, no abandonment (:mod:`sim.queue.callbacks`)."""
        nonlocal n_busy
        if (agent := select_agent(i)) < 0:
            router.enqueue(i)
        else:
            n_busy += 1
            status[i] = ANSWERED
            wait[i] = clock.now - arrival[i]
            agent_of[i] = agent
            fire(handle[i] if serve is None else serve(i, agent), on_done, i)

    return CallPath(route, free, set_open, lambda: n_busy, place)


def _inlined(router: Router) -> tuple[bool, deque[int], deque[int]]:
    """Whether :func:`call_path` applies the router's most frequent answers itself (the
    default router, exactly :class:`~sim.queue.router.LongestIdleFcfs`: a Python call
    fewer per arrival and per end of service, ~9% of a run), and its idle agents and
    queue. The answers: an arriving call takes the longest-idle agent; a freed agent
    takes the head of the queue if that call still waits, or joins the idle, last, if
    no call waits; anything else is the router's. Any other router: False and two
    empty deques, and the router is asked every time."""
    if type(router) is LongestIdleFcfs:
        return True, router.idle, router.queue
    return False, deque(), deque()


class Days(NamedTuple):
    """The handlers of :func:`days` (values: the day, or None for ``on_close``)."""

    on_open: Handler
    on_close: Handler
    on_day_end: Handler
    #: close_queue(final): every call still waiting ends as closed, now (deferred work
    #: only if ``final``, the end of the run: the e-mail backlog carries over closing)
    close_queue: Callable[[bool], None]


def days(
    clock: Clock,
    cols: CallColumns,
    fresh: FreshCalls,
    parts: DeskParts,
    path: CallPath,
    att: Attempts,
    journey: JourneyHooks | None,
    workforce: WorkforceHooks | None,
    drain: bool,
) -> Days:
    """Opening, fresh arrivals, closing and the end of a day.

    A day's fresh calls are drawn in bulk when it opens and their arrivals streamed
    (:attr:`~sim.queue.clock.Clock.stream`): the calendar holds one of them at a time,
    each taken in turn as the one before runs, straight into ``route``.
    """
    route, failed = path.route, att.failed
    router, staff, _ = parts
    arrival, status, wait = cols.arrival, cols.status, cols.wait
    jr, wf = journey, workforce

    def on_open(value: Any) -> None:
        path.set_open(True)
        staff.open()
        calls = fresh.day(value) if jr is None else fresh.day(value, jr.volume_scale())
        if jr is not None:
            jr.open_day(len(calls.arrival_s))
        base = cols.add_day(calls)
        # each arrival at its drawn time, in order; route sets it to the event time
        clock.stream(arrival, base, len(status), route)

    def close_queue(final: bool) -> None:
        now = clock.now
        for i in router.drain(final):
            status[i] = CLOSED
            wait[i] = now - arrival[i]
            if failed is not None:
                failed(i, False)

    def on_close(value: Any) -> None:
        path.set_open(False)
        if not drain:
            close_queue(False)
        staff.close(drain)

    def on_day_end(value: Any) -> None:
        if jr is not None:
            jr.end_of_day(value)
        if wf is not None:
            wf.end_of_day(value, clock.now)

    return Days(on_open, on_close, on_day_end, close_queue)
