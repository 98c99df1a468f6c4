"""sim.compose: the cached fast path gives the config Hydra gives, and bad input the
same one-line errors."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from sim.config.compose import _hydra_compose, clear_cache, compose
from sim.config.validation import ConfigError
from sim.core.law_schema import EmpiricalLaw, ExponentialLaw, GammaLaw, LogNormalLaw, WeibullLaw

composing = importlib.import_module("sim.config.compose")

CASES = [
    [],
    ["run.days=3", "staffing.agents=12"],
    [
        "scenario=steady_erlang_c",
        "staffing.agents=[10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33]",
        "center.volume_per_day=1234",
    ],
    [
        "customers.initial=1000",
        "customers.market_size=5000",
        "customers.feedback=true",
        "center.close_time=19:00",
        "center.interval_min=30",
        "metrics.sl_threshold_s=30",
        "center.profile=[0.045,0.045,0.045,0.045,0.045,0.045,0.045,0.045,0.045,0.045"
        ",0.045,0.045,0.045,0.045,0.045,0.045,0.045,0.045,0.045,0.045,0.05,0.05]",
        "staffing.agents=40",
    ],
    [
        "workforce=none",
        "resolution=none",
        "redials=none",
        "customers.enabled=false",
        "patience=exponential",
        "patience.mean_s=120",
    ],
    ["service=exponential", "service.talk.mean_s=200", "run.seed=7"],
]


RETYPED = [
    (["service.talk.kind=exponential"], "service.talk", ExponentialLaw(mean_s=240.0)),
    (["patience.kind=gamma", "patience.mean_s=60", "patience.cv=1.5"], "patience",
     GammaLaw(mean_s=60.0, cv=1.5)),
    (["patience=exponential", "patience.mean_s=30"], "patience", ExponentialLaw(mean_s=30.0)),
    (["service.talk.kind=weibull", "service.talk.shape=0.8", "service.talk.scale_s=200"],
     "service.talk", WeibullLaw(shape=0.8, scale_s=200.0)),
    (["service.talk.kind=gamma"], "service.talk", GammaLaw(mean_s=240.0, cv=1.0)),
    (["service.talk={kind: empirical, values_s: [1, 2.5]}"], "service.talk",
     EmpiricalLaw(values_s=(1.0, 2.5))),
    (["model=planning", "service.talk.kind=lognormal", "service.talk.cv=0.5"], "service.talk",
     LogNormalLaw(mean_s=270.0, cv=0.5)),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "path", "law"), RETYPED)
def test_a_kind_switched_by_override_keeps_only_its_keys(
    overrides: list[str], path: str, law: object
) -> None:
    """Both paths (cached and Hydra's) switch the kind: the keys of the old kind that the
    new one does not take are dropped, the shared ones kept, the given ones set."""
    fast = compose(overrides)
    slow = _hydra_compose(overrides, composing.CONFIG_DIR)
    assert fast == slow
    node: object = fast
    for part in path.split("."):
        node = getattr(node, part)
    assert node == law


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["patience=exponential", "patience.cv=0.5"],
         "patience.cv = 0.5: not a key of kind exponential (allowed: mean_s)"),
        (["patience.kind=exponential", "patience.mean_s=30", "patience.cv=2"],
         "patience.cv = 2: not a key of kind exponential (allowed: mean_s)"),
        (["patience.kind=gamma", "patience.mean_s=60"],
         "patience.cv: missing (kind gamma needs mean_s, cv)"),
        (["service.talk.kind=weibull"],
         "service.talk.shape: missing (kind weibull needs shape, scale_s)"),
        (["patience.kind=poisson"], "patience.kind = 'poisson': unknown kind (allowed: "),
        (["service.talk.mean_s=-3"], "service.talk.mean_s = -3.0: must be a finite number > 0"),
    ],
)  # fmt: skip
def test_a_key_of_another_kind_is_refused_the_same_on_both_paths(
    overrides: list[str], message: str
) -> None:
    with pytest.raises(ConfigError) as fast:
        compose(overrides)
    with pytest.raises(ConfigError) as slow:
        _hydra_compose(overrides, composing.CONFIG_DIR)
    assert str(fast.value) == str(slow.value)
    assert str(fast.value).startswith(message)


@pytest.mark.parametrize("overrides", CASES)
def test_fast_path_equals_hydra(overrides: list[str]) -> None:
    fast = compose(overrides)
    slow = _hydra_compose(overrides, composing.CONFIG_DIR)
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert fast == slow


def test_cached_config_is_not_shared() -> None:
    clear_cache()
    a = compose(["run.days=2"])
    a.run.days = 99
    a.staffing.agents = 1
    b = compose(["run.days=2"])
    assert b.run.days == 2 and b.staffing.agents != 1
    assert len(composing._BASES) == 1  # one Hydra compose for both calls


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("center.volum=3", "center.volum"),
        ("run.days=abc", "run.days"),
        ("run.days=0", "run.days"),
        ("staffing.agents=-3", "staffing.agents"),
    ],
)
def test_bad_plain_overrides_name_the_key(override: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace(".", r"\.")):
        compose([override])
    assert compose(["run.days=2"]).run.days == 2  # the schema node was restored


def test_load_config_with_overrides_equals_omegaconfs_merge() -> None:
    # The fast path of load_config(Config, **overrides) against the full OmegaConf merge
    # (the same config given as a DictConfig, which takes OmegaConf's path).
    from omegaconf import OmegaConf

    from sim.config.validation import load_config

    base = compose(["scenario=steady_erlang_a"])
    values = {
        "staffing__agents": 40,
        "center__volume_per_day": 3000,
        "run__days": 2,
        "metrics__sl_threshold_s": 15,
    }
    fast = load_config(base, **values)
    slow = load_config(OmegaConf.structured(base), **values)
    assert fast == slow and fast.staffing.agents == 40
    assert isinstance(fast.center.volume_per_day, float)
    assert base.run.days != 2 or base.staffing.agents != 40  # base untouched
    with pytest.raises(ConfigError, match=r"run\.days"):
        load_config(base, run__days="x")


def test_a_list_of_sections_by_override_is_typed() -> None:
    """``call_types=[{...}]`` and ``agent_groups=[{...}]`` on the command line or in
    ``compose``: the entries become the schema's dataclasses (the fast path used to set
    plain dicts, and parsing crashed on ``'dict' object has no attribute 'name'``)."""
    cfg = compose(["scenario=two_languages", "call_types=[{name: x, share: 1.0}]",
                   "agent_groups=[{name: g, agents: 5, skills: {x: 1}}]"])  # fmt: skip
    assert [t.name for t in cfg.call_types] == ["x"]
    assert [g.name for g in cfg.agent_groups] == ["g"]


def test_a_key_inside_a_list_entry() -> None:
    """``agent_groups.1.agents=7`` sets that group's agents; a misspelt key inside an
    entry is one line naming the entry's keys."""
    cfg = compose(["scenario=two_languages", "agent_groups.1.agents=7"])
    assert cfg.agent_groups[1].agents == 7
    with pytest.raises(ConfigError, match=r"agent_groups\.1\.agnets: unknown key 'agnets'.*"
                                          r"allowed here: name, agents, skills"):  # fmt: skip
        compose(["scenario=two_languages", "agent_groups.1.agnets=7"])


