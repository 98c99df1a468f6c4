"""Sweeps: resume (sim.app.sweep), the collected table (sim.app.collect), launchers giving the
same numbers. Small sizes: one simulated day, 500 calls a day, 2 replications."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from cli_run import callsim
from omegaconf import OmegaConf

from sim.app.collect import (
    POINT_NEUTRAL_KEYS,
    collect,
    read_overrides,
    swept_params,
    write_collected,
)
from sim.app.sweep import check_points, point_state, point_workers, run_point, sweep_size
from sim.config.compose import CONFIG_DIR
from sim.config.validation import load_config
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.model.runner import replicate
from sim.outputs.metrics import SUMMARY_KEYS
from sim.report.writer import write_results

#: A 2 x 2 sweep, 2 replications a point, no figures or calls table (speed).
SMALL = ["run.days=1", "run.replications=2", "output.figures=false", "output.calls_table=false"]
GRID = ["staffing.agents=3,5", "center.volume_per_day=300,400"]


def point_tables(sweep: Path) -> dict[str, pd.DataFrame]:
    """replications.csv of every point of a sweep folder, by point folder name."""
    return {
        p.parent.name: pd.read_csv(p)
        for p in sweep.glob("*/replications.csv")
        if ".partial-" not in p.parent.name
    }


@pytest.fixture(scope="module")
def serial_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2 x 2 grid run serially (Hydra's basic launcher); its sweep folder."""
    cwd = tmp_path_factory.mktemp("serial")
    out = callsim(cwd, "-m", *SMALL, *GRID, "run.name=grid")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "point 4/4 done" in out.stdout
    # one line per point: no summary (16 lines), size, progress or "writing" line of its own
    assert out.stdout.count(" done in ") == 4
    for detail in ("service level (20 s)", "calls offered", "simulating grid", "writing results",
                   "replication 2 of 2", "results: "):  # fmt: skip
        assert detail not in out.stdout, out.stdout
    return cwd / "results" / "grid" / "sweep"


# --- the config and the code agree ---------------------------------------------------


def test_point_folder_names_leave_out_the_neutral_keys() -> None:
    cfg = OmegaConf.load(Path(CONFIG_DIR) / "config.yaml")
    excluded = OmegaConf.select(cfg, "hydra.job.config.override_dirname.exclude_keys")
    assert tuple(excluded) == POINT_NEUTRAL_KEYS
    subdir = OmegaConf.to_container(cfg.hydra.sweep)["subdir"]  # type: ignore[index]
    assert subdir == "${callsim_dirname:${hydra.job.override_dirname}}"  # sim.core.paths


def test_sweep_size_counts_the_cartesian_product() -> None:
    assert sweep_size(["a=1,2", "b=3,4,5", "c=7"]) == 6
    assert sweep_size(["a=range(0,10,2)"]) == 5
    assert sweep_size(["a=1"]) == 1


def test_check_points_validates_every_point_before_the_sweep() -> None:
    assert check_points(["staffing.agents=3,5", "patience=genesys,never", "run.days=1"]) == 4
    with pytest.raises(ConfigError, match=r"staffing\.agents = 0"):
        check_points(["staffing.agents=3,0"])
    with pytest.raises(ConfigError, match=r"must be after center\.open_time"):
        check_points(["scenario=baseline,understaffed", "center.close_time=20:00,07:00"])


def test_point_workers_avoid_nesting_process_pools() -> None:
    joblib = {"_target_": "hydra_plugins.hydra_joblib_launcher.JoblibLauncher", "n_jobs": 2}
    assert point_workers(OmegaConf.create(joblib), 4) == 1
    assert point_workers(OmegaConf.create({**joblib, "n_jobs": 1}), 4) == 4
    ray = {"_target_": "x.RayLauncher", "ray": {"remote": {"num_cpus": 2}}}
    assert point_workers(OmegaConf.create(ray), 4) == 2
    assert point_workers(OmegaConf.create({"_target_": "x.RayLauncher"}), 4) == 1
    assert point_workers(OmegaConf.create({"_target_": "x.BasicLauncher"}), 4) == 4


# --- resume: which points are done -------------------------------------------------------


def tiny(**overrides: object) -> Config:
    """A one-day, 3-agent, 200-call centre: a fraction of a second per replication."""
    base = {"run": {"days": 1, "replications": 2}, "staffing": {"agents": 3},
            "center": {"volume_per_day": 200.0}, "output": {"figures": False}}  # fmt: skip
    return load_config(base, **overrides)


