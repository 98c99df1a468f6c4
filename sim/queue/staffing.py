"""Staffing control: who is on the phones, when agents come and go.

The :class:`Staffing` controller owns the agents' duty state; the router
(:mod:`sim.queue.router`) owns which of the agents on the phones are idle. Two modes:

* **counts** (no shifts): a target number of agents per interval (the staffing matrix,
  :meth:`Staffing.on_target`, plus :attr:`Staffing.extra` set by a control process).
  When the target rises, agents come in (the last to leave first, then agents never
  on duty yet; with a workforce, only those available today); when it drops, idle
  agents leave at once (longest idle first) and busy agents when they finish their
  call (no pre-emption). At closing the target is 0;
* **shifts** (a workforce with a roster): each agent comes at the start of their shift,
  takes their breaks (a break due during a call starts when the call ends; one due
  during a late break is taken after it), and goes home at the end of the shift,
  finishing the call in hand.

At closing with ``drain``, agents whose duty is over still serve the calls waiting.
Each change of the number present is logged (``staff_time_s``, ``staff_present``).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from sim.core.timetable import DAY_S
from sim.queue.clock import Clock
from sim.queue.hooks import WorkforceHooks
from sim.queue.router import AgentPool

__all__ = ["Staffing"]

OFF, ON, BREAK = 0, 1, 2  # an agent's duty state (shift mode)
OVER = -1.0  # due when the current call ends: the end of the shift


class Staffing:
    """The staffing controller of one run.

    ``free(agent)``: the engine's "agent is free" (the router picks a call or files the
    agent as idle). ``agents``: the most agents a target ever asks for (count mode:
    ids ``first .. first+agents-1`` are called in as needed; ``first`` > 0 for the
    second and later agent groups, :mod:`sim.queue.group_staffing`).
    """

    def __init__(
        self,
        clock: Clock,
        router: AgentPool,
        free: Callable[[int], None],
        agents: int,
        workforce: WorkforceHooks | None,
        first: int = 0,
    ) -> None:
        self.clock = clock
        self.router = router
        self.free = free
        self.wf = workforce
        self.shifts = None if workforce is None else workforce.shifts
        self.present = 0  # on the phones or finishing a call after their duty
        self.plan = 0  # count mode: the staffing matrix's target now
        self.extra = 0  # count mode: agents on top of the plan while open (control)
        self.target = 0
        self.draining = False  # closed with drain: agents serve the queue first
        self.is_open = False
        self.off: list[int] = []  # agents off duty, last to leave on top
        self.fresh: deque[int] = deque(range(first, first + agents))  # never on duty yet
        self.usable: list[bool] | None = None  # with a workforce: who may come in today
        self.where: list[int] = []  # shift mode: OFF, ON the phones or on a BREAK
        self.due: list[float] = []  # shift mode: 0, OVER or a break length, at call end
        self.time_s = array("d")
        self.count = array("i")
        #: whether :meth:`after_call` can return False now (count mode: more agents
        #: present than the target; shift mode: always): the engine skips the call if not
        self.excess = self.shifts is not None
        self.after_call: Callable[[int], bool] = (
            self._after_call_counts if self.shifts is None else self._after_call_shifts
        )

    # ---------------------------------------------------------------- both modes
    def log(self) -> None:
        """Record the number present now."""
        self.time_s.append(self.clock.now)
        self.count.append(self.present)

    def open(self) -> None:
        """The centre opens."""
        self.is_open, self.draining = True, False

    def close(self, drain: bool) -> None:
        """The centre closes; count mode: everybody goes (busy agents after their call)."""
        self.is_open, self.draining = False, drain
        if self.shifts is None:
            self._apply(0)

    # ---------------------------------------------------------------- counts
    def on_target(self, value: Any) -> None:
        """Handler: the staffing matrix asks for ``value`` agents from now."""
        self.plan = value
        self._apply(max(self.plan + self.extra, 0) if self.is_open else self.plan)

    def set_extra(self, extra: int, negative: bool = False) -> None:
        """Count mode: ``extra`` agents on top of the plan while open, from now (>= 0;
        ``negative``: fewer than the plan too, never fewer than 0 present)."""
        if self.shifts is not None:
            raise ValueError("extra agents need staffing by counts; this run uses shifts")
        if extra < 0 and not negative:
            raise ValueError(f"extra agents must be >= 0, got {extra}")
        self.extra = int(extra)
        if self.is_open:
            self._apply(max(self.plan + self.extra, 0))

    def _apply(self, new: int) -> None:
        """Bring the number present towards ``new`` now."""
        self.target = new
        wf, now = self.wf, self.clock.now
        off, fresh, usable, router = self.off, self.fresh, self.usable, self.router
        changed = False
        while self.present < new:
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
                wf.joined(agent, now)
            self.present += 1
            changed = True
            self.free(agent)
        while self.present > new:
            agent = router.release_idle()
            if agent < 0:
                break  # the others leave when their call ends
            off.append(agent)
            self.present -= 1
            changed = True
            if wf is not None:
                wf.left(agent, now)
        self.excess = self.present > new
        if changed:
            self.log()

    def _after_call_counts(self, agent: int) -> bool:
        """``agent`` finished a call: False if it leaves (above target), True if free."""
        if self.present > self.target and not (self.draining and self.router.n_waiting):
            self.present -= 1
            self.excess = self.present > self.target
            self.off.append(agent)
            self.log()
            if self.wf is not None:
                self.wf.left(agent, self.clock.now)
            return False
        return True

    # ---------------------------------------------------------------- a workforce
    def on_day_start(self, value: Any) -> None:
        """Handler (midnight): who works today; shift mode: schedule shifts and breaks."""
        wf, day = self.wf, value
        assert wf is not None
        plan = wf.start_day(day)
        grow = wf.n - len(self.where)
        self.where.extend([OFF] * grow)
        self.due.extend([0.0] * grow)
        fire = self.clock.fire
        if self.shifts is not None:
            base = day * DAY_S - self.clock.now
            for agent, j in wf.assigned:
                sh = self.shifts[j]
                fire(base + sh.start_s, self.on_shift_start, agent)
                for b in sh.breaks:
                    fire(base + sh.start_s + b.after_s, self.on_break_due, (agent, b.length_s))
                fire(base + sh.end_s, self.on_shift_end, agent)
            return
        ok = [False] * wf.n
        for agent in plan:
            ok[agent] = True
        self.usable = ok
        on_duty = wf.since  # NaN unless on the phones
        self.off[:] = [a for a in self.off if ok[a]]
        known = set(self.off)
        self.fresh.clear()
        self.fresh.extend(a for a in plan if a not in known and on_duty[a] != on_duty[a])

    # ---------------------------------------------------------------- shifts
    def _go(self, agent: int, state: int) -> None:
        """``agent`` leaves the phones (to a break or home)."""
        assert self.wf is not None
        self.where[agent] = state
        self.due[agent] = 0.0
        self.present -= 1
        self.log()
        self.wf.left(agent, self.clock.now)

    def _take_break(self, agent: int, length: float) -> None:
        self._go(agent, BREAK)
        self.clock.fire(length, self.on_break_end, agent)

    def _come(self, agent: int) -> None:
        """``agent`` comes on the phones (shift start, end of a break)."""
        assert self.wf is not None
        self.where[agent] = ON
        self.present += 1
        self.log()
        self.wf.joined(agent, self.clock.now)
        self.free(agent)

    def _after_call_shifts(self, agent: int) -> bool:
        """``agent`` finished a call: takes a due break, goes home at the end of the
        shift (after serving the queue if draining), or is free (True)."""
        d = self.due[agent]
        if d == 0.0 or (d == OVER and self.draining and self.router.n_waiting):
            return True
        if d == OVER:
            self._go(agent, OFF)
        else:
            self._take_break(agent, d)
        return False

    def on_shift_start(self, value: Any) -> None:
        """Handler: agent ``value``'s shift starts."""
        self.due[value] = 0.0
        self._come(value)

    def on_break_due(self, value: Any) -> None:
        """Handler: ``value = (agent, length_s)``, a break is due."""
        agent, length = value
        where = self.where[agent]
        if where == BREAK:  # a late break still running: take this one after
            self.due[agent] = length
        elif where == ON:
            if not self.router.release(agent):  # on a call: the break starts when it ends
                self.due[agent] = length
                return
            self._take_break(agent, length)

    def on_break_end(self, value: Any) -> None:
        """Handler: agent ``value``'s break is over."""
        agent = value
        d = self.due[agent]
        if d == OVER:  # the shift ended during the break
            self.where[agent] = OFF
            self.due[agent] = 0.0
        elif d > 0.0:
            self.due[agent] = 0.0
            self.clock.fire(d, self.on_break_end, agent)
        else:
            self._come(agent)

    def on_shift_end(self, value: Any) -> None:
        """Handler: agent ``value``'s shift is over."""
        agent = value
        where = self.where[agent]
        if where == BREAK:
            self.due[agent] = OVER
        elif where == ON:
            if not self.router.release(agent):  # on a call: goes home when it ends
                self.due[agent] = OVER
                return
            self._go(agent, OFF)

    def schedule_targets(self, times: Sequence[float], targets: Sequence[int]) -> None:
        """Count mode: fire :meth:`on_target` at each engine time with its target."""
        fire = self.clock.fire
        for t, n in zip(times, targets, strict=True):
            fire(t, self.on_target, n)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Staffing(present={self.present}, target={self.target})"
