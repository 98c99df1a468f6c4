"""The error of a bad configuration value (:class:`ConfigError`).

Raised before anything is simulated; the ``callsim`` command prints its one line and
exits with status 2. :mod:`sim.validation` re-exports it.
"""

from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """A configuration value is not allowed. ``key`` is the dotted path of the culprit."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key
