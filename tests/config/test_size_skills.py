"""The size estimate (``sim.config.size``) with call types and agent groups: the call
types' own ``expected_calls`` count (the centre's volume only for the types with a
share), and groups on shifts count their roster. Exact: the estimate's calls are the
expected fresh calls when nothing multiplies them (no redials, every issue resolved)."""

from __future__ import annotations

from typing import Any

import pytest

from sim.config.size import estimate
from sim.config.validation import load_scenario

BASE: dict[str, Any] = {
    "run": {"days": 2},
    "center": {"open_time": "08:00", "close_time": "10:00", "interval_min": 60,
               "volume_per_day": 1000.0, "day_of_week_factors": [1.0] * 7},
}  # fmt: skip
OWN = [[300.0, 200.0], [100.0, 0.0]]  # 600 calls over the two days


def _calls(cfg: dict[str, Any]) -> float:
    return estimate(load_scenario(cfg).config, 2).calls


def test_types_with_their_own_forecast_count() -> None:
    only_own = dict(BASE, call_types=[{"name": "a", "expected_calls": OWN},
                                      {"name": "b", "expected_calls": OWN}])  # fmt: skip
    assert _calls(only_own) == pytest.approx(1200.0, rel=1e-12)  # not the centre's 2000
    mixed = dict(BASE, call_types=[{"name": "a", "share": 1.0},
                                   {"name": "b", "expected_calls": OWN}])  # fmt: skip
    assert _calls(mixed) == pytest.approx(2000.0 + 600.0, rel=1e-12)
    assert _calls(BASE) == pytest.approx(2000.0, rel=1e-12)
    big = dict(only_own, call_types=[{"name": "a", "expected_calls": [[5e5, 5e5]] * 2},
                                     {"name": "b", "expected_calls": OWN}])  # fmt: skip
    assert estimate(load_scenario(big).config, 2).memory_key.startswith(
        "call_types[0].expected_calls")


def test_groups_on_shifts_count_their_roster() -> None:
    shifts = [{"name": "m", "start": "08:00", "length_h": 2}]
    small = dict(BASE, workforce={"enabled": True}, call_types=[{"name": "a", "share": 1.0}],
                 agent_groups=[{"name": "g", "skills": {"a": 1}, "shifts": shifts,
                                "roster": {"m": 3}}])  # fmt: skip
    large = dict(small, agent_groups=[dict(small["agent_groups"][0], roster={"m": 3000})])
    assert estimate(load_scenario(large).config, 2).memory_bytes > estimate(
        load_scenario(small).config, 2).memory_bytes
