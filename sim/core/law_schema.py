"""The config schema of a probability law of a time: one frozen dataclass per kind.

Every time law of a config (``service.talk``, ``service.acw``, ``patience``,
``redials.delay``, ``resolution.recontact_delay``, and the components of a mixture) is a
mapping with a ``kind`` and exactly that kind's keys, e.g.::

    patience: {kind: gamma, mean_s: 60.0, cv: 1.5}

:func:`law_config` reads such a mapping into the dataclass of its kind (:data:`LAW_KINDS`),
refusing an unknown kind, a key the kind does not take and a missing key, each with one
line naming the key path, the kind and the allowed keys::

    patience.cv = 1.5: not a key of kind exponential (allowed: mean_s)

A key whose value is null is not set (as everywhere in a callsim config). Numbers may be
written as text (``"180"``, ``inf``, ``.inf``). The ranges of the values (a mean > 0,
probabilities summing to 1, ...) are checked where the law is built, next to its formula
(:func:`sim.laws.distributions.from_spec`).

OmegaConf has no Union of dataclasses, so the config schema keeps a law's node as an open
mapping while layers are merged (:mod:`sim.core.schema`), and the single parse pass
(:func:`sim.config.validation.parse`) turns it into the dataclass of its kind.
:func:`merge_law` is the one rule for a layer that changes a law's kind.

Units: seconds (``_s``), per second (``_per_s``) or dimensionless, as each key says.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeAlias

import numpy as np

__all__ = [
    "LAW_KINDS",
    "DeterministicLaw",
    "EmpiricalLaw",
    "ExponentialLaw",
    "GammaLaw",
    "Genesys2020Law",
    "GenesysLaw",
    "HistogramLaw",
    "LawConfig",
    "LogNormalLaw",
    "MixtureLaw",
    "NeverLaw",
    "PiecewiseHazardLaw",
    "WeibullLaw",
    "allowed_keys",
    "law_config",
    "law_dict",
    "merge_law",
    "required_keys",
]


# ------------------------------------------------------------------ values of the keys
def _number(name: str, v: object) -> float:
    """A number from a config value; text such as "180", "inf" and ".inf" is accepted."""
    if isinstance(v, str):
        try:
            return float(v.strip().lower().replace(".inf", "inf"))
        except ValueError:
            pass
    elif isinstance(v, numbers.Real) and not isinstance(v, bool):
        return float(v)
    raise ValueError(f"{name} = {v!r}: not a number (expected e.g. 180, 0.5 or inf)")


def _is_list(v: object) -> bool:
    return isinstance(v, Sequence | np.ndarray) and not isinstance(v, str | bytes)


def _numbers(name: str, v: Any) -> tuple[float, ...]:
    if not _is_list(v):
        raise ValueError(f"{name} = {v!r}: must be a list of numbers")
    return tuple(_number(f"{name}[{i}]", x) for i, x in enumerate(v))


def _components(name: str, v: Any) -> tuple[dict[str, Any], ...]:
    """Mixture components as ``{weight: w, kind: ..., <that kind's keys>}`` mappings."""
    if not _is_list(v) or not len(v):
        raise ValueError(
            f"{name} = {v!r}: must be a non-empty list of {{weight: w, kind: ..., ...}} mappings"
        )
    out = []
    for i, item in enumerate(v):
        path = f"{name}[{i}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{path} = {item!r}: must be a mapping {{weight: w, kind: ..., ...}}")
        rest = {str(k): x for k, x in item.items() if x is not None}
        if "weight" not in rest:
            raise ValueError(f"{path}.weight: missing (a number in [0, 1])")
        weight = _number(f"{path}.weight", rest.pop("weight"))
        out.append({"weight": weight, **law_dict(law_config(rest, path))})
    return tuple(out)


