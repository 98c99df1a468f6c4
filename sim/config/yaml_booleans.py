"""Strict booleans in the user's YAML files, read before Hydra or OmegaConf coerce them.

OmegaConf turns any integer given to a true/false key into true (``customers.enabled:
-1``), and so do the strings ``"yes"``, ``"on"``, ``"1"``. PyYAML reads YAML 1.1, where
the unquoted words ``yes``/``no``/``on``/``off`` (any case) are booleans: ``center.name:
no`` becomes the text ``"False"``. By the time a config is composed these values cannot
be told from ``true``/``false``, so the files themselves are read here, node by node,
with their line numbers.

The rule (documented in ``docs/reference/config.md``):

* a true/false key takes ``true`` or ``false`` only (any case, unquoted or quoted), as
  on the command line; ``yes``/``no``/``on``/``off``, numbers and other text are refused;
* any other key refuses an unquoted ``yes``/``no``/``on``/``off``: YAML 1.1 would read it
  as a boolean; quote it (``name: "no"``) to mean the text;
* ``null``/``~`` and interpolations (``${...}``) are left to the schema.

Errors name the key, the value, the file and the line. The ``hydra`` node and the
``defaults`` list are left to Hydra.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from sim.config.config_input import BOOL_KEYS
from sim.core.checks import ConfigError

__all__ = ["YAML11_BOOLEAN_WORDS", "check_used_files", "check_yaml_file"]

#: Words YAML 1.1 (PyYAML, OmegaConf) reads as booleans besides true and false.
YAML11_BOOLEAN_WORDS = frozenset({"yes", "no", "on", "off"})

_BOOL_TAG = "tag:yaml.org,2002:bool"
_PACKAGE = re.compile(r"^#\s*@package\s+(\S+)")
_SKIPPED = ("hydra", "defaults")


def _package(text: str, group: str) -> str:
    """The dotted key prefix of a file's contents: its ``# @package`` header, else its
    group (Hydra's default package)."""
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _PACKAGE.match(line.strip())
        if match:
            name = match.group(1)
            if name == "_global_":
                return ""
            if name == "_group_":
                return group.replace("/", ".")
            return name.removeprefix("_global_.")
        if not line.lstrip().startswith("#"):
            break
    return group.replace("/", ".")


def _leaves(node: yaml.Node, prefix: str) -> Iterator[tuple[str, yaml.ScalarNode]]:
    """``(dotted key, scalar node)`` of every scalar under ``node``."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            if not prefix and key_node.value in _SKIPPED:
                continue
            yield from _leaves(value, key)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            yield from _leaves(value, f"{prefix}[{i}]")
    elif isinstance(node, yaml.ScalarNode):
        yield prefix, node


def _problem(key: str, node: yaml.ScalarNode) -> str | None:
    text = str(node.value)
    low = text.strip().lower()
    plain = node.style is None
    if (plain and (low in {"", "~", "null"})) or "${" in text:
        return None
    if key in BOOL_KEYS:
        if low in {"true", "false"}:
            return None
        if plain and low in YAML11_BOOLEAN_WORDS:
            return "must be true or false (write true or false, as on the command line)"
        return "must be true or false"
    if plain and node.tag == _BOOL_TAG and low not in {"true", "false"}:
        return (f"YAML reads the unquoted {text} as a boolean; quote it (\"{text}\") for "
                "the text, or write true or false")  # fmt: skip
    return None


def check_yaml_file(path: str | Path, group: str = "", shown: str | None = None) -> None:
    """Refuse non-boolean values of true/false keys and YAML 1.1 boolean words in a file.

    ``group``: the config group the file belongs to (``scenario``; empty for a primary
    config or a file given to ``sim.load_config``), which places its keys unless a
    ``# @package`` header does. ``shown`` names the file in messages (default ``path``).
    A file YAML cannot parse is left to the loader's own error.
    Raises :class:`ConfigError` naming the key, the value, the file and the line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return
    if root is None:
        return
    for key, node in _leaves(root, _package(text, group)):
        rule = _problem(key, node)
        if rule is not None:
            where = f"{shown or path} line {node.start_mark.line + 1}"
            raise ConfigError(f"{key} = {node.value} in {where}: {rule}", key)


def _folders(entries: Sequence[Any]) -> list[Path]:
    folders = []
    for entry in entries:
        text = str(entry)
        if text.startswith("file://"):
            folders.append(Path(text.removeprefix("file://")))
        elif "://" not in text:
            folders.append(Path(text))
    return folders


def check_used_files(
    choices: dict[str, Any], config_name: str, searchpath: Sequence[Any]
) -> None:
    """Check (:func:`check_yaml_file`) every file of the user's config folders that a
    composed config used: the primary config ``config_name`` and each chosen option of
    ``choices`` (Hydra's ``hydra.runtime.choices``, ``{group: option}``) found in a
    folder of ``searchpath`` (``file://`` entries or plain paths; ``pkg://`` ones are
    installed configs, callsim's own among them)."""
    for folder in _folders(searchpath):
        primary = folder / f"{config_name}.yaml"
        if primary.is_file():
            check_yaml_file(primary)
        for group, option in choices.items():
            if option is None or group.split("/")[0] == "hydra":
                continue
            candidate = folder / group / f"{option}.yaml"
            if candidate.is_file():
                check_yaml_file(candidate, group)
