"""Shift rostering: how many agents to put on each shift, by integer programming.

Given the agents required in each planning interval (from Erlang formulas or the
simulation, already grossed up for shrinkage) and a set of shift templates, find the
number of agents ``x_j`` on each shift instance ``j`` (a template on one day of the
horizon) that covers every interval at the least paid time. This is the set-covering
integer program

    minimise    sum_j (length_j / 3600) x_j          (paid hours)
    subject to  A x >= required,  x integer >= 0,

where ``A[i, j] = 1`` when shift instance ``j`` has its agent on duty for the whole of
interval ``i`` (not on a break), solved with :func:`scipy.optimize.milp` (HiGHS).

Times are seconds, on the engine's clock where time is seconds from 00:00 of day 0
(see :mod:`sim.core.timetable`). A shift that starts on day ``d`` at ``start_s`` runs from
engine time ``d * 86400 + start_s`` for ``length_s`` seconds and may run past midnight;
shifts of day -1 (before the horizon) are not modelled.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from sim.core.checks import ConfigError
from sim.core.timetable import DAY_S

__all__ = [
    "BREAK_MIN_LENGTH_H",
    "Roster",
    "ShiftTemplate",
    "coverage_matrix",
    "solve_roster",
    "standard_templates",
]

BREAK_MIN_LENGTH_H = 5.0  #: standard_templates gives a break only to shifts longer than this, hours
_EPS = 1e-6  # tolerance on time comparisons, seconds


def _clock(seconds: float) -> str:
    """``"HH:MM"`` of a time of day in seconds (hours may reach 24 and beyond)."""
    minutes = round(seconds / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_clock(t: float) -> tuple[int, str]:
    """Day and ``"HH:MM"`` time of day of engine time ``t``, seconds."""
    day = math.floor(t / DAY_S + _EPS / DAY_S)
    return day, _clock(t - day * DAY_S)


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift pattern: when it starts, how long it is paid, and its breaks.

    Attributes:
        name: label of the template (unique within a roster problem).
        start_s: start, seconds after 00:00 of the day the shift starts, in [0, 86400).
        length_s: paid length, seconds (> 0). The shift may run past midnight.
        breaks: ``(offset_s, duration_s)`` pairs, offset from the shift start, seconds.
            Breaks are paid, but the agent covers no interval that overlaps a break.
            They must lie inside the shift and must not overlap each other.
        days: days of the horizon (0 = first day) on which the template may be used;
            ``None`` means every day. Days past the horizon are ignored.
    """

    name: str
    start_s: float
    length_s: float
    breaks: tuple[tuple[float, float], ...] = ()
    days: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"ShiftTemplate.name must be a non-empty string, got {self.name!r}")
        where = f"ShiftTemplate {self.name!r}"
        if not (math.isfinite(self.start_s) and 0.0 <= self.start_s < DAY_S):
            raise ValueError(f"{where}: start_s must be in [0, 86400) s, got {self.start_s!r}")
        if not (math.isfinite(self.length_s) and self.length_s > 0.0):
            raise ValueError(f"{where}: length_s must be finite and > 0 s, got {self.length_s!r}")
        breaks: list[tuple[float, float]] = []
        for item in self.breaks:
            if len(item) != 2:
                raise ValueError(f"{where}: a break must be (offset_s, duration_s), got {item!r}")
            offset, duration = float(item[0]), float(item[1])
            if not (math.isfinite(offset) and math.isfinite(duration)):
                raise ValueError(f"{where}: break {item!r} must be finite")
            if duration <= 0.0:
                raise ValueError(f"{where}: break duration_s must be > 0 s, got {item!r}")
            if offset < 0.0 or offset + duration > self.length_s + _EPS:
                raise ValueError(
                    f"{where}: break {item!r} must lie inside the shift "
                    f"[0, length_s={self.length_s:g}] s"
                )
            breaks.append((offset, duration))
        ordered = sorted(breaks)
        for (o1, d1), (o2, d2) in pairwise(ordered):
            if o2 < o1 + d1 - _EPS:
                raise ValueError(f"{where}: breaks {(o1, d1)!r} and {(o2, d2)!r} overlap")
        object.__setattr__(self, "breaks", tuple(ordered))
        if self.days is not None:
            days = tuple(self.days)
            for d in days:
                if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 0:
                    raise ValueError(f"{where}: days must be integers >= 0, got {d!r}")
            if not days or len(set(days)) != len(days):
                raise ValueError(f"{where}: days must be non-empty and distinct, got {days!r}")
            object.__setattr__(self, "days", tuple(sorted(int(d) for d in days)))

    def allowed(self, day: int) -> bool:
        """True when the template may be used on ``day``."""
        return self.days is None or day in self.days

    def covers(self, day: int, interval_starts_s: np.ndarray, interval_s: float) -> np.ndarray:
        """Boolean mask of the intervals an agent on this shift, started on ``day``, covers.

        An interval ``[t, t + interval_s)`` is covered when it lies within the shift and
        overlaps none of its breaks.
        """
        t = np.asarray(interval_starts_s, dtype=float)
        start = day * DAY_S + self.start_s
        mask = (t >= start - _EPS) & (t + interval_s <= start + self.length_s + _EPS)
        for offset, duration in self.breaks:
            b0, b1 = start + offset, start + offset + duration
            mask &= ~((t < b1 - _EPS) & (t + interval_s > b0 + _EPS))
        return mask


