"""A solved weekly roster (:func:`sim.planning.tours.solve_tours`) as planners publish it.

The roster's value types: :class:`Contract` (working days and paid hours a week; from
text by :func:`parse_contracts`) and :class:`ShiftVariant` (a shift of a contract on a
day, with its break). :class:`TourRoster` names the agents and gives the roster as
tables with dates and clock times (one row per agent and working day), one row per
agent (contract, days off, paid hours), the cover of every open interval, and the
headcount and FTE; :func:`write_tours` writes them, and :func:`roster_on_phone` reads
a ``roster.csv`` back as agents on the phone per interval (``callsim simulate-plan``).
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.checks import ConfigError
from sim.core.timetable import DAY_S, format_clock, parse_clock

__all__ = [
    "DEFAULT_CONTRACTS",
    "ROSTER_COLUMNS",
    "WEEKDAYS",
    "Contract",
    "ShiftVariant",
    "TourRoster",
    "is_roster_table",
    "parse_contracts",
    "roster_on_phone",
    "write_tours",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Columns of ``roster.csv`` (:meth:`TourRoster.shifts`), one row per agent and working day.
ROSTER_COLUMNS = ("agent", "contract", "date", "weekday", "start", "end_date", "end",
                  "break_start", "break_end", "paid_h")  # fmt: skip
_EPS = 1e-6


@dataclass(frozen=True)
class Contract:
    """An employment contract: ``days_on`` working days a week of ``shift_h`` paid hours.

    Weekly hours are ``days_on * shift_h`` (breaks are paid). ``part_time`` marks the
    contracts the part-time share cap counts; ``max_agents`` caps its headcount.
    """

    name: str
    days_on: int
    shift_h: float
    part_time: bool = False
    max_agents: int | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("Contract.name must be a non-empty string")
        if not 1 <= self.days_on <= 7:
            raise ValueError(f"Contract {self.name!r}: days_on = {self.days_on!r}: must be 1..7")
        if not (math.isfinite(self.shift_h) and 0 < self.shift_h <= 16):
            raise ValueError(f"Contract {self.name!r}: shift_h = {self.shift_h!r}: must be in (0, 16] hours")
        if self.max_agents is not None and self.max_agents < 0:
            raise ValueError(f"Contract {self.name!r}: max_agents = {self.max_agents!r}: must be >= 0")

    @property
    def weekly_hours(self) -> float:
        """Contracted paid hours a week."""
        return self.days_on * self.shift_h


@dataclass(frozen=True)
class ShiftVariant:
    """A shift of one contract on one day: start (seconds from 00:00 of its day), paid
    length and break ``(offset_s, length_s)`` or None."""

    contract: int
    day: int
    start_s: float
    length_s: float
    brk: tuple[float, float] | None

    def spans(self) -> tuple[float, float]:
        """Engine times ``[t0, t1)`` of the shift."""
        t0 = self.day * DAY_S + self.start_s
        return t0, t0 + self.length_s


@dataclass
class TourRoster:
    """A solved weekly roster (see the module docstring for the program).

    ``agents`` holds one row per agent (``agent``, ``contract``, ``days_on``,
    ``days_off``, ``paid_hours``); ``shifts`` one row per agent and working day;
    ``cover`` one row per open interval. ``optimal`` is False when the solver stopped
    at its time limit with a feasible roster.
    """

    contracts: list[Contract]
    first_date: date
    interval_s: float
    fte_hours_per_week: float
    days: int
    assignments: list[tuple[int, int, ShiftVariant]]  # (agent, pattern index, shift)
    agent_contract: list[int]
    agent_pattern: list[tuple[int, ...]]
    interval_starts_s: np.ndarray
    required: np.ndarray
    on_phone: np.ndarray
    present: np.ndarray
    optimal: bool = True
    paid_hours: float = field(init=False)

    def __post_init__(self) -> None:
        self.paid_hours = sum(v.length_s for _, _, v in self.assignments) / 3600.0

    @property
    def headcount(self) -> int:
        """Agents on the roster."""
        return len(self.agent_contract)

    @property
    def fte(self) -> float:
        """Full-time equivalents: paid hours over ``fte_hours_per_week`` per week of the horizon."""
        return self.paid_hours / (self.fte_hours_per_week * self.days / 7.0)

    def _when(self, t: float) -> tuple[date, str]:
        day = math.floor(t / DAY_S + _EPS / DAY_S)
        return self.first_date + timedelta(days=day), format_clock(t - day * DAY_S)

    def shifts(self) -> pd.DataFrame:
        """The publishable roster: one row per agent and working day, with dates and clock
        times: agent, contract, date, weekday, start, end_date, end, break_start,
        break_end, paid_h."""
        rows = []
        for agent, _, v in sorted(self.assignments, key=lambda a: (a[0], a[2].day)):
            t0, t1 = v.spans()
            d0, c0 = self._when(t0)
            d1, c1 = self._when(t1)
            b0 = b1 = ""
            if v.brk is not None:
                b0 = self._when(t0 + v.brk[0])[1]
                b1 = self._when(t0 + v.brk[0] + v.brk[1])[1]
            rows.append({"agent": f"A{agent + 1:03d}", "contract": self.contracts[self.agent_contract[agent]].name,
                         "date": d0.isoformat(), "weekday": WEEKDAYS[d0.weekday()], "start": c0,
                         "end_date": d1.isoformat(), "end": c1, "break_start": b0,
                         "break_end": b1, "paid_h": v.length_s / 3600.0})  # fmt: skip
        return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))

    def agents(self) -> pd.DataFrame:
        """One row per agent: agent, contract, days_on, days_off (weekdays), paid_hours."""
        hours = np.zeros(self.headcount)
        for agent, _, v in self.assignments:
            hours[agent] += v.length_s / 3600.0
        rows = []
        for a, (c, pattern) in enumerate(zip(self.agent_contract, self.agent_pattern, strict=True)):
            off = [WEEKDAYS[(self.first_date + timedelta(days=d)).weekday()]
                   for d in range(min(self.days, 7)) if d not in pattern]  # fmt: skip
            rows.append({"agent": f"A{a + 1:03d}", "contract": self.contracts[c].name,
                         "days_on": len(pattern), "days_off": " ".join(off),
                         "paid_hours": hours[a]})  # fmt: skip
        return pd.DataFrame(rows, columns=["agent", "contract", "days_on", "days_off", "paid_hours"])

    def cover(self) -> pd.DataFrame:
        """One row per open interval: day (1-based), date, start, required, on_phone,
        in_seat, over, under."""
        when = [self._when(float(t)) for t in self.interval_starts_s]
        day = np.floor(self.interval_starts_s / DAY_S + _EPS / DAY_S).astype(np.int64)
        return pd.DataFrame({
            "day": day + 1, "date": [d.isoformat() for d, _ in when], "start": [c for _, c in when],
            "required": self.required, "on_phone": self.on_phone, "in_seat": self.present,
            "over": np.clip(self.on_phone - self.required, 0, None),
            "under": np.clip(self.required - self.on_phone, 0, None),
        })  # fmt: skip

    def shortest_rest_h(self) -> float:
        """Shortest time between the end of a shift and the agent's next one, hours (inf if none)."""
        best = math.inf
        by_agent: dict[int, list[tuple[float, float]]] = {}
        for agent, _, v in self.assignments:
            by_agent.setdefault(agent, []).append(v.spans())
        for spans in by_agent.values():
            spans.sort()
            for (_, e), (s, _) in itertools.pairwise(spans):
                best = min(best, (s - e) / 3600.0)
        return best

    def summary(self) -> dict[str, float]:
        """Headcount (total and per contract), FTE, paid hours, part-time share, shortest rest."""
        out: dict[str, float] = {"headcount": float(self.headcount), "fte": self.fte,
                                 "paid_hours": self.paid_hours}  # fmt: skip
        for c, con in enumerate(self.contracts):
            out[f"headcount_{con.name}"] = float(sum(1 for a in self.agent_contract if a == c))
        pt = sum(1 for a in self.agent_contract if self.contracts[a].part_time)
        out["part_time_share"] = pt / self.headcount if self.headcount else 0.0
        out["shortest_rest_h"] = self.shortest_rest_h()
        return out


