"""Agents needed per planning interval, by formula, from a forecast.

For each interval the forecast gives the arrival rate (expected calls / interval length)
and the mean handle time; the interval is treated as a stationary queue (the usual
planning assumption: each interval reaches its steady state, nothing carries over) and
the fewest agents meeting every target are found with

* ``erlang_c``: M/M/n, nobody abandons (the classic; conservative when callers abandon);
* ``erlang_a``: M/M/n+M, exponential patience with the mean of the configured patience;
* ``mmng``: exact M/M/n+G with the configured patience law (e.g. the Genesys default).

Targets (:class:`PlanTarget`): service level ``P(answered within T) >= share`` (of offered
calls, callsim's definition), optional caps on abandonment, ASA and occupancy. The net
requirement is then grossed up for shrinkage: ``ceil(n / (1 - shrinkage))``.

The search gallops from a first guess and bisects (:func:`sim.theory.fastqueue.smallest_meeting`)
over KPIs evaluated by :mod:`sim.theory.fastqueue` (one cumulative pass for the Erlang terms,
fixed Gauss-Legendre rules for the M/M/n+G integrals); the agents are those of a
one-agent-at-a-time search with :mod:`sim.theory.analytic` (tests/planning/test_planner.py). Measured in
``benchmarks/bench_formulas.py``: a week of 336 intervals at 10,000 calls each by the
three methods takes a few seconds on one core. Identical intervals are solved once.

Known answer (re-derived in ``tests/planning/test_planner.py``): 100 calls per 30 minutes,
180 s handle, 80 % in 20 s gives 14 agents by Erlang C (P(wait) 0.174, service level
0.888, occupancy 0.714) and 20 after 30 % shrinkage.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.laws.distributions import Distribution, Exponential
from sim.theory.analytic import PatienceLaw
from sim.theory.fastqueue import AtomTable, Kpis, MMnGCurve, erlang_c_kpis, smallest_meeting

__all__ = ["METHODS", "PlanTarget", "plan_intervals", "required_agents"]

METHODS = ("erlang_c", "erlang_a", "mmng")


@dataclass(frozen=True)
class PlanTarget:
    """What a plan must achieve in every interval (shares in [0, 1], times in seconds)."""

    sl_threshold_s: float = 20.0  # service-level threshold T, seconds
    sl_target: float = 0.80  # share of offered calls answered within T
    max_abandon: float | None = None  # cap on the abandonment rate (erlang_a, mmng)
    max_asa_s: float | None = None  # cap on the average speed of answer, seconds
    max_occupancy: float | None = None  # cap on agent occupancy
    shrinkage: float = 0.0  # share of paid time agents are not available (breaks, training...)

    def __post_init__(self) -> None:
        def bad(name: str, value: object, allowed: str) -> ValueError:
            return ValueError(f"{name} = {value!r}: {allowed}")

        if not (math.isfinite(self.sl_threshold_s) and self.sl_threshold_s >= 0):
            raise bad("sl_threshold_s", self.sl_threshold_s, "must be a finite number >= 0")
        if not 0.0 <= self.sl_target < 1.0:
            raise bad("sl_target", self.sl_target, "must be in [0, 1)")
        for name in ("max_abandon", "max_occupancy"):
            value = getattr(self, name)
            if value is not None and not 0.0 < value <= 1.0:
                raise bad(name, value, "must be in (0, 1] or None")
        if self.max_asa_s is not None and not self.max_asa_s > 0:
            raise bad("max_asa_s", self.max_asa_s, "must be > 0 or None")
        if not 0.0 <= self.shrinkage < 1.0:
            raise bad("shrinkage", self.shrinkage, "must be in [0, 1)")

    def gross(self, net: int) -> int:
        """Agents to schedule for ``net`` available ones: ``ceil(net / (1 - shrinkage))``."""
        return math.ceil(net / (1.0 - self.shrinkage) - 1e-9)


def _law(method: str, patience: Distribution | None) -> PatienceLaw | None:
    """The patience law ``method`` evaluates with: None for Erlang C, and for Erlang A
    (exponential with the configured mean) when that mean is infinite: nobody abandons,
    which is Erlang C."""
    if method == "erlang_c":
        return None
    if patience is None:
        raise ValueError(f"method {method!r} needs the patience law")
    if method == "erlang_a":
        return Exponential(patience.mean) if math.isfinite(patience.mean) else None
    return patience


class _Interval:
    """KPIs of one stationary interval as a function of the agents, memoised."""

    def __init__(self, method: str, rate: float, aht_s: float, patience: Distribution | None,
                 t_s: float) -> None:  # fmt: skip
        self.rate, self.aht_s, self.t_s = rate, aht_s, t_s
        self.law = _law(method, patience)
        self.atoms = AtomTable(rate * aht_s)
        self.curve = None if self.law is None else MMnGCurve(rate, aht_s, self.law, t_s, self.atoms)
        self.cache: dict[int, Kpis] = {}

    def kpis(self, n: int) -> Kpis:
        if n not in self.cache:
            if self.curve is None:
                k = erlang_c_kpis(self.rate, self.aht_s, n, self.t_s, self.atoms)
            else:
                k = self.curve.kpis(n)
            self.cache[n] = k
        return self.cache[n]


def _kpis(
    method: str, rate: float, aht_s: float, n: int, patience: Distribution | None, t: float
) -> tuple[float, float, float, float]:
    """Service level, abandonment, ASA and occupancy of ``n`` agents by ``method``."""
    k = _Interval(method, rate, aht_s, patience, t).kpis(n)
    return k.service_level, k.abandon_rate, k.asa_s, k.occupancy


def _meets(kpi: tuple[float, float, float, float] | Kpis, target: PlanTarget) -> bool:
    sl, abandon, asa, occupancy = (
        (kpi.service_level, kpi.abandon_rate, kpi.asa_s, kpi.occupancy)
        if isinstance(kpi, Kpis)
        else kpi
    )
    return (
        sl >= target.sl_target
        and (target.max_abandon is None or abandon <= target.max_abandon)
        and (target.max_asa_s is None or asa <= target.max_asa_s)
        and (target.max_occupancy is None or occupancy <= target.max_occupancy)
    )


def _search(interval: _Interval, target: PlanTarget, guess: int | None) -> int:
    """Fewest agents of ``interval`` meeting ``target`` (galloping + bisection)."""
    load = interval.rate * interval.aht_s
    if interval.law is None:  # Erlang C: stable only above the load
        lowest = math.floor(load) + 1
        first = guess if guess is not None else math.ceil(load + 0.8 * math.sqrt(load))
    else:  # abandonment keeps any n stable
        lowest = 1
        first = guess if guess is not None else max(1, math.ceil(load))
    return smallest_meeting(lambda n: _meets(interval.kpis(n), target), lowest, first)


def required_agents(
    rate_per_s: float,
    aht_s: float,
    method: str,
    target: PlanTarget,
    patience: Distribution | None = None,
    guess: int | None = None,
) -> int:
    """Fewest agents (net of shrinkage) meeting ``target`` for one stationary interval.

    Every KPI improves with more agents, so the answer is found by galloping from a
    first guess (``guess``, else ``a + 0.8 sqrt(a)`` for Erlang C and the offered load
    ``a`` otherwise) to a bracket and bisecting it (:func:`sim.fastqueue.smallest_meeting`):
    the agents a one-at-a-time search finds, in O(log) evaluations of
    :mod:`sim.fastqueue`. Erlang A with an infinite mean patience is Erlang C. 0 when no
    call is expected. Raises ValueError for an unknown method or a missing patience law.
    """
    if method not in METHODS:
        raise ValueError(f"method = {method!r}: must be one of {', '.join(METHODS)}")
    if method != "erlang_c" and patience is None:
        raise ValueError(f"method {method!r} needs the patience law")
    if rate_per_s <= 0:
        return 0
    interval = _Interval(method, rate_per_s, aht_s, patience, target.sl_threshold_s)
    return _search(interval, target, guess)


def plan_intervals(
    rate_per_s: Sequence[float] | np.ndarray,
    aht_s: Sequence[float] | np.ndarray,
    target: PlanTarget,
    methods: Sequence[str] = METHODS,
    patience: Distribution | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Requirements of every interval by every method, side by side.

    One row per interval; for each method ``m``: ``m_agents`` (net: available agents
    needed), ``m_scheduled`` (grossed up for shrinkage), and the predicted
    ``m_service_level``, ``m_abandon_rate``, ``m_asa_s``, ``m_occupancy`` at ``m_agents``.
    """
    rate = np.asarray(rate_per_s, dtype=float)
    aht = np.asarray(aht_s, dtype=float)
    if rate.shape != aht.shape:
        raise ValueError(f"rate_per_s and aht_s differ in length: {rate.shape} vs {aht.shape}")
    out: dict[str, np.ndarray] = {}
    total = len(methods) * len(rate)
    done: dict[tuple[str, float, float], tuple[int, Kpis | None]] = {}
    previous: dict[str, tuple[float, int]] = {}  # method -> (load, agents) last solved
    with tqdm(total=total, desc="plan", unit="interval", disable=None if progress else True) as bar:
        for m in methods:
            agents = np.zeros(len(rate), dtype=np.int64)
            kpis = np.full((len(rate), 4), np.nan)
            for i, (lam, h) in enumerate(zip(rate.tolist(), aht.tolist(), strict=True)):
                if (m, lam, h) not in done:
                    done[(m, lam, h)] = _solve(m, lam, h, target, patience, done, previous)
                n, k = done[(m, lam, h)]
                if n > 0:
                    previous[m] = (lam * h, n)
                agents[i] = n
                if k is not None:
                    kpis[i] = (k.service_level, k.abandon_rate, k.asa_s, k.occupancy)
                bar.update()
            out[f"{m}_agents"] = agents
            out[f"{m}_scheduled"] = np.array([target.gross(int(a)) for a in agents])
            for j, name in enumerate(("service_level", "abandon_rate", "asa_s", "occupancy")):
                out[f"{m}_{name}"] = kpis[:, j]
    return pd.DataFrame(out)


