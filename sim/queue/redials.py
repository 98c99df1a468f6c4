"""Redials: callers who abandoned or were blocked and call again later (same issue)."""

from __future__ import annotations

from collections.abc import Sequence

from sim.core.rng import BlockDraws, Streams, stream_of
from sim.laws.distributions import Distribution

__all__ = ["RedialPolicy"]


class RedialPolicy:
    """Decides whether an abandoned or blocked caller calls again, and when.

    Redials draw from their own streams so that they never shift the draws of fresh
    calls (common random numbers across staffing scenarios). ``kinds``: with several
    call types, ``(name, patience, talk, acw)`` of each; a redial keeps its call's type
    and draws from that type's laws and streams (``redial_patience/<type>``, ...).
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
        self._kinds = [
            tuple(BlockDraws(law.sample, streams[stream_of(base, name)])
                  for law, base in ((pat, "redial_patience"), (tk, "redial_talk"),
                                    (ac, "redial_acw")))  # fmt: skip
            for name, pat, tk, ac in (kinds if len(kinds) > 1 else ())
        ]

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

    def attempt_draws(self, kind: int = 0) -> tuple[float, float]:
        """Patience and handle time of a redial attempt of call type ``kind``, seconds."""
        if not self._kinds:
            return self._patience.take(), self._talk.take() + self._acw.take()
        pat, talk, acw = self._kinds[kind]
        return pat.take(), talk.take() + acw.take()
