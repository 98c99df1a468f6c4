"""Economics: the arithmetic of agent cost, revenue, profit and value lost."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.core.schema import EconomicsConfig
from sim.outputs.economics import economics_summary, economics_table


def test_hand_example() -> None:
    days = pd.DataFrame(
        {
            "day": [0, 1],
            "revenue": [1000.0, 900.0],
            "lost_service": [2, 1],
            "lost_wom": [0, 3],
            "new_customers": [5, 0],
        }
    )
    cfg = EconomicsConfig(agent_cost_per_hour=30.0)
    table = economics_table(days, [36_000.0, 72_000.0], cfg, ltv=100.0)  # 10 h, 20 h
    assert table["agent_cost"].tolist() == [300.0, 600.0]
    assert table["profit"].tolist() == [700.0, 300.0]
    assert table["value_lost_to_service"].tolist() == [200.0, 400.0]
    assert table["value_won"].tolist() == [500.0, 0.0]
    assert "agent_cost" not in days  # the input is not modified
    assert economics_summary(table) == {
        "revenue": 1900.0,
        "agent_cost": 900.0,
        "profit": 1000.0,
        "customers_lost_to_service": 6.0,
        "value_lost_to_service": 600.0,
        "value_won": 500.0,
    }
    with pytest.raises(ValueError):
        economics_table(days, [1.0], cfg, ltv=1.0)
