"""A publishable weekly roster: tours with days off, contracts, breaks, seats, by integer program.

Given the agents required in each open planning interval (already grossed up for
shrinkage) over a horizon of ``days`` days, find how many agents of each **contract**
work each **days-off pattern**, and which **shift** (start, break) each working agent
works each day, at the least paid hours. The implicit tour-scheduling model (Bailey
1985; Jarrah, Bard & deSilva 1994):

    minimise    sum_{c,d,s} h_c y[c,d,s]                    (paid hours)
    subject to  sum_{c,d,s} A[i,(d,s)] y[c,d,s] >= required_i        every open interval i
                sum_s y[c,d,s] = sum_{p on day d} x[c,p]              every contract c, day d
                sum_{p} x[pt,p] <= share * sum_{c,p} x[c,p]           part-time share cap
                sum_p x[c,p] <= cap_c                                 headcount cap per contract
                sum_{c,d,s} P[i,(d,s)] y[c,d,s] <= seats              every open interval i
                x, y integer >= 0

where ``x[c,p]`` counts agents of contract ``c`` on days-off pattern ``p`` (``days_on``
working days a week, days off consecutive unless asked otherwise), ``y[c,d,s]`` counts
agents of contract ``c`` working shift variant ``s`` (start time, break placement) on day
``d``, ``A`` is 1 where the agent is on the phone for the whole interval (not on a
break), ``P`` where the agent is in the building (a seat is taken, breaks included). Any
``x``, ``y`` meeting the linking rows can be turned into named agents (day by day, the
agents whose pattern works that day take that day's shifts; they are matched in order
of their previous start time so that an agent's start time moves little), so the
optimum of this program is the cheapest roster of named agents (tests compare it with
brute force). Solved with :func:`scipy.optimize.milp` (HiGHS).

Times are seconds of the engine's clock (0 = 00:00 of day 0). Shifts may cross midnight;
with ``cyclic`` (default for a horizon of whole weeks) the roster repeats every week, so
Sunday's night shift covers Monday's first hours. A shift may start only in an open
interval and end at the end of one (per-day opening hours); breaks are placed by
:class:`BreakRule`. Minimum rest between shifts is not a constraint: the report gives
the shortest rest in the roster.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, lil_matrix

from sim.core.checks import ConfigError
from sim.core.timetable import DAY_S
from sim.planning.tour_roster import (
    DEFAULT_CONTRACTS,
    WEEKDAYS,
    Contract,
    ShiftVariant,
    TourRoster,
    parse_contracts,
    write_tours,
)

if TYPE_CHECKING:
    from sim.planning.forecast import Forecast

__all__ = [
    "DEFAULT_CONTRACTS",
    "WEEKDAYS",
    "BreakRule",
    "Contract",
    "ShiftVariant",
    "TourRoster",
    "check_tours_cover",
    "day_patterns",
    "parse_contracts",
    "shift_variants",
    "solve_tours",
    "tours_for_forecast",
    "write_tours",
]

_EPS = 1e-6


@dataclass(frozen=True)
class BreakRule:
    """One paid break of ``length_min`` minutes in every shift longer than ``min_shift_h``
    hours, starting at least ``earliest_h`` hours after the shift starts and ending at
    least ``earliest_h`` hours before it ends, at a multiple of the interval length (the
    program picks the placement: breaks are staggered where cover needs it)."""

    min_shift_h: float = 5.0
    length_min: float = 30.0
    earliest_h: float = 2.0

    def offsets_s(self, shift_s: float, step_s: float) -> list[float | None]:
        """Break offsets from the shift start, seconds; ``[None]``: no break."""
        if shift_s <= self.min_shift_h * 3600.0 + _EPS:
            return [None]
        first, length = self.earliest_h * 3600.0, self.length_min * 60.0
        last = shift_s - self.earliest_h * 3600.0 - length
        if last < first - _EPS:
            raise ValueError(f"break rule: a {length / 60:g}-min break does not fit "
                             f"{self.earliest_h:g} h from both ends of a {shift_s / 3600:g}-h shift")  # fmt: skip
        k0, k1 = math.ceil(first / step_s - _EPS), math.floor(last / step_s + _EPS)
        return [k * step_s for k in range(k0, k1 + 1)] or [first]


def day_patterns(days_on: int, horizon: int, consecutive_off: bool = True) -> list[tuple[int, ...]]:
    """Days-off patterns: the days of the horizon (0-based) an agent works, distinct.

    A week pattern works ``days_on`` of its 7 days: the 7 rotations of ``days_on``
    consecutive working days (days off consecutive), or every choice of ``days_on`` days
    (``consecutive_off=False``); it repeats every week and is cut to ``horizon`` days.
    """
    if consecutive_off:
        weeks = [tuple(d for d in range(7) if (d - r) % 7 < days_on) for r in range(7)]
    else:
        weeks = list(itertools.combinations(range(7), days_on))
    out: list[tuple[int, ...]] = []
    for week in weeks:
        on = tuple(d for d in range(horizon) if d % 7 in week)
        if on and on not in out:
            out.append(on)
    return out


def shift_variants(
    contracts: Sequence[Contract], open_starts_s: np.ndarray, interval_s: float, days: int,
    start_step_s: float, rule: BreakRule, cyclic: bool,
) -> list[ShiftVariant]:  # fmt: skip
    """Every shift a contract may work on a day: it starts at a multiple of
    ``start_step_s`` in an open interval, ends at the end of an open interval (crossing
    midnight if it must), and has each break placement the rule allows."""
    period = days * DAY_S
    opens = {round(float(t) % period if cyclic else float(t), 3) for t in open_starts_s}
    out: list[ShiftVariant] = []
    for c, con in enumerate(contracts):
        length = con.shift_h * 3600.0
        offsets = rule.offsets_s(length, interval_s)
        for d in range(days):
            for k in range(int(DAY_S // start_step_s)):
                start = k * start_step_s
                t0 = d * DAY_S + start
                t_last = t0 + length - interval_s
                key0 = round(t0 % period if cyclic else t0, 3)
                key1 = round(t_last % period if cyclic else t_last, 3)
                if key0 not in opens or key1 not in opens:
                    continue
                for off in offsets:
                    brk = None if off is None else (off, rule.length_min * 60.0)
                    out.append(ShiftVariant(c, d, start, length, brk))
    return out


def _masks(v: ShiftVariant, t: np.ndarray, interval_s: float, period: float | None
           ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(on the phone for the whole interval, in the building during it) for intervals ``t``."""
    t0, t1 = v.spans()
    shifts = [0.0] if period is None else [-period, 0.0, period]
    phone = np.zeros(t.size, dtype=bool)
    present = np.zeros(t.size, dtype=bool)
    for shift in shifts:
        a, b = t0 + shift, t1 + shift
        inside = (t >= a - _EPS) & (t + interval_s <= b + _EPS)
        overlap = (t < b - _EPS) & (t + interval_s > a + _EPS)
        on = inside.copy()
        if v.brk is not None:
            b0, b1 = a + v.brk[0], a + v.brk[0] + v.brk[1]
            on &= ~((t < b1 - _EPS) & (t + interval_s > b0 + _EPS))
        phone |= on
        present |= overlap
    return phone, present


