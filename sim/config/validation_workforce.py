"""Range checks of the agent-workload keys: ``workforce.*``, ``staffing.shifts`` and
``staffing.roster`` (called by :func:`sim.config.validation.validate`), and the
per-group overrides ``agent_groups[i].workforce`` (:func:`group_workforce`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np

from sim.core.checks import ConfigError, bad, integer, non_negative, positive, probability
from sim.core.schema import Config, WorkforceConfig
from sim.workforce.shifts import Shift, parse_roster, parse_shifts

__all__ = ["check_workforce", "check_workforce_keys", "group_workforce"]

T = TypeVar("T")


def check_workforce(cfg: Config) -> tuple[tuple[Shift, ...] | None, np.ndarray | None]:
    """Check the workforce keys; raise :class:`ConfigError` naming the first bad one.

    Returns the parsed shift templates and roster (days, shifts), or ``(None, None)``
    without ``staffing.shifts``.
    """
    wf, st = cfg.workforce, cfg.staffing
    if not isinstance(wf.enabled, bool):
        raise bad("workforce.enabled", wf.enabled, "must be true or false")
    uses = {
        "staffing.shifts": (st.shifts is not None, "a list of shifts"),
        "workforce.fatigue.enabled": (bool(wf.fatigue.enabled), wf.fatigue.enabled),
        "workforce.learning.enabled": (bool(wf.learning.enabled), wf.learning.enabled),
        "workforce.attrition.enabled": (bool(wf.attrition.enabled), wf.attrition.enabled),
        "workforce.absence_probability": (bool(wf.absence_probability), wf.absence_probability),
        "workforce.offphone_share": (bool(wf.offphone_share), wf.offphone_share),
    }
    if not wf.enabled:
        used = [(key, value) for key, (on, value) in uses.items() if on]
        if used:
            key, value = used[0]
            raise bad(key, value,
                      "needs workforce.enabled = true (agents as individuals); to switch the "
                      "whole agent layer off, select workforce=none (command line) or "
                      "'- override /workforce: none' in a scenario file's defaults")  # fmt: skip
        return None, None
    shifts, roster = None, None
    if st.shifts is not None:
        shifts = parse_shifts(st.shifts)
        roster = parse_roster(st.roster, shifts, cfg.run.days)
        if wf.offphone_share:
            raise bad(
                "workforce.offphone_share",
                wf.offphone_share,
                "must be 0 with staffing.shifts: put meetings and training into the shifts' breaks",
            )
    elif st.roster is not None:
        raise bad("staffing.roster", st.roster, "needs staffing.shifts (the shift templates)")
    check_workforce_keys(wf, "workforce", cfg.experience.discourtesy_probability)
    return shifts, roster


def check_workforce_keys(wf: WorkforceConfig, p: str, discourtesy: float) -> None:
    """Range checks of the workforce keys ``wf`` (named ``p.*``: ``workforce`` or
    ``agent_groups[i].workforce``); ``discourtesy``: ``experience.discourtesy_probability``.
    Raises :class:`ConfigError` naming the first bad key."""
    if wf.headcount is not None:
        integer(f"{p}.headcount", wf.headcount, 1)
    if probability(f"{p}.absence_probability", wf.absence_probability) >= 1.0:
        raise bad(f"{p}.absence_probability", wf.absence_probability, "must be < 1")
    if probability(f"{p}.offphone_share", wf.offphone_share) >= 1.0:
        raise bad(f"{p}.offphone_share", wf.offphone_share, "must be < 1")
    non_negative(f"{p}.initial_tenure_mean_days", wf.initial_tenure_mean_days)
    positive(f"{p}.empowered_handle_factor", wf.empowered_handle_factor)
    non_negative(f"{p}.empowered_fatigue_factor", wf.empowered_fatigue_factor)
    f = wf.fatigue
    positive(f"{p}.fatigue.busy_time_constant_min", f.busy_time_constant_min)
    positive(f"{p}.fatigue.rest_time_constant_min", f.rest_time_constant_min)
    non_negative(f"{p}.fatigue.handle_effect", f.handle_effect)
    probability(f"{p}.fatigue.fcr_effect", f.fcr_effect)
    d = probability(f"{p}.fatigue.discourtesy_effect", f.discourtesy_effect)
    if discourtesy + d > 1.0:
        raise bad(
            f"{p}.fatigue.discourtesy_effect",
            f.discourtesy_effect,
            "experience.discourtesy_probability + this must be <= 1",
        )
    le = wf.learning
    if positive(f"{p}.learning.new_handle_factor", le.new_handle_factor) < 1.0:
        raise bad(
            f"{p}.learning.new_handle_factor", le.new_handle_factor, "must be >= 1 (slower)"
        )
    probability(f"{p}.learning.new_fcr_gap", le.new_fcr_gap)
    positive(f"{p}.learning.time_constant_days", le.time_constant_days)
    a = wf.attrition
    if probability(f"{p}.attrition.annual_rate", a.annual_rate) >= 1.0:
        raise bad(f"{p}.attrition.annual_rate", a.annual_rate, "must be < 1")
    probability(f"{p}.attrition.reference_occupancy", a.reference_occupancy)
    probability(f"{p}.attrition.reference_fatigue", a.reference_fatigue)
    non_negative(f"{p}.attrition.occupancy_effect", a.occupancy_effect)
    non_negative(f"{p}.attrition.fatigue_effect", a.fatigue_effect)
    non_negative(f"{p}.attrition.empowered_factor", a.empowered_factor)
    positive(f"{p}.attrition.window_days", a.window_days)
    h = wf.hiring
    if not isinstance(h.enabled, bool):
        raise bad(f"{p}.hiring.enabled", h.enabled, "must be true or false")
    integer(f"{p}.hiring.lag_days", h.lag_days, 0)
    integer(f"{p}.hiring.training_days", h.training_days, 0)
    if not math.isfinite(non_negative(f"{p}.hiring.cost_per_hire", h.cost_per_hire)):
        raise ConfigError(f"{p}.hiring.cost_per_hire must be finite", f"{p}.hiring")


def _override(base: T, spec: Any, key: str) -> T:
    """``base`` (a workforce dataclass) with the values of the mapping ``spec``; a key
    it does not have, or a value of the wrong kind, raises :class:`ConfigError`."""
    if not isinstance(spec, Mapping):
        raise bad(key, spec, "must be a mapping of workforce keys, e.g. {fatigue: {enabled: false}}")
    names = [f.name for f in dataclasses.fields(base)]  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    for name, value in spec.items():
        k = f"{key}.{name}"
        if name not in names:
            raise bad(k, value, f"unknown key (allowed: {', '.join(names)})")
        old = getattr(base, name)
        if dataclasses.is_dataclass(old):
            changes[name] = _override(old, value, k)
        elif isinstance(old, bool):
            if not isinstance(value, bool):
                raise bad(k, value, "must be true or false")
            changes[name] = value
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise bad(k, value, "must be a number")
        elif value is None and name != "headcount":
            raise bad(k, value, "must be a number (null is allowed for headcount only)")
        else:
            changes[name] = value
    return dataclasses.replace(base, **changes)  # type: ignore[type-var]


def group_workforce(cfg: Config, spec: Any, key: str) -> WorkforceConfig:
    """The workforce keys of one agent group: the centre's ``workforce`` with the group's
    overrides ``spec`` (``agent_groups[i].workforce``, named ``key``), checked.

    Raises :class:`ConfigError`: overrides without ``workforce.enabled``, ``enabled``
    itself (the agent layer is on or off for the whole centre), an unknown key, a bad
    value."""
    if spec is None or (isinstance(spec, Mapping) and not spec):
        return cfg.workforce
    if not cfg.workforce.enabled:
        raise bad(key, dict(spec) if isinstance(spec, Mapping) else spec,
                  "needs workforce.enabled = true (agents as individuals)")  # fmt: skip
    if isinstance(spec, Mapping) and "enabled" in spec:
        raise bad(f"{key}.enabled", spec["enabled"],
                  "is the whole centre's (workforce.enabled); a group may switch off "
                  "fatigue, learning or attrition: {fatigue: {enabled: false}}")  # fmt: skip
    wf = _override(cfg.workforce, spec, key)
    check_workforce_keys(wf, key, cfg.experience.discourtesy_probability)
    return wf
