"""Parsing and checking call_types, agent_groups and routing (sim.config.skills)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from cli_run import callsim
from config_edit import with_change as change

from sim.config.validation import load_scenario
from sim.core.checks import ConfigError

BASE: dict[str, Any] = {
    "run": {"days": 2},
    "center": {"open_time": "08:00", "close_time": "10:00", "interval_min": 60},
    "call_types": [
        {"name": "en", "share": 0.7, "patience": {"kind": "exponential", "mean_s": 90}},
        {"name": "fr", "share": 0.3, "priority": 1, "sl_threshold_s": 30},
    ],
    "agent_groups": [
        {"name": "english", "agents": 8, "skills": {"en": 1}},
        {"name": "bilingual", "agents": [2, 3], "skills": {"fr": 1, "en": 2},
         "overflow_after_s": {"en": 15}, "handle_factor": {"en": 1.1}},
    ],
}  # fmt: skip


def with_change(path: str, value: Any) -> dict[str, Any]:
    return change(BASE, path, value)


def test_parsed_types_and_groups() -> None:
    sc = load_scenario(BASE)
    en, fr = sc.call_types
    assert (en.name, en.share, en.priority, fr.priority) == ("en", 0.7, 0, 1)
    assert en.patience.mean == pytest.approx(90.0) and fr.patience is sc.laws.patience
    assert (en.sl_threshold_s, fr.sl_threshold_s) == (20.0, 30.0)
    _, bil = sc.agent_groups
    assert bil.skills == {1: 1, 0: 2} and bil.overflow_after_s == {0: 15.0}
    assert bil.handle_factor == {0: 1.1}
    np.testing.assert_array_equal(bil.staffing, [[2, 3], [2, 3]])
    np.testing.assert_array_equal(sc.staffing, [[10, 11], [10, 11]])


def test_default_single_type_and_group() -> None:
    sc = load_scenario({"run": {"days": 1}, "staffing": {"agents": 7}})
    assert [t.name for t in sc.call_types] == ["general"]
    (g,) = sc.agent_groups
    assert g.name == "agents" and g.skills == {0: 1} and int(g.staffing.max()) == 7


def test_call_types_with_the_default_group_serve_every_type() -> None:
    cfg = {k: v for k, v in BASE.items() if k != "agent_groups"}
    (g,) = load_scenario(cfg).agent_groups
    assert g.skills == {0: 1, 1: 1}


def test_own_expected_calls_make_the_total_forecast() -> None:
    cfg = with_change("call_types.1", {"name": "fr", "expected_calls": [[10, 20], [30, 40]]})
    cfg["call_types"][0]["share"] = 1.0
    sc = load_scenario(cfg)
    centre = 2400.0 / 2  # per interval, flat profile of two intervals
    np.testing.assert_allclose(sc.forecast.expected(1), [centre + 30, centre + 40])


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("call_types.1.share", 0.2, "call_types[*].share = [0.7, 0.2]: the shares of the types must sum to 1"),
        ("call_types.1.name", "en", "call_types[1].name = 'en': is a duplicate"),
        ("call_types.1.name", "", "call_types[1].name = '': must be a non-empty text"),
        ("call_types.1.priority", 10, "call_types[1].priority = 10: must be a whole number 0..9"),
        ("call_types.1.priority", -1, "call_types[1].priority = -1"),
        ("call_types.1.share", None, "call_types[1].share = None: give a share"),
        ("call_types.1.expected_calls", [[1, 2]], "call_types[1].share = 0.3: must be null"),
        ("call_types.1.talk", {"kind": "never"}, "call_types[1].talk.kind = 'never'"),
        ("call_types.1.patience", 5, "call_types[1].patience = 5: must be null or a law"),
        ("call_types.1.sl_target", 1.5, "call_types[1].sl_target = 1.5"),
        ("agent_groups.1.name", "english", "agent_groups[1].name = 'english': is a duplicate"),
        ("agent_groups.0.skills", {}, "agent_groups[0].skills = {}: must name at least one"),
        ("agent_groups.0.skills", {"de": 1}, "agent_groups[0].skills.de = 1: names an unknown"),
        ("agent_groups.0.skills", {"en": 0}, "agent_groups[0].skills.en = 0"),
        ("agent_groups.1.overflow_after_s", {"en": -5}, "agent_groups[1].overflow_after_s.en = -5"),
        ("agent_groups.1.handle_factor", {"en": 0}, "agent_groups[1].handle_factor.en = 0"),
        ("agent_groups.0.handle_factor", {"fr": 1.2},
         "agent_groups[0].handle_factor.fr = 1.2: names a call type the group has no skill for"),
        ("agent_groups.1.skills", {"en": 1}, "call_types[1].name = 'fr': no agent group can serve"),
        ("agent_groups.1.agents", [1, 2, 3], "agent_groups[1].agents = [1, 2, 3]: must have 2"),
        ("agent_groups.1.agents", 0, "agent_groups[1].agents = 0"),
        ("routing.call_choice", "fifo", "routing.call_choice = 'fifo'"),
        ("routing.agent_choice", "best", "routing.agent_choice = 'best'"),
        ("workforce.headcount", 30, "workforce.headcount = 30: with several agent_groups give"),
    ],
)  # fmt: skip
def test_bad_input_names_key_and_value(path: str, value: Any, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_scenario(with_change(path, value))
    assert words in str(info.value), str(info.value)
    assert "\n" not in str(info.value)


def test_expected_calls_of_the_wrong_shape() -> None:
    cfg = with_change("call_types.1", {"name": "fr", "expected_calls": [[1, 2, 3], [1, 2, 3]]})
    cfg["call_types"][0]["share"] = 1.0
    with pytest.raises(ConfigError, match=r"call_types\[1\]\.expected_calls\[0\] = \[1, 2, 3\]"):
        load_scenario(cfg)
    cfg["call_types"][1]["expected_calls"] = [[1, 2]]
    with pytest.raises(ConfigError, match=r"call_types\[1\]\.expected_calls = '1 rows'") as info:
        load_scenario(cfg)
    # the expected nesting, with the run's sizes
    assert "2 lists (one per day, run.days = 2) of 2 numbers (one per interval)" in str(info.value)
    cfg["call_types"][1]["expected_calls"] = [1, 2]
    with pytest.raises(ConfigError, match=r"expected_calls = '2 numbers'.* e\.g\. \[\[") as info:
        load_scenario(cfg)


def test_shifts_with_agent_groups_are_refused() -> None:
    cfg = copy.deepcopy(BASE)
    cfg["workforce"] = {"enabled": True}
    cfg["staffing"] = {"shifts": [{"name": "day", "start": "08:00", "length_h": 2}],
                       "roster": {"day": 5}}  # fmt: skip
    with pytest.raises(ConfigError, match=r"staffing\.shifts = 'set': with agent_groups each"):
        load_scenario(cfg)


def test_trace_with_several_types_needs_their_column(tmp_path: Any) -> None:
    """A trace of several types names each call's type (tests/queue/test_trace_types.py)."""
    path = tmp_path / "t.csv"
    path.write_text("arrival_s\n30000\n", encoding="utf-8")
    cfg = dict(copy.deepcopy(BASE), center=dict(BASE["center"], arrivals="trace",
                                                 trace_file=str(path)))  # fmt: skip
    with pytest.raises(ConfigError, match=r"center\.trace_file: .*missing column 'call_type'"):
        load_scenario(cfg)


