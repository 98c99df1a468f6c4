"""The queue's data plane: the event engine (clock, calls as column arrays, FCFS
queue, abandonment, blocking), fresh arrivals and redials, and the typed hooks
(:mod:`sim.queue.hooks`) through which it calls the customer journey and the workforce.

May import: :mod:`sim.core`, :mod:`sim.laws`. Never names customers or workforce: it
sees them only through the protocols of :mod:`sim.queue.hooks`.
"""

__all__: list[str] = []
