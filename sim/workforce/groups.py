"""The agents of several agent groups (issue 14): each group its own staffing (counts,
or shifts and a roster) and its own workforce keys.

One :class:`sim.workforce.agents.Workforce` holds every agent of the centre, with
global agent ids: group 0's day-0 agents first, then group 1's, ...; a hire takes the
next free id and the group of the agent it replaces. Each agent's parameters (absence,
fatigue, learning, attrition, hiring) are those of its group's
:class:`WorkGroup`; :func:`per_agent` spreads a group's value over its agents.

The staffing controller of group g (:mod:`sim.queue.group_staffing`) sees its own
agents only, through a :class:`GroupView`: who of the group may work today, the
group's shifts and today's ``(agent, shift)`` pairs of its roster.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from sim.core.schema import WorkforceConfig
from sim.queue.hooks import ClockLike, Serve, WorkforceHooks
from sim.workforce.shifts import Shift

__all__ = ["GroupView", "Grouped", "WorkGroup", "fatigue_serve", "per_agent", "work_hook"]


@dataclass(frozen=True)
class WorkGroup:
    """One agent group as the workforce needs it.

    ``cfg``: the group's workforce keys (the centre's ``workforce`` with the group's
    overrides). ``staffing``: agents on the phones per day and interval in count mode,
    shape (days, intervals). ``shifts`` and ``roster`` (days, shifts): shift mode, else
    None.
    """

    cfg: WorkforceConfig
    staffing: np.ndarray
    shifts: tuple[Shift, ...] | None = None
    roster: np.ndarray | None = None
    name: str = ""  # the agents table's agent_group (several groups)

    @property
    def peak(self) -> int:
        """The most agents the group's schedule ever has at once (shift mode: the
        largest day's roster, breaks ignored)."""
        if self.shifts is not None and self.roster is not None:
            return int(self.roster.sum(axis=1).max())
        return int(np.asarray(self.staffing).max())

    def budget(self) -> int:
        """Agents employed on day 0: ``headcount``, or enough for the schedule's peak
        after absence."""
        wf = self.cfg
        if wf.headcount is not None:
            return int(wf.headcount)
        return math.ceil(self.peak / (1.0 - float(wf.absence_probability)) - 1e-9)


class Grouped(Protocol):
    """What :class:`GroupView` and :func:`fatigue_serve` read of
    :class:`sim.workforce.agents.Workforce` (per-agent lists by global agent id)."""

    groups: tuple[WorkGroup, ...]
    day: int
    available_of: list[list[int]]
    assigned_of: list[list[tuple[int, int]]]
    group_of: list[int]
    since: list[float]
    p_resolve: list[float]
    p_rude: list[float]
    p_base: list[float]
    hmult: list[float]
    busy: list[float]
    ncalls: list[int]
    fat: list[float]
    t_fat: list[float]
    fsum: list[float]
    rude: float
    fatigue_on: bool

    @property
    def n(self) -> int: ...
    def start_day(self, day: int) -> list[int]: ...
    def joined(self, agent: int, now: float) -> None: ...
    def left(self, agent: int, now: float) -> None: ...
    def callbacks(self, handle: array, clock: ClockLike) -> Serve: ...
    def work(self, clock: ClockLike) -> Callable[[int, float], None]: ...
    def group_view(self, g: int) -> WorkforceHooks: ...
    def fatigue_lists(self) -> tuple[list[float], ...]: ...


def per_agent(groups: Sequence[WorkGroup], value: Callable[[WorkforceConfig], Any],
              group: np.ndarray) -> np.ndarray:  # fmt: skip
    """``value(cfg)`` of each agent's group: shape ``group.shape`` (``group``: the group
    index of each agent)."""
    return np.asarray([value(g.cfg) for g in groups])[group]


