"""Your own SimPy processes in a run: the extension point of the engine.

A *process* is a function ``process(env, control)`` that returns a SimPy generator
(it ``yield`` s SimPy events, such as ``env.timeout(60)``). Pass it to the engine
(``Engine(..., processes=[process])``) or to a model run
(``CallCenter(config).run(processes=[process])``). It runs on the engine's own
:class:`simpy.Environment`, next to the engine's events (seconds of engine time; day
``d`` starts at ``d * 86400``), from time 0 until the centre closes on the last day;
then it is interrupted (:class:`simpy.Interrupt`; catch it to clean up) and the engine
finishes the run (drain, last redials). Events at the same time run in the order they
were scheduled.

The :class:`Control` object is what a process may read and change:

* read: :attr:`Control.now`, :attr:`Control.waiting` (calls in the queue),
  :attr:`Control.busy` (agents on a call), :attr:`Control.present` (agents on the
  phones, including those finishing a call after their duty), :attr:`Control.target`
  (agents the staffing asks for now), :attr:`Control.is_open`;
* change: :meth:`Control.set_extra` (count mode: agents on top of the staffing plan,
  e.g. a supervisor pulling agents off back-office work or breaks when the queue is
  long). Extra agents come from the same pool as planned ones: without a workforce,
  the most agents the plan ever asks for (agents off duty in a lull are the reserve);
  with one, the agents available today. When the pool is empty the centre stays
  short-staffed, as with the plan. Their time on the phones shows in the staff log
  (``staff_present``) and the ``agents`` table, not in the plan's paid hours.

With several agent groups (``agent_groups``), :attr:`Control.n_groups` > 1 and each
group has its own staffing: :meth:`Control.group` gives a :class:`GroupControl` (its
agents present, busy and idle, the calls waiting that it may take, its target and
extra agents, :meth:`GroupControl.set_extra`), and :meth:`Control.move` moves agents
from one group to another (a supervisor sending two English agents to the bilingual
team: one group's extra goes down, the other's up; the agents of the receiving group
come from its own pool, with their own ids). The centre-wide :meth:`Control.set_extra`
is refused then (which group?).

A process must not draw random numbers from a global generator (``random``,
``np.random``): results must stay reproducible. Nothing in a shipped scenario uses a
process: without one, a run is bit for bit what it was.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

import simpy

from sim.queue.clock import Clock
from sim.queue.group_staffing import GroupStaffing
from sim.queue.router import Router
from sim.queue.skill_router import GroupPool
from sim.queue.staffing import Staffing

__all__ = ["Control", "GroupControl", "Process", "run_processes"]

#: ``process(env, control)``: a SimPy generator to run next to the engine.
Process = Callable[[simpy.Environment, "Control"], Generator[simpy.Event, Any, Any]]


class Control:
    """The engine's state as your processes see it, and what they may change."""

    def __init__(
        self,
        clock: Clock,
        router: Router,
        staffing: Staffing | GroupStaffing,
        busy: Callable[[], int],
    ) -> None:
        self._clock = clock
        self.env = clock.env
        self._router = router
        self._staffing = staffing
        self._busy = busy
        self._groups: tuple[GroupControl, ...] = ()
        if isinstance(staffing, GroupStaffing):
            self._groups = tuple(GroupControl(clock, st, staffing.pool(g))
                                 for g, st in enumerate(staffing.groups))  # fmt: skip

    @property
    def n_groups(self) -> int:
        """Agent groups of the run (1: one pool, :meth:`group` is not needed)."""
        return max(1, len(self._groups))

    def group(self, g: int) -> GroupControl:
        """Agent group ``g`` (index in config order). Raises ValueError if the run has
        one agent group or ``g`` is not one of its groups."""
        if not self._groups:
            raise ValueError("this run has one agent group: use the control itself")
        if not 0 <= g < len(self._groups):
            raise ValueError(f"agent group {g} does not exist (groups 0..{len(self._groups) - 1})")
        return self._groups[g]

    def move(self, source: int, dest: int, agents: int = 1) -> None:
        """From now on, ``agents`` fewer of group ``source`` and as many more of group
        ``dest`` on the phones whenever open (each group's extra changes by that much;
        count mode). The ``source`` group's agents leave when idle (busy ones after
        their call); ``dest``'s come from its pool. Raises ValueError (one group, a group
        that does not exist or works shifts, ``agents`` < 0)."""
        if agents < 0:
            raise ValueError(f"agents to move must be >= 0, got {agents}")
        src, dst = self.group(source), self.group(dest)
        src.set_extra(src.extra - agents)
        dst.set_extra(dst.extra + agents)

    @property
    def now(self) -> float:
        """Engine time, seconds."""
        return float(self.env.now)

    @property
    def waiting(self) -> int:
        """Calls waiting in the queue now."""
        return self._router.n_waiting

    @property
    def busy(self) -> int:
        """Agents on a call now."""
        return self._busy()

    @property
    def present(self) -> int:
        """Agents on the phones now (idle, on a call, or finishing one after duty)."""
        return self._staffing.present

    @property
    def target(self) -> int:
        """Agents the staffing asks for now (plan plus extra; 0 when closed)."""
        return self._staffing.target

    @property
    def extra(self) -> int:
        """Agents on top of the plan while open (what :meth:`set_extra` last set)."""
        return self._staffing.extra

    @property
    def is_open(self) -> bool:
        """Whether the centre takes fresh calls now."""
        return self._staffing.is_open

    def set_extra(self, extra: int) -> None:
        """From now on, ``extra`` agents on top of the staffing plan whenever open.

        Raises ValueError for a negative ``extra``, a run whose workforce follows
        shifts (extra agents need staffing by counts) or a run with several agent
        groups (use :meth:`group` or :meth:`move`).
        """
        if isinstance(self._staffing, GroupStaffing):
            raise ValueError("this run has several agent groups: set one group's extra "
                             "agents, control.group(g).set_extra(k), or move agents, "
                             "control.move(source, dest, k)")  # fmt: skip
        self._clock.act(self._staffing.set_extra, extra)


