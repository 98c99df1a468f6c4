"""Routing with several call types and agent groups: rank matrices, priorities, overflow.

The preference-based router of ContactCenters (Buist and L'Ecuyer, "A Java library for
simulating contact centers", WSC 2005), with one rank matrix ``rank[g][k]`` (1 =
preferred, 0 = no skill) read both ways, static priorities (Gans, Koole and
Mandelbaum 2003, section 5) and overflow after a delay:

* **an arriving call** of type k (:meth:`SkillRouter.select_agent`), with
  ``agent_choice = longest_idle``: the eligible group of best rank for k that has an
  idle agent, and in it the agent idle longest (groups of equal rank: the agent idle
  longest among them); with ``random``: an eligible group drawn with probability
  proportional to its idle agents (the ``routing`` stream), then its longest-idle
  agent. Eligible at arrival: the groups with the skill and no overflow delay;
* **a freed agent** of group g (:meth:`SkillRouter.select_call`), among the heads of
  the queues of the types g has a skill for whose call has waited at least g's
  overflow delay for that type: ``priority``: smallest priority, then longest waiting;
  ``rank``: best rank of g for the type, then longest waiting; ``longest_wait``: the
  longest waiting. Calls of one type are served first come, first served;
* **overflow**: when a call of type k joins the queue, an event at arrival +
  ``overflow_after_s[g][k]`` checks each group g eligible after a delay: if the call
  still waits and g has an idle agent, that agent takes the call its group's policy
  picks (so no agent stays idle while a call it may take waits).

No pre-emption; priorities are static. The queue of each type is cleaned lazily, as in
:class:`sim.queue.router.LongestIdleFcfs`.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.core.calls import Outcome
from sim.core.rng import BlockDraws
from sim.queue.clock import Clock

__all__ = ["GroupPool", "SkillPlan", "SkillRouter"]

WAITING = int(Outcome.WAITING)
INF = float("inf")


@dataclass(frozen=True)
class SkillPlan:
    """Call types and agent groups as the engine needs them (plain numbers).

    Matrices are indexed ``[group][type]``. ``staffing[g]``: agents of group g per
    day and interval, shape (days, intervals), int64.
    """

    rank: tuple[tuple[int, ...], ...]  # 1 = preferred, 0 = no skill
    priority: tuple[int, ...]  # per type, smaller is served first
    overflow_s: tuple[tuple[float, ...], ...]  # seconds waited before the group may take it
    handle_factor: tuple[tuple[float, ...], ...]  # handle time x this
    staffing: tuple[np.ndarray, ...]
    agent_choice: str = "longest_idle"  # longest_idle | random
    call_choice: str = "priority"  # priority | rank | longest_wait
    rng: np.random.Generator | None = None  # the ``routing`` stream (agent_choice random)
    #: per type: 0 voice, 1 chat, 2 email (empty: all voice; :mod:`sim.queue.channels`)
    channel: tuple[int, ...] = ()
    max_sessions: tuple[int, ...] = ()  # per group: chat sessions held at once (empty: 1)
    session_stretch: tuple[float, ...] = ()  # per group (empty: 0)
    reserve_idle: tuple[int, ...] = ()  # per group: idle agents kept for calls (empty: 0)

    @property
    def n_groups(self) -> int:
        return len(self.rank)

    @property
    def n_types(self) -> int:
        return len(self.priority)

    def peaks(self) -> list[int]:
        """The most agents each group is ever asked for (its number of agent ids)."""
        return [int(m.max()) if m.size else 0 for m in self.staffing]

    def group_of_agent(self) -> np.ndarray:
        """int16 group of each agent id: group 0's ids first, then group 1's, ..."""
        return np.repeat(np.arange(self.n_groups, dtype=np.int16), self.peaks())

    @property
    def n_agents(self) -> int:
        return sum(self.peaks())

    @property
    def channels(self) -> bool:
        """Whether some type is chat or e-mail (the :class:`~sim.queue.channels.ChannelRouter`)."""
        return any(self.channel)

    @property
    def factors(self) -> bool:
        """Whether some handle-time factor is not 1."""
        return any(f != 1.0 for row in self.handle_factor for f in row)


class GroupPool:
    """The idle agents of one group, as the staffing controller of that group sees them
    (:class:`sim.queue.router.AgentPool`)."""

    def __init__(self, router: SkillRouter, group: int) -> None:
        self._router, self._group = router, group
        self._types = [k for k, r in enumerate(router.plan.rank[group]) if r]

    @property
    def n_waiting(self) -> int:
        """Live calls waiting of the types this group can serve."""
        n_wait = self._router.n_wait
        return sum(n_wait[k] for k in self._types)

    @property
    def n_idle(self) -> int:
        """Idle agents of this group now."""
        return len(self._router.idle[self._group])

    def release(self, agent: int) -> bool:
        return self._router.release(agent)

    def release_idle(self) -> int:
        idle = self._router.idle[self._group]
        return idle.popleft() if idle else -1


class SkillRouter:
    """The router of a multi-skill centre (see the module docstring).

    ``status``, ``kind`` and ``arrival``: the engine's outcome, call type and arrival
    columns (shared, growing); ``free(agent)``: the engine's "agent is free" (an
    overflow event hands it an idle agent). The hot methods are closures.
    """

    select_agent: Callable[[int], int]
    select_call: Callable[[int], int]
    enqueue: Callable[[int], None]
    withdraw: Callable[[int], None]

    def __init__(
        self,
        status: bytearray,
        kind: bytearray,
        arrival: array,
        clock: Clock,
        plan: SkillPlan,
        free: Callable[[int], None],
        group_of: Sequence[int] | None = None,
    ) -> None:
        self.status, self.kind, self.plan = status, kind, plan
        n_g, n_k = plan.n_groups, plan.n_types
        self.idle: list[deque[int]] = [deque() for _ in range(n_g)]
        self.queues: list[deque[int]] = [deque() for _ in range(n_k)]
        self.n_wait = [0] * n_k
        #: group of each agent id: the plan's layout, or the workforce's (a list it
        #: grows with hires: :meth:`sync_agents`)
        self.group_of: Sequence[int] = (
            plan.group_of_agent().tolist() if group_of is None else group_of
        )
        self.since = [0.0] * len(self.group_of)  # when each idle agent became idle
        self._free = free
        self.arrival = arrival
        self.select_agent = self._arrival_rule(plan)
        overflow = [
            [(g, plan.overflow_s[g][k]) for g in range(n_g)
             if plan.rank[g][k] and plan.overflow_s[g][k] > 0]
            for k in range(n_k)
        ]  # fmt: skip
        queues, n_wait, fire, idle = self.queues, self.n_wait, clock.fire, self.idle
        group_of, since, on_overflow = self.group_of, self.since, self._on_overflow
        tiers = self._call_tiers(plan)
        #: the tiers as built (overflow delays) and as at a drain (delays waived)
        self._tiers, self._delays = tiers, [[list(t) for t in ts] for ts in tiers]
        n = 0

        def select_call(agent: int) -> int:
            """The waiting call ``agent`` takes, or -1 (``agent`` joins its idle)."""
            nonlocal n
            g = group_of[agent]
            if n:
                now = clock.now
                for tier in tiers[g]:
                    first = INF
                    chosen: deque[int] | None = None
                    ck = 0
                    for q, k, delay in tier:
                        if n_wait[k]:
                            i = q[0]
                            while status[i] != WAITING:
                                q.popleft()
                                i = q[0]
                            a = arrival[i]
                            if a < first and a + delay <= now:
                                first, chosen, ck = a, q, k
                    if chosen is not None:
                        n_wait[ck] -= 1
                        n -= 1
                        return chosen.popleft()
            since[agent] = clock.now
            idle[g].append(agent)
            return -1

        def enqueue(call: int) -> None:
            """``call`` joins the back of its type's queue; its overflow events."""
            nonlocal n
            k = kind[call]
            n += 1
            n_wait[k] += 1
            queues[k].append(call)
            for g, delay in overflow[k]:
                fire(delay, on_overflow, (call, g))

        def withdraw(call: int) -> None:
            """One fewer live call of its type (the deque entry is skipped later)."""
            nonlocal n
            k = kind[call]
            n -= 1
            n_wait[k] -= 1
            if not n_wait[k]:
                queues[k].clear()  # only dead entries left

        def count() -> int:
            return n

        def reset() -> None:
            nonlocal n
            for q in queues:
                q.clear()
            n_wait[:] = [0] * n_k
            n = 0

        self.select_call, self.enqueue, self.withdraw = select_call, enqueue, withdraw
        self._count, self._reset = count, reset

    # ------------------------------------------------------------ arriving calls
    def _arrival_rule(self, plan: SkillPlan) -> Callable[[int], int]:
        """``select_agent`` for ``plan.agent_choice``."""
        idle, kind, since = self.idle, self.kind, self.since
        n_g, n_k = plan.n_groups, plan.n_types
        now_eligible = [
            [g for g in range(n_g) if plan.rank[g][k] and plan.overflow_s[g][k] <= 0]
            for k in range(n_k)
        ]
        if plan.agent_choice == "random":
            if plan.rng is None:
                raise ValueError("agent_choice random needs the routing stream (plan.rng)")
            draws = BlockDraws(lambda rng, n: rng.random(n), plan.rng)
            pools = [[idle[g] for g in gs] for gs in now_eligible]

            def select_random(call: int) -> int:
                """An eligible group drawn in proportion to its idle agents."""
                qs = pools[kind[call]]
                total = 0
                for q in qs:
                    total += len(q)
                if not total:
                    return -1
                u = draws.take() * total
                for q in qs:
                    u -= len(q)
                    if u < 0:
                        return q.popleft()
                return next(q for q in reversed(qs) if q).popleft()  # rounding

            return select_random
        tiers: list[list[list[deque[int]]]] = []
        for k in range(n_k):
            ranks = sorted({plan.rank[g][k] for g in now_eligible[k]})
            tiers.append([[idle[g] for g in now_eligible[k] if plan.rank[g][k] == r]
                          for r in ranks])  # fmt: skip
        if all(len(t) == 1 for ts in tiers for t in ts):  # no ties: the fast rule
            order = [[t[0] for t in ts] for ts in tiers]

            def select_ranked(call: int) -> int:
                """The longest-idle agent of the best-ranked group with one."""
                for q in order[kind[call]]:
                    if q:
                        return q.popleft()
                return -1

            return select_ranked

        def select_tied(call: int) -> int:
            """The same, groups of equal rank compared by their agents' idle time."""
            for tier in tiers[kind[call]]:
                best: deque[int] | None = None
                for q in tier:
                    if q and (best is None or since[q[0]] < since[best[0]]):
                        best = q
                if best is not None:
                    return best.popleft()
            return -1

        return select_tied

    # ------------------------------------------------------------ freed agents
    def _call_tiers(self, plan: SkillPlan) -> list[list[list[tuple[deque[int], int, float]]]]:
        """Per group, the tiers of ``select_call``: (queue, type, delay) of each type the
        group has a skill for, grouped by the policy's key, best first; within a tier
        the longest-waiting call wins."""
        tiers: list[list[list[tuple[deque[int], int, float]]]] = []
        for g in range(plan.n_groups):
            skills = [k for k in range(plan.n_types) if plan.rank[g][k]]
            key: Callable[[int], float]
            if plan.call_choice == "priority":
                key = plan.priority.__getitem__
            elif plan.call_choice == "rank":
                key = plan.rank[g].__getitem__
            else:
                key = lambda k: 0.0  # noqa: E731 - one tier: longest waiting overall
            levels = sorted({key(k) for k in skills})
            tiers.append([[(self.queues[k], k, plan.overflow_s[g][k]) for k in skills
                           if key(k) == v] for v in levels])  # fmt: skip
        return tiers

    def _on_overflow(self, value: Any) -> None:
        """Handler: call ``value[0]`` has waited group ``value[1]``'s delay."""
        call, g = value
        q = self.idle[g]
        if self.status[call] == WAITING and q:
            self._free(q.popleft())

    # ------------------------------------------------------------ the protocol
    @property
    def n_waiting(self) -> int:
        """Live calls waiting, all types."""
        return self._count()

    def waive_delays(self, waived: bool) -> None:
        """``waived``: from now on a freed agent may take any waiting call of its group's
        skills, however long it has waited (a closing with drain: the queues empty, and
        no agent idles while a call it may take waits); False: the delays again (the
        centre opens). Then, at a waiver, each group's idle agents take the calls they
        now may."""
        if not any(d > 0 for row in self.plan.overflow_s for d in row):
            return
        for ts, built in zip(self._tiers, self._delays, strict=True):
            for tier, entries in zip(ts, built, strict=True):
                tier[:] = [(q, k, 0.0) for q, k, _ in entries] if waived else entries
        if waived:
            for g, idle in enumerate(self.idle):
                pool = GroupPool(self, g)
                while idle and pool.n_waiting:
                    self._free(idle.popleft())

    def sync_agents(self) -> None:
        """Make room for agent ids added to :attr:`group_of` since (a workforce's hires)."""
        grow = len(self.group_of) - len(self.since)
        if grow > 0:
            self.since.extend([0.0] * grow)

    def pool(self, group: int) -> GroupPool:
        """The idle agents of ``group`` (for its staffing controller)."""
        return GroupPool(self, group)

    def release(self, agent: int) -> bool:
        """Take ``agent`` off its group's idle agents if it is there."""
        try:
            self.idle[self.group_of[agent]].remove(agent)
        except ValueError:
            return False
        return True

    def release_idle(self) -> int:
        """The longest-idle agent of any group leaves (not used by group staffing)."""
        best = min((q for q in self.idle if q), key=lambda q: self.since[q[0]], default=None)
        return -1 if best is None else best.popleft()

    def drain(self, final: bool = False) -> Iterator[int]:
        """Yield the live waiting calls, oldest first, and empty the queues (``final``:
        no difference here)."""
        status, arrival = self.status, self.arrival
        live = sorted((i for q in self.queues for i in q if status[i] == WAITING),
                      key=lambda i: (arrival[i], i))  # fmt: skip
        self._reset()
        yield from live

    def serve(self, handle: array) -> Callable[[int, int], float]:
        """The engine's ``serve(call, agent)`` with the handle-time factors: the handle
        time of the call times its group's factor for the type (written back to the
        ``handle`` column)."""
        factor, kind, group_of = self.plan.handle_factor, self.kind, self.group_of

        def serve(i: int, agent: int) -> float:
            h = handle[i] * factor[group_of[agent]][kind[i]]
            handle[i] = h
            return h

        return serve

