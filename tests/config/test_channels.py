"""Checking the channel keys (sim.config.channels): call_types[].channel,
agent_groups[].max_sessions, session_stretch and reserve_idle (issue 15)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from cli_run import callsim
from config_edit import with_change as change

from sim.config.compose import CONFIG_DIR
from sim.config.validation import load_scenario
from sim.core.checks import ConfigError

BASE: dict[str, Any] = {
    "run": {"days": 2},
    "center": {"open_time": "08:00", "close_time": "10:00", "interval_min": 60},
    "call_types": [
        {"name": "calls", "share": 0.6},
        {"name": "chat", "share": 0.3, "channel": "chat"},
        {"name": "mail", "share": 0.1, "channel": "email", "sl_threshold_s": 86400},
    ],
    "agent_groups": [
        {"name": "phone", "agents": 8, "skills": {"calls": 1}},
        {"name": "chatters", "agents": 3, "skills": {"chat": 1}, "max_sessions": 3,
         "session_stretch": 0.2},
        {"name": "blended", "agents": 4, "skills": {"calls": 2, "mail": 1}, "reserve_idle": 2},
    ],
}  # fmt: skip


def with_change(path: str, value: Any) -> dict[str, Any]:
    return change(BASE, path, value)


def test_channels_are_parsed() -> None:
    sc = load_scenario(BASE)
    assert [t.channel for t in sc.call_types] == ["voice", "chat", "email"]
    assert math.isinf(sc.call_types[2].patience.mean)  # e-mail: never abandons by default
    assert [(g.max_sessions, g.session_stretch, g.reserve_idle) for g in sc.agent_groups] == [
        (1, 0.0, 0), (3, 0.2, 0), (1, 0.0, 2)]  # fmt: skip


def test_an_email_type_may_have_a_patience() -> None:
    cfg = with_change("call_types.2.patience", {"kind": "exponential", "mean_s": 7 * 86400})
    assert load_scenario(cfg).call_types[2].patience.mean == pytest.approx(7 * 86400)


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("call_types.1.channel", "fax", "call_types[1].channel = 'fax': must be one of voice, chat, email"),
        ("call_types.2.sl_threshold_s", 600,
         "call_types[2].sl_threshold_s = 600.0: an e-mail deadline must be at least one planning interval (3600 s)"),
        ("agent_groups.1.max_sessions", 0, "agent_groups[1].max_sessions = 0: must be a whole number >= 1"),
        ("agent_groups.0.max_sessions", 2, "agent_groups[0].max_sessions = 2: must be 1 for a group with no chat skill"),
        ("agent_groups.1.session_stretch", -0.1, "agent_groups[1].session_stretch = -0.1"),
        ("agent_groups.2.reserve_idle", -1, "agent_groups[2].reserve_idle = -1: must be a whole number >= 0"),
        ("agent_groups.0.reserve_idle", 1, "agent_groups[0].reserve_idle = 1: must be 0 unless the group has an email or outbound skill"),
        ("agent_groups.1", {"name": "chatters", "agents": 3, "skills": {"calls": 1}},
         "call_types[1].name = 'chat': no agent group can serve this call type (channel chat)"),
        ("queue.lines", 40, "queue.lines = 40: must be null with chat or email call types"),
    ],
)  # fmt: skip
def test_bad_channel_input_names_key_and_value(path: str, value: Any, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_scenario(with_change(path, value))
    assert words in str(info.value), str(info.value)
    assert "\n" not in str(info.value)


def test_stretch_without_sessions_is_refused() -> None:
    cfg = with_change("agent_groups.1.max_sessions", 1)
    with pytest.raises(
        ConfigError, match=r"agent_groups\[1\]\.session_stretch = 0\.2: needs max_sessions > 1"
    ):
        load_scenario(cfg)


def test_cli_refuses_a_short_email_deadline_in_one_line(tmp_path: Path) -> None:
    """As a user would: exit 2, one line naming the key, nothing written."""
    folder = tmp_path / "my_configs" / "scenario"
    folder.mkdir(parents=True)
    shipped = (Path(CONFIG_DIR) / "scenario" / "email_backlog.yaml").read_text()
    assert "sl_threshold_s: 86400.0" in shipped
    (folder / "slow_mail.yaml").write_text(shipped.replace("sl_threshold_s: 86400.0",
                                                           "sl_threshold_s: 600"))  # fmt: skip
    out = callsim(tmp_path, "--config-dir", "my_configs", "scenario=slow_mail")
    assert out.returncode == 2, out.stderr
    lines = [x for x in (out.stdout + out.stderr).splitlines() if x.strip()]
    assert lines == ["callsim: error: call_types[1].sl_threshold_s = 600.0: an e-mail deadline "
                     "must be at least one planning interval (1800 s), e.g. 86400 for 24 h"]  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my_configs"]
