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
* **per answered call** (the ``serve`` closure of :meth:`Workforce.callbacks`,
  :mod:`sim.workforce.fatigue`): the agent's fatigue lengthens the handle time,
  lowers the chance of resolving the issue and raises the chance of a discourteous
  contact; the journey reads the last two per agent (``p_resolve``, ``p_rude``).

The quit hazard is :mod:`sim.workforce.attrition`'s; the ``agents`` table is built
by :mod:`sim.workforce.agent_table`.

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
from sim.workforce.attrition import quit_hazard, update_trailing
from sim.workforce.fatigue import FatigueK, fatigue_at, fatigue_k, serve_hook, work_hook
from sim.workforce.groups import GroupView, WorkGroup, per_agent
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
        #: each agent's fatigue constants (:func:`sim.workforce.fatigue.fatigue_k`)
        self.fatigue_k: list[FatigueK] = [
            fatigue_k(groups[g].cfg, e) for g, e in zip(self.group_of, self.empowered, strict=True)
        ]
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
        ``p_rude`` for this call (:func:`sim.workforce.fatigue.serve_hook`)."""
        return serve_hook(self, handle, clock)

    def work(self, clock: ClockLike) -> Callable[[int, float], None]:
        """``work(agent, seconds)``: work that is no customer's conversation (a callback's
        dial time): busy time, and fatigue builds over it
        (:func:`sim.workforce.fatigue.work_hook`)."""
        return work_hook(self, clock)

    # ----------------------------------------------------------------- end of day
    def end_of_day(self, day: int, now: float) -> None:
        """Close the day: its per-agent rows, then attrition and hiring."""
        n = self.n
        for a in range(n):  # still on the phones at midnight (a late drain): count it
            if self.since[a] == self.since[a]:
                self.left(a, now)
                self.since[a] = now
        on = np.asarray(self.on)
        busy = np.asarray(self.busy)
        ncalls = np.asarray(self.ncalls, dtype=np.int64)
        fsum = np.asarray(self.fsum)
        with np.errstate(invalid="ignore", divide="ignore"):
            occ = busy / on
            fmean = fsum / ncalls
        fat_end = fatigue_at(self, (day + 1) * DAY_S)
        update_trailing(self._param, self.occ_tr, self.fat_tr, on > 0, occ,
                        np.where(ncalls > 0, fmean, 0.0))  # fmt: skip
        emp = np.asarray(self.empowered, dtype=bool)
        hazard = quit_hazard(self._param, self.occ_tr, self.fat_tr, emp)
        quitting = (self.status == EMPLOYED) & self._param(lambda c: bool(c.attrition.enabled))
        quit_ = np.zeros(n, dtype=bool)
        if quitting.any():
            idx = np.flatnonzero(quitting)
            quit_[idx] = self._quit.random(idx.size) < -np.expm1(-hazard[idx])
        rows = {"available_s": on, "busy_s": busy, "occupancy": occ, "fatigue_mean": fmean,
                "fatigue_end": fat_end, "quit_hazard": np.where(quitting, hazard, 0.0),
                "quit": quit_, "empowered": emp}  # fmt: skip
        self._rows.append(self._day_rows(day, rows))
        tot_calls = int(ncalls.sum())
        summary = {
            "fatigue_mean": float(fsum.sum() / tot_calls) if tot_calls else math.nan,
            "quit_hazard_annual": float(-np.expm1(-365.0 * hazard[quitting].mean()))
            if quitting.any()
            else 0.0,
        }
        self._days.append(self._day_summary(day, quit_, summary))
        for lst in (self.on, self.busy, self.fsum):
            lst[:] = [0.0] * n
        self.ncalls[:] = [0] * n
        self._today_shift = {}
        for g, grp in enumerate(self.groups):  # each group refills its own vacancies
            k = int((quit_ & (self.group == g)).sum())
            if k and grp.cfg.hiring.enabled:
                self._hire(k, day, g)

    def _day_rows(self, day: int, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The day's rows of the ``agents`` table (employed and trainee agents), from
        the per-agent ``columns`` of the day and the workforce's state."""
        st = self.status
        status = np.where(
            st == TRAINING, 3, np.where(self._absent, 1, np.where(columns["available_s"] > 0, 0, 2))
        ).astype(np.int8)
        shift, scheduled = self._shift_columns(columns["available_s"])
        idx = np.flatnonzero((st == EMPLOYED) | (st == TRAINING))
        rows = {
            "day": np.full(idx.size, day),
            "agent_id": idx,
            "status": status[idx],
            "shift": shift[idx],
            "tenure_days": day - self.ready_day[idx],
            "empowered": columns["empowered"][idx],
            "scheduled_s": scheduled[idx],
        }
        for name in ("available_s", "busy_s", "occupancy", "fatigue_mean", "fatigue_end"):
            rows[name] = columns[name][idx]
        rows["trailing_occupancy"] = self.occ_tr[idx]
        for name in ("quit_hazard", "quit"):
            rows[name] = columns[name][idx]
        rows["hired"] = self.hired_on[idx] == day
        return rows

    def _day_summary(self, day: int, quit_: np.ndarray, summary: dict[str, float]) -> dict[str, float]:
        """The day's workforce columns of the ``days`` table; the agents who ``quit_`` are
        gone from here on. ``summary``: its fatigue and hazard columns."""
        st = self.status
        hired = self.hired_on == day
        hired_cost = sum(int((hired & (self.group == g)).sum()) * float(grp.cfg.hiring.cost_per_hire)
                         for g, grp in enumerate(self.groups))  # fmt: skip
        st[quit_] = GONE
        not_gone = [int(((st != GONE) & (self.group == g)).sum()) for g in range(len(self.groups))]
        vacancies = sum(max(b - k, 0) for b, k in zip(self.budgets, not_gone, strict=True))
        return {
            "headcount": float((st == EMPLOYED).sum()),
            "in_training": float((st == TRAINING).sum()),
            "absent": float(self._absent.sum()),
            "quits": float(quit_.sum()),
            "hires": float(hired.sum()),
            "vacancies": float(vacancies),
            "fatigue_mean": summary["fatigue_mean"],
            "quit_hazard_annual": summary["quit_hazard_annual"],
            "paid_hours": float(self.paid[day].sum() / 3600.0),
            "hiring_cost": hired_cost,
        }

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
        self.fatigue_k.extend(fatigue_k(cfg, e) for e in new)

    # ----------------------------------------------------------------- tables
    def agents_table(self, calls: pd.DataFrame) -> pd.DataFrame:
        """The ``agents`` table (:func:`sim.workforce.agent_table.agents_table`)."""
        return agents_table(self._rows, calls, self.group, [g.name for g in self.groups])

    def days_columns(self) -> pd.DataFrame:
        """The workforce columns of the ``days`` table, one row per day."""
        return pd.DataFrame(self._days, columns=list(WORKFORCE_DAY_COLUMNS))