def test_cli_error_is_one_line(tmp_path: Any) -> None:
    """From the command line: exit status 2 and one line naming the key, no traceback."""
    out = callsim(tmp_path, "call_types=[{name: a, share: 0.5}, {name: b, share: 0.4}]",
                  "run.days=1", "run.replications=1", "output.figures=false")  # fmt: skip
    assert out.returncode == 2, out.stderr
    text = out.stdout + out.stderr
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and "call_types" in lines[0] and "sum to 1" in lines[0], text
    assert "Traceback" not in text and not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("key", "entry", "words"),
    [
        ("call_types", {"name": "a", "share": 1, "prio": 1},
         "call_types[*].prio: unknown key (allowed here: name, share, expected_calls,"),
        ("call_types", {"name": "a", "share": 1, "priority": "high"},
         "call_types[*].priority = 'high': must be a whole number"),
        ("agent_groups", {"name": "g", "agnets": 3, "skills": {"general": 1}},
         "agent_groups[*].agnets: unknown key (allowed here: name, agents, skills,"),
    ],
)  # fmt: skip
def test_a_bad_key_in_a_list_entry_names_the_list_and_the_entrys_keys(
    key: str, entry: dict[str, Any], words: str
) -> None:
    """OmegaConf names a key inside a list entry without the list's path: the error adds
    it and lists the entry's keys, not the top level's."""
    with pytest.raises(ConfigError) as info:
        load_scenario({key: [entry]})
    assert str(info.value).startswith(words)
