"""Redials: callers who abandoned or were blocked and call again later (same issue)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sim.core.rng import BlockDraws, Streams, stream_of
from sim.laws.distributions import Distribution

__all__ = ["RedialPolicy"]


class RedialPolicy:
    """Decides whether an abandoned or blocked caller calls again, and when.

    Redials draw from their own streams so that they never shift the draws of fresh
    calls (common random numbers across staffing scenarios). ``kinds``: with several
    call types, ``(name, patience, talk, acw)`` of each; a redial keeps its call's type
    and draws from that type's laws and streams (``redial_patience/<type>``, ...); so
    does a repeat contact (:meth:`repeat_draws`, ``repeat_patience/<type>``, ...).
    """

    def __init__(
        self,
        probability: float,
        blocked_probability: float,
        max_attempts: int,
        delay: Distribution,
        patience: Distribution,
        talk: Distribution,
        acw: Distribution,
        streams: Streams,
        kinds: Sequence[tuple[str, Distribution, Distribution, Distribution]] = (),
    ) -> None:
        self.probability = probability
        self.blocked_probability = blocked_probability
        self.max_attempts = max_attempts
        self._u = BlockDraws(lambda rng, n: rng.random(n), streams["redial_decision"])
        self._delay = BlockDraws(delay.sample, streams["redial_delay"])
        self._patience = BlockDraws(patience.sample, streams["redial_patience"])
        self._talk = BlockDraws(talk.sample, streams["redial_talk"])
        self._acw = BlockDraws(acw.sample, streams["redial_acw"])
        self._kinds = [self._draws(k, streams, "redial") for k in kinds] if len(kinds) > 1 else []
        self._repeats = [self._draws(k, streams, "repeat") for k in kinds] if len(kinds) > 1 else []
        #: whether attempts draw from their call type's laws (several types)
        self.typed = bool(self._kinds)

    @staticmethod
    def _draws(
        kind: tuple[str, Distribution, Distribution, Distribution], streams: Streams, what: str
    ) -> tuple[BlockDraws, BlockDraws, BlockDraws]:
        """Patience, talk and acw draws of one call type's redials or repeat contacts
        (``what``), from its streams (``redial_patience/<type>``, ...)."""
        name, patience, talk, acw = kind
        return (
            BlockDraws(patience.sample, streams[stream_of(f"{what}_patience", name)]),
            BlockDraws(talk.sample, streams[stream_of(f"{what}_talk", name)]),
            BlockDraws(acw.sample, streams[stream_of(f"{what}_acw", name)]),
        )

    @property
    def active(self) -> bool:
        """False when no caller ever redials."""
        return self.max_attempts > 1 and (self.probability > 0 or self.blocked_probability > 0)

    def delay_after(self, attempt: int, blocked: bool) -> float | None:
        """Seconds until the next attempt, or None if the caller gives up."""
        if attempt >= self.max_attempts:
            return None
        p = self.blocked_probability if blocked else self.probability
        if p <= 0 or self._u.take() >= p:
            return None
        return self._delay.take()

    def decider(self) -> Callable[[int, bool], float | None]:
        """:meth:`delay_after` as a closure over locals, the same draws (the engine calls
        it for every attempt that did not reach an agent)."""
        max_attempts, p_abandoned, p_blocked = (
            self.max_attempts, self.probability, self.blocked_probability
        )  # fmt: skip
        u_buf, u_take = self._u.buffer, self._u.take
        delay_buf, delay_take = self._delay.buffer, self._delay.take

        def delay_after(attempt: int, blocked: bool) -> float | None:
            if attempt >= max_attempts:
                return None
            p = p_blocked if blocked else p_abandoned
            if p <= 0 or (u_buf.pop() if u_buf else u_take()) >= p:
                return None
            return delay_buf.pop() if delay_buf else delay_take()

        return delay_after

    def drawer(self) -> Callable[[int], tuple[float, float]]:
        """:meth:`attempt_draws` as a closure over locals with one call type (else the
        method itself), the same draws."""
        if self._kinds:
            return self.attempt_draws
        (p_buf, p_take), (t_buf, t_take), (a_buf, a_take) = (
            (d.buffer, d.take) for d in (self._patience, self._talk, self._acw)
        )

        def attempt_draws(kind: int = 0) -> tuple[float, float]:
            patience = p_buf.pop() if p_buf else p_take()
            talk = t_buf.pop() if t_buf else t_take()
            return patience, talk + (a_buf.pop() if a_buf else a_take())

        return attempt_draws

    def attempt_draws(self, kind: int = 0) -> tuple[float, float]:
        """Patience and handle time of a redial attempt of call type ``kind``, seconds."""
        if not self._kinds:
            return self._patience.take(), self._talk.take() + self._acw.take()
        pat, talk, acw = self._kinds[kind]
        return pat.take(), talk.take() + acw.take()

    def repeat_draws(self, kind: int) -> tuple[float, float]:
        """Patience and handle time of a repeat contact of call type ``kind`` (several
        types only, :attr:`typed`), seconds, from its ``repeat_*/<type>`` streams."""
        pat, talk, acw = self._repeats[kind]
        return pat.take(), talk.take() + acw.take()
