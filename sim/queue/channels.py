"""Routing with channels: chat sessions held at once, an e-mail backlog, blending (issue 15).

:class:`ChannelRouter` is the multi-skill router (:class:`sim.queue.skill_router.SkillRouter`:
ranks, priorities, overflow) with three channels per call type (``SkillPlan.channel``):

* **voice**: as in the skill router. An agent answers a call only when it holds nothing
  (0 chat sessions): "idle for voice" means idle;
* **chat**: an agent of group g holds up to ``max_sessions[g]`` chats at once (slots per
  agent, a session count per agent). An arriving chat goes to the eligible group of best
  rank that has an agent with a free slot: there, to the agent holding the fewest
  sessions >= 1 (the one that held that count longest), else to its longest-idle agent
  (agents already chatting are filled before idle ones are taken, so idle agents stay
  free for calls; among chatting agents the load is spread). An agent whose session
  ends takes the oldest chat it may serve if one waits (FCFS per type, the group's
  policy across types); with 0 sessions left it is free as in the skill router. A
  session that starts as the agent's m-th held takes its handle time x
  (1 + ``session_stretch[g]`` x (m - 1)): the stretch is fixed when the session starts
  (an assumption: a linear slow-down per extra session, as in the concurrency factor
  of chat staffing tools; with ``session_stretch`` 0 each session's rate does not depend
  on the number held and a chat-only group of N agents is M/M/(N k));
* **outbound** (:mod:`sim.queue.outbound`): a campaign's records are deferred work
  like e-mail, in the same tiers and under the same reserve; the records are made rows
  only when an agent may dial (the ``stock`` hook, called before a freed agent looks at
  the deferred tiers);
* **email** (deferred work): arrivals join a backlog that is not closed at closing and
  carries over to the next day. An agent takes e-mail only when no call or chat it may
  take waits and, counting itself, more than ``reserve_idle[g]`` of its group's agents
  are idle (threshold reservation: Gans and Zhou 2003; Bhulai and Koole 2003). An
  e-mail arriving to a group with more than ``reserve_idle`` idle agents is taken at
  once. An e-mail in hand is not interrupted (no pre-emption).

:meth:`ChannelRouter.drain` (closing) keeps the backlog unless ``final`` (the run is
over). The engine tells the router of each ended contact through :meth:`end_session`.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sim.core.calls import Outcome
from sim.queue.clock import Clock
from sim.queue.skill_router import GroupPool, SkillPlan, SkillRouter

__all__ = ["CHAT", "DEFERRED", "EMAIL", "OUTBOUND", "VOICE", "ChannelRouter"]

VOICE, CHAT, EMAIL, OUTBOUND = 0, 1, 2, 3
#: the channels of deferred work: taken only when no call waits, above the reserve
DEFERRED = (EMAIL, OUTBOUND)
WAITING = int(Outcome.WAITING)
INF = float("inf")

Tier = list[tuple[deque[int], int, float]]  # (queue, type, overflow delay)


class _LivePool(GroupPool):
    """A group's idle agents for its staffing controller; waiting calls that keep agents
    on duty after closing (``drain``) are voice and chat, not the e-mail backlog."""

    def __init__(self, router: ChannelRouter, group: int) -> None:
        super().__init__(router, group)
        self._types = [k for k in self._types if router.channel[k] not in DEFERRED]


class ChannelRouter(SkillRouter):
    """The router of a centre with chat or e-mail types (see the module docstring).

    Arguments as :class:`~sim.queue.skill_router.SkillRouter`. ``sessions[agent]`` is
    the number of chats the agent holds.
    """

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
        super().__init__(status, kind, arrival, clock, plan, free, group_of)
        n_g, n_k = plan.n_groups, plan.n_types
        self.channel = list(plan.channel) or [VOICE] * n_k
        self.cap = list(plan.max_sessions) or [1] * n_g
        self.stretch = list(plan.session_stretch) or [0.0] * n_g
        self.reserve = list(plan.reserve_idle) or [0] * n_g
        self.sessions = [0] * len(self.group_of)
        #: partial[g][s]: agents of g holding s chats (1 <= s < cap), oldest first
        self.partial: list[list[dict[int, None]]] = [
            [{} for _ in range(self.cap[g])] for g in range(n_g)
        ]
        self._clock = clock
        tiers = self._call_tiers(plan)
        ch = self.channel
        self.live_tiers = [_only(t, ch, (VOICE, CHAT)) for t in tiers]
        self.chat_tiers = [_only(t, ch, (CHAT,)) for t in tiers]
        self.email_tiers = [_only(t, ch, DEFERRED) for t in tiers]
        #: per type: the groups that may take it on arrival, best rank first
        self.eligible = [_eligible_now(plan, k) for k in range(n_k)]
        #: stock(group): called before an agent of ``group`` looks at deferred work (the
        #: outbound desk queues the next record of a campaign; None: no campaigns)
        self.stock: Callable[[int], None] | None = None
        self._voice_agent = self.select_agent
        self._withdraw = self.withdraw
        self.select_agent = self._select_agent
        self.select_call = self._select_call

    # ------------------------------------------------------------ sessions
    def _add_session(self, agent: int) -> None:
        """``agent`` starts one more chat."""
        g = self.group_of[agent]
        s = self.sessions[agent]
        if s:
            self.partial[g][s].pop(agent, None)
        s += 1
        self.sessions[agent] = s
        if s < self.cap[g]:
            self.partial[g][s][agent] = None

    def end_session(self, call: int, agent: int) -> int:
        """Contact ``call`` of ``agent`` has ended: the chats ``agent`` still holds (0 for
        a voice call or an e-mail, after which the agent is free)."""
        if self.channel[self.kind[call]] != CHAT:
            return 0
        g, s = self.group_of[agent], self.sessions[agent]
        if s < self.cap[g]:
            self.partial[g][s].pop(agent, None)
        s -= 1
        self.sessions[agent] = s
        return s

    # ------------------------------------------------------------ arriving contacts
    def _select_agent(self, call: int) -> int:
        """The agent who takes arriving ``call`` now, or -1."""
        k = self.kind[call]
        ch = self.channel[k]
        if ch == VOICE:
            return self._voice_agent(call)
        idle = self.idle
        if ch in DEFERRED:
            for g in self.eligible[k]:
                if len(idle[g]) > self.reserve[g]:
                    return idle[g].popleft()
            return -1
        for g in self.eligible[k]:
            agent = -1
            for bucket in self.partial[g][1:]:
                if bucket:
                    agent = next(iter(bucket))
                    break
            if agent < 0 and idle[g]:
                agent = idle[g].popleft()
            if agent >= 0:
                self._add_session(agent)
                return agent
        return -1

    # ------------------------------------------------------------ freed agents
    def _head(self, tiers: list[Tier]) -> int:
        """The call the first tier with an eligible waiting call offers (its oldest),
        taken off its queue; -1 if none."""
        n_wait, status, arrival = self.n_wait, self.status, self.arrival
        now = self._clock.now
        for tier in tiers:
            first = INF
            chosen: deque[int] | None = None
            for q, k, delay in tier:
                if n_wait[k]:
                    i = q[0]
                    while status[i] != WAITING:
                        q.popleft()
                        i = q[0]
                    a = arrival[i]
                    if a < first and a + delay <= now:
                        first, chosen = a, q
            if chosen is not None:
                i = chosen.popleft()
                self._withdraw(i)
                return i
        return -1

    def _chat_waits(self, g: int) -> bool:
        return any(self.n_wait[k] for tier in self.chat_tiers[g] for _, k, _ in tier)

    def _select_call(self, agent: int) -> int:
        """The contact free (or partly free) ``agent`` takes, or -1 after filing it."""
        g = self.group_of[agent]
        s = self.sessions[agent]
        if s:  # holds chats: only another chat
            i = self._head(self.chat_tiers[g])
            if i < 0:
                self.partial[g][s][agent] = None
                return -1
        else:
            i = self._head(self.live_tiers[g])
            if i < 0 and self.email_tiers[g] and len(self.idle[g]) + 1 > self.reserve[g]:
                if self.stock is not None:
                    self.stock(g)
                i = self._head(self.email_tiers[g])
            if i < 0:
                self.since[agent] = self._clock.now
                self.idle[g].append(agent)
                return -1
        if self.channel[self.kind[i]] == CHAT:
            self._add_session(agent)
            if self.sessions[agent] < self.cap[g] and self._chat_waits(g):
                self._clock.fire(0.0, self._refill, agent)
        return i

    def _refill(self, value: Any) -> None:
        """Handler: ``value``, an agent with a free slot, takes a waiting chat if it is
        still filed as partly free."""
        agent = value
        g, s = self.group_of[agent], self.sessions[agent]
        if 0 < s < self.cap[g] and agent in self.partial[g][s]:
            del self.partial[g][s][agent]
            self._free(agent)

    # ------------------------------------------------------------ the protocol
    def pool(self, group: int) -> GroupPool:
        """The idle agents of ``group``; its waiting calls exclude the e-mail backlog."""
        return _LivePool(self, group)

    def drain(self, final: bool = False) -> Iterator[int]:
        """Yield the live waiting voice and chat contacts (and, if ``final``, e-mail and
        outbound records), oldest first, and take them off the queues; the backlog and
        the campaign lists stay otherwise."""
        status, arrival = self.status, self.arrival
        keep = () if final else [k for k, c in enumerate(self.channel) if c in DEFERRED]
        live = sorted((i for k, q in enumerate(self.queues) if k not in keep for i in q
                       if status[i] == WAITING), key=lambda i: (arrival[i], i))  # fmt: skip
        for i in live:
            self._withdraw(i)
        yield from live

    def serve(self, handle: array) -> Callable[[int, int], float]:
        """The engine's ``serve(call, agent)``: the handle time x the group's factor for
        the type, a chat's also x (1 + stretch x (sessions held - 1)) (written back)."""
        factor, kind, group_of = self.plan.handle_factor, self.kind, self.group_of
        channel, stretch, sessions = self.channel, self.stretch, self.sessions

        def serve(i: int, agent: int) -> float:
            g, k = group_of[agent], kind[i]
            h = handle[i] * factor[g][k]
            if channel[k] == CHAT:
                h *= 1.0 + stretch[g] * (sessions[agent] - 1)
            handle[i] = h
            return h

        return serve


def _eligible_now(plan: SkillPlan, k: int) -> list[int]:
    """The groups that may take a contact of type ``k`` on arrival (a skill, no overflow
    delay), best rank first (ties: config order)."""
    groups = [g for g in range(plan.n_groups) if plan.rank[g][k] and plan.overflow_s[g][k] <= 0]
    return sorted(groups, key=lambda g: (plan.rank[g][k], g))


def _only(tiers: list[Tier], channel: list[int], keep: tuple[int, ...]) -> list[Tier]:
    """``tiers`` with only the types of the channels in ``keep`` (empty tiers dropped)."""
    out = [[e for e in tier if channel[e[1]] in keep] for tier in tiers]
    return [t for t in out if t]
