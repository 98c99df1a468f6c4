"""Raw config input made plain before it meets the schema: numpy values, strict booleans.

* numpy scalars and arrays (``np.int64(12)``, ``np.arange(3)``), common in notebooks,
  become the Python numbers and lists they hold (:func:`to_python`);
* a true/false key takes only ``true``/``false`` (``True``/``False`` in Python, the
  words in YAML or on the command line): OmegaConf would quietly turn ``-1``, ``2`` or
  ``"yes"`` into true (:func:`check_booleans`, :func:`check_boolean_override`).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.core.checks import ConfigError
from sim.core.schema import Config

__all__ = ["BOOL_KEYS", "check_boolean_override", "check_booleans", "to_python"]


def to_python(value: Any) -> Any:
    """``value`` with numpy scalars and arrays replaced by Python numbers and lists.

    Mappings, lists and tuples are copied recursively, dataclass instances only if a
    field changes; anything else is returned as it is.
    """
    if isinstance(value, np.ndarray):
        return to_python(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {k: to_python(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_python(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = to_python(old)
            if new is not old and not (isinstance(old, list | tuple) and new == list(old)):
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value  # same object
    return value


def _bool_keys(node: Any, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, hint in typing.get_type_hints(node).items():
        dotted = f"{prefix}{name}"
        if hint is bool:
            keys.add(dotted)
        elif dataclasses.is_dataclass(hint):
            keys |= _bool_keys(hint, dotted + ".")
    return keys


#: Dotted keys of every true/false field of the schema.
BOOL_KEYS: frozenset[str] = frozenset(_bool_keys(Config))


def _strict(key: str, value: Any) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return
    raise ConfigError(f"{key} = {value!r}: must be true or false", key)


def check_booleans(data: Any, prefix: str = "") -> None:
    """Refuse a true/false key of ``data`` (a plain nested mapping) holding anything else.

    Raises :class:`ConfigError` naming the key and the value.
    """
    if not isinstance(data, Mapping):
        return
    for k, v in data.items():
        key = f"{prefix}{k}"
        if key in BOOL_KEYS:
            _strict(key, v)
        elif isinstance(v, Mapping):
            check_booleans(v, key + ".")


def check_boolean_override(key: str, value: Any) -> None:
    """Refuse ``key=value`` (a parsed command-line override) if ``key`` is true/false
    and ``value`` is not (``customers.enabled=-1``)."""
    if key in BOOL_KEYS:
        _strict(key, value)
