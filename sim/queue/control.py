"""Your own SimPy processes in a run: the extension point of the engine.

A *process* is a function ``process(env, control)`` that returns a SimPy generator
(it ``yield`` s SimPy events, such as ``env.timeout(60)``). Pass it to the engine
(``Engine(..., processes=[process])``) or to a model run
(``CallCenter(config).run(processes=[process])``). It runs on the engine's own
:class:`simpy.Environment`, next to the engine's events (seconds of engine time; day
``d`` starts at ``d * 86400``), from time 0 until the centre closes on the last day;
then it is interrupted (:class:`simpy.Interrupt`; catch it to clean up) and the engine
finishes the run (drain, last redials). Events at the same time run in the order they
were scheduled.

The :class:`Control` object is what a process may read and change:

* read: :attr:`Control.now`, :attr:`Control.waiting` (calls in the queue),
  :attr:`Control.busy` (agents on a call), :attr:`Control.present` (agents on the
  phones, including those finishing a call after their duty), :attr:`Control.target`
  (agents the staffing asks for now), :attr:`Control.is_open`;
* change: :meth:`Control.set_extra` (count mode: agents on top of the staffing plan,
  e.g. a supervisor pulling agents off back-office work or breaks when the queue is
  long). Extra agents come from the same pool as planned ones: without a workforce,
  the most agents the plan ever asks for (agents off duty in a lull are the reserve);
  with one, the agents available today. When the pool is empty the centre stays
  short-staffed, as with the plan. Their time on the phones shows in the staff log
  (``staff_present``) and the ``agents`` table, not in the plan's paid hours.

A process must not draw random numbers from a global generator (``random``,
``np.random``): results must stay reproducible. Nothing in a shipped scenario uses a
process: without one, a run is bit for bit what it was.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

import simpy

from sim.queue.clock import Clock
from sim.queue.router import Router
from sim.queue.staffing import Staffing

__all__ = ["Control", "Process", "run_processes"]

#: ``process(env, control)``: a SimPy generator to run next to the engine.
Process = Callable[[simpy.Environment, "Control"], Generator[simpy.Event, Any, Any]]


class Control:
    """The engine's state as your processes see it, and what they may change."""

    def __init__(
        self, clock: Clock, router: Router, staffing: Staffing, busy: Callable[[], int]
    ) -> None:
        self._clock = clock
        self.env = clock.env
        self._router = router
        self._staffing = staffing
        self._busy = busy

    @property
    def now(self) -> float:
        """Engine time, seconds."""
        return float(self.env.now)

    @property
    def waiting(self) -> int:
        """Calls waiting in the queue now."""
        return self._router.n_waiting

    @property
    def busy(self) -> int:
        """Agents on a call now."""
        return self._busy()

    @property
    def present(self) -> int:
        """Agents on the phones now (idle, on a call, or finishing one after duty)."""
        return self._staffing.present

    @property
    def target(self) -> int:
        """Agents the staffing asks for now (plan plus extra; 0 when closed)."""
        return self._staffing.target

    @property
    def extra(self) -> int:
        """Agents on top of the plan while open (what :meth:`set_extra` last set)."""
        return self._staffing.extra

    @property
    def is_open(self) -> bool:
        """Whether the centre takes fresh calls now."""
        return self._staffing.is_open

    def set_extra(self, extra: int) -> None:
        """From now on, ``extra`` agents on top of the staffing plan whenever open.

        Raises ValueError for a negative ``extra`` or a run whose workforce follows
        shifts (extra agents need staffing by counts).
        """
        self._clock.act(self._staffing.set_extra, extra)


def run_processes(
    env: simpy.Environment, control: Control, processes: Sequence[Process], until: float
) -> None:
    """Start ``processes`` on ``env``, run to ``until`` (the last closing, seconds), then
    interrupt the ones still alive; the caller runs the rest with ``env.run()``."""
    started = [env.process(p(env, control)) for p in processes]
    env.run(until=until)
    for proc in started:
        if proc.is_alive:
            proc.defused = True  # an uncaught Interrupt ends the process quietly
            proc.interrupt("closed")
