"""The planner's tools: forecasts, staffing requirements by formula and by
simulation, rosters, the profit curve.

May import: :mod:`sim.theory`, :mod:`sim.model` and everything below them.
"""

__all__: list[str] = []
