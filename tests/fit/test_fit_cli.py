"""``callsim fit`` end to end: a log in, a scenario that ``callsim`` runs as it is, a report
and the estimates out; bad input stops with one line and exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from cli_run import callsim

import sim
from sim.config.compose import compose
from sim.core.law_schema import allowed_keys, law_config
from sim.fit.cli import main
from sim.fit.scenario import full_law
from sim.fit.simulated import log_from_calls

DATA = Path(__file__).resolve().parents[1] / "data" / "anonymous_bank"


def test_bank_sample_fits_and_the_scenario_runs(tmp_path: Path) -> None:
    out = tmp_path / "fit"
    assert main([str(DATA / "january_3-5.txt.gz"), "--out", str(out)]) == 0
    scenario = out / "scenario" / "fitted.yaml"
    assert scenario.read_text().startswith("# @package _global_")
    html = (out / "report.html").read_text()
    for fig in ("fig-arrivals", "fig-handle", "fig-patience", "fig-agents"):
        assert f'id="{fig}"' in html
    est = json.loads((out / "fit.json").read_text())
    assert est["patience"]["abandons"] > 100 and est["handle"]["chosen"]
    # as it is (7 days, one staffing list per day), one replication to keep the test short
    run = callsim(tmp_path, "--config-dir", str(out), "scenario=fitted", "run.replications=1")
    assert run.returncode == 0, run.stderr + run.stdout
    summary = next((tmp_path / "results" / "fitted").glob("*/summary.json"))
    assert json.loads(summary.read_text())
    # each law lists its kind's keys only; whichever handle law fit chooses, no key of the
    # default lognormal is merged under it (the scenario deselects the service group)
    keys = yaml.safe_load(scenario.read_text())
    laws = [keys["patience"], keys["service"]["talk"], keys["service"]["acw"]]
    for law in laws + ([keys["redials"]["delay"]] if "redials" in keys else []):
        assert set(law) == {"kind", *allowed_keys(law["kind"])} and None not in law.values()
    for n, spec in enumerate((
        {"kind": "weibull", "shape": 0.9, "scale_s": 200.0},
        {"kind": "empirical", "values_s": [50.0, 300.0]},
        {"kind": "gamma", "mean_s": 200.0, "cv": 0.9},
    )):  # fmt: skip
        keys["service"]["talk"] = full_law(spec)
        (out / "scenario" / f"talk{n}.yaml").write_text("# @package _global_\n" + yaml.safe_dump(keys))
        cfg = compose([f"hydra.searchpath=[file://{out.resolve()}]", f"scenario=talk{n}"])
        assert cfg.service.talk == law_config(spec)


def test_generic_csv_of_a_callsim_run_round_trip(tmp_path: Path) -> None:
    # callsim -> calls table -> generic CSV -> callsim fit -> scenario with the known laws
    cfg = {"center": {"volume_per_day": 2000.0}, "staffing": {"agents": 9},
           "service": {"talk": {"kind": "lognormal", "mean_s": 200.0, "cv": 1.0},
                       "acw": {"kind": "deterministic", "value_s": 0.0}},
           "patience": {"kind": "exponential", "mean_s": 120.0}, "run": {"days": 6, "seed": 3}}
    log = log_from_calls(sim.simulate(cfg).calls).calls
    stamp = pd.Timestamp("2001-01-01") + pd.to_timedelta(log["arrival_s"].round(), unit="s")
    csv = pd.DataFrame({"arrival": stamp.dt.strftime("%Y-%m-%d %H:%M:%S"),
                        "wait_s": log["wait_s"].round(3), "outcome": log["outcome"],
                        "handle_s": log["handle_s"].round(3), "agent_id": log["agent_id"]})
    path = tmp_path / "calls.csv"
    csv.to_csv(path, index=False)
    out = tmp_path / "fit"
    assert main([str(path), "--out", str(out), "--hours", "08:00-20:00"]) == 0
    keys = yaml.safe_load((out / "scenario" / "fitted.yaml").read_text())
    assert keys["center"]["open_time"] == "08:00" and keys["center"]["close_time"] == "20:00"
    assert keys["service"]["talk"]["kind"] == "lognormal"
    est = json.loads((out / "fit.json").read_text())
    lo, hi = est["patience"]["exp_rate_ci"]
    assert lo <= 1 / 120.0 <= hi
    # 2000 calls a day on Monday..Saturday: the weekday levels are within 4 sd of 2000
    level = est["arrivals"]["volume_per_day"] * np.asarray(est["arrivals"]["day_of_week_factors"])
    assert np.all(np.abs(level[:6] - 2000.0) < 4 * np.sqrt(2000.0))
    assert len(keys["staffing"]["agents"]) == 7


def test_bad_input_one_line_exit_2(tmp_path: Path, capsys: object) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("arrival,wait_s,outcome,handle_s\n2024-01-01 10:00:00,-1,answered,5\n")
    run = callsim(tmp_path, "fit", str(bad), "--out", str(tmp_path / "o"))
    assert run.returncode == 2
    assert run.stderr.strip() == (f"callsim fit: error: {bad}, line 2, column wait_s: '-1' "
                                  "must be a number of seconds >= 0")
    assert not (tmp_path / "o").exists()  # nothing written
    assert main([str(DATA / "quirks.txt"), "--out", str(tmp_path / "q"), "--type", "ZZ"]) == 2
