"""The configs the ``callsim`` command runs, built from Python: Hydra's compose API.

:func:`compose` gives the validated config of ``sim/config/yaml/config.yaml`` (its groups and a
scenario) with command-line style overrides, without ``@hydra.main``;
:func:`check_overrides` checks such overrides against the schema first, so that a typo
or a wrong type gets one line naming the key and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.config_input import check_boolean_override
from sim.config.validation import load_config, omegaconf_error
from sim.core.checks import ConfigError
from sim.core.schema import Config

__all__ = ["CONFIG_DIR", "check_overrides", "compose"]

#: The project's ``sim/config/yaml/`` folder (Hydra's primary config directory).
CONFIG_DIR = str(Path(__file__).resolve().parent / "yaml")


def compose(overrides: Sequence[str] = (), config_dir: str | Path = CONFIG_DIR) -> Config:
    """The validated config the ``callsim`` command would run with these overrides.

    Uses Hydra's compose API, so a notebook gets the CLI's scenario and defaults list::

        cfg = compose(["scenario=steady_erlang_c", "staffing.agents=105"])
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException

    from sim.core.schema import register_configs

    register_configs()
    check_overrides(overrides, config_dir)
    try:
        with initialize_config_dir(
            version_base="1.3", config_dir=str(Path(config_dir).resolve()), job_name="callsim"
        ):
            cfg = hydra_compose(config_name="config", overrides=list(overrides))
    except OmegaConfBaseException as exc:
        raise omegaconf_error(exc) from None
    except HydraException as exc:  # unknown group option, bad override syntax, ...
        raise ConfigError(str(exc).strip()) from None
    return load_config(cfg)


def check_overrides(overrides: Sequence[str], config_dir: str | Path = CONFIG_DIR) -> None:
    """Check command-line overrides against the schema before Hydra sees them.

    Hydra refuses an unknown key or a value of the wrong type too, but with several lines
    and without saying what is allowed; this raises :class:`ConfigError` with one line
    (``center.volum: unknown key (allowed here: name, open_time, ...)``); a true/false
    key takes only ``true`` or ``false``; an addition (``+center.volum=5``) must name a key
    of the schema (a misspelt one would be ignored). Group choices
    (``patience=never``), ``hydra.*`` keys and deletions are left to Hydra; so is anything its override grammar does not parse. Every value of a
    sweep (``staffing.agents=20,25``) is checked.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException:
        return
    groups = {p.name for p in Path(config_dir).iterdir() if p.is_dir()}
    for override in parsed:
        key = override.key_or_group
        if override.is_delete() or key in groups or "/" in key:
            continue
        if key.split(".")[0] == "hydra" or key.startswith("@"):
            continue
        if override.is_add():
            _check_added_key(key)
            continue
        values = (
            list(override.sweep_iterator()) if override.is_sweep_override() else [override.value()]
        )
        for value in values:
            check_boolean_override(key, value)
            try:
                OmegaConf.update(OmegaConf.structured(Config), key, value, merge=True)
            except OmegaConfBaseException as exc:
                if getattr(exc, "full_key", None) is None:
                    exc.full_key = key
                raise omegaconf_error(exc) from None


def _check_added_key(key: str) -> None:
    """Refuse ``+key=...`` when ``key`` is not a key of the schema (a misspelling)."""
    node: object = OmegaConf.structured(Config)
    for part in key.split("."):
        if not isinstance(node, DictConfig) or part not in node:
            allowed = ", ".join(str(k) for k in node.keys()) if isinstance(node, DictConfig) else ""
            where = f" (allowed here: {allowed})" if allowed else ""
            raise ConfigError(f"+{key}: unknown key{where}", key)
        node = node.get(part)
