"""The ``callsim`` command line checked as data before Hydra starts (:mod:`sim.config.trust`).

:func:`check_command_line` composes what the command would run, the ``hydra`` node
included, and refuses code, environment reads and moved output folders that come from
config files rather than from callsim's shipped configs (callbacks are instantiated by
Hydra before the task starts, so this has to happen first).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf.errors import OmegaConfBaseException

from sim.config.compose import CONFIG_DIR, absent_key_error, check_overrides, unknown_option_error
from sim.config.trust import (
    _ENV_INTERPOLATION,
    _HINT,
    _PROTECTED,
    _plain,
    _walk,
    check_data,
    trusted,
)
from sim.config.validation import omegaconf_error
from sim.config.yaml_booleans import check_used_files
from sim.core.checks import ConfigError
from sim.core.schema import register_configs

__all__ = ["check_command_line", "check_command_overrides"]


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


def check_command_overrides(args: Sequence[str]) -> None:
    """Check a ``callsim`` command line's overrides against the schema
    (:func:`sim.config.compose.check_overrides`), its options and their values
    (``--config-dir DIR``) left out; with ``--config-dir``, the choices of that folder's
    own config groups (``+plan=planned``) are Hydra's. Raises :class:`ConfigError`."""
    overrides, user_dir, config_name = _split(args)
    folders = [Path(CONFIG_DIR)]
    if user_dir is not None and Path(user_dir).is_dir():
        folders.append(Path(user_dir))
        own = {p.name for p in Path(user_dir).iterdir() if p.is_dir()}
        overrides = [o for o in overrides
                     if o.lstrip("+~").partition("=")[0].split("/")[0] not in own]  # fmt: skip
    for override in overrides:
        if override.startswith("hydra.searchpath="):  # more folders of config groups
            paths = override.partition("=")[2].strip("[]").split(",")
            if not all(p.strip().startswith("file://") for p in paths):
                folders = []  # pkg:// or other providers: the choices are Hydra's to check
                break
            folders += [Path(p.strip()[len("file://") :]) for p in paths]
    if any(a.partition("=")[0] in {"--config-path", "-cp"} for a in args):
        folders = []  # another primary config folder: the choices are Hydra's to check
    for override in overrides if folders else []:
        _check_choice(override, folders)
    # with callsim's configs only, also a key the files leave out (+key), on the same
    # parse of the overrides; with others, check_command_line finds it
    check_overrides(overrides, present=folders == [Path(CONFIG_DIR)] and config_name == "config")


def _check_choice(override: str, folders: Sequence[Path]) -> None:
    """``scenario=two_languge``: one line naming the group's options, not Hydra's page."""
    key, eq, value = override.lstrip("+").partition("=")
    if not eq or override.startswith("~") or "," in value or value in ("null", ""):
        return
    if key.split("/")[0] == "hydra":  # Hydra's plugins bring options of their own
        return
    if not (Path(CONFIG_DIR) / key).is_dir():
        return
    options = sorted({f.stem for d in folders for f in (d / key).glob("*.yaml")})
    if value not in options and not (Path(CONFIG_DIR) / key / value).is_dir():
        raise unknown_option_error(key, value, options)


def _needs_trust_on_command_line(override: str) -> bool:
    key = override.partition("=")[0].lstrip("+~")
    return "_target_" in key or key.startswith("hydra.callbacks") or "()" in key


def _composing_error(exc: Exception) -> None:
    """A key or value error in one of the user's files, found while Hydra composes: one
    line naming the key, the value and the file (``In 'scenario/mine'``), not Hydra's
    message; a key the files do not have says to write ``+key``
    (:func:`~sim.config.compose.absent_key_error`); other errors are left to Hydra."""
    absent = absent_key_error(exc)
    if absent is not None:
        raise absent from None
    cause = exc if isinstance(exc, OmegaConfBaseException) else exc.__cause__ or exc.__context__
    if not isinstance(cause, OmegaConfBaseException):
        return
    error = omegaconf_error(cause)
    first = str(exc).splitlines()[0] if str(exc) else ""
    where = first.split("'")[1] if first.startswith("In '") and first.count("'") >= 2 else ""
    place = f" (in {where}.yaml)" if where else ""
    raise ConfigError(f"{error}{place}", error.key) from None


def check_command_line(args: Sequence[str], config_dir: str | Path | None = None) -> None:
    """Refuse a ``callsim`` command line whose configs are not data (see the module).

    ``args``: the command's arguments (``sys.argv[1:]``, without ``--trust``);
    ``config_dir``: callsim's shipped configs (default :data:`sim.compose.CONFIG_DIR`).
    With configs from elsewhere (``--config-dir``, ``hydra.searchpath``,
    ``--config-name``), composes the config twice with Hydra's compose API (about a
    second): as given, and from the shipped configs with the command line's ``hydra``
    overrides only; the protected keys of the ``hydra`` node must agree. Command lines Hydra
    cannot compose are left to Hydra's own message. The user's files used are also checked
    for strict booleans (:func:`sim.config.yaml_booleans.check_used_files`), trusted or
    not. Raises :class:`ConfigError`.
    """
    trust = trusted()
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    register_configs()
    shipped = str(Path(config_dir or CONFIG_DIR).resolve())
    overrides, user_dir, config_name = _split(args)
    for override in [] if trust else overrides:
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
    except (HydraException, OmegaConfBaseException, ValueError) as exc:
        _composing_error(exc)
        return  # Hydra (or the schema checks) will say what is wrong
    # strict booleans in the user's files, trusted or not (sim.config.yaml_booleans)
    check_used_files(dict(cfg.hydra.runtime.choices), config_name, list(cfg.hydra.searchpath))
    if trust:
        return
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
