"""Probability laws of durations (patience, talk time, after-call work), in the style of Ciw.

Units: every time is in **seconds** (parameters end in ``_s``; rates in ``_per_s``).

Each law is a small frozen dataclass (a *value object*): it holds only its parameters, is
immutable, hashable, comparable and picklable, and carries no random state. Randomness
always comes from the ``numpy.random.Generator`` passed to :meth:`Distribution.sample`, so a
run is reproducible from its seeds alone and one law can be shared by processes, configs
and caches. Besides sampling, every law gives the closed-form ``cdf``, ``sf``, ``mean`` and
``truncated_mean(x) = E[min(T, x)]`` that the exact queueing formulas (M/M/n+G in
:mod:`sim.theory.analytic`) need, and its ``breakpoints`` (kinks and jumps) for quadrature.
A law may put mass at infinity (a caller who never abandons): ``sample`` then returns
``inf``, ``cdf(inf) < 1`` and ``mean = inf``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import gamma as gamma_fn
from scipy.special import gammainc, gammaincc, ndtr

from sim.core.law_schema import (
    LAW_KINDS,
    DeterministicLaw,
    EmpiricalLaw,
    ExponentialLaw,
    GammaLaw,
    Genesys2020Law,
    GenesysLaw,
    HistogramLaw,
    LawConfig,
    LogNormalLaw,
    MixtureLaw,
    NeverLaw,
    PiecewiseHazardLaw,
    WeibullLaw,
    law_config,
)

__all__ = [
    "GENESYS",
    "GENESYS_2020",
    "KINDS",
    "PROB_TOL",
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Histogram",
    "LogNormal",
    "Mixture",
    "Never",
    "PiecewiseHazard",
    "Weibull",
    "from_spec",
    "genesys2020_patience",
    "genesys_patience",
]

FloatArray = npt.NDArray[np.float64]
PROB_TOL = 1e-9  # probabilities / weights must sum to 1 within this


# ----------------------------------------------------------------------------- validation
def _real(name: str, v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} = {v!r}: must be a number")
    return float(v)


def _positive(name: str, v: object, allow_inf: bool = False) -> float:
    x = _real(name, v)
    if not (x > 0 and (allow_inf or math.isfinite(x))):
        what = "a number > 0 (inf allowed)" if allow_inf else "a finite number > 0"
        raise ValueError(f"{name} = {x!r}: must be {what}")
    return x


def _nonneg(name: str, v: object) -> float:
    x = _real(name, v)
    if not (math.isfinite(x) and x >= 0):
        raise ValueError(f"{name} = {x!r}: must be a finite number >= 0")
    return x


def _floats(name: str, values: object) -> tuple[float, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise ValueError(f"{name} = {values!r}: must be a sequence of numbers")
    return tuple(_real(f"{name}[{i}]", v) for i, v in enumerate(values))


def _probs(name: str, values: tuple[float, ...]) -> None:
    for i, p in enumerate(values):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name}[{i}] = {p!r}: must be in [0, 1]")
    total = math.fsum(values)
    if abs(total - 1.0) > PROB_TOL:
        raise ValueError(
            f"{name} = {values!r}: must sum to 1 within {PROB_TOL:g} (sum = {total!r})"
        )


def _pick(rng: np.random.Generator, probs: npt.ArrayLike, size: int) -> npt.NDArray[np.intp]:
    """Index i with probability probs[i], one uniform per draw (zero-probability never)."""
    cum = np.cumsum(np.asarray(probs, dtype=np.float64))
    cum /= cum[-1]
    return np.searchsorted(cum, rng.random(size), side="right")


def _g(v: float) -> str:
    return f"{v:.6g}"


def _clip0(a: FloatArray) -> FloatArray:
    return np.asarray(np.maximum(a, 0.0), dtype=np.float64)


def _xsf(x: FloatArray, sf: FloatArray) -> FloatArray:
    """x * sf(x), with inf * 0 = 0 (for laws without mass at infinity)."""
    return np.where(np.isinf(x), 0.0, x) * sf


# ----------------------------------------------------------------------------- base class
class Distribution(ABC):
    """A law of a nonnegative duration T in seconds (possibly T = inf with some probability)."""

    @abstractmethod
    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` independent draws (float64), using only ``rng``."""

    @property
    @abstractmethod
    def mean(self) -> float:
        """E[T] in seconds (``math.inf`` if infinite)."""

    @abstractmethod
    def _cdf(self, x: FloatArray) -> FloatArray:
        """P(T <= x) for x >= 0."""

    @abstractmethod
    def _tm(self, x: FloatArray) -> FloatArray:
        """E[min(T, x)] for x >= 0."""

    def _sf(self, x: FloatArray) -> FloatArray:
        return 1.0 - self._cdf(x)

    def cdf(self, x: npt.ArrayLike) -> FloatArray:
        """P(T <= x); 0 for x < 0; ``cdf(inf)`` < 1 iff there is mass at infinity."""
        a = np.asarray(x, dtype=np.float64)
        return np.where(a < 0, 0.0, self._cdf(_clip0(a)))

    def sf(self, x: npt.ArrayLike) -> FloatArray:
        """P(T > x) = 1 - cdf(x)."""
        a = np.asarray(x, dtype=np.float64)
        return np.where(a < 0, 1.0, self._sf(_clip0(a)))

    def truncated_mean(self, x: npt.ArrayLike) -> FloatArray:
        """E[min(T, x)] = integral of sf over [0, x], in closed form (x for x < 0)."""
        a = np.asarray(x, dtype=np.float64)
        return np.where(a < 0, a, self._tm(_clip0(a)))

    @property
    def breakpoints(self) -> tuple[float, ...]:
        """Finite points > 0 where the cdf jumps or is not smooth (for quadrature)."""
        return ()

    @property
    def is_exponential(self) -> bool:
        """True only for :class:`Exponential` (memoryless; Erlang A applies)."""
        return False

    @property
    def is_never(self) -> bool:
        """True if T = inf almost surely."""
        return bool(self.cdf(math.inf) == 0.0)


