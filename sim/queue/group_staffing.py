"""Staffing of several agent groups: one controller per group (issue 14).

Each group has its own :class:`sim.queue.staffing.Staffing` and sends its own idle
agents off the phones (:class:`sim.queue.skill_router.GroupPool`). Without a
workforce, each group follows its targets per interval (count mode) on its own agent
ids: group 0's ids first, then group 1's, ... With a workforce (agents as
individuals), the workforce numbers the agents (:attr:`WorkforceHooks.group_of`) and
each group's controller sees its own agents through
:meth:`WorkforceHooks.group_view`: a group follows its targets per interval, or its
own shifts and roster. The staff log is one step function per group: each record
carries its group (``staff_group``).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sim.queue.clock import Clock
from sim.queue.hooks import WorkforceHooks
from sim.queue.skill_router import GroupPool, SkillPlan, SkillRouter
from sim.queue.staffing import Staffing

__all__ = ["GroupStaffing"]


class GroupStaffing:
    """The staffing controllers of the agent groups, as the engine sees one.

    :attr:`excess` is always True: the engine asks :meth:`after_call` after every call,
    and the agent's group decides.
    """

    excess = True

    def __init__(
        self,
        clock: Clock,
        router: SkillRouter,
        free: Callable[[int], None],
        plan: SkillPlan,
        workforce: WorkforceHooks | None = None,
    ) -> None:
        self.groups: list[Staffing] = []
        self._router = router
        self._wf = workforce
        first = 0
        for g, peak in enumerate(plan.peaks()):
            if workforce is None:
                self.groups.append(Staffing(clock, router.pool(g), free, peak, None, first=first))
            else:  # the workforce says who is in the group (on_day_start)
                view = workforce.group_view(g)
                self.groups.append(Staffing(clock, router.pool(g), free, 0, view))
            first += peak
        self._of: Sequence[int] = (
            plan.group_of_agent().tolist() if workforce is None else workforce.group_of
        )
        self._targets = [m.tolist() for m in plan.staffing]
        self._day = 0
        self.after_call: Callable[[int], bool] = self._after_call

    def _after_call(self, agent: int) -> bool:
        st = self.groups[self._of[agent]]
        return not st.excess or st.after_call(agent)

    def leaving(self, agent: int) -> bool:
        """Whether ``agent``'s group has more agents present than its target (and no
        queue to drain): an agent still holding chats then takes no new one, and leaves
        when its last ends (:mod:`sim.queue.channels`)."""
        st = self.groups[self._of[agent]]
        return st.present > st.target and not (st.draining and st.router.n_waiting)

    @property
    def group_of_agent(self) -> np.ndarray:
        """int16 group of each agent id (the workforce's hires included)."""
        return np.asarray(self._of, dtype=np.int16)

    @property
    def present(self) -> int:
        """Agents present, all groups."""
        return sum(st.present for st in self.groups)

    @property
    def target(self) -> int:
        """Agents the groups' staffing asks for now, all groups."""
        return sum(st.target for st in self.groups)

    @property
    def extra(self) -> int:
        """Agents on top of the groups' plans (negative: below), all groups."""
        return sum(st.extra for st in self.groups)

    @property
    def is_open(self) -> bool:
        """Whether the centre takes fresh calls now."""
        return self.groups[0].is_open

    def pool(self, g: int) -> GroupPool:
        """Group ``g``'s idle agents and the calls it may take."""
        pool = self.groups[g].router
        assert isinstance(pool, GroupPool)
        return pool

    def open(self) -> None:
        """The centre opens (the overflow delays apply again)."""
        self._router.waive_delays(False)
        for st in self.groups:
            st.open()

    def close(self, drain: bool) -> None:
        """The centre closes: every group's agents go (busy ones after their call). With
        ``drain``, the overflow delays end first: the calls still waiting are eligible
        for every group with the skill, and idle agents take them now."""
        if drain:
            self._router.waive_delays(True)
        for st in self.groups:
            st.close(drain)

    def schedule_targets(self, times: Sequence[float], targets: Sequence[int]) -> None:
        """Schedule the next day's targets of every group (called once per day, in day
        order, as the engine does; ``targets``, the total, is not needed)."""
        day = self._day
        self._day += 1
        for st, rows in zip(self.groups, self._targets, strict=True):
            if st.shifts is None:  # a group on shifts follows its roster instead
                st.schedule_targets(times, rows[day])

    def on_day_start(self, value: Any) -> None:
        """Handler (midnight, with a workforce): the router learns of the hires, then
        each group's controller learns who of the group works today."""
        self._router.sync_agents()
        for st in self.groups:
            st.on_day_start(value)

    def log_columns(self) -> tuple[array, array, np.ndarray]:
        """The staff log: time, agents present and group of each record (the groups'
        step functions one after the other)."""
        time_s, count = array("d"), array("i")
        for st in self.groups:
            time_s.extend(st.time_s)
            count.extend(st.count)
        group = np.repeat(np.arange(len(self.groups), dtype=np.uint8),
                          [len(st.count) for st in self.groups])  # fmt: skip
        return time_s, count, group
