"""The one set of check helpers every config rule uses, and :class:`ConfigError`.

Each helper returns the checked value (as the type it promises) or raises
:class:`ConfigError` whose message names the key, the offending value and what is
allowed, e.g. ``center.volume_per_day = -5.0: must be a finite number > 0``. The
command line prints that one line and exits with status 2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "ConfigError",
    "bad",
    "choice",
    "finite",
    "integer",
    "non_negative",
    "number",
    "positive",
    "probability",
]


class ConfigError(ValueError):
    """A configuration value is not allowed. ``key`` is the dotted path of the culprit."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def bad(key: str, value: Any, allowed: str) -> ConfigError:
    """The error for ``key = value``, saying what is ``allowed`` (to be raised)."""
    return ConfigError(f"{key} = {value!r}: {allowed}", key)


def number(key: str, value: Any) -> float:
    """``value`` as a float; booleans and non-numbers are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(key, value, "must be a number")
    return float(value)


def positive(key: str, value: Any) -> float:
    """A finite number > 0."""
    x = number(key, value)
    if not (math.isfinite(x) and x > 0):
        raise bad(key, value, "must be a finite number > 0")
    return x


def non_negative(key: str, value: Any) -> float:
    """A finite number >= 0."""
    x = number(key, value)
    if not (math.isfinite(x) and x >= 0):
        raise bad(key, value, "must be a finite number >= 0")
    return x


def finite(key: str, value: Any, minimum: float, strict: bool) -> float:
    """A finite number > ``minimum`` (``strict``) or >= ``minimum``."""
    ok = not isinstance(value, bool) and isinstance(value, int | float)
    if ok and math.isfinite(value) and (value > minimum if strict else value >= minimum):
        return float(value)
    raise bad(key, value, f"must be a finite number {'>' if strict else '>='} {minimum:g}")


def probability(key: str, value: Any) -> float:
    """A number in [0, 1]."""
    x = number(key, value)
    if not 0.0 <= x <= 1.0:
        raise bad(key, value, "must be a probability in [0, 1]")
    return x


def integer(key: str, value: Any, minimum: int) -> int:
    """A whole number >= ``minimum`` (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(key, value, f"must be a whole number >= {minimum}")
    if value < minimum:
        raise bad(key, value, f"must be a whole number >= {minimum}")
    return value


def choice(key: str, value: Any, allowed: Sequence[str]) -> str:
    """One of ``allowed``."""
    if value not in allowed:
        raise bad(key, value, "must be one of " + ", ".join(allowed))
    return str(value)