def test_point_state_new_done_stale(tmp_path: Path) -> None:
    folder = tmp_path / "sweep" / "staffing.agents=3"
    cfg = tiny()
    assert point_state(folder, cfg) == "new"
    folder.mkdir(parents=True)
    assert point_state(folder, cfg) == "new"  # Hydra makes the folder before the job
    write_results(replicate(cfg), folder, ["staffing.agents=3"])
    assert point_state(folder, cfg) == "done"
    assert point_state(folder, tiny(run__workers=2)) == "done"  # speed only
    assert point_state(folder, tiny(run__seed=7)) == "stale"
    assert point_state(folder, tiny(center__volume_per_day=201.0)) == "stale"
    (folder / "summary.json").unlink()  # as if the run had stopped before its last file
    assert point_state(folder, cfg) == "stale"


def test_run_point_skips_done_and_redoes_stale(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    outcome, reps = run_point(tiny(), folder, ["staffing.agents=3"])
    assert outcome.status == "simulated" and reps is not None
    stamp = (folder / "summary.json").stat().st_mtime_ns
    leftover = tmp_path / "p.partial-999999"  # a killed writer's litter
    leftover.mkdir()
    outcome, reps = run_point(tiny(), folder, ["staffing.agents=3"])
    assert outcome.status == "skipped" and reps is None
    assert (folder / "summary.json").stat().st_mtime_ns == stamp
    outcome, _ = run_point(tiny(run__seed=7), folder, ["staffing.agents=3"])
    assert outcome.status == "simulated"
    stored = OmegaConf.load(folder / "config.yaml")
    assert stored.run.seed == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]  # no partial, no stale copy


def test_a_points_own_lines_are_debug_lines(tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    """A point's size, progress and "writing results" lines show at debug level only
    (``hydra.verbose=callsim``), and the loggers' levels come back afterwards."""
    runner_log = logging.getLogger("sim.model.runner")
    before = (logging.getLogger("callsim").level, runner_log.level)
    with caplog.at_level(logging.INFO):
        run_point(tiny(), tmp_path / "quiet", ["staffing.agents=3"])
    assert not [r.getMessage() for r in caplog.records if r.levelno < logging.WARNING]
    assert (logging.getLogger("callsim").level, runner_log.level) == before
    caplog.clear()
    with caplog.at_level(logging.INFO), caplog.at_level(logging.DEBUG, logger="callsim"):
        run_point(tiny(), tmp_path / "verbose", ["staffing.agents=3"])
    text = caplog.text
    assert "simulating" in text and "replication 2 of 2 done" in text
    assert "writing results" in text


def test_run_point_never_replaces_a_folder_of_points(tmp_path: Path) -> None:
    (tmp_path / "staffing.agents=3").mkdir()  # a sweep folder, not a point's folder
    (tmp_path / "multirun.yaml").write_text("{}")
    with pytest.raises(ConfigError, match="not one point's results folder"):
        run_point(tiny(), tmp_path, [])
    assert (tmp_path / "staffing.agents=3").is_dir()


# --- the collector ---------------------------------------------------------------------------


def fake_point(sweep: Path, overrides: list[str], offered: list[int]) -> Path:
    """A point folder as the writer leaves it, without simulating (collector tests)."""
    point = sweep / ",".join(o for o in overrides if not o.startswith("run.name"))
    point.mkdir(parents=True)
    (point / "overrides.txt").write_text("".join(f"{o}\n" for o in overrides))
    reps = pd.DataFrame({"replication": range(len(offered)), "offered": offered})
    reps.to_csv(point / "replications.csv", index=False)
    (point / "summary.json").write_text("{}")
    return point


def test_collect_types_the_parameters_and_sorts(tmp_path: Path) -> None:
    for agents, kind, rate in [(12, "genesys", 0.5), (8, "never", 0.25)]:
        overrides = [f"staffing.agents={agents}", f"patience={kind}", f"redials.p={rate}",
                     "run.name=x", "run.workers=2", "staffing.list=[1,2]"]  # fmt: skip
        fake_point(tmp_path, overrides, [100 + agents, 200 + agents])
    (tmp_path / "staffing.agents=9.partial-4242").mkdir()  # a killed writer's litter
    (tmp_path / ".submitit").mkdir()
    table = collect(tmp_path)
    assert list(table.columns) == ["point", "staffing.agents", "patience", "redials.p",
                                   "staffing.list", "replication", "offered"]  # fmt: skip
    assert table.attrs["params"] == ["staffing.agents", "patience", "redials.p", "staffing.list"]
    assert table["staffing.agents"].dtype == "int64"  # ints stay ints
    assert table["redials.p"].dtype == "float64"
    assert table["staffing.list"].tolist() == ["[1,2]"] * 4  # a list keeps its text
    assert table["staffing.agents"].tolist() == [8, 8, 12, 12]
    assert table["offered"].tolist() == [108, 208, 112, 212]
    assert read_overrides(tmp_path / table["point"][0])["patience"] == "never"


def test_collect_refuses_no_points_and_mixed_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="holds no finished point"):
        collect(tmp_path)
    with pytest.raises(ConfigError, match="no such folder"):
        collect(tmp_path / "nope")
    fake_point(tmp_path, ["staffing.agents=3"], [1])
    fake_point(tmp_path, ["center.volume_per_day=9"], [1])
    with pytest.raises(ConfigError, match=r"overrides keys \['staffing.agents'\]"):
        collect(tmp_path)


