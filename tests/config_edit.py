"""A config mapping with one key changed, for the bad-input tests of tests/config/."""

from __future__ import annotations

import copy
from typing import Any


def with_change(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with the dotted ``path`` set to ``value``: a digit is a list
    index (``agent_groups.1.reserve_idle``); a missing mapping on the way is created."""
    cfg = copy.deepcopy(base)
    node: Any = cfg
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if p.isdigit() else node.setdefault(p, {})
    last = parts[-1]
    node[int(last) if last.isdigit() else last] = value
    return cfg
