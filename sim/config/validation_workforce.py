"""Range checks of the agent-workload keys: ``workforce.*``, ``staffing.shifts`` and
``staffing.roster`` (called by :func:`sim.config.validation.validate`)."""

from __future__ import annotations

import math

import numpy as np

from sim.core.checks import ConfigError, bad, integer, non_negative, positive, probability
from sim.core.schema import Config
from sim.workforce.shifts import Shift, parse_roster, parse_shifts

__all__ = ["check_workforce"]


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
    if wf.headcount is not None:
        integer("workforce.headcount", wf.headcount, 1)
    if probability("workforce.absence_probability", wf.absence_probability) >= 1.0:
        raise bad("workforce.absence_probability", wf.absence_probability, "must be < 1")
    if probability("workforce.offphone_share", wf.offphone_share) >= 1.0:
        raise bad("workforce.offphone_share", wf.offphone_share, "must be < 1")
    non_negative("workforce.initial_tenure_mean_days", wf.initial_tenure_mean_days)
    positive("workforce.empowered_handle_factor", wf.empowered_handle_factor)
    non_negative("workforce.empowered_fatigue_factor", wf.empowered_fatigue_factor)
    f = wf.fatigue
    positive("workforce.fatigue.busy_time_constant_min", f.busy_time_constant_min)
    positive("workforce.fatigue.rest_time_constant_min", f.rest_time_constant_min)
    non_negative("workforce.fatigue.handle_effect", f.handle_effect)
    probability("workforce.fatigue.fcr_effect", f.fcr_effect)
    d = probability("workforce.fatigue.discourtesy_effect", f.discourtesy_effect)
    if cfg.experience.discourtesy_probability + d > 1.0:
        raise bad(
            "workforce.fatigue.discourtesy_effect",
            f.discourtesy_effect,
            "experience.discourtesy_probability + this must be <= 1",
        )
    le = wf.learning
    if positive("workforce.learning.new_handle_factor", le.new_handle_factor) < 1.0:
        raise bad(
            "workforce.learning.new_handle_factor", le.new_handle_factor, "must be >= 1 (slower)"
        )
    probability("workforce.learning.new_fcr_gap", le.new_fcr_gap)
    positive("workforce.learning.time_constant_days", le.time_constant_days)
    a = wf.attrition
    if probability("workforce.attrition.annual_rate", a.annual_rate) >= 1.0:
        raise bad("workforce.attrition.annual_rate", a.annual_rate, "must be < 1")
    probability("workforce.attrition.reference_occupancy", a.reference_occupancy)
    probability("workforce.attrition.reference_fatigue", a.reference_fatigue)
    non_negative("workforce.attrition.occupancy_effect", a.occupancy_effect)
    non_negative("workforce.attrition.fatigue_effect", a.fatigue_effect)
    non_negative("workforce.attrition.empowered_factor", a.empowered_factor)
    positive("workforce.attrition.window_days", a.window_days)
    h = wf.hiring
    if not isinstance(h.enabled, bool):
        raise bad("workforce.hiring.enabled", h.enabled, "must be true or false")
    integer("workforce.hiring.lag_days", h.lag_days, 0)
    integer("workforce.hiring.training_days", h.training_days, 0)
    if not math.isfinite(non_negative("workforce.hiring.cost_per_hire", h.cost_per_hire)):
        raise ConfigError("workforce.hiring.cost_per_hire must be finite", "workforce.hiring")
    return shifts, roster
