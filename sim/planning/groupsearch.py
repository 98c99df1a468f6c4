"""Agents per group and interval meeting every call type's target, by simulation.

The search (:func:`search_groups`, ``docs/background/plan-groups.md``) is the
single-queue simulation planner's (:mod:`sim.planning.simplan`) carried over to several
groups, in the spirit of Wallace & Whitt (2005): start from a formula plan (a pooled
total split over the groups, :func:`sim.planning.skillformulas.group_start`), then
correct it by simulation one interval at a time:

1. simulate, on the same replications (common random numbers: every plan sees the same
   callers), the plan ``n`` and, for each group ``g`` and each parity ``p``, the plan
   with one agent of ``g`` less in every interval of parity ``p`` (so each interval is
   tried at ``n - 1`` in each group with its neighbours at their current values):
   ``1 + 2 x groups`` plans per round. ``SL_k(n) - SL_k(n - e_g)`` is the measured
   gain of ``g``'s last agent for type ``k`` in that interval;
2. per interval, with margins ``m_k = SL_k - target_k`` (types without offered calls
   there are ignored):

   * some type misses (``min_k m_k < 0``): **add** agents to the group whose agent most
     raises the worst margin per unit of cost, ``(min_k (m_k + gain_gk) - min_k m_k) /
     cost_g`` (a group without agents in the interval gets the largest gain of a group
     with agents for the types it serves); as many as the worst type's shortfall over
     that gain, at least one;
   * every type meets its target: **remove** agents from the most costly group whose
     ``n - 1`` plan still meets every type's target (ties: the one that leaves the
     largest worst margin); as many as that margin over the gain, plus one;

   steps are at most a tenth of the interval's agents, halved at each change of
   direction; an interval that went down one agent and then missed goes down no more
   (the search cannot cycle);
3. repeat until nothing changes; then an interval is *unclear* when some type's service
   level lies within ``z`` (2) standard errors (delta method over the replications) of
   its target. While some interval is unclear and the replications are below
   ``max_replications``, double the replications and search again from the current
   plan (every interval may gain agents, only the unclear ones may lose them).

The result meets every type's target in every interval with calls on the point
estimates of the final replications; intervals within noise are flagged. Agents cost
``cost_g`` per agent and interval (default 1 for every group: agent-hours).

Source: R. B. Wallace and W. Whitt (2005), "A staffing algorithm for call centers with
skill-based routing", *M&SOM* 7(4):276-294 (start from a pooled requirement, allocate,
improve by simulation); common random numbers as in :mod:`sim.planning.simplan`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.planning.groupmodel import GroupModel, type_kpis
from sim.planning.planner import PlanTarget
from sim.planning.simplan import meets_target

__all__ = ["GroupPlan", "search_groups"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupPlan:
    """The searched plan and its evidence.

    ``agents``: net agents per group and row, (groups, rows) int64; ``kpis``: per call
    type, :func:`~sim.planning.groupmodel.type_kpis` at ``agents`` on the final
    replications plus ``met`` (1.0, 0.0, NaN without calls); ``unclear``: bool per row;
    ``replications``, ``iterations``, ``converged`` as :class:`~sim.planning.simplan.
    SimPlan`; ``simulated``: plans simulated in all (each on the round's replications).
    """

    agents: np.ndarray
    kpis: list[pd.DataFrame]
    unclear: np.ndarray
    replications: int
    iterations: int
    converged: bool
    simulated: int


def _margins(kpis: list[pd.DataFrame], targets: Sequence[PlanTarget],
             planned: Sequence[bool]) -> np.ndarray:  # fmt: skip
    """Per type and row ``SL - target``; +inf where the type had no calls or is not
    planned (a callback type, :attr:`GroupModel.planned`); -inf where a cap other than
    the service level is missed."""
    out = []
    for kp, t, p in zip(kpis, targets, planned, strict=True):
        if not p:
            out.append(np.full(len(kp), np.inf))
            continue
        m = kp["service_level"].to_numpy() - t.sl_target
        met = meets_target(kp, t)
        m = np.where(met == 0.0, np.minimum(m, -1e-9), m)
        out.append(np.where(np.isnan(met), np.inf, m))
    return np.array(out)


def _se(kpis: list[pd.DataFrame], reps: int) -> np.ndarray:
    tq = float(stats.t.ppf(0.975, reps - 1))
    return np.array([(k["service_level_ci_high"] - k["service_level"]).to_numpy() / tq
                     for k in kpis])  # fmt: skip


@dataclass
class _State:
    n: np.ndarray  # (groups, rows)
    limit: np.ndarray  # (rows,) largest step
    last: np.ndarray  # (rows,) last change (+ up, - down)
    frozen: np.ndarray  # (rows,) no more decreases
    active: np.ndarray  # (rows,) may decrease


def _gains(base: np.ndarray, minus: np.ndarray, n: np.ndarray, skills: np.ndarray) -> np.ndarray:
    """Gain of each group's last agent per type and row (groups, types, rows); a group
    without agents in a row gets the largest measured gain for the types it serves."""
    finite = np.where(np.isfinite(base), base, 0.0)
    gain = np.maximum(finite[None] - np.where(np.isfinite(minus), minus, finite[None]), 0.0)
    gain = np.where(n[:, None, :] > 0, gain, np.nan)
    best = np.nan_to_num(np.nanmax(np.where(skills[:, :, None], gain, np.nan), axis=0), nan=0.05)
    return np.where(n[:, None, :] > 0, gain, np.where(skills[:, :, None], best[None], 0.0))


def _decide(i: int, base: np.ndarray, minus: np.ndarray, gain: np.ndarray, st: _State,
            cost: np.ndarray) -> tuple[int, int]:  # fmt: skip
    """(group, change) for row ``i``: change > 0 adds, < 0 removes, 0 keeps."""
    m = base[:, i]
    if not np.isfinite(m).any():
        return 0, 0
    worst = float(np.min(m))
    cap = int(st.limit[i])
    if worst < 0:
        k = int(np.argmin(m))
        lift = (np.min(m[None, :] + gain[:, :, i], axis=1) - worst) / cost
        g = int(np.argmax(lift))
        steps = int(np.ceil(-worst / max(gain[g, k, i], 0.005)))
        return g, int(np.clip(steps, 1, cap))
    if st.frozen[i] or not st.active[i]:
        return 0, 0
    after = np.min(minus[:, :, i], axis=1)  # worst margin with one agent of g less
    ok = (after >= 0) & (st.n[:, i] > 0)
    if not ok.any():
        return 0, 0
    g = int(np.lexsort((-after, -cost, ~ok))[0])
    finite = gain[g, :, i][np.isfinite(m)]
    step = int(np.floor(after[g] / max(float(finite.max(initial=0.0)), 0.005))) + 1
    return g, -int(np.clip(step, 1, min(cap, st.n[g, i])))


def _apply(st: _State, base: np.ndarray, minus: np.ndarray, gain: np.ndarray,
           cost: np.ndarray) -> np.ndarray:  # fmt: skip
    """Decide every row (:func:`_decide`), bound the steps (halved at a change of
    direction; no more decreases after one down then up) and apply them to ``st.n``;
    returns the change per row."""
    change = np.zeros(st.n.shape[1], dtype=np.int64)
    for i in range(st.n.shape[1]):
        g, step = _decide(i, base, minus, gain, st, cost)
        if not step:
            continue
        if step * st.last[i] < 0:
            st.limit[i] = max(1, abs(int(st.last[i])) // 2)
            step = int(np.clip(step, -st.limit[i], st.limit[i]))
        if step > 0 and st.last[i] == -1:
            st.frozen[i] = True
        st.n[g, i] += step
        st.last[i] = step
        change[i] = step
    return change


def _round(model: GroupModel, targets: Sequence[PlanTarget], n: np.ndarray,
           reps: int) -> tuple[list[pd.DataFrame], np.ndarray, np.ndarray]:  # fmt: skip
    """Simulate ``n`` and its one-less plans; (base KPIs, base margins (types, rows),
    one-less margins (groups, types, rows), NaN-free: +inf where not tried)."""
    rows = model.n_rows
    parity = np.arange(rows) % 2
    plans = [n]
    for g in range(model.n_groups):
        for p in (0, 1):
            less = n.copy()
            less[g] = np.where((parity == p) & (n[g] > 0), n[g] - 1, n[g])
            plans.append(less)
    counts = model.simulate(plans, range(reps))
    here = type_kpis(counts[0], model.interval_s)
    base = _margins(here, targets, model.planned)
    minus = np.full((model.n_groups, model.n_types, rows), np.inf)
    for g in range(model.n_groups):
        for p in (0, 1):
            m = _margins(type_kpis(counts[1 + 2 * g + p], model.interval_s), targets,
                         model.planned)  # fmt: skip
            rows_p = (parity == p) & (n[g] > 0)
            minus[g][:, rows_p] = m[:, rows_p]
    return here, base, minus


def search_groups(
    model: GroupModel,
    targets: Sequence[PlanTarget],
    start: np.ndarray,
    cost: Sequence[float] | None = None,
    replications: int = 16,
    max_replications: int = 64,
    max_iter: int = 40,
    z: float = 2.0,
) -> GroupPlan:
    """The cheapest agents per group and row found meeting every type's target (module
    docstring). ``targets``: one per call type (config order); ``start``: (groups, rows)
    net agents; ``cost``: per group, per agent and interval (default 1 each). Raises
    ValueError for shapes that do not fit or replications out of range.
    """
    n = np.asarray(start, dtype=np.int64).copy()
    if n.shape != (model.n_groups, model.n_rows):
        raise ValueError(f"start has shape {n.shape}; need (groups, rows) = "
                         f"{(model.n_groups, model.n_rows)}")  # fmt: skip
    if len(targets) != model.n_types:
        raise ValueError(f"targets: {len(targets)} given, need one per call type ({model.n_types})")
    if not 2 <= replications <= max_replications:
        raise ValueError(f"replications = {replications}: need 2 <= it <= max_replications")
    c = np.ones(model.n_groups) if cost is None else np.asarray(cost, dtype=float)
    if c.shape != (model.n_groups,) or not np.all(c > 0):
        raise ValueError(f"cost: need one value > 0 per group ({model.n_groups}), got {cost!r}")
    skills = np.array([[k in g.skills for k in range(model.n_types)]
                       for g in model.scenario.agent_groups])  # fmt: skip
    rows = model.n_rows
    st = _State(n, np.maximum(1, n.sum(axis=0) // 10), np.zeros(rows, np.int64),
                np.zeros(rows, bool), np.ones(rows, bool))  # fmt: skip
    reps, it, simulated = replications, 0, 0
    while True:
        it += 1
        before = st.n.copy()
        here, base, minus = _round(model, targets, st.n, reps)
        simulated += 1 + 2 * model.n_groups
        change = _apply(st, base, minus, _gains(base, minus, st.n, skills), c)
        log.info("group plan, round %d (%d replications): %d intervals up, %d down, "
                 "%.0f agent-hours", it, reps, int((change > 0).sum()), int((change < 0).sum()),
                 st.n.sum() * model.interval_s / 3600.0)  # fmt: skip
        if change.any() and it < max_iter:
            continue
        se = _se(here, reps)
        unclear = np.any(np.isfinite(base) & (np.abs(base) <= z * np.nan_to_num(se, nan=np.inf)),
                         axis=0)  # fmt: skip
        if change.any() or not unclear.any() or reps >= max_replications:
            kpis = [k.assign(met=meets_target(k, t)) for k, t in zip(here, targets, strict=True)]
            return GroupPlan(before, kpis, unclear, reps, it, not change.any(), simulated)
        reps = min(max_replications, 2 * reps)
        st.active, st.frozen[:] = unclear, False
        st.limit = np.maximum(1, st.n.sum(axis=0) // 10)
        log.info("group plan: %d interval(s) within noise of a target; %d replications (only "
                 "they may lose agents)", int(unclear.sum()), reps)  # fmt: skip
