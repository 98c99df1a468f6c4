"""The Python sweep API (sim.app.sweep_api): the command line's folders and numbers,
resume, the per-point table, refusals before anything runs. Same small sizes as
tests/app/test_sweep.py: one simulated day, 2 replications a point."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cli_run import callsim

import sim
from sim.app.collect import point_table
from sim.app.sweep_api import point_folder_name
from sim.core.checks import ConfigError

SMALL = ["run.days=1", "run.replications=2", "output.figures=false", "output.calls_table=false"]
GRID = {"staffing.agents": [3, 5], "center.volume_per_day": [300, 400]}


def test_folder_names_are_hydras_override_dirname() -> None:
    """Sorted by key, joined by ',', without run.name/run.workers: as `callsim -m`."""
    assert point_folder_name(["run.name=x", "staffing.agents=3", "center.volume_per_day=300"]) == (
        "center.volume_per_day=300,staffing.agents=3"
    )
    assert point_folder_name(["run.workers=2"]) == "no-overrides"


def test_python_sweep_equals_the_cli_sweep_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sim.sweep writes the points `callsim -m` writes, with the same numbers; a second
    call simulates nothing; points.csv has one row per point with CIs."""
    (tmp_path / "cli").mkdir()
    cli = callsim(tmp_path / "cli", "-m", *SMALL, "run.name=grid",
                  "staffing.agents=3,5", "center.volume_per_day=300,400")  # fmt: skip
    assert cli.returncode == 0, cli.stdout + cli.stderr
    cli_root = tmp_path / "cli" / "results" / "grid" / "sweep"
    monkeypatch.chdir(tmp_path)
    res = sim.sweep([*SMALL, "run.name=grid"], GRID, folder="py", workers=2)
    assert res.simulated == 4
    names = sorted(p.name for p in res.folder.iterdir() if p.is_dir())
    assert names == sorted(p.name for p in cli_root.iterdir() if p.is_dir())
    for name in names:
        a = pd.read_csv(res.folder / name / "replications.csv")
        b = pd.read_csv(cli_root / name / "replications.csv")
        pd.testing.assert_frame_equal(a, b)
    again = sim.sweep([*SMALL, "run.name=grid"], GRID, folder="py", workers=1)
    assert again.simulated == 0 and len(again.table) == 8
    points = pd.read_csv(res.folder / "points.csv")
    assert len(points) == 4 and {"staffing.agents", "center.volume_per_day"} <= set(points)
    assert "run.days" not in points  # constants are not parameters
    assert (points["service_level_ci_low"] <= points["service_level"]).all()
    assert (points["replications"] == 2).all()


def test_point_table_means_match_the_replications(tmp_path: Path) -> None:
    """The per-point mean is the mean of the point's rows; only varying keys are listed."""
    table = pd.DataFrame(
        {"point": ["a", "a", "b", "b"], "k": [1, 1, 2, 2], "c": [7, 7, 7, 7],
         "replication": [0, 1, 0, 1], "offered": [10.0, 12.0, 20.0, 24.0]}
    )  # fmt: skip
    table.attrs["params"] = ["k", "c"]
    out = point_table(table)
    assert list(out["offered"]) == [11.0, 22.0] and "c" not in out and "k" in out


def test_bad_grids_are_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"staffing\.agents"):
        sim.sweep(SMALL, {"staffing.agents": [3, 0]})
    with pytest.raises(ConfigError, match="non-empty list"):
        sim.sweep(SMALL, {"staffing.agents": []})
    with pytest.raises(ConfigError, match="workers"):
        sim.sweep(SMALL, {"staffing.agents": [3]}, workers=0)
    with pytest.raises(ConfigError, match="unknown key"):
        sim.sweep(SMALL, {"staffing.agent": [3]})
    assert not (tmp_path / "results").exists()


def test_a_config_as_base(tmp_path: Path) -> None:
    """A Config base: the grid's values are set on it (typed), points run and collect."""
    base = sim.compose(SMALL)
    res = sim.sweep(base, {"staffing.agents": [3, 4]}, folder=tmp_path / "s")
    assert sorted(res.table["staffing.agents"].unique()) == [3, 4]
