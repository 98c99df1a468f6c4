"""sim.compose: the cached fast path gives the config Hydra gives, and bad input the
same one-line errors."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from sim.config.compose import _hydra_compose, clear_cache, compose
from sim.config.validation import ConfigError

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


def test_retyping_a_distribution_takes_hydras_path() -> None:
    overrides = ["service.talk.kind=exponential"]
    with pytest.raises(ConfigError) as fast:
        compose(overrides)
    with pytest.raises(ConfigError) as slow:
        _hydra_compose(overrides, composing.CONFIG_DIR)
    assert str(fast.value) == str(slow.value)


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
