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
given); :func:`check_command_line` composes what the ``callsim`` command would run,
the ``hydra`` node included, before Hydra starts (and instantiates callbacks).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from sim.errors import ConfigError

__all__ = [
    "TRUST_ENV",
    "TRUST_FLAG",
    "check_command_line",
    "check_data",
    "trusted",
]

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


def _flat(node: Any) -> dict[str, Any]:
    data = _plain(node)
    if not isinstance(data, dict):
        return {}
    return {key: value for key, _, value in _walk(data, "") if not isinstance(value, dict | list)}


def _guarded(key: str, value: Any) -> bool:
    if any(key == p or key.startswith(p + ".") or key.startswith(p + "[") for p in _PROTECTED):
        return True
    last = key.rpartition(".")[2]
    if last in {"_target_", "()"}:
        return True
    return isinstance(value, str) and bool(_ENV_INTERPOLATION.search(value))


_FLAGS_WITH_VALUE = {
    "--config-dir", "-cd", "--config-path", "-cp", "--config-name", "-cn",
    "--cfg", "-c", "--package", "-p", "--experimental-rerun", "--shell-completion", "-sc",
    "--info", "-i",
}  # fmt: skip


def _split(args: Sequence[str]) -> tuple[list[str], str | None, str]:
    """Overrides, the ``--config-dir`` and the ``--config-name`` of a command line."""
    overrides: list[str] = []
    config_dir: str | None = None
    config_name = "config"
    it = iter(enumerate(args))
    for _, arg in it:
        flag, eq, inline = arg.partition("=")
        if arg.startswith("-") and flag in _FLAGS_WITH_VALUE:
            value = inline if eq else next(it, (0, None))[1]
            if flag in {"--config-dir", "-cd"}:
                config_dir = value
            elif flag in {"--config-name", "-cn"} and value:
                config_name = value
            continue
        if arg.startswith("-"):
            continue
        overrides.append(arg)
    if overrides and overrides[0] in {"validate", "run"} and "=" not in overrides[0]:
        overrides = overrides[1:]
    return overrides, config_dir, config_name


def _needs_trust_on_command_line(override: str) -> bool:
    key = override.partition("=")[0].lstrip("+~")
    return "_target_" in key or key.startswith("hydra.callbacks") or "()" in key


def check_command_line(args: Sequence[str], config_dir: str | Path | None = None) -> None:
    """Refuse a ``callsim`` command line whose configs are not data (see the module).

    ``args``: the command's arguments (``sys.argv[1:]``, without ``--trust``);
    ``config_dir``: callsim's shipped configs (default :data:`sim.compose.CONFIG_DIR`).
    With configs from elsewhere (``--config-dir``, ``hydra.searchpath``,
    ``--config-name``), composes the config twice with Hydra's compose API (about a
    second): as given, and from the shipped configs with the command line's ``hydra``
    overrides only; the protected keys of the ``hydra`` node must agree. Command lines Hydra
    cannot compose are left to Hydra's own message. Raises :class:`ConfigError`.
    """
    if trusted():
        return
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.compose import CONFIG_DIR
    from sim.config import register_configs

    register_configs()
    shipped = str(Path(config_dir or CONFIG_DIR).resolve())
    overrides, user_dir, config_name = _split(args)
    for override in overrides:
        if _needs_trust_on_command_line(override):
            raise ConfigError(
                f"{override}: refused, a Hydra callback or _target_ runs Python code; {_HINT}",
                override.partition("=")[0].lstrip("+~"),
            )
        if _ENV_INTERPOLATION.search(override):
            raise ConfigError(
                f"{override}: refused, a config may not read environment variables (they "
                f"would be copied into config.yaml and report.html); {_HINT}",
                override.partition("=")[0].lstrip("+~"),
            )
    searchpath = any(o.lstrip("+~").startswith("hydra.searchpath") for o in overrides)
    if user_dir is None and not searchpath and config_name == "config":
        return  # only callsim's shipped configs and the overrides just checked
    full = list(overrides)
    if user_dir is not None:
        extra = f"file://{Path(user_dir).resolve()}"
        if not any(o.startswith("hydra.searchpath=") for o in full):
            full.append(f"hydra.searchpath=[{extra}]")
    hydra_only = [
        o for o in overrides
        if o.lstrip("+~").startswith(("hydra.", "hydra/")) and not o.startswith("hydra.searchpath")
    ]  # fmt: skip
    try:
        with initialize_config_dir(version_base="1.3", config_dir=shipped, job_name="callsim"):
            cfg = compose(config_name=config_name, overrides=full, return_hydra_config=True)
    except (HydraException, OmegaConfBaseException, ValueError):
        return  # Hydra (or the schema checks) will say what is wrong
    check_data(cfg, "the composed config")
    try:
        with initialize_config_dir(version_base="1.3", config_dir=shipped, job_name="callsim"):
            ref = compose(config_name="config", overrides=hydra_only, return_hydra_config=True)
    except (HydraException, OmegaConfBaseException, ValueError):
        ref = None
    got = _flat(cfg.hydra)
    want = _flat(ref.hydra) if ref is not None else {}
    for key in sorted(set(got) | set(want)):
        value = got.get(key)
        if not (_guarded(key, value) or _guarded(key, want.get(key))):
            continue
        if key not in want or value != want[key]:
            raise ConfigError(
                f"hydra.{key} = {value!r}: refused, only callsim's own configs and the "
                f"command line may set it (it runs code, reads the environment or decides "
                f"where files are written); {_HINT}",
                f"hydra.{key}",
            )