def _check_intervals(interval_starts_s: np.ndarray, interval_s: float, days: int) -> np.ndarray:
    t = np.asarray(interval_starts_s, dtype=float)
    if t.ndim != 1 or not np.all(np.isfinite(t)):
        raise ValueError("interval_starts_s must be a 1-D array of finite times, seconds")
    if t.size > 1 and np.any(np.diff(t) <= 0.0):
        k = int(np.argmax(np.diff(t) <= 0.0)) + 1
        raise ValueError(f"interval_starts_s must increase; index {k} is {t[k]!r} <= {t[k - 1]!r}")
    if not (math.isfinite(interval_s) and interval_s > 0.0):
        raise ValueError(f"interval_s must be finite and > 0 s, got {interval_s!r}")
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 1:
        raise ValueError(f"days must be an integer >= 1, got {days!r}")
    return t


def coverage_matrix(
    templates: Sequence[ShiftTemplate],
    interval_starts_s: np.ndarray,
    interval_s: float,
    days: int,
) -> tuple[np.ndarray, list[tuple[int, ShiftTemplate]]]:
    """The 0/1 coverage matrix of the planning intervals by the shift instances.

    Args:
        templates: shift templates.
        interval_starts_s: engine times (seconds from 00:00 of day 0) at which the
            planning intervals of the whole horizon start, increasing; closed hours
            may be skipped.
        interval_s: length of a planning interval, seconds.
        days: days in the horizon.

    Returns:
        ``(A, instances)``: ``instances`` lists the shift instances ``(day, template)``,
        day by day and in template order within a day, for every day a template is
        allowed; ``A[i, j]`` (int8, intervals x instances) is 1 when instance ``j``
        covers interval ``i``.
    """
    t = _check_intervals(interval_starts_s, interval_s, days)
    names = [tpl.name for tpl in templates]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"shift template names must be unique; {dup!r} is repeated")
    instances = [(d, tpl) for d in range(days) for tpl in templates if tpl.allowed(d)]
    a = np.zeros((t.size, len(instances)), dtype=np.int8)
    for j, (d, tpl) in enumerate(instances):
        a[:, j] = tpl.covers(d, t, interval_s)
    return a, instances


