"""Agents per interval by simulation: the fewest that meet the target in the full model.

The formulas of :mod:`sim.planning.planner` see each interval alone. Simulation sees what they
leave out: calls carried over from the previous interval, redials, repeat contacts,
the busyness of the day, non-exponential handle times and the patience law. The search:

1. start from a plan that is surely not above the answer (the Erlang A plan minus a
   margin, floored at 0); after the first simulation, raise it to the Erlang A answer
   for the *simulated* offered calls of each interval (fresh calls plus the redials and
   repeat contacts the formulas do not know of) minus one agent;
2. simulate the whole horizon with ``replications`` replications on **fixed seeds**
   (common random numbers: every iteration sees the same callers);
3. pool each interval over the replications: service level = answered within T /
   offered (and abandonment = abandoned / offered); an interval passes when the
   one-sided ``confidence`` lower bound of its service level, ``sl - t se``, reaches the
   target, ``se`` being the standard error from the spread of the replications (so that
   an interval passed by luck on these seeds is rare); add agents to every interval
   that misses: one, or :data:`STEP_SHARE` (2%) of its agents when that is more (so a
   200-agent interval takes steps of 4 and the search ends in a few iterations; the
   plan may then be above the fewest agents by up to one step);
4. repeat until no interval misses (or ``max_iter``).

Agents are only ever added, and only to intervals that missed, so the plan stays close
to the fewest agents for those seeds. ``tests/planning/test_simplan.py`` checks
a plan with fresh seeds.
"""

from __future__ import annotations

import dataclasses
import logging
import math

import numpy as np
import pandas as pd
from scipy import stats

from sim.config.validation import build_distribution
from sim.core.schema import Config
from sim.laws.distributions import Exponential
from sim.model.runner import replicate
from sim.planning.planner import PlanTarget, required_agents

__all__ = ["STEP_SHARE", "SimPlan", "simulate_requirements"]

log = logging.getLogger(__name__)

#: Agents added to an interval that misses: this share of its agents, at least one.
STEP_SHARE = 0.02


@dataclasses.dataclass
class SimPlan:
    """The result of :func:`simulate_requirements` (arrays of shape (days, intervals))."""

    agents: np.ndarray  # net agents per day and interval
    service_level: np.ndarray  # pooled simulated service level of the final plan
    abandon_rate: np.ndarray  # pooled simulated abandonment of the final plan
    offered: np.ndarray  # offered calls per interval, summed over the replications
    iterations: int  # simulations run
    converged: bool  # True when every interval met the target


