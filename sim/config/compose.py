"""The configs the ``callsim`` command runs, built from Python: Hydra's compose API.

:func:`compose` gives the validated config of ``configs/config.yaml`` (its groups and a
scenario) with command-line style overrides, without ``@hydra.main``;
:func:`check_overrides` checks such overrides against the schema first, so that a typo
or a wrong type gets one line naming the key and what is allowed.

**Compose once** (scale issue): Hydra composes once per combination of *structural*
overrides (group choices such as ``scenario=...``, additions ``+key``, deletions
``~key``, ``hydra.*``) and config files on disk; the result is cached in the process.
Plain ``key=value`` overrides of a leaf (a value or a list, not a whole section; the
keys of a time law as one layer per law, :mod:`sim.config.layers`) are then type-checked and converted by OmegaConf on one
schema node kept for the purpose, set on a copy of the cached config and validated:
the same :class:`~sim.core.schema.Config` Hydra would give (tests compare them), in
milliseconds instead of about a second. Anything else goes through Hydra in full.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import threading
import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, open_dict
from omegaconf.errors import OmegaConfBaseException, ValidationError

from sim.config.config_input import check_boolean_override
from sim.config.layers import law_of, retype_by_overrides
from sim.config.update import NotPlain, checked, with_values
from sim.config.validation import describe_type, load_config, omegaconf_error, validate
from sim.config.yaml_booleans import check_used_files
from sim.core.checks import ConfigError
from sim.core.schema import Config

__all__ = [
    "CONFIG_DIR",
    "absent_key_error",
    "check_overrides",
    "check_present",
    "clear_cache",
    "compose",
    "composed_config",
    "missing_option_error",
]

#: The project's ``sim/config/yaml/`` folder (Hydra's primary config directory).
CONFIG_DIR = str(Path(__file__).resolve().parent / "yaml")

_LOCK = threading.Lock()
_BASES: dict[tuple[Any, ...], Config] = {}  # (dir, files' stamps, structural) -> config


def clear_cache() -> None:
    """Forget the configs composed so far (the next :func:`compose` asks Hydra again)."""
    with _LOCK:
        _BASES.clear()


def compose(overrides: Sequence[str] = (), config_dir: str | Path = CONFIG_DIR) -> Config:
    """The validated config the ``callsim`` command would run with these overrides.

    Uses Hydra's compose API, so a notebook gets the CLI's scenario and defaults list::

        cfg = compose(["scenario=steady_erlang_c", "staffing.agents=105"])

    Raises :class:`~sim.config.validation.ConfigError` (one line naming the key) for a bad
    key or value. The result is the caller's own copy (see the module docstring for
    what is cached).
    """
    overrides = list(overrides)
    split = _split(overrides, config_dir)
    if split is None:
        return _hydra_compose(overrides, config_dir)
    structural, plain = split
    key = (str(Path(config_dir).resolve()), _stamps(config_dir), tuple(structural))
    with _LOCK:
        base = _BASES.get(key)
    if base is None:
        base = _hydra_compose(structural, config_dir)
        with _LOCK:
            _BASES[key] = base
    try:
        cfg = with_values(base, plain)
    except NotPlain:
        return _hydra_compose(overrides, config_dir)
    except OmegaConfBaseException as exc:
        raise omegaconf_error(exc) from None
    return validate(cfg)


def _hydra_compose(overrides: Sequence[str], config_dir: str | Path) -> Config:
    """Hydra's compose API, then :func:`~sim.validation.load_config`."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException

    from sim.core.schema import register_configs

    register_configs()
    check_overrides(overrides, config_dir)
    folder = Path(config_dir).resolve()
    own = folder == Path(CONFIG_DIR).resolve()
    try:
        with initialize_config_dir(version_base="1.3", config_dir=str(folder), job_name="callsim"):
            cfg = hydra_compose(config_name="config", overrides=list(overrides),
                                return_hydra_config=not own)  # fmt: skip
        if not own:  # the user's files: strict booleans, with their lines
            check_used_files(dict(cfg.hydra.runtime.choices), "config", [folder])
            with open_dict(cfg):
                del cfg["hydra"]
    except OmegaConfBaseException as exc:
        raise omegaconf_error(exc) from None
    except HydraException as exc:  # unknown group option, bad override syntax, ...
        raise (
            absent_key_error(exc) or missing_option_error(exc) or ConfigError(str(exc).strip())
        ) from None
    return composed_config(cfg, overrides)