@dataclass
class Roster:
    """A solved roster: agents per shift instance and the coverage it gives.

    Attributes:
        counts: agents on each shift instance (int array).
        instances: the shift instances ``(day, template)``, aligned with ``counts``.
        interval_starts_s: engine times at which the planning intervals start, seconds.
        required: agents required in each interval (int array).
        scheduled: agents on duty (not on a break) in each interval, ``A @ counts``.
        optimal: False when the solver stopped at its time limit with a feasible,
            not proven optimal, roster.
    """

    counts: np.ndarray
    instances: list[tuple[int, ShiftTemplate]]
    interval_starts_s: np.ndarray
    required: np.ndarray
    scheduled: np.ndarray
    optimal: bool = True

    @property
    def over(self) -> np.ndarray:
        """Agents scheduled beyond the requirement in each interval (>= 0)."""
        return np.clip(self.scheduled - self.required, 0, None)

    @property
    def under(self) -> np.ndarray:
        """Agents missing to meet the requirement in each interval (>= 0)."""
        return np.clip(self.required - self.scheduled, 0, None)

    @property
    def paid_hours(self) -> float:
        """Paid agent-hours of the roster, breaks included."""
        lengths = np.array([tpl.length_s for _, tpl in self.instances], dtype=float)
        return float(np.dot(self.counts, lengths) / 3600.0)

    def table(self) -> pd.DataFrame:
        """One row per shift instance with agents: day, shift, start, length_h, agents."""
        rows = [
            {
                "day": d,
                "shift": tpl.name,
                "start": _clock(tpl.start_s),
                "length_h": tpl.length_s / 3600.0,
                "agents": int(n),
            }
            for (d, tpl), n in zip(self.instances, self.counts, strict=True)
            if n > 0
        ]
        return pd.DataFrame(rows, columns=["day", "shift", "start", "length_h", "agents"])

    def intervals(self) -> pd.DataFrame:
        """One row per interval: start_s, day, clock, required, scheduled, over, under."""
        day_clock = [_day_clock(float(t)) for t in self.interval_starts_s]
        return pd.DataFrame(
            {
                "start_s": self.interval_starts_s,
                "day": [d for d, _ in day_clock],
                "clock": [c for _, c in day_clock],
                "required": self.required,
                "scheduled": self.scheduled,
                "over": self.over,
                "under": self.under,
            }
        )


def _check_required(required: np.ndarray, n: int) -> np.ndarray:
    r = np.asarray(required)
    if r.ndim != 1 or r.size != n:
        raise ValueError(f"required must be 1-D with one value per interval ({n}), got {r.shape}")
    if r.dtype == bool or not np.issubdtype(r.dtype, np.number):
        raise ValueError(f"required must be numeric, got dtype {r.dtype}")
    rf = r.astype(float)
    bad = ~np.isfinite(rf) | (rf < 0) | (rf != np.round(rf))
    if bad.any():
        k = int(np.argmax(bad))
        raise ValueError(f"required[{k}] = {r[k].item()!r} is not a non-negative integer")
    return rf.astype(np.int64)


