"""Inputs that used to fail ``callsim plan`` (issue 12), each with its right answer."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest
from test_plan import plan

from sim.app.plan import main as plan_main
from sim.app.plan_inputs import centre_config, patience_text
from sim.config.compose import compose
from sim.core.checks import ConfigError
from sim.core.law_schema import GammaLaw
from sim.laws.distributions import GENESYS_2020
from sim.theory import analytic

ONE = "interval_start,expected_calls,aht_s,interval_min\n2026-11-30 10:00,400,300,30\n"


@pytest.fixture
def one(tmp_path: Path) -> Path:
    f = tmp_path / "one.csv"
    f.write_text(ONE)
    return f


def test_patience_override_reaches_every_formula(tmp_path: Path, one: Path) -> None:
    """400 calls in 30 min, AHT 300 s, 80/20, exponential patience with mean 30 s: Erlang A
    and M/M/n+G need 59 agents (service level 0.8086 at 59, 0.7927 at 58; Erlang C
    ignores patience: 74). Given by --set or by --patience, the same answer."""
    for n, args in enumerate((["--set", "patience=exponential", "--set", "patience.mean_s=30"],
                              ["--patience", "exponential:30"])):  # fmt: skip
        out = plan(tmp_path, "--forecast", str(one), *args, "--out", f"p{n}")
        assert out.returncode == 0, out.stdout + out.stderr
        p = pd.read_csv(tmp_path / f"p{n}" / "plan.csv")
        assert p[["erlang_c_agents", "erlang_a_agents", "mmng_agents"]].iloc[0].tolist() == [
            74,
            59,
            59,
        ]
        assert "patience: exponential, mean 30 s" in out.stdout


def test_patience_laws_without_a_finite_mean(tmp_path: Path, one: Path) -> None:
    """never: nobody abandons, Erlang A and M/M/n+G are Erlang C (74). genesys2020 (3% never
    hang up): Erlang A is Erlang C, M/M/n+G its own answer, checked against the exact
    formula at n and n - 1."""
    out = plan(tmp_path, "--forecast", str(one), "--patience", "never", "--out", "n")
    assert out.returncode == 0 and "Traceback" not in out.stdout + out.stderr
    p = pd.read_csv(tmp_path / "n" / "plan.csv").iloc[0]
    assert [p["erlang_c_agents"], p["erlang_a_agents"], p["mmng_agents"]] == [74, 74, 74]
    out = plan(tmp_path, "--forecast", str(one), "--patience", "genesys2020", "--methods",
               "mmng", "--out", "g")  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    n = int(pd.read_csv(tmp_path / "g" / "plan.csv")["mmng_agents"].iloc[0])
    lam = 400.0 / 1800.0
    assert analytic.mmng(lam, 300.0, n, GENESYS_2020).service_level(20.0) >= 0.8
    assert analytic.mmng(lam, 300.0, n - 1, GENESYS_2020).service_level(20.0) < 0.8


def test_lunch_gap_forecast_plans_and_simulates(tmp_path: Path) -> None:
    """10:00-12:00 and 13:00-14:00: planned by simulation (the gap is closed) and then
    re-simulated from plan.csv alone."""
    rows = ["2026-11-30 10:00,40", "2026-11-30 10:30,50", "2026-11-30 11:00,60",
            "2026-11-30 11:30,50", "2026-11-30 13:00,70", "2026-11-30 13:30,60"]  # fmt: skip
    f = tmp_path / "lunch.csv"
    f.write_text("interval_start,expected_calls,aht_s,interval_min\n"
                 + "".join(f"{r},300,30\n" for r in rows))  # fmt: skip
    out = plan(tmp_path, "--forecast", str(f), "--simulate", "--out", "p")
    assert out.returncode == 0, out.stdout + out.stderr
    p = pd.read_csv(tmp_path / "p" / "plan.csv")
    assert len(p) == 6 and (p["simulation_agents"] >= 1).all()
    assert (p["simulation_met"] == 1).all()
    check = plan(tmp_path, "--plan", str(tmp_path / "p" / "plan.csv"), "--out", "s",
                 command="simulate-plan")  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert len(pd.read_csv(tmp_path / "s" / "intervals.csv")) == 6


def test_out_onto_an_existing_folder(tmp_path: Path, one: Path) -> None:
    """Refused before any computation (exit 2, one line); --overwrite replaces it."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "old.txt").write_text("x")
    out = plan(tmp_path, "--forecast", str(one), "--out", "p")
    assert out.returncode == 2 and "--out 'p': the folder exists" in out.stdout + out.stderr
    assert "planning" not in out.stdout  # nothing was computed
    out = plan(tmp_path, "--forecast", str(one), "--out", "p", "--overwrite")
    assert out.returncode == 0
    assert (tmp_path / "p" / "plan.csv").is_file() and not (tmp_path / "p" / "old.txt").exists()


