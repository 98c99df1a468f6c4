"""A user's config folder on the command line: key and type errors Hydra finds while
composing become one ``callsim: error:`` line (sim.config.command_trust)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_run import callsim

from sim.config.command_trust import check_command_overrides
from sim.config.compose import compose
from sim.core.checks import ConfigError


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


def test_overrides_are_checked_with_a_config_dir(tmp_path: Path) -> None:
    """``--config-dir DIR`` and its value are options, not overrides: a misspelt
    ``+run.replicatons`` is refused as without it (it used to be ignored, the folder's
    name having made the override parser give up); the folder's own config groups
    (``+plan=planned``) are Hydra's."""
    (tmp_path / "plan").mkdir()
    args = ["--config-dir", str(tmp_path), "run.days=1", "+plan=planned"]
    check_command_overrides(args)
    with pytest.raises(ConfigError, match=r"\+run\.replicatons: unknown key"):
        check_command_overrides([*args, "+run.replicatons=20"])


def test_a_misspelt_group_choice_is_one_line() -> None:
    """``scenario=two_languge``: one line with the group's options, not Hydra's page."""
    with pytest.raises(ConfigError, match=r"scenario = 'two_languge': no such scenario "
                                          r"\(options: .*two_languages"):  # fmt: skip
        check_command_overrides(["scenario=two_languge"])
    check_command_overrides(["scenario=two_languages", "patience=never"])


ABSENT = (r"agent_groups\.1\.workforce\.fatigue\.enabled: the config files do not set this "
          r"key \(it lies in a mapping, or in an optional section they leave out or set to "
          r"null\); to add it, write \+agent_groups\.1\.workforce\.fatigue\.enabled=false$")  # fmt: skip


def test_a_key_the_files_leave_out_says_to_write_plus(tmp_path: Path) -> None:
    """two_languages' groups have no ``workforce`` (null): overriding a key below it, a
    group's skill it does not have, or an entry past the list, is one line before any
    run (was: Hydra's six lines and exit 1); with ``+`` the key is added."""
    lang = "scenario=two_languages"
    with pytest.raises(ConfigError, match=ABSENT):
        check_command_overrides([lang, "agent_groups.1.workforce.fatigue.enabled=false"])
    with pytest.raises(ConfigError, match=r"^agent_groups\.0\.skills\.french: .* write "
                                          r"\+agent_groups\.0\.skills\.french=2$"):  # fmt: skip
        check_command_overrides([lang, "agent_groups.0.skills.french=2"])
    with pytest.raises(ConfigError, match=r"^agent_groups\.5\.agents = 3: agent_groups has no "
                                          r"entry 5 \(entries count from 0"):  # fmt: skip
        check_command_overrides([lang, "agent_groups.5.agents=3"])
    check_command_overrides([lang, "agent_groups.0.skills.english=2", "+agent_groups.0.skills.french=2",
                             "agent_groups.1.agents=4", "+agent_groups.1.workforce.fatigue.enabled=false"])  # fmt: skip
    cfg = compose([lang, "+agent_groups.0.skills.french=2"])
    assert cfg.agent_groups[0].skills == {"english": 1, "french": 2}
    with pytest.raises(ConfigError, match=ABSENT):  # sim.compose: the same line
        compose([lang, "agent_groups.1.workforce.fatigue.enabled=false"])
    # on the command line: exit 2, one line, nothing written; with a user's folder too
    (tmp_path / "cfg" / "scenario").mkdir(parents=True)
    for extra in ([], ["--config-dir", "cfg"]):
        out = callsim(tmp_path, *extra, lang, "agent_groups.1.workforce.fatigue.enabled=false")
        text = (out.stdout + out.stderr).strip()
        assert out.returncode == 2 and len(text.splitlines()) == 1, text
        assert re.match("callsim: error: " + ABSENT, text), text
    assert not (tmp_path / "results").exists()


MAPPING = (r"^agent_groups\.1\.skills = \{calls:2,retention:1,sales:1\}: the config files set "
           r"agent_groups\.1\.skills, but not its key 'sales', and an override merges into a "
           r"mapping without adding keys; to add it, write "
           r"\+agent_groups\.1\.skills=\{calls:2,retention:1,sales:1\} \(keys you leave out "
           r"keep their values\)$")  # fmt: skip


def test_a_mapping_the_files_set_given_a_new_key_is_named_as_set(tmp_path: Path) -> None:
    """The trial of issue 15: ``agent_groups.1.skills={calls:2,sales:1}`` was told that
    the files do not set ``agent_groups.1.skills``, though blended_outbound does: the
    line now names the new key and says the mapping is set; the keys it already has
    take a plain override, and ``+`` adds the new key (keeping the keys left out)."""
    ob = "scenario=blended_outbound"
    bad = "agent_groups.1.skills={calls:2,retention:1,sales:1}"
    with pytest.raises(ConfigError, match=MAPPING) as err:
        check_command_overrides([ob, bad])
    assert err.value.key == "agent_groups.1.skills"
    with pytest.raises(ConfigError, match=MAPPING):  # sim.compose: the same line
        compose([ob, bad])
    with pytest.raises(ConfigError, match=r"^agent_groups\.1\.handle_factor = \{calls:1\.2\}: "
                                          r"the config files set agent_groups\.1\.handle_factor, "
                                          r"but not its key 'calls'"):  # fmt: skip
        check_command_overrides(["scenario=sales_service", "agent_groups.1.handle_factor={calls:1.2}"])
    cfg = compose([ob, "agent_groups.1.skills={calls:3,retention:1}"])
    assert cfg.agent_groups[1].skills == {"calls": 3, "retention": 1}
    cfg = compose(["scenario=two_languages", "+agent_groups.0.skills={french:2}"])
    assert cfg.agent_groups[0].skills == {"english": 1, "french": 2}  # merged
    out = callsim(tmp_path, ob, bad)
    text = (out.stdout + out.stderr).strip()
    assert out.returncode == 2 and len(text.splitlines()) == 1, text
    assert re.match("callsim: error: " + MAPPING[1:], text), text
    assert not (tmp_path / "results").exists()


def test_the_command_line_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """check_command_overrides checks the keys and their presence in the files on one
    parse of the overrides (it used to parse them twice: check_overrides, check_present);
    the errors of both checks still come."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    calls: list[list[str]] = []
    parse = OverridesParser.parse_overrides

    def counted(self: OverridesParser, overrides: list[str]) -> Any:
        if sys._getframe(1).f_globals["__name__"].startswith("sim."):  # not Hydra's own,
            calls.append(list(overrides))  # when the presence check composes
        return parse(self, overrides)

    monkeypatch.setattr(OverridesParser, "parse_overrides", counted)
    args = ["scenario=two_languages", "run.days=2", "+agent_groups.0.skills.french=2"]
    check_command_overrides(args)
    assert calls == [args]
    calls.clear()
    with pytest.raises(ConfigError, match=ABSENT):  # found by the presence check
        check_command_overrides(["scenario=two_languages",
                                 "agent_groups.1.workforce.fatigue.enabled=false"])  # fmt: skip
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(ConfigError, match=r"center\.volum: unknown key"):  # by the key check
        check_command_overrides(["center.volum=5"])
    assert len(calls) == 1
