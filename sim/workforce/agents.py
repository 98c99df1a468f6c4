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

import numpy as np
import pandas as pd

from sim.core.calls import is_empowered
from sim.core.rng import Streams
from sim.core.schema import Config
from sim.core.timetable import DAY_S, Timetable
from sim.queue.hooks import ClockLike, Serve
from sim.workforce.shifts import Shift, rostered_seconds

__all__ = [
    "AGENT_COLUMNS",
    "WORKFORCE_DAY_COLUMNS",
    "Workforce",
    "empty_agents_table",
]

EMPLOYED, TRAINING, GONE, PENDING = 0, 1, 2, 3  # status codes (PENDING: hired, not started)
STATUS = ("working", "absent", "off", "training")  # agents-table status labels

#: Columns of the ``agents`` table (one row per employed agent and day), in order.
AGENT_COLUMNS = (
    "day", "agent_id", "status", "shift", "tenure_days", "empowered", "scheduled_s",
    "available_s", "busy_s", "occupancy", "calls", "resolved", "fcr", "fatigue_mean",
    "fatigue_end", "trailing_occupancy", "quit_hazard", "quit", "hired",
)  # fmt: skip
#: Workforce columns of the ``days`` table (NaN without ``workforce.enabled``).
WORKFORCE_DAY_COLUMNS = (
    "headcount", "in_training", "absent", "quits", "hires", "vacancies", "fatigue_mean",
    "quit_hazard_annual", "paid_hours", "hiring_cost",
)  # fmt: skip





def empty_agents_table() -> pd.DataFrame:
    """The ``agents`` table of a run without ``workforce.enabled``: no rows."""
    return pd.DataFrame({c: [] for c in AGENT_COLUMNS})


