"""The `callsim` command end to end, in a temporary folder."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from cli_run import callsim

from sim.outputs.metrics import CALL_COLUMNS, INTERVAL_COLUMNS, SUMMARY_KEYS

SMALL = ["run.days=1", "run.replications=2"]


def _only_run(folder: Path) -> Path:
    runs = [p for p in folder.iterdir() if p.is_dir()]
    assert len(runs) == 1, runs
    return runs[0]


def test_baseline_writes_a_complete_results_folder(tmp_path: Path) -> None:
    out = callsim(tmp_path, *SMALL)
    assert out.returncode == 0, out.stderr
    assert "service level (20 s)" in out.stdout
    assert "results: results/baseline/" in out.stdout
    run = _only_run(tmp_path / "results" / "baseline")
    for name in ("config.yaml", "summary.json", "summary.csv", "replications.csv",
                 "intervals.parquet", "calls.parquet", "figures/intervals.png"):  # fmt: skip
        assert (run / name).is_file(), name
    summary = json.loads((run / "summary.json").read_text())
    assert set(summary["kpis"]) == set(SUMMARY_KEYS)
    assert summary["replications"] == 2
    calls = pd.read_parquet(run / "calls.parquet")
    assert list(calls.columns) == list(CALL_COLUMNS)
    intervals = pd.read_parquet(run / "intervals.parquet")
    assert list(intervals.columns) == [*INTERVAL_COLUMNS, "replication"]
    assert len(intervals) == 2 * 24
    assert not list(run.parent.glob("*.partial-*"))


def test_override_changes_the_run(tmp_path: Path) -> None:
    out = callsim(tmp_path, *SMALL, "staffing.agents=40", "run.name=forty")
    assert out.returncode == 0, out.stderr
    run = _only_run(tmp_path / "results" / "forty")
    intervals = pd.read_parquet(run / "intervals.parquet")
    assert (intervals["scheduled_agents"] == 40).all()
    assert (run / "overrides.txt").read_text().splitlines() == [
        *SMALL,
        "staffing.agents=40",
        "run.name=forty",
    ]


def test_multirun_of_two_points(tmp_path: Path) -> None:
    out = callsim(tmp_path, "-m", *SMALL, "staffing.agents=20,40", "run.name=sweep")
    assert out.returncode == 0, out.stderr
    sweep = tmp_path / "results" / "sweep" / "sweep"  # results/<run.name>/sweep/<overrides>
    levels = []
    for agents in (20, 40):
        point = f"run.days=1,run.replications=2,staffing.agents={agents}"
        summary = json.loads((sweep / point / "summary.json").read_text())
        levels.append(summary["kpis"]["service_level"]["mean"])
    assert levels[1] > levels[0]  # 40 agents answer faster than 20


def test_kinds_switched_on_the_command_line_and_in_a_sweep(tmp_path: Path) -> None:
    """``patience=exponential patience.mean_s=30`` (a group option and its mean), and
    ``patience.kind=gamma`` with its keys in a sweep; ``service.talk.kind=exponential``
    drops the default lognormal's cv. Each stored config.yaml lists the kind's keys only."""
    out = callsim(tmp_path, *SMALL, "patience=exponential", "patience.mean_s=30",
                  "run.name=expo", "output.figures=false")  # fmt: skip
    assert out.returncode == 0, out.stderr
    stored = yaml.safe_load((_only_run(tmp_path / "results" / "expo") / "config.yaml").read_text())
    assert stored["patience"] == {"kind": "exponential", "mean_s": 30.0}
    out = callsim(tmp_path, "-m", *SMALL, "patience.kind=gamma", "patience.mean_s=60,120",
                  "patience.cv=1.5", "service.talk.kind=exponential", "run.name=gam",
                  "output.figures=false")  # fmt: skip
    assert out.returncode == 0, out.stderr
    points = sorted((tmp_path / "results" / "gam" / "sweep").glob("*/config.yaml"))
    assert len(points) == 2
    for mean, point in zip((120.0, 60.0), points, strict=True):  # "...=120" sorts first
        stored = yaml.safe_load(point.read_text())
        assert stored["patience"] == {"kind": "gamma", "mean_s": mean, "cv": 1.5}
        assert stored["service"]["talk"] == {"kind": "exponential", "mean_s": 240.0}


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("center.volume_per_day=-5", "center.volume_per_day = -5.0: must be a finite number > 0"),
        ("staffing.agents=0", "staffing.agents = 0"),
        ("patience.kind=weird", "patience.kind = 'weird': unknown kind"),
        ("center.close_time=07:00", "must be after center.open_time"),
    ],
)
def test_bad_input_exits_nonzero_with_one_clear_line(
    tmp_path: Path, override: str, expected: str
) -> None:
    out = callsim(tmp_path, override)
    assert out.returncode == 2
    text = out.stdout + out.stderr
    assert expected in text
    assert "Traceback" not in text
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("center.volume_per_day=abc", "center.volume_per_day = 'abc': must be a number (float)"),
        ("center.volum=5", "center.volum: unknown key (allowed here: name, open_time"),
        ("run.days=1,two", "run.days = 'two': must be a whole number (int)"),  # a sweep value
    ],
)
def test_type_errors_and_typos_are_caught_by_the_schema(
    tmp_path: Path, override: str, expected: str
) -> None:
    out = callsim(tmp_path, "-m", override)
    assert out.returncode == 2
    text = out.stdout + out.stderr
    assert expected in text and len(text.strip().splitlines()) == 1, text
    assert "Traceback" not in text
    assert not (tmp_path / "results").exists()


def test_interrupted_run_leaves_no_results_folder(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.app.cli", "run.days=60", "run.replications=50"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:  # wait until it is simulating
        line = proc.stdout.readline()
        if "simulating baseline" in line:
            break
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    results = tmp_path / "results"
    assert not list(results.rglob("summary.json")) if results.exists() else True
    assert not list(results.rglob("*.partial-*")) if results.exists() else True


@pytest.mark.parametrize("scenario", ["steady_genesys", "steady_erlang_a", "steady_erlang_b",
                                      "steady_erlang_c"])  # fmt: skip
def test_validate_prints_exact_next_to_simulated(tmp_path: Path, scenario: str) -> None:
    """`callsim validate` on each steady scenario (small: the numbers are checked elsewhere)."""
    small = ["run.days=1", "run.replications=2", "run.warmup_s=3600"]
    out = callsim(tmp_path, "validate", f"scenario={scenario}", *small)
    assert out.returncode == 0, out.stderr
    formula = {"steady_genesys": "mmng", "steady_erlang_a": "erlang_a",
               "steady_erlang_b": "erlang_b", "steady_erlang_c": "erlang_c"}[scenario]  # fmt: skip
    assert f"formula {formula}, 2 replications" in out.stdout
    assert "exact" in out.stdout and "simulated" in out.stdout
    assert not (tmp_path / "results").exists()  # validate prints, it writes no results


def test_validate_refuses_a_config_no_formula_fits(tmp_path: Path) -> None:
    out = callsim(tmp_path, "validate", "scenario=baseline", "run.days=1")
    assert out.returncode == 2
    assert "center.open_time" in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr


def test_return_freed_memory_says_whether_it_could() -> None:
    """glibc's mmap threshold (callsim run, issue 16): True where glibc took it."""
    import platform

    from sim.app.hydra_app import return_freed_memory

    assert return_freed_memory() is (sys.platform == "linux" and platform.libc_ver()[0] == "glibc")