_MISSING = re.compile(r"In '[^']*': Could not find '([^'/]+)/([^']+)'\s+Available options in "
                      r"'[^']+':\n(.*)", re.S)  # fmt: skip


def missing_option_error(exc: Exception) -> ConfigError | None:
    """One line for Hydra's page on an unknown option of a config group
    (``scenario=callback_ofered``), as ``callsim run`` gives it before composing: the
    group, the value and the options (None for any other error)."""
    found = _MISSING.match(str(exc).strip())
    if not found:
        return None
    group, value, listed = found.groups()
    options = itertools.takewhile(bool, (  # Hydra's search path follows, unindented
        line.strip() if line.startswith("\t") else "" for line in listed.splitlines()))  # fmt: skip
    return unknown_option_error(group, value, options)


def unknown_option_error(group: str, value: str, options: Iterable[str]) -> ConfigError:
    """``scenario = 'two_languge': no such scenario (options: ...)``: the one line for an
    option a config group does not have (``callsim run``'s check before Hydra, and
    :func:`missing_option_error` after it)."""
    return ConfigError(f"{group} = {value!r}: no such {group} (options: {', '.join(options)})",
                       group)  # fmt: skip


_ABSENT = re.compile(r"Could not override '([^']+)'\.\s+To append to your config use \+(\S+)")


def absent_key_error(exc: Exception) -> ConfigError | None:
    """One line for Hydra's refusal of an override of a key the config files do not have
    (None for any other error): a key of a mapping or of an optional section they leave
    out or set to null (``agent_groups.1.workforce.fatigue.enabled=false``, a group's
    ``skills.french=2``) says to write ``+key=value``; an entry past the end of a list
    (``agent_groups.5.agents=3``) says so. A mapping the files set, given a key they do
    not (``agent_groups.0.skills={english:1,french:2}``: Hydra merges the value into the
    mapping, which takes no new key), is named as set, with the new key."""
    text = str(exc).strip()
    found = _ABSENT.match(text)
    if found:
        key = found.group(1)
        inner = re.sub(r"\[(\d+)\]", r".\1", str(getattr(exc.__cause__, "full_key", "") or ""))
        if inner.startswith(key + "."):  # the mapping is set: a key of the value is new
            value = found.group(2).partition("=")[2]
            return ConfigError(f"{key} = {value}: the config files set {key}, but not its key "
                               f"{inner[len(key) + 1 :]!r}, and an override merges into a "
                               "mapping without adding keys; to add it, write "
                               f"+{found.group(2)} (keys you leave out keep their values)",
                               key)  # fmt: skip
        return ConfigError(f"{key}: the config files do not set this key (it lies in a "
                           "mapping, or in an optional section they leave out or set to "
                           f"null); to add it, write +{found.group(2)}", key)  # fmt: skip
    entry = re.fullmatch(r"(.+)\[(\d+)\]", str(getattr(exc.__cause__, "full_key", "") or ""))
    if text.startswith("Error merging override ") and entry:
        key, _, value = text[len("Error merging override ") :].partition("=")
        return ConfigError(f"{key} = {value}: {entry.group(1)} has no entry {entry.group(2)} "
                           f"(entries count from 0; for more entries set the whole list, "
                           f"{entry.group(1)}=[...])", key)  # fmt: skip
    return None


def check_present(overrides: Sequence[str], config_dir: str | Path = CONFIG_DIR) -> None:
    """Refuse with one line (:func:`absent_key_error`) a plain override (``key=value``) of
    a key the config files do not have, which Hydra would refuse with its message and a
    hint to write ``+key``, and an override (``+`` or not) below a section the files set
    to null, which OmegaConf fails on without a message: composes with Hydra (about a
    second) only when an override names a key below a list entry, a mapping or an open
    node, whose presence depends on the files. Any other error is left to the run
    (:func:`check_overrides` has checked the keys; ``check_overrides(...,
    present=True)`` does both on one parse)."""
    parsed = _parse(overrides)
    if parsed is not None:
        _check_present(overrides, parsed, _groups(config_dir), config_dir)