def solve_roster(
    required: np.ndarray,
    interval_starts_s: np.ndarray,
    interval_s: float,
    days: int,
    templates: Sequence[ShiftTemplate],
    *,
    max_agents_per_shift: int | None = None,
    time_limit_s: float = 60.0,
) -> Roster:
    """Agents per shift instance covering ``required`` at the least paid hours.

    Args:
        required: agents required in each planning interval (non-negative integers).
        interval_starts_s: engine times at which the intervals start, seconds, increasing.
        interval_s: length of a planning interval, seconds.
        days: days in the horizon.
        templates: shift templates to choose from.
        max_agents_per_shift: cap on the agents of any one shift instance (None: no cap).
        time_limit_s: solver time limit, seconds. If it is reached with a feasible
            roster, that roster is returned with ``optimal=False`` and a warning.

    Raises:
        ValueError: bad inputs, or an interval with a requirement that no template covers.
        RuntimeError: the solver found no roster (e.g. infeasible under the cap).
    """
    t = _check_intervals(interval_starts_s, interval_s, days)
    req = _check_required(required, t.size)
    if max_agents_per_shift is not None and (
        isinstance(max_agents_per_shift, bool)
        or not isinstance(max_agents_per_shift, int | np.integer)
        or max_agents_per_shift < 0
    ):
        raise ValueError(
            f"max_agents_per_shift must be an integer >= 0 or None, got {max_agents_per_shift!r}"
        )
    if not (time_limit_s > 0.0):
        raise ValueError(f"time_limit_s must be > 0 s, got {time_limit_s!r}")
    a, instances = coverage_matrix(templates, t, interval_s, days)
    uncovered = (req > 0) & (a.sum(axis=1) == 0)
    if uncovered.any():
        k = int(np.argmax(uncovered))
        day, clock = _day_clock(float(t[k]))
        raise ValueError(
            f"interval day {day} {clock} (required {req[k]}) is covered by no shift template"
        )
    n = len(instances)
    rows = req > 0
    if n == 0 or not rows.any():
        counts = np.zeros(n, dtype=np.int64)
        return Roster(counts, instances, t, req, a.astype(np.int64) @ counts)
    cost = np.array([tpl.length_s for _, tpl in instances], dtype=float) / 3600.0
    upper = np.inf if max_agents_per_shift is None else float(max_agents_per_shift)
    res = milp(
        cost,
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), np.full(n, upper)),
        constraints=LinearConstraint(a[rows], lb=req[rows], ub=np.inf),
        options={"time_limit": float(time_limit_s)},
    )
    if res.x is None or res.status not in (0, 1):
        raise RuntimeError(f"roster solver failed (status {res.status}): {res.message}")
    counts = np.round(res.x).astype(np.int64)
    scheduled = a.astype(np.int64) @ counts
    if np.any(scheduled < req):  # pragma: no cover - guards against solver tolerance
        raise RuntimeError(f"roster solver returned a roster that misses cover: {res.message}")
    optimal = res.status == 0
    if not optimal:
        warnings.warn(
            f"roster solver stopped before proving optimality: {res.message}",
            RuntimeWarning,
            stacklevel=2,
        )
    return Roster(counts, instances, t, req, scheduled, optimal)


def standard_templates(
    open_s: float,
    close_s: float,
    lengths_h: Sequence[float] = (8.0, 6.0, 4.0),
    step_s: float = 1800.0,
    break_after_h: float | None = 4.0,
    break_s: float = 1800.0,
) -> list[ShiftTemplate]:
    """Shifts of the given lengths starting every ``step_s`` within opening hours.

    For each length, shifts start at ``open_s, open_s + step_s, ...`` as long as they end
    at or before ``close_s``. Convention on breaks: a shift longer than
    ``BREAK_MIN_LENGTH_H`` (5 h) gets one paid break of ``break_s`` seconds starting
    ``break_after_h`` hours after the shift starts (none if ``break_after_h`` is None);
    shorter shifts get none. Templates are named like ``"8h@08:00"`` and used every day.

    Args:
        open_s: opening, seconds after midnight.
        close_s: closing, seconds after midnight (<= 86400).
        lengths_h: paid shift lengths, hours.
        step_s: spacing of start times, seconds.
        break_after_h: break offset from the shift start, hours, or None for no breaks.
        break_s: break duration, seconds.
    """
    if not (0.0 <= open_s < close_s <= DAY_S):
        raise ValueError(f"need 0 <= open_s < close_s <= 86400 s, got {open_s!r}, {close_s!r}")
    if not (step_s > 0.0):
        raise ValueError(f"step_s must be > 0 s, got {step_s!r}")
    templates: list[ShiftTemplate] = []
    for length_h in lengths_h:
        if not (length_h > 0.0):
            raise ValueError(f"lengths_h must be > 0 h, got {length_h!r}")
        length_s = length_h * 3600.0
        breaks: tuple[tuple[float, float], ...] = ()
        if break_after_h is not None and length_h > BREAK_MIN_LENGTH_H:
            breaks = ((break_after_h * 3600.0, break_s),)
        k = 0
        while open_s + k * step_s + length_s <= close_s + _EPS:
            start = open_s + k * step_s
            name = f"{length_h:g}h@{_clock(start)}"
            templates.append(ShiftTemplate(name, start, length_s, breaks))
            k += 1
    if not templates:  # a ConfigError (a ValueError) the command line prints as one line
        raise ConfigError(
            f"no shift of lengths {tuple(lengths_h)!r} h fits in opening hours "
            f"{_clock(open_s)}-{_clock(close_s)}; give shorter shifts",
            "roster",
        )
    return templates
