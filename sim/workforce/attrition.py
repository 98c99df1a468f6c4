"""Agents quitting (``workforce.attrition``): trailing occupancy and fatigue, and the
daily quit hazard they raise.

Each agent carries two exponentially weighted trailing averages, updated at the end
of each day they worked (time constant ``window_days``, weight of today
``alpha = 1 - exp(-1 / window_days)``): their occupancy (busy / on-phone seconds,
at most 1) and their mean fatigue at call starts (:mod:`sim.workforce.fatigue`; 0 on
a day without calls). The daily quit hazard is::

    h = h0 * exp(occupancy_effect * (trailing occupancy - reference_occupancy)
                 + fatigue_effect * (trailing fatigue - reference_fatigue))
           * (empowered_factor if empowered else 1),

``h0 = -ln(1 - annual_rate) / 365`` (the hazard of an agent at the references), and
an agent quits at the end of a day with probability ``1 - exp(-h)``. Empowered agents
quit less (``empowered_factor``, seed 001). Every constant is the agent's group's
(a callable ``param(value)`` spreads a group key over the agents, as
:meth:`sim.workforce.agents.Workforce._param`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.core.schema import WorkforceConfig

__all__ = ["Param", "quit_hazard", "update_trailing"]

#: ``param(value)``: ``value`` of each agent's group's workforce keys, per agent id.
Param = Callable[[Callable[[WorkforceConfig], Any]], np.ndarray]


def update_trailing(param: Param, occ_tr: np.ndarray, fat_tr: np.ndarray, worked: np.ndarray,
                    occ: np.ndarray, fday: np.ndarray) -> None:  # fmt: skip
    """Move the trailing occupancy ``occ_tr`` and fatigue ``fat_tr`` (per agent, in
    place) toward today's occupancy ``occ`` (capped at 1) and mean fatigue ``fday``, for
    the agents who ``worked`` today (boolean mask)."""
    alpha = param(lambda c: 1.0 - math.exp(-1.0 / c.attrition.window_days))[worked]
    occ_tr[worked] += alpha * (np.minimum(occ[worked], 1.0) - occ_tr[worked])
    fat_tr[worked] += alpha * (fday[worked] - fat_tr[worked])


def quit_hazard(param: Param, occ_tr: np.ndarray, fat_tr: np.ndarray,
                emp: np.ndarray) -> np.ndarray:  # fmt: skip
    """Each agent's daily quit hazard (shape of ``occ_tr``) from its trailing occupancy
    ``occ_tr`` and fatigue ``fat_tr``; ``emp``: who is empowered (boolean)."""
    at = param
    h0 = at(lambda c: -math.log(1.0 - c.attrition.annual_rate) / 365.0)
    return (
        h0
        * np.exp(
            at(lambda c: c.attrition.occupancy_effect)
            * (occ_tr - at(lambda c: c.attrition.reference_occupancy))
            + at(lambda c: c.attrition.fatigue_effect)
            * (fat_tr - at(lambda c: c.attrition.reference_fatigue))
        )
        * np.where(emp, at(lambda c: c.attrition.empowered_factor), 1.0)
    )
