"""A scenario assembled and run: :class:`sim.model.callcenter.CallCenter` (one
replication), :mod:`sim.model.runner` (replications, in parallel) and
:mod:`sim.model.progress` (the progress of long work: replications, writing results).

May import: everything below it (core, laws, queue, customers, workforce, config,
outputs).
"""

__all__: list[str] = []
