"""The agents as individuals: shifts and rosters, absence, fatigue, learning,
empowerment, attrition and hiring.

May import: :mod:`sim.core`, :mod:`sim.laws`, :mod:`sim.queue`. Not
:mod:`sim.customers` nor :mod:`sim.config`.
"""

__all__: list[str] = []