def test_shifts_on_a_24h_centre_ignore_the_unused_agents_list() -> None:
    """The default staffing.agents has 24 values (08:00-20:00); with shifts on a 24 h
    centre it is unused and no longer checked."""
    cfg = compose(["center.open_time=00:00", "center.close_time=24:00", "center.profile=null",
                   "workforce.enabled=true",
                   'staffing.shifts=[{name: a, start: "00:00", length_h: 8},'
                   '{name: b, start: "08:00", length_h: 8},{name: c, start: "16:00", length_h: 8}]',
                   "staffing.roster={a: 4, b: 9, c: 6}"])  # fmt: skip
    assert cfg.staffing.shifts is not None
    from sim.model.callcenter import CallCenter

    assert CallCenter(cfg).on_phone.shape[1] == 48


def test_set_switches_a_laws_kind() -> None:
    """``callsim plan --set patience.kind=gamma --set ...``: the centre's patience is that
    gamma; a key of another kind is refused with one line naming it."""
    sets = ["patience.kind=gamma", "patience.mean_s=60", "patience.cv=1.5"]
    centre = centre_config(argparse.Namespace(set=sets, model="planning", patience=None))
    assert centre.patience == GammaLaw(mean_s=60.0, cv=1.5)
    assert patience_text(centre) == "gamma, mean 60 s"
    bad = argparse.Namespace(set=["patience=exponential", "patience.cv=2"], model="planning",
                             patience=None)  # fmt: skip
    with pytest.raises(ConfigError, match=r"patience\.cv = 2: not a key of kind exponential"):
        centre_config(bad)


# --------------------------------------------------------------------------- forecast options

EXPORT = (  # a WFM tool's export: `;`, decimal commas, day-first dates (never above 12),
    # its own header names, two queues
    "Begin;Offered;Talk+Wrap (s);Skill\n"
    "01/12/2026 08:00;50,5;270;Sales\n"
    "01/12/2026 08:00;20,0;300;Billing\n"
    "01/12/2026 08:30;60,0;270;Sales\n"
    "01/12/2026 08:30;25,0;300;Billing\n"
)
MAPPING = "interval_start=Begin,expected_calls=Offered,aht_s=Talk+Wrap (s)"


def _args(*argv: str):  # the parsed options of `callsim plan`
    from sim.app.plan import parser

    return parser().parse_args(list(argv))


