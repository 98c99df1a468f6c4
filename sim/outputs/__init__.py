"""What a run produces, computed after it from the event tables: the calls,
intervals and days tables, KPIs and their summary, the same per call type and per
agent group, the callbacks table and KPIs, the economics, and :class:`sim.outputs.results.Results`.

May import: :mod:`sim.core`, :mod:`sim.laws`, :mod:`sim.queue`, :mod:`sim.customers`,
:mod:`sim.workforce`.
"""

__all__: list[str] = []