def test_collect_reports_unfinished_points(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake_point(tmp_path, ["staffing.agents=3"], [1, 2])
    (tmp_path / "staffing.agents=4").mkdir()  # Hydra made it; the job was killed
    with caplog.at_level(logging.WARNING, logger="callsim"):
        table = collect(tmp_path)
    assert len(table) == 2
    assert "1 unfinished point(s)" in caplog.text and "staffing.agents=4" in caplog.text


def test_write_collected_writes_both_files_whole(tmp_path: Path) -> None:
    fake_point(tmp_path, ["staffing.agents=3"], [1, 2])
    parquet = write_collected(tmp_path)
    assert parquet == tmp_path / "sweep.parquet"
    assert pd.read_parquet(parquet).equals(pd.read_csv(tmp_path / "sweep.csv"))
    assert "staffing.agents" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name or p.name.startswith(".")]


def test_swept_params_are_the_varying_ones(tmp_path: Path) -> None:
    fake_point(tmp_path, ["staffing.agents=3", "run.days=1"], [1])
    assert swept_params(collect(tmp_path)) == ["staffing.agents", "run.days"]  # none varies
    fake_point(tmp_path, ["staffing.agents=4", "run.days=1"], [1])
    assert swept_params(collect(tmp_path)) == ["staffing.agents"]