def test_one_walk_checks_added_keys_and_keys_in_list_entries() -> None:
    """``+key`` and a key inside a list entry are checked by one walk over the schema's
    types: a misspelt name is one line with the keys allowed there, whichever way it is
    written; a name below a ``dict`` (skills, handle factors) or an open node (a law, a
    roster) is left to the parse, which names the key and what is allowed (``+`` below a
    list entry used to be refused as an unknown key)."""
    check = composing.check_overrides
    for override, shown in (("+agent_groups.1.agnets=7", r"\+agent_groups\.1\.agnets"),
                            ("agent_groups.1.agnets=7", r"agent_groups\.1\.agnets")):  # fmt: skip
        with pytest.raises(ConfigError, match=rf"^{shown}: unknown key 'agnets' in "
                                              r"agent_groups\.1 \(allowed here: name, agents,"):  # fmt: skip
            check([override])
    with pytest.raises(ConfigError, match=r"^\+center\.volum: unknown key 'volum' in center "
                                          r"\(allowed here: name, open_time,"):  # fmt: skip
        check(["+center.volum=5"])
    with pytest.raises(ConfigError, match=r"^\+call_types\.name: call_types is a list: 'name' "
                                          r"is not an entry number \(call_types\.0, "):  # fmt: skip
        check(["+call_types.name=x"])
    with pytest.raises(
        ConfigError, match=r"^run\.days\.0: run\.days is a value, it has no key '0'"
    ):
        check(["run.days.0=1"])
    check(["+agent_groups.0.skills.fr=1", "+patience.shape=2", "+staffing.roster.early=4",
           "center.profile.3=0.5", "+scenario=baseline"])  # fmt: skip
    cfg = compose(["scenario=two_languages", "+agent_groups.0.handle_factor.english=1.2"])
    assert cfg.agent_groups[0].handle_factor == {"english": 1.2}
    with pytest.raises(ConfigError, match=r"^agent_groups\[0\]\.handle_factor\.en = 1\.1: names "
                                          r"an unknown call type 'en'"):  # fmt: skip
        compose(["scenario=two_languages", "+agent_groups.0.handle_factor.en=1.1"])


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("scenario=callback_ofered", "scenario = 'callback_ofered': no such scenario (options: baseline, "),
        ("workforce=nonee", "workforce = 'nonee': no such workforce (options: default, none)"),
    ],
)  # fmt: skip
def test_an_unknown_group_option_is_one_line_naming_the_options(
    override: str, message: str
) -> None:
    """``sim.compose`` (so ``callsim plan --set``, ``simulate-plan``, ``marginal``) gives the
    one line ``callsim run`` gives, not Hydra's page with its search path (new-user trial)."""
    with pytest.raises(ConfigError) as err:
        compose([override])
    text = str(err.value)
    assert text.startswith(message) and "\n" not in text and "search path" not in text
    assert err.value.key == override.partition("=")[0]