def _pooled(intervals: pd.DataFrame, days: int, k: int) -> tuple[np.ndarray, ...]:
    """Per day and interval, pooled over the replications: service level and abandonment
    (ratios of sums), offered calls, and the standard error of the service level from
    the spread of the replications (calls within an interval are far from independent:
    one long queue delays many of them, so a binomial error would be much too small)."""
    cols = ["offered", "answered_within_sl", "abandoned"]
    g = intervals.groupby(["day", "interval"])[cols].sum()
    full = pd.MultiIndex.from_product([range(days), range(k)], names=["day", "interval"])
    g = g.reindex(full, fill_value=0)
    offered = g["offered"].to_numpy(float).reshape(days, k)
    within = g["answered_within_sl"].to_numpy(float).reshape(days, k)
    abandoned = g["abandoned"].to_numpy(float).reshape(days, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        sl = np.where(offered > 0, within / offered, 1.0)
        ab = np.where(offered > 0, abandoned / offered, 0.0)
        per_rep = (intervals["answered_within_sl"] / intervals["offered"]).to_numpy()
    spread = (
        pd.DataFrame({"day": intervals["day"], "interval": intervals["interval"], "sl": per_rep})
        .groupby(["day", "interval"])["sl"]
        .agg(["std", "count"])
        .reindex(full)
    )
    se = (spread["std"] / np.sqrt(spread["count"])).fillna(0.0).to_numpy().reshape(days, k)
    return sl, ab, offered, se


def _asa_occupancy(intervals: pd.DataFrame, days: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Pooled ASA (seconds) and occupancy per day and interval over the replications."""
    iv = intervals.assign(wait_answered=intervals["asa_s"].fillna(0.0) * intervals["answered"])
    g = iv.groupby(["day", "interval"])[
        ["wait_answered", "answered", "busy_agent_s", "available_agent_s"]
    ].sum()
    full = pd.MultiIndex.from_product([range(days), range(k)], names=["day", "interval"])
    g = g.reindex(full, fill_value=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        asa = (g["wait_answered"] / g["answered"]).fillna(0.0).to_numpy().reshape(days, k)
        occ = (g["busy_agent_s"] / g["available_agent_s"]).fillna(0.0).to_numpy().reshape(days, k)
    return asa, occ


def _formula_for_offered(config: Config, target: PlanTarget, offered: np.ndarray) -> np.ndarray:
    """Erlang A agents per interval for ``offered`` calls per interval (mean handle and
    mean patience of the config's laws; Erlang C when nobody abandons)."""
    interval_s = config.center.interval_min * 60.0
    aht = (
        build_distribution(config.service.talk, "service.talk").mean
        + build_distribution(config.service.acw, "service.acw").mean
    )
    patience = build_distribution(config.patience, "patience")
    method = "erlang_a" if math.isfinite(patience.mean) else "erlang_c"
    law = Exponential(patience.mean) if method == "erlang_a" else None
    need = [required_agents(n / interval_s, aht, method, target, law) for n in offered.ravel()]
    return np.asarray(need, dtype=np.int64).reshape(offered.shape)


def simulate_requirements(
    config: Config,
    target: PlanTarget,
    start: np.ndarray,
    replications: int = 3,
    max_iter: int = 30,
    workers: int = 1,
    confidence: float = 0.8,
) -> SimPlan:
    """The fewest agents per day and interval meeting ``target`` in simulation of ``config``.

    ``start`` (days x intervals, net agents) must not exceed the answer: agents are only
    added. The service level needs its ``confidence`` lower bound to reach the target;
    the caps on abandonment, ASA and occupancy are checked on the pooled point values.
    """
    days, k = config.run.days, len(np.atleast_2d(start)[0])
    plan = np.broadcast_to(np.asarray(start, dtype=np.int64), (days, k)).copy()
    plan[plan.sum(axis=1) == 0, :] = 1  # a day with no agent at all is not a plan
    cfg = dataclasses.replace(
        config, run=dataclasses.replace(config.run, replications=replications)
    )
    if not 0.5 <= confidence < 1.0:
        raise ValueError(f"confidence = {confidence!r}: must be in [0.5, 1)")
    if replications < 2:
        raise ValueError(f"replications = {replications}: need >= 2 for a standard error")
    z = float(stats.t.ppf(confidence, replications - 1))
    it = 0
    while True:
        it += 1
        cfg = dataclasses.replace(
            cfg, staffing=dataclasses.replace(cfg.staffing, agents=plan.tolist())
        )
        reps = replicate(cfg, replications, workers)
        sl, ab, offered, se = _pooled(reps.intervals, days, k)
        miss = sl - z * se < target.sl_target
        if target.max_abandon is not None:
            miss |= ab > target.max_abandon
        if target.max_asa_s is not None or target.max_occupancy is not None:
            asa, occupancy = _asa_occupancy(reps.intervals, days, k)
            if target.max_asa_s is not None:
                miss |= asa > target.max_asa_s
            if target.max_occupancy is not None:
                miss |= occupancy > target.max_occupancy
        log.info("simulation plan, iteration %d: %d of %d intervals miss the target, "
                 "%d agent-intervals", it, int(miss.sum()), miss.size, int(plan.sum()))  # fmt: skip
        if not miss.any() or it == max_iter:  # the plan returned is the one simulated last
            return SimPlan(plan, sl, ab, offered, it, not miss.any())
        if it == 1:
            plan = np.maximum(
                plan, _formula_for_offered(config, target, offered / replications) - 1
            )
        plan[miss] += np.maximum(1, np.rint(STEP_SHARE * plan[miss])).astype(np.int64)
