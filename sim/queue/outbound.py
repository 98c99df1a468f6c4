"""Outbound campaigns: a list of records that blended agents dial when no call waits.

A call type with ``channel: outbound`` (:mod:`sim.config.outbound`) is a campaign. Its
records are deferred work of the lowest kind: the channel router
(:mod:`sim.queue.channels`) gives an agent a record only as it gives e-mail, when no
voice or chat call it may take waits and, counting itself, more than ``reserve_idle``
of its group's agents are idle (threshold reservation). Customers never queue for it:
no patience, no abandonment. The engine calls this desk at four points, and nowhere
else:

* **a day opens** (:meth:`OutboundDesk.load`, on the calendar after the day's opening):
  ``list_size`` records join the list at the first opening, ``records_per_day`` at
  every opening; idle agents above the reserve start dialing at once;
* **an agent looks for deferred work** (:meth:`OutboundDesk.stock`, from the router):
  if no record of a campaign the agent's group dials is waiting, the next record of the
  list is made a row of the call columns (its arrival: the time it joined the list) and
  put in the campaign's queue. Records are made one at a time, as dialed: an endless
  list (``list_size: .inf``) costs nothing, and records never dialed have no row. A
  record due for a retry waits in the queue already, so retries come before fresh
  records;
* **an agent starts a dial** (:meth:`OutboundDesk.serve`, the engine's ``serve`` hook):
  the dial reaches the right party with ``reach_probability`` and takes the record's
  handle time (talk + after-call work of the type's laws); otherwise it ends as
  ``unreached`` and takes ``unreached_s``. With the agent layer either is its agent's
  busy time and tires it (the workforce's ``work`` hook); no agent's handle-time factor
  (learning, empowerment, fatigue) stretches a dial;
* **a dial ends** (:meth:`OutboundDesk.done_hook`): an unreached record is tried again
  ``retry_delay_s`` later (a new row, ``attempt`` + 1), up to ``max_tries`` dials; the
  retry joins the queue at its due time, also outside opening hours (it is dialed when
  agents are back).

Every row of an outbound type is one dial (``source = outbound``) and ends exactly
once: ``answered`` (a right-party contact), ``unreached``, or ``closed`` (a record
waiting to be dialed when the run is over). A dial is no customer's contact: the
customer journey keeps its per-call entries in step (``outside()``) and hears of
nothing else (no resolution, rating, repeat contact or failure).

Random numbers: per campaign the streams ``outbound_reach/<type>``,
``outbound_talk/<type>`` and ``outbound_acw/<type>``, so the inbound calls are those of
the same run without the campaign (common random numbers).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.core.calls import Outcome, Source
from sim.core.rng import BlockDraws
from sim.core.timetable import Timetable
from sim.laws.distributions import Distribution
from sim.queue.channels import ChannelRouter
from sim.queue.clock import Clock
from sim.queue.columns import CallColumns
from sim.queue.hooks import Answered, Failed

__all__ = ["Campaign", "OutboundDesk", "OutboundPlan"]

UNREACHED = int(Outcome.UNREACHED)
SOURCE_OUTBOUND = int(Source.OUTBOUND)
INF = math.inf


@dataclass(frozen=True)
class Campaign:
    """One outbound call type as the engine needs it (checked by :mod:`sim.config.outbound`)."""

    call_type: int  # index of the outbound type among the call types
    name: str
    list_size: float  # records at the first opening (inf: endless)
    records_per_day: float  # records added at each opening
    reach_probability: float  # P(a dial reaches the right party)
    unreached_s: float  # agent seconds of an unreached dial
    retry_delay_s: float  # seconds from an unreached dial to the next try
    max_tries: int  # dials of a record at most
    talk: Distribution  # seconds, of a reached dial
    acw: Distribution  # seconds, of a reached dial

    def records(self, days: int) -> float:
        """Records put on the list over ``days`` days (inf for an endless list)."""
        return self.list_size + self.records_per_day * days


@dataclass(frozen=True)
class OutboundPlan:
    """The campaigns of a run, and their random streams (set per replication)."""

    campaigns: tuple[Campaign, ...]
    #: per campaign: the generators of ``outbound_reach``, ``outbound_talk`` and
    #: ``outbound_acw`` of its type (None until the model sets them)
    streams: tuple[tuple[np.random.Generator, np.random.Generator, np.random.Generator], ...] | None = None

    def types(self) -> frozenset[int]:
        """The outbound call types."""
        return frozenset(c.call_type for c in self.campaigns)


class OutboundDesk:
    """The campaigns of one run (see the module docstring).

    ``cols``: the engine's call columns; ``router``: the run's channel router (its
    queues, idle agents and reserves; the desk becomes its ``stock`` hook). Call
    :meth:`connect` with the call path's ``place`` and ``free`` once it exists. Raises
    ValueError without streams.
    """

    def __init__(
        self,
        plan: OutboundPlan,
        timetable: Timetable,
        clock: Clock,
        cols: CallColumns,
        router: ChannelRouter,
    ) -> None:
        if plan.streams is None:
            raise ValueError("an OutboundPlan needs its random streams")
        self.plan, self._tt, self._clock, self._cols = plan, timetable, clock, cols
        self._router = router
        self._place: Callable[[int], None] = router.enqueue
        self._free: Callable[[int], None] = lambda agent: None
        #: the journey's ``outside()`` for each row made (None: no active journey)
        self._outside: Callable[[], None] | None = None
        n_types = len(router.channel)
        self._campaign: list[Campaign | None] = [None] * n_types
        for c in plan.campaigns:
            self._campaign[c.call_type] = c
        #: per outbound type: batches of records not yet made rows, [time joined, count]
        self._lists: dict[int, deque[list[float]]] = {c.call_type: deque() for c in plan.campaigns}
        self._reach: dict[int, BlockDraws] = {}
        self._handle: dict[int, tuple[BlockDraws, BlockDraws]] = {}
        for c, (reach, talk, acw) in zip(plan.campaigns, plan.streams, strict=True):
            self._reach[c.call_type] = BlockDraws(lambda rng, n: rng.random(n), reach)
            self._handle[c.call_type] = (BlockDraws(c.talk.sample, talk),
                                         BlockDraws(c.acw.sample, acw))  # fmt: skip
        eligible = router.eligible
        #: per group: the outbound types it may dial (a skill, no overflow delay)
        self._dials: list[list[int]] = [
            [c.call_type for c in plan.campaigns if g in eligible[c.call_type]]
            for g in range(router.plan.n_groups)
        ]
        router.stock = self.stock

    def connect(self, place: Callable[[int], None], free: Callable[[int], None],
                outside: Callable[[], None] | None = None) -> None:  # fmt: skip
        """The call path's ``place(row)`` and ``free(agent)`` (once it exists), and the
        journey's ``outside()`` (None: no active journey)."""
        self._place, self._free, self._outside = place, free, outside

    # ------------------------------------------------------------------ the list
    def schedule(self) -> None:
        """Put each day's load of the lists on the calendar (after the day's opening
        and its staffing targets, fired before)."""
        for d in range(self._tt.days):
            self._clock.fire(self._tt.opening(d) - self._clock.now, self.load, d)

    def load(self, value: int) -> None:
        """Handler: day ``value`` opens: its records join the lists, and the idle agents
        above their group's reserve start dialing (longest idle first)."""
        now = self._clock.now
        for c in self.plan.campaigns:
            n = c.records_per_day + (c.list_size if value == 0 else 0.0)
            if n > 0:
                self._lists[c.call_type].append([now, n])
        router = self._router
        idle, reserve = router.idle, router.reserve
        for c in self.plan.campaigns:
            k = c.call_type
            for g in router.eligible[k]:
                while len(idle[g]) > reserve[g] and self._has(k):
                    agent = idle[g].popleft()
                    self._free(agent)  # takes the record (or other deferred work)
                    if idle[g] and idle[g][-1] == agent:
                        break  # filed again: nothing it may take

    def _has(self, k: int) -> bool:
        return bool(self._lists[k]) or self._router.n_wait[k] > 0

    def _fresh(self, k: int) -> None:
        """Make the next record of list ``k`` a waiting row and queue it."""
        batch = self._lists[k][0]
        batch[1] -= 1.0
        if batch[1] <= 0.0:
            self._lists[k].popleft()
        self._router.enqueue(self._row(-1, batch[0], k, 1))

    def _row(self, prev: int, at: float, k: int, tries: int) -> int:
        talk, acw = self._handle[k]
        hnd = talk.take() + acw.take()
        cols = self._cols
        if prev < 0:
            i = cols.add_record(at, INF, hnd, SOURCE_OUTBOUND, tries, k)
        else:
            i = cols.add_attempt(prev, at, INF, hnd, SOURCE_OUTBOUND, tries, k)
        if self._outside is not None:
            self._outside()
        return i

    def stock(self, g: int) -> None:
        """Group ``g``'s agent looks for deferred work: each campaign it dials that has
        no record waiting gets its next record queued (if its list has one)."""
        n_wait, lists = self._router.n_wait, self._lists
        for k in self._dials[g]:
            if not n_wait[k] and lists[k]:
                self._fresh(k)

    # ------------------------------------------------------------------ dials
    def serve(
        self,
        inner: Callable[[int, int], float] | None,
        kind: bytearray,
        work: Callable[[int, float], None] | None = None,
        plain: Callable[[int, int], float] | None = None,
    ) -> Callable[[int, int], float]:
        """The engine's ``serve(call, agent)`` with campaigns: a dial of an outbound type
        reaches the right party or not (then ``unreached``, ``unreached_s`` long);
        ``inner``: the serve hook without campaigns (None: the handle column).

        With the agent layer, ``work(agent, seconds)`` is the workforce's hook for agent
        time that is no customer's conversation (:meth:`sim.queue.hooks.WorkforceHooks.work`)
        and ``plain`` the serve hook without the agent layer (the agent group's
        handle-time factor; None: the handle column): a dial goes to ``work`` (busy time,
        an attempt started, fatigue builds over it), a reached one with its handle time
        after ``plain``, an unreached one with ``unreached_s``. No agent's handle-time
        factor (learning, empowerment, fatigue) stretches a dial: empowerment is the
        power to settle a customer's issue and a dial is no customer's issue, and the
        campaign's ``talk`` and ``acw`` laws are the dialer's own measured times. Inbound
        calls go to ``inner`` as before."""
        cols, campaign = self._cols, self._campaign
        handle, status = cols.handle, cols.status
        n = len(campaign)
        draws = [self._reach.get(k) for k in range(n)]

        def serve(i: int, agent: int) -> float:
            k = kind[i]
            c = campaign[k] if k < n else None
            if c is None:
                return handle[i] if inner is None else inner(i, agent)
            if draws[k].take() >= c.reach_probability:  # type: ignore[union-attr]
                status[i] = UNREACHED
                handle[i] = h = c.unreached_s
            elif work is None:
                return handle[i] if inner is None else inner(i, agent)
            else:
                h = handle[i] if plain is None else plain(i, agent)
            if work is not None:
                work(agent, h)
            return h

        return serve

    def done_hook(self, answered: Answered | None) -> Answered:
        """The end-of-service hook with campaigns: an unreached dial may be retried, a
        reached one ends; any other contact goes to ``answered`` (the journey's hook, or
        None). A dial is no customer's contact: the journey never hears of it."""
        status, tries, kind = self._cols.status, self._cols.attempt, self._cols.ctype
        campaign, fire = self._campaign, self._clock.fire

        def done(i: int) -> None:
            c = campaign[kind[i]]
            if c is None:
                if answered is not None:
                    answered(i)
            elif status[i] == UNREACHED and tries[i] < c.max_tries:
                fire(c.retry_delay_s, self._on_retry, i)

        return done

    def failed_hook(self, failed: Failed | None) -> Failed | None:
        """The journey's ``failed(i, retrying)`` without the dials (a record still
        waiting when the run is over ends ``closed``: no customer's attempt failed)."""
        if failed is None:
            return None
        kind, campaign = self._cols.ctype, self._campaign

        def failed_call(i: int, retrying: bool) -> None:
            if campaign[kind[i]] is None:
                failed(i, retrying)

        return failed_call

    def _on_retry(self, value: int) -> None:
        """Handler: the record of unreached dial ``value`` is due again."""
        k = self._cols.ctype[value]
        self._place(self._row(value, self._clock.now, k, self._cols.attempt[value] + 1))
