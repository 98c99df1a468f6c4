"""Shift templates and the roster: who is paid to be on the phones, and when.

A **shift** is a template: a start time of day, a length (breaks included: the whole
shift is paid) and breaks at fixed offsets from the start. A break is *due* at its
offset; an agent on a call takes it when the call ends (no call is cut), so the break
drifts by at most one handle time. The **roster** says how many agents work each shift
on each day. Shifts stay within one calendar day (start >= 00:00, end <= 24:00).

Everything is validated here, with :class:`~sim.config.validation.ConfigError` naming the key,
before any simulation runs (``staffing.shifts[1].breaks[0].after_min = 500: ...``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.core.checks import bad, finite
from sim.core.timetable import DAY_S, Timetable, parse_clock

__all__ = ["Break", "Shift", "parse_roster", "parse_shifts", "rostered_seconds"]


@dataclass(frozen=True)
class Break:
    """A break: due ``after_s`` seconds into the shift, lasting ``length_s`` seconds."""

    after_s: float
    length_s: float


@dataclass(frozen=True)
class Shift:
    """A shift template; times in seconds (``start_s`` from 00:00 of the day)."""

    name: str
    start_s: float
    length_s: float
    breaks: tuple[Break, ...] = ()

    @property
    def end_s(self) -> float:
        """End of the shift, seconds from 00:00 of its day."""
        return self.start_s + self.length_s

    @property
    def break_s(self) -> float:
        """Scheduled break time of one shift, seconds."""
        return sum(b.length_s for b in self.breaks)


def _parse_break(spec: Any, key: str, shift_len_s: float) -> Break:
    if not isinstance(spec, Mapping):
        raise bad(key, spec, "must be a mapping {after_min: ..., length_min: ...}")
    unknown = set(spec) - {"after_min", "length_min"}
    if unknown:
        raise bad(
            f"{key}.{sorted(unknown)[0]}", spec, "unknown key (allowed: after_min, length_min)"
        )
    after = finite(f"{key}.after_min", spec.get("after_min"), 0.0, strict=False) * 60.0
    length = finite(f"{key}.length_min", spec.get("length_min"), 0.0, strict=True) * 60.0
    if after + length > shift_len_s:
        raise bad(
            f"{key}.after_min",
            spec.get("after_min"),
            f"the break ({after / 60:g} + {length / 60:g} min) must lie inside the shift "
            f"({shift_len_s / 60:g} min)",
        )
    return Break(after, length)


def parse_shifts(specs: Any, key: str = "staffing.shifts") -> tuple[Shift, ...]:
    """Validated shift templates from their config (a list of mappings)."""
    if not isinstance(specs, Sequence) or isinstance(specs, str) or not specs:
        raise bad(key, specs, "must be a non-empty list of shifts")
    shifts: list[Shift] = []
    for j, spec in enumerate(specs):
        k = f"{key}[{j}]"
        if not isinstance(spec, Mapping):
            raise bad(k, spec, "must be a mapping {name, start, length_h, breaks}")
        unknown = set(spec) - {"name", "start", "length_h", "breaks"}
        if unknown:
            raise bad(
                f"{k}.{sorted(unknown)[0]}",
                spec,
                "unknown key (allowed: name, start, length_h, breaks)",
            )
        name = spec.get("name")
        if not isinstance(name, str) or not name:
            raise bad(f"{k}.name", name, "must be a non-empty name")
        if any(s.name == name for s in shifts):
            raise bad(f"{k}.name", name, "must be unique among the shifts")
        try:
            start = parse_clock(str(spec["start"]) if "start" in spec else "")
        except (ValueError, TypeError):
            raise bad(f"{k}.start", spec.get("start"), 'must be a time of day "HH:MM"') from None
        length = finite(f"{k}.length_h", spec.get("length_h"), 0.0, strict=True) * 3600.0
        if start + length > DAY_S:
            raise bad(
                f"{k}.length_h",
                spec.get("length_h"),
                f"the shift must end by 24:00 (it starts at {spec.get('start')}; shifts do "
                "not cross midnight)",
            )
        raw_breaks = spec.get("breaks") or []
        if not isinstance(raw_breaks, Sequence) or isinstance(raw_breaks, str):
            raise bad(f"{k}.breaks", raw_breaks, "must be a list of breaks")
        breaks = [_parse_break(b, f"{k}.breaks[{i}]", length) for i, b in enumerate(raw_breaks)]
        breaks.sort(key=lambda b: b.after_s)
        for a, b in itertools.pairwise(breaks):
            if b.after_s < a.after_s + a.length_s:
                raise bad(f"{k}.breaks", list(raw_breaks), "breaks must not overlap")
        shifts.append(Shift(name, start, length, tuple(breaks)))
    return tuple(shifts)


def parse_roster(
    spec: Any, shifts: Sequence[Shift], days: int, key: str = "staffing.roster"
) -> np.ndarray:
    """Agents on each shift each day, shape (days, shifts), from ``staffing.roster`` (or
    a group's ``agent_groups[i].roster``, named ``key``): ``{shift name: count}`` (every
    day alike) or ``{shift name: [count per day]}``; shifts not named get nobody."""
    if not isinstance(spec, Mapping) or not spec:
        shifts_key = key.rsplit(".", 1)[0] + ".shifts"
        raise bad(key, spec, f"must map shift names to agents per day ({shifts_key} is set)")
    names = [s.name for s in shifts]
    out = np.zeros((days, len(shifts)), dtype=np.int64)
    for name, counts in spec.items():
        if name not in names:
            raise bad(f"{key}.{name}", counts, f"unknown shift (shifts: {', '.join(names)})")
        values = counts if isinstance(counts, Sequence) and not isinstance(counts, str) else None
        if values is not None and len(values) != days:
            raise bad(
                f"{key}.{name}",
                list(values),
                f"must be one count, or one per day (run.days = {days})",
            )
        for d, c in enumerate(values if values is not None else [counts] * days):
            if isinstance(c, bool) or not isinstance(c, int) or c < 0:
                raise bad(f"{key}.{name}" + (f"[{d}]" if values is not None else ""), c,
                             "must be a whole number >= 0")  # fmt: skip
            out[d, names.index(name)] = c
    if not out.any():
        raise bad(key, dict(spec), "must put at least one agent on a shift")
    return out


def rostered_seconds(
    shifts: Sequence[Shift], counts: Sequence[int] | np.ndarray, timetable: Timetable, day: int,
    on_phone: bool,
) -> np.ndarray:  # fmt: skip
    """Agent-seconds rostered in each planning interval of ``day`` for ``counts[j]``
    agents on shift ``j``: paid time (``on_phone=False``) or paid time minus the
    scheduled breaks (``on_phone=True``, breaks at their due times)."""
    starts = timetable.interval_starts(day)
    ends = starts + timetable.interval_s
    base = day * DAY_S
    out = np.zeros(len(starts))
    for shift, n in zip(shifts, counts, strict=True):
        if not n:
            continue
        s0 = base + shift.start_s
        out += n * np.clip(np.minimum(ends, s0 + shift.length_s) - np.maximum(starts, s0), 0, None)
        if on_phone:
            for b in shift.breaks:
                b0 = s0 + b.after_s
                out -= n * np.clip(
                    np.minimum(ends, b0 + b.length_s) - np.maximum(starts, b0), 0, None
                )
    return out
