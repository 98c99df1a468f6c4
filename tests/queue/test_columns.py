"""The per-call columns: a day's fresh calls appended in bulk (sim.queue.columns)."""

from __future__ import annotations

import numpy as np

from sim.queue.arrivals import DayCalls
from sim.queue.columns import CallColumns


def test_add_day_takes_any_numeric_arrays_and_appends_after_attempts() -> None:
    """A day's columns arrive as float32, reversed (not contiguous) or uint8 arrays:
    each column holds the same values as the arrays converted to its type, after the
    rows already there (a redial between two days), with the fixed values of a fresh
    call (waiting, first attempt, its own caller, no agent)."""
    cols = CallColumns()
    arrival = np.array([1.0, 2.5, 3.25])
    patience = np.array([4.0, 5.5, 6.0], dtype=np.float32)
    handle = np.array([9.0, 8.0, 7.0])[::-1]
    types = np.array([1, 0, 2], dtype=np.uint8)
    assert cols.add_day(DayCalls(arrival, patience, handle, types)) == 0
    assert cols.add_attempt(1, 3.5, 1.0, 2.0, 2, 2) == 3
    assert cols.add_day(DayCalls(np.array([10.0]), np.array([1.0]), np.array([2.0]))) == 4
    got = cols.arrays()
    np.testing.assert_array_equal(got["arrival_s"], [1.0, 2.5, 3.25, 3.5, 10.0])
    np.testing.assert_array_equal(got["patience_s"], [4.0, 5.5, 6.0, 1.0, 1.0])
    np.testing.assert_array_equal(got["handle_s"], [7.0, 8.0, 9.0, 2.0, 2.0])
    np.testing.assert_array_equal(got["wait_s"], np.zeros(5))
    np.testing.assert_array_equal(got["outcome"], np.zeros(5))
    np.testing.assert_array_equal(got["agent_id"], [-1] * 5)
    np.testing.assert_array_equal(got["source"], [0, 0, 0, 2, 0])
    np.testing.assert_array_equal(got["attempt"], [1, 1, 1, 2, 1])
    np.testing.assert_array_equal(got["caller_id"], [0, 1, 2, 1, 4])
    np.testing.assert_array_equal(got["call_type"], [1, 0, 2, 0, 0])
