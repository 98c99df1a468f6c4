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
stays open at the end of the run).

The engine calls the hooks of :meth:`Journey.callbacks` (closures over the engine's and
the journey's arrays: this is the hot path) only when the journey is active
(:attr:`Journey.active`); otherwise it keeps its lean path and the calls table derives
the same columns (every answered contact resolved, no customers).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.core.calls import BAD, GOOD, NEUTRAL, is_empowered
from sim.core.rng import BlockDraws, Streams
from sim.core.schema import Config
from sim.core.timetable import DAY_S, Timetable
from sim.customers.experience import ExperienceRule
from sim.laws.distributions import Distribution

__all__ = ["Journey", "JourneyLog"]

NO_RATING = 2  # peak placeholder before an issue's first rated attempt


class JourneyLog:
    """Per-call columns the journey adds to the engine log (engine index order)."""

    def __init__(self, customer: np.ndarray, contact: np.ndarray, resolved: np.ndarray,
                 rating: np.ndarray) -> None:  # fmt: skip
        self.customer = customer  # int64, customer id (-1: no customers tracked)
        self.contact = contact  # uint8, answered-contact number of the issue (1 = first)
        self.resolved = resolved  # int8, 1 resolved, 0 not, -1 not answered
        self.rating = rating  # int8, -1 bad, 0 neutral, +1 good


class Journey:
    """Issue bookkeeping and the per-contact draws, one replication."""

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
        self.rule = ExperienceRule(exp)
        self.timetable = timetable
        self.population = population
        self.initial_active = population.n_active if population is not None else 0
        self.feedback = bool(config.customers.feedback) and population is not None
        self._cum_profile = np.cumsum(profile)
        self._u_resolution = streams["resolution"]  # one uniform per fresh call, in bulk
        self._u_follow = BlockDraws(lambda rng, n: rng.random(n), streams["resolution_follow"])
        self._u_recontact = BlockDraws(lambda rng, n: rng.random(n), streams["recontact"])
        self._u_rude = BlockDraws(lambda rng, n: rng.random(n), streams["discourtesy"])
        self._u_time = BlockDraws(lambda rng, n: rng.random(n), streams["repeat_time"])
        self._delay = BlockDraws(recontact_delay.sample, streams["recontact_delay"])
        self._patience = BlockDraws(patience.sample, streams["repeat_patience"])
        self._talk = BlockDraws(talk.sample, streams["repeat_talk"])
        self._acw = BlockDraws(acw.sample, streams["repeat_acw"])
        self.customer = array("q")
        self.contact = bytearray()
        self.resolved = array("b")
        self.rating = array("b")
        self.peak = array("b")  # per issue root: most intense rating so far
        self._u_resolve = array("d")  # per call: the uniform that decides resolution
        self.scales: list[float] = []  # the volume factor of each day, in day order
        self._ended_customer: list[int] = []
        self._ended_memory: list[int] = []

    @property
    def active(self) -> bool:
        """True when anything here can change what happens (else the engine skips it)."""
        return (
            self.fcr < 1.0
            or self.discourtesy > 0.0
            or self.population is not None
            or self.agent_effects
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
        """Register the ``n`` fresh calls of a day: each opens a new issue."""
        if self.population is not None and self.population.n_active > 0:
            customers = np.asarray(self.population.pick(n), dtype=np.int64)
        else:
            customers = np.full(n, -1, dtype=np.int64)
        self.customer.frombytes(customers.tobytes())
        self.contact.extend(b"\x01" * n)
        self.resolved.frombytes(np.full(n, -1, np.int8).tobytes())
        self.rating.frombytes(bytes(n))
        self.peak.frombytes(np.full(n, NO_RATING, np.int8).tobytes())
        self._u_resolve.frombytes(self._u_resolution.random(n).tobytes())

    # ----------------------------------------------------------------- attempt ends
    def callbacks(
        self,
        caller: array,
        wait: array,
        patience: array,
        agent_of: array,
        clock: Any,
        agents: int,
        done: Callable[[int], None],
        on_repeat: Callable[[int], None],
        agent_p: list[float] | None = None,
        agent_rude: list[float] | None = None,
    ) -> tuple[
        Callable[[int], None],
        Callable[[int, bool], None],
        Callable[[int, bool], tuple[float, float]],
    ]:
        """The two hot-path hooks, as closures over the engine's and the journey's arrays
        (local variables are the cheapest state access in CPython):

        ``agents``: the most agents ever present (agent ids are below it).
        ``agent_p`` / ``agent_rude``: with a workforce (:mod:`sim.workforce.agents`), the
        probability that each agent's current call resolves the issue / is discourteous
        (learning, empowerment, fatigue); else ``resolution.fcr`` (plus the empowerment
        uplift) and ``experience.discourtesy_probability`` for everybody.

        * ``answered(i)``: call ``i`` has been handled; decides resolution, rates the
          contact (the rule of :mod:`sim.customers.experience`), schedules the repeat contact
          (``on_repeat`` on ``clock``) or ends the issue, then calls ``done(i)`` (the
          engine's own end of service);
        * ``failed(i, retrying)``: call ``i`` was abandoned, blocked or closed (rated
          bad); ``retrying``: a redial follows, else the issue ends;
        * ``follow(prev, repeat)``: a redial or repeat contact of the issue of ``prev``
          arrives ; returns the new attempt's patience and handle time, seconds, drawn from the journey's own streams for a repeat (NaN for a redial: the redial policy draws them).
        """
        fcr, fcr_up, rude_p = self.fcr, self.empowered_fcr, self.discourtesy
        empowered = (
            [self.empowered(a) for a in range(agents)]
            if self.empowered_share and agent_p is None
            else None
        )
        recontact, max_contacts = self.recontact, self.max_contacts
        good_share, bad_share = self.rule.good_share, self.rule.bad_share
        u_resolve, contact, customer = self._u_resolve, self.contact, self.customer
        resolved_of, rating_of, peak_of = self.resolved, self.rating, self.peak
        rude_u, recontact_u, delay = self._u_rude.take, self._u_recontact.take, self._delay.take
        ended_customer, ended_memory = self._ended_customer, self._ended_memory
        track = self.population is not None
        repeat_time = self._repeat_time

        wp = self.rule.peak_weight / (self.rule.peak_weight + self.rule.end_weight)
        we = 1.0 - wp

        fire = clock.fire
        patience_u, talk_u, acw_u = self._patience.take, self._talk.take, self._acw.take
        follow_u = self._u_follow.take
        u_append, c_append, n_append = u_resolve.append, contact.append, customer.append

        def follow(prev: int, repeat: bool) -> tuple[float, float]:
            n_append(customer[prev])
            c_append(contact[prev] + repeat)
            resolved_of.append(-1)
            rating_of.append(0)
            peak_of.append(NO_RATING)
            u_append(follow_u())
            if not repeat:
                return math.nan, math.nan
            return patience_u(), talk_u() + acw_u()

        def answered(i: int) -> None:
            root = caller[i]
            if agent_p is not None:
                p = agent_p[agent_of[i]]
                rp = rude_p if agent_rude is None else agent_rude[agent_of[i]]
            else:
                p = fcr_up if empowered is not None and empowered[agent_of[i]] else fcr
                rp = rude_p
            ok = u_resolve[i] < p
            resolved_of[i] = ok
            w, pat = wait[i], patience[i]
            if not ok or w > bad_share * pat or (rp > 0.0 and rude_u() < rp):
                r = BAD
            else:
                r = GOOD if w <= good_share * pat else NEUTRAL
            rating_of[i] = r
            pk = peak_of[root]  # the most intense rating so far: the worst once any was bad
            pk = r if pk == NO_RATING or r == BAD else pk if pk == BAD else max(pk, r)
            peak_of[root] = pk
            if not ok and contact[i] < max_contacts and recontact_u() < recontact:
                now = clock.now
                at = repeat_time(now + delay())
                if at < math.inf:
                    fire(at - now, on_repeat, i)
                # else: the repeat would come after the last day; the issue stays open
                done(i)
                return
            if track and customer[i] >= 0:  # the issue ends: remembered by the peak-end rule
                m = wp * pk + we * r
                ended_customer.append(customer[i])
                ended_memory.append(BAD if m <= -0.5 else GOOD if m >= 0.5 else NEUTRAL)
            done(i)

        def failed(i: int, retrying: bool) -> None:
            root = caller[i]
            rating_of[i] = BAD
            peak_of[root] = BAD
            if track and not retrying and customer[i] >= 0:  # peak and end bad: bad
                ended_customer.append(customer[i])
                ended_memory.append(BAD)

        return answered, failed, follow

    def _repeat_time(self, t: float) -> float:
        """``t`` if open then, else a time of the next open day drawn from the profile."""
        tt = self.timetable
        opening = tt.next_open(t)
        if opening == t or opening == math.inf:
            return opening
        day = round((opening - tt.open_s) / DAY_S)
        u = self._u_time.take()
        k = min(
            int(np.searchsorted(self._cum_profile, u, side="right")), len(self._cum_profile) - 1
        )
        lo = self._cum_profile[k - 1] if k > 0 else 0.0
        share = (u - lo) / (self._cum_profile[k] - lo) if self._cum_profile[k] > lo else 0.0
        return tt.opening(day) + (k + share) * tt.interval_s

    # ----------------------------------------------------------------- days
    def end_of_day(self, day: int) -> None:
        """Hand today's ended issues to the population (churn, word of mouth, growth)."""
        if self.population is None:
            return
        customer = np.asarray(self._ended_customer, dtype=np.int64)
        memory = np.asarray(self._ended_memory, dtype=np.int8)
        self._ended_customer.clear()
        self._ended_memory.clear()
        self.population.end_of_day(day, customer, memory)

    def log(self) -> JourneyLog:
        """The per-call columns, as numpy arrays over the journey's buffers."""
        return JourneyLog(
            customer=np.frombuffer(self.customer, dtype=np.int64),
            contact=np.frombuffer(self.contact, dtype=np.uint8),
            resolved=np.frombuffer(self.resolved, dtype=np.int8),
            rating=np.frombuffer(self.rating, dtype=np.int8),
        )
