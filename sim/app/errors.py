"""Bad input on the command line: one line ``callsim: error: ...`` and exit status 2.

Shared by :mod:`sim.app.cli` and :mod:`sim.app.hydra_app`; imports nothing heavy
(:class:`~sim.core.checks.ConfigError` only when an error is raised).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["UsageError", "friendly_errors"]

log = logging.getLogger("callsim")


class UsageError(Exception):
    """A bad command line caught by the command itself (one line, exit status 2)."""


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn bad input into one line ``callsim: error: ...`` and exit status 2.

    Catches :class:`~sim.core.checks.ConfigError` (imported only when one is raised) and
    :class:`UsageError`; Ctrl-C exits with status 130.
    """
    try:
        yield
    except KeyboardInterrupt:
        log.error("callsim: interrupted; no results were written")
        sys.exit(130)
    except Exception as exc:
        from sim.core.checks import ConfigError

        if isinstance(exc, ConfigError | UsageError):
            log.error("callsim: error: %s", exc)
            sys.exit(2)
        raise