def _parse(overrides: Sequence[str]) -> list[Any] | None:
    """Hydra's parsed overrides; None if its override grammar does not parse them (Hydra
    then says what is wrong)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        return list(OverridesParser.create().parse_overrides(list(overrides)))
    except HydraException:
        return None


def _check_present(overrides: Sequence[str], parsed: Sequence[Any], groups: set[str],
                   config_dir: str | Path) -> None:  # fmt: skip
    """:func:`check_present` on overrides already parsed (``parsed``, one per override)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException

    from sim.core.schema import register_configs

    candidates = [
        o.key_or_group for o in parsed
        if _sets_schema_key(o, groups) and not o.is_sweep_override()
        and law_of(o.key_or_group) is None  # a law's node takes any key (its kind's, parsed)
        and _check_schema_key(o.key_or_group, o.key_or_group)
    ]  # fmt: skip
    if not candidates:
        return
    register_configs()
    try:
        with initialize_config_dir(version_base="1.3", config_dir=str(Path(config_dir).resolve()),
                                   job_name="callsim"):  # fmt: skip
            hydra_compose(config_name="config", overrides=list(overrides))
    except (HydraException, OmegaConfBaseException, ValueError) as exc:
        error = absent_key_error(exc) or _value_error(exc)
        if error is not None:
            raise error from None
    except (AttributeError, AssertionError) as exc:  # OmegaConf merging into a null section
        raise _null_section_error(exc, candidates) from None


def _sets_schema_key(override: Any, groups: set[str]) -> bool:
    """Whether a parsed Hydra override sets a key of the schema: not a deletion, a group
    choice (``patience=never``, ``scenario/x``), a ``hydra.*`` key or a package (``@``)."""
    key = override.key_or_group
    return not (override.is_delete() or key in groups or "/" in key
                or key.split(".")[0] == "hydra" or key.startswith("@"))  # fmt: skip


def _value_error(exc: Exception) -> ConfigError | None:
    """One line for Hydra's refusal of a value of the wrong type for a key inside a list
    entry (``agent_groups.1.reserve_idle=1.5``), which :func:`check_overrides` leaves to
    the composition; None for any other error."""
    text = str(exc).strip().partition("\n")[0]
    cause = exc.__cause__
    if not text.startswith("Error merging override ") or not isinstance(cause, ValidationError):
        return None
    key, _, value = text[len("Error merging override ") :].partition("=")
    cls = getattr(cause, "object_type", None)
    leaf = key.rpartition(".")[2]
    words = describe_type(leaf, cls) if isinstance(cls, type) and dataclasses.is_dataclass(cls) \
        else "of the key's type (docs/reference/config.md)"  # fmt: skip
    if value.strip().lstrip("+-") == ".inf":  # YAML's spelling, not the override grammar's
        words += " (on the command line, infinity is written inf)"
    return ConfigError(f"{key} = {value!r}: must be {words}", key)


def _null_section_error(exc: Exception, candidates: Sequence[str]) -> ConfigError:
    """One line for an override below a section the config files set to null (a voice
    type's ``outbound``), which OmegaConf cannot merge into (it fails with an internal
    error, not a message)."""
    section = re.sub(r"\[(\d+)\]", r".\1", str(getattr(exc, "full_key", "") or ""))
    key = next((k for k in candidates if section and k.startswith(section)), candidates[0])
    top = key.split(".")[0]
    where = f"{section} is" if section else "it, or a section it lies in, is"
    whole = f" or give the whole list ({top}=[...])" if re.search(r"\.\d+(\.|$)", key) else ""
    return ConfigError(f"{key}: {where} not set (null) in the config files, and an override "
                       "cannot fill it in; set it in your own scenario file (callsim "
                       f"--config-dir DIR){whole}", key)  # fmt: skip


def composed_config(cfg: DictConfig, overrides: Sequence[str]) -> Config:
    """The validated :class:`Config` of a config Hydra composed with these command-line
    overrides: a law whose ``kind`` they name keeps only that kind's keys from the YAML
    files (:func:`sim.config.layers.retype_by_overrides`)."""
    return load_config(retype_by_overrides(cfg, overrides))