def test_forecast_options_read_a_planners_export(tmp_path: Path) -> None:
    """--columns maps the headers, --date-order decides 01/12 (1 December, not 12 January),
    --queue picks one queue; the same file without them is refused, naming why."""
    from sim.app.plan_inputs import forecast_from_args
    from sim.core.checks import ConfigError

    f = tmp_path / "export.csv"
    f.write_text(EXPORT)
    fc = forecast_from_args(_args("--forecast", str(f), "--columns", MAPPING, "--date-order",
                                  "dmy", "--queue", "Sales"))  # fmt: skip
    assert fc is not None
    assert fc.table["start"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2026-12-01 08:00", "2026-12-01 08:30"]  # fmt: skip
    assert fc.table["expected_calls"].tolist() == [50.5, 60.0]
    mdy = forecast_from_args(_args("--forecast", str(f), "--columns", MAPPING, "--date-order",
                                   "mdy", "--queue", "Billing"))  # fmt: skip
    assert mdy is not None and mdy.first_date.isoformat() == "2026-01-12"
    assert mdy.table["aht_s"].tolist() == [300.0, 300.0]
    for argv, message in (
        ([], r"column interval_start: missing from the header"),
        (["--columns", MAPPING], r"2 queues \(Billing, Sales\): .* choose one with queue=NAME"),
        (["--columns", MAPPING, "--queue", "Sales"], r"day/month or month/day\? .* give date_order=dmy or mdy"),
        (["--columns", MAPPING, "--date-order", "dmy", "--queue", "Tech"], r"no row of queue 'Tech'"),
        (["--columns", "start=Begin"], r"column mapping 'start': unknown column"),
        (["--sheet", "Week 49"], r"--sheet 'Week 49': .*export.csv is not an Excel file"),
    ):  # fmt: skip
        with pytest.raises(ConfigError, match=message):
            forecast_from_args(_args("--forecast", str(f), *argv))


def test_forecast_options_need_a_forecast_file() -> None:
    from sim.app.plan_inputs import forecast_from_args
    from sim.core.checks import ConfigError

    assert forecast_from_args(_args()) is None  # the centre's own forecast
    for argv in (["--columns", MAPPING], ["--queue", "Sales"], ["--sheet", "S"],
                 ["--date-order", "dmy"]):  # fmt: skip
        with pytest.raises(ConfigError, match=r"reads a forecast file; give --forecast FILE"):
            forecast_from_args(_args(*argv))


def test_xlsx_sheet_and_queue_through_the_loop(tmp_path: Path) -> None:
    """An Excel workbook whose second sheet holds the forecast: plan it for one queue (plan.csv
    says which queue), then simulate the plan against the same sheet."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    ws = book.create_sheet("Week 49")
    for line in EXPORT.replace(",", ".").splitlines():
        ws.append([float(c) if c.replace(".", "").isdigit() else c for c in line.split(";")])
    path = tmp_path / "wfm.xlsx"
    book.save(path)
    opts = ["--columns", MAPPING, "--date-order", "dmy", "--queue", "Sales", "--sheet", "Week 49"]
    out = plan(tmp_path, "--forecast", str(path), *opts, "--methods", "erlang_a", "--out", "p")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "queue Sales" in out.stdout
    p = pd.read_csv(tmp_path / "p" / "plan.csv")
    assert p["queue"].tolist() == ["Sales", "Sales"]
    assert p["interval_start"].tolist() == ["2026-12-01 08:00", "2026-12-01 08:30"]
    run = plan(tmp_path, "--plan", "p/plan.csv", "--forecast", str(path), *opts,
               "--replications", "4", "--out", "s", command="simulate-plan")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert pd.read_csv(tmp_path / "s" / "forecast.csv")["expected_calls"].tolist() == [50.5, 60.0]
    bad = plan(tmp_path, "--forecast", str(path), *opts[:-1], "Sheet9", "--out", "q")
    assert bad.returncode == 2 and "no sheet 'Sheet9' (sheets: Notes, Week 49)" in bad.stdout


SCENARIO = """# @package _global_
call_types:
  - {name: billing, share: 0.6}
  - {name: tech, share: 0.4}
agent_groups:
  - {name: billing, agents: 6, skills: {billing: 1}}
  - {name: tech, agents: 5, skills: {tech: 1, billing: 2}}
run:
  name: two_small
"""


def test_plan_finds_a_scenario_of_its_config_dir(tmp_path: Path) -> None:
    """``callsim plan --config-dir DIR --set scenario=mine``: DIR's scenario is planned
    (its groups in plan_groups.csv), and the printed command carries DIR along; a folder
    that does not exist is one line naming --config-dir."""
    (tmp_path / "mine" / "scenario").mkdir(parents=True)
    (tmp_path / "mine" / "scenario" / "two_small.yaml").write_text(SCENARIO)
    out = plan_main(["--config-dir", str(tmp_path / "mine"), "--set", "scenario=two_small",
                     "--set", "run.days=1", "--out", str(tmp_path / "plan")])  # fmt: skip
    groups = pd.read_csv(out / "plan_groups.csv")
    assert set(groups["agent_group"]) == {"billing", "tech"}
    centre = json.loads((out / "centre.json").read_text())  # a group plan records it too
    assert centre["set"] == ["scenario=two_small", "run.days=1"]
    assert centre["config_dir"] == str((tmp_path / "mine").resolve())
    with pytest.raises(ConfigError, match=r"--config-dir '.*nope': no such folder"):
        plan_main(["--config-dir", str(tmp_path / "nope"), "--out", str(tmp_path / "p2")])
