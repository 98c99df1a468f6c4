"""Redials: callers who abandoned or were blocked and call again later (same issue)."""

from __future__ import annotations

from sim.core.rng import BlockDraws, Streams
from sim.laws.distributions import Distribution

__all__ = ["RedialPolicy"]


class RedialPolicy:
    """Decides whether an abandoned or blocked caller calls again, and when.

    Redials draw from their own streams so that they never shift the draws of fresh
    calls (common random numbers across staffing scenarios).
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
    ) -> None:
        self.probability = probability
        self.blocked_probability = blocked_probability
        self.max_attempts = max_attempts
        self._u = BlockDraws(lambda rng, n: rng.random(n), streams["redial_decision"])
        self._delay = BlockDraws(delay.sample, streams["redial_delay"])
        self._patience = BlockDraws(patience.sample, streams["redial_patience"])
        self._talk = BlockDraws(talk.sample, streams["redial_talk"])
        self._acw = BlockDraws(acw.sample, streams["redial_acw"])

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

    def attempt_draws(self) -> tuple[float, float]:
        """Patience and handle time of a redial attempt, seconds."""
        return self._patience.take(), self._talk.take() + self._acw.take()
