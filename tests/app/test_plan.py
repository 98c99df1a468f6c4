"""``callsim plan`` end to end (``sim.plan``), in a temporary folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "sim" / "config" / "yaml" / "forecast" / "example_week.csv"


def plan(cwd: Path, *args: str, command: str = "plan") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.app.cli", command, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HYDRA_FULL_ERROR": ""},
    )


def test_plan_from_a_forecast_file_with_a_roster(tmp_path: Path) -> None:
    out = plan(tmp_path, "--forecast", str(EXAMPLE), "--methods", "erlang_c",
               "--shrinkage", "0.3", "--roster", "--out", "p")  # fmt: skip
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "p"
    for name in ("plan.csv", "roster.csv", "roster_agents.csv", "roster_cover.csv",
                 "roster_summary.json", "figures/plan.png"):  # fmt: skip
        assert (folder / name).is_file(), name
    p = pd.read_csv(folder / "plan.csv")
    assert len(p) == 120 and (p["erlang_c_service_level"] >= 0.8).all()
    # 30% shrinkage: scheduled = ceil(net / 0.7)
    assert (p["erlang_c_scheduled"] * 0.7 >= p["erlang_c_agents"] - 1e-9).all()
    cover = pd.read_csv(folder / "roster_cover.csv")
    assert (cover["under"] == 0).all()
    assert (cover["required"] == p["erlang_c_scheduled"]).all()
    # weekly tours of the default contracts: 5 days of 8 h or 5 days of 4 h, days off
    agents = pd.read_csv(folder / "roster_agents.csv")
    assert set(zip(agents["contract"], agents["paid_hours"], strict=True)) <= {
        ("full-time", 40.0), ("part-time", 20.0)}  # fmt: skip
    assert (agents["days_off"] == "Sat Sun").all()  # a Monday-Friday forecast
    assert "roster" in out.stdout and "paid hours" in out.stdout and "FTE" in out.stdout


def test_bad_forecast_stops_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "f.csv"
    bad.write_text("interval_start,expected_calls,aht_s\n2026-11-30 08:00,10,270\n"
                   "2026-11-30 08:30,-3,270\n")  # fmt: skip
    out = plan(tmp_path, "--forecast", str(bad))
    text = out.stdout + out.stderr
    assert out.returncode == 2
    assert "line 3, column expected_calls" in text and "Traceback" not in text
    assert not (tmp_path / "results").exists()


def test_bad_targets_and_methods_stop_with_one_line(tmp_path: Path) -> None:
    for args, expected in (
        (["--shrinkage", "1.2"], "shrinkage = 1.2"),
        (["--methods", "erlang_x"], "--methods 'erlang_x'"),
        (["--patience", "weibull:3"], "--patience 'weibull:3'"),
    ):
        out = plan(tmp_path, "--forecast", str(EXAMPLE), *args)
        assert out.returncode == 2, args
        assert expected in out.stdout + out.stderr
        assert "Traceback" not in out.stdout + out.stderr


def test_plan_by_simulation_of_the_centre_config(tmp_path: Path) -> None:
    out = plan(tmp_path, "--methods", "erlang_c", "--simulate", "--replications", "2",
               "--set", "run.days=1", "--set", "customers.enabled=false", "--out", "p")  # fmt: skip
    assert out.returncode == 0, out.stderr
    p = pd.read_csv(tmp_path / "p" / "plan.csv")
    assert len(p) == 24
    for col in ("simulation_agents", "simulation_scheduled", "simulation_service_level"):
        assert col in p.columns
    assert (p["simulation_service_level"] >= 0.8).all()  # every interval met it (planning seeds)
    assert "simulation" in out.stdout
    small = tmp_path / "f.csv"
    small.write_text("interval_start,expected_calls,aht_s\n2026-11-30 08:00,40,270\n"
                     "2026-11-30 08:30,60,270\n2026-11-30 09:00,50,300\n")  # fmt: skip
    both = plan(tmp_path, "--forecast", str(small), "--methods", "erlang_c", "--simulate",
                "--replications", "2", "--set", "customers.enabled=false", "--out", "q")  # fmt: skip
    assert both.returncode == 0, both.stdout + both.stderr
    q = pd.read_csv(tmp_path / "q" / "plan.csv")
    assert len(q) == 3 and (q["simulation_agents"] >= 1).all()


def test_profit_curve_on_the_planning_model(tmp_path: Path) -> None:
    out = plan(tmp_path, "--forecast", str(EXAMPLE), "--methods", "erlang_a", "--profit",
               "0.8,1,1.2", "--replications", "4", "--out", "p")  # fmt: skip
    assert out.returncode == 0, out.stderr
    curve = pd.read_csv(tmp_path / "p" / "profit.csv")
    assert curve["multiplier"].tolist() == [0.8, 1.0, 1.2]
    # more agents: more cost, higher service level, fewer customers lost (same callers)
    assert curve["agent_cost"].is_monotonic_increasing
    assert curve["service_level"].is_monotonic_increasing
    assert curve["customers_lost"].is_monotonic_decreasing
    assert (tmp_path / "p" / "figures" / "profit.png").is_file()
    assert "profit: planning model; agents cost 30 EUR/hour" in out.stdout
    assert "profit: highest mean profit at 1.20" in out.stdout
    # the best is the grid's edge: the output says the optimum may lie beyond (trial)
    assert (
        "1.20 is the largest multiplier tried: the most profitable staffing may lie beyond"
        in out.stdout
    )
    # economics that make thin staffing pay: the output warns that the target is far off
    cheap = plan(tmp_path, "--forecast", str(EXAMPLE), "--methods", "erlang_a", "--profit",
                 "0.6,1", "--replications", "2", "--value-days", "1", "--out", "q")  # fmt: skip
    assert cheap.returncode == 0, cheap.stderr
    text = cheap.stdout + cheap.stderr
    assert "--value-days 1: a lost customer valued over fewer than 90 days" in text
    assert "the highest mean profit (0.60 x the plan) has service level" in text
    assert "points below the 80% target" in text
    assert "0.60 is the smallest multiplier tried" in text
    for args in (["--profit", "0.9,abc"], ["--profit", "1,-1"]):
        bad = plan(tmp_path, *args)
        assert bad.returncode == 2 and "--profit" in bad.stdout + bad.stderr
    research = plan(tmp_path, "--profit", "1", "--model", "research", "--out", "r")
    assert research.returncode == 2 and "planning model" in research.stdout + research.stderr


def test_roster_options_are_met_or_refused_before_the_roster(tmp_path: Path) -> None:
    """--contracts, --max-part-time-share and --seats reach the roster: a headcount cap,
    the part-time share and the seats in use are within their caps, and the cover holds.
    Options without --roster, a bad contract and too few seats stop with one line."""
    out = plan(tmp_path, "--forecast", str(EXAMPLE), "--methods", "erlang_a", "--shrinkage",
               "0.3", "--roster", "--contracts", "ft=5x8,pt=5x4:part:max=10,mid=5x6",
               "--max-part-time-share", "0.2", "--seats", "52", "--out", "p")  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    summary = json.loads((tmp_path / "p" / "roster_summary.json").read_text())
    assert summary["headcount_pt"] <= 10 and summary["part_time_share"] <= 0.2 + 1e-9
    cover = pd.read_csv(tmp_path / "p" / "roster_cover.csv")
    assert cover["in_seat"].max() <= 52 and (cover["under"] == 0).all()
    assert set(pd.read_csv(tmp_path / "p" / "roster.csv")["contract"]) <= {"ft", "pt", "mid"}
    for args, message in (
        (["--seats", "10"], "--seats 10: a roster option; give --roster too"),
        (["--roster", "--contracts", "ft=5h8"], "--contracts 'ft=5h8': must be NAME=DAYSxHOURS"),
        (["--roster", "--max-part-time-share", "1.5"], "--max-part-time-share 1.5: must be in [0, 1]"),
        (["--roster", "--seats", "40", "--shrinkage", "0.3"], "--seats 40: the plan needs 45 agents"),
    ):  # fmt: skip
        bad = plan(tmp_path, "--forecast", str(EXAMPLE), "--methods", "erlang_a", *args,
                   "--out", "q")  # fmt: skip
        assert bad.returncode == 2 and message in bad.stdout, (args, bad.stdout + bad.stderr)
        assert not (tmp_path / "q").exists()