def fatigue_serve(wf: Grouped, handle: array, clock: ClockLike) -> Serve:
    """``serve(i, agent)`` of a workforce whose groups differ in their fatigue keys: the
    model of :meth:`~sim.workforce.agents.Workforce.callbacks` with each agent's own
    constants. A group without fatigue gets zero effects and build-up, so its agents
    answer exactly as without fatigue (same handle times, P(resolve) and courtesy)."""
    hm, p_base, p_res, p_rude = wf.hmult, wf.p_base, wf.p_resolve, wf.p_rude
    busy, ncalls, fat, t_fat, fsum = wf.busy, wf.ncalls, wf.fat, wf.t_fat, wf.fsum
    kh, kf, kr, rest, busy_rate = wf.fatigue_lists()
    rude = wf.rude
    exp = math.exp

    def serve(i: int, a: int) -> float:
        now = clock.now
        f = fat[a]
        if f > 0.0:
            f *= exp((t_fat[a] - now) * rest[a])
        h = handle[i] * hm[a] * (1.0 + kh[a] * f)
        handle[i] = h
        p = p_base[a] - kf[a] * f
        p_res[a] = p if p > 0.0 else 0.0
        p_rude[a] = rude + kr[a] * f
        fat[a] = 1.0 - (1.0 - f) * exp(-h * busy_rate[a])
        t_fat[a] = now + h
        busy[a] += h
        ncalls[a] += 1
        fsum[a] += f
        return h

    return serve


def work_hook(wf: Grouped, clock: ClockLike) -> Callable[[int, float], None]:
    """``work(agent, seconds)``: ``agent`` starts ``seconds`` of work now that is no
    customer's conversation (the dial time of a callback that does not reach,
    :mod:`sim.queue.callbacks`): busy time and an attempt started, and with fatigue the
    agent rests until now and tires over it as over a call (each agent its own group's
    constants); no handle-time factor (learning, empowerment, fatigue) stretches it."""
    busy, ncalls, fat, t_fat, fsum = wf.busy, wf.ncalls, wf.fat, wf.t_fat, wf.fsum
    if not wf.fatigue_on:

        def work_plain(a: int, seconds: float) -> None:
            busy[a] += seconds
            ncalls[a] += 1

        return work_plain
    rest, busy_rate = wf.fatigue_lists()[3:]
    exp = math.exp

    def work(a: int, seconds: float) -> None:
        now = clock.now
        f = fat[a]
        if f > 0.0:
            f *= exp((t_fat[a] - now) * rest[a])
        fat[a] = 1.0 - (1.0 - f) * exp(-seconds * busy_rate[a])
        t_fat[a] = now + seconds
        busy[a] += seconds
        ncalls[a] += 1
        fsum[a] += f

    return work


class GroupView:
    """The workforce as the staffing controller of group ``g`` sees it
    (:class:`sim.queue.hooks.WorkforceHooks`): the group's agents, shifts and roster;
    the per-agent state is the whole workforce's (indexed by global agent id)."""

    def __init__(self, wf: Grouped, g: int) -> None:
        self._wf, self._g = wf, g
        self.shifts = wf.groups[g].shifts

    @property
    def n(self) -> int:
        return self._wf.n

    @property
    def assigned(self) -> Sequence[tuple[int, int]]:
        return self._wf.assigned_of[self._g]

    @property
    def since(self) -> Sequence[float]:
        return self._wf.since

    @property
    def p_resolve(self) -> Sequence[float]:
        return self._wf.p_resolve

    @property
    def p_rude(self) -> Sequence[float]:
        return self._wf.p_rude

    @property
    def fatigue_on(self) -> bool:
        return self._wf.fatigue_on

    @property
    def group_of(self) -> Sequence[int]:
        return self._wf.group_of

    def start_day(self, day: int) -> list[int]:
        """The group's agents who may work on ``day`` (the workforce's day starts once)."""
        if self._wf.day != day:
            self._wf.start_day(day)
        return self._wf.available_of[self._g]

    def joined(self, agent: int, now: float) -> None:
        self._wf.joined(agent, now)

    def left(self, agent: int, now: float) -> None:
        self._wf.left(agent, now)

    def end_of_day(self, day: int, now: float) -> None:
        """Nothing: the engine closes the whole workforce's day."""

    def callbacks(self, handle: array, clock: ClockLike) -> Serve:
        return self._wf.callbacks(handle, clock)

    def work(self, clock: ClockLike) -> Callable[[int, float], None]:
        return self._wf.work(clock)

    def group_view(self, g: int) -> WorkforceHooks:
        return self._wf.group_view(g)
