"""Word of mouth: who tells others about an issue, and how many people hear it.

After an issue ends with a bad memory (-1) the customer tells others with probability
``tell_bad``; after a good one (+1) with probability ``tell_good``; a neutral memory (0)
is never told. A teller tells ``N`` people, ``N`` geometric on ``{1, 2, ...}`` with
mean ``listeners_bad_mean`` (bad) or ``listeners_good_mean`` (good).

**Reading of the HBR figures (seed 004).** 65% of customers are likely to speak
negatively and 25% positively; "48% of those with a negative experience told 10 or
more others, 23% with a positive one". We read 48% and 23% as shares *of those who
tell*: ``P(N >= 10) = (1 - 1/mean) ** 9`` then gives mean 12.77 (bad) and 6.64 (good),
see :func:`geometric_mean_for_tail`. The other reading, shares of *all* customers,
would give ``P(N >= 10 | told) = 0.48 / 0.65 = 0.74`` for bad news but
``0.23 / 0.25 = 0.92`` for good news: good news told to more people than bad, which
contradicts the 2014 study's 21 vs 8 (seed 000). The 2014 study itself is the
alternative parameter set: tell 0.60 / 0.46, mean listeners 21 / 8.

**Retelling.** Each listener of a bad story passes it on once with probability
``retell_bad`` to a fresh geometric number of listeners (same mean); one generation
only (likewise good, ``retell_good``). Anger spreads fastest (Weibo study, seed 000).

The module only counts messages; the caller (:class:`sim.customers.population.Population`) draws
who hears them. All draws come from the generator passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.core.bernoulli import geometric
from sim.core.schema import WordOfMouthConfig

__all__ = ["Told", "WordOfMouth", "geometric_mean_for_tail"]


def geometric_mean_for_tail(share: float, at_least: int = 10) -> float:
    """Mean of the geometric law on ``{1, 2, ...}`` with ``P(N >= at_least) = share``.

    ``P(N >= n) = (1 - 1/mean) ** (n - 1)``, so ``mean = 1 / (1 - share ** (1/(n-1)))``:
    12.77 for share 0.48 and 6.64 for share 0.23 (HBR, seed 004).
    """
    if not 0.0 < share < 1.0 or at_least < 2:
        raise ValueError(f"need 0 < share < 1 and at_least >= 2, got {share}, {at_least}")
    return 1.0 / (1.0 - share ** (1.0 / (at_least - 1)))


@dataclass(frozen=True)
class Told:
    """What the issues of one day set going (arrays are per issue, in input order)."""

    tellers_bad: npt.NDArray[np.bool_]  # the customer tells a bad story
    tellers_good: npt.NDArray[np.bool_]  # the customer tells a good story
    listeners_bad: npt.NDArray[np.int64]  # first-hand listeners of each bad story (0: untold)
    listeners_good: npt.NDArray[np.int64]  # first-hand listeners of each good story
    retold_bad: int  # listeners of retold bad stories (second generation), total
    retold_good: int  # listeners of retold good stories, total

    @property
    def messages_bad(self) -> int:
        """Bad messages heard in all, retold ones included."""
        return int(self.listeners_bad.sum()) + self.retold_bad

    @property
    def messages_good(self) -> int:
        """Good messages heard in all, retold ones included."""
        return int(self.listeners_good.sum()) + self.retold_good


@dataclass(frozen=True)
class WordOfMouth:
    """Telling probabilities and listener-count laws (see the module docstring)."""

    tell_bad: float = 0.65  # P(tell after a bad issue); HBR via seed 004
    tell_good: float = 0.25  # P(tell after a good issue); HBR via seed 004
    listeners_bad_mean: float = 12.77  # mean listeners per bad teller, >= 1
    listeners_good_mean: float = 6.64  # mean listeners per good teller, >= 1
    retell_bad: float = 0.0  # P(a listener of a bad story retells it once)
    retell_good: float = 0.0  # P(a listener of a good story retells it once)

    def __post_init__(self) -> None:
        for name in ("tell_bad", "tell_good", "retell_bad", "retell_good"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"word of mouth {name} must be in [0, 1], got {value}")
        for name in ("listeners_bad_mean", "listeners_good_mean"):
            value = getattr(self, name)
            if not value >= 1.0:
                raise ValueError(f"word of mouth {name} must be >= 1, got {value}")

    @classmethod
    def from_config(cls, cfg: WordOfMouthConfig) -> WordOfMouth:
        """The word-of-mouth law of a :class:`~sim.core.schema.WordOfMouthConfig`."""
        return cls(
            tell_bad=cfg.tell_bad,
            tell_good=cfg.tell_good,
            listeners_bad_mean=cfg.listeners_bad_mean,
            listeners_good_mean=cfg.listeners_good_mean,
            retell_bad=cfg.retell_bad,
            retell_good=cfg.retell_good,
        )

    def tell(self, memory: npt.ArrayLike, rng: np.random.Generator) -> Told:
        """Tellers and listener counts of issues remembered as ``memory`` (-1, 0, +1).

        Draw order (fixed, for reproducibility): one uniform per issue (whatever its
        memory, so the decisions of an issue do not depend on the others'), the bad
        tellers' listener counts, the good tellers', then bad and good retelling.
        """
        mem = np.asarray(memory)
        u = rng.random(mem.size)
        tellers_bad = (mem == -1) & (u < self.tell_bad)
        tellers_good = (mem == 1) & (u < self.tell_good)
        listeners_bad = self._listeners(tellers_bad, self.listeners_bad_mean, rng)
        listeners_good = self._listeners(tellers_good, self.listeners_good_mean, rng)
        retold_bad = self._retold(
            int(listeners_bad.sum()), self.retell_bad, self.listeners_bad_mean, rng
        )
        retold_good = self._retold(
            int(listeners_good.sum()), self.retell_good, self.listeners_good_mean, rng
        )
        return Told(
            tellers_bad, tellers_good, listeners_bad, listeners_good, retold_bad, retold_good
        )

    @staticmethod
    def _listeners(
        tellers: npt.NDArray[np.bool_], mean: float, rng: np.random.Generator
    ) -> npt.NDArray[np.int64]:
        """Geometric listener counts (mean ``mean``) for the tellers, 0 elsewhere."""
        out = np.zeros(tellers.size, dtype=np.int64)
        n = int(tellers.sum())
        if n:
            out[tellers] = geometric(rng, 1.0 / mean, n)  # = rng.geometric, faster
        return out

    @staticmethod
    def _retold(listeners: int, retell: float, mean: float, rng: np.random.Generator) -> int:
        """Second-generation listeners: each of ``listeners`` retells w.p. ``retell``."""
        if listeners == 0 or retell == 0.0:
            return 0
        retellers = int(rng.binomial(listeners, retell))
        if retellers == 0:
            return 0
        return int(geometric(rng, 1.0 / mean, retellers).sum())
