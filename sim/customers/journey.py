"""The customer journey inside the event loop: issues, resolution, repeat contacts, memory.

A fresh call opens an **issue** for a customer. Each answered contact resolves it with
probability ``resolution.fcr`` (plus ``resolution.empowerment_uplift`` when the agent
is one of the ``resolution.empowered_share`` empowered agents); an unresolved customer
calls again (a **repeat** contact, ``source = repeat``) with probability
``resolution.recontact_probability`` after a delay (``resolution.recontact_delay``), up to ``resolution.max_contacts``
answered contacts, else gives up. Redials after abandoning or being blocked belong to
the same issue and contact. An issue **ends** when it is resolved, or when its customer
gives up (no redial, no repeat, or a call that met a closed centre). Each attempt is
rated and the issue remembered by :mod:`sim.customers.experience`; ended issues are handed to the
customer population once a day (:meth:`Journey.end_of_day`).

Customers call a closed centre only by mistake: a repeat contact whose delay ends
outside opening hours is made at the next opening, at a time of day drawn from the
intraday profile; one that would fall after the last day is not simulated (the issue
stays open at the end of the run) (:mod:`sim.customers.repeats`).

The engine calls the hooks of :meth:`Journey.callbacks` (the protocol
:class:`sim.queue.hooks.JourneyHooks`; closures over the engine's and
the journey's arrays: this is the hot path) only when the journey is active
(:attr:`Journey.active`); otherwise it keeps its lean path and the calls table derives
the same columns (every answered contact resolved, no customers).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from sim.core.calls import BAD, GOOD, NEUTRAL, is_empowered
from sim.core.rng import BlockDraws, Streams
from sim.core.schema import Config
from sim.core.timetable import DAY_S, Timetable
from sim.customers.experience import ExperienceRule
from sim.customers.repeats import RepeatTimes, RepeatWindows
from sim.laws.distributions import Distribution
from sim.queue.clock import Handler
from sim.queue.hooks import Answered, ClockLike, Failed, Follow

__all__ = ["Journey", "JourneyLog"]

#: How an attempt ended, as the hot-path hooks record it (``index * 8 + code``, in the
#: order the attempts end); :meth:`Journey.end_of_day` turns the codes into the
#: ``resolved`` and ``rating`` columns, the issues' peaks and the ended issues at once.
#: Codes 1-3: answered and resolved, rated good / neutral / bad (the issue ends); the
#: hooks write 1 (:data:`RESOLVED`) for every resolved attempt and the daily settlement
#: rates it (wait shares and the discourtesy draws, vectorised, in the same order);
#: 4: answered, unresolved, the issue ends; 5: answered, unresolved, a repeat contact
#: follows (or would, after the last day); 6: failed (abandoned, blocked, closed), the
#: issue ends; 7: failed, a redial follows.
#: Code 0: not answered, a callback follows (rated neutral; :meth:`Journey.deferral`).
DEFERRED, RES_GOOD, RES_NEUTRAL, RES_BAD, UNRES_END, UNRES_MORE, FAIL_END, FAIL_MORE = range(8)
RESOLVED = RES_GOOD  # as the hooks write it: resolved, not rated yet
_RESOLVED = np.array([-1, 1, 1, 1, 0, 0, -1, -1], dtype=np.int8)  # by code
_RATING = np.array([0, GOOD, NEUTRAL, BAD, BAD, BAD, BAD, BAD], dtype=np.int8)  # by code
_ENDS = np.array([0, 1, 1, 1, 1, 0, 1, 0], dtype=bool)  # by code: the issue ends
#: An issue's peak (its most intense rating so far: the worst once any was bad), kept
#: as a key that only grows, so that a day's attempts update it in one vectorised
#: maximum: no rating yet 0, neutral 1, good 2, bad 3.
_PEAK_KEY = np.array([3, 1, 2], dtype=np.int8)  # by rating + 1
_PEAK_OF_KEY = np.array([0, NEUTRAL, GOOD, BAD], dtype=np.int8)  # by key (0: unused)


class JourneyLog:
    """Per-call columns the journey adds to the engine log (engine index order)."""

    def __init__(self, customer: np.ndarray, contact: np.ndarray, resolved: np.ndarray,
                 rating: np.ndarray) -> None:  # fmt: skip
        self.customer = customer  # int64, customer id (-1: no customers tracked)
        self.contact = contact  # uint8, answered-contact number of the issue (1 = first)
        self.resolved = resolved  # int8, 1 resolved, 0 not, -1 not answered
        self.rating = rating  # int8, -1 bad, 0 neutral, +1 good


def _pad(a: array, n: int, fill: int) -> None:
    """Extend ``a`` to ``n`` entries with ``fill`` (in place: the array module grows by
    about 1/16, no doubling and no second copy)."""
    if len(a) < n:
        a.frombytes(np.full(n - len(a), fill, dtype=a.typecode).tobytes())


def _view(a: array) -> np.ndarray:
    """A numpy view of ``a`` (drop it before ``a`` grows again)."""
    return np.frombuffer(a, dtype=a.typecode)


class Journey:
    """Issue bookkeeping and the per-contact draws, one replication.

    Cost per call (scale issue): the hooks decide only what changes the run as it goes
    (resolution, repeat contacts) and append one code per ended attempt (and, with
    fatigue, the discourtesy probability of a resolved one); the ratings (their
    discourtesy draws taken in the order the attempts ended, as the hooks would have
    taken them), the issues' peaks and the memories of the ended issues are computed
    once a day over those codes, vectorised. Repeat contacts
    due in a later window of :data:`sim.customers.repeats.RELEASE_S` seconds wait in the
    journey and go onto the engine's calendar when their window comes (a calendar of a
    few hundred entries instead of a day of repeats: each entry costs log(size)); those
    due after the day's closing, most of them, are timed and put in their windows in
    bulk when the next day opens (:class:`sim.customers.repeats.RepeatWindows`). The
    per-call random decisions come from blocks of 1,024
    (:class:`sim.core.rng.BlockDraws`). None of this changes a number.
    """

    def __init__(
        self,
        config: Config,
        timetable: Timetable,
        profile: np.ndarray,
        recontact_delay: Distribution,
        patience: Distribution,
        talk: Distribution,
        acw: Distribution,
        streams: Streams,
        population: Any = None,
    ) -> None:
        res, exp = config.resolution, config.experience
        self.fcr = float(res.fcr)
        self.empowered_share = float(res.empowered_share)
        self.empowered_fcr = min(1.0, self.fcr + float(res.empowerment_uplift))
        self.recontact = float(res.recontact_probability)
        self.max_contacts = int(res.max_contacts)
        self.discourtesy = float(exp.discourtesy_probability)
        wf = config.workforce  # fatigue and learning change FCR and courtesy per agent
        self.agent_effects = bool(wf.enabled and (wf.fatigue.enabled or wf.learning.enabled))
        #: callbacks rate their attempts by the delay against the promise (the journey's)
        self.callbacks_on = bool(config.callbacks.enabled)
        self.rule = ExperienceRule(exp)
        self.timetable = timetable
        self.population = population
        self.initial_active = population.n_active if population is not None else 0
        self.feedback = bool(config.customers.feedback) and population is not None
        self._u_resolution = streams["resolution"]  # one uniform per fresh call, in bulk
        self._u_follow = BlockDraws(lambda rng, n: rng.random(n), streams["resolution_follow"])
        # whether an unresolved customer calls again (a uniform < recontact_probability),
        # decided 1,024 at a time: bools, no float object per draw
        self._recontacts = BlockDraws(lambda rng, n: rng.random(n) < self.recontact,
                                      streams["recontact"])  # fmt: skip
        self._u_rude = BlockDraws(lambda rng, n: rng.random(n), streams["discourtesy"])
        # when repeat contacts call, and where they wait for their window
        self._times = RepeatTimes(
            timetable, profile, BlockDraws(lambda rng, n: rng.random(n), streams["repeat_time"])
        )
        self._windows = RepeatWindows(timetable, self._times)
        self._delay = BlockDraws(recontact_delay.sample, streams["recontact_delay"])
        # a repeat contact's patience and handle time (talk + after-call work): the
        # three streams drawn 1,024 at a time, as one BlockDraws each would, the next
        # one last in two flat lists (no tuple per repeat)
        self._repeat_laws = ((patience, streams["repeat_patience"]),
                             (talk, streams["repeat_talk"]), (acw, streams["repeat_acw"]))  # fmt: skip
        self._repeat_patience: list[float] = []
        self._repeat_handle: list[float] = []
        self.contact = bytearray()  # per call (engine index order), appended as calls come
        self._u_resolve = array("d")  # per call: the uniform that decides resolution
        # per call, filled once a day (customer: of fresh calls, the issues' roots)
        self._customer = array("q")
        self._resolved = array("b")
        self._rating = array("b")
        self._peak = array("b")  # per issue root: _PEAK_KEY of its peak
        # index * 8 + code of each ended attempt, in order: an int64 array, not a list
        # (a list keeps an int object per attempt, scattered in memory, that the daily
        # conversion to numpy then chases: measured 10% of the journey's time)
        self._done = array("q")
        # P(discourteous) of each resolved attempt in that order (agent effects only)
        self._rude_p = array("d")
        #: seconds from the offer to the promised time of resolved callbacks (call -> s),
        #: until they are rated: the wait rated is the lateness past the promise
        self._promise_of: dict[int, float] = {}
        self._caller: array | None = None  # the engine's caller column (callbacks)
        self._wait: array | None = None  # ... its wait and patience columns
        self._patience: array | None = None
        self._rude_logged = False
        self._open_until = -math.inf  # closing of the day opened last (repeat times)
        self._clock: ClockLike | None = None
        self.scales: list[float] = []  # the volume factor of each day, in day order
        self._ended_customer: list[np.ndarray] = []
        self._ended_memory: list[np.ndarray] = []

    @property
    def active(self) -> bool:
        """True when anything here can change what happens (else the engine skips it)."""
        return (
            self.fcr < 1.0
            or self.discourtesy > 0.0
            or self.population is not None
            or self.agent_effects
            or self.callbacks_on
        )

    def empowered(self, agent: int) -> bool:
        """Whether ``agent`` is one of the ``resolution.empowered_share`` empowered agents
        (:func:`sim.core.calls.is_empowered`)."""
        return is_empowered(agent, self.empowered_share)

    # ----------------------------------------------------------------- call creation
    def volume_scale(self) -> float:
        """Fresh-call volume factor for the next day: active base / initial (feedback on)."""
        scale = 1.0
        if self.feedback and self.initial_active > 0:
            scale = float(self.population.n_active) / self.initial_active
        self.scales.append(scale)
        return scale

    def open_day(self, n: int) -> None:
        """Register the ``n`` fresh calls of a day (each opens a new issue), and start
        the day's releases of held repeat contacts (:meth:`_release`)."""
        if self.population is not None and self.population.n_active > 0:
            customers = np.asarray(self.population.pick(n), dtype=np.int64)
        else:
            customers = np.full(n, -1, dtype=np.int64)
        base = len(self.contact)
        _pad(self._customer, base, -1)  # the follow-ups' slots: their root's customer
        self._customer.frombytes(customers.tobytes())
        self.contact.extend(b"\x01" * n)
        self._u_resolve.frombytes(self._u_resolution.random(n).tobytes())
        if self._clock is not None:
            self._open_until = math.floor(self._clock.now / DAY_S) * DAY_S + self.timetable.close_s
            self._release(self._open_until)

    def _release(self, closing: float) -> None:
        """Start the day's releases of held repeat contacts, until ``closing``
        (:meth:`sim.customers.repeats.RepeatWindows.release`)."""
        self._windows.release(closing)

    # ----------------------------------------------------------------- attempt ends
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
        """The hot-path hooks, as closures over the engine's and the journey's arrays
        (local variables are the cheapest state access in CPython):

        ``agents``: the most agents ever present (agent ids are below it).
        ``agent_p`` / ``agent_rude``: with a workforce (:mod:`sim.workforce.agents`), the
        probability that each agent's current call resolves the issue / is discourteous
        (learning, empowerment, fatigue); else ``resolution.fcr`` (plus the empowerment
        uplift) and ``experience.discourtesy_probability`` for everybody.
        ``promised``: with callbacks (:mod:`sim.queue.callbacks`), seconds from a
        callback attempt's arrival to its promise: the attempt is rated by its delay
        past the promise (its wait less this, at least 0) against the caller's patience.

        * ``answered(i)``: call ``i`` has been handled; decides resolution, rates the
          contact (the rule of :mod:`sim.customers.experience`), schedules the repeat
          contact (the engine's handler ``on_repeat`` on ``clock``, value ``i``) or ends
          the issue; the engine then ends the service itself;
        * ``failed(i, retrying)``: call ``i`` was abandoned, blocked or closed (rated
          bad); ``retrying``: a redial follows, else the issue ends;
        * ``follow(prev, repeat)``: a redial or repeat contact of the issue of ``prev``
          arrives; returns the new attempt's patience and handle time, seconds, drawn
          from the journey's own streams for a repeat (NaN for a redial: the redial
          policy draws them).

        Each ended attempt appends ``i * 8 + code`` (the codes above :class:`Journey`)
        to an array; the ratings of resolved attempts and the issue memories are worked
        out from it once a day (:meth:`_settle`).
        """
        self._caller, self._clock = caller, clock
        windows = self._windows
        windows.clock, windows.on_repeat = clock, on_repeat
        self._wait, self._patience = wait, patience
        self._rude_logged = agent_rude is not None
        if agent_p is None:  # the core's anonymous agents: ids below ``agents``
            fcr, fcr_up, share = self.fcr, self.empowered_fcr, self.empowered_share
            agent_p = [fcr_up if share and is_empowered(a, share) else fcr
                       for a in range(agents)]  # fmt: skip
        rude_log = self._rude_p.append
        promise_of = self._promise_of
        max_contacts = self.max_contacts
        u_resolve, contact = self._u_resolve, self.contact
        recontact_buf, recontact_take = self._recontacts.buffer, self._recontacts.take
        delay_buf, delay_take = self._delay.buffer, self._delay.take
        follow_buf, follow_take = self._u_follow.buffer, self._u_follow.take
        rep_patience, rep_handle = self._repeat_patience, self._repeat_handle
        repeat_refill = self._refill_repeat_draws
        done = self._done.append
        repeat_time, held, release_s = self._times.one(), windows.held, windows.release_s
        later_call, later_now = windows.later_call.append, windows.later_now.append
        later_at = windows.later_at.append
        fire, inf, nan = clock.fire, math.inf, math.nan
        u_append, c_append = u_resolve.append, contact.append
        resolved_code, more_code, end_code = RESOLVED, UNRES_MORE, UNRES_END

        def follow(prev: int, repeat: bool) -> tuple[float, float]:
            c_append(contact[prev] + repeat)
            u_append(follow_buf.pop() if follow_buf else follow_take())
            if not repeat:
                return nan, nan
            if not rep_patience:
                repeat_refill()
            return rep_patience.pop(), rep_handle.pop()

        def answered(i: int) -> None:
            a = agent_of[i]
            if u_resolve[i] < agent_p[a]:  # resolved: the issue ends, rated once a day
                done(i * 8 + resolved_code)
                if agent_rude is not None:
                    rude_log(agent_rude[a])
                if promised is not None and i in promised:  # a callback: late past its promise
                    promise_of[i] = promised[i]
                return
            # unresolved: a repeat contact, or the customer gives up (inlined: a call
            # fewer on a third of the answered calls)
            if contact[i] < max_contacts and (
                recontact_buf.pop() if recontact_buf else recontact_take()
            ):
                now = clock.now
                at = now + (delay_buf.pop() if delay_buf else delay_take())
                if not at < self._open_until:  # (now is on or after today's opening)
                    if at >= windows.later_from:  # timed and held when the next day opens
                        later_call(i)
                        later_now(now)
                        later_at(at)
                        done(i * 8 + more_code)
                        return
                    at = repeat_time(at)  # out of hours: the next opening
                if at < inf:
                    t = now + (at - now)  # the calendar's time of the repeat
                    if t < windows.horizon:
                        fire(at - now, on_repeat, i)
                    else:  # a later window: held until it comes
                        key = int(t // release_s)
                        window = held.get(key)
                        if window is None:
                            held[key] = ([t], [i])
                        else:
                            window[0].append(t)
                            window[1].append(i)
                # else: the repeat would come after the last day; the issue stays open
                done(i * 8 + more_code)
                return
            done(i * 8 + end_code)

        def failed(i: int, retrying: bool) -> None:
            done(i * 8 + (FAIL_MORE if retrying else FAIL_END))

        return answered, failed, follow

    def outside(self) -> Callable[[], None]:
        """The hook ``outside()``: the engine appended a row that is no customer's
        contact (an outbound dial, :mod:`sim.queue.outbound`): it gets its per-call
        entries (contact 1, no resolution draw), and no hook is called for it."""
        c_append, u_append, nan = self.contact.append, self._u_resolve.append, math.nan

        def outside() -> None:
            c_append(1)
            u_append(nan)

        return outside

    def deferral(self) -> Callable[[int, bool], None]:
        """The hook ``deferred(i, bad)`` (after :meth:`callbacks`): attempt ``i`` ended
        without an answer and the issue goes on, as when its caller accepted a callback
        or a callback attempt missed them: rated bad if ``bad``, else neutral."""
        done = self._done.append

        def deferred(i: int, bad: bool) -> None:
            done(i * 8 + (FAIL_MORE if bad else DEFERRED))

        return deferred

    def _refill_repeat_draws(self) -> None:
        """1,024 repeat contacts' patience and handle time, the next one last."""
        (pl, prng), (tl, trng), (al, arng) = self._repeat_laws
        self._repeat_patience.extend(pl.sample(prng, 1024)[::-1].tolist())
        handle = tl.sample(trng, 1024) + al.sample(arng, 1024)
        self._repeat_handle.extend(handle[::-1].tolist())

    def _settle(self) -> None:
        """Turn the codes of the attempts ended since the last call into the ``resolved``
        and ``rating`` columns and the issues' peaks; hand the issues that ended to the
        population's list (in the order they ended, with their peak-end memory)."""
        if not self._done:
            return
        coded = _view(self._done).copy()
        del self._done[:]  # in place: the hooks hold its append
        idx, code = coded >> 3, coded & 7
        self._rate_resolved(idx, code)
        n = len(self.contact)
        for a, fill in ((self._resolved, -1), (self._rating, 0), (self._peak, 0)):
            _pad(a, n, fill)
        rating = _RATING[code]
        _view(self._resolved)[idx] = _RESOLVED[code]
        _view(self._rating)[idx] = rating
        peaks = _view(self._peak)
        assert self._caller is not None
        roots = np.frombuffer(self._caller, dtype=np.int64)[idx]  # a copy: the view goes
        np.maximum.at(peaks, roots, _PEAK_KEY[rating + 1])
        if self.population is None:
            return
        ends = _ENDS[code]
        roots = roots[ends]
        customer = _view(self._customer)[roots]
        tracked = customer >= 0
        peak = _PEAK_OF_KEY[peaks[roots[tracked]]].astype(np.float64)
        rule = self.rule
        wp = rule.peak_weight / (rule.peak_weight + rule.end_weight)
        m = wp * peak + (1.0 - wp) * rating[ends][tracked]
        memory = np.where(m <= -0.5, BAD, np.where(m >= 0.5, GOOD, NEUTRAL)).astype(np.int8)
        self._ended_customer.append(customer[tracked])
        self._ended_memory.append(memory)

    def _rate_resolved(self, idx: np.ndarray, code: np.ndarray) -> None:
        """Rate the resolved attempts among ``idx`` (code :data:`RESOLVED`, in the order
        they ended) in place: the rule of :mod:`sim.customers.experience`, the
        discourtesy draws taken in that order from the ``discourtesy`` stream, one per
        attempt not already bad by its wait and with a positive probability (as the hot
        path took them before: not a bit changes)."""
        res = np.flatnonzero(code == RESOLVED)
        rude_p = self._rude_p
        if not res.size:
            del rude_p[:]
            return
        assert self._wait is not None and self._patience is not None
        calls = idx[res]
        w = np.frombuffer(self._wait, dtype=np.float64)[calls]  # copies: the views go
        pat = np.frombuffer(self._patience, dtype=np.float64)[calls]
        if self._promise_of:  # callbacks: late past the promise (sim.queue.callbacks)
            late = np.array([self._promise_of.pop(int(c), 0.0) for c in calls])
            w = np.maximum(0.0, w - late)
        if self._rude_logged:  # the per-agent probabilities the hooks logged
            rp = _view(rude_p).copy()
        else:
            rp = np.full(res.size, self.discourtesy)
        del rude_p[:]
        if rp.size != res.size:
            raise RuntimeError("discourtesy log out of step with the resolved attempts")
        rule = self.rule
        with np.errstate(invalid="ignore"):  # 0 * inf patience: NaN, no comparison holds
            bad = w > rule.bad_share * pat
            good = w <= rule.good_share * pat
        draw = ~bad & (rp > 0.0)
        u = self._u_rude.take_many(int(np.count_nonzero(draw)))
        bad[draw] = u < rp[draw]
        code[res] = np.where(bad, RES_BAD, np.where(good, RES_GOOD, RES_NEUTRAL))

    # ----------------------------------------------------------------- days
    def end_of_day(self, day: int) -> None:
        """Settle the day's ended attempts; hand today's ended issues to the population
        (churn, word of mouth, growth)."""
        self._settle()
        if self.population is None:
            return
        customer = np.concatenate([np.empty(0, np.int64), *self._ended_customer])
        memory = np.concatenate([np.empty(0, np.int8), *self._ended_memory])
        self._ended_customer.clear()
        self._ended_memory.clear()
        self.population.end_of_day(day, customer, memory)

    def log(self) -> JourneyLog:
        """The per-call columns, as numpy arrays (after the run's last :meth:`end_of_day`)."""
        self._settle()
        n = len(self.contact)
        for a, fill in ((self._customer, -1), (self._resolved, -1), (self._rating, 0)):
            _pad(a, n, fill)
        customer = _view(self._customer)
        if self._caller is not None and len(self._caller) == n:
            customer = customer[np.frombuffer(self._caller, dtype=np.int64)]
        self._customer = self._peak = array("b")  # the roots' copies are no longer needed
        return JourneyLog(
            customer=customer,
            contact=np.frombuffer(self.contact, dtype=np.uint8),
            resolved=_view(self._resolved),
            rating=_view(self._rating),
        )