def _check(law: Any) -> None:
    """Convert every key of ``law`` (a frozen dataclass of this module) to its type."""
    cls = type(law)
    kind = cls.__dataclass_fields__["kind"].default
    if law.kind != kind:
        raise ValueError(f"kind = {law.kind!r}: must be {kind!r} for {cls.__name__}")
    for f in fields(law):
        value = getattr(law, f.name)
        if f.name == "kind" or value is None:
            continue
        if f.name == "components":
            value = _components(f.name, value)
        elif str(f.type).startswith("tuple"):
            value = _numbers(f.name, value)
        else:
            value = _number(f.name, value)
        object.__setattr__(law, f.name, value)


# ------------------------------------------------------------------ one class per kind
@dataclass(frozen=True, kw_only=True)
class ExponentialLaw:
    """Exponential law: memoryless (Erlang A assumes it for patience)."""

    kind: str = "exponential"
    mean_s: float  # mean, seconds (finite, > 0)

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class LogNormalLaw:
    """Lognormal law by its mean and coefficient of variation."""

    kind: str = "lognormal"
    mean_s: float  # mean, seconds (> 0)
    cv: float  # coefficient of variation sd / mean, dimensionless (> 0)

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class GammaLaw:
    """Gamma law by its mean and coefficient of variation (shape 1 / cv^2)."""

    kind: str = "gamma"
    mean_s: float  # mean, seconds (> 0)
    cv: float  # coefficient of variation sd / mean, dimensionless (> 0)

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class WeibullLaw:
    """Weibull law: P(T > x) = exp(-(x / scale_s)^shape)."""

    kind: str = "weibull"
    shape: float  # shape k, dimensionless (> 0)
    scale_s: float  # scale, seconds (> 0)

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class DeterministicLaw:
    """T = ``value_s`` always."""

    kind: str = "deterministic"
    value_s: float  # the value, seconds (finite, >= 0; 0 = an atom at zero)

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class EmpiricalLaw:
    """Each draw is one of the observed values, chosen uniformly."""

    kind: str = "empirical"
    values_s: tuple[float, ...]  # observed durations, seconds (non-empty, each >= 0)

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class HistogramLaw:
    """Bin i = [edges_s[i], edges_s[i+1]) holds probability probs[i], uniform within."""

    kind: str = "histogram"
    edges_s: tuple[float, ...]  # bin edges, seconds (>= 0, non-decreasing; last may be inf)
    probs: tuple[float, ...]  # probability of each bin, shares summing to 1
    tail_mean_s: float | None = None  # with a last edge inf: mean excess, seconds (inf = never)

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class PiecewiseHazardLaw:
    """Hazard rate ``rates_per_s[i]`` from ``edges_s[i]``; the last rate goes on."""

    kind: str = "piecewise_hazard"
    edges_s: tuple[float, ...]  # change points of the hazard, seconds (first 0, increasing)
    rates_per_s: tuple[float, ...]  # hazard rate from each change point, per second (>= 0)

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class MixtureLaw:
    """With probability ``weight``, T is drawn from that component (any kind)."""

    kind: str = "mixture"
    components: tuple[dict[str, Any], ...]  # {weight: share, kind: ..., <that kind's keys>}

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class NeverLaw:
    """T = inf: a caller who never abandons."""

    kind: str = "never"

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class GenesysLaw:
    """The default patience of the Genesys research (sim.laws.distributions.GENESYS)."""

    kind: str = "genesys"

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True)
class Genesys2020Law:
    """The patience of the Genesys 2020 survey (sim.laws.distributions.GENESYS_2020)."""

    kind: str = "genesys2020"

    def __post_init__(self) -> None:
        _check(self)


#: Any one of the law dataclasses.
LawConfig: TypeAlias = (
    ExponentialLaw
    | LogNormalLaw
    | GammaLaw
    | WeibullLaw
    | DeterministicLaw
    | EmpiricalLaw
    | HistogramLaw
    | PiecewiseHazardLaw
    | MixtureLaw
    | NeverLaw
    | GenesysLaw
    | Genesys2020Law
)

#: kind -> its dataclass, in the order of the docs.
_CLASSES: tuple[type[LawConfig], ...] = (
    ExponentialLaw, LogNormalLaw, GammaLaw, WeibullLaw, DeterministicLaw, EmpiricalLaw,
    HistogramLaw, PiecewiseHazardLaw, MixtureLaw, NeverLaw, GenesysLaw, Genesys2020Law,
)  # fmt: skip
LAW_KINDS: dict[str, type[LawConfig]] = {
    str(cls.__dataclass_fields__["kind"].default): cls for cls in _CLASSES
}


