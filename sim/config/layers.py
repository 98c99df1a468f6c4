"""Layers of config values over the layers below them, and what that means for a law.

A config is built in layers: the schema's defaults (or, on the command line, the YAML
files of Hydra's defaults list), then a dict or a YAML file, then overrides. OmegaConf
merges each layer key by key. A time law (:data:`~sim.core.schema.LAW_PATHS`) needs one
more rule, :func:`sim.core.law_schema.merge_law`: a layer that names a law's ``kind``
keeps from below only the keys of that kind, so that ``patience.kind=gamma`` over an
exponential keeps ``mean_s`` and ``service.talk.kind=exponential`` over the default
lognormal drops its ``cv``. The layer's own keys are all kept: a key its kind does not
take is refused when the config is parsed (:func:`sim.core.law_schema.law_config`).

This module applies the rule where callsim sees a layer: a dict or a YAML file given to
:func:`sim.config.validation.load_config` (:func:`merge_layer`), dotted overrides
(:func:`law_layers`) and the command-line overrides of a config Hydra composed
(:func:`retype_by_overrides`). Between the YAML files of Hydra's defaults list OmegaConf
merges key by key: a file that changes the kind of a law a file before it gives chooses
a group option without it (``override /service: null``) or sets the other keys to null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.core.law_schema import LAW_KINDS, allowed_keys, merge_law
from sim.core.schema import LAW_PATHS, open_law

__all__ = ["law_layers", "law_of", "merge_layer", "retype_by_overrides"]


def law_of(dotted: str) -> tuple[str, str | None] | None:
    """``(law path, key below it)`` for a dotted key inside a law (``("patience", "mean_s")``;
    the key is None for the law itself), else None."""
    for path in LAW_PATHS:
        if dotted == path:
            return path, None
        if dotted.startswith(path + "."):
            return path, dotted[len(path) + 1 :]
    return None


def merge_layer(base: DictConfig, layer: DictConfig | Mapping[str, Any]) -> DictConfig:
    """``layer`` merged onto ``base`` (a :func:`~sim.core.schema.merge_schema` node): key
    by key, and a law whose kind the layer names keeps from ``base`` only that kind's
    keys. Raises OmegaConf's exceptions (unknown key, wrong type)."""
    data = layer if isinstance(layer, DictConfig) else OmegaConf.create(dict(layer))
    for path in LAW_PATHS:
        node = OmegaConf.select(data, path, default=None)
        if not isinstance(node, DictConfig) or node.get("kind") is None:
            continue
        below = OmegaConf.select(base, path, default=None)
        below = OmegaConf.to_container(below) if isinstance(below, DictConfig) else {}
        assert isinstance(below, dict)
        open_law(base, path, merge_law(below, {"kind": node.kind}))
    merged = OmegaConf.merge(base, data)
    assert isinstance(merged, DictConfig)
    return merged


def law_layers(
    values: Iterable[tuple[str, Any]],
) -> tuple[dict[str, dict[str, Any]], list[tuple[str, Any]]]:
    """Dotted ``(key, value)`` overrides split into one layer per law (``{"patience":
    {"kind": "gamma", "mean_s": 60}}``) and the other overrides, in order. A whole law
    given as a mapping is a layer of its keys; a key deeper than one level below a law
    (a mixture component's) raises ``KeyError``."""
    laws: dict[str, dict[str, Any]] = {}
    rest: list[tuple[str, Any]] = []
    for dotted, value in values:
        found = law_of(dotted)
        if found is None:
            rest.append((dotted, value))
            continue
        path, key = found
        layer = laws.setdefault(path, {})
        if key is None:
            if not isinstance(value, Mapping):
                raise KeyError(dotted)
            layer.update({str(k): v for k, v in value.items()})
        elif "." in key or "[" in key:
            raise KeyError(dotted)
        else:
            layer[key] = value
    return laws, rest


def retype_by_overrides(cfg: DictConfig, overrides: Sequence[str]) -> DictConfig:
    """Apply the law rule to the command-line overrides of a config Hydra composed:
    where an override names a law's ``kind`` (``patience.kind=gamma``, or the whole
    law), drop the keys of the law that the YAML files gave and its kind does not take.
    ``cfg`` is changed in place and returned. A group choice (``patience=exponential``)
    replaces the law already."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException:
        return cfg  # Hydra has refused them already
    given: dict[str, set[str]] = {}
    retyped: set[str] = set()
    for override in parsed:
        found = law_of(override.key_or_group)
        if found is None or override.is_delete() or override.is_sweep_override():
            continue
        path, key = found
        value = override.value()
        if key is None and isinstance(value, Mapping):
            given.setdefault(path, set()).update(str(k) for k in value)
            retyped |= {path} if "kind" in value else set()
        elif key is not None:
            given.setdefault(path, set()).add(key.split(".")[0])
            retyped |= {path} if key == "kind" else set()
    for path in retyped:
        node = OmegaConf.select(cfg, path, default=None)
        kind = str(node.get("kind", "")).strip().lower() if isinstance(node, DictConfig) else ""
        if kind not in LAW_KINDS:
            continue  # the parse names the unknown kind
        assert isinstance(node, DictConfig)
        keep = {"kind", *allowed_keys(kind), *given[path]}
        open_law(cfg, path, {k: v for k, v in node.items() if k in keep})
    return cfg
