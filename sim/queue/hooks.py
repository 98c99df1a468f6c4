"""What the engine calls on the customer journey and on the workforce: typed protocols.

:mod:`sim.queue` never imports :mod:`sim.customers` or :mod:`sim.workforce`; the engine
sees them only through these protocols, which :class:`sim.customers.journey.Journey`
and :class:`sim.workforce.agents.Workforce` satisfy structurally (mypy checks it where
:mod:`sim.model.callcenter` builds the engine).

Two speeds, as in the rest of callsim:

* **once a day** (plain methods): :meth:`JourneyHooks.open_day`,
  :meth:`JourneyHooks.end_of_day`, :meth:`WorkforceHooks.start_day`, ...;
* **per call** (the hot path): closures built once per run by
  :meth:`JourneyHooks.callbacks` and :meth:`WorkforceHooks.callbacks` over the engine's
  call columns (local variables are the cheapest state access in CPython). Their
  signatures are the :data:`Answered`, :data:`Failed`, :data:`Follow` and :data:`Serve`
  aliases below. Call indices ``i`` index the engine's columns; agent ids are ``0 ..``.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from sim.queue.clock import Handler

__all__ = [
    "Answered",
    "BreakTimes",
    "ClockLike",
    "Failed",
    "Follow",
    "JourneyColumns",
    "JourneyHooks",
    "Serve",
    "ShiftTimes",
    "WorkforceHooks",
]

#: ``answered(i)``: call ``i`` has been handled (its agent is still ``agent_of[i]``);
#: decide resolution, rate it, maybe schedule a repeat contact. The engine then ends
#: the service itself.
Answered = Callable[[int], None]
#: ``failed(i, retrying)``: call ``i`` was abandoned, blocked or closed; ``retrying``:
#: a redial follows.
Failed = Callable[[int, bool], None]
#: ``follow(prev, repeat)``: a redial (``repeat=False``) or repeat contact of the issue
#: of call ``prev`` arrives now; returns its (patience, handle time), seconds (NaN for a
#: redial: the redial policy draws them).
Follow = Callable[[int, bool], tuple[float, float]]
#: ``serve(i, agent)``: ``agent`` answers call ``i`` now; returns (and stores in the
#: handle column) the handle time, seconds.
Serve = Callable[[int, int], float]


class ClockLike(Protocol):
    """The engine clock as the hooks see it (:class:`sim.queue.clock.Clock`)."""

    @property
    def now(self) -> float:
        """Engine time, seconds."""
        ...

    def fire(self, delay: float, handler: Handler, value: Any) -> None:
        """Call ``handler(event)`` ``delay`` seconds from now."""
        ...

    def fire_at(self, time: float, handler: Handler, value: Any) -> None:
        """Call ``handler(event)`` at engine time ``time`` (>= now)."""
        ...


class JourneyColumns(Protocol):
    """Per-call columns the journey adds to the engine log (engine index order)."""

    @property
    def customer(self) -> np.ndarray: ...  # int64, customer id (-1: none tracked)
    @property
    def contact(self) -> np.ndarray: ...  # uint8, answered-contact number of the issue
    @property
    def resolved(self) -> np.ndarray: ...  # int8, 1 resolved, 0 not, -1 not answered
    @property
    def rating(self) -> np.ndarray: ...  # int8, -1 bad, 0 neutral, +1 good


class JourneyHooks(Protocol):
    """The customer journey (issues, resolution, repeat contacts) as the engine calls it."""

    @property
    def active(self) -> bool:
        """False: nothing the journey does can change a call; the engine skips it."""
        ...

    def volume_scale(self) -> float:
        """Fresh-call volume factor of the day about to open (customer feedback)."""
        ...

    def open_day(self, n: int) -> None:
        """The day's ``n`` fresh calls have been appended to the engine's columns."""
        ...

    def end_of_day(self, day: int) -> None:
        """Day ``day`` is over (called at midnight, and once after the run)."""
        ...

    def log(self) -> JourneyColumns:
        """The journey's per-call columns, after the run."""
        ...

    def callbacks(
        self,
        caller: array,
        wait: array,
        patience: array,
        agent_of: array,
        clock: ClockLike,
        agents: int,
        on_repeat: Handler,
        agent_p: Sequence[float] | None = None,
        agent_rude: Sequence[float] | None = None,
        promised: Mapping[int, float] | None = None,
    ) -> tuple[Answered, Failed, Follow]:
        """The per-call hooks over the engine's columns. ``agents``: the most agents ever
        present; ``on_repeat``: the engine handler a repeat contact is fired to (value:
        the previous call's index); ``agent_p`` / ``agent_rude``: per-agent probability
        that the current call resolves / is discourteous (workforce), else None;
        ``promised``: callback attempt -> seconds from its arrival to its promise
        (callbacks), else None."""
        ...

    def deferral(self) -> Callable[[int, bool], None]:
        """``deferred(i, bad)`` (after :meth:`callbacks`): attempt ``i`` ended unanswered
        and a callback follows; rated bad if ``bad``, else neutral."""
        ...


