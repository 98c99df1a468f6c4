"""Callbacks (virtual hold): predict the wait, offer a callback, call the caller back.

The engine (:mod:`sim.queue.engine`, handlers of :mod:`sim.queue.flow`) calls this desk
at three points, and nowhere else:

* **a call is about to wait** (:meth:`CallbackDesk.offer`, from ``wait_or_leave``
  after no idle agent took the call and no cap blocked it): if the call's type offers callbacks
  and the predicted wait reaches ``threshold_s``, the caller is offered one and accepts
  with a probability (by predicted wait). An acceptor leaves the line: its attempt ends
  with outcome ``callback`` (wait 0), and a *callback attempt* (``source = callback``,
  call type ``<type>_callback``, infinitely patient) joins the queue of its callback
  type: at once and at the caller's place in line (``keep_place``: the record keeps the
  call's arrival time, and the router serves its tier by arrival), or at the promised
  time (``promised``: now + the predicted wait, or now + ``promise_s``);
* **an agent starts a call** (:meth:`CallbackDesk.serve`, the engine's ``serve`` hook):
  records the last wait (the ``les`` predictor), and for a callback attempt draws
  whether it reaches the customer; one that does not costs the agent ``dial_s`` and
  ends as ``unreached``;
* **an attempt ends** (:meth:`CallbackDesk.done_hook`, around the journey's
  ``answered``): an unreached one is tried again after ``retry_delay_s``, up to
  ``max_tries``; then the callback is given up.

Who calls back, and when (the same rules with agents by counts, as individuals, on
shifts, and in several agent groups):

* a callback attempt is a call of its callback type in the router's queues, bound to
  no agent: whoever is on the phones with a skill for the inbound type makes it, by
  the router's rule. An agent whose shift ends, or whose break is due, finishes the
  call in hand and leaves; the callbacks still waiting go to the next agent free (a
  later shift, the end of a break);
* in ``promised`` mode a callback is offered only if the promised time falls before
  the day's closing; an unreached attempt is retried only if the retry comes before
  closing (else the callback is given up, and the journey hears of it);
* no callback is offered without an estimate to promise: the ``queue`` predictor has
  none when no agent is on a call (everybody on a break, a gap in the roster), and a
  ``keep_place`` offer, or a ``promised`` one without ``promise_s``, is then not made;
* callbacks still waiting at closing: with ``after_close: drain`` the agents on duty
  serve them after closing (an agent whose duty is over stays while calls it may take
  wait); with nobody on duty they wait for the next agent on, the next day (a shift,
  the next opening); with ``cut`` they end as ``closed`` at closing. Callbacks still
  waiting when the run ends end as ``closed`` (counted in the ``calls`` table and,
  not reached, in the ``callbacks`` table);
* agents' work: a callback that reaches its customer is served like a call (the
  workforce's handle-time factors and fatigue apply); the ``dial_s`` of one that does
  not reach is busy time of its agent, and tires it (the workforce's ``work`` hook),
  but no factor stretches it.

Every accepted callback thus ends exactly once: reached, unreached after its last
try, or closed.

Predictors (Ibrahim and Whitt 2009, "Real-time delay estimation based on delay
history", *Manufacturing & Service Operations Management* 11(3):397-415, and
"Real-time delay estimation in overloaded multiserver queues with abandonments",
*Management Science* 55(10):1729-1742, 2009):

* ``queue`` (their QL predictor with abandonment, QL_m): with ``q`` calls waiting
  ahead, ``s`` agents busy, mean handle time ``1/mu`` and mean patience ``1/theta`` of
  the call's type, ``sum_{j=0}^{q} 1 / (s mu + j theta)``; with infinite patience
  ``(q + 1) / (s mu)``. It is the exact conditional mean wait of M/M/s+M given the
  queue, when every call ahead may abandon;
* ``les`` (last to enter service): the wait of the last call an agent answered.

Random numbers: the streams ``callback_accept`` and ``callback_reach`` only, so fresh
calls, patience and handle times are those of the same run without callbacks (common
random numbers).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.core.calls import Outcome, Source
from sim.core.rng import BlockDraws
from sim.core.timetable import Timetable
from sim.queue.clock import Clock
from sim.queue.columns import CallColumns
from sim.queue.hooks import Answered, Follow

__all__ = ["CallbackDesk", "CallbackLog", "CallbackPlan"]

CALLBACK, UNREACHED = int(Outcome.CALLBACK), int(Outcome.UNREACHED)
SOURCE_CALLBACK = int(Source.CALLBACK)


@dataclass(frozen=True)
class CallbackPlan:
    """Callbacks as the engine needs them (plain numbers; parsed once by
    :mod:`sim.config.callbacks`). Per-type tuples are indexed by call type, inbound
    types first, then the callback types."""

    callback_type: tuple[int, ...]  # per type: its callback type, -1 if it offers none
    base_type: tuple[int, ...]  # per type: the inbound type (itself for an inbound type)
    mean_handle_s: tuple[float, ...]  # per type: mean handle time, seconds
    patience_rate: tuple[float, ...]  # per type: 1 / mean patience, per second (0: infinite)
    predictor: str  # queue | les
    threshold_s: float  # offer when the predicted wait >= this, seconds
    accept: tuple[tuple[float, float], ...]  # (predicted wait s from, P(accept)), rising
    mode: str  # keep_place | promised
    promise_s: float | None  # promised: fixed delay, seconds; None: the predicted wait
    reach_probability: float
    dial_s: float  # seconds of agent time of an attempt that does not reach
    retry_delay_s: float
    max_tries: int
    deferral_bad: bool  # the attempt that accepted is rated bad (else neutral)
    accept_rng: np.random.Generator | None = None  # the ``callback_accept`` stream
    reach_rng: np.random.Generator | None = None  # the ``callback_reach`` stream

    def p_accept(self, predicted_s: float) -> float:
        """P(accept) for a predicted wait, seconds."""
        steps = self.accept
        k = bisect_right([w for w, _ in steps], predicted_s) - 1
        return steps[max(k, 0)][1]


class CallbackLog:
    """What the desk recorded, one entry per offer (engine index order of the offered
    attempts) and one per callback attempt (``origin``: the offer it belongs to)."""

    def __init__(self) -> None:
        self.call = array("q")  # engine index of the offered attempt
        self.offer_s = array("d")  # engine time of the offer, seconds
        self.predicted_s = array("d")  # predicted wait, seconds
        self.accepted = bytearray()  # 1: accepted
        self.promised_s = array("d")  # engine time of the promise (NaN: not accepted)
        self.attempt_call = array("q")  # engine index of each callback attempt
        self.origin = array("q")  # its offer (row of the arrays above)

    def columns(self) -> dict[str, np.ndarray]:
        """The recorded arrays as numpy arrays."""
        return {
            "call": np.frombuffer(self.call, dtype=np.int64),
            "offer_s": np.frombuffer(self.offer_s, dtype=np.float64),
            "predicted_s": np.frombuffer(self.predicted_s, dtype=np.float64),
            "accepted": np.frombuffer(self.accepted, dtype=np.uint8).astype(bool),
            "promised_s": np.frombuffer(self.promised_s, dtype=np.float64),
            "attempt_call": np.frombuffer(self.attempt_call, dtype=np.int64),
            "origin": np.frombuffer(self.origin, dtype=np.int64),
        }


class CallbackDesk:
    """The callbacks of one run (see the module docstring).

    ``cols``: the engine's call columns (shared, growing). ``place(i)``: the engine
    puts attempt ``i`` with an idle agent or in its queue; ``busy()``: agents on a call
    now; ``waiting()``: live calls waiting now. :meth:`connect` gives the journey's
    hooks, once they exist. Raises ValueError if the plan has no random streams.
    """

    def __init__(
        self,
        plan: CallbackPlan,
        timetable: Timetable,
        clock: Clock,
        cols: CallColumns,
        place: Callable[[int], None],
        busy: Callable[[], int],
        waiting: Callable[[], int],
    ) -> None:
        if plan.accept_rng is None or plan.reach_rng is None:
            raise ValueError("a CallbackPlan needs its accept_rng and reach_rng streams")
        self.plan, self.log = plan, CallbackLog()
        #: callback attempt index -> seconds from its arrival to the promise (keep_place:
        #: the journey rates the delay against the promise, not the wait from arrival)
        self.offset: dict[int, float] = {}
        self._tt, self._clock = timetable, clock
        self._cols = cols
        self._status, self._kind, self._arrival = cols.status, cols.ctype, cols.arrival
        self._handle, self._tries = cols.handle, cols.attempt
        self._place, self._busy, self._waiting = place, busy, waiting
        #: the journey's ``deferred(i, bad)`` and ``failed(i, retrying)`` (None: none)
        self.journey: tuple[Callable[[int, bool], None], Callable[[int, bool], None]] | None = None
        self._follow: Follow | None = None
        self._u_accept = BlockDraws(lambda rng, n: rng.random(n), plan.accept_rng)
        self._u_reach = BlockDraws(lambda rng, n: rng.random(n), plan.reach_rng)
        self._hnd = array("d")  # per offer row: the handle time of the caller's issue
        self._origin: dict[int, int] = {}  # callback attempt -> offer row
        self.last_wait = 0.0  # the les predictor: wait of the last call an agent answered
        self._predicted: dict[tuple[int, int, int], float] = {}  # the queue predictor's values
        self._waits = [w for w, _ in plan.accept]  # P(accept) steps, for bisect per offer
        self._p_accept = [q for _, q in plan.accept]

    # ------------------------------------------------------------------ offers
    def predict(self, kind: int, busy: int, waiting: int) -> float:
        """Predicted wait, seconds, of a call of type ``kind`` with ``waiting`` calls
        ahead and ``busy`` agents busy (the predictors of the module docstring)."""
        p = self.plan
        if p.predictor == "les":
            return self.last_wait
        if busy <= 0:
            return math.inf
        key = (kind, busy, waiting)
        cached = self._predicted.get(key)
        if cached is not None:
            return cached
        mu = busy / p.mean_handle_s[kind]
        theta = p.patience_rate[kind]
        if theta <= 0.0:
            value = (waiting + 1) / mu
        else:
            value = math.fsum(1.0 / (mu + j * theta) for j in range(waiting + 1))
        self._predicted[key] = value  # a few thousand keys: (type, busy, waiting)
        return value

    def connect(self, follow: Follow | None, deferred: Callable[[int, bool], None] | None,
                failed: Callable[[int, bool], None] | None) -> None:  # fmt: skip
        """The journey's hooks (all None without an active journey)."""
        self._follow = follow
        self.journey = None if deferred is None or failed is None else (deferred, failed)

    def offer(self, i: int) -> bool:
        """Call ``i`` is about to wait: True if its caller accepted a callback (the
        attempt is then ended as ``callback`` and its callback arranged)."""
        p = self.plan
        k = self._kind[i]
        cb = p.callback_type[k]
        if cb < 0:
            return False
        predicted = self.predict(k, self._busy(), self._waiting())
        if not predicted >= p.threshold_s:
            return False
        now = self._clock.now
        promise = now + (predicted if p.promise_s is None else p.promise_s)
        if promise == math.inf:
            return False  # no agent on a call: no estimate to promise (module docstring)
        if p.mode == "promised" and promise >= self._tt.closing(int(now // 86400.0)):
            return False  # no call can be made past closing
        log = self.log
        row = len(log.call)
        log.call.append(i)
        log.offer_s.append(now)
        log.predicted_s.append(predicted)
        steps = self._p_accept  # p.p_accept(predicted), without a list per offer
        p_acc = steps[0] if len(steps) == 1 else steps[max(bisect_right(self._waits, predicted) - 1, 0)]
        accepted = self._u_accept.take() < p_acc
        log.accepted.append(accepted)
        log.promised_s.append(promise if accepted else math.nan)
        self._hnd.append(self._handle[i])
        if not accepted:
            return False
        self._status[i] = CALLBACK
        if self.journey is not None:
            self.journey[0](i, p.deferral_bad)
        if p.mode == "keep_place":
            j = self._attempt(i, row, now, cb, 1)
            self.offset[j] = promise - now
            self._place(j)
        else:
            self._clock.fire(promise - now, self._on_due, (i, row, 1))
        return True

    def _attempt(self, prev: int, row: int, at: float, kind: int, tries: int) -> int:
        cols = self._cols
        j = cols.add_attempt(prev, at, cols.patience[prev], self._hnd[row], SOURCE_CALLBACK,
                             tries, kind)  # fmt: skip
        if self._follow is not None:
            self._follow(prev, False)
        self._origin[j] = row
        self.log.attempt_call.append(j)
        self.log.origin.append(row)
        return j

    def _on_due(self, value: tuple[int, int, int]) -> None:
        """Handler: the callback of the offer ``row`` (call ``prev``) is due."""
        prev, row, tries = value
        cb = self.plan.callback_type[self.plan.base_type[self._kind[prev]]]
        self._place(self._attempt(prev, row, self._clock.now, cb, tries))

    # ------------------------------------------------------------------ service
    def serve(self, inner: Callable[[int, int], float] | None, source: bytearray,
              work: Callable[[int, float], None] | None = None,
              ) -> Callable[[int, int], float] | None:  # fmt: skip
        """The engine's ``serve(call, agent)`` with callbacks: records the wait (the
        ``les`` predictor), draws whether a callback attempt reaches the customer (an
        unreached one ends as ``unreached`` and takes ``dial_s``); ``inner``: the serve
        hook without callbacks (None: the handle column); ``work(agent, seconds)``: the
        workforce's hook for the dial time of an unreached attempt (its agent's busy time
        and fatigue; None: no workforce). Returns ``inner`` itself when there is nothing
        to do (``queue`` predictor, every callback reaches)."""
        arrival, handle, status, clock = self._arrival, self._handle, self._status, self._clock
        reach, dial = self.plan.reach_probability, self.plan.dial_s
        les = self.plan.predictor == "les"
        if reach >= 1.0 and not les:
            return inner
        buf, take = self._u_reach.buffer, self._u_reach.take

        def serve(i: int, agent: int) -> float:
            if les:
                self.last_wait = clock.now - arrival[i]
            if source[i] == SOURCE_CALLBACK and reach < 1.0 and (buf.pop() if buf else take()) >= reach:
                status[i] = UNREACHED
                handle[i] = dial
                if work is not None:
                    work(agent, dial)
                return dial
            return handle[i] if inner is None else inner(i, agent)

        return serve

    def done_hook(self, answered: Answered | None) -> Answered | None:
        """The end-of-service hook with callbacks: an unreached attempt goes to
        :meth:`unreached`, any other to the journey's ``answered`` (if any; None: no
        hook needed)."""
        status, unreached = self._status, self.unreached
        if self.plan.reach_probability >= 1.0:
            return answered  # no attempt is ever unreached

        def done(i: int) -> None:
            if status[i] == UNREACHED:
                unreached(i)
            elif answered is not None:
                answered(i)

        return done

    def unreached(self, i: int) -> None:
        """Callback attempt ``i`` did not reach its customer: try again after
        ``retry_delay_s`` if tries are left and the retry comes before closing, else
        give up (the journey hears of it)."""
        p, now = self.plan, self._clock.now
        tries = self._tries[i]
        due = now + p.retry_delay_s
        again = tries < p.max_tries and due < self._tt.closing(int(now // 86400.0))
        if self.journey is not None:
            if again:
                self.journey[0](i, False)  # a missed call: neutral, the issue goes on
            else:
                self.journey[1](i, False)  # the promised callback never came: bad
        if again:
            self._clock.fire(p.retry_delay_s, self._on_retry, (i, tries + 1))

    def _on_retry(self, value: tuple[int, int]) -> None:
        prev, tries = value
        row = self._origin[prev]
        self._place(self._attempt(prev, row, self._clock.now, self._kind[prev], tries))