class GroupControl:
    """One agent group's staffing as your processes see it (several groups:
    :meth:`Control.group`)."""

    def __init__(self, clock: Clock, staffing: Staffing, pool: GroupPool) -> None:
        self._clock, self._staffing, self._pool = clock, staffing, pool

    @property
    def present(self) -> int:
        """The group's agents on the phones now (idle, on a call, or finishing one)."""
        return self._staffing.present

    @property
    def idle(self) -> int:
        """The group's idle agents now."""
        return self._pool.n_idle

    @property
    def busy(self) -> int:
        """The group's agents on a call now."""
        return self._staffing.present - self._pool.n_idle

    @property
    def waiting(self) -> int:
        """Calls waiting now of the types this group has a skill for."""
        return self._pool.n_waiting

    @property
    def target(self) -> int:
        """Agents the group's staffing asks for now (its plan plus extra, at least 0;
        0 when closed)."""
        return self._staffing.target

    @property
    def extra(self) -> int:
        """Agents on top of the group's plan while open (negative: below it)."""
        return self._staffing.extra

    def set_extra(self, extra: int) -> None:
        """From now on, the group's plan plus ``extra`` agents whenever open (negative:
        fewer, never below 0). Raises ValueError if the group works shifts."""
        self._clock.act(self._staffing.set_extra, extra, True)


def run_processes(
    env: simpy.Environment, control: Control, processes: Sequence[Process], until: float
) -> None:
    """Start ``processes`` on ``env``, run to ``until`` (the last closing, seconds), then
    interrupt the ones still alive; the caller runs the rest with ``env.run()``."""
    started = [env.process(p(env, control)) for p in processes]
    env.run(until=until)
    for proc in started:
        if proc.is_alive:
            proc.defused = True  # an uncaught Interrupt ends the process quietly
            proc.interrupt("closed")