# ----------------------------------------------------------------------------- parametric
@dataclass(frozen=True, repr=False)
class Exponential(Distribution):
    """Exponential law with mean ``mean_s``."""

    mean_s: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean_s", _positive("mean_s", self.mean_s))

    def __repr__(self) -> str:
        return f"Exponential(mean={_g(self.mean_s)} s)"

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.exponential(self.mean_s, size)

    @property
    def mean(self) -> float:
        return self.mean_s

    @property
    def is_exponential(self) -> bool:
        return True

    def _cdf(self, x: FloatArray) -> FloatArray:
        return -np.expm1(-x / self.mean_s)

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.exp(-x / self.mean_s)

    def _tm(self, x: FloatArray) -> FloatArray:
        return -self.mean_s * np.expm1(-x / self.mean_s)


@dataclass(frozen=True, repr=False)
class LogNormal(Distribution):
    """Lognormal law given by its mean and coefficient of variation (sd / mean).

    sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2.
    """

    mean_s: float
    cv: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean_s", _positive("mean_s", self.mean_s))
        object.__setattr__(self, "cv", _positive("cv", self.cv))

    def __repr__(self) -> str:
        return f"LogNormal(mean={_g(self.mean_s)} s, cv={_g(self.cv)})"

    @property
    def sigma(self) -> float:
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def mu(self) -> float:
        return math.log(self.mean_s) - 0.5 * math.log1p(self.cv**2)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.lognormal(self.mu, self.sigma, size)

    @property
    def mean(self) -> float:
        return self.mean_s

    def _z(self, x: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore"):
            return (np.log(x) - self.mu) / self.sigma

    def _cdf(self, x: FloatArray) -> FloatArray:
        return ndtr(self._z(x))

    def _sf(self, x: FloatArray) -> FloatArray:
        return ndtr(-self._z(x))

    def _tm(self, x: FloatArray) -> FloatArray:
        # E[T; T <= x] = mean * Phi((ln x - mu - sigma^2) / sigma), plus x * P(T > x)
        return self.mean_s * ndtr(self._z(x) - self.sigma) + _xsf(x, self._sf(x))


@dataclass(frozen=True, repr=False)
class Gamma(Distribution):
    """Gamma law given by its mean and cv: shape k = 1 / cv^2, scale = mean / k."""

    mean_s: float
    cv: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean_s", _positive("mean_s", self.mean_s))
        object.__setattr__(self, "cv", _positive("cv", self.cv))

    def __repr__(self) -> str:
        return f"Gamma(mean={_g(self.mean_s)} s, cv={_g(self.cv)})"

    @property
    def shape(self) -> float:
        return 1.0 / self.cv**2

    @property
    def scale_s(self) -> float:
        return self.mean_s * self.cv**2

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.gamma(self.shape, self.scale_s, size)

    @property
    def mean(self) -> float:
        return self.mean_s

    def _cdf(self, x: FloatArray) -> FloatArray:
        return gammainc(self.shape, x / self.scale_s)

    def _sf(self, x: FloatArray) -> FloatArray:
        return gammaincc(self.shape, x / self.scale_s)

    def _tm(self, x: FloatArray) -> FloatArray:
        # E[T; T <= x] = mean * P(k + 1, x / scale)
        return self.mean_s * gammainc(self.shape + 1.0, x / self.scale_s) + _xsf(x, self._sf(x))


@dataclass(frozen=True, repr=False)
class Weibull(Distribution):
    """Weibull law: sf(x) = exp(-(x / scale_s)^shape)."""

    shape: float
    scale_s: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", _positive("shape", self.shape))
        object.__setattr__(self, "scale_s", _positive("scale_s", self.scale_s))

    def __repr__(self) -> str:
        return f"Weibull(shape={_g(self.shape)}, scale={_g(self.scale_s)} s)"

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return self.scale_s * rng.weibull(self.shape, size)

    @property
    def mean(self) -> float:
        return self.scale_s * math.gamma(1.0 + 1.0 / self.shape)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return -np.expm1(-((x / self.scale_s) ** self.shape))

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.exp(-((x / self.scale_s) ** self.shape))

    def _tm(self, x: FloatArray) -> FloatArray:
        # E[T; T <= x] = scale * Gamma(1 + 1/k) * P(1 + 1/k, (x / scale)^k)
        a = 1.0 + 1.0 / self.shape
        part = self.scale_s * gamma_fn(a) * gammainc(a, (x / self.scale_s) ** self.shape)
        return part + _xsf(x, self._sf(x))


# ----------------------------------------------------------------------------- discrete-ish
@dataclass(frozen=True, repr=False)
class Deterministic(Distribution):
    """T = ``value_s`` always (``value_s = 0``: an atom at zero)."""

    value_s: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value_s", _nonneg("value_s", self.value_s))

    def __repr__(self) -> str:
        return f"Deterministic(value={_g(self.value_s)} s)"

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return np.full(size, self.value_s, dtype=np.float64)

    @property
    def mean(self) -> float:
        return self.value_s

    def _cdf(self, x: FloatArray) -> FloatArray:
        return (x >= self.value_s).astype(np.float64)

    def _tm(self, x: FloatArray) -> FloatArray:
        return np.minimum(x, self.value_s)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return (self.value_s,) if self.value_s > 0 else ()


@dataclass(frozen=True, repr=False)
class Empirical(Distribution):
    """The empirical law of observed durations: each draw is one of ``values_s``, uniformly."""

    values_s: tuple[float, ...]

    def __post_init__(self) -> None:
        vals = _floats("values_s", self.values_s)
        if not vals:
            raise ValueError("values_s = (): must be a non-empty sequence of numbers >= 0")
        for i, v in enumerate(vals):
            _nonneg(f"values_s[{i}]", v)
        object.__setattr__(self, "values_s", vals)

    def __repr__(self) -> str:
        return f"Empirical(n={len(self.values_s)}, mean={_g(self.mean)} s)"

    @cached_property
    def _sorted(self) -> tuple[FloatArray, FloatArray]:
        s = np.sort(np.asarray(self.values_s, dtype=np.float64))
        return s, np.concatenate(([0.0], np.cumsum(s)))

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        vals = np.asarray(self.values_s, dtype=np.float64)
        return vals[rng.integers(0, len(vals), size)]

    @property
    def mean(self) -> float:
        return math.fsum(self.values_s) / len(self.values_s)

    def _cdf(self, x: FloatArray) -> FloatArray:
        s, _ = self._sorted
        return np.searchsorted(s, x, side="right") / len(s)

    def _tm(self, x: FloatArray) -> FloatArray:
        s, cum = self._sorted
        n = len(s)
        k = np.searchsorted(s, x, side="right")  # values <= x count in full, the rest as x
        rest = np.where(k < n, (n - k) * np.where(np.isinf(x), 0.0, x), 0.0)
        return (cum[k] + rest) / n

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return tuple(float(v) for v in np.unique(self.values_s) if v > 0)


@dataclass(frozen=True, repr=False)
class Histogram(Distribution):
    """Piecewise-uniform law: bin i = [edges_s[i], edges_s[i+1]) holds probability probs[i].

    A zero-width bin (``edges_s[i] == edges_s[i+1]``) is an atom at that point. The last
    edge may be ``inf``: that bin's mass then lies beyond ``edges_s[-2]`` as an exponential
    excess with mean ``tail_mean_s`` (required then), or at infinity if ``tail_mean_s`` is
    ``inf`` (callers who never abandon).
    """

    edges_s: tuple[float, ...]
    probs: tuple[float, ...]
    tail_mean_s: float | None = None

    def __post_init__(self) -> None:
        edges = _floats("edges_s", self.edges_s)
        probs = _floats("probs", self.probs)
        if len(edges) < 2:
            raise ValueError(f"edges_s = {edges!r}: needs at least 2 edges (one bin)")
        for i, e in enumerate(edges):
            last = i == len(edges) - 1
            if not (e >= 0 and (math.isfinite(e) or last)):
                allowed = "a number >= 0 (inf allowed)" if last else "a finite number >= 0"
                raise ValueError(f"edges_s[{i}] = {e!r}: must be {allowed}")
            if i and e < edges[i - 1]:
                raise ValueError(
                    f"edges_s[{i}] = {e!r}: edges must be non-decreasing "
                    f"(edges_s[{i - 1}] = {edges[i - 1]!r})"
                )
        if len(probs) != len(edges) - 1:
            raise ValueError(
                f"probs = {probs!r}: needs one entry per bin "
                f"(len(edges_s) - 1 = {len(edges) - 1}), got {len(probs)}"
            )
        _probs("probs", probs)
        tail = self.tail_mean_s
        if math.isinf(edges[-1]):
            if tail is None:
                raise ValueError(
                    "tail_mean_s = None: required when the last edge is inf "
                    "(mean excess beyond edges_s[-2], seconds; inf = never)"
                )
            tail = _positive("tail_mean_s", tail, allow_inf=True)
        elif tail is not None:
            raise ValueError(f"tail_mean_s = {tail!r}: only allowed when the last edge is inf")
        object.__setattr__(self, "edges_s", edges)
        object.__setattr__(self, "probs", probs)
        object.__setattr__(self, "tail_mean_s", tail)

    def __repr__(self) -> str:
        tail = "" if self.tail_mean_s is None else f", tail_mean={_g(self.tail_mean_s)} s"
        return (
            f"Histogram(edges=({', '.join(map(_g, self.edges_s))}) s, "
            f"probs=({', '.join(map(_g, self.probs))}){tail})"
        )

    @cached_property
    def _bins(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Bin starts, finite bin ends (tail bin: its start) and normalised probabilities."""
        e = np.asarray(self.edges_s, dtype=np.float64)
        lo, hi = e[:-1], e[1:].copy()
        hi[-1] = hi[-1] if math.isfinite(hi[-1]) else lo[-1]
        p = np.asarray(self.probs, dtype=np.float64)
        return lo, hi, p / p.sum()

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        lo, hi, p = self._bins
        b = _pick(rng, p, size)
        u = rng.random(size)
        out = lo[b] + u * (hi[b] - lo[b])
        if self.tail_mean_s is not None:  # last bin is the open tail
            in_tail = b == len(p) - 1
            if math.isinf(self.tail_mean_s):
                out[in_tail] = np.inf
            else:
                out[in_tail] = lo[-1] - self.tail_mean_s * np.log1p(-u[in_tail])
        return out

    @property
    def mean(self) -> float:
        return float(self._tm(np.asarray(np.inf)))

    def _per_bin(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per-bin cdf F and E[min(T_bin, x)] G, shape x.shape + (bins,)."""
        lo, hi, _ = self._bins
        xx = x[..., None]
        w = hi - lo
        ws = np.where(w > 0, w, 1.0)
        y = np.clip(xx, lo, hi)
        f = np.where(w > 0, (y - lo) / ws, (xx >= lo).astype(np.float64))
        g = np.minimum(xx, lo) + (y - lo) * (2.0 * hi - lo - y) / (2.0 * ws)
        if self.tail_mean_s is not None:
            d = np.maximum(x - lo[-1], 0.0)
            theta = self.tail_mean_s
            if math.isinf(theta):
                f[..., -1], g[..., -1] = 0.0, g[..., -1] + d
            else:
                f[..., -1] = -np.expm1(-d / theta)
                g[..., -1] = g[..., -1] - theta * np.expm1(-d / theta)
        return f, g

    def _cdf(self, x: FloatArray) -> FloatArray:
        return self._per_bin(x)[0] @ self._bins[2]

    def _tm(self, x: FloatArray) -> FloatArray:
        p = self._bins[2]
        return np.where(p > 0, self._per_bin(x)[1], 0.0) @ p

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return tuple(sorted({e for e in self.edges_s if 0 < e < math.inf}))


@dataclass(frozen=True, repr=False)
class PiecewiseHazard(Distribution):
    """Hazard rate ``rates_per_s[i]`` on [edges_s[i], edges_s[i+1]); the last rate goes on.

    ``edges_s[0]`` must be 0. A last rate of 0 leaves mass exp(-H) at infinity.
    """

    edges_s: tuple[float, ...]
    rates_per_s: tuple[float, ...]

    def __post_init__(self) -> None:
        edges = _floats("edges_s", self.edges_s)
        rates = _floats("rates_per_s", self.rates_per_s)
        if not edges or edges[0] != 0.0:
            first = edges[0] if edges else None
            raise ValueError(f"edges_s[0] = {first!r}: must be 0 (the hazard starts at 0)")
        for i in range(1, len(edges)):
            if not (math.isfinite(edges[i]) and edges[i] > edges[i - 1]):
                raise ValueError(
                    f"edges_s[{i}] = {edges[i]!r}: must be finite and > "
                    f"edges_s[{i - 1}] = {edges[i - 1]!r}"
                )
        if len(rates) != len(edges):
            raise ValueError(
                f"rates_per_s = {rates!r}: needs one rate per edge "
                f"(len(edges_s) = {len(edges)}), got {len(rates)}"
            )
        for i, r in enumerate(rates):
            _nonneg(f"rates_per_s[{i}]", r)
        object.__setattr__(self, "edges_s", edges)
        object.__setattr__(self, "rates_per_s", rates)

    def __repr__(self) -> str:
        return (
            f"PiecewiseHazard(edges=({', '.join(map(_g, self.edges_s))}) s, "
            f"rates=({', '.join(map(_g, self.rates_per_s))}) /s)"
        )

    @cached_property
    def _segs(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Segment starts, widths (last: inf), rates, cumulative hazard at the starts."""
        e = np.asarray(self.edges_s, dtype=np.float64)
        r = np.asarray(self.rates_per_s, dtype=np.float64)
        w = np.append(np.diff(e), np.inf)
        h = np.concatenate(([0.0], np.cumsum(r[:-1] * w[:-1])))
        return e, w, r, h

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        e, _, r, h = self._segs
        z = rng.standard_exponential(size)  # T = inverse cumulative hazard of an Exp(1) draw
        j = np.searchsorted(h, z, side="right") - 1  # skips zero-rate segments
        rj = r[j]
        return np.where(rj > 0, e[j] + (z - h[j]) / np.where(rj > 0, rj, 1.0), np.inf)

    @property
    def mean(self) -> float:
        return math.inf if self.rates_per_s[-1] == 0 else float(self._tm(np.asarray(np.inf)))

    def _d(self, x: FloatArray) -> FloatArray:
        e, w, _, _ = self._segs
        return np.clip(x[..., None] - e, 0.0, w)

    def _cdf(self, x: FloatArray) -> FloatArray:
        r = self._segs[2]
        return -np.expm1(-(r * np.where(r > 0, self._d(x), 0.0)).sum(axis=-1))

    def _tm(self, x: FloatArray) -> FloatArray:
        _, _, r, h = self._segs
        d = self._d(x)
        rs = np.where(r > 0, r, 1.0)
        seg = np.where(r > 0, -np.expm1(-rs * d) / rs, d)  # integral of exp(-r u), u in [0, d]
        eh = np.exp(-h)
        return np.where(eh > 0, eh * seg, 0.0).sum(axis=-1)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return self.edges_s[1:]


# ----------------------------------------------------------------------------- combinators
@dataclass(frozen=True, repr=False)
class Mixture(Distribution):
    """With probability ``weights[i]``, T is drawn from ``components[i]``."""

    components: tuple[Distribution, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        comps = tuple(self.components)
        if not comps:
            raise ValueError("components = (): must hold at least one distribution")
        for i, c in enumerate(comps):
            if not isinstance(c, Distribution):
                raise ValueError(f"components[{i}] = {c!r}: must be a Distribution")
        weights = _floats("weights", self.weights)
        if len(weights) != len(comps):
            raise ValueError(
                f"weights = {weights!r}: needs one weight per component "
                f"({len(comps)}), got {len(weights)}"
            )
        _probs("weights", weights)
        object.__setattr__(self, "components", comps)
        object.__setattr__(self, "weights", weights)

    def __repr__(self) -> str:
        pairs = zip(self.components, self.weights, strict=True)
        terms = " + ".join(f"{_g(w)}*{c!r}" for c, w in pairs)
        return f"Mixture({terms})"

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        # Fixed order of rng use: all component choices first, then each component in turn.
        which = _pick(rng, self.weights, size)
        out = np.empty(size, dtype=np.float64)
        for i, comp in enumerate(self.components):
            mask = which == i
            k = int(mask.sum())
            if k:
                out[mask] = comp.sample(rng, k)
        return out

    def _sum(self, f: Callable[[Distribution], Any]) -> Any:
        return sum(w * f(c) for c, w in zip(self.components, self.weights, strict=True) if w > 0)

    @property
    def mean(self) -> float:
        return float(self._sum(lambda c: c.mean))

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(self._sum(lambda c: c.cdf(x)), dtype=np.float64)

    def _sf(self, x: FloatArray) -> FloatArray:
        return np.asarray(self._sum(lambda c: c.sf(x)), dtype=np.float64)

    def _tm(self, x: FloatArray) -> FloatArray:
        return np.asarray(self._sum(lambda c: c.truncated_mean(x)), dtype=np.float64)

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return tuple(sorted({b for c in self.components for b in c.breakpoints}))


@dataclass(frozen=True, repr=False)
class Never(Distribution):
    """Infinite patience: T = inf."""

    def __repr__(self) -> str:
        return "Never()"

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return np.full(size, np.inf, dtype=np.float64)

    @property
    def mean(self) -> float:
        return math.inf

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.zeros_like(x)

    def _tm(self, x: FloatArray) -> FloatArray:
        return x.copy()


# ----------------------------------------------------------------------------- calibrated
def genesys_patience() -> Histogram:
    """Default patience: Genesys State of Customer Experience research (seed 001).

    Source (docs ``seed-facts.md``, "Waiting and patience (seed 001)"): almost half of
    customers will wait on hold only 1-3 minutes, 30% can wait 3-5 minutes, a very small
    percentage more than 5 minutes; the rest, roughly a fifth, under a minute. Hence
    probabilities 0.20 on [0, 60) s, 0.47 on [60, 180) s, 0.30 on [180, 300) s and 0.03
    beyond 300 s ("almost half" -> 0.47, "very small" -> 0.03 so the shares sum to 1).
    Modelling assumptions, not from the source: patience is uniform within each bounded
    bin, and beyond 5 minutes it is 300 s plus an exponential excess with mean 300 s.
    Mean patience: 152.4 s.
    """
    return Histogram(
        edges_s=(0.0, 60.0, 180.0, 300.0, math.inf),
        probs=(0.20, 0.47, 0.30, 0.03),
        tail_mean_s=300.0,
    )


def genesys2020_patience() -> Histogram:
    """Patience from the Genesys 2020 consumer survey (US, n = 800).

    13% will not wait at all (an atom at 0: they abandon as soon as they must wait), 31%
    up to 5 minutes, 34% up to 15 minutes and 22% as long as needed (mass at infinity:
    they never abandon, so the mean is infinite). Modelling assumption, not from the
    survey: uniform within (0, 300] s and (300, 900] s.
    """
    return Histogram(
        edges_s=(0.0, 0.0, 300.0, 900.0, math.inf),
        probs=(0.13, 0.31, 0.34, 0.22),
        tail_mean_s=math.inf,
    )


GENESYS: Histogram = genesys_patience()
GENESYS_2020: Histogram = genesys2020_patience()


# ----------------------------------------------------------------------------- from_spec
# law dataclass of the config (sim.core.law_schema) -> the law it describes
_BUILD: dict[type, Callable[[Any], Distribution]] = {
    ExponentialLaw: lambda c: Exponential(c.mean_s),
    LogNormalLaw: lambda c: LogNormal(c.mean_s, c.cv),
    GammaLaw: lambda c: Gamma(c.mean_s, c.cv),
    WeibullLaw: lambda c: Weibull(c.shape, c.scale_s),
    DeterministicLaw: lambda c: Deterministic(c.value_s),
    EmpiricalLaw: lambda c: Empirical(c.values_s),
    HistogramLaw: lambda c: Histogram(c.edges_s, c.probs, c.tail_mean_s),
    PiecewiseHazardLaw: lambda c: PiecewiseHazard(c.edges_s, c.rates_per_s),
    NeverLaw: lambda c: Never(),
    GenesysLaw: lambda c: genesys_patience(),
    Genesys2020Law: lambda c: genesys2020_patience(),
}
KINDS: tuple[str, ...] = tuple(LAW_KINDS)


def from_spec(
    spec: Mapping[str, Any] | LawConfig | Distribution, key: str = "distribution"
) -> Distribution:
    """Build a law from its config: a law dataclass of :mod:`sim.core.law_schema` or a
    plain mapping such as ``{"kind": "lognormal", "mean_s": 240, "cv": 0.8}``.

    Keys whose value is None are not set. Mixture components carry their own ``weight``.
    Errors are ``ValueError`` naming the full key path (``key`` + parameter), the value
    and what is allowed. A :class:`Distribution` is returned unchanged.
    """
    if isinstance(spec, Distribution):
        return spec
    law = law_config(spec, key)
    try:
        if isinstance(law, MixtureLaw):
            return _mixture(law, key)
        return _BUILD[type(law)](law)
    except ValueError as exc:  # messages start with the parameter name
        raise ValueError(f"{key}.{exc}") from None


def _mixture(law: MixtureLaw, key: str) -> Mixture:
    comps: list[Distribution] = []
    weights: list[float] = []
    for i, item in enumerate(law.components):
        rest = dict(item)
        w = rest.pop("weight")
        if not 0.0 <= w <= 1.0:
            raise ValueError(f"components[{i}].weight = {w!r}: must be in [0, 1]")
        weights.append(w)
        try:
            comps.append(from_spec(rest, key=f"components[{i}]"))
        except ValueError as exc:  # the component's own path; the caller adds key
            raise ValueError(str(exc)) from None
    total = math.fsum(weights)
    if abs(total - 1.0) > PROB_TOL:
        raise ValueError(
            f"components[*].weight = {tuple(weights)!r}: must sum to 1 within "
            f"{PROB_TOL:g} (sum = {total!r})"
        )
    return Mixture(components=tuple(comps), weights=tuple(weights))
