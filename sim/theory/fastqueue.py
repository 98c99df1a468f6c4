"""Fast steady-state KPIs of M/M/n, M/M/n+M and M/M/n+G for the planner's agent searches.

The same formulas as :mod:`sim.theory.analytic` (Erlang C; Baccelli & Hebuterne 1981 and Zeltyn
& Mandelbaum 2005 for M/M/n+G, of which Erlang A is the exponential case), evaluated so
that a search over ``n`` costs little:

* the atoms ``log sum_{j<n} a^j/j! - log a^(n-1)/(n-1)!`` of every ``n`` come from one
  cumulative pass per offered load (:class:`AtomTable`) instead of O(n) work per ``n``;
* the integrals of the offered-wait density ``lambda pi_(n-1) exp(lambda H(x) - n mu x)``
  use fixed composite Gauss-Legendre rules (16 nodes per panel) on panels split at the
  patience law's kinks, the density's peak, the service-level threshold and a geometric
  grid towards 0, instead of adaptive quadrature: one vectorised evaluation of the law.

Agreement with :mod:`sim.theory.analytic` (tests/test_fastqueue.py): service level, abandonment,
ASA and occupancy to about 1e-9 relative from 1 to 20,000 agents, so the agent counts of
the searches are the same. :func:`smallest_meeting` finds the fewest agents meeting a
monotone criterion by galloping from a guess and then bisection: O(log distance)
evaluations instead of one per agent.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

from sim.theory.analytic import PatienceLaw

__all__ = [
    "UNSTABLE",
    "AtomTable",
    "Kpis",
    "MMnGCurve",
    "erlang_c_kpis",
    "mmng_kpis",
    "smallest_meeting",
]

FloatArray = npt.NDArray[np.float64]
_LOG_CUTOFF = -50.0  # as sim.theory.analytic: integrands below exp(-50) of their peak are dropped
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(16)
_PANELS = 48  # uniform panels over the effective support


@dataclass(frozen=True)
class Kpis:
    """Steady-state KPIs of ``n`` agents: shares in [0, 1], ``asa_s`` in seconds.

    ``service_level`` = P(answered within the threshold) over offered calls.
    """

    service_level: float
    abandon_rate: float
    asa_s: float
    occupancy: float


#: KPIs of an unstable queue (load >= agents, nobody abandons): never meets a target.
UNSTABLE = Kpis(0.0, 0.0, math.inf, 1.0)


class AtomTable:
    """``log sum_{j<n} a^j/j! - log(a^(n-1)/(n-1)!)`` for every ``n >= 1``, offered load ``a``.

    One cumulative log-sum pass over ``j``, extended (doubled) when a larger ``n`` is
    asked for; each value is then O(1).
    """

    def __init__(self, load: float) -> None:
        if not (math.isfinite(load) and load > 0):
            raise ValueError(f"load = {load!r}: must be a finite number > 0 (Erlangs)")
        self.load = load
        self._terms = np.empty(0)
        self._cum = np.empty(0)
        self._extend(max(64, 2 * math.ceil(load) + 64))

    def _extend(self, size: int) -> None:
        j = np.arange(size, dtype=float)
        self._terms = j * math.log(self.load) - gammaln(j + 1.0)
        self._cum = np.logaddexp.accumulate(self._terms)

    def log_atoms(self, n: int) -> float:
        """The log-ratio above for ``n`` agents (``n >= 1``)."""
        if n > self._terms.size:
            self._extend(2 * n)
        return float(self._cum[n - 1] - self._terms[n - 1])


def erlang_c_kpis(rate: float, aht_s: float, n: int, t_s: float, atoms: AtomTable) -> Kpis:
    """Erlang C (M/M/n) KPIs of ``n`` agents; :data:`UNSTABLE` when ``rate * aht_s >= n``.

    ``P(wait) = tail / (atoms + tail)`` with ``tail = a/(n - a)`` relative to the
    ``(n-1)``-th term; ``SL(t) = 1 - P(wait) exp(-(n mu - lambda) t)``, ASA
    ``P(wait)/(n mu - lambda)``, occupancy ``a/n`` (Kleinrock 1975, §3).
    """
    a = rate * aht_s
    if a >= n:
        return UNSTABLE
    log_tail = math.log(a / (n - a))
    p_wait = math.exp(log_tail - float(np.logaddexp(atoms.log_atoms(n), log_tail)))
    decay = n / aht_s - rate
    return Kpis(1.0 - p_wait * math.exp(-decay * t_s), 0.0, p_wait / decay, a / n)


def _p_never(law: PatienceLaw) -> float:
    if math.isfinite(law.mean):
        return 0.0
    p = float(law.sf(np.array([math.inf]))[0])
    return p if math.isfinite(p) else float(law.sf(np.array([1e15]))[0])


def _rule(points: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on the panels between ``points``; each node's panel end."""
    edges = np.unique(points)
    lo, hi = edges[:-1], edges[1:]
    half = 0.5 * (hi - lo)
    x = (0.5 * (lo + hi))[:, None] + half[:, None] * _NODES[None, :]
    w = half[:, None] * _WEIGHTS[None, :]
    return x.ravel(), w.ravel(), np.repeat(hi, _NODES.size)


