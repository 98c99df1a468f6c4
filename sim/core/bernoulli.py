"""Sparse Bernoulli trials: the successes of many rare trials, at the cost of the successes.

``n`` independent Bernoulli(``p``) trials (one per person of a market, say) succeed at
positions whose gaps are independent geometric variables on ``{1, 2, ...}`` with
parameter ``p``: the first success is at position ``G1 - 1``, the next ``G2`` later, and
so on. Drawing the gaps costs ``O(n p)`` random numbers instead of ``n``, with exactly
the same law of the set of successes. Used by the daily population step
(:mod:`sim.customers`) for background churn and acquisition candidates.

:func:`geometric` draws the same variates as ``Generator.geometric`` at about half the
cost (numpy draws ``p < 1/3`` by inverting one standard exponential per variate, and
takes ``log1p(-p)`` anew for each; here the inversion is vectorised).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["DENSE_P", "bernoulli_successes", "geometric"]

#: From this success probability on, one uniform per trial is cheaper than the gaps.
DENSE_P = 0.05
_BLOCK = 1 << 20  # trials per block of the dense path (bounds the temporaries)
_INVERSION_BELOW = 1.0 / 3.0  # numpy's geometric inverts an exponential below this p
_INT64_OVER = 9.223372036854776e18  # the least double above INT64_MAX (numpy's cap)


def geometric(rng: np.random.Generator, p: float, size: int) -> npt.NDArray[np.int64]:
    """``size`` geometric variates on ``{1, 2, ...}`` with success probability ``p``:
    the very numbers (and generator state after) of ``rng.geometric(p, size)``.

    Below ``p = 1/3`` numpy draws ``ceil(-E / log1p(-p))`` with ``E`` standard
    exponential, one ``E`` per variate in order; this does the same on arrays (about
    twice as fast at the sizes of the daily population step). From ``1/3`` on, or for
    ``p`` outside ``(0, 1/3)``, it calls ``rng.geometric`` (its search method and its
    errors). Tested equal to ``rng.geometric`` (tests/customers/test_population_sparse.py).
    """
    if not 0.0 < p < _INVERSION_BELOW:
        return rng.geometric(p, size=size)
    z = rng.standard_exponential(size)
    np.divide(z, -math.log1p(-p), out=z)
    np.ceil(z, out=z)
    if z.size and float(z.max()) >= _INT64_OVER:  # numpy returns INT64_MAX from there on
        big = z >= _INT64_OVER
        z[big] = 0.0
        out = z.astype(np.int64)
        out[big] = np.iinfo(np.int64).max
        return out
    return z.astype(np.int64)


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
        pos = last + np.cumsum(geometric(rng, p, size), dtype=np.int64)
        if pos[-1] >= n:
            parts.append(pos[: np.searchsorted(pos, n)])
            break
        parts.append(pos)
        last = int(pos[-1])
        rest = (n - 1 - last) * p
        size = int(rest + 4.0 * math.sqrt(rest) + 16.0)
    return np.concatenate(parts)