class Workforce:
    """The agents of one replication (``workforce.enabled``)."""

    def __init__(
        self,
        config: Config,
        timetable: Timetable,
        staffing: np.ndarray,
        streams: Streams,
        shifts: tuple[Shift, ...] | None = None,
        roster: np.ndarray | None = None,
    ) -> None:
        wf, res = config.workforce, config.resolution
        self.cfg = wf
        self.timetable = timetable
        self.staffing = staffing  # (days, k) scheduled agents (count mode)
        self.shifts, self.roster = shifts, roster
        self.fatigue_on = bool(wf.fatigue.enabled)
        self.learning_on = bool(wf.learning.enabled)
        self.attrition_on = bool(wf.attrition.enabled)
        self.fcr = float(res.fcr)
        self.fcr_up = min(1.0, self.fcr + float(res.empowerment_uplift))
        self.share = float(res.empowered_share)
        self.rude = float(config.experience.discourtesy_probability)
        self._absence = streams["absence"]
        self._quit = streams["attrition"]
        if shifts is not None and roster is not None:
            peak = int(roster.sum(axis=1).max())
        else:
            peak = int(np.asarray(staffing).max())
        self.budget = int(
            wf.headcount
            if wf.headcount is not None
            else math.ceil(peak / (1.0 - float(wf.absence_probability)) - 1e-9)
        )
        n = self.budget
        # tenure of day-0 agents: exponential (a steady state under constant attrition)
        mean_t = float(wf.initial_tenure_mean_days)
        tenure0 = streams["agent_tenure"].exponential(mean_t, n) if mean_t > 0 else np.zeros(n)
        self.ready_day = -np.floor(tenure0)  # first day on the phones (tenure origin)
        self.start_day_ = self.ready_day.copy()  # first paid day (training included)
        self.hired_on = np.full(n, np.nan)  # day a hire started training (NaN: day-0 staff)
        self.status = np.zeros(n, dtype=np.int8)
        self.occ_tr = np.full(n, float(wf.attrition.reference_occupancy))
        self.fat_tr = np.full(n, float(wf.attrition.reference_fatigue))
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
        self._today_shift: dict[int, int] = {}
        self.assigned: list[tuple[int, int]] = []  # today's (agent, shift index), shift mode
        self._absent: np.ndarray = np.zeros(n, dtype=bool)
        self._quits_today = 0
        self._hires_today = 0
        self.paid = np.zeros((timetable.days, timetable.n_intervals))  # paid agent-seconds
        self._rows: list[dict[str, np.ndarray]] = []
        self._days: list[dict[str, float]] = []

    # ----------------------------------------------------------------- roster
    @property
    def n(self) -> int:
        """Agents ever employed (ids are 0 .. n-1)."""
        return len(self.status)

    def start_day(self, day: int) -> list[int]:
        """Draw absence, set each agent's learning factors and return who may work today:
        the available agent ids, in id order; with shifts, :attr:`assigned` holds the
        ``(agent, shift index)`` pairs of the day's roster. Pending hires whose first day has come start training;
        trainees whose training is over join the phones."""
        st = self.status
        st[(st == PENDING) & (self.start_day_ <= day)] = TRAINING
        st[(st == TRAINING) & (self.ready_day <= day)] = EMPLOYED
        employed = np.flatnonzero(st == EMPLOYED)
        p_abs = float(self.cfg.absence_probability)
        absent = np.zeros(self.n, dtype=bool)
        if p_abs > 0 and employed.size:
            absent[employed] = self._absence.random(employed.size) < p_abs
        self._absent = absent
        avail = employed[~absent[employed]]
        if self.learning_on:
            lc = self.cfg.learning
            gap = np.exp(-np.maximum(day - self.ready_day[avail], 0) / lc.time_constant_days)
            for a, g in zip(avail.tolist(), gap.tolist(), strict=True):
                emp = self.empowered[a]
                self.hmult[a] = (1.0 + (lc.new_handle_factor - 1.0) * g) * (
                    self.cfg.empowered_handle_factor if emp else 1.0
                )
                self.p_base[a] = max(0.0, (self.fcr_up if emp else self.fcr) - lc.new_fcr_gap * g)
        elif self.cfg.empowered_handle_factor != 1.0:
            for a in avail.tolist():
                if self.empowered[a]:
                    self.hmult[a] = float(self.cfg.empowered_handle_factor)
        ids = avail.tolist()
        if self.shifts is None or self.roster is None:
            k_on = np.minimum(np.asarray(self.staffing[day]), len(ids))
            self.paid[day] = k_on * self.timetable.interval_s
            return ids
        pairs = self.assigned = []
        filled = np.zeros(len(self.shifts), dtype=np.int64)
        it = iter(ids)
        for j, count in enumerate(self.roster[day].tolist()):
            for _ in range(count):
                a = next(it, None)
                if a is None:
                    break
                pairs.append((a, j))
                filled[j] += 1
        self._today_shift = {a: j for a, j in pairs}
        self.paid[day] = rostered_seconds(self.shifts, filled, self.timetable, day, on_phone=False)
        return ids

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
        fc = self.cfg.fatigue
        rest_rate = 1.0 / (fc.rest_time_constant_min * 60.0)
        busy_rate = [
            (self.cfg.empowered_fatigue_factor if e else 1.0) / (fc.busy_time_constant_min * 60.0)
            for e in self.empowered
        ]
        self._busy_rate = busy_rate
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
        rest_rate = 1.0 / (self.cfg.fatigue.rest_time_constant_min * 60.0)
        fat_end = np.asarray(self.fat) * np.exp(
            np.minimum(np.asarray(self.t_fat) - (day + 1) * DAY_S, 0.0) * rest_rate
        )
        at = self.cfg.attrition
        alpha = 1.0 - math.exp(-1.0 / at.window_days)
        self.occ_tr[worked] += alpha * (np.minimum(occ[worked], 1.0) - self.occ_tr[worked])
        fday = np.where(ncalls > 0, fmean, 0.0)
        self.fat_tr[worked] += alpha * (fday[worked] - self.fat_tr[worked])
        employed = st == EMPLOYED
        h0 = -math.log(1.0 - at.annual_rate) / 365.0
        emp = np.asarray(self.empowered, dtype=bool)
        hazard = (
            h0
            * np.exp(
                at.occupancy_effect * (self.occ_tr - at.reference_occupancy)
                + at.fatigue_effect * (self.fat_tr - at.reference_fatigue)
            )
            * np.where(emp, at.empowered_factor, 1.0)
        )
        quit_ = np.zeros(n, dtype=bool)
        if self.attrition_on:
            idx = np.flatnonzero(employed)
            quit_[idx] = self._quit.random(idx.size) < -np.expm1(-hazard[idx])
        shown = employed | (st == TRAINING)
        status = np.where(
            st == TRAINING, 3, np.where(self._absent, 1, np.where(on > 0, 0, 2))
        ).astype(np.int8)
        shift_names = np.array([""] + [s.name for s in self.shifts or ()], dtype=object)
        shift_of = np.array([self._today_shift.get(a, -1) + 1 for a in range(n)])
        scheduled = (
            on
            if self.shifts is None
            else np.array([self.shifts[j - 1].length_s if j else 0.0 for j in shift_of])
        )
        idx = np.flatnonzero(shown)
        self._rows.append(
            {
                "day": np.full(idx.size, day),
                "agent_id": idx,
                "status": status[idx],
                "shift": shift_names[shift_of[idx]],
                "tenure_days": day - self.ready_day[idx],
                "empowered": emp[idx],
                "scheduled_s": scheduled[idx],
                "available_s": on[idx],
                "busy_s": busy[idx],
                "occupancy": occ[idx],
                "fatigue_mean": fmean[idx],
                "fatigue_end": fat_end[idx],
                "trailing_occupancy": self.occ_tr[idx],
                "quit_hazard": np.where(employed[idx] & self.attrition_on, hazard[idx], 0.0),
                "quit": quit_[idx],
                "hired": self.hired_on[idx] == day,
            }
        )
        quits = int(quit_.sum())
        hires = int((self.hired_on == day).sum())
        hired_cost = hires * float(self.cfg.hiring.cost_per_hire)
        tot_calls = int(ncalls.sum())
        st[quit_] = GONE
        self._days.append(
            {
                "headcount": float((st == EMPLOYED).sum()),
                "in_training": float((st == TRAINING).sum()),
                "absent": float(self._absent.sum()),
                "quits": float(quits),
                "hires": float(hires),
                "vacancies": float(max(self.budget - int((st != GONE).sum()), 0)),
                "fatigue_mean": float(fsum.sum() / tot_calls) if tot_calls else math.nan,
                "quit_hazard_annual": float(-np.expm1(-365.0 * hazard[employed].mean()))
                if self.attrition_on and employed.any()
                else 0.0,
                "paid_hours": float(self.paid[day].sum() / 3600.0),
                "hiring_cost": hired_cost,
            }
        )
        for lst in (self.on, self.busy, self.fsum):
            lst[:] = [0.0] * n
        self.ncalls[:] = [0] * n
        self._today_shift = {}
        if quits and self.cfg.hiring.enabled:
            self._hire(quits, day)

    def _hire(self, k: int, day: int) -> None:
        """Open ``k`` hires: they start training after the lag and answer after it."""
        h = self.cfg.hiring
        start = day + 1 + int(h.lag_days)
        n0 = self.n
        self.status = np.concatenate([self.status, np.full(k, PENDING, np.int8)])
        self.start_day_ = np.concatenate([self.start_day_, np.full(k, float(start))])
        self.hired_on = np.concatenate([self.hired_on, np.full(k, float(start))])
        self.ready_day = np.concatenate(
            [self.ready_day, np.full(k, float(start + int(h.training_days)))]
        )
        self.occ_tr = np.concatenate(
            [self.occ_tr, np.full(k, float(self.cfg.attrition.reference_occupancy))]
        )
        self.fat_tr = np.concatenate(
            [self.fat_tr, np.full(k, float(self.cfg.attrition.reference_fatigue))]
        )
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
        if self.fatigue_on and hasattr(self, "_busy_rate"):
            fc = self.cfg.fatigue
            self._busy_rate.extend(
                (self.cfg.empowered_fatigue_factor if e else 1.0)
                / (fc.busy_time_constant_min * 60.0)
                for e in new
            )

    # ----------------------------------------------------------------- tables
    def agents_table(self, calls: pd.DataFrame) -> pd.DataFrame:
        """The ``agents`` table: the daily rows, with calls and resolved issues counted
        from the ``calls`` table (answered attempts by agent and day)."""
        if not self._rows:
            return empty_agents_table()
        df = pd.DataFrame({k: np.concatenate([r[k] for r in self._rows]) for k in self._rows[0]})
        # answered attempts and resolved ones per (day, agent): bincounts over a compact
        # key, a million rows at a time (a year: millions of rows, no long temporary)
        agent = calls["agent_id"].to_numpy()
        width = max(1, int(agent.max()) + 1) if agent.size else 1
        day, resolved = calls["day"].to_numpy(), calls["resolved"].array
        size = (int(day.max()) + 1 if day.size else 1) * width  # >= 1: still 1 bin
        n_calls = np.zeros(size, dtype=np.int64)
        n_resolved = np.zeros(size, dtype=np.int64)
        for lo in range(0, len(agent), 1 << 20):
            a = agent[lo : lo + (1 << 20)]
            ans = a >= 0
            key = day[lo : lo + (1 << 20)][ans].astype(np.int64) * width + a[ans]
            n_calls += np.bincount(key, minlength=size)
            ok = resolved[lo : lo + (1 << 20)].to_numpy(dtype=bool, na_value=False)[ans]
            n_resolved += np.bincount(key[ok], minlength=size)
        row = df["day"].to_numpy(np.int64) * width + df["agent_id"].to_numpy(np.int64)
        known = (df["agent_id"].to_numpy() < width) & (row < n_calls.size)
        df["calls"] = np.where(known, n_calls[np.where(known, row, 0)], 0).astype(np.int64)
        df["resolved"] = np.where(known, n_resolved[np.where(known, row, 0)], 0).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            df["fcr"] = df["resolved"] / df["calls"].where(df["calls"] > 0)
        df["status"] = pd.Categorical.from_codes(
            df["status"].to_numpy(np.int64), dtype=pd.CategoricalDtype(list(STATUS))
        )
        return df[list(AGENT_COLUMNS)].reset_index(drop=True)

    def days_columns(self) -> pd.DataFrame:
        """The workforce columns of the ``days`` table, one row per day."""
        return pd.DataFrame(self._days, columns=list(WORKFORCE_DAY_COLUMNS))
