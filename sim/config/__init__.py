"""Configs in, one validated :class:`sim.core.schema.Config` out: loading from
dicts, YAML or Hydra, the checks (each rule once, naming the key, the value and what is
allowed), Hydra's compose API, and the shipped YAML files (``sim/config/yaml/``,
package data: the defaults, groups and scenarios).

May import: :mod:`sim.core`, :mod:`sim.laws`, :mod:`sim.workforce` (shift parsing).
"""

__all__: list[str] = []