def _assign(counts_x: dict[tuple[int, int], int], patterns: list[list[tuple[int, ...]]],
            chosen: list[tuple[ShiftVariant, int]], days: int
            ) -> tuple[list[tuple[int, int, ShiftVariant]], list[int], list[tuple[int, ...]]]:  # fmt: skip
    """Named agents from the pattern counts and the day's shifts (module docstring)."""
    agent_contract: list[int] = []
    agent_pattern: list[tuple[int, ...]] = []
    agent_p: list[int] = []
    for (c, p), n in sorted(counts_x.items()):
        for _ in range(n):
            agent_contract.append(c)
            agent_pattern.append(patterns[c][p])
            agent_p.append(p)
    last_start: dict[int, float] = {}
    out: list[tuple[int, int, ShiftVariant]] = []
    for d in range(days):
        for c in sorted({v.contract for v, _ in chosen}):
            todays = sorted((v for v, n in chosen for _ in range(n) if v.contract == c and v.day == d),
                            key=lambda v: v.start_s)  # fmt: skip
            working = [a for a, (ac, pat) in enumerate(zip(agent_contract, agent_pattern, strict=True))
                       if ac == c and d in pat]  # fmt: skip
            if len(todays) != len(working):  # pragma: no cover - the linking rows forbid it
                raise RuntimeError(f"roster: day {d}: {len(todays)} shifts for {len(working)} agents")
            working.sort(key=lambda a: (last_start.get(a, -1.0), a))
            for a, v in zip(working, todays, strict=True):
                out.append((a, agent_p[a], v))
                last_start[a] = v.start_s
    return out, agent_contract, agent_pattern


