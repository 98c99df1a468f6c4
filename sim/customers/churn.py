"""Customers leaving after bad experiences (PwC, seed 003) and for other reasons.

A customer who has just lived their ``k``-th bad experience (``k >= 1``) leaves with
probability ``h(k)``, the *hazard* of the ``k``-th bad experience. Two shapes:

``escalating`` (default) meets both PwC figures, 17% leave after one bad experience
and 59% are gone after "several" (``several = 3``)::

    h(1) = after_one
    h(k) = 1 - ((1 - after_several) / (1 - after_one)) ** (1 / (several - 1)),  k >= 2

so that ``1 - prod_{i <= several} (1 - h(i)) = after_several`` exactly. With the PwC
figures ``h(k >= 2) = 1 - (0.41 / 0.83) ** 0.5 = 0.297``: each bad experience after
the first is more likely to be the last straw.

``constant`` uses ``h(k) = after_one`` for every ``k``. It meets the after-one target
only: the implied share gone after 3 bad experiences is ``1 - 0.83 ** 3 = 0.428``, not
0.59 (a constant hazard of 0.17 reaches 59% only after
``ln(0.41) / ln(0.83) = 4.79`` bad experiences).

Background churn (reasons unrelated to service) is a constant daily hazard derived from
the yearly share ``background_per_year``. Time unit: days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.core.schema import ChurnConfig

__all__ = ["SHAPES", "ChurnLaw"]

SHAPES = ("escalating", "constant")  #: the hazard shapes ChurnLaw knows


@dataclass(frozen=True)
class ChurnLaw:
    """P(leave) at each bad experience, and the daily background hazard."""

    after_one: float = 0.17  # P(leave at the first bad experience)
    after_several: float = 0.59  # P(gone after `several` bad experiences), escalating only
    several: int = 3  # how many bad experiences "several" means
    shape: str = "escalating"  # escalating | constant
    background_per_year: float = 0.10  # share leaving per year for other reasons

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"churn shape must be one of {SHAPES}, got {self.shape!r}")
        for name in ("after_one", "after_several", "background_per_year"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"churn {name} must be in [0, 1], got {value}")
        if self.shape == "escalating":
            if self.several < 2:
                raise ValueError(f"escalating churn needs several >= 2, got {self.several}")
            if self.after_several < self.after_one:
                raise ValueError(
                    "escalating churn needs after_several >= after_one, got "
                    f"{self.after_several} < {self.after_one}"
                )

    @classmethod
    def from_config(cls, cfg: ChurnConfig) -> ChurnLaw:
        """The law of a :class:`~sim.core.schema.ChurnConfig`."""
        return cls(
            after_one=cfg.after_one,
            after_several=cfg.after_several,
            several=cfg.several,
            shape=cfg.shape,
            background_per_year=cfg.background_per_year,
        )

    @property
    def later_hazard(self) -> float:
        """``h(k)`` for ``k >= 2`` (the same for every later bad experience)."""
        if self.shape == "constant":
            return self.after_one
        if self.after_one >= 1.0:
            return 1.0  # everybody left at the first one; h(k >= 2) never matters
        ratio = (1.0 - self.after_several) / (1.0 - self.after_one)
        return 1.0 - ratio ** (1.0 / (self.several - 1))

    def hazard(self, k: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """P(leave at the ``k``-th bad experience), for integer ``k >= 1`` (array)."""
        ks = np.asarray(k)
        if ks.size and int(ks.min()) < 1:
            raise ValueError("bad-experience ranks k must be >= 1")
        return np.where(ks == 1, self.after_one, self.later_hazard).astype(np.float64)

    def p_gone_after(self, k: int) -> float:
        """P(gone after ``k`` bad experiences) = ``1 - prod_{i<=k} (1 - h(i))``."""
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        if k == 0:
            return 0.0
        return float(1.0 - np.prod(1.0 - self.hazard(np.arange(1, k + 1))))

    @property
    def background_daily(self) -> float:
        """Daily background hazard: ``1 - (1 - background_per_year) ** (1 / 365)``."""
        return 1.0 - (1.0 - self.background_per_year) ** (1.0 / 365.0)

    @property
    def constant_several(self) -> float:
        """Bad experiences a constant ``after_one`` hazard needs to reach ``after_several``.

        ``ln(1 - after_several) / ln(1 - after_one)``: 4.79 for the PwC figures. Shown in
        docs to explain why the ``constant`` shape misses the 59% after 3.
        """
        if self.after_one <= 0.0 or self.after_several >= 1.0:
            return math.inf
        if self.after_one >= 1.0:
            return 1.0
        return math.log(1.0 - self.after_several) / math.log(1.0 - self.after_one)
