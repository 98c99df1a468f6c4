"""Agents per interval by simulation: the fewest that meet the target in the planning model.

The formulas of :mod:`sim.planner` see each interval alone, in its steady state. The
planning model (:mod:`sim.planmodel`) also sees the calls carried over from one
interval into the next, the empty queue at opening, the queue drained after closing,
and per-interval handle times. The search (:func:`simulate_requirements`):

1. start from a formula plan (the caller gives it; ``callsim plan`` uses M/M/n+G with
   the configured patience), at least one agent in every interval with expected calls;
2. simulate, on the same replications (common random numbers: every plan sees the
   same callers), the plan ``n``, the plan with one agent less in every even interval,
   and the plan with one agent less in every odd interval, so that each interval is
   tried at ``n - 1`` with its neighbours at their current values;
3. per interval (pooled over the replications: answered within T / offered):
   ``n`` misses the target -> add agents; ``n - 1`` meets it -> remove agents; else keep.
   The step is the service-level gap divided by the measured gain of one agent
   (``SL(n) - SL(n - 1)``), at least one agent and at most a tenth of ``n``; an interval
   that changes direction halves its largest step (bisection), and one that went down by
   one agent and then misses never goes down again (the search cannot cycle);
4. repeat until nothing changes. Then the **decision rule**: an interval's answer is
   *clear* when the target lies more than ``z`` (2) standard errors from the service
   level at ``n`` and at ``n - 1`` (delta-method errors over the replications);
5. **more replications only where they can decide** (the deciding stage): the
   standard errors shrink as ``1 / sqrt(replications)``, and the target can lie more
   than ``z`` of them from both ``SL(n)`` and ``SL(n - 1)`` only when one agent's gain
   ``g = SL(n) - SL(n - 1)`` (measured on common random numbers, so sharply) exceeds
   ``2 z se``: an unclear interval needs at least ``R = reps x (2 z se / g)^2``
   replications. Intervals whose ``R`` is at most ``max_replications`` (128) are
   *decidable*; the
   search goes on, from the current plan, on the smallest power-of-two multiple of the
   replications that reaches the largest decidable ``R`` (``max_replications`` when
   none is decidable), where only the decidable intervals may lose agents and every
   interval that misses the target gains them (an undecidable interval keeps the
   smallest answer that meets the target at these replications, or one agent more:
   its ``n - 1`` is within noise even at ``max_replications``). Repeat until the
   replications reach ``max_replications``. Intervals still unclear
   are reported (``unclear``): their service level at ``n`` or ``n - 1`` is within
   noise of the target, so either answer is defensible at that precision (one agent in
   a small interval moves the service level by 3 to 8 points, in a 200-agent interval
   by about 1; the standard error of one interval's service level over 128
   replications is about 0.013, so in a 200-agent centre few intervals are decidable
   and the deciding stage mostly checks that every interval meets the target).

Every stage runs on replications ``0, 1, ...`` of the model's seed, so a stage's
replications include the previous stage's, and every plan of a round sees the same
callers (common random numbers); the draws of the replications are kept between rounds
(:class:`~sim.planning.planmodel.DrawCache`). Measured in ``benchmarks/bench_plan.py``.

An interval with expected calls always has at least one agent; an interval in which no
call was offered in any replication is never counted as meeting the target
(``met`` is NaN there). On a flat stationary forecast the answer is the exact
M/M/n+G answer in every interval (``tests/test_simplan.py``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.planning.planmodel import DrawCache, QueueModel, interval_kpis
from sim.planning.planner import PlanTarget

__all__ = ["SimPlan", "meets_target", "simulate_requirements"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimPlan:
    """The simulation plan and its evidence.

    ``agents``: net agents per forecast row (int); ``kpis``: :func:`~sim.planmodel.
    interval_kpis` at ``agents`` on the final replications plus ``met`` (1.0, 0.0, NaN
    without calls); ``unclear``: bool per row, the decision is within noise (see the
    module docstring); ``replications``, ``iterations``: the final replications and the
    simulation rounds run; ``converged``: False when ``max_iter`` stopped the search.
    """

    agents: np.ndarray
    kpis: pd.DataFrame
    unclear: np.ndarray
    replications: int
    iterations: int
    converged: bool


def meets_target(kpis: pd.DataFrame, target: PlanTarget) -> np.ndarray:
    """Per interval: 1.0 when the point estimates meet every part of ``target``, 0.0 when
    not, NaN when no call was offered (an interval without calls meets nothing)."""
    ok = kpis["service_level"] >= target.sl_target
    if target.max_abandon is not None:
        ok &= kpis["abandon_rate"] <= target.max_abandon
    if target.max_asa_s is not None:
        ok &= kpis["asa_s"].fillna(0.0) <= target.max_asa_s
    if target.max_occupancy is not None:
        ok &= kpis["occupancy"] <= target.max_occupancy
    return np.where(kpis["offered"] > 0, ok.astype(float), np.nan)


def _se(kpis: pd.DataFrame, reps: int) -> np.ndarray:
    """Standard error of each interval's service level (the KPIs' 95% CIs are
    ``t(0.975, reps - 1)`` standard errors wide on each side)."""
    half = (kpis["service_level_ci_high"] - kpis["service_level"]).to_numpy()
    return half / float(stats.t.ppf(0.975, reps - 1))


def _unclear(kpis: pd.DataFrame, target: float, z: float, reps: int) -> np.ndarray:
    """Service level within ``z`` standard errors of ``target``."""
    se = _se(kpis, reps)
    return np.abs(kpis["service_level"].to_numpy() - target) <= np.nan_to_num(z * se, nan=np.inf)


def _needed(here: pd.DataFrame, below: pd.DataFrame, has_below: np.ndarray, target: float,
            z: float, reps: int) -> np.ndarray:  # fmt: skip
    """Replications at which each interval's decision could be clear (module docstring,
    step 5): the target can be ``z`` standard errors from both ``SL(n)`` and ``SL(n - 1)``
    only if one agent's gain ``g = SL(n) - SL(n - 1)`` (common random numbers: sharp)
    exceeds ``2 z se``, so ``reps x (2 z se / g)^2`` with ``se`` the larger error of
    the two; at one agent (no ``n - 1``) ``reps x (z se / d)^2`` with ``d`` the
    distance of ``SL(n)`` from the target. Inf where nothing can decide."""
    sl, sl_less = here["service_level"].to_numpy(), below["service_level"].to_numpy()
    se = np.maximum(_se(here, reps), np.where(has_below, _se(below, reps), 0.0))
    gap = np.where(has_below, sl - sl_less, np.abs(sl - target) * 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(gap > 0, reps * (2.0 * z * se / gap) ** 2, np.inf)
    return np.nan_to_num(need, nan=np.inf)


def _steps(here: pd.DataFrame, below: pd.DataFrame, n: np.ndarray, up: np.ndarray,
           down: np.ndarray, target: float) -> np.ndarray:  # fmt: skip
    """Agents to add (> 0) or remove (< 0) per interval: the service-level gap over the
    measured gain of one agent (at least 0.005), at least one, at most a tenth of ``n``
    (so a start several agents off takes a few rounds, not one per agent)."""
    sl, sl_less = here["service_level"].to_numpy(), below["service_level"].to_numpy()
    gain = np.maximum(np.nan_to_num(sl - sl_less, nan=0.0), 0.005)
    cap = np.maximum(1, n // 10)
    add = np.clip(np.ceil(np.nan_to_num((target - sl) / gain, nan=1.0)), 1, cap)
    cut = np.clip(np.floor(np.nan_to_num((sl_less - target) / gain, nan=0.0)) + 1, 1, cap)
    return np.where(up, add, 0).astype(np.int64) - np.where(down, cut, 0).astype(np.int64)


def simulate_requirements(
    model: QueueModel,
    target: PlanTarget,
    start: np.ndarray,
    replications: int = 16,
    max_replications: int = 128,
    max_iter: int = 40,
    z: float = 2.0,
) -> SimPlan:
    """The fewest agents per interval meeting ``target`` in ``model`` (module docstring).

    ``start``: net agents per forecast row to start from (a formula plan). Raises
    ``ValueError`` for a start of the wrong length or replications below 2.
    """
    rows = model.n_intervals
    start = np.asarray(start, dtype=np.int64)
    if start.shape != (rows,):
        raise ValueError(f"start has shape {start.shape}; need one value per interval ({rows})")
    if not 2 <= replications <= max_replications:
        raise ValueError(f"replications = {replications}: need 2 <= it <= max_replications")
    floor = (model.forecast.table["expected_calls"].to_numpy(float) > 0).astype(np.int64)
    n = np.maximum(start, floor)
    parity = np.arange(rows) % 2
    frozen = np.zeros(rows, dtype=bool)  # went down by one, then up: no more decreases
    limit = np.maximum(1, n // 10)  # largest step; halved at each change of direction
    last = np.zeros(rows, dtype=np.int64)  # last change per interval (agents)
    active = np.ones(rows, dtype=bool)  # intervals the search may still move down
    reps, it = replications, 0
    interval_s = model.forecast.interval_s
    cache = DrawCache()
    while True:
        it += 1
        less = [np.where((parity == p) & (n > floor), n - 1, n) for p in (0, 1)]
        counts = model.simulate([n, *less], range(reps), cache)
        here = interval_kpis(counts[0], n, interval_s)
        tried = np.where(parity == 0, 0, 1)
        lower = [interval_kpis(counts[1 + p], less[p], interval_s) for p in (0, 1)]
        below = pd.DataFrame(
            np.where(tried[:, None] == 0, lower[0].to_numpy(), lower[1].to_numpy()),
            columns=here.columns,
        )
        met = meets_target(here, target)
        met_less = meets_target(below, target)
        up = met == 0.0
        down = (met_less == 1.0) & (n > floor) & ~frozen & ~up & active
        frozen |= up & (last == -1)
        change = _steps(here, below, n, up, down, target.sl_target)
        turn = (change * last) < 0
        limit = np.where(turn, np.maximum(1, np.abs(last) // 2), limit)
        change = np.clip(change, -limit, limit)
        last = np.where(change != 0, change, last)
        log.info("simulation plan, round %d (%d replications): %d intervals up, %d down, "
                 "%.0f agent-hours", it, reps, int(up.sum()), int(down.sum()),
                 (n + change).sum() * interval_s / 3600.0)  # fmt: skip
        if change.any() and it < max_iter:
            n = np.maximum(n + change, floor)
            continue
        unclear = _unclear(here, target.sl_target, z, reps) | (
            (n > floor) & _unclear(below, target.sl_target, z, reps)
        )
        unclear &= here["offered"].to_numpy() > 0
        if change.any() or not unclear.any() or reps >= max_replications:
            kpis = here.assign(met=met)
            return SimPlan(n, kpis, unclear, reps, it, not change.any())
        need = _needed(here, below, n > floor, target.sl_target, z, reps)
        active = unclear & (need <= max_replications)
        if active.any():
            grow = 2 ** math.ceil(math.log2(max(2.0, float(need[active].max()) / reps)))
            reps = min(max_replications, reps * grow)
        else:  # nothing decidable: only a check that every interval meets the target
            reps = max_replications
        frozen[:] = False  # new evidence: the anti-cycling rules start afresh
        limit = np.maximum(1, n // 10)
        log.info("simulation plan: %d interval(s) within noise of the target, %d decidable; "
                 "%d replications (the others may only gain agents)", int(unclear.sum()),
                 int(active.sum()), reps)  # fmt: skip
