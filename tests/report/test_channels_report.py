"""The report's Channels section and summary lines (sim.report.channels_report): shown
with chat or e-mail types, with the numbers of summary_by_type and summary_by_group;
absent without them."""

from __future__ import annotations

import re

import pytest
from outbound_configs import outbound_centre

from sim.model.runner import Replications, replicate
from sim.report.channels_report import channel_lines, channel_sections, closing_backlog
from sim.report.html_report import run_report

CONFIG = {
    "run": {"name": "channels", "days": 3, "replications": 2, "workers": 1},
    "center": {"volume_per_day": 900.0, "after_close": "cut"},
    "output": {"figures": False},
    "call_types": [
        {"name": "calls", "share": 0.5},
        {"name": "chat", "share": 0.3, "channel": "chat"},
        {"name": "mail", "share": 0.2, "channel": "email", "sl_threshold_s": 86400.0,
         "talk": {"kind": "exponential", "mean_s": 900.0}},
    ],
    "agent_groups": [
        {"name": "phone", "agents": 5, "skills": {"calls": 1}},
        {"name": "chatters", "agents": 2, "skills": {"chat": 1}, "max_sessions": 3},
        {"name": "desk", "agents": 1, "skills": {"mail": 1}},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def reps() -> Replications:
    return replicate(CONFIG)


def test_section_shows_backlog_and_sessions(reps: Replications) -> None:
    html = "\n".join(channel_sections(reps))
    assert 'id="channels"' in html and "mail" in html and "chat" in html
    assert "24.0 h" in html  # the e-mail deadline in hours
    assert "chatters" in html and "phone" not in html  # groups with sessions only
    days = closing_backlog(reps)
    mail = days[days["call_type"] == "mail"]
    assert list(mail["day"]) == [0, 1, 2]
    assert (mail["backlog"].diff().dropna() > 0).all()  # an understaffed desk falls behind
    assert "channels" in run_report(reps)


def test_summary_lines_match_the_tables(reps: Replications) -> None:
    lines = channel_lines(reps)
    assert lines[0] == "  channels:"
    wide = reps.summary_by_type.set_index(["call_type", "kpi"])["mean"]
    (mail,) = [x for x in lines if x.strip().startswith("mail")]
    assert f"waiting at the end {wide[('mail', 'backlog_end')]:,.0f}, oldest" in mail  # >= 100: no decimals
    (chatters,) = [x for x in lines if x.strip().startswith("chatters")]
    held = reps.summary_by_group.set_index(["agent_group", "kpi"])["mean"]
    value = float(re.findall(r"held per busy agent ([\d.]+)", chatters)[0])
    assert value == pytest.approx(held[("chatters", "mean_sessions")], abs=0.006)
    assert 1.0 < value <= 3.0


def test_no_section_without_channels() -> None:
    plain = replicate({"run": {"days": 1, "replications": 2, "workers": 1},
                       "output": {"figures": False}})  # fmt: skip
    assert channel_sections(plain) == [] and channel_lines(plain) == []


#: the shared outbound centre (tests/outbound_configs.py), 2 days, 2 replications
OUTBOUND = outbound_centre(2, {"run": {"name": "outbound", "replications": 2, "workers": 1},
                               "output": {"figures": False}, "workforce": {"enabled": False}})  # fmt: skip


def test_outbound_campaign_in_section_and_lines() -> None:
    """An outbound type alone (no chat or e-mail) shows the section with its KPIs, and a
    summary line with the numbers of summary_by_type; it has no service-level line."""
    reps = replicate(OUTBOUND)
    html = "\n".join(channel_sections(reps))
    assert 'id="channels"' in html and 'id="outbound"' in html and "sales" in html
    lines = channel_lines(reps)
    assert lines[0] == "  channels:"
    (sales,) = [x for x in lines if x.strip().startswith("sales")]
    wide = reps.summary_by_type.set_index(["call_type", "kpi"])["mean"]
    assert f"outbound: {wide[('sales', 'outbound_dials')]:,.0f} dials" in sales
    assert f"{100 * wide[('sales', 'list_penetration')]:.1f}%" in sales
    report = run_report(reps)
    assert "an outbound campaign: see" in report
