"""Staffing of several agent groups by counts: one controller per group (issue 14).

Each group follows its own targets per interval (:class:`sim.queue.staffing.Staffing`
in count mode, on its own agent ids: group 0's ids first, then group 1's, ...) and
sends its own idle agents off the phones (:class:`sim.queue.skill_router.GroupPool`).
The staff log is one step function per group: each record carries its group
(``staff_group``). Shifts and a workforce per group are a later step (refused by the
config check).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sim.queue.clock import Clock
from sim.queue.skill_router import SkillPlan, SkillRouter
from sim.queue.staffing import Staffing

__all__ = ["GroupStaffing"]


class GroupStaffing:
    """The staffing controllers of the agent groups, as the engine sees one.

    :attr:`excess` is always True: the engine asks :meth:`after_call` after every call,
    and the agent's group decides.
    """

    excess = True

    def __init__(
        self, clock: Clock, router: SkillRouter, free: Callable[[int], None], plan: SkillPlan
    ) -> None:
        self.groups: list[Staffing] = []
        first = 0
        for g, peak in enumerate(plan.peaks()):
            self.groups.append(Staffing(clock, router.pool(g), free, peak, None, first=first))
            first += peak
        self.group_of_agent = plan.group_of_agent()
        self._of = self.group_of_agent.tolist()
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
    def present(self) -> int:
        """Agents present, all groups."""
        return sum(st.present for st in self.groups)

    def open(self) -> None:
        """The centre opens."""
        for st in self.groups:
            st.open()

    def close(self, drain: bool) -> None:
        """The centre closes: every group's agents go (busy ones after their call)."""
        for st in self.groups:
            st.close(drain)

    def schedule_targets(self, times: Sequence[float], targets: Sequence[int]) -> None:
        """Schedule the next day's targets of every group (called once per day, in day
        order, as the engine does; ``targets``, the total, is not needed)."""
        day = self._day
        self._day += 1
        for st, rows in zip(self.groups, self._targets, strict=True):
            st.schedule_targets(times, rows[day])

    def on_day_start(self, value: Any) -> None:
        """A workforce's day start: not supported with several groups yet (the engine
        refuses a workforce with skills before a run)."""
        raise NotImplementedError("agent groups with a workforce are a later step of issue 14")

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
