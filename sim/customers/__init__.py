"""The customer side of a call: the journey (issues, resolution, repeat contacts),
experience ratings and memory, and the customer population (churn, word of mouth,
acquisition), stepped once a day.

May import: :mod:`sim.core`, :mod:`sim.laws`, :mod:`sim.queue`. Not
:mod:`sim.workforce` nor :mod:`sim.config`.
"""

__all__: list[str] = []
