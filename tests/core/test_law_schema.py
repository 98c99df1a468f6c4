"""One frozen dataclass per kind of time law: exactly its keys, read from a mapping with
one-line errors, written back as that mapping, and the rule for a layer that switches
the kind."""

from __future__ import annotations

import dataclasses
import math

import pytest

from sim.core.law_schema import (
    LAW_KINDS,
    ExponentialLaw,
    GammaLaw,
    HistogramLaw,
    LogNormalLaw,
    MixtureLaw,
    allowed_keys,
    law_config,
    law_dict,
    merge_law,
    required_keys,
)
from sim.laws.distributions import KINDS

EXAMPLES = {
    "exponential": {"mean_s": 30.0},
    "lognormal": {"mean_s": 240.0, "cv": 1.0},
    "gamma": {"mean_s": 60.0, "cv": 1.5},
    "weibull": {"shape": 0.8, "scale_s": 150.0},
    "deterministic": {"value_s": 0.0},
    "empirical": {"values_s": [1.0, 2.5]},
    "histogram": {"edges_s": [0.0, 60.0, math.inf], "probs": [0.5, 0.5], "tail_mean_s": 30.0},
    "piecewise_hazard": {"edges_s": [0.0, 60.0], "rates_per_s": [0.01, 0.02]},
    "mixture": {"components": [{"weight": 1.0, "kind": "never"}]},
    "never": {},
    "genesys": {},
    "genesys2020": {},
}


def test_one_class_per_kind_of_the_laws() -> None:
    assert tuple(LAW_KINDS) == KINDS
    assert set(EXAMPLES) == set(KINDS)
    assert allowed_keys("exponential") == ("mean_s",)
    assert allowed_keys("histogram") == ("edges_s", "probs", "tail_mean_s")
    assert required_keys("histogram") == ("edges_s", "probs")
    assert allowed_keys("genesys") == ()


@pytest.mark.parametrize("kind", KINDS)
def test_a_law_reads_and_writes_back_its_own_keys(kind: str) -> None:
    raw = {"kind": kind, **EXAMPLES[kind]}
    law = law_config(raw, "patience")
    assert type(law) is LAW_KINDS[kind] and law.kind == kind
    assert law_dict(law) == raw
    assert law_config(law_dict(law), "patience") == law
    with pytest.raises(dataclasses.FrozenInstanceError):
        law.kind = "never"  # type: ignore[misc]
    for other in KINDS:  # one key of another kind, not of this one: refused, named
        foreign = [k for k in allowed_keys(other) if k not in allowed_keys(kind)]
        if foreign:
            with pytest.raises(ValueError) as info:
                law_config({**raw, foreign[0]: 1.0}, "patience")
            allowed = ", ".join(allowed_keys(kind)) or "none"
            assert str(info.value) == (
                f"patience.{foreign[0]} = 1.0: not a key of kind {kind} (allowed: {allowed})"
            )


def test_values_are_converted_and_nulls_are_not_set() -> None:
    law = law_config({"kind": "Histogram", "edges_s": ["0", 60, ".inf"], "probs": (0.5, 0.5),
                      "tail_mean_s": "inf", "cv": None, "shape": None}, "p")  # fmt: skip
    assert law == HistogramLaw(edges_s=(0.0, 60.0, math.inf), probs=(0.5, 0.5),
                               tail_mean_s=math.inf)  # fmt: skip
    assert law_dict(HistogramLaw(edges_s=(0.0, 1.0), probs=(1.0,))) == {
        "kind": "histogram", "edges_s": [0.0, 1.0], "probs": [1.0]}  # unset optional: left out
    mix = law_config({"kind": "mixture", "components": [
        {"weight": 0.3, "kind": "deterministic", "value_s": 0, "mean_s": None},
        {"weight": "0.7", "kind": "exponential", "mean_s": 80}]}, "patience")  # fmt: skip
    assert isinstance(mix, MixtureLaw)
    assert mix.components == ({"weight": 0.3, "kind": "deterministic", "value_s": 0.0},
                              {"weight": 0.7, "kind": "exponential", "mean_s": 80.0})  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"mean_s": 3}, "patience.kind: missing (allowed: exponential, lognormal,"),
        ({"kind": "poisson"}, "patience.kind = 'poisson': unknown kind (allowed: exponential,"),
        ({"kind": "gamma", "mean_s": 3}, "patience.cv: missing (kind gamma needs mean_s, cv)"),
        ({"kind": "exponential", "mean_s": "abc"}, "patience.mean_s = 'abc': not a number"),
        ({"kind": "exponential", "mean_s": True}, "patience.mean_s = True: not a number"),
        ({"kind": "empirical", "values_s": 3}, "patience.values_s = 3: must be a list of numbers"),
        ({"kind": "mixture", "components": [{"kind": "gamma", "weight": 1, "mean_s": 1,
                                             "cv": 1, "shape": 2}]},
         "patience.components[0].shape = 2: not a key of kind gamma (allowed: mean_s, cv)"),
        ({"kind": "mixture", "components": []}, "patience.components = []: must be a non-empty"),
        ("exponential", "patience = 'exponential': must be a mapping with a 'kind'"),
    ],
)  # fmt: skip
def test_bad_laws_are_refused_in_one_line(raw: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        law_config(raw, "patience")  # type: ignore[arg-type]
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


def test_a_dataclass_refuses_another_kind() -> None:
    with pytest.raises(ValueError, match="kind = 'gamma': must be 'exponential'"):
        ExponentialLaw(kind="gamma", mean_s=3.0)


def test_a_layer_naming_a_kind_keeps_only_its_keys_from_below() -> None:
    lognormal = {"kind": "lognormal", "mean_s": 240.0, "cv": 1.0}
    assert merge_law(lognormal, {"mean_s": 200.0}) == {**lognormal, "mean_s": 200.0}
    assert law_config(merge_law(lognormal, {"kind": "gamma"})) == GammaLaw(mean_s=240.0, cv=1.0)
    assert law_config(merge_law(lognormal, {"kind": "exponential"})) == ExponentialLaw(
        mean_s=240.0
    )
    # the layer's own keys stay, so a key of another kind is refused, not dropped
    with pytest.raises(ValueError, match=r"cv = 2\.0: not a key of kind exponential"):
        law_config(merge_law(lognormal, {"kind": "exponential", "cv": 2.0}), "patience")
    assert merge_law(lognormal, {"kind": "nope"}) == {"kind": "nope"}
    assert law_config(merge_law({"kind": "genesys"}, {"kind": "LogNormal", "mean_s": 9,
                                                      "cv": 2})) == LogNormalLaw(mean_s=9.0, cv=2.0)  # fmt: skip
