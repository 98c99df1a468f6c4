"""Configs as data (sim.config.trust), strict input (sim.config.config_input), formula-safe CSV
(sim.outputs.csv_cells), text without math parsing in figures, finite handle and recontact laws,
SIGTERM ending worker pools (sim.runner)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from cli_run import callsim

import sim
from sim.config.command_trust import check_command_line
from sim.config.compose import check_overrides
from sim.config.trust import TRUST_ENV, check_data
from sim.config.validation import load_config
from sim.core.checks import ConfigError
from sim.outputs.csv_cells import escape_cell, safe_frame
from sim.report.style import figure_style

EVIL_CALLBACK = """\
# @package _global_
hydra:
  callbacks:
    pwn:
      _target_: builtins.open
      file: {target}
      mode: w
"""


def scenario_dir(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "my_configs"
    (folder / "scenario").mkdir(parents=True, exist_ok=True)
    (folder / "scenario" / f"{name}.yaml").write_text(textwrap.dedent(text))
    return folder


@pytest.fixture(autouse=True)
def untrusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TRUST_ENV, raising=False)


def test_callback_in_a_scenario_file_is_refused_before_hydra_runs(tmp_path: Path) -> None:
    target = tmp_path / "PWNED"
    folder = scenario_dir(tmp_path, "evil", EVIL_CALLBACK.format(target=target))
    out = callsim(tmp_path, "--config-dir", str(folder), "scenario=evil", "run.days=1")
    assert out.returncode == 2, out.stdout + out.stderr
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert len(lines) == 1 and "hydra.callbacks.pwn" in lines[0] and "--trust" in lines[0]
    assert not target.exists()
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            "hydra:\n  job_logging:\n    handlers:\n      file:\n"
            "        class: logging.FileHandler\n        filename: /tmp/x.log\n",
            "hydra.job_logging.handlers.file",
        ),
        ("hydra:\n  launcher:\n    _target_: os.system\n", "hydra.launcher._target_"),
        ("center:\n  name: ${oc.env:HOME}\n", "center.name"),
        ("center:\n  expected_calls:\n    _target_: os.getcwd\n", "center.expected_calls._target_"),
    ],
)
def test_scenario_files_may_not_run_code_read_env_or_move_outputs(
    tmp_path: Path, text: str, key: str
) -> None:
    folder = scenario_dir(tmp_path, "s", "# @package _global_\n" + text)
    with pytest.raises(ConfigError) as err:
        check_command_line(["--config-dir", str(folder), "scenario=s"])
    assert err.value.key is not None and err.value.key.startswith(key), err.value
    assert "--trust" in str(err.value) and "\n" not in str(err.value)


def test_scenario_files_cannot_move_the_output_folders(tmp_path: Path) -> None:
    """configs/config.yaml sets these after every group (``_self_`` last): a scenario's
    value never takes effect, so there is nothing to refuse."""
    from hydra import compose, initialize_config_dir

    from sim.config.compose import CONFIG_DIR

    folder = scenario_dir(
        tmp_path, "s", "# @package _global_\nhydra:\n  run:\n    dir: /tmp/x\n"
        "  sweep:\n    dir: /tmp/x\n    subdir: ../x\n  job:\n    chdir: true\n",
    )
    check_command_line(["--config-dir", str(folder), "scenario=s"])
    with initialize_config_dir(version_base="1.3", config_dir=CONFIG_DIR, job_name="callsim"):
        cfg = compose(
            config_name="config", return_hydra_config=True,
            overrides=["scenario=s", f"hydra.searchpath=[file://{folder}]"],
        )  # fmt: skip
    assert cfg.hydra.run.dir == "." and cfg.hydra.job.chdir is False
    assert cfg.hydra.sweep.dir == "results/baseline/sweep"


def test_trust_lets_the_same_files_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scenario_dir(tmp_path, "s", "# @package _global_\ncenter:\n  name: ${oc.env:HOME}\n")
    monkeypatch.setenv(TRUST_ENV, "1")
    check_command_line(["--config-dir", str(folder), "scenario=s"])
    out = callsim(
        tmp_path, "--trust", "--config-dir", str(folder), "scenario=s", "run.days=1",
        "center.volume_per_day=100", "staffing.agents=3", "output.figures=false",
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_plain_user_scenario_and_command_line_hydra_choices_pass(tmp_path: Path) -> None:
    folder = scenario_dir(
        tmp_path, "lunch", "# @package _global_\ncenter:\n  volume_per_day: 900\n"
    )
    check_command_line(["--config-dir", str(folder), "scenario=lunch", "staffing.agents=20"])
    check_command_line(
        ["-m", "--config-dir", str(folder), "scenario=lunch", "hydra/launcher=joblib",
         "hydra.launcher.n_jobs=2", "hydra.sweep.dir=/tmp/mine", "staffing.agents=20,25"]
    )  # fmt: skip


@pytest.mark.parametrize(
    "override",
    [
        "+hydra.callbacks.x._target_=builtins.print",
        "center.name=${oc.env:HOME}",
        "center.name='${oc.env:HOME}'",
        "staffing.agents._target_=os.system",
    ],
)
def test_command_line_code_and_env_need_trust(override: str) -> None:
    with pytest.raises(ConfigError, match="--trust"):
        check_command_line(["run.days=1", override])


def test_library_path_refuses_code_and_env(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("center:\n  name: ${oc.env:HOME}\n")
    with pytest.raises(ConfigError, match=r"center\.name .*scenario\.yaml.*environment"):
        load_config(path)
    with pytest.raises(ConfigError, match="_target_"):
        sim.simulate({"staffing": {"agents": {"_target_": "os.getcwd"}}})
    with pytest.raises(ConfigError, match="environment"):
        load_config(center__name="${oc.env:HOME}")
    check_data({"center": {"name": "costs ${run.name}"}})  # other interpolations are fine


def test_strict_booleans_everywhere(tmp_path: Path) -> None:
    for bad in [-1, 2, 1, 0, "yes", "on", 0.0]:
        with pytest.raises(ConfigError, match=r"^customers\.enabled = .*: must be true or false"):
            load_config({"customers": {"enabled": bad}})
        with pytest.raises(ConfigError, match="must be true or false"):
            check_overrides([f"workforce.hiring.enabled={bad}"])
    path = tmp_path / "s.yaml"
    path.write_text("output:\n  figures: 1\n")
    with pytest.raises(ConfigError, match=r"output\.figures = 1"):
        load_config(path)
    assert load_config({"customers": {"enabled": "true"}}).customers.enabled is True
    check_overrides(["customers.enabled=true", "output.figures=false"])
    out = callsim(Path.cwd(), "customers.enabled=-1")
    assert out.returncode == 2 and "customers.enabled = -1" in out.stdout + out.stderr


def test_misspelt_added_key_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"\+center\.volum_per_day: unknown key .*volume_per_day"):
        check_overrides(["+center.volum_per_day=5"])
    with pytest.raises(ConfigError, match="unknown key"):
        check_overrides(["+nonsense=1"])
    check_overrides(["+scenario=baseline"])  # a group addition is Hydra's business


def test_numpy_values_are_accepted() -> None:
    res = sim.simulate(
        {
            "staffing": {"agents": np.int64(4)},
            "center": {"volume_per_day": np.float64(150.0), "interval_min": np.int32(60)},
            "customers": {"enabled": np.bool_(False)},
            "run": {"days": np.int64(1), "seed": np.uint32(5)},
        }
    )
    plain = sim.simulate(
        {"staffing": {"agents": 4}, "center": {"volume_per_day": 150.0, "interval_min": 60},
         "run": {"days": 1, "seed": 5}}
    )
    assert pd.Series(res.summary).equals(pd.Series(plain.summary))  # the same, bit for bit
    cfg = load_config(staffing__agents=np.array([3] * 24))
    assert cfg.staffing.agents == [3] * 24 and type(cfg.staffing.agents[0]) is int


@pytest.mark.parametrize(
    ("key", "spec"),
    [
        ("service.talk", {"kind": "never"}),
        ("service.acw", {"kind": "genesys2020"}),
        (
            "resolution.recontact_delay",
            {"kind": "histogram", "edges_s": [0.0, 60.0, float("inf")], "probs": [0.5, 0.5],
             "tail_mean_s": float("inf")},
        ),
    ],
)
def test_handle_and_recontact_laws_must_end(key: str, spec: dict[str, object]) -> None:
    section, _, leaf = key.partition(".")
    with pytest.raises(ConfigError, match=rf"^{key}\.kind = .*infinite values") as err:
        load_config({section: {leaf: spec}})
    assert err.value.key == key


def test_finite_histogram_tail_is_fine() -> None:
    spec = {"kind": "histogram", "edges_s": [0.0, 60.0, float("inf")], "probs": [0.5, 0.5],
            "tail_mean_s": 600.0}  # fmt: skip
    load_config({"resolution": {"recontact_delay": spec}})


def test_csv_cells_escaped_numbers_kept() -> None:
    for cell in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"]:
        assert escape_cell(cell) == "'" + cell
    assert escape_cell("plain") == "plain" and escape_cell(-3.5) == -3.5
    df = pd.DataFrame(
        {"x": [-1.5, 2.0], "t": ["=HYPERLINK(1)", "ok"], "c": pd.Categorical(["@a", "b"])},
        index=pd.Index(["-k", "k"]),
    )
    safe = safe_frame(df)
    assert list(safe["x"]) == [-1.5, 2.0]
    assert list(safe["t"]) == ["'=HYPERLINK(1)", "ok"]
    assert list(safe["c"]) == ["'@a", "b"] and list(safe.index) == ["'-k", "k"]
    assert df["t"].iloc[0] == "=HYPERLINK(1)"  # the caller's frame is untouched


def test_dollar_text_in_figures_is_plain_text() -> None:
    with figure_style():
        fig, ax = plt.subplots()
        ax.set_title(r"$\foo$ centre, 5$ a call")
        fig.canvas.draw()  # raises ValueError with math parsing on
        plt.close(fig)


def test_run_with_math_in_its_name_writes_its_report(tmp_path: Path) -> None:
    out = callsim(
        tmp_path, r"center.name='$\foo$'", "run.days=1", "center.volume_per_day=100",
        "staffing.agents=3",
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    (folder,) = (tmp_path / "results" / "baseline").iterdir()
    assert (folder / "figures" / "intervals.png").is_file()


SIGTERM_SCRIPT = """
import sim
from sim.model.runner import replicate
cfg = sim.load_config({"run": {"days": 200, "replications": 4, "workers": 2},
                       "center": {"volume_per_day": 3000.0}, "staffing": {"agents": 60}})
