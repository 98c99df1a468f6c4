"""A scenario assembled and run: :class:`sim.model.callcenter.CallCenter` (one
replication) and :mod:`sim.model.runner` (replications, in parallel).

May import: everything below it (core, laws, queue, customers, workforce, config,
outputs).
"""

__all__: list[str] = []
