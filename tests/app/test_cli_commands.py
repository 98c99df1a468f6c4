"""The ``callsim`` subcommands (``sim.app.cli``): help, version, KEY=VALUE pass-through."""

from __future__ import annotations

import argparse
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from cli_run import callsim

from sim.app.cli import PASSTHROUGH, Passthrough, passthrough_help, translate_args
from sim.app.errors import UsageError

COMMANDS = ("run", "validate", "collect", "plan", "simulate-plan", "marginal", "fit")


def test_help_lists_every_subcommand(tmp_path: Path) -> None:
    out = callsim(tmp_path, "--help")
    assert out.returncode == 0, out.stderr
    for name in COMMANDS:
        assert f" {name} " in out.stdout, name
    assert len(out.stdout.splitlines()) < 60  # not Hydra's config dump


def test_version_is_callsims(tmp_path: Path) -> None:
    out = callsim(tmp_path, "--version")
    assert out.returncode == 0 and out.stdout.strip() == f"callsim {version('callsim')}"


def test_run_and_plan_help(tmp_path: Path) -> None:
    run = callsim(tmp_path, "run", "--help")
    assert run.returncode == 0 and "scenario (baseline" in run.stdout and "-m" in run.stdout
    plan = callsim(tmp_path, "plan", "--help")
    assert plan.returncode == 0
    assert "shrinkage=VALUE" in plan.stdout and "roster=true|false" in plan.stdout
    assert "overrides the centre configuration" in plan.stdout


def test_help_imports_nothing_heavy() -> None:
    """`callsim --help` stays fast: no Hydra, pandas, scipy or matplotlib imported."""
    code = ("import sys; from sim.app.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('hydra', 'pandas', 'scipy', 'matplotlib', 'numpy', 'simpy') "
            "if m in sys.modules]\nprint('HEAVY', heavy)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout, out.stdout


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    p.add_argument("--forecast", type=Path)
    p.add_argument("--sl-target", type=float)
    p.add_argument("--roster", action="store_true")
    p.add_argument("--set", action="append", default=[])
    return p


def test_key_value_words_become_options_and_overrides() -> None:
    args = ["forecast=f.csv", "sl_target=0.9", "roster=true", "run.days=7", "sl-target=0.8"]
    assert translate_args(args, _parser(), "--set", "plan") == [
        "--forecast", "f.csv", "--sl-target", "0.9", "--roster", "--set", "run.days=7",
        "--sl-target", "0.8",
    ]  # fmt: skip
    assert translate_args(["roster=false"], _parser(), "--set", "plan") == []


def test_old_flags_pass_unchanged_even_with_an_equals_sign_in_a_value() -> None:
    args = ["--forecast", "a=b.csv", "--set", "run.days=2", "--roster", "--sl-target=0.7"]
    assert translate_args(args, _parser(), "--set", "plan") == args


def test_bad_words_are_refused_with_one_line() -> None:
    with pytest.raises(UsageError, match=r"roster = 'maybe': must be true or false"):
        translate_args(["roster=maybe"], _parser(), "--set", "plan")
    with pytest.raises(UsageError, match=r"run.days: unknown option \(allowed: forecast"):
        translate_args(["run.days=7"], _parser(), None, "x")


def test_plan_takes_key_value_words(tmp_path: Path) -> None:
    """`callsim plan forecast=... methods=erlang_c out=p` is `--forecast ... --methods ...`."""
    from sim.config.compose import CONFIG_DIR

    example = Path(CONFIG_DIR) / "forecast" / "example_week.csv"
    out = callsim(tmp_path, "plan", f"forecast={example}", "methods=erlang_c", "shrinkage=0.3",
                  "out=p")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "p" / "plan.csv").is_file()
    bad = callsim(tmp_path, "plan", "shrinkage=1.5", "methods=erlang_c")
    assert bad.returncode == 2 and "shrinkage = 1.5" in bad.stdout + bad.stderr
    assert "Traceback" not in bad.stdout + bad.stderr


def test_a_command_not_wired_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = Passthrough("nothing", "x", "sim.no_such_module:main", None)
    monkeypatch.setitem(PASSTHROUGH, "nothing", spec)
    from sim.app.cli import _dispatch

    with pytest.raises(SystemExit) as exc:
        _dispatch(spec, [])
    assert exc.value.code == 2
    assert "Arguments pass unchanged" in passthrough_help(spec)
