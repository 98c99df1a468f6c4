"""``--plan`` of ``simulate-plan`` and ``marginal`` takes a plan.csv or a roster.csv:
anything else (the plan folder's centre.json, a YAML, a forecast) stops with one line
naming the file and what --plan takes, before the centre is looked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.core.checks import ConfigError
from sim.planning.plancheck import check_plan_file

TAKES = "--plan must be a plan.csv (interval_start and <method>_agents columns, from callsim plan)"


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("centre.json", '{\n  "overrides": ["scenario=baseline"]\n}\n', "(a json file, not a CSV"),
        ("some.yaml", "scenario: baseline\nfoo: [a, b, c]\n", "(a yaml file, not a CSV"),
        (
            "notes.txt",
            "scenario: baseline\nfoo: [a, b, c]\n",
            "(its columns are scenario: baseline)",
        ),
        (
            "f.csv",
            "interval_start,expected_calls,aht_s\n2026-11-30 08:00,40,240\n",
            "its columns are interval_start, expected_calls, aht_s; a forecast? give it as "
            "--forecast",
        ),
        ("empty.csv", "", "cannot read it as a CSV table: No columns to parse from file)"),
    ],
)
def test_a_file_that_is_no_plan_is_refused_in_one_line(
    tmp_path: Path, name: str, text: str, why: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        check_plan_file(path)
    message = str(err.value)
    assert message.startswith(f"--plan {path}: not a plan.csv or roster.csv ")
    assert why in message and TAKES in message
    assert "\n" not in message and "Error tokenizing" not in message and "C error" not in message


def test_plans_and_rosters_pass(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,day,expected_calls,aht_s,erlang_c_agents\n"
                    "2026-11-30 08:00,1,40,240,8\n")  # fmt: skip
    roster = tmp_path / "roster.csv"
    roster.write_text("agent,date,start,end_date,end,break_start,break_end\n"
                      "a1,2026-11-30,08:00,2026-11-30,16:00,12:00,12:30\n")  # fmt: skip
    check_plan_file(plan)
    check_plan_file(roster)


def test_the_command_says_it_before_anything_else(tmp_path: Path) -> None:
    (tmp_path / "some.yaml").write_text("scenario: baseline\n")
    out = subprocess.run(
        [sys.executable, "-m", "sim.app.cli", "simulate-plan", "--plan", "some.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HYDRA_FULL_ERROR": ""},
    )
    assert out.returncode == 2
    text = out.stdout + out.stderr
    assert text.strip().splitlines() == [
        "callsim: error: --plan some.yaml: not a plan.csv or roster.csv (a yaml file, not a "
        f"CSV table); {TAKES} or a roster.csv (agent, date, start, end_date, end, break_start, "
        "break_end: one row per agent and working day, from callsim plan --roster)"
    ]