class BreakTimes(Protocol):
    """A break of a shift: due ``after_s`` seconds into it, ``length_s`` long."""

    @property
    def after_s(self) -> float: ...
    @property
    def length_s(self) -> float: ...


class ShiftTimes(Protocol):
    """A shift template: seconds from 00:00 of its day."""

    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...
    @property
    def breaks(self) -> Sequence[BreakTimes]: ...


class WorkforceHooks(Protocol):
    """Agents as individuals (who works today, shifts, speed and quality per agent)."""

    @property
    def n(self) -> int:
        """Agents ever employed (ids ``0 .. n-1``); grows with hires."""
        ...

    @property
    def shifts(self) -> Sequence[ShiftTimes] | None:
        """Shift templates (shift mode), or None (staffing by counts per interval)."""
        ...

    @property
    def assigned(self) -> Sequence[tuple[int, int]]:
        """Shift mode: today's ``(agent, shift index)`` pairs (after :meth:`start_day`)."""
        ...

    @property
    def since(self) -> Sequence[float]:
        """Per agent: when they last came on the phones; NaN while off them."""
        ...

    @property
    def p_resolve(self) -> Sequence[float]:
        """Per agent: probability that their current call resolves the issue."""
        ...

    @property
    def p_rude(self) -> Sequence[float]:
        """Per agent: probability that their current call is discourteous."""
        ...

    @property
    def fatigue_on(self) -> bool:
        """Whether fatigue changes ``p_rude`` (else the journey's own constant is used)."""
        ...

    @property
    def group_of(self) -> Sequence[int]:
        """Per agent id: its agent group (all 0 with one group; grows with hires)."""
        ...

    def group_view(self, g: int) -> WorkforceHooks:
        """The workforce as agent group ``g``'s staffing controller sees it: that group's
        agents (:meth:`start_day`), shifts and roster (several groups, issue 14)."""
        ...

    def start_day(self, day: int) -> list[int]:
        """Who may work on day ``day``: agent ids in id order."""
        ...

    def joined(self, agent: int, now: float) -> None:
        """``agent`` came on the phones at ``now``."""
        ...

    def left(self, agent: int, now: float) -> None:
        """``agent`` went off the phones at ``now``."""
        ...

    def end_of_day(self, day: int, now: float) -> None:
        """Day ``day`` is over: per-agent rows, attrition, hiring."""
        ...

    def callbacks(self, handle: array, clock: ClockLike) -> Serve:
        """``serve(i, agent)`` over the engine's handle-time column."""
        ...

    def work(self, clock: ClockLike) -> Callable[[int, float], None]:
        """``work(agent, seconds)``: ``agent`` starts ``seconds`` of work now that is no
        customer's conversation (a callback that does not reach its customer: the dial
        time, :mod:`sim.queue.callbacks`). It is busy time (occupancy) and an attempt
        started (fatigue builds over it); no handle-time factor stretches it."""
        ...
