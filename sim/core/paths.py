"""Config values that become parts of paths: checked or made safe, never trusted.

Two kinds of config text end up in a path:

* ``run.name`` names the folder ``results/<run.name>/``: it is *refused* unless it is a
  plain folder name (:func:`check_folder_name`, called by :mod:`sim.validation`);
* the overrides of a sweep point (``staffing.group=../../x``) name its folder
  ``results/<run.name>/sweep/<overrides>/``: :func:`point_dirname` turns any such text
  into one safe path component (``configs/config.yaml`` applies it to
  ``hydra.sweep.subdir`` through the ``callsim_dirname`` resolver, registered by
  :func:`sim.config.register_configs`).

Everything else a run writes goes inside its own results folder, whose name callsim
chooses (:mod:`sim.writer`, :mod:`sim.sweep`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = [
    "MAX_COMPONENT_BYTES",
    "MAX_NAME_CHARS",
    "check_folder_name",
    "is_safe_component",
    "point_dirname",
]

#: Longest point folder name, in UTF-8 bytes (file systems allow 255; the writer adds
#: ``.partial-<pid>`` to it while it writes).
MAX_COMPONENT_BYTES = 200
#: Longest ``run.name``, in characters (it is also the report's title).
MAX_NAME_CHARS = 100

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
#: Characters never kept in a folder name: separators, NUL and Windows' reserved ones.
_UNSAFE = re.compile(r'[/\\\x00<>:"|?*]')


def check_folder_name(name: object) -> str | None:
    """Why ``name`` is not a plain folder name (None if it is one).

    Allowed: ASCII letters, digits, ``_``, ``-`` and ``.``, starting with a letter or
    digit, no ``..``, at most :data:`MAX_NAME_CHARS` characters.
    """
    text = str(name)
    if not _NAME.fullmatch(text) or ".." in text:
        return "must be a folder name: letters, digits, '_', '-', '.' (no '..')"
    if len(text) > MAX_NAME_CHARS:
        return f"must be at most {MAX_NAME_CHARS} characters long (it is {len(text)})"
    return None


def is_safe_component(name: str) -> bool:
    """True if ``name`` is one path component :func:`point_dirname` leaves as it is."""
    return point_dirname(name) == name


def point_dirname(text: str) -> str:
    """``text`` (a point's ``key=value,...`` overrides) as one safe folder name.

    Kept as it is when it is safe; otherwise path separators, control characters and
    Windows' reserved characters become ``_``, a leading ``.`` becomes ``_``, a name
    longer than :data:`MAX_COMPONENT_BYTES` is cut, and ``~`` plus 10 hex digits of the
    SHA-256 of the original text are appended, so that two different points never share
    a folder. Deterministic (a re-run finds the same folder: sweeps resume).
    """
    text = str(text)
    safe = unicodedata.normalize("NFC", text)
    safe = _UNSAFE.sub("_", safe)
    safe = "".join("_" if unicodedata.category(ch)[0] == "C" else ch for ch in safe)
    if safe.startswith("."):
        safe = "_" + safe[1:]
    if not safe:
        safe = "_"
    if safe == text and len(text.encode("utf-8")) <= MAX_COMPONENT_BYTES:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    budget = MAX_COMPONENT_BYTES - len(digest) - 1
    cut = safe.encode("utf-8")[:budget].decode("utf-8", "ignore")
    return f"{cut}~{digest}"
