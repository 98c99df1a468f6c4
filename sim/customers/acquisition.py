"""Prospects becoming customers: a Bass rule modulated by word of mouth.

Each day, prospect ``i`` adopts with probability::

    min(1, (p + q * A / M) * exp(positive_effect * pos_i - negative_effect * neg_i))

where ``p = innovation_per_year / 365`` and ``q = imitation_per_year / 365`` are daily
rates, ``A`` is the number of active customers, ``M`` the market size (customers,
prospects and lost customers) and ``pos_i`` / ``neg_i`` the (decaying) positive and
negative messages prospect ``i`` holds. With no messages the expected adopters per day
follow the Bass difference equation ``N(t+1) = N(t) + (p + q N/M) (M - N)`` (as long
as nobody leaves). Defaults p = 0.03, q = 0.38 per year: Sultan, Farley & Lehmann
(1990) meta-analysis averages. Time unit: days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.core.schema import AcquisitionConfig

__all__ = ["BassAdoption"]


@dataclass(frozen=True)
class BassAdoption:
    """Daily Bass adoption probabilities with word-of-mouth multipliers."""

    p_daily: float  # innovation rate, per day
    q_daily: float  # imitation rate, per day
    positive_effect: float = 0.0  # log-multiplier per positive message held
    negative_effect: float = 0.0  # log-divisor per negative message held

    def __post_init__(self) -> None:
        if self.p_daily < 0 or self.q_daily < 0:
            raise ValueError(f"Bass rates must be >= 0, got p={self.p_daily}, q={self.q_daily}")

    @classmethod
    def from_config(cls, cfg: AcquisitionConfig) -> BassAdoption:
        """The rule of an :class:`~sim.core.schema.AcquisitionConfig` (yearly rates / 365)."""
        return cls(
            p_daily=cfg.innovation_per_year / 365.0,
            q_daily=cfg.imitation_per_year / 365.0,
            positive_effect=cfg.positive_effect,
            negative_effect=cfg.negative_effect,
        )

    @property
    def inactive(self) -> bool:
        """True when nobody can ever adopt (p = q = 0)."""
        return self.p_daily == 0.0 and self.q_daily == 0.0

    def base_rate(self, n_active: int, market_size: int) -> float:
        """``p + q * A / M``: the daily adoption hazard of a prospect with no messages."""
        if market_size <= 0:
            raise ValueError(f"market size must be >= 1, got {market_size}")
        return self.p_daily + self.q_daily * n_active / market_size

    def probability(
        self,
        n_active: int,
        market_size: int,
        pos: npt.ArrayLike,
        neg: npt.ArrayLike,
    ) -> npt.NDArray[np.float64]:
        """P(adopt today) of prospects holding ``pos`` / ``neg`` messages (arrays)."""
        base = self.base_rate(n_active, market_size)
        pos_a = np.asarray(pos, dtype=np.float64)
        neg_a = np.asarray(neg, dtype=np.float64)
        log_mult = self.positive_effect * pos_a - self.negative_effect * neg_a
        return np.minimum(1.0, base * np.exp(log_mult))

    def adopt(
        self,
        n_active: int,
        market_size: int,
        pos: npt.ArrayLike,
        neg: npt.ArrayLike,
        u: npt.ArrayLike,
    ) -> npt.NDArray[np.bool_]:
        """Which prospects adopt, given one uniform ``u`` on [0, 1) per prospect.

        Taking the uniforms from the caller lets it align them with person ids, so two
        scenarios with the same seed share random numbers (a prospect who adopts with
        fewer positive messages also adopts with more).
        """
        return np.asarray(u) < self.probability(n_active, market_size, pos, neg)