def _cover_masks(
    t: np.ndarray, interval_s: float, days: int, contracts: Sequence[Contract],
    start_step_s: float | None, break_rule: BreakRule | None, cyclic: bool,
) -> tuple[list[ShiftVariant], np.ndarray, np.ndarray]:  # fmt: skip
    """Every shift variant, and per open interval (rows) and variant (columns) whether
    its agent is on the phone for the whole interval and whether it takes a seat."""
    rule = break_rule or BreakRule()
    step = start_step_s or interval_s
    variants = shift_variants(contracts, t, interval_s, days, step, rule, cyclic)
    period = days * DAY_S if cyclic else None
    phone = np.zeros((t.size, len(variants)), dtype=np.int8)
    seat = np.zeros((t.size, len(variants)), dtype=np.int8)
    for j, v in enumerate(variants):
        phone[:, j], seat[:, j] = _masks(v, t, interval_s, period)
    return variants, phone, seat


def solve_tours(
    required: Sequence[int] | np.ndarray,
    interval_starts_s: Sequence[float] | np.ndarray,
    interval_s: float,
    days: int,
    contracts: Sequence[Contract],
    first_date: date,
    *,
    start_step_s: float | None = None,
    break_rule: BreakRule | None = None,
    consecutive_days_off: bool = True,
    max_part_time_share: float | None = None,
    seats: int | None = None,
    cyclic: bool | None = None,
    fte_hours_per_week: float = 40.0,
    time_limit_s: float = 120.0,
) -> TourRoster:
    """The cheapest weekly roster covering ``required`` (see the module docstring).

    Args:
        required: agents required in each open interval (whole numbers >= 0).
        interval_starts_s: engine times the open intervals start, seconds, increasing;
            intervals not listed are closed (no shift may start or end in them).
        interval_s: interval length, seconds.
        days: days of the horizon (day 0 is ``first_date``).
        contracts: the contracts agents may have.
        first_date: date of day 0 (for the published dates and weekdays).
        start_step_s: spacing of shift start times (default: the interval length).
        break_rule: breaks (default :class:`BreakRule`: 30 min in shifts over 5 h).
        consecutive_days_off: days off of a week next to each other.
        max_part_time_share: cap on the share of part-time agents in the headcount.
        seats: cap on the agents in the building in any interval (breaks included).
        cyclic: the roster repeats every ``days`` days (default: ``days % 7 == 0``).
        fte_hours_per_week: weekly hours of one full-time equivalent.
        time_limit_s: solver time limit, seconds.

    Raises:
        ValueError: bad input, or an interval with a requirement that no shift covers.
        RuntimeError: no roster meets every constraint (e.g. too few seats).
    """
    t = np.asarray(interval_starts_s, dtype=float)
    req = np.asarray(required)
    if t.ndim != 1 or req.shape != t.shape:
        raise ValueError(f"required and interval_starts_s must be 1-D of one length, got {req.shape} and {t.shape}")
    if req.size and (np.any(req < 0) or np.any(req != np.round(req))):
        raise ValueError("required must be whole numbers >= 0")
    if not contracts:
        raise ValueError("contracts: give at least one")
    if max_part_time_share is not None and not 0.0 <= max_part_time_share <= 1.0:
        raise ValueError(f"max_part_time_share = {max_part_time_share!r}: must be in [0, 1]")
    if seats is not None and seats < 0:
        raise ValueError(f"seats = {seats!r}: must be >= 0")
    cyclic = days % 7 == 0 if cyclic is None else cyclic
    variants, phone, seat = _cover_masks(t, interval_s, days, contracts, start_step_s,
                                         break_rule, cyclic)  # fmt: skip
    patterns = [day_patterns(c.days_on, days, consecutive_days_off) for c in contracts]
    uncovered = (req > 0) & (phone.sum(axis=1) == 0)
    if uncovered.any():
        k = int(np.argmax(uncovered))
        raise ValueError(f"interval at {float(t[k]) / 3600:g} h of the horizon (required {int(req[k])}) "
                         "is covered by no shift of the contracts")  # fmt: skip
    x_index = [(c, p) for c in range(len(contracts)) for p in range(len(patterns[c]))]
    nx, ny = len(x_index), len(variants)
    cost = np.concatenate([np.zeros(nx), [v.length_s / 3600.0 for v in variants]])
    rows: list[LinearConstraint] = []
    rows.append(LinearConstraint(csr_matrix(np.hstack([np.zeros((t.size, nx)), phone])), lb=req, ub=np.inf))
    link = lil_matrix((len(contracts) * days, nx + ny))
    for j, v in enumerate(variants):
        link[v.contract * days + v.day, nx + j] = 1.0
    for i, (c, p) in enumerate(x_index):
        for d in patterns[c][p]:
            link[c * days + d, i] = -1.0
    rows.append(LinearConstraint(link.tocsr(), lb=0.0, ub=0.0))
    if max_part_time_share is not None:
        share = np.array([(1.0 if contracts[c].part_time else 0.0) - max_part_time_share for c, _ in x_index])
        rows.append(LinearConstraint(np.concatenate([share, np.zeros(ny)])[None, :], ub=0.0))
    for c, con in enumerate(contracts):
        if con.max_agents is not None:
            row = np.concatenate([[1.0 if cc == c else 0.0 for cc, _ in x_index], np.zeros(ny)])
            rows.append(LinearConstraint(row[None, :], ub=float(con.max_agents)))
    if seats is not None:
        rows.append(LinearConstraint(csr_matrix(np.hstack([np.zeros((t.size, nx)), seat])), ub=float(seats)))
    res = milp(cost, integrality=np.ones(nx + ny), bounds=Bounds(0, np.inf), constraints=rows,
               options={"time_limit": float(time_limit_s)})  # fmt: skip
    if res.x is None or res.status not in (0, 1):
        raise RuntimeError("roster: no roster meets every constraint (do the contracts' working "
                           "days a week fit the open days? enough seats? caps too tight?); "
                           f"solver status {res.status}")  # fmt: skip
    if res.status == 1:
        warnings.warn(f"roster solver stopped before proving optimality: {res.message}",
                      RuntimeWarning, stacklevel=2)  # fmt: skip
    sol = np.rint(res.x).astype(np.int64)
    counts_x = {x_index[i]: int(n) for i, n in enumerate(sol[:nx]) if n > 0}
    chosen = [(variants[j], int(n)) for j, n in enumerate(sol[nx:]) if n > 0]
    assignments, agent_contract, agent_pattern = _assign(counts_x, patterns, chosen, days)
    y = sol[nx:]
    return TourRoster(list(contracts), first_date, interval_s, fte_hours_per_week, days,
                      assignments, agent_contract, agent_pattern, t, req.astype(np.int64),
                      phone.astype(np.int64) @ y, seat.astype(np.int64) @ y,
                      optimal=res.status == 0)  # fmt: skip


