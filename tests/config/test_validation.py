"""Bad input stops before any simulation, with one message naming key, value and rule."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

import sim
from sim.config.validation import SHARE_TOLERANCE, load_config
from sim.core.checks import ConfigError
from sim.core.law_schema import LAW_KINDS, ExponentialLaw, GammaLaw, HistogramLaw, LogNormalLaw
from sim.core.schema import Config

FLAT24 = [1 / 24] * 24


def _expect(cfg: dict[str, Any], key: str, value: str, rule: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    msg = str(info.value)
    assert key in msg, msg
    assert value in msg, msg
    assert rule in msg, msg
    assert "\n" not in msg  # one message, one line


BAD = [
    ({"staffing": {"agents": 0}}, "staffing.agents", "0", ">= 1"),
    ({"staffing": {"agents": -3}}, "staffing.agents", "-3", ">= 1"),
    ({"staffing": {"agents": [5] * 23 + [-1]}}, "staffing.agents[23]", "-1", ">= 0"),
    ({"staffing": {"agents": [0] * 24}}, "staffing.agents", "[0, 0", "at least one"),
    ({"staffing": {"agents": [5] * 10}}, "staffing.agents", "[5, 5", "24 values"),
    ({"center": {"volume_per_day": 0}}, "center.volume_per_day", "0", "> 0"),
    ({"center": {"volume_per_day": -5.0}}, "center.volume_per_day", "-5.0", "> 0"),
    ({"center": {"busyness_var": -0.1}}, "center.busyness_var", "-0.1", ">= 0"),
    (
        {"service": {"talk": {"kind": "exponential", "mean_s": -3}}},
        "service.talk.mean_s",
        "-3",
        "> 0",
    ),
    ({"patience": {"kind": "exponential", "mean_s": 0}}, "patience.mean_s", "0", "> 0"),
    ({"redials": {"probability": 1.5}}, "redials.probability", "1.5", "[0, 1]"),
    ({"redials": {"blocked_probability": -0.1}}, "redials.blocked_probability", "-0.1", "[0, 1]"),
    ({"metrics": {"sl_target": 2.0}}, "metrics.sl_target", "2.0", "[0, 1]"),
    (
        {"patience": {"kind": "histogram", "edges_s": [0, 60, 120], "probs": [1.2, -0.2]}},
        "patience.probs",
        "1.2",
        "[0, 1]",
    ),
    ({"center": {"profile": [0.05] * 24}}, "center.profile", "0.05", f"within {SHARE_TOLERANCE:g}"),
    ({"center": {"profile": [0.5, 0.5]}}, "center.profile", "[0.5, 0.5]", "24 shares"),
    ({"center": {"close_time": "07:00"}}, "center.close_time", "07:00", "after center.open_time"),
    ({"center": {"open_time": "8 o'clock"}}, "center.open_time", "8 o'clock", "HH:MM"),
    ({"center": {"interval_min": 7}}, "center.interval_min", "7", "divide the opening hours"),
    ({"patience": {"kind": "weird"}}, "patience.kind", "weird", "allowed: exponential"),
    ({"service": {"talk": {"kind": "gaussian"}}}, "service.talk.kind", "gaussian", "allowed"),
    ({"center": {"volum_per_day": 5}}, "center.volum_per_day", "unknown key", "volume_per_day"),
    ({"runn": {"days": 2}}, "runn", "unknown key", "center"),
    ({"center": {"volume_per_day": "abc"}}, "center.volume_per_day", "abc", "float"),
    ({"run": {"days": "two"}}, "run.days", "two", "int"),
    ({"run": {"days": 0}}, "run.days", "0", ">= 1"),
    ({"run": {"replications": 0}}, "run.replications", "0", ">= 1"),
    ({"run": {"name": "../escape"}}, "run.name", "../escape", "folder name"),
    (
        {"staffing": {"agents": [[5] * 24]}, "run": {"days": 2}},
        "staffing.agents",
        "1 lists",
        "one list per day",
    ),
    (
        {"staffing": {"agents": [[5] * 24, [5] * 3]}, "run": {"days": 2}},
        "staffing.agents[1]",
        "[5, 5, 5]",
        "24 values",
    ),
    (
        {"staffing": {"agents": [[5] * 24, [-1] * 24]}, "run": {"days": 2}},
        "staffing.agents[1][0]",
        "-1",
        ">= 0",
    ),
    ({"resolution": {"fcr": 1.5}}, "resolution.fcr", "1.5", "[0, 1]"),
    (
        {"resolution": {"recontact_probability": -0.2}},
        "resolution.recontact_probability",
        "-0.2",
        "[0, 1]",
    ),
    (
        {"resolution": {"fcr": 0.9, "empowerment_uplift": 0.2}},
        "resolution.empowerment_uplift",
        "0.2",
        "<= 1",
    ),
    ({"resolution": {"max_contacts": 0}}, "resolution.max_contacts", "0", ">= 1"),
    (
        {"experience": {"good_wait_share": 0.9}},
        "experience.bad_wait_share",
        "0.75",
        ">= experience.good_wait_share",
    ),
    ({"customers": {"initial": -5}}, "customers.initial", "-5", ">= 1"),
    (
        {"customers": {"initial": 300, "market_size": 200}},
        "customers.initial",
        "300",
        "<= customers.market_size",
    ),
    ({"customers": {"churn": {"several": 1}}}, "customers.churn.several", "1", ">= 2"),
    (
        {"customers": {"churn": {"after_one": 0.7}}},
        "customers.churn.after_several",
        "0.59",
        "in (customers.churn.after_one",
    ),
    (
        {"customers": {"churn": {"shape": "linear"}}},
        "customers.churn.shape",
        "linear",
        "escalating, constant",
    ),
    ({"customers": {"wom": {"tell_bad": 1.2}}}, "customers.wom.tell_bad", "1.2", "[0, 1]"),
    (
        {"customers": {"wom": {"listeners_good_mean": 0.5}}},
        "customers.wom.listeners_good_mean",
        "0.5",
        ">= 1",
    ),
    (
        {"customers": {"acquisition": {"imitation_per_year": -1}}},
        "customers.acquisition.imitation_per_year",
        "-1",
        ">= 0",
    ),
    ({"economics": {"agent_cost_per_hour": -30}}, "economics.agent_cost_per_hour", "-30", ">= 0"),
    ({"run": {"warmup_s": 90000.0}}, "run.warmup_s", "90000.0", "shorter than the run"),
    ({"queue": {"lines": 0}}, "queue.lines", "0", ">= 1"),
    ({"redials": {"max_attempts": 0}}, "redials.max_attempts", "0", ">= 1"),
    ({"center": {"after_close": "sleep"}}, "center.after_close", "sleep", "drain, cut"),
    (
        {"center": {"day_of_week_factors": [1, 1, 1]}},
        "center.day_of_week_factors",
        "[1",
        "7 factors",
    ),
]


@pytest.mark.parametrize(("cfg", "key", "value", "rule"), BAD, ids=[b[1] + "=" + b[2] for b in BAD])
def test_bad_input_is_refused_with_key_value_and_rule(
    cfg: dict[str, Any], key: str, value: str, rule: str
) -> None:
    _expect(cfg, key, value, rule)


def test_simulate_refuses_before_running(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the engine must not run on bad input")

    monkeypatch.setattr("sim.queue.engine.Engine.run", boom)
    with pytest.raises(ConfigError, match=r"staffing\.agents"):
        sim.simulate({"staffing": {"agents": 0}})


def test_defaults_are_valid_and_sources_agree() -> None:
    cfg = load_config()
    assert isinstance(cfg, Config)
    assert load_config(cfg) is cfg
    assert load_config({"staffing": {"agents": 12}}, run__days=2).run.days == 2


def test_a_retyped_distribution_drops_the_default_parameters() -> None:
    """A dict that names a law's kind keeps from the defaults only that kind's keys."""
    cfg = load_config({"service": {"talk": {"kind": "exponential", "mean_s": 200.0}}})
    assert cfg.service.talk == ExponentialLaw(mean_s=200.0)
    assert load_config({"service": {"talk": {"kind": "gamma"}}}).service.talk == GammaLaw(
        mean_s=240.0, cv=1.0
    )  # the default lognormal's mean and cv are gamma's keys too
    assert load_config(patience__kind="gamma", patience__mean_s=60, patience__cv=1.5).patience == (
        GammaLaw(mean_s=60.0, cv=1.5)
    )
    assert load_config(cfg, service__talk__kind="lognormal", service__talk__cv=0.5).service.talk == (
        LogNormalLaw(mean_s=200.0, cv=0.5)
    )


@pytest.mark.parametrize(
    ("source", "overrides", "message"),
    [
        ({"patience": {"kind": "exponential", "mean_s": 30, "cv": 1.5}}, {},
         "patience.cv = 1.5: not a key of kind exponential (allowed: mean_s)"),
        ({}, {"patience__kind": "exponential", "patience__mean_s": 30, "patience__cv": 1.5},
         "patience.cv = 1.5: not a key of kind exponential (allowed: mean_s)"),
        (Config(), {"patience__kind": "exponential", "patience__mean_s": 30, "patience__cv": 1.5},
         "patience.cv = 1.5: not a key of kind exponential (allowed: mean_s)"),
        ({"redials": {"delay": {"mean_s": 30, "shape": 2}}}, {},
         "redials.delay.shape = 2: not a key of kind exponential (allowed: mean_s)"),
        ({"service": {"acw": {"kind": "never"}}}, {}, "service.acw.kind = 'never' takes infinite"),
        ({"patience": {"kind": "mixture", "components": [
            {"weight": 1.0, "kind": "gamma", "mean_s": 3, "shape": 1}]}}, {},
         "patience.components[0].shape = 1: not a key of kind gamma (allowed: mean_s, cv)"),
    ],
)  # fmt: skip
def test_a_key_of_another_kind_is_refused_before_any_run(
    source: object, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(source, **overrides)  # type: ignore[arg-type]
    assert str(info.value).startswith(message), str(info.value)


def test_every_law_is_the_dataclass_of_its_kind() -> None:
    """Parsed, each law is one frozen dataclass listing only its kind's keys; a config
    whose laws are such dataclasses already is returned as it is."""
    cfg = load_config({"patience": {"kind": "histogram", "edges_s": [0, 60, ".inf"],
                                    "probs": [0.5, 0.5], "tail_mean_s": "inf", "cv": None}})  # fmt: skip
    assert cfg.patience == HistogramLaw(edges_s=(0.0, 60.0, math.inf), probs=(0.5, 0.5),
                                        tail_mean_s=math.inf)  # fmt: skip
    for law in (cfg.service.talk, cfg.service.acw, cfg.patience, cfg.redials.delay,
                cfg.resolution.recontact_delay):  # fmt: skip
        assert type(law) is LAW_KINDS[law.kind]
        with pytest.raises(dataclasses.FrozenInstanceError):
            law.kind = "never"  # type: ignore[misc]
    assert load_config(cfg) is cfg


def test_profile_tolerance_is_honoured() -> None:
    shares = FLAT24.copy()
    shares[0] += SHARE_TOLERANCE / 2
    load_config({"center": {"profile": shares}})


def test_compose_gives_what_the_command_runs() -> None:
    """sim.compose: the CLI's defaults list and scenario, from Python, validated."""
    base = sim.compose()
    assert base.run.name == "baseline" and base.redials.probability == 0.5
    assert isinstance(base.staffing.agents, list) and len(base.staffing.agents) == 24
    steady = sim.compose(["scenario=steady_erlang_c", "staffing.agents=105"])
    assert steady.staffing.agents == 105 and steady.patience.kind == "never"
    assert sim.compose(["wom=survey2014"]).customers.wom.listeners_bad_mean == 21.0
    assert sim.compose(["wom=angry"]).customers.wom.retell_bad > 0
    with pytest.raises(ConfigError, match="steady_genesys"):  # lists the options
        sim.compose(["scenario=nope"])
    with pytest.raises(ConfigError, match=r"staffing\.agentz"):
        sim.compose(["staffing.agentz=3"])
    with pytest.raises(ConfigError, match=r"run\.days = 0"):
        sim.compose(["run.days=0"])
