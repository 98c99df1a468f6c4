"""Strict booleans in the user's YAML files (sim.config.yaml_booleans): integers and
YAML 1.1 words for true/false keys, and yes/no/on/off turned into booleans elsewhere, are
refused with the key, the value, the file and the line, from every way a file comes in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_run import callsim

from sim.config.compose import CONFIG_DIR, compose
from sim.config.validation import load_config
from sim.config.yaml_booleans import check_yaml_file
from sim.core.checks import ConfigError

SCENARIO = "# @package _global_\ncustomers:\n  enabled: {value}\nrun:\n  days: 1\n"


@pytest.mark.parametrize("value", ["-1", "2", "1", "0", "0.0", "yes", "No", "ON", "off",
                                   '"yes"', "'1'", "maybe"])  # fmt: skip
def test_a_true_false_key_takes_true_or_false_only(tmp_path: Path, value: str) -> None:
    path = tmp_path / "scenario" / "mine.yaml"
    path.parent.mkdir()
    path.write_text(SCENARIO.format(value=value))
    shown = value.strip("'\"")
    with pytest.raises(ConfigError) as info:
        check_yaml_file(path, "scenario")
    assert str(info.value).startswith(f"customers.enabled = {shown} in {path} line 3: "
                                      "must be true or false"), info.value  # fmt: skip


@pytest.mark.parametrize("value", ["true", "false", "True", "FALSE", '"true"', "null", "~",
                                   "${run.seed}"])  # fmt: skip
def test_true_false_and_null_pass(tmp_path: Path, value: str) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(SCENARIO.format(value=value))
    check_yaml_file(path)


def test_yaml_11_words_elsewhere_need_quotes(tmp_path: Path) -> None:
    """``name: no`` would become the text "False"; quoted it is the text "no"."""
    path = tmp_path / "s.yaml"
    path.write_text("center:\n  name: no\n")
    with pytest.raises(ConfigError, match=r'^center\.name = no in .*s\.yaml line 2: YAML reads '
                                          r'the unquoted no as a boolean; quote it \("no"\)'):  # fmt: skip
        load_config(path)
    path.write_text('center:\n  name: "no"\n')
    assert load_config(path).center.name == "no"


def test_packages_place_the_keys(tmp_path: Path) -> None:
    """A group file's keys sit under its group unless a ``# @package`` header says."""
    path = tmp_path / "customers" / "mine.yaml"
    path.parent.mkdir()
    path.write_text("enabled: -1\n")
    with pytest.raises(ConfigError, match=r"^customers\.enabled = -1 in .* line 1"):
        check_yaml_file(path, "customers")
    path.write_text("# @package workforce.hiring\nenabled: 3\n")
    with pytest.raises(ConfigError, match=r"^workforce\.hiring\.enabled = 3"):
        check_yaml_file(path, "customers")
    path.write_text("defaults:\n  - _self_\nhydra:\n  verbose: yes\n")  # Hydra's business
    check_yaml_file(path)


def test_a_user_scenario_on_the_command_line(tmp_path: Path) -> None:
    """``callsim --config-dir DIR scenario=mine`` with ``customers.enabled: -1``: exit 2,
    one line, nothing simulated (OmegaConf alone made it true)."""
    (tmp_path / "cfg" / "scenario").mkdir(parents=True)
    (tmp_path / "cfg" / "scenario" / "mine.yaml").write_text(SCENARIO.format(value="-1"))
    out = callsim(tmp_path, "--config-dir", "cfg", "scenario=mine", "run.replications=1")
    text = (out.stdout + out.stderr).strip()
    assert out.returncode == 2, text
    assert text.splitlines() == [f"callsim: error: customers.enabled = -1 in "
                                 f"{(tmp_path / 'cfg').resolve()}/scenario/mine.yaml line 3: "
                                 "must be true or false"]  # fmt: skip
    assert not (tmp_path / "results").exists()
    # trusted configs may run code, but booleans stay strict
    out = callsim(tmp_path, "--trust", "--config-dir", "cfg", "scenario=mine")
    assert out.returncode == 2 and "must be true or false" in out.stdout + out.stderr


def test_sim_compose_of_a_users_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    shutil.copytree(CONFIG_DIR, folder)
    (folder / "scenario" / "mine.yaml").write_text(SCENARIO.format(value="on"))
    assert compose(["scenario=baseline", "run.days=1"], folder).run.days == 1
    with pytest.raises(ConfigError, match=r"^customers\.enabled = on in .*mine\.yaml line 3"):
        compose(["scenario=mine"], folder)


def test_every_shipped_file_passes() -> None:
    """Users copy them: none may hold a value the rule refuses."""
    root = Path(CONFIG_DIR)
    files = sorted(root.rglob("*.yaml"))
    for path in files:
        group = path.parent.relative_to(root).as_posix()
        check_yaml_file(path, "" if group == "." else group)
    assert len(files) > 30
