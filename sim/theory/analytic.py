"""Exact queueing formulas: the oracle the simulator is validated against.

Units: times in seconds, rates per second, offered load ``a = arrival_rate * mean_handle_s``
in Erlangs.  All state probabilities are handled as log-ratios of consecutive terms (no
factorials, no overflow), so the formulas hold from 1 to many thousands of agents.

References
----------
* A. K. Erlang (1917); Erlang B/C as in L. Kleinrock, *Queueing Systems* Vol. 1 (1975), §3.
* F. Baccelli & G. Hebuterne (1981), "On queues with impatient customers", Performance '81.
* S. Zeltyn & A. Mandelbaum (2005), "Call centers with impatient customers: many-server
  asymptotics of the M/M/n+G queue", Queueing Systems 51:361-402.
* O. Garnett, A. Mandelbaum & M. Reiman (2002), "Designing a call center with impatient
  customers", M&SOM 4(3):208-227 (Erlang A, M/M/n+M).
* S. Halfin & W. Whitt (1981), "Heavy-traffic limits for queues with many exponential
  servers", Operations Research 29(3):567-588.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import log_ndtr, logsumexp

__all__ = [
    "ErlangCResult",
    "MMnGResult",
    "PatienceLaw",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_agents",
    "halfin_whitt_beta",
    "mmng",
    "sqrt_staffing",
]

FloatArray = npt.NDArray[np.float64]
_LOG_CUTOFF = -50.0  # integrands below exp(-50) ~ 2e-22 of their peak are dropped
_EPSREL = 1e-11


class PatienceLaw(Protocol):
    """Law of the patience tau (seconds) as needed by :func:`mmng`.

    ``cdf(x)`` = P(tau <= x) (``cdf(0)`` is the atom at zero), ``sf(x)`` = P(tau > x),
    ``truncated_mean(x)`` = H(x) = E[min(tau, x)] = integral_0^x sf(u) du, ``breakpoints`` the
    finite points > 0 where sf jumps or kinks, ``mean`` = E[tau] (``inf`` if tau may be inf).
    """

    @property
    def breakpoints(self) -> tuple[float, ...]: ...

    @property
    def mean(self) -> float: ...

    def cdf(self, x: FloatArray) -> FloatArray: ...

    def sf(self, x: FloatArray) -> FloatArray: ...

    def truncated_mean(self, x: FloatArray) -> FloatArray: ...


# ----------------------------------------------------------------------------- validation
def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}={value!r} is not allowed: must be a finite number > 0")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name}={value!r} is not allowed: must be a finite number > 0")
    return float(value)


def _agents(agents: int) -> int:
    if isinstance(agents, bool) or not isinstance(agents, (int, np.integer)) or agents < 1:
        raise ValueError(f"agents={agents!r} is not allowed: must be an integer >= 1")
    return int(agents)


def _time(name: str, value: float) -> float:
    if not (isinstance(value, (int, float, np.integer, np.floating)) and value >= 0):
        raise ValueError(f"{name}={value!r} is not allowed: must be a number >= 0 (seconds)")
    return float(value)


def _probability(name: str, value: float) -> float:
    if not (isinstance(value, (int, float, np.integer, np.floating)) and 0 < value < 1):
        raise ValueError(f"{name}={value!r} is not allowed: must lie strictly between 0 and 1")
    return float(value)


def _log_ratios(n: int, a: float) -> FloatArray:
    """r_j = log[(a^j/j!) / (a^n/n!)] for j = 0..n, via r_{j-1} = r_j + log(j/a)."""
    steps = np.log(np.arange(n, 0, -1, dtype=float) / a)  # log(n/a), ..., log(1/a)
    return np.concatenate((np.cumsum(steps)[::-1], [0.0]))


# ----------------------------------------------------------------------------- Erlang B / C
def erlang_b(agents: int, offered_load: float) -> float:
    """Erlang B blocking probability of M/M/n/n (Erlang 1917).

    ``B(n, a) = (a^n/n!) / sum_{j<=n} a^j/j!``, evaluated as ``1/sum exp(r_j)`` with
    log-ratios ``r_j`` (equivalent to the stable recursion B_k = a B_{k-1} / (k + a B_{k-1})).
    ``offered_load`` in Erlangs.
    """
    n, a = _agents(agents), _positive("offered_load", offered_load)
    return float(np.exp(-logsumexp(_log_ratios(n, a))))


def _inputs(arrival_rate: float, mean_handle_s: float, agents: int) -> tuple[float, float, int]:
    return (
        _positive("arrival_rate", arrival_rate),
        _positive("mean_handle_s", mean_handle_s),
        _agents(agents),
    )


def _stable_load(
    arrival_rate: float, mean_handle_s: float, agents: int
) -> tuple[float, float, int]:
    lam, h, n = _inputs(arrival_rate, mean_handle_s, agents)
    if lam * h >= n:
        raise ValueError(
            f"unstable: offered load arrival_rate*mean_handle_s={lam * h!r} Erlangs "
            f"must be < agents={n} for a queue without abandonment"
        )
    return lam, h, n


@dataclass(frozen=True)
class ErlangCResult:
    """Steady state of M/M/n (Erlang C); times in seconds.

    ``p_wait`` = P(all agents busy at arrival), ``asa_s`` = mean wait of answered calls (all
    calls are answered, so equals ``mean_wait_s``), ``occupancy`` = a/n, ``mean_queue`` =
    mean number waiting (Little).
    """

    arrival_rate: float
    mean_handle_s: float
    agents: int
    p_wait: float
    asa_s: float
    mean_wait_s: float
    occupancy: float
    mean_queue: float

    def service_level(self, t_s: float) -> float:
        """P(W <= t) = 1 - C exp(-(n mu - lambda) t), t in seconds (Kleinrock 1975)."""
        t = _time("t_s", t_s)
        decay = self.agents / self.mean_handle_s - self.arrival_rate
        return 1.0 - self.p_wait * math.exp(-decay * t)


def erlang_c(arrival_rate: float, mean_handle_s: float, agents: int) -> ErlangCResult:
    """Erlang C (M/M/n, infinite patience); requires a = lambda/mu < n, else ValueError.

    ``C = (a^n/n! * n/(n-a)) / (sum_{j<n} a^j/j! + a^n/n! * n/(n-a))``, mean wait
    ``C / (n mu - lambda)`` (Erlang 1917; Kleinrock 1975, eq. 3.40).
    """
    lam, h, n = _stable_load(arrival_rate, mean_handle_s, agents)
    a = lam * h
    log_tail = math.log(a / (n - a))  # (a^n/n! * n/(n-a)) / (a^(n-1)/(n-1)!)
    log_atoms = logsumexp(_log_ratios(n - 1, a))  # sum_{j<n} (a^j/j!) / (a^(n-1)/(n-1)!)
    p_wait = float(np.exp(log_tail - np.logaddexp(log_atoms, log_tail)))
    wait = p_wait / (n / h - lam)
    return ErlangCResult(lam, h, n, p_wait, wait, wait, a / n, lam * wait)


def erlang_c_agents(
    arrival_rate: float, mean_handle_s: float, sl_target: float, sl_threshold_s: float
) -> int:
    """Fewest agents n with Erlang C service level P(W <= sl_threshold_s) >= sl_target."""
    lam, h = _positive("arrival_rate", arrival_rate), _positive("mean_handle_s", mean_handle_s)
    target, t = _probability("sl_target", sl_target), _time("sl_threshold_s", sl_threshold_s)
    n = math.floor(lam * h) + 1
    while erlang_c(lam, h, n).service_level(t) < target:
        n += 1
    return n


# ----------------------------------------------------------------------------- M/M/n+G
def _unit(p: float) -> float:
    """Clip a probability to [0, 1] (removes round-off of order 1e-15)."""
    return min(1.0, max(0.0, p))


def _scalar(fn: Callable[[FloatArray], FloatArray], x: float) -> float:
    return float(fn(np.array([x], dtype=float))[0])


class _WaitKernel:
    """Density of the offered wait V (Baccelli & Hebuterne 1981; Zeltyn & Mandelbaum 2005).

    P(V = 0) = ``p0``; on x > 0, f_V(x) = ``coef`` * exp(psi(x)), psi(x) = phi(x) - max phi,
    phi(x) = lambda H(x) - n mu x (concave, so exp(psi) is unimodal with peak at ``x_star``).
    """

    def __init__(self, lam: float, h: float, n: int, law: PatienceLaw) -> None:
        self.lam, self.nmu, self.law = lam, n / h, law
        self.total = 0.0  # integral of exp(psi); set below, scales the absolute tolerance

        def slope(x: float) -> float:  # phi'(x+) = lambda sf(x) - n mu, non-increasing
            return lam * _scalar(law.sf, x) - self.nmu

        def cut(x: float) -> float:
            return self.psi(x) - _LOG_CUTOFF

        scale = h / n
        self.x_star = 0.0
        if slope(0.0) > 0:
            hi = scale
            while slope(hi) > 0:
                hi *= 2.0
            self.x_star = brentq(slope, 0.0, hi, xtol=1e-14 * hi, rtol=1e-15)
        self.h_star = _scalar(law.truncated_mean, self.x_star)
        self.phi_max = lam * self.h_star - self.nmu * self.x_star
        low, off = 0.0, scale
        while cut(self.x_star + off) > 0:
            low, off = off, 2.0 * off
        self.x_end = brentq(cut, self.x_star + low, self.x_star + off, rtol=1e-10)
        self.x_lo = 0.0 if cut(0.0) >= 0 else brentq(cut, 0.0, self.x_star, rtol=1e-10)
        self.tol = 1e-9 * (self.x_end - self.x_lo) + 1e-12 * self.x_end  # merge closer points
        kinks = [float(b) for b in law.breakpoints if math.isfinite(b)]
        if all(abs(b - self.x_star) > self.tol for b in kinks):
            kinks.append(self.x_star)
        # geometric grid towards 0 so that features of the patience law near 0 at any time
        # scale are resolved (e.g. a patience of 0.1 s against a wait range of hours)
        grid = self.x_end / 8.0 ** np.arange(1, 18)
        self.points = sorted([*kinks, *grid[grid > self.x_lo]])
        # Normalisation relative to pi_{n-1}: atoms sum_{j<n} pi_j, density lambda e^phi.
        log_atoms = float(logsumexp(_log_ratios(n - 1, lam * h)))
        self.total = self.integral(lambda x: 1.0)
        log_coef = math.log(lam) + self.phi_max
        log_norm = float(np.logaddexp(log_atoms, log_coef + math.log(self.total)))
        self.p0 = math.exp(log_atoms - log_norm)
        self.coef = math.exp(log_coef - log_norm)

    def psi(self, x: float) -> float:
        h_x = _scalar(self.law.truncated_mean, x)
        return self.lam * (h_x - self.h_star) - self.nmu * (x - self.x_star)

    def integral(
        self, g: Callable[[float], float], lo: float = 0.0, hi: float = math.inf, unit: float = 1.0
    ) -> float:
        """integral_lo^hi exp(psi(x)) g(x) dx over the effective support, split at kinks."""
        lo, hi = max(lo, self.x_lo), min(hi, self.x_end)
        if hi <= lo:
            return 0.0
        pts = [lo, *(p for p in self.points if lo + self.tol < p < hi - self.tol), hi]
        eps_abs = 1e-16 * self.total * unit / len(pts)
        return math.fsum(
            quad(
                lambda x: math.exp(self.psi(x)) * g(x),
                u,
                v,
                epsabs=eps_abs,
                epsrel=_EPSREL,
                limit=200,
            )[0]
            for u, v in itertools.pairwise(pts)
        )

    def sf(self, x: float) -> float:
        return _scalar(self.law.sf, x)

    def cdf(self, x: float) -> float:
        return _scalar(self.law.cdf, x)


@dataclass(frozen=True)
class MMnGResult:
    """Steady state of M/M/n+G (Erlang A when patience is exponential); times in seconds.

    ``p_wait`` = P(all agents busy at arrival) = P(V > 0); ``p_abandon`` + ``p_answered`` = 1;
    ``asa_s`` = mean wait of answered calls; ``mean_wait_s`` = mean wait of all calls
    (abandoned ones count their patience); ``occupancy`` = lambda p_answered / (n mu);
    ``mean_queue`` = lambda * mean_wait_s (Little).
    """

    arrival_rate: float
    mean_handle_s: float
    agents: int
    p_wait: float
    p_abandon: float
    p_answered: float
    asa_s: float
    mean_wait_s: float
    occupancy: float
    mean_queue: float
    _kernel: _WaitKernel = field(repr=False, compare=False)

    def service_level(self, t_s: float) -> float:
        """P(answered and wait <= t_s): calls answered within t_s over all offered calls."""
        t, k = _time("t_s", t_s), self._kernel
        if t >= k.x_end:
            return self.p_answered
        return _unit(k.p0 + k.coef * k.integral(k.sf, hi=t))

    def service_level_answered(self, t_s: float) -> float:
        """P(wait <= t_s | answered)."""
        return self.service_level(t_s) / self.p_answered

    def p_abandon_within(self, t_s: float) -> float:
        """P(call abandons with wait <= t_s) = int f_V(x) G(min(x, t)) dx."""
        t, k = _time("t_s", t_s), self._kernel
        if t >= k.x_end:
            return self.p_abandon
        return k.coef * (k.integral(k.cdf, hi=t) + k.cdf(t) * k.integral(lambda x: 1.0, lo=t))


def _p_never(law: PatienceLaw) -> float:
    """P(tau = inf); 0 when the mean patience is finite."""
    if math.isfinite(law.mean):
        return 0.0
    p = _scalar(law.sf, math.inf)
    return p if math.isfinite(p) else _scalar(law.sf, 1e15)


def mmng(
    arrival_rate: float, mean_handle_s: float, agents: int, patience: PatienceLaw
) -> MMnGResult:
    """Exact M/M/n+G with general patience (Baccelli & Hebuterne 1981; Zeltyn & Mandelbaum 2005).

    With PASTA the offered wait V has atom P(V=0) = sum_{j<n} pi_j and density
    ``f_V(x) = lambda pi_{n-1} exp(lambda H(x) - n mu x)`` on x > 0, pi_j = pi_0 a^j/j!.
    A call is answered iff tau >= V, so P(abandon) = int f_V G, E[W] = int f_V H and
    E[W; answered] = int x f_V (1 - G).  Requires lambda * P(tau = inf) < n mu.
    """
    lam, h, n = _inputs(arrival_rate, mean_handle_s, agents)
    p_never = _p_never(patience)
    if lam * p_never * h >= n:
        raise ValueError(
            f"unstable: arrival_rate*P(patience=inf)*mean_handle_s="
            f"{lam * p_never * h!r} must be < agents={n}"
        )
    k = _WaitKernel(lam, h, n, patience)
    i_answer = k.integral(k.sf)
    i_abandon = k.integral(k.cdf)
    mean_wait = k.coef * k.integral(lambda x: _scalar(patience.truncated_mean, x), unit=k.x_end)
    p_answered = k.p0 + k.coef * i_answer
    asa = k.coef * k.integral(lambda x: x * k.sf(x), unit=k.x_end) / p_answered
    return MMnGResult(
        arrival_rate=lam,
        mean_handle_s=h,
        agents=n,
        p_wait=_unit(k.coef * (i_answer + i_abandon)),
        p_abandon=_unit(k.coef * i_abandon),
        p_answered=_unit(p_answered),
        asa_s=asa,
        mean_wait_s=mean_wait,
        occupancy=_unit(lam * p_answered * h / n),
        mean_queue=lam * mean_wait,
        _kernel=k,
    )


class _Exponential:
    """Exponential patience (private stand-in for :func:`erlang_a`)."""

    breakpoints: tuple[float, ...] = ()

    def __init__(self, mean_s: float) -> None:
        self.mean = mean_s

    def cdf(self, x: FloatArray) -> FloatArray:
        return -np.expm1(-x / self.mean)

    def sf(self, x: FloatArray) -> FloatArray:
        return np.exp(-x / self.mean)

    def truncated_mean(self, x: FloatArray) -> FloatArray:
        return -self.mean * np.expm1(-x / self.mean)


def erlang_a(
    arrival_rate: float, mean_handle_s: float, agents: int, mean_patience_s: float
) -> MMnGResult:
    """Erlang A, M/M/n+M (Palm 1943; Garnett, Mandelbaum & Reiman 2002).

    p_wait, p_abandon = theta E[Q]/lambda, mean_wait_s = E[Q]/lambda, occupancy and
    mean_queue come from the birth-death chain (birth lambda, death min(k,n) mu +
    (k-n)^+ theta), truncated where state probabilities fall below ~1e-22 of the mode;
    asa_s and the service-level methods come from :func:`mmng` with exponential patience.
    """
    lam, h, n = _inputs(arrival_rate, mean_handle_s, agents)
    theta = 1.0 / _positive("mean_patience_s", mean_patience_s)
    mu = 1.0 / h
    extra = 64 + math.ceil(max(0.0, lam - n * mu) / theta + 10.0 * math.sqrt(lam / theta))
    while True:
        k = np.arange(1, n + extra + 1, dtype=float)
        death = np.minimum(k, n) * mu + np.maximum(k - n, 0.0) * theta
        log_p = np.concatenate(([0.0], np.cumsum(np.log(lam / death))))
        if log_p[-1] - log_p.max() < _LOG_CUTOFF and death[-1] > lam:
            break
        extra *= 2
    log_p -= logsumexp(log_p)
    states = np.arange(log_p.size, dtype=float)
    probs = np.exp(log_p)
    queue = float(np.dot(np.maximum(states - n, 0.0), probs))
    busy = float(np.dot(np.minimum(states, n), probs))
    p_abandon = theta * queue / lam
    exact = mmng(lam, h, n, _Exponential(1.0 / theta))
    return MMnGResult(
        arrival_rate=lam,
        mean_handle_s=h,
        agents=n,
        p_wait=_unit(float(np.exp(logsumexp(log_p[n:])))),
        p_abandon=_unit(p_abandon),
        p_answered=_unit(1.0 - p_abandon),
        asa_s=exact.asa_s,
        mean_wait_s=queue / lam,
        occupancy=_unit(busy / n),
        mean_queue=queue,
        _kernel=exact._kernel,
    )


# ----------------------------------------------------------------------------- staffing
def halfin_whitt_beta(p_wait_target: float) -> float:
    """Halfin-Whitt beta with P(wait) ~ [1 + beta Phi(beta)/phi(beta)]^-1 = p_wait_target.

    Halfin & Whitt (1981): with n = a + beta sqrt(a) agents, P(wait) -> that limit.
    """
    alpha = _probability("p_wait_target", p_wait_target)
    goal = math.log1p(-alpha) - math.log(alpha)  # log(1/alpha - 1)

    def excess(beta: float) -> float:  # log(beta Phi(beta)/phi(beta)) - goal, increasing
        log_phi = -0.5 * beta * beta - 0.5 * math.log(2.0 * math.pi)
        return math.log(beta) + float(log_ndtr(beta)) - log_phi - goal

    lo, hi = 1.0, 1.0
    while excess(lo) > 0:
        lo /= 2.0
    while excess(hi) < 0:
        hi *= 2.0
    return float(brentq(excess, lo, hi, xtol=1e-14, rtol=1e-15))


def sqrt_staffing(offered_load: float, beta: float) -> int:
    """Square-root staffing n = ceil(a + beta sqrt(a)), at least 1 (Halfin & Whitt 1981)."""
    a = _positive("offered_load", offered_load)
    if not (isinstance(beta, (int, float, np.integer, np.floating)) and math.isfinite(beta)):
        raise ValueError(f"beta={beta!r} is not allowed: must be a finite number")
    return max(1, math.ceil(a + beta * math.sqrt(a)))