class MMnGCurve:
    """M/M/n+G KPIs of one stationary interval, for any number of agents ``n``.

    ``H`` is tabulated once per interval on a geometric grid (2% apart, from
    ``1e-9 * aht_s``) to place each ``n``'s panels (peak, effective support) without root
    finding; each :meth:`kpis` then costs two vectorised law evaluations on about 1,500
    Gauss-Legendre nodes.
    """

    def __init__(self, rate: float, aht_s: float, law: PatienceLaw, t_s: float,
                 atoms: AtomTable) -> None:  # fmt: skip
        self.rate, self.aht_s, self.law, self.t_s, self.atoms = rate, aht_s, law, t_s, atoms
        self.p_never = _p_never(law)
        self.kinks = np.array([b for b in law.breakpoints if math.isfinite(b)], dtype=float)
        self.grid = np.empty(0)
        self.h_grid = np.empty(0)
        self._table(aht_s * 1e4)

    def _table(self, x_max: float) -> None:
        x0 = self.aht_s * 1e-9
        steps = math.ceil(math.log(x_max / x0) / math.log(1.02)) + 1
        self.grid = np.concatenate(([0.0], x0 * 1.02 ** np.arange(steps)))
        self.h_grid = self.law.truncated_mean(self.grid)

    def kpis(self, n: int) -> Kpis:
        """KPIs of ``n`` agents; :data:`UNSTABLE` when ``rate * P(tau = inf) * aht_s >= n``."""
        lam, nmu = self.rate, n / self.aht_s
        if lam * self.p_never >= nmu:
            return UNSTABLE
        while True:
            phi = lam * self.h_grid - nmu * self.grid
            k_star = int(np.argmax(phi))
            above = np.nonzero(phi >= phi[k_star] + _LOG_CUTOFF)[0]
            if above[-1] < self.grid.size - 1:
                break
            self._table(float(self.grid[-1]) * 8.0)  # the support reaches past the table
        x_star = float(self.grid[k_star])
        x_end = float(self.grid[above[-1] + 1])
        x_lo = float(self.grid[above[0] - 1]) if above[0] > 0 else 0.0
        geometric = x_end / 8.0 ** np.arange(1, 18)
        points = [
            np.linspace(x_lo, x_end, _PANELS + 1),
            np.array([x_star]),
            self.kinks[(self.kinks > x_lo) & (self.kinks < x_end)],
            geometric[geometric > x_lo],
        ]
        if x_lo < self.t_s < x_end:
            points.append(np.array([self.t_s]))
        x, w, ends = _rule(np.concatenate(points))
        phi_x = lam * self.law.truncated_mean(x) - nmu * x
        phi_max = float(max(phi_x.max(), phi[k_star]))
        e = np.exp(phi_x - phi_max) * w
        sf = self.law.sf(x)
        total = float(e.sum())
        answered = float(e @ sf)
        log_atoms = self.atoms.log_atoms(n)
        log_coef = math.log(lam) + phi_max
        log_norm = float(np.logaddexp(log_atoms, log_coef + math.log(total)))
        p0, coef = math.exp(log_atoms - log_norm), math.exp(log_coef - log_norm)
        p_answered = min(1.0, p0 + coef * answered)
        if self.t_s >= x_end:
            within = answered
        else:
            inside = ends <= self.t_s + 1e-12 * x_end
            within = float(e[inside] @ sf[inside])
        asa = coef * float(e @ (x * sf)) / p_answered
        p_abandon = min(1.0, max(0.0, coef * float(e @ (1.0 - sf))))
        sl = min(1.0, max(0.0, p0 + coef * within))
        return Kpis(sl, p_abandon, asa, min(1.0, max(0.0, lam * p_answered * self.aht_s / n)))


def mmng_kpis(
    rate: float, aht_s: float, n: int, law: PatienceLaw, t_s: float, atoms: AtomTable
) -> Kpis:
    """M/M/n+G KPIs of ``n`` agents with patience ``law`` (Erlang A when exponential).

    The offered wait V has the atom ``P(V = 0) = sum_{j<n} pi_j`` and the density
    ``lambda pi_(n-1) exp(lambda H(x) - n mu x)`` on ``x > 0``, ``H(x) = E[min(tau, x)]``;
    a call is answered iff ``tau >= V`` (Baccelli & Hebuterne 1981; Zeltyn & Mandelbaum
    2005). :data:`UNSTABLE` when ``rate * P(tau = inf) * aht_s >= n``. For many ``n`` of
    one interval use :class:`MMnGCurve`.
    """
    return MMnGCurve(rate, aht_s, law, t_s, atoms).kpis(n)


def smallest_meeting(meets: Callable[[int], bool], lowest: int, guess: int) -> int:
    """Fewest ``n >= lowest`` with ``meets(n)``, for ``meets`` false then true as n grows.

    Gallops from ``guess`` (steps 1, 2, 4, ... down while it meets, up while it does not)
    to a bracket, then bisects: about ``2 log2(|answer - guess|)`` evaluations. The
    answer is the one a one-agent-at-a-time search from ``lowest`` finds.
    """
    n = max(lowest, guess)
    if meets(n):
        good, step = n, 1
        while good > lowest:
            cand = max(lowest, good - step)
            if not meets(cand):
                bad = cand
                break
            good, step = cand, 2 * step
        else:
            return good
    else:
        bad, step = n, 1
        while True:
            cand = bad + step
            if meets(cand):
                good = cand
                break
            bad, step = cand, 2 * step
    while good - bad > 1:
        mid = (good + bad) // 2
        if meets(mid):
            good = mid
        else:
            bad = mid
    return good
