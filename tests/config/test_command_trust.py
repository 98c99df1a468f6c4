"""A user's config folder on the command line: key and type errors Hydra finds while
composing become one ``callsim: error:`` line (sim.config.command_trust)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import callsim


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("center:\n  volum_per_day: 3\n",
         "callsim: error: center.volum_per_day: unknown key (allowed here: name, open_time,"),
        ("call_types:\n  - name: a\n    share: 1\n    priority: high\n",
         "callsim: error: call_types[*].priority = 'high': must be a whole number (int) "
         "(in scenario/mine.yaml)"),
    ],
)  # fmt: skip
def test_a_bad_key_in_a_users_scenario_is_one_line(tmp_path: Path, body: str, line: str) -> None:
    """Before: Hydra's five-line ConfigKeyError/ValidationError and exit 1."""
    (tmp_path / "cfg" / "scenario").mkdir(parents=True)
    (tmp_path / "cfg" / "scenario" / "mine.yaml").write_text("# @package _global_\n" + body)
    out = callsim(tmp_path, "--config-dir", "cfg", "scenario=mine", "workforce=none")
    text = (out.stdout + out.stderr).strip()
    assert out.returncode == 2, text
    assert len(text.splitlines()) == 1 and text.startswith(line), text
    assert text.endswith("(in scenario/mine.yaml)")
    assert not (tmp_path / "results").exists()
