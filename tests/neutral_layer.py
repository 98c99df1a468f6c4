"""The check that a neutral agent layer changes no queue figure: shared by the tests of
callbacks and outbound campaigns with agents (tests/queue/)."""

from __future__ import annotations

from typing import Any

import pytest

from sim.workforce.agents import WORKFORCE_DAY_COLUMNS

#: Summary keys of the agent layer itself (pay, cost, headcount), not the queue's.
_LAYER_KEYS = ("paid_hours", "agent_cost", "profit", "headcount_end", "attrition_annual")


def assert_same_queue_kpis(core: Any, agents: Any) -> None:
    """Every queue KPI of the run ``agents`` equals that of ``core`` exactly (NaN equals
    NaN); the workforce's day columns, pay, cost and headcount are left out."""
    for key, value in core.summary.items():
        if key in WORKFORCE_DAY_COLUMNS or key in _LAYER_KEYS:
            continue
        assert value == pytest.approx(agents.summary[key], nan_ok=True, rel=0, abs=0), key