def tours_for_forecast(forecast: Forecast, required: Sequence[int] | np.ndarray,
                       contracts: Sequence[Contract], **options: Any) -> TourRoster:  # fmt: skip
    """:func:`solve_tours` for the intervals of a forecast (its open intervals and first
    date), over whole weeks (a 5-day forecast is rostered as a week closed at the
    weekend, so that tours and days off are weekly); ``options`` go to :func:`solve_tours`.
    Raises :class:`~sim.core.checks.ConfigError` ("roster: ...") when no roster exists
    (e.g. opening hours shorter than every contract's shift, too few seats)."""
    weeks = max(1, math.ceil(forecast.days / 7))
    try:
        return solve_tours(required, forecast.table["start_s"].to_numpy(dtype=float),
                           forecast.interval_s, 7 * weeks, contracts, forecast.first_date,
                           **options)  # fmt: skip
    except (ValueError, RuntimeError) as exc:  # one line for the command line, exit 2
        text = str(exc)
        raise ConfigError(text if text.startswith("roster") else f"roster: {text}", "roster") from None


def check_tours_cover(forecast: Forecast, needed: np.ndarray, contracts: Sequence[Contract],
                      **options: Any) -> None:  # fmt: skip
    """Refuse, before any plan is computed, a forecast whose intervals flagged ``needed``
    (bool per forecast row, e.g. expected calls > 0) no shift of ``contracts`` can cover
    (opening hours shorter than every shift, a break rule that does not fit): raises
    :class:`~sim.core.checks.ConfigError` naming the first such interval. ``options``:
    ``start_step_s``, ``break_rule``, ``cyclic`` as for :func:`solve_tours`."""
    weeks = max(1, math.ceil(forecast.days / 7))
    days = 7 * weeks
    cyclic = options.get("cyclic")
    try:
        variants, phone, _ = _cover_masks(forecast.table["start_s"].to_numpy(dtype=float),
                                          forecast.interval_s, days, contracts,
                                          options.get("start_step_s"), options.get("break_rule"),
                                          days % 7 == 0 if cyclic is None else cyclic)  # fmt: skip
    except ValueError as exc:
        raise ConfigError(f"roster: {exc}", "roster") from None
    bad = np.asarray(needed, dtype=bool) & (phone.sum(axis=1) == 0)
    if bad.any():
        when = forecast.table["start"].iloc[int(np.argmax(bad))]
        shifts = ", ".join(f"{c.name} {c.shift_h:g} h" for c in contracts)
        raise ConfigError(f"roster: the interval {when:%a %Y-%m-%d %H:%M} has calls but no "
                          f"shift ({shifts}) fits in the opening hours around it; give "
                          "shorter shifts with --contracts (e.g. part-time=5x3:part)", "roster")  # fmt: skip
    consecutive = options.get("consecutive_days_off", True)
    fits = []
    for c, con in enumerate(contracts):
        open_days = {v.day for v in variants if v.contract == c}
        patterns = day_patterns(con.days_on, days, consecutive)
        fits.append(any(set(p) <= open_days for p in patterns))
    if not any(fits):
        opened = sorted({v.day for v in variants})
        names = " ".join(WEEKDAYS[(forecast.first_date.weekday() + d) % 7] for d in opened[:7])
        need = ", ".join(f"{c.name} {c.days_on} days" for c in contracts)
        raise ConfigError(f"roster: a shift fits on {len(opened)} day(s) a week ({names or 'none'}) "
                          f"but every contract works more or other days ({need}); give "
                          f"--contracts that fit, e.g. day=1x8 for a forecast of one day", "roster")  # fmt: skip
