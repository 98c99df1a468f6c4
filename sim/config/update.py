"""Plain ``key=value`` overrides set on a :class:`~sim.core.schema.Config` without OmegaConf's
cost per config.

OmegaConf builds a structured node of the whole schema for every config it checks
(about 0.3 s for callsim's). Here one schema node is kept per process: each value is
type-checked and converted by OmegaConf on that node (``OmegaConf.update``, the value
then read back and the node restored), then set on a copy of the dataclass. Used by
:func:`sim.config.compose.compose` and :func:`sim.config.validation.load_config`; anything that is not
a plain leaf (a section, a key under an unset section, a mixture component)
raises :class:`NotPlain` and the caller takes OmegaConf's full path. The keys of a time
law are one layer per law, merged by :func:`sim.core.law_schema.merge_law` (a new
``kind`` keeps from below only its own keys) and read into the dataclass of the kind.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.layers import law_layers, law_of
from sim.core.checks import ConfigError
from sim.core.law_schema import law_config, law_dict, merge_law
from sim.core.schema import Config

__all__ = ["NotPlain", "checked", "with_values"]

_LOCK = threading.RLock()
_SCHEMA: list[DictConfig] = []  # one structured Config node, for type checks


class NotPlain(Exception):
    """An override this module does not take (OmegaConf or Hydra decides)."""


def with_values(base: Config, values: Iterable[tuple[str, Any]]) -> Config:
    """A copy of ``base`` with each dotted ``key`` set to its converted ``value``.

    Raises OmegaConf's exception (its ``full_key`` set) when the schema refuses a value
    (callers turn it into one line with :func:`sim.config.validation.omegaconf_error`),
    :class:`NotPlain` when a key is not a plain leaf. Range
    checks are the caller's (:func:`sim.config.validation.validate`).
    """
    cfg = copy.deepcopy(base)
    try:
        laws, plain = law_layers(values)
    except KeyError as exc:
        raise NotPlain(str(exc)) from None
    for dotted, value in plain:
        _set(cfg, dotted, _converted(dotted, value))
    for path, layer in laws.items():
        *parents, leaf = path.split(".")
        node: Any = cfg
        for part in parents:
            node = getattr(node, part)
        below = getattr(node, leaf)
        below = dict(below) if isinstance(below, dict) else law_dict(law_config(below, path))
        try:
            setattr(node, leaf, law_config(merge_law(below, layer), path))
        except ValueError as exc:
            raise ConfigError(str(exc), path) from None
    return cfg


def _schema() -> DictConfig:
    """The structured schema node used to check and convert plain values (made once)."""
    with _LOCK:
        if not _SCHEMA:
            _SCHEMA.append(OmegaConf.structured(Config))
        return _SCHEMA[0]


def checked(dotted: str, value: Any) -> Any:
    """``value`` as OmegaConf converts it for key ``dotted`` of the schema; raises
    OmegaConf's exception (``full_key`` = ``dotted``) when the schema refuses it. A key
    of a time law is returned as it is (its law checks it when the config is parsed)."""
    if law_of(dotted) is not None:
        return value
    schema = _schema()
    with _LOCK:
        old = OmegaConf.select(schema, dotted, default=None, throw_on_missing=False)
        if isinstance(old, DictConfig | ListConfig):
            old = OmegaConf.to_container(old)
        try:
            OmegaConf.update(schema, dotted, value, merge=True)
            new = OmegaConf.select(schema, dotted)
            if isinstance(new, DictConfig | ListConfig):
                new = OmegaConf.to_container(new)
        except OmegaConfBaseException as exc:
            if getattr(exc, "full_key", None) is None:
                exc.full_key = dotted
            raise  # the caller words it (sim.config.validation.omegaconf_error)
        finally:
            try:
                OmegaConf.update(schema, dotted, old, merge=False)
            except OmegaConfBaseException:  # pragma: no cover - the key existed
                _SCHEMA.clear()
    return new


def _converted(dotted: str, value: Any) -> Any:
    """The converted value of a plain override the fast path takes, else ``NotPlain``."""
    node = OmegaConf.select(_schema(), dotted, default=NotPlain, throw_on_missing=False)
    if node is NotPlain or isinstance(node, DictConfig):
        raise NotPlain(dotted)
    out = checked(dotted, value)
    if isinstance(out, list) and any(isinstance(v, dict) for v in out):
        raise NotPlain(
            dotted
        )  # a list of sections (call_types, agent_groups): OmegaConf types them
    return out


def _set(cfg: Config, dotted: str, value: Any) -> None:
    """Set the dataclass field at ``dotted`` (every parent must exist)."""
    *parents, leaf = dotted.split(".")
    node: Any = cfg
    for part in parents:
        node = getattr(node, part, None)
        if node is None or isinstance(node, dict):
            raise NotPlain(dotted)
    if not hasattr(node, leaf) or isinstance(getattr(node, leaf), dict):
        raise NotPlain(dotted)
    setattr(node, leaf, value)
