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

from sim.laws.distributions import Distribution
from sim.theory import analytic

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


def _kpis(
    method: str, rate: float, aht_s: float, n: int, patience: Distribution | None, t: float
) -> tuple[float, float, float, float]:
    """Service level, abandonment, ASA and occupancy of ``n`` agents by ``method``."""
    if method == "erlang_c":
        if rate * aht_s >= n:
            return 0.0, 0.0, math.inf, 1.0
        c = analytic.erlang_c(rate, aht_s, n)
        return c.service_level(t), 0.0, c.asa_s, c.occupancy
    assert patience is not None
    r = (
        analytic.erlang_a(rate, aht_s, n, patience.mean)
        if method == "erlang_a"
        else analytic.mmng(rate, aht_s, n, patience)
    )
    return r.service_level(t), r.p_abandon, r.asa_s, r.occupancy


def _meets(kpi: tuple[float, float, float, float], target: PlanTarget) -> bool:
    sl, abandon, asa, occupancy = kpi
    return (
        sl >= target.sl_target
        and (target.max_abandon is None or abandon <= target.max_abandon)
        and (target.max_asa_s is None or asa <= target.max_asa_s)
        and (target.max_occupancy is None or occupancy <= target.max_occupancy)
    )


def required_agents(
    rate_per_s: float,
    aht_s: float,
    method: str,
    target: PlanTarget,
    patience: Distribution | None = None,
) -> int:
    """Fewest agents (net of shrinkage) meeting ``target`` for one stationary interval.

    Every KPI improves with more agents, so the answer is found by stepping down and up
    from a good first guess: the stability bound for Erlang C, the offered load for
    Erlang A, the Erlang A answer for ``mmng`` (a few exact evaluations then suffice,
    each costs ~0.05-0.2 s). 0 when no call is expected.
    """
    if method not in METHODS:
        raise ValueError(f"method = {method!r}: must be one of {', '.join(METHODS)}")
    if method != "erlang_c" and patience is None:
        raise ValueError(f"method {method!r} needs the patience law")
    if rate_per_s <= 0:
        return 0
    load = rate_per_s * aht_s
    t = target.sl_threshold_s
    if method == "erlang_c":
        n = math.floor(load) + 1  # the fewest agents for which the queue is stable
    elif method == "erlang_a":
        n = max(1, math.ceil(load))
    else:
        n = max(1, required_agents(rate_per_s, aht_s, "erlang_a", target, patience))
    if method != "erlang_c":  # abandonment keeps any n stable: the guess may be too high
        while n > 1 and _meets(_kpis(method, rate_per_s, aht_s, n - 1, patience, t), target):
            n -= 1
    while not _meets(_kpis(method, rate_per_s, aht_s, n, patience, t), target):
        n += 1
    return n


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
    with tqdm(total=total, desc="plan", unit="interval", disable=None if progress else True) as bar:
        for m in methods:
            agents = np.zeros(len(rate), dtype=np.int64)
            kpis = np.full((len(rate), 4), np.nan)
            for i, (lam, h) in enumerate(zip(rate.tolist(), aht.tolist(), strict=True)):
                n = required_agents(lam, h, m, target, patience)
                agents[i] = n
                if n > 0:
                    kpis[i] = _kpis(m, lam, h, n, patience, target.sl_threshold_s)
                bar.update()
            out[f"{m}_agents"] = agents
            out[f"{m}_scheduled"] = np.array([target.gross(int(a)) for a in agents])
            for j, name in enumerate(("service_level", "abandon_rate", "asa_s", "occupancy")):
                out[f"{m}_{name}"] = kpis[:, j]
    return pd.DataFrame(out)
