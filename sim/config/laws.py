"""The time laws of a config, parsed: each the frozen dataclass of its kind, and built.

A law arrives from the merge as an open mapping (or already as the dataclass of its
kind, :mod:`sim.core.law_schema`); :func:`parse_laws` reads each into its dataclass,
builds the law it describes (:func:`sim.laws.distributions.from_spec`, which checks the
ranges) and refuses an infinite time where one must end. Errors are one
:class:`~sim.core.checks.ConfigError` naming the key path.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from sim.config.scenario import Laws
from sim.core.checks import ConfigError
from sim.core.law_schema import LawConfig, law_config
from sim.core.schema import LAW_PATHS, Config
from sim.laws.distributions import Distribution, from_spec

__all__ = ["build_distribution", "finite_law", "parse_laws"]


def build_distribution(spec: LawConfig | Mapping[str, Any], key: str) -> Distribution:
    """Build the distribution a config node describes; errors name ``key``."""
    try:
        return from_spec(spec, key=key)
    except ValueError as exc:
        raise ConfigError(str(exc), key) from None


def _law(cfg: Config, path: str) -> LawConfig:
    """The law at ``path`` of ``cfg`` as the dataclass of its kind (ConfigError naming the
    key path, the kind and the allowed keys)."""
    try:
        return law_config(_get(cfg, path), path)
    except ValueError as exc:
        raise ConfigError(str(exc), path) from None


def parse_laws(cfg: Config) -> tuple[Config, Laws]:
    """``cfg`` with each law the dataclass of its kind (``cfg`` itself if they all are
    already), and the laws they describe.

    Raises :class:`ConfigError` naming the key path: an unknown kind, a key of another
    kind, a missing key, a value out of range, an infinite time where one must end.
    """
    laws = {path: _law(cfg, path) for path in LAW_PATHS}
    built = {path: build_distribution(law, path) for path, law in laws.items()}
    for path in ("service.talk", "service.acw", "resolution.recontact_delay"):
        finite_law(built[path], path, laws[path].kind)
    parts = Laws(
        talk=built["service.talk"],
        acw=built["service.acw"],
        patience=built["patience"],
        redial_delay=built["redials.delay"],
        recontact_delay=built["resolution.recontact_delay"],
    )
    if all(_get(cfg, path) is law for path, law in laws.items()):
        return cfg, parts
    sections: dict[str, Any] = {}
    for path, law in laws.items():
        head, _, leaf = path.rpartition(".")
        if not head:
            sections[leaf] = law
        else:
            assert "." not in head, path  # laws sit at most one section deep
            section = sections.get(head) or dataclasses.replace(getattr(cfg, head))
            setattr(section, leaf, law)
            sections[head] = section
    return dataclasses.replace(cfg, **sections), parts


def _get(cfg: Config, path: str) -> Any:
    node: Any = cfg
    for part in path.split("."):
        node = getattr(node, part)
    return node


def finite_law(dist: Distribution, key: str, kind: str) -> None:
    """Refuse a law with mass at infinity or an infinite mean where a time must end
    (handle times, recontact delays): ``never``, ``genesys2020``, an infinite tail."""
    mass_at_inf = 1.0 - float(dist.cdf(math.inf))
    if mass_at_inf > 1e-12 or not math.isfinite(dist.mean):
        raise ConfigError(
            f"{key}.kind = {kind!r} takes infinite values "
            f"(P(T = inf) = {mass_at_inf:.3g}, mean = {dist.mean:g} s); this time must end: "
            "use a law with finite values (no never, genesys2020 or infinite tail)",
            key,
        )
