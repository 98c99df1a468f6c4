"""Inputs that used to fail ``callsim plan`` (issue 12), each with its right answer."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest
from test_plan import plan

from sim.app.plan import centre_config, patience_text
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