def write_tours(roster: TourRoster, folder: Path) -> list[Path]:
    """Write ``roster.csv`` (the publishable shifts), ``roster_agents.csv``,
    ``roster_cover.csv`` and ``roster_summary.json`` into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / n for n in ("roster.csv", "roster_agents.csv", "roster_cover.csv",
                                   "roster_summary.json")]  # fmt: skip
    roster.shifts().to_csv(paths[0], index=False)
    roster.agents().to_csv(paths[1], index=False)
    roster.cover().to_csv(paths[2], index=False)
    summary = {k: (None if isinstance(v, float) and math.isinf(v) else round(v, 4))
               for k, v in roster.summary().items()}  # fmt: skip
    summary["optimal"] = roster.optimal
    paths[3].write_text(json.dumps(summary, indent=2) + "\n")
    return paths


#: A common choice: full-time 5 x 8 h (40 h a week) and part-time 5 x 4 h (20 h).
DEFAULT_CONTRACTS = "full-time=5x8,part-time=5x4:part"


def parse_contracts(text: str, key: str = "contracts") -> list[Contract]:
    """Contracts from ``"NAME=DAYSxHOURS[:part][:max=N],..."`` (e.g. :data:`DEFAULT_CONTRACTS`).

    ``DAYS`` working days a week of ``HOURS`` paid hours; ``:part`` marks a part-time
    contract, ``:max=N`` caps its headcount. Raises
    :class:`~sim.core.checks.ConfigError` naming ``key``, the entry and the rule.
    """
    rule = 'must be NAME=DAYSxHOURS[:part][:max=N], e.g. "full-time=5x8,part-time=5x4:part"'
    out: list[Contract] = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        name, eq, rest = entry.partition("=")
        days, x, hours_flags = rest.partition("x")
        hours, *flags = hours_flags.split(":")
        try:
            if not (eq and x and name.strip()):
                raise ValueError(rule)
            cap = None
            part = False
            for flag in flags:
                if flag == "part":
                    part = True
                elif flag.startswith("max="):
                    cap = int(flag[4:])
                else:
                    raise ValueError(f"unknown flag {flag!r}; {rule}")
            contract = Contract(name.strip(), int(days), float(hours), part, cap)
        except ValueError as exc:
            text_ = str(exc) if str(exc).startswith(("Contract", "unknown")) else rule
            raise ConfigError(f"{key} {entry!r}: {text_}", key) from None
        if any(c.name == contract.name for c in out):
            raise ConfigError(f"{key} {entry!r}: the name {contract.name!r} is given twice", key)
        out.append(contract)
    if not out:
        raise ConfigError(f"{key} {text!r}: give at least one contract; {rule}", key)
    return out


# --------------------------------------------------------------------------- reading back


def is_roster_table(columns: list[str] | pd.Index) -> bool:
    """True when a table's header is a ``roster.csv``'s (agent, date, start, end ...)."""
    return {"agent", "date", "start", "end_date", "end", "break_start", "break_end"} <= set(columns)


def _date_cell(path: Path, line: int, column: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{path} line {line}, column {column}: {text!r}: must be a date "
                          "YYYY-MM-DD", "plan") from None  # fmt: skip


def _clock_cell(path: Path, line: int, column: str, text: str) -> float:
    try:
        return parse_clock(text.strip())
    except ValueError:
        raise ConfigError(f"{path} line {line}, column {column}: {text!r}: must be a time of "
                          "day HH:MM", "plan") from None  # fmt: skip


def _shift_span(path: Path, line: int, row: pd.Series, first: date, period: float
                ) -> tuple[float, float, tuple[float, float] | None]:  # fmt: skip
    """Engine times ``(t0, t1)`` of one roster row and its break ``(b0, b1)`` or None."""
    day0 = (_date_cell(path, line, "date", row["date"]) - first).days
    day1 = (_date_cell(path, line, "end_date", row["end_date"]) - first).days
    t0 = day0 * DAY_S + _clock_cell(path, line, "start", row["start"])
    t1 = day1 * DAY_S + _clock_cell(path, line, "end", row["end"])
    if not 0.0 <= t0 < period:
        last = first + timedelta(seconds=period - 1.0)
        raise ConfigError(f"{path} line {line}, column date: {row['date']!r}: outside the "
                          f"forecast's weeks ({first.isoformat()} to {last.isoformat()}); roster "
                          "and forecast must be for the same weeks", "plan")  # fmt: skip
    if not t0 < t1 <= t0 + DAY_S:
        raise ConfigError(f"{path} line {line}, columns end_date/end: the shift must end after "
                          "it starts, within 24 hours", "plan")  # fmt: skip
    if not (row["break_start"].strip() or row["break_end"].strip()):
        return t0, t1, None
    c0 = _clock_cell(path, line, "break_start", row["break_start"])
    c1 = _clock_cell(path, line, "break_end", row["break_end"])
    b0 = math.floor(t0 / DAY_S) * DAY_S + c0
    b0 = b0 + DAY_S if b0 < t0 - _EPS else b0
    b1 = b0 + (c1 - c0) % DAY_S
    if not (b1 > b0 and b1 <= t1 + _EPS):
        raise ConfigError(f"{path} line {line}, columns break_start/break_end: "
                          f"{row['break_start']}-{row['break_end']}: the break must lie inside the "
                          f"shift {row['start']}-{row['end']}", "plan")  # fmt: skip
    return t0, t1, (b0, b1)


def roster_on_phone(path: Path, table: pd.DataFrame, interval_starts_s: np.ndarray,
                    interval_s: float, first_date: date, days: int) -> np.ndarray:  # fmt: skip
    """Agents of a ``roster.csv`` on the phone in each interval (the roster's cover).

    ``table``: the file read as text (``dtype=str``, no NA); ``interval_starts_s``:
    engine times of the forecast's open intervals, seconds from 00:00 of ``first_date``.
    An agent counts in an interval when its shift holds the whole interval and its break
    overlaps none of it (the rule of :func:`~sim.planning.tours.solve_tours`). The roster
    repeats every ``days`` days rounded up to whole weeks (as
    :func:`~sim.planning.tours.tours_for_forecast` solves it): a shift running past the
    last week's end covers the first week's first hours. Raises
    :class:`~sim.core.checks.ConfigError` naming the file, line and column of a bad cell
    or a shift outside the forecast's weeks.
    """
    t = np.asarray(interval_starts_s, dtype=float)
    period = 7 * max(1, math.ceil(days / 7)) * DAY_S
    out = np.zeros(t.size, dtype=np.int64)
    for i, (_, row) in enumerate(table.iterrows()):
        t0, t1, brk = _shift_span(path, i + 2, row, first_date, period)
        for shift in (0.0, -period):
            a, b = t0 + shift, t1 + shift
            on = (t >= a - _EPS) & (t + interval_s <= b + _EPS)
            if brk is not None:
                b0, b1 = brk[0] + shift, brk[1] + shift
                on &= ~((t < b1 - _EPS) & (t + interval_s > b0 + _EPS))
            out += on
    return out
