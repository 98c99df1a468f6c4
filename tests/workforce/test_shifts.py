"""Shift templates and the roster (sim/workforce/shifts.py): parsing and rostered agent time."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.core.timetable import Timetable
from sim.workforce.shifts import Break, parse_roster, parse_shifts, rostered_seconds

SPEC = [
    {"name": "early", "start": "08:00", "length_h": 4,
     "breaks": [{"after_min": 120, "length_min": 15}]},
    {"name": "late", "start": "10:00", "length_h": 2},
]  # fmt: skip


def test_parse_shifts_in_seconds() -> None:
    early, late = parse_shifts(SPEC)
    assert (early.start_s, early.length_s, early.end_s) == (28800.0, 14400.0, 43200.0)
    assert early.breaks == (Break(7200.0, 900.0),) and early.break_s == 900.0
    assert late.breaks == ()


def test_roster_every_day_or_per_day() -> None:
    shifts = parse_shifts(SPEC)
    assert parse_roster({"early": 3}, shifts, 2).tolist() == [[3, 0], [3, 0]]
    assert parse_roster({"late": [1, 2]}, shifts, 2).tolist() == [[0, 1], [0, 2]]
    with pytest.raises(sim.ConfigError, match=r"staffing.roster.late = \[1\]: must be one"):
        parse_roster({"late": [1]}, shifts, 2)


def test_rostered_seconds_paid_and_on_the_phones() -> None:
    tt = Timetable(open_s=8 * 3600.0, close_s=12 * 3600.0, interval_s=3600.0, days=2,
                   start_weekday=0)  # fmt: skip
    shifts = parse_shifts(SPEC)
    paid = rostered_seconds(shifts, [2, 1], tt, 1, on_phone=False)
    phones = rostered_seconds(shifts, [2, 1], tt, 1, on_phone=True)
    # 08-12, hourly: early x2 all four hours, late x1 10-12; the break is 10:00-10:15
    np.testing.assert_allclose(paid, [7200, 7200, 10800, 10800])
    np.testing.assert_allclose(phones, [7200, 7200, 10800 - 1800, 10800])


def test_overlapping_breaks_are_refused() -> None:
    spec = [{"name": "x", "start": "08:00", "length_h": 4, "breaks": [
        {"after_min": 60, "length_min": 30}, {"after_min": 80, "length_min": 10}]}]  # fmt: skip
    with pytest.raises(sim.ConfigError, match=r"staffing.shifts\[0\].breaks = .*must not overlap"):
        parse_shifts(spec)
