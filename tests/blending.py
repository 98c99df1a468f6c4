"""The birth-death chain of a blended agent pool: inbound calls first, deferred work
(e-mail, outbound dials) started only when no call waits and more than ``r`` agents
are idle (Gans & Zhou 2003; Bhulai & Koole 2003).

``N`` agents, calls arriving at rate ``lam``, every job exponential of rate ``mu``. With
``I`` idle agents and ``q`` calls waiting, ``n = r - I`` (while ``I > 0``) or ``r + q`` is a
birth-death chain: birth rate ``lam``, death rate ``(N - r + n) mu`` for ``1 <= n <= r`` and
``N mu`` above; from ``n = 0`` every freed agent starts deferred work. A test utility
sharing no code with the engine (tests/queue/test_channels_exact.py and
test_outbound_exact.py derive it in their docstrings).
"""

from __future__ import annotations

import numpy as np


def blending_chain(lam: float, mu: float, n: int, r: int) -> dict[str, float]:
    """P(wait), mean wait of the calls (seconds) and the rate at which deferred work is
    started (per second), from the chain truncated 4,000 states past ``r``."""
    top = r + 4000
    death = np.array([(n - r + j) * mu if j <= r else n * mu for j in range(1, top + 1)])
    log_p = np.concatenate(([0.0], np.cumsum(np.log(lam / death))))
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    states = np.arange(top + 1)
    return {
        "p_wait": float(p[r:].sum()),
        "mean_wait": float((np.maximum(states - r, 0) * p).sum() / lam),
        "deferred_rate": float(p[0] * (n - r) * mu),
    }