def _solve(
    method: str, rate: float, aht_s: float, target: PlanTarget, patience: Distribution | None,
    done: dict[tuple[str, float, float], tuple[int, Kpis | None]],
    previous: dict[str, tuple[float, int]],
) -> tuple[int, Kpis | None]:  # fmt: skip
    """Agents and their KPIs for one interval.

    The search starts from M/M/n+G's Erlang A answer, else from the last solved
    interval's answer carried over by square-root staffing: ``n = a + beta sqrt(a)``
    with that interval's ``beta`` (Halfin & Whitt 1981), a guess usually a few agents off.
    """
    if method not in METHODS:
        raise ValueError(f"method = {method!r}: must be one of {', '.join(METHODS)}")
    if rate <= 0:
        return 0, None
    guess = None
    load = rate * aht_s
    if method == "mmng" and ("erlang_a", rate, aht_s) in done:
        guess = done[("erlang_a", rate, aht_s)][0] or None
    elif method in previous:
        load_before, n_before = previous[method]
        beta = (n_before - load_before) / math.sqrt(load_before)
        guess = max(1, round(load + beta * math.sqrt(load)))
    interval = _Interval(method, rate, aht_s, patience, target.sl_threshold_s)
    n = _search(interval, target, guess)
    return n, interval.kpis(n)
