"""Routing: which free agent answers an arriving call, which waiting call a freed agent takes.

A router owns the waiting calls and the idle agents. The engine asks it two questions,
and everything else about who serves whom follows from the answers:

* :meth:`Router.select_agent` (a call arrives): the agent who answers it now, or -1 (no
  agent fits: the engine then blocks the call, lets it abandon at once, or
  :meth:`Router.enqueue` s it);
* :meth:`Router.select_call` (an agent is free: end of a call, start of a shift, end of
  a break, staffing up): the waiting call it answers now, or -1, in which case the
  router files the agent as idle. This is the one place where the rule "a free agent
  takes the head of the queue, else goes idle" lives.

The staffing controller (:mod:`sim.queue.staffing`) takes idle agents off the phones
through :meth:`Router.release` (a named agent: a break or the end of a shift) and
:meth:`Router.release_idle` (any agent: staffing drops).

**Several call types and agent groups** (issue 14; the reference is the preference-based
router of ContactCenters, Buist and L'Ecuyer): a router built for them gets the call
type of each call index (a column next to the engine's) and the group of each agent,
and two rank matrices ``type_to_group[k, g]`` and ``group_to_type[g, k]`` (lower is
preferred, infinite: never). ``select_agent(call)`` then returns the longest-idle agent
of the best-ranked group with an idle agent; ``select_call(agent)`` the longest-waiting
call of the best-ranked type with a waiting call (FCFS within a type). The engine's
contract does not change: it never looks inside the router. :class:`LongestIdleFcfs`
is today's one-type, one-group rule; :class:`sim.queue.skill_router.SkillRouter` the
multi-skill one (one rank matrix, priorities, overflow after a delay).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Protocol

from sim.core.calls import Outcome

__all__ = ["AgentPool", "LongestIdleFcfs", "Router"]

WAITING = int(Outcome.WAITING)


class AgentPool(Protocol):
    """What a staffing controller needs of the router: the idle agents it may send off
    the phones, and whether calls it could serve are waiting (every :class:`Router` is
    one; with several groups, :class:`sim.queue.skill_router.GroupPool`)."""

    @property
    def n_waiting(self) -> int:
        """Live calls waiting (that these agents may serve)."""
        ...

    def release(self, agent: int) -> bool:
        """Take idle ``agent`` off the phones; False if it is not idle (on a call)."""
        ...

    def release_idle(self) -> int:
        """Take the longest-idle agent off the phones; -1 if none is idle."""
        ...


class Router(Protocol):
    """The routing contract between the engine and a routing policy.

    Agent ids and call indices are ints; -1 means "none". ``n_waiting`` is the number
    of calls waiting (live: not abandoned or answered).
    """

    @property
    def n_waiting(self) -> int:
        """Live calls waiting now."""
        ...

    def select_agent(self, call: int) -> int:
        """Call ``call`` arrives: the idle agent who answers it now (taken off the idle
        agents), or -1."""
        ...

    def select_call(self, agent: int) -> int:
        """``agent`` is free: the waiting call it answers now (taken off the queue), or
        -1 after filing ``agent`` as idle."""
        ...

    def enqueue(self, call: int) -> None:
        """``call`` waits for an agent."""
        ...

    def withdraw(self, call: int) -> None:
        """Waiting ``call`` left the queue (abandoned); the engine has already marked it."""
        ...

    def release(self, agent: int) -> bool:
        """Take idle ``agent`` off the phones; False if it is not idle (on a call)."""
        ...

    def release_idle(self) -> int:
        """Take the longest-idle agent off the phones; -1 if none is idle."""
        ...

    def drain(self, final: bool = False) -> Iterator[int]:
        """Empty the queue: yield each live waiting call, in queue order (closing;
        ``final``: the run is over, deferred work too, :mod:`sim.queue.channels`)."""
        ...


class LongestIdleFcfs:
    """One call type, one agent group: the longest-waiting call goes to the agent idle
    the longest (first come, first served on both sides).

    The queue holds call indices in arrival order and is cleaned lazily: a call that
    abandons stays in the deque, marked by the engine in ``status`` (the engine's
    outcome column) and counted as dead, and is skipped when it reaches the head; so
    the live calls waiting are ``len(queue) - dead``. The methods are closures over
    the two deques and the count (the engine calls them once or twice per call:
    cheaper than bound methods reading attributes); :meth:`enqueue` is the deque's own
    ``append``.

    The engine binds :attr:`idle` and :attr:`queue` of this router (exactly this class,
    not a subclass) and applies its most frequent answers itself, a Python call fewer
    each (:func:`sim.queue.flow.call_path`): an arriving call takes the head of
    :attr:`idle` if any; a freed agent takes the head of :attr:`queue` if that call is
    still waiting, and joins the back of :attr:`idle` if :attr:`queue` is empty. These
    are this class's rule as :meth:`select_agent` and :meth:`select_call` apply it, and
    they keep ``len(queue) - dead`` the live count (a live head leaves, dead entries
    stay); everything else (dead heads, the counts) stays here.
    """

    select_agent: Callable[[int], int]
    select_call: Callable[[int], int]
    enqueue: Callable[[int], None]
    withdraw: Callable[[int], None]

    def __init__(self, status: bytearray) -> None:
        self.status = status  # the engine's outcome column (Outcome codes), shared
        queue: deque[int] = deque()
        idle: deque[int] = deque()
        self.queue, self.idle = queue, idle
        dead = 0  # calls in the queue that left it (abandoned): skipped at the head
        pop_idle, file_idle, pop_call = idle.popleft, idle.append, queue.popleft

        def select_agent(call: int) -> int:
            """The longest-idle agent, or -1."""
            return pop_idle() if idle else -1

        def select_call(agent: int) -> int:
            """The longest-waiting live call, or -1 (``agent`` joins the idle, last)."""
            nonlocal dead
            while queue:
                i = pop_call()
                if status[i] == WAITING:
                    return i
                dead -= 1
            file_idle(agent)
            return -1

        def withdraw(call: int) -> None:
            """One more dead entry (skipped when it reaches the head)."""
            nonlocal dead
            dead += 1

        def count() -> int:
            return len(queue) - dead

        def reset() -> None:
            nonlocal dead
            queue.clear()
            dead = 0

        self.select_agent, self.select_call = select_agent, select_call
        self.enqueue, self.withdraw = queue.append, withdraw
        self._count, self._reset = count, reset

    @property
    def n_waiting(self) -> int:
        """Live calls waiting."""
        return self._count()

    def release(self, agent: int) -> bool:
        """Take ``agent`` off the idle agents if it is there."""
        try:
            self.idle.remove(agent)
        except ValueError:
            return False
        return True

    def release_idle(self) -> int:
        """The longest-idle agent leaves first."""
        idle = self.idle
        return idle.popleft() if idle else -1

    def drain(self, final: bool = False) -> Iterator[int]:
        """Yield the live waiting calls and empty the queue (``final``: no difference)."""
        status = self.status
        for i in self.queue:
            if status[i] == WAITING:
                yield i
        self._reset()
