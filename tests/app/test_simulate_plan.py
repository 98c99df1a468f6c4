"""``callsim simulate-plan`` and ``callsim marginal`` end to end, and their libraries."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_plan import plan

from sim.config.compose import compose
from sim.core.checks import ConfigError
from sim.planning.forecast import _build
from sim.planning.marginal import marginal_analysis, scope_mask
from sim.planning.plancheck import load_staffing, simulate_plan
from sim.planning.planmodel import planning_model
from sim.planning.planner import PlanTarget

ROWS = [40, 60, 80, 70, 50, 30, 40, 50, 60, 50, 40, 30, 30, 20, 20, 10]


def _forecast(tmp_path: Path) -> Path:
    f = tmp_path / "f.csv"
    f.write_text("interval_start,expected_calls,aht_s\n" + "".join(
        f"2026-11-30 {8 + i // 2:02d}:{30 * (i % 2):02d},{c},240\n" for i, c in enumerate(ROWS)))  # fmt: skip
    return f


def test_simulate_plan_command_writes_report_with_traffic_lights(tmp_path: Path) -> None:
    f = _forecast(tmp_path)
    one_day = plan(tmp_path, "--forecast", str(f), "--methods", "mmng", "--roster", "--out", "o")
    assert one_day.returncode == 2  # weekly contracts cannot work a one-day forecast; before any work
    assert "roster: a shift fits on 1 day(s) a week (Mon) but every contract works more" in one_day.stdout
    assert "planning" not in one_day.stdout
    out = plan(tmp_path, "--forecast", str(f), "--methods", "mmng", "--shrinkage", "0.25",
               "--roster", "--contracts", "day=1x8,half=1x4:part", "--out", "p")  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    for column, extra in (("mmng_agents", []), ("mmng_scheduled", ["--shrinkage", "0.25"])):
        run = plan(tmp_path, "--plan", "p/plan.csv", "--column", column, *extra,
                   "--set", "run.seed=5", "--out", f"s_{column}", command="simulate-plan")  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        iv = pd.read_csv(tmp_path / f"s_{column}" / "intervals.csv")
        assert len(iv) == 16 and set(iv["light"]) <= {"green", "amber", "red"}
        assert (iv["service_level_ci_low"] <= iv["service_level"]).all()
        html = (tmp_path / f"s_{column}" / "report.html").read_text()
        assert "Simulated plan" in html and "&#9679;" in html
        assert "intervals:" in run.stdout and "model: planning" in run.stdout
    # the roster's agents on the phone, less shrinkage
    run = plan(tmp_path, "--plan", "p/roster.csv", "--forecast", str(f),
               "--shrinkage", "0.25", "--out", "r", command="simulate-plan")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "roster: agents on the phone, less 25% shrinkage" in run.stdout
    iv = pd.read_csv(tmp_path / "r" / "intervals.csv")
    cover = pd.read_csv(tmp_path / "p" / "roster_cover.csv")
    assert (iv["agents"] == np.floor(cover["on_phone"] * 0.75 + 1e-9)).all()
    alone = plan(tmp_path, "--plan", "p/roster.csv", "--out", "r2", command="simulate-plan")
    assert alone.returncode == 2 and "a roster.csv holds no forecast; give --forecast" in alone.stdout
    short = tmp_path / "short.csv"
    short.write_text("interval_start,expected_calls,aht_s\n2026-11-30 08:00,40,240\n"
                     "2026-11-30 08:30,50,240\n")  # fmt: skip
    few = plan(tmp_path, "--forecast", str(short), "--roster", "--contracts", "day=1x8,half=1x4",
               "--out", "z")  # fmt: skip
    assert few.returncode == 2
    assert "roster: the interval Mon 2026-11-30 08:00 has calls but no shift" in few.stdout
    assert "planning" not in few.stdout and "Traceback" not in few.stdout + few.stderr
    bad = plan(tmp_path, "--plan", "p/plan.csv", "--column", "nope", "--out", "x",
               command="simulate-plan")  # fmt: skip
    assert bad.returncode == 2 and "column 'nope': no such column" in bad.stdout + bad.stderr
    assert not (tmp_path / "x").exists()


def test_marginal_command(tmp_path: Path) -> None:
    f = _forecast(tmp_path)
    assert plan(tmp_path, "--forecast", str(f), "--methods", "mmng", "--out", "p").returncode == 0
    run = plan(tmp_path, "--plan", "p/plan.csv", "--interval", "2026-11-30 09:00",
               "--replications", "16", "--out", "m", command="marginal")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    m = pd.read_csv(tmp_path / "m" / "marginal.csv")
    assert set(m["change"]) == {"one more", "one less"} and len(m) == 12
    assert "economics: agents 30 EUR/hour" in run.stdout
    bad = plan(tmp_path, "--plan", "p/plan.csv", "--day", "2027-01-01", "--out", "y",
               command="marginal")  # fmt: skip
    assert bad.returncode == 2 and "--day '2027-01-01'" in bad.stdout + bad.stderr


def _model(seed: int = 1):
    starts = [datetime(2026, 11, 30, 8) + timedelta(minutes=30 * i) for i in range(6)]
    fc = _build(starts, [float(c) for c in ROWS[:6]], [240.0] * 6, 1800.0)
    return planning_model(compose(["model=planning", f"run.seed={seed}"]), fc)


def test_marginal_paired_differences_are_sharp_and_signed() -> None:
    """One agent more at 09:00 raises that interval's service level and cuts abandoned
    calls (common random numbers: CIs exclude 0); one less does the opposite; agent cost
    moves by exactly 30 min x 30 EUR/hour; the paired CI is narrower than the spread of
    the levels themselves would allow unpaired."""
    m = _model()
    agents = np.array([7, 10, 12, 11, 8, 6])
    scope = scope_mask(m, interval="2026-11-30 09:00")
    assert scope.tolist() == [False, False, True, False, False, False]
    t = marginal_analysis(m, agents, scope, compose(["model=planning"]), replications=32)
    row = t.set_index(["change", "measure"])
    assert row.loc[("one more", "service_level_scope"), "ci_low"] > 0
    assert row.loc[("one less", "service_level_scope"), "ci_high"] < 0
    assert row.loc[("one more", "abandoned"), "ci_high"] < 0
    assert row.loc[("one more", "agent_cost"), "difference"] == pytest.approx(15.0)
    assert row.loc[("one less", "profit"), "difference"] < 0


def test_simulate_plan_library_and_staffing_files(tmp_path: Path) -> None:
    m = _model()
    check = simulate_plan(m, np.array([7, 10, 12, 11, 8, 6]), PlanTarget(), replications=8)
    assert len(check.intervals) == 6 and check.summary["intervals"].iloc[0] == 6
    with pytest.raises(ValueError, match="agents"):
        simulate_plan(m, np.array([1, 2]), PlanTarget())
    bad = tmp_path / "p.csv"
    bad.write_text("start,x_agents\n2026-11-30 08:00,3\n2026-11-30 08:30,-1\n")
    with pytest.raises(ConfigError, match="line 3, column x_agents"):
        load_staffing(bad, m.forecast, None, 0.0)
    short = tmp_path / "q.csv"
    short.write_text("start,x_agents\n2026-11-30 08:00,3\n")
    with pytest.raises(ConfigError, match="no row for the forecast's interval"):
        load_staffing(short, m.forecast, None, 0.0)