print("started", flush=True)
replicate(cfg)
"""


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_sigterm_ends_the_replication_workers(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", SIGTERM_SCRIPT], stdout=subprocess.PIPE,
                            text=True, cwd=tmp_path)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _children(proc.pid)
    assert len(workers) >= 2, "the pool did not start"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "orphan worker processes"


def _loky_workers(pid: int) -> list[int]:
    def command(child: int) -> bytes:
        try:
            return Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            return b""

    return [c for c in _children(pid) if b"LokyProcess" in command(c)]


def test_sigterm_ends_a_joblib_sweeps_workers(tmp_path: Path) -> None:
    """``callsim -m hydra/launcher=joblib``: SIGTERM while both points run stops the sweep
    (exit 143) and its loky workers and resource trackers with it. Without the handler the
    workers were orphaned: they finished their points and idled for minutes, holding
    hundreds of MB each. The points are long (about a minute each) so that they still
    run when the signal comes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.app.cli", "-m", "hydra/launcher=joblib",
         "hydra.launcher.n_jobs=2", "run.days=300", "run.replications=20",
         "center.volume_per_day=1000", "staffing.agents=25,26", "hydra.verbose=callsim"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
    )  # fmt: skip
    children: list[int] = []
    try:
        assert proc.stdout is not None
        started = 0
        for line in proc.stdout:  # both workers log their point's size estimate first
            started += "simulating baseline" in line
            if started == 2:
                break
        assert started == 2, "the sweep's points did not start"
        children = _children(proc.pid)
        assert len(_loky_workers(proc.pid)) == 2, children
        proc.send_signal(signal.SIGTERM)
        status = proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [c for c in children if _alive(c)], "orphan processes of the sweep"
        assert status == 128 + signal.SIGTERM  # SystemExit(143), not killed by the signal
    finally:
        proc.kill()
        for c in children:  # without the fix: do not leave them running
            if _alive(c):
                os.kill(c, signal.SIGKILL)
