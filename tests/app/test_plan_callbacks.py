"""The planner's loop on a centre with callbacks (``scenario=callback_offered``), end to
end: ``callsim plan`` (formulas, simulation, roster, profit) -> ``simulate-plan`` of the
roster -> ``marginal`` of one agent less; and what stays refused, with one line each."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from test_plan import EXAMPLE, plan

CB = ["--set", "scenario=callback_offered"]


def test_the_whole_loop_on_a_centre_with_callbacks(tmp_path: Path) -> None:
    """A week of callback_offered: the plan has formula and simulation columns (the
    simulation runs the engine, callbacks served by the same agents), a roster, a profit
    curve and plan/planned.yaml; simulate-plan takes the roster and plan.csv, marginal
    takes plan.csv. Few replications: this checks the route, the statistics are
    tests/planning/test_callback_plan.py's."""
    out = plan(tmp_path, *CB, "--methods", "erlang_a,mmng", "--simulate", "--replications",
               "2", "--max-replications", "2", "--shrinkage", "0.2", "--roster", "--profit",
               "0.9,1", "--out", "p")  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "callbacks on (general_callback): the formulas plan the inbound calls" in out.stdout
    assert "simulating the centre with callbacks" in out.stdout
    p = pd.read_csv(tmp_path / "p" / "plan.csv")
    assert len(p) == 7 * 24 and "simulation_agents" in p.columns
    assert (p["simulation_service_level"] >= 0.8).all()  # met on the search's replications
    cover = pd.read_csv(tmp_path / "p" / "roster_cover.csv")
    assert (cover["under"] == 0).all() and (cover["required"] == p["simulation_scheduled"]).all()
    curve = pd.read_csv(tmp_path / "p" / "profit.csv")
    assert curve["multiplier"].tolist() == [0.9, 1.0]
    assert curve["service_level"].is_monotonic_increasing
    planned = yaml.safe_load((tmp_path / "p" / "plan" / "planned.yaml").read_text())
    assert [a for day in planned["staffing"]["agents"] for a in day] == p["simulation_agents"].tolist()
    assert "+plan=planned" in out.stdout and "scenario=callback_offered" in out.stdout
    # the roster, checked on replications the search did not see
    run = plan(tmp_path, "--plan", "p/roster.csv", "--shrinkage", "0.2", *CB, "--set",
               "run.seed=7", "--replications", "4", "--out", "s", command="simulate-plan")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "model: planning, with callbacks (the engine)" in run.stdout
    iv = pd.read_csv(tmp_path / "s" / "intervals.csv")
    assert len(iv) == 168 and (tmp_path / "s" / "forecast.csv").is_file()
    assert (iv["agents"] == (cover["on_phone"] * 0.8 + 1e-9).astype(int)).all()
    summary = pd.read_csv(tmp_path / "s" / "summary.csv").iloc[0]
    assert summary["service_level"] > 0.8  # the roster's extra hours: above the target
    # one agent less on Tuesday
    less = plan(tmp_path, "--plan", "p/plan.csv", *CB, "--day", "2026-12-01", "--replications",
                "4", "--out", "m", command="marginal")  # fmt: skip
    assert less.returncode == 0, less.stdout + less.stderr
    m = pd.read_csv(tmp_path / "m" / "marginal.csv").set_index(["change", "measure"])
    assert m.loc[("one less", "agent_cost"), "difference"] < 0
    assert m.loc[("one less", "service_level_scope"), "difference"] < 0


def test_what_stays_refused_says_why(tmp_path: Path) -> None:
    """A forecast file (the engine simulates the centre's own forecast), a plan made for
    another forecast (refused first as another centre: its folder records the baseline;
with --change-centre as another forecast), and the single-queue options on several
groups with callbacks."""
    own = plan(tmp_path, *CB, "--forecast", str(EXAMPLE), "--out", "f")
    assert own.returncode == 2
    assert "--forecast" in own.stdout and "not for a centre with callbacks" in own.stdout
    assert not (tmp_path / "f").exists()
    other = plan(tmp_path, "--forecast", str(EXAMPLE), "--methods", "erlang_c", "--out", "o")
    assert other.returncode == 0, other.stdout + other.stderr
    run = plan(tmp_path, "--plan", "o/plan.csv", *CB, "--out", "x", command="simulate-plan")
    assert run.returncode == 2 and "Traceback" not in run.stdout + run.stderr
    assert "scenario=callback_offered: not the centre the plan was made for" in run.stdout
    assert "centre.json: scenario=baseline)" in run.stdout  # its folder records its centre
    run = plan(tmp_path, "--plan", "o/plan.csv", *CB, "--change-centre", "--out", "x",
               command="simulate-plan")  # fmt: skip
    assert run.returncode == 2 and "Traceback" not in run.stdout + run.stderr
    assert "its forecast (120 intervals" in run.stdout and "is not the centre's" in run.stdout
    file = plan(tmp_path, "--plan", "o/plan.csv", "--forecast", str(EXAMPLE), *CB,
                "--change-centre", "--out", "y", command="simulate-plan")  # fmt: skip
    assert file.returncode == 2 and "not for a centre with callbacks" in file.stdout
    langs = plan(tmp_path, "--set", "scenario=two_languages", "--set", "callbacks.enabled=true",
                 "--roster", "--out", "z")  # fmt: skip
    assert langs.returncode == 2 and "rosters of several groups are not built yet" in langs.stdout
