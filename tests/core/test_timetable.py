"""Timetable: clock parsing and locating engine times in days and intervals."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.timetable import DAY_S, Timetable, parse_clock


def test_parse_clock() -> None:
    assert parse_clock("08:30") == 8.5 * 3600
    assert parse_clock("24:00") == DAY_S
    for bad in ("8", "25:00", "24:01", "08:60", "ab:cd", "8:5"):
        with pytest.raises(ValueError):
            parse_clock(bad)


def test_locate_days_and_intervals() -> None:
    tt = Timetable(open_s=8 * 3600.0, close_s=20 * 3600.0, interval_s=1800.0, days=3)
    assert tt.n_intervals == 24 and not tt.always_open
    t = np.array(
        [8 * 3600.0, 8 * 3600 + 1799.9, DAY_S + 19.99 * 3600, 7 * 3600.0, 2 * DAY_S + 21 * 3600]
    )
    day, k = tt.locate(t, chunk=2)
    assert day.tolist() == [0, 0, 1, 0, 2]
    assert k.tolist() == [0, 0, 23, -1, -1]
    assert tt.interval_starts(1)[0] == DAY_S + 8 * 3600
    assert Timetable(0.0, DAY_S, 3600.0, 1).always_open


def test_locate_after_the_horizon_is_out_of_hours() -> None:
    """A redial that comes back after the last day of an always-open centre is no interval."""
    tt = Timetable(0.0, DAY_S, 3600.0, days=2)
    day, k = tt.locate(np.array([2 * DAY_S - 1.0, 2 * DAY_S, 2 * DAY_S + 5000.0]))
    assert day.tolist() == [1, 2, 2]
    assert k.tolist() == [23, -1, -1]


def test_next_open() -> None:
    tt = Timetable(open_s=8 * 3600.0, close_s=20 * 3600.0, interval_s=1800.0, days=2)
    assert tt.next_open(9 * 3600.0) == 9 * 3600.0
    assert tt.next_open(3600.0) == 8 * 3600.0
    assert tt.next_open(21 * 3600.0) == DAY_S + 8 * 3600.0
    assert tt.next_open(DAY_S + 21 * 3600.0) == float("inf")  # after the last day
    assert tt.next_open(2 * DAY_S + 9 * 3600.0) == float("inf")
    always = Timetable(0.0, DAY_S, 3600.0, days=1)
    assert always.next_open(5000.0) == 5000.0 and always.next_open(DAY_S) == float("inf")