def allowed_keys(kind: str) -> tuple[str, ...]:
    """The keys of ``kind`` besides ``kind`` itself, in order."""
    return tuple(f.name for f in fields(LAW_KINDS[kind]) if f.name != "kind")


def required_keys(kind: str) -> tuple[str, ...]:
    """The keys ``kind`` cannot do without."""
    cls = LAW_KINDS[kind]
    return tuple(
        f.name for f in fields(cls) if f.name != "kind" and f.name not in _OPTIONAL.get(cls, ())
    )


_OPTIONAL: dict[type, tuple[str, ...]] = {HistogramLaw: ("tail_mean_s",)}


def _kind(raw: Mapping[str, Any], key: str) -> str:
    kinds = ", ".join(LAW_KINDS)
    kind = raw.get("kind")
    if kind is None:
        raise ValueError(f"{key}.kind: missing (allowed: {kinds})")
    if not isinstance(kind, str) or kind.strip().lower() not in LAW_KINDS:
        raise ValueError(f"{key}.kind = {kind!r}: unknown kind (allowed: {kinds})")
    return kind.strip().lower()


def law_config(raw: Mapping[str, Any] | LawConfig, key: str = "distribution") -> LawConfig:
    """The dataclass of a law given as a mapping (a law dataclass is returned as it is).

    ``key`` is the law's path in the config (``patience``); every error is a
    ``ValueError`` whose message starts with the full key path, gives the value and what
    is allowed. Null values are not set.
    """
    if isinstance(raw, tuple(LAW_KINDS.values())):
        return raw  # type: ignore[return-value]
    if not isinstance(raw, Mapping):
        raise ValueError(
            f"{key} = {raw!r}: must be a mapping with a 'kind' (one of {', '.join(LAW_KINDS)})"
        )
    kind = _kind(raw, key)
    params = {str(k): v for k, v in raw.items() if v is not None and k != "kind"}
    allowed = allowed_keys(kind)
    for name, value in params.items():
        if name not in allowed:
            raise ValueError(
                f"{key}.{name} = {value!r}: not a key of kind {kind} "
                f"(allowed: {', '.join(allowed) or 'none'})"
            )
    required = required_keys(kind)
    for name in required:
        if name not in params:
            raise ValueError(
                f"{key}.{name}: missing (kind {kind} needs {', '.join(required)})"
            )
    try:
        return LAW_KINDS[kind](**params)
    except ValueError as exc:  # messages start with the key below the law
        raise ValueError(f"{key}.{exc}") from None


def law_dict(law: LawConfig) -> dict[str, Any]:
    """The law as a plain mapping: ``kind`` and that kind's keys (unset optional keys left
    out), lists for tuples; what callsim writes into YAML."""
    out: dict[str, Any] = {"kind": law.kind}
    for f in fields(law):
        value = getattr(law, f.name)
        if f.name == "kind" or value is None:
            continue
        out[f.name] = [dict(c) for c in value] if f.name == "components" else (
            list(value) if isinstance(value, tuple) else value
        )
    return out


def merge_law(below: Mapping[str, Any], layer: Mapping[str, Any]) -> dict[str, Any]:
    """A law as a layer of config values leaves it, merged onto the law ``below``.

    Key by key, except when the layer names a ``kind``: then only the keys of that kind
    are kept from below (switching ``exponential`` to ``gamma`` keeps ``mean_s`` and asks
    for ``cv``; a ``cv`` from a lognormal below does not leak into an exponential). The
    layer's own keys are all kept, so a key that its kind does not take is refused by
    :func:`law_config`. An unknown kind keeps nothing from below.
    """
    kind = layer.get("kind")
    if kind is None:
        return {**below, **layer}
    name = str(kind).strip().lower()
    keep = allowed_keys(name) if name in LAW_KINDS else ()
    return {**{k: v for k, v in below.items() if k in keep}, **layer}
