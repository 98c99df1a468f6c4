"""Sparse Bernoulli trials: the successes of many rare trials, at the cost of the successes.

``n`` independent Bernoulli(``p``) trials (one per person of a market, say) succeed at
positions whose gaps are independent geometric variables on ``{1, 2, ...}`` with
parameter ``p``: the first success is at position ``G1 - 1``, the next ``G2`` later, and
so on. Drawing the gaps costs ``O(n p)`` random numbers instead of ``n``, with exactly
the same law of the set of successes. Used by the daily population step
(:mod:`sim.customers`) for background churn and acquisition candidates.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["DENSE_P", "bernoulli_successes"]

#: From this success probability on, one uniform per trial is cheaper than the gaps.
DENSE_P = 0.05
_BLOCK = 1 << 20  # trials per block of the dense path (bounds the temporaries)


def bernoulli_successes(rng: np.random.Generator, n: int, p: float) -> npt.NDArray[np.int64]:
    """Positions (ascending, in ``[0, n)``) of the successes of ``n`` i.i.d.
    Bernoulli(``p``) trials.

    Below :data:`DENSE_P` the gaps between successes are drawn (geometric law, about
    ``n p + 4 sqrt(n p)`` variates); from it on, one uniform per trial, in blocks.
    Raises ``ValueError`` unless ``n >= 0`` and ``0 <= p <= 1``.
    """
    if n < 0 or not 0.0 <= p <= 1.0:
        raise ValueError(f"need n >= 0 and 0 <= p <= 1, got n={n}, p={p}")
    if n == 0 or p == 0.0:
        return np.empty(0, dtype=np.int64)
    if p >= DENSE_P:
        parts = [
            lo + np.flatnonzero(rng.random(min(_BLOCK, n - lo)) < p) for lo in range(0, n, _BLOCK)
        ]
        return np.concatenate(parts).astype(np.int64, copy=False)
    parts = []
    last = -1  # position of the last success so far
    mean = n * p
    size = int(mean + 4.0 * math.sqrt(mean) + 16.0)
    while True:
        pos = last + np.cumsum(rng.geometric(p, size=size), dtype=np.int64)
        if pos[-1] >= n:
            parts.append(pos[: np.searchsorted(pos, n)])
            break
        parts.append(pos)
        last = int(pos[-1])
        rest = (n - 1 - last) * p
        size = int(rest + 4.0 * math.sqrt(rest) + 16.0)
    return np.concatenate(parts)
