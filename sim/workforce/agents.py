"""Agents as individuals: who works today, how fast and how well, who quits, who is hired.

The :class:`Workforce` holds one record per agent ever employed, in numpy arrays (hire
day, status, empowerment, trailing occupancy and fatigue) and, for the event loop, in
plain lists indexed by agent id (the cheapest access in CPython). It works at two
speeds:

* **once a day** (:meth:`Workforce.start_day`, :meth:`Workforce.end_of_day`): random
  absence, the learning curve (handle-time factor and FCR of each agent from tenure),
  the roster (which agent works which shift), then the day's per-agent table rows,
  attrition (a daily quit hazard raised by trailing occupancy and fatigue, lowered by
  empowerment) and hiring (a vacancy is refilled after ``hiring.lag_days`` plus
  ``hiring.training_days``). Agents quit at the end of a day, so no call is ever cut;
* **per answered call** (the ``serve`` closure of :meth:`Workforce.callbacks`): the
  agent's fatigue (:mod:`sim.fatigue`'s exponential model) lengthens the handle time,
  lowers the chance of resolving the issue and raises the chance of a discourteous
  contact; the journey reads the last two per agent (``p_resolve``, ``p_rude``).

With fatigue, learning and attrition off, no absence and no off-phone time, an agent
answers exactly like the core engine's anonymous server: same handle time, same
resolution probability, the same agent ids (tested bit for bit).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sim.core.calls import is_empowered
from sim.core.rng import Streams
from sim.core.schema import Config, WorkforceConfig
from sim.core.timetable import DAY_S, Timetable
from sim.queue.hooks import ClockLike, Serve, WorkforceHooks
from sim.workforce.agent_table import (
    AGENT_COLUMNS,
    WORKFORCE_DAY_COLUMNS,
    agents_table,
    empty_agents_table,
)
from sim.workforce.groups import GroupView, WorkGroup, fatigue_serve, per_agent, work_hook
from sim.workforce.shifts import Shift, rostered_seconds

__all__ = [
    "AGENT_COLUMNS",
    "WORKFORCE_DAY_COLUMNS",
    "Workforce",
    "empty_agents_table",
]

EMPLOYED, TRAINING, GONE, PENDING = 0, 1, 2, 3  # status codes (PENDING: hired, not started)


class Workforce:
    """The agents of one replication (``workforce.enabled``).

    ``groups``: the agent groups, each with its own staffing and workforce keys
    (:mod:`sim.workforce.groups`); None: one group, from ``config.workforce``,
    ``staffing`` (agents on the phones per day and interval, count mode), ``shifts``
    and ``roster`` (shift mode).
    """

    def __init__(
        self,
        config: Config,
        timetable: Timetable,
        staffing: np.ndarray,
        streams: Streams,
        shifts: tuple[Shift, ...] | None = None,
        roster: np.ndarray | None = None,
        groups: tuple[WorkGroup, ...] | None = None,
    ) -> None:
        res = config.resolution
        if groups is None:
            groups = (WorkGroup(config.workforce, staffing, shifts, roster),)
        self.groups = groups
        self.timetable = timetable
        one = len(groups) == 1
        # the engine's view: the one group's shifts; several groups: each its own
        self.shifts = groups[0].shifts if one else None
        self.fatigue_on = any(bool(g.cfg.fatigue.enabled) for g in groups)
        self.fcr = float(res.fcr)
        self.fcr_up = min(1.0, self.fcr + float(res.empowerment_uplift))
        self.share = float(res.empowered_share)
        self.rude = float(config.experience.discourtesy_probability)
        self._absence = streams["absence"]
        self._quit = streams["attrition"]
        budgets = [g.budget() for g in groups]
        self.budgets = budgets
        self.budget = sum(budgets)
        n = self.budget
        #: group of each agent id (numpy for the daily steps, a list for the engine)
        self.group = np.repeat(np.arange(len(groups), dtype=np.int64), budgets)
        self.group_of: list[int] = self.group.tolist()
        # tenure of day-0 agents: exponential (a steady state under constant attrition)
        tenure = []
        for g, b in zip(groups, budgets, strict=True):
            mean_t = float(g.cfg.initial_tenure_mean_days)
            tenure.append(streams["agent_tenure"].exponential(mean_t, b) if mean_t > 0
                          else np.zeros(b))  # fmt: skip
        tenure0 = tenure[0] if one else np.concatenate(tenure)
        self.ready_day = -np.floor(tenure0)  # first day on the phones (tenure origin)
        self.start_day_ = self.ready_day.copy()  # first paid day (training included)
        self.hired_on = np.full(n, np.nan)  # day a hire started training (NaN: day-0 staff)
        self.status = np.zeros(n, dtype=np.int8)
        self.occ_tr = self._param(lambda c: float(c.attrition.reference_occupancy))
        self.fat_tr = self._param(lambda c: float(c.attrition.reference_fatigue))
        # per-agent lists for the event loop (grown in place by hires)
        self.empowered = [is_empowered(a, self.share) for a in range(n)]
        self.hmult = [1.0] * n  # handle-time factor today (learning x empowerment)
        self.p_base = [self.fcr_up if e else self.fcr for e in self.empowered]
        self.p_resolve = list(self.p_base)  # P(resolve) of the agent's current call
        self.p_rude = [self.rude] * n  # P(discourteous) of the agent's current call
        self.fat = [0.0] * n  # fatigue after the agent's last update
        self.t_fat = [0.0] * n  # time of that update, seconds
        self.busy = [0.0] * n  # today's busy seconds (handle times started today)
        self.on = [0.0] * n  # today's seconds on the phones
        self.since = [math.nan] * n  # when the agent last came on the phones (NaN: not on)
        self.ncalls = [0] * n
        self.fsum = [0.0] * n  # sum of fatigue at call starts today
        self._today_shift: dict[int, int] = {}  # agent -> index into its group's shifts
        self.assigned: list[tuple[int, int]] = []  # today's (agent, shift index), shift mode
        self.day = -1  # the day last started
        #: per group: today's available agents, and its ``(agent, shift index)`` pairs
        self.available_of: list[list[int]] = [[] for _ in groups]
        self.assigned_of: list[list[tuple[int, int]]] = [[] for _ in groups]
        self._absent: np.ndarray = np.zeros(n, dtype=bool)
        self._quits_today = 0
        self._hires_today = 0
        self.paid = np.zeros((timetable.days, timetable.n_intervals))  # paid agent-seconds
        self._rows: list[dict[str, np.ndarray]] = []
        #: per-agent fatigue constants of the serve and work closures (fatigue_lists)
        self._fat_lists: tuple[list[float], ...] | None = None
        self._days: list[dict[str, float]] = []

    # ----------------------------------------------------------------- groups
    def _param(self, value: Callable[[WorkforceConfig], Any]) -> np.ndarray:
        """``value`` of each agent's group's workforce keys, per agent id."""
        return per_agent(self.groups, value, self.group)

    def group_view(self, g: int) -> WorkforceHooks:
        """Group ``g``'s agents, shifts and roster, for its staffing controller."""
        return GroupView(self, g)

    def _of_group(self, ids: np.ndarray, g: int) -> np.ndarray:
        """The agents of ``ids`` that are in group ``g``."""
        return ids if len(self.groups) == 1 else ids[self.group[ids] == g]

    # ----------------------------------------------------------------- roster
    @property
    def n(self) -> int:
        """Agents ever employed (ids are 0 .. n-1)."""
        return len(self.status)

    def start_day(self, day: int) -> list[int]:
        """Draw absence, set each agent's learning factors and return who may work today:
        the available agent ids, in id order; with shifts, :attr:`assigned` holds the
        ``(agent, shift index)`` pairs of the day's roster (per group:
        :attr:`available_of`, :attr:`assigned_of`). Pending hires whose first day has
        come start training; trainees whose training is over join the phones."""
        self.day = day
        st = self.status
        st[(st == PENDING) & (self.start_day_ <= day)] = TRAINING
        st[(st == TRAINING) & (self.ready_day <= day)] = EMPLOYED
        employed = np.flatnonzero(st == EMPLOYED)
        p_abs = self._param(lambda c: float(c.absence_probability))[employed]
        absent = np.zeros(self.n, dtype=bool)
        if employed.size and p_abs.max() > 0:
            absent[employed] = self._absence.random(employed.size) < p_abs
        self._absent = absent
        avail = employed[~absent[employed]]
        self._today_shift = {}
        self.assigned = []
        paid = np.zeros(self.timetable.n_intervals)
        for g, group in enumerate(self.groups):
            mine = self._of_group(avail, g)
            self._learn(mine, day, group.cfg)
            ids = mine.tolist()
            self.available_of[g] = ids
            paid = paid + self._assign(g, ids, day)
        self.paid[day] = paid
        return avail.tolist()

    def _learn(self, avail: np.ndarray, day: int, cfg: WorkforceConfig) -> None:
        """Today's handle-time factor and P(resolve) of the agents ``avail`` of a group
        with the keys ``cfg`` (the learning curve, empowerment)."""
        if cfg.learning.enabled:
            lc = cfg.learning
            gap = np.exp(-np.maximum(day - self.ready_day[avail], 0) / lc.time_constant_days)
            for a, g in zip(avail.tolist(), gap.tolist(), strict=True):
                emp = self.empowered[a]
                self.hmult[a] = (1.0 + (lc.new_handle_factor - 1.0) * g) * (
                    cfg.empowered_handle_factor if emp else 1.0
                )
                self.p_base[a] = max(0.0, (self.fcr_up if emp else self.fcr) - lc.new_fcr_gap * g)
        elif cfg.empowered_handle_factor != 1.0:
            for a in avail.tolist():
                if self.empowered[a]:
                    self.hmult[a] = float(cfg.empowered_handle_factor)

    def _assign(self, g: int, ids: list[int], day: int) -> np.ndarray:
        """Group ``g``'s roster of ``day`` filled from its available agents ``ids`` (shift
        mode); returns the group's paid agent-seconds per interval."""
        group = self.groups[g]
        if group.shifts is None or group.roster is None:
            k_on = np.minimum(np.asarray(group.staffing[day]), len(ids))
            self.assigned_of[g] = []
            return k_on * self.timetable.interval_s
        pairs: list[tuple[int, int]] = []
        filled = np.zeros(len(group.shifts), dtype=np.int64)
        it = iter(ids)
        for j, count in enumerate(group.roster[day].tolist()):
            for _ in range(count):
                a = next(it, None)
                if a is None:
                    break
                pairs.append((a, j))
                filled[j] += 1
        self.assigned_of[g] = pairs
        self.assigned.extend(pairs)
        self._today_shift.update(pairs)
        return rostered_seconds(group.shifts, filled, self.timetable, day, on_phone=False)

    # ----------------------------------------------------------------- event loop
    def joined(self, agent: int, now: float) -> None:
        """``agent`` came on the phones at ``now`` (start of duty or end of a break)."""
        self.since[agent] = now

    def left(self, agent: int, now: float) -> None:
        """``agent`` went off the phones at ``now`` (end of duty or start of a break)."""
        t = self.since[agent]
        if t == t:  # not NaN
            self.on[agent] += now - t
            self.since[agent] = math.nan

    def callbacks(self, handle: array, clock: ClockLike) -> Serve:
        """``serve(i, agent)``: agent ``agent`` answers call ``i`` now; returns (and stores
        in ``handle[i]``) the handle time, seconds, and sets the agent's ``p_resolve`` and
        ``p_rude`` for this call. A closure over the per-agent lists (hot path)."""
        hm, p_base, p_res, p_rude = self.hmult, self.p_base, self.p_resolve, self.p_rude
        busy, ncalls = self.busy, self.ncalls
        if not self.fatigue_on:

            def serve_plain(i: int, a: int) -> float:
                h = handle[i] * hm[a]
                handle[i] = h
                p_res[a] = p_base[a]
                busy[a] += h
                ncalls[a] += 1
                return h

            return serve_plain
        if len(self.groups) > 1:  # each agent its group's fatigue keys
            return fatigue_serve(self, handle, clock)
        fc = self.groups[0].cfg.fatigue
        rest_rate = 1.0 / (fc.rest_time_constant_min * 60.0)
        busy_rate = self.fatigue_lists()[4]
        k_h, k_fcr, k_rude, rude = fc.handle_effect, fc.fcr_effect, fc.discourtesy_effect, self.rude
        fat, t_fat, fsum = self.fat, self.t_fat, self.fsum
        exp = math.exp

        def serve(i: int, a: int) -> float:
            now = clock.now
            f = fat[a]
            if f > 0.0:
                f *= exp((t_fat[a] - now) * rest_rate)  # rested since the last call ended
            h = handle[i] * hm[a] * (1.0 + k_h * f)
            handle[i] = h
            p = p_base[a] - k_fcr * f
            p_res[a] = p if p > 0.0 else 0.0
            p_rude[a] = rude + k_rude * f
            fat[a] = 1.0 - (1.0 - f) * exp(-h * busy_rate[a])
            t_fat[a] = now + h
            busy[a] += h
            ncalls[a] += 1
            fsum[a] += f
            return h

        return serve

    def work(self, clock: ClockLike) -> Callable[[int, float], None]:
        """``work(agent, seconds)``: work that is no customer's conversation (a callback's
        dial time): busy time, and fatigue builds over it
        (:func:`sim.workforce.groups.work_hook`)."""
        return work_hook(self, clock)

    def _fatigue_of(self, g: int, emp: bool) -> tuple[float, float, float, float, float]:
        """Fatigue constants of an agent of group ``g``: handle, FCR and discourtesy
        effects, rest rate and build-up rate (1/s); zero effects and build-up if the
        group has no fatigue."""
        c = self.groups[g].cfg
        fc = c.fatigue
        rest = 1.0 / (fc.rest_time_constant_min * 60.0)
        if not fc.enabled:
            return 0.0, 0.0, 0.0, rest, 0.0
        build = (c.empowered_fatigue_factor if emp else 1.0) / (fc.busy_time_constant_min * 60.0)
        return fc.handle_effect, fc.fcr_effect, fc.discourtesy_effect, rest, build

    def fatigue_lists(self) -> tuple[list[float], ...]:
        """Per agent id: handle, FCR and discourtesy effects, rest rate and build-up rate
        of fatigue (lists the ``serve`` and ``work`` closures read; built once, hires
        extend them in place)."""
        if self._fat_lists is not None:
            return self._fat_lists
        rows = [self._fatigue_of(g, e) for g, e in zip(self.group_of, self.empowered, strict=True)]
        self._fat_lists = tuple([r[c] for r in rows] for c in range(5))
        return self._fat_lists

    # ----------------------------------------------------------------- end of day
    def end_of_day(self, day: int, now: float) -> None:
        """Close the day: its per-agent rows, then attrition and hiring."""
        n = self.n
        for a in range(n):  # still on the phones at midnight (a late drain): count it
            if self.since[a] == self.since[a]:
                self.left(a, now)
                self.since[a] = now
        st = self.status
        on = np.asarray(self.on)
        busy = np.asarray(self.busy)
        ncalls = np.asarray(self.ncalls, dtype=np.int64)
        fsum = np.asarray(self.fsum)
        with np.errstate(invalid="ignore", divide="ignore"):
            occ = busy / on
            fmean = fsum / ncalls
        worked = on > 0
        rest_rate = self._param(lambda c: 1.0 / (c.fatigue.rest_time_constant_min * 60.0))
        fat_end = np.asarray(self.fat) * np.exp(
            np.minimum(np.asarray(self.t_fat) - (day + 1) * DAY_S, 0.0) * rest_rate
        )
        alpha = self._param(lambda c: 1.0 - math.exp(-1.0 / c.attrition.window_days))[worked]
        self.occ_tr[worked] += alpha * (np.minimum(occ[worked], 1.0) - self.occ_tr[worked])
        fday = np.where(ncalls > 0, fmean, 0.0)
        self.fat_tr[worked] += alpha * (fday[worked] - self.fat_tr[worked])
        employed = st == EMPLOYED
        emp = np.asarray(self.empowered, dtype=bool)
        hazard = self._hazard(emp)
        att_on = self._param(lambda c: bool(c.attrition.enabled))
        quitting = employed & att_on  # the agents who may quit today
        quit_ = np.zeros(n, dtype=bool)
        if att_on.any():
            idx = np.flatnonzero(quitting)
            quit_[idx] = self._quit.random(idx.size) < -np.expm1(-hazard[idx])
        shown = employed | (st == TRAINING)
        status = np.where(
            st == TRAINING, 3, np.where(self._absent, 1, np.where(on > 0, 0, 2))
        ).astype(np.int8)
        shift, scheduled = self._shift_columns(on)
        idx = np.flatnonzero(shown)
        self._rows.append(
            {
                "day": np.full(idx.size, day),
                "agent_id": idx,
                "status": status[idx],
                "shift": shift[idx],
                "tenure_days": day - self.ready_day[idx],
                "empowered": emp[idx],
                "scheduled_s": scheduled[idx],
                "available_s": on[idx],
                "busy_s": busy[idx],
                "occupancy": occ[idx],
                "fatigue_mean": fmean[idx],
                "fatigue_end": fat_end[idx],
                "trailing_occupancy": self.occ_tr[idx],
                "quit_hazard": np.where(quitting[idx], hazard[idx], 0.0),
                "quit": quit_[idx],
                "hired": self.hired_on[idx] == day,
            }
        )
        quits = int(quit_.sum())
        hired = self.hired_on == day
        hires = int(hired.sum())
        hired_cost = sum(int((hired & (self.group == g)).sum()) * float(grp.cfg.hiring.cost_per_hire)
                         for g, grp in enumerate(self.groups))  # fmt: skip
        tot_calls = int(ncalls.sum())
        st[quit_] = GONE
        not_gone = [int(((st != GONE) & (self.group == g)).sum()) for g in range(len(self.groups))]
        self._days.append(
            {
                "headcount": float((st == EMPLOYED).sum()),
                "in_training": float((st == TRAINING).sum()),
                "absent": float(self._absent.sum()),
                "quits": float(quits),
                "hires": float(hires),
                "vacancies": float(sum(max(b - k, 0) for b, k in zip(self.budgets, not_gone,
                                                                      strict=True))),
                "fatigue_mean": float(fsum.sum() / tot_calls) if tot_calls else math.nan,
                "quit_hazard_annual": float(-np.expm1(-365.0 * hazard[quitting].mean()))
                if quitting.any()
                else 0.0,
                "paid_hours": float(self.paid[day].sum() / 3600.0),
                "hiring_cost": hired_cost,
            }
        )
        for lst in (self.on, self.busy, self.fsum):
            lst[:] = [0.0] * n
        self.ncalls[:] = [0] * n
        self._today_shift = {}
        for g, grp in enumerate(self.groups):  # each group refills its own vacancies
            k = int((quit_ & (self.group == g)).sum()) if len(self.groups) > 1 else quits
            if k and grp.cfg.hiring.enabled:
                self._hire(k, day, g)

    def _hazard(self, emp: np.ndarray) -> np.ndarray:
        """Each agent's daily quit hazard from its trailing occupancy and fatigue (its
        group's attrition keys); ``emp``: who is empowered."""
        at = self._param
        h0 = at(lambda c: -math.log(1.0 - c.attrition.annual_rate) / 365.0)
        return (
            h0
            * np.exp(
                at(lambda c: c.attrition.occupancy_effect)
                * (self.occ_tr - at(lambda c: c.attrition.reference_occupancy))
                + at(lambda c: c.attrition.fatigue_effect)
                * (self.fat_tr - at(lambda c: c.attrition.reference_fatigue))
            )
            * np.where(emp, at(lambda c: c.attrition.empowered_factor), 1.0)
        )

    def _shift_columns(self, on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per agent id: today's shift name ("" if none) and scheduled seconds (the
        shift's length in shift mode, the time on the phones in count mode)."""
        names = np.full(self.n, "", dtype=object)
        scheduled = on.copy()
        for g, grp in enumerate(self.groups):
            if grp.shifts is None:
                continue
            mine = self.group == g
            names[mine] = ""
            scheduled[mine] = 0.0
        for a, j in self._today_shift.items():
            sh = self.groups[self.group_of[a]].shifts
            assert sh is not None
            names[a] = sh[j].name
            scheduled[a] = sh[j].length_s
        return names, scheduled

    def _hire(self, k: int, day: int, g: int = 0) -> None:
        """Open ``k`` hires in group ``g``: they start training after the lag and answer
        after it."""
        cfg = self.groups[g].cfg
        h = cfg.hiring
        start = day + 1 + int(h.lag_days)
        n0 = self.n
        self.status = np.concatenate([self.status, np.full(k, PENDING, np.int8)])
        self.start_day_ = np.concatenate([self.start_day_, np.full(k, float(start))])
        self.hired_on = np.concatenate([self.hired_on, np.full(k, float(start))])
        self.ready_day = np.concatenate(
            [self.ready_day, np.full(k, float(start + int(h.training_days)))]
        )
        self.occ_tr = np.concatenate(
            [self.occ_tr, np.full(k, float(cfg.attrition.reference_occupancy))]
        )
        self.fat_tr = np.concatenate(
            [self.fat_tr, np.full(k, float(cfg.attrition.reference_fatigue))]
        )
        self.group = np.concatenate([self.group, np.full(k, g, np.int64)])
        self.group_of.extend([g] * k)
        new = [is_empowered(a, self.share) for a in range(n0, n0 + k)]
        self.empowered.extend(new)
        self.hmult.extend([1.0] * k)
        self.p_base.extend(self.fcr_up if e else self.fcr for e in new)
        self.p_resolve.extend(self.p_base[n0:])
        self.p_rude.extend([self.rude] * k)
        for lst, v in ((self.fat, 0.0), (self.t_fat, 0.0), (self.busy, 0.0), (self.on, 0.0),
                       (self.since, math.nan), (self.fsum, 0.0)):  # fmt: skip
            lst.extend([v] * k)
        self.ncalls.extend([0] * k)
        if self._fat_lists is not None:  # the serve closures' per-agent fatigue constants
            for col, values in zip(self._fat_lists, zip(*(self._fatigue_of(g, e) for e in new),
                                                          strict=True), strict=True):  # fmt: skip
                col.extend(values)

    # ----------------------------------------------------------------- tables
    def agents_table(self, calls: pd.DataFrame) -> pd.DataFrame:
        """The ``agents`` table (:func:`sim.workforce.agent_table.agents_table`)."""
        return agents_table(self._rows, calls, self.group, [g.name for g in self.groups])

    def days_columns(self) -> pd.DataFrame:
        """The workforce columns of the ``days`` table, one row per day."""
        return pd.DataFrame(self._days, columns=list(WORKFORCE_DAY_COLUMNS))