def test_collected_grid_has_one_row_per_point_and_replication(
    serial_sweep: Path, tmp_path: Path
) -> None:
    out = callsim(tmp_path, "collect", str(serial_sweep))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "collected 8 row(s): 4 point(s)" in out.stdout
    table = pd.read_parquet(serial_sweep / "sweep.parquet")
    params = ["run.days", "run.replications", "output.figures", "output.calls_table",
              "staffing.agents", "center.volume_per_day"]  # fmt: skip
    assert list(table.columns) == ["point", *params, "replication", *SUMMARY_KEYS]
    assert len(table) == 8 and not table.duplicated(["point", "replication"]).any()
    grid = table.groupby(["staffing.agents", "center.volume_per_day"])["replication"].apply(list)
    assert grid.to_dict() == {(3, 300): [0, 1], (3, 400): [0, 1], (5, 300): [0, 1],
                              (5, 400): [0, 1]}  # fmt: skip
    assert table["staffing.agents"].dtype == "int64"
    # the rows are the points' own replications.csv, unchanged
    for name, reps in point_tables(serial_sweep).items():
        mine = table[table["point"] == name][list(reps.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, reps)
    csv = pd.read_csv(serial_sweep / "sweep.csv")
    assert list(csv.columns) == list(table.columns) and len(csv) == 8
    report = (serial_sweep / "report.html").read_text(encoding="utf-8")
    assert "sweep over staffing.agents, center.volume_per_day: 4 point(s)" in report
    # money in the points' economics.currency (EUR by default), never "currency units"
    assert "profit (EUR)" in report and "currency units" not in report


def test_the_sweep_reports_currency_comes_from_the_points(tmp_path: Path) -> None:
    from sim.app.collect import _currency

    for name, currency in (("a", "USD"), ("b", "USD"), ("c.partial-1", "GBP")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.yaml").write_text(f"economics:\n  currency: {currency}\n")
    assert _currency(tmp_path) == "USD"
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "config.yaml").write_text("economics:\n  currency: GBP\n")
    assert _currency(tmp_path) == "each point's economics.currency"
    assert _currency(tmp_path / "a" / "none") == "currency units"


def test_cli_collect_of_an_empty_folder_is_one_clear_line(tmp_path: Path) -> None:
    out = callsim(tmp_path, "collect", str(tmp_path))
    assert out.returncode == 2
    assert "holds no finished point" in out.stdout and "Traceback" not in out.stdout + out.stderr


def test_a_bad_value_in_any_point_stops_the_sweep_before_simulating(tmp_path: Path) -> None:
    out = callsim(tmp_path, "-m", *SMALL, "staffing.agents=3,0")
    assert out.returncode == 2
    assert "staffing.agents = 0" in out.stdout + out.stderr
    assert not (tmp_path / "results").exists()


# --- resume after a kill ----------------------------------------------------------------------


def test_a_killed_sweep_resumes_without_losing_or_redoing_points(tmp_path: Path) -> None:
    """Kill a serial sweep (SIGKILL, no clean-up) once its first point is written; the
    re-run skips the finished points and the table has every point exactly once."""
    # ~1 s of simulation a point, so that the kill lands before the last point is done
    args = ["-m", "run.days=1", "run.replications=3", "output.figures=false",
            "staffing.agents=20,25,30", "run.name=resume"]  # fmt: skip
    sweep = tmp_path / "results" / "resume" / "sweep"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.app.cli", *args], cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def finished() -> list[Path]:
        """summary.json of renamed point folders (a partial folder holds one for a moment
        before its rename: a kill then leaves it unfinished, correctly)."""
        return [p for p in sweep.glob("*/summary.json") if ".partial-" not in p.parent.name]

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not finished():
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    first = {p.parent.name: p.stat().st_mtime_ns for p in finished()}
    assert 1 <= len(first) < 3, first  # killed mid-way
    assert len(collect(sweep)) == 3 * len(first)  # what is done is collectable

    out = callsim(tmp_path, *args)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("skipped (done)") == len(first)
    assert out.stdout.count("done in") == 3 - len(first)
    for name, stamp in first.items():  # not recomputed
        assert (sweep / name / "summary.json").stat().st_mtime_ns == stamp
        assert f"skipped (done): {name}" in out.stdout
    table = collect(sweep)
    assert sorted(table["staffing.agents"].unique()) == [20, 25, 30]
    assert len(table) == 9 and not table.duplicated(["point", "replication"]).any()
    assert not list(sweep.glob("*.partial-*"))


# --- launchers: the same numbers ------------------------------------------------------------


def assert_same_points(sweep: Path, reference: Path) -> None:
    mine, theirs = point_tables(sweep), point_tables(reference)
    assert sorted(mine) == sorted(theirs) and len(mine) == 4
    for name, reps in theirs.items():
        pd.testing.assert_frame_equal(mine[name], reps, check_exact=True)


def test_joblib_gives_the_serial_numbers(serial_sweep: Path, tmp_path: Path) -> None:
    out = callsim(tmp_path, "-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
                  "run.workers=2", *SMALL, *GRID, "run.name=grid")  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "using 1 process(es) per point" in out.stdout  # no pool inside a joblib worker
    assert_same_points(tmp_path / "results" / "grid" / "sweep", serial_sweep)


@pytest.mark.launchers
@pytest.mark.skipif(
    importlib.util.find_spec("ray") is None
    or importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None,
    reason="needs the ray extra: pip install 'callsim[ray]' (make test-launchers)",
)
def test_ray_gives_the_serial_numbers(serial_sweep: Path, tmp_path: Path) -> None:
    out = callsim(tmp_path, "-m", "hydra/launcher=ray_local", "hydra.launcher.ray.init.num_cpus=2",
                  *SMALL, *GRID, "run.name=grid", timeout=600)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert_same_points(tmp_path / "results" / "grid" / "sweep", serial_sweep)


needs_submitit = pytest.mark.skipif(
    importlib.util.find_spec("hydra_plugins.hydra_submitit_launcher") is None,
    reason="needs the slurm extra: pip install 'callsim[slurm]' (make test-launchers)",
)


@pytest.mark.launchers
@needs_submitit
def test_the_slurm_example_config_composes() -> None:
    from hydra import compose, initialize_config_dir
    from hydra.utils import instantiate

    from sim.core.schema import register_configs

    register_configs()
    with initialize_config_dir(version_base="1.3", config_dir=CONFIG_DIR):
        cfg = compose("config", ["hydra/launcher=slurm_example", "hydra.launcher.partition=cpu"],
                      return_hydra_config=True)  # fmt: skip
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("submitit_launcher.SlurmLauncher")
    assert (launcher.partition, launcher.cpus_per_task, launcher.timeout_min) == ("cpu", 4, 120)
    assert type(instantiate(launcher)).__name__ == "SlurmLauncher"


@pytest.mark.launchers
@needs_submitit
def test_submitit_gives_the_serial_numbers(serial_sweep: Path, tmp_path: Path) -> None:
    """Submitit's local executor: the SLURM launcher's code path, jobs as local processes."""
    out = callsim(tmp_path, "-m", "hydra/launcher=submitit_local", *SMALL, *GRID,
                  "run.name=grid", timeout=600)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    sweep = tmp_path / "results" / "grid" / "sweep"
    assert_same_points(sweep, serial_sweep)
    assert len(collect(sweep)) == 8  # the .submitit/ logs are not points
    summary = json.loads(next(sweep.glob("*/summary.json")).read_text())
    assert summary["replications"] == 2


@pytest.mark.parametrize(
    "overrides",
    [[], ["scenario=steady_erlang_a", "staffing.agents=40"],
     ["scenario=well_staffed_with_breaks", "patience=never"], ["service=exponential"]],
)
def test_point_state_reads_the_stored_config_as_omegaconf_does(overrides: list[str]) -> None:
    # The fast comparison (C YAML parser, dataclasses.asdict) sees exactly what
    # OmegaConf sees in the config.yaml the writer stores.
    from sim.app.sweep import _comparable, _plain, _stored, _without_speed_keys
    from sim.config.compose import compose

    cfg = compose(overrides)
    text = OmegaConf.to_yaml(OmegaConf.structured(cfg))
    current = _without_speed_keys(_plain(dataclasses.asdict(cfg)))
    assert _stored(text) == _comparable(text) == current


def test_the_sweeper_skips_finished_points_before_launching_them(tmp_path: Path) -> None:
    """sim.app.resume: a finished point is skipped in the launching process (no job, no
    second compose); a point whose stored config differs is launched and simulated."""
    args = ["-m", "run.days=1", "run.replications=1", "output.figures=false",
            "staffing.agents=20,25", "run.name=skip"]  # fmt: skip
    assert callsim(tmp_path, *args).returncode == 0
    sweep = tmp_path / "results" / "skip" / "sweep"
    out = callsim(tmp_path, *args)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "point 1/2 skipped (done)" in out.stdout and "point 2/2 skipped (done)" in out.stdout
    assert "Launching" not in out.stdout  # no job started
    stale = next(p for p in sweep.iterdir() if p.name.endswith("staffing.agents=25"))
    text = (stale / "config.yaml").read_text()
    (stale / "config.yaml").write_text(text.replace("seed: 20261123", "seed: 1"))
    out = callsim(tmp_path, *args)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("skipped (done)") == 1 and out.stdout.count("done in") == 1
    assert "seed: 20261123" in (stale / "config.yaml").read_text()


def test_sweep_points_is_the_basic_sweepers_product() -> None:
    """sweep_points expands discrete sweeps like Hydra's basic sweeper: the cartesian
    product in the order the keys first appear, the last override of a key winning."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.app.sweep import sweep_points

    parsed = OverridesParser.create().parse_overrides(
        ["staffing.agents=20,25", "run.days=2", "+x=1", "staffing.agents=30,35"]
    )
    assert sweep_points(parsed) == [
        ["staffing.agents=30", "run.days=2", "+x=1"],
        ["staffing.agents=35", "run.days=2", "+x=1"],
    ]
    grid = OverridesParser.create().parse_overrides(["a=1,2", "b=x,y"])
    assert sweep_points(grid) == [["a=1", "b=x"], ["a=1", "b=y"], ["a=2", "b=x"], ["a=2", "b=y"]]
    assert sweep_points([]) == [[]]
