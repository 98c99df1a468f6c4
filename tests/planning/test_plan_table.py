"""``plan.csv`` for a spreadsheet (``sim.planning.plan_table``): dates, 1-based days, clock times,
rounded numbers, and back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config.compose import CONFIG_DIR
from sim.laws.distributions import GENESYS
from sim.planning.forecast import read_forecast
from sim.planning.plan_table import plan_for_spreadsheet, plan_from_spreadsheet
from sim.planning.planner import PlanTarget, plan_intervals

EXAMPLE = Path(CONFIG_DIR) / "forecast" / "example_week.csv"


def _plan() -> tuple[pd.DataFrame, float]:
    fc = read_forecast(EXAMPLE)
    req = plan_intervals(fc.arrival_rate_per_s, fc.table["aht_s"].to_numpy(),
                         PlanTarget(shrinkage=0.3), ["erlang_c", "erlang_a"], GENESYS,
                         progress=False)  # fmt: skip
    return pd.concat([fc.table, req], axis=1), fc.interval_s


def test_spreadsheet_columns(tmp_path: Path) -> None:
    plan, interval_s = _plan()
    sheet = plan_for_spreadsheet(plan, interval_s)
    assert list(sheet.columns[:9]) == ["interval_start", "day", "date", "weekday", "start_time",
                                       "end_time", "expected_calls", "aht_s", "load_erlangs"]  # fmt: skip
    first = sheet.iloc[0]
    assert (first["interval_start"], first["day"], first["date"], first["weekday"]) == (
        "2026-11-30 08:00", 1, "2026-11-30", "Mon")
    assert (first["start_time"], first["end_time"]) == ("08:00", "08:30")
    assert sheet["day"].tolist()[-1] == 5 and sheet["end_time"].iloc[-1] == "20:00"
    assert sheet["erlang_c_agents"].dtype == np.int64
    sl = sheet["erlang_a_service_level"]
    assert (sl == sl.round(3)).all() and (sl >= 0.8).all()
    assert (sheet["erlang_c_asa_s"] == sheet["erlang_c_asa_s"].round(1)).all()
    # written and read back as a forecast file: same intervals, calls to 2 decimals
    sheet.to_csv(tmp_path / "plan.csv", index=False)
    again = read_forecast(tmp_path / "plan.csv")
    assert again.table["start_s"].tolist() == plan["start_s"].tolist()
    np.testing.assert_allclose(again.table["expected_calls"], plan["expected_calls"], atol=0.005)


def test_back_to_the_planners_form() -> None:
    plan, interval_s = _plan()
    back = plan_from_spreadsheet(plan_for_spreadsheet(plan, interval_s))
    for name in ("start", "day", "clock", "start_s", "erlang_c_scheduled"):
        assert back[name].tolist() == plan[name].tolist(), name
    with pytest.raises(ValueError, match="missing column day"):
        plan_from_spreadsheet(pd.DataFrame({"interval_start": ["2026-11-30 08:00"]}))


def test_midnight_is_24_00() -> None:
    table = pd.DataFrame({"start": pd.to_datetime(["2026-11-30 23:30"]), "day": [0],
                          "expected_calls": [1.23456]})  # fmt: skip
    sheet = plan_for_spreadsheet(table, 1800.0)
    assert sheet["end_time"].tolist() == ["24:00"] and sheet["expected_calls"].tolist() == [1.23]