def _stamps(config_dir: str | Path) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of every config file (a changed file recomposes)."""
    out = []
    for path in sorted(Path(config_dir).rglob("*")):
        if path.is_file():
            st = path.stat()
            out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


def _groups(config_dir: str | Path) -> set[str]:
    return {p.name for p in Path(config_dir).iterdir() if p.is_dir()}


def _split(
    overrides: Sequence[str], config_dir: str | Path
) -> tuple[list[str], list[tuple[str, Any]]] | None:
    """Structural overrides (as text) and plain ``(key, value)`` ones; None if the
    override grammar does not parse them or one is a sweep (Hydra reports it)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException:
        return None
    groups = _groups(config_dir)
    structural: list[str] = []
    plain: list[tuple[str, Any]] = []
    for text, override in zip(overrides, parsed, strict=True):
        key = override.key_or_group
        if override.is_sweep_override():
            return None
        if (
            override.is_add()
            or override.is_delete()
            or key in groups
            or "/" in key
            or key.startswith("@")
            or key.split(".")[0] == "hydra"
        ):
            structural.append(text)
        else:
            plain.append((key, override.value()))
    return structural, plain


def check_overrides(
    overrides: Sequence[str], config_dir: str | Path = CONFIG_DIR, *, present: bool = False
) -> None:
    """Check command-line overrides against the schema before Hydra sees them.

    Hydra refuses an unknown key or a value of the wrong type too, but with several lines
    and without saying what is allowed; this raises :class:`ConfigError` with one line
    (``center.volum: unknown key (allowed here: name, open_time, ...)``); a true/false
    key takes only ``true`` or ``false``; an addition (``+center.volum=5``) must name a key
    of the schema (a misspelt one would be ignored), and so must a key inside a list
    entry (``agent_groups.1.agents=5``; its value is checked when the config is parsed):
    one walk over the schema's types checks both. Group choices (``patience=never``),
    ``hydra.*`` keys and deletions are left to Hydra; so is anything its override
    grammar does not parse. Every value of a sweep (``staffing.agents=20,25``) is checked.
    ``present``: then also :func:`check_present`, on the same parse of the overrides.
    """
    parsed = _parse(overrides)
    if parsed is None:
        return
    groups = _groups(config_dir)
    for override in parsed:
        key = override.key_or_group
        if not _sets_schema_key(override, groups):
            continue
        if override.is_add():  # a misspelt +key would be added and ignored
            _check_schema_key(key, f"+{key}")
            continue
        if any(part.isdigit() for part in key.split(".")):
            _check_schema_key(key, key)  # an entry of a list (agent_groups.1.agents): its
            continue  # value is checked when the config is parsed
        values = (
            list(override.sweep_iterator()) if override.is_sweep_override() else [override.value()]
        )
        for value in values:
            check_boolean_override(key, value)
            try:
                checked(key, value)
            except OmegaConfBaseException as exc:
                raise omegaconf_error(exc) from None
    if present:
        _check_present(overrides, parsed, groups, config_dir)


def _check_schema_key(key: str, shown: str) -> bool:
    """Refuse a dotted ``key`` whose names are not keys of the schema: one line
    (``shown``, the override's key as written, ``+`` included) naming the section and the
    keys allowed there. Walks the schema's types (no config is built): a dataclass takes
    its fields, a list an entry number, a ``dict`` any name; an open node (``Any``: a
    time law, ``staffing.agents``, a roster) takes anything, its parse checks it.

    Returns whether ``key`` lies in a list entry, a ``dict`` or an open node: whether it
    is there depends on the config files (it is, below every other schema key)."""
    node: Any = Config
    done: list[str] = []
    below = False
    for part in key.split("."):
        where = ".".join(done) or "the config"
        if isinstance(node, type) and dataclasses.is_dataclass(node):
            fields = _fields(node)
            if part not in fields:
                raise ConfigError(f"{shown}: unknown key {part!r} in {where} "
                                  f"(allowed here: {', '.join(fields)})", key)  # fmt: skip
            node = fields[part]
        elif typing.get_origin(node) is list:
            if not part.isdigit():
                raise ConfigError(f"{shown}: {where} is a list: {part!r} is not an entry "
                                  f"number ({where}.0, {where}.1, ...)", key)  # fmt: skip
            node, below = typing.get_args(node)[0], True
        elif typing.get_origin(node) is dict:
            node, below = typing.get_args(node)[1], True
        elif node is Any:
            return True
        else:
            raise ConfigError(f"{shown}: {where} is a value, it has no key {part!r}", key)
        done.append(part)
        if typing.get_origin(node) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(node) if a is not type(None)]
            node = args[0] if len(args) == 1 else Any
    return below


@functools.cache
def _fields(schema: type) -> dict[str, Any]:
    """The fields of a schema dataclass and their types."""
    return typing.get_type_hints(schema)
