"""Configs are data, not code: what a config file or override may not do.

Scenario files travel between planners and researchers, so callsim reads them as data.
Unless the user trusts them explicitly (``callsim --trust ...``, or the environment
variable ``CALLSIM_TRUST_CONFIGS=1``, which ``--trust`` sets), a config is refused with
one line naming the key when it holds:

* a ``_target_`` key anywhere (Hydra would call that Python object);
* an environment interpolation ``${oc.env:NAME}`` (it would copy a variable, perhaps a
  secret, into ``config.yaml`` and ``report.html``, which people share);
* in the ``hydra`` node: callbacks, launcher or sweeper classes, logging set-ups, the
  output folders (``hydra.run.dir``, ``hydra.sweep.dir``, ``hydra.sweep.subdir``,
  ``hydra.output_subdir``), ``hydra.job.chdir`` or ``hydra.job.env_set`` other than
  those of callsim's shipped ``configs/`` with the command line's own ``hydra...``
  overrides (a launcher chosen with ``hydra/launcher=joblib`` and a sweep folder given
  with ``hydra.sweep.dir=...`` on the command line are the user's choice; the same in a
  scenario file is not). Callbacks and ``_target_`` keys need ``--trust`` even on the
  command line.

:func:`check_data` checks one config (``sim.load_config`` calls it on everything it is
given); :func:`sim.config.command_trust.check_command_line` composes what the ``callsim`` command would run,
the ``hydra`` node included, before Hydra starts (and instantiates callbacks).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from sim.core.checks import ConfigError

__all__ = ["TRUST_ENV", "TRUST_FLAG", "check_data", "trusted"]

#: Environment variable that trusts every config (``1``, ``true`` or ``yes``).
TRUST_ENV = "CALLSIM_TRUST_CONFIGS"
#: The command-line flag that sets :data:`TRUST_ENV` for one command.
TRUST_FLAG = "--trust"

_ENV_INTERPOLATION = re.compile(r"\$\{\s*(?:oc\.env|env)\s*:")
_HINT = f"configs are data; pass {TRUST_FLAG} (or set {TRUST_ENV}=1) if you trust this config"

#: Keys of the ``hydra`` node (prefixes, dotted) that only callsim's shipped configs and
#: the command line may set.
_PROTECTED = (
    "callbacks",
    "run.dir",
    "sweep.dir",
    "sweep.subdir",
    "output_subdir",
    "job_logging",
    "hydra_logging",
    "job.chdir",
    "job.env_set",
    "launcher._target_",
    "sweeper._target_",
)


def trusted() -> bool:
    """True if the user trusts every config (:data:`TRUST_ENV` set to 1/true/yes)."""
    return os.environ.get(TRUST_ENV, "").strip().lower() in {"1", "true", "yes"}


def _walk(node: Any, prefix: str) -> Iterator[tuple[str, Any, Any]]:
    """``(dotted key, key, value)`` of every entry of a plain container, depth first."""
    items: Any = node.items() if isinstance(node, dict) else enumerate(node)
    for k, v in items:
        if isinstance(k, int):
            key = f"{prefix}[{k}]"
        else:
            key = f"{prefix}.{k}" if prefix else str(k)
        yield key, k, v
        if isinstance(v, dict | list):
            yield from _walk(v, key)


def _plain(cfg: Any) -> Any:
    if isinstance(cfg, DictConfig | ListConfig):
        return OmegaConf.to_container(cfg, resolve=False, throw_on_missing=False)
    return cfg


def check_data(cfg: Any, where: str = "config", skip: Sequence[str] = ("hydra",)) -> None:
    """Refuse ``_target_`` keys and ``${oc.env:...}`` interpolations in ``cfg``.

    ``cfg``: a ``DictConfig`` or a plain dict/list, read without resolving anything;
    top-level keys in ``skip`` are left to :func:`check_command_line`. ``where`` names
    the source in the message (a file, or ``config``). Raises :class:`ConfigError`
    naming the key, unless :func:`trusted`.
    """
    if trusted():
        return
    data = _plain(cfg)
    if not isinstance(data, dict | list):
        return
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in skip}
    for key, name, value in _walk(data, ""):
        if name == "_target_":
            raise ConfigError(
                f"{key} = {value!r} in {where}: refused, a config may not name Python code "
                f"to call; {_HINT}",
                key,
            )
        if isinstance(value, str) and _ENV_INTERPOLATION.search(value):
            raise ConfigError(
                f"{key} = {value!r} in {where}: refused, a config may not read environment "
                f"variables (they would be copied into config.yaml and report.html); {_HINT}",
                key,
            )
