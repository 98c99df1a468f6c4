"""The engine's clock: SimPy's :class:`simpy.Environment`, used through its public API.

Every engine event (an arrival, an answer's end, an abandonment, a shift start, ...) is
a :class:`Fire`: a light :class:`simpy.Event` that is triggered when created and put on
the environment's schedule with :meth:`simpy.Environment.schedule` (the documented way
to schedule an event with a delay; it is what :class:`simpy.Timeout` does). Its one
callback does the work when the environment processes it. There is no process per
caller and no resource: see :mod:`sim.queue.engine` for why.

Because the engine's events are ordinary SimPy events on an ordinary environment, your
own SimPy processes share the clock with them (``Engine(..., processes=[...])``, see
:mod:`sim.queue.control`); at equal times events run in the order they were scheduled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import NORMAL

__all__ = ["Clock", "Fire", "Handler"]

#: What an engine event calls when it is processed: ``handler(event)``; the event's
#: :attr:`~simpy.Event.value` is what was given to :class:`Fire` (a call index, an
#: agent id, a day, ...).
Handler = Callable[[Any], None]


class Fire(simpy.Event):
    """An event that calls ``handler(self)`` ``delay`` seconds from now.

    The light form of ``simpy.Timeout(env, delay, value)`` plus a callback: triggered
    (``ok``, value ``value``) on creation, as :class:`simpy.Timeout` is, and scheduled
    with :meth:`simpy.Environment.schedule` at normal priority. Raises nothing: the
    engine never passes a negative delay (SimPy's ``Timeout`` would check).
    """

    def __init__(self, env: simpy.Environment, delay: float, handler: Handler, value: Any) -> None:
        self.env = env
        self.callbacks = [handler]
        self._value = value
        self._ok = True
        env.schedule(self, NORMAL, delay)


class Clock:
    """What the customer journey and the workforce see of the engine's clock.

    ``now``: engine time, seconds. ``fire(delay, handler, value)``: schedule an engine
    event (:class:`Fire`) ``delay`` >= 0 seconds from now.
    """

    __slots__ = ("env",)

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env

    @property
    def now(self) -> float:
        """Engine time, seconds."""
        return float(self.env.now)

    def fire(self, delay: float, handler: Handler, value: Any) -> None:
        """Call ``handler(event)`` ``delay`` seconds from now (``event.value == value``)."""
        Fire(self.env, delay, handler, value)
