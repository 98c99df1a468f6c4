"""The queue's data plane: the event engine (calls as column arrays, abandonment,
blocking, closing) on its clock (:mod:`sim.queue.clock`, an event calendar driven by
SimPy through its public API), the router (:mod:`sim.queue.router`: which agent takes
which call), the staffing controller (:mod:`sim.queue.staffing`: who is on the phones
when), fresh arrivals and redials, callbacks (:mod:`sim.queue.callbacks`: virtual hold), the
extension point for your own SimPy processes
(:mod:`sim.queue.control`) and the typed hooks (:mod:`sim.queue.hooks`) through which
it calls the customer journey and the workforce.

May import: :mod:`sim.core`, :mod:`sim.laws`. Never names customers or workforce: it
sees them only through the protocols of :mod:`sim.queue.hooks`.
"""

__all__: list[str] = []
