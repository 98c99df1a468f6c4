"""The planner's tools: forecasts, the planning model (offered calls through a compiled
FCFS queue), staffing requirements by formula and by simulation, checking a plan, one
agent more or less, rosters, the profit curve.

May import: :mod:`sim.theory`, :mod:`sim.model` and everything below them.
"""

__all__: list[str] = []
