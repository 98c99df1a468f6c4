"""Requirements of a multi-skill centre by formula: per call type, and a first plan per group.

Two first cuts, both from queueing formulas, before any simulation
(``docs/background/plan-groups.md``):

* :func:`type_requirements`: each call type alone, as if it had **dedicated agents**:
  per type and interval, the fewest agents meeting that type's own service-level target
  (``CallType.sl_threshold_s``, ``sl_target``) by Erlang C, Erlang A or M/M/n+G with the
  type's patience law and mean handle time (talk + after-call work), from the type's
  expected calls (its share of the centre's forecast, or its own matrix). **It ignores
  pooling**: agents with several skills serve the types together with fewer agents, so
  the sum over types is an upper bound for a centre of dedicated groups, not a staffing
  of the groups. A group's ``handle_factor`` is ignored here (the type's own AHT).
* :func:`pooled_requirements`: the whole centre as one pool (full cross-training): the
  total arrival rate, the load-weighted AHT, Erlang A with the rate-weighted mean
  patience (Erlang C when it is infinite), the strictest of the types' targets in each
  interval. With several skills the centre needs at least about this many.
* **Callback types** (``<type>_callback``, :mod:`sim.config.callbacks`) are not planned
  as call types: their callers are fresh calls of the parent type who left the line, so
  the parent's forecast already holds their work (the same handle time, served later;
  only the dials of unreached attempts are missing). Adding it again would count it
  twice; giving it a target of its own would plan agents for a queue no caller waits
  in. Both formulas plan the inbound types (:func:`inbound_index`); the callback types
  get no agents of their own, and the simulation search serves them and checks the
  inbound types' targets (``docs/background/plan-groups.md``).
* :func:`group_start`: the start of the simulation search (Wallace & Whitt 2005: a total
  from a pooled formula, split over the groups): each type's dedicated requirement goes
  to the groups that rank it best (split evenly, largest remainder), which gives each
  group a share; ``how="pooled"`` splits the pooled total by those shares,
  ``how="dedicated"`` keeps the dedicated numbers.

Sources: Erlang C, A and M/M/n+G as in :mod:`sim.planning.planner`; R. B. Wallace and
W. Whitt (2005), "A staffing algorithm for call centers with skill-based routing",
*M&SOM* 7(4):276-294 (pooled total, then allocation and simulation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.core.checks import ConfigError
from sim.laws.distributions import Exponential
from sim.model.breakdowns import expected_by_type
from sim.planning.planformulas import formula_plan
from sim.planning.planner import PlanTarget

__all__ = [
    "START_RULES",
    "expected_matrix",
    "group_start",
    "inbound_index",
    "pooled_requirements",
    "type_aht_s",
    "type_requirements",
    "type_targets",
]

#: How :func:`group_start` builds the start: the pooled total split, or the dedicated sum.
START_RULES = ("pooled", "dedicated")


def inbound_index(scenario: Scenario) -> np.ndarray:
    """Indices (into ``scenario.call_types``) of the types callers call in on: every
    type but the callback types, in config order, int64."""
    return np.array([k for k, t in enumerate(scenario.call_types) if t.callback_of is None],
                    dtype=np.int64)  # fmt: skip


def type_targets(
    scenario: Scenario,
    shrinkage: float = 0.0,
    max_abandon: float | None = None,
    max_asa_s: float | None = None,
) -> list[PlanTarget]:
    """Each call type's target: its own threshold and target share, with the common caps.

    Raises :class:`ConfigError` naming ``call_types[i].sl_target`` when a type's target is
    0 (nothing to plan for: zero agents meet it), or a cap is out of range.
    """
    out = []
    for i, t in enumerate(scenario.call_types):
        if not t.sl_target > 0:
            raise ConfigError(
                f"call_types[{i}].sl_target = {t.sl_target!r} (call type {t.name!r}): planning "
                "needs a service-level target > 0 for every call type",
                f"call_types[{i}].sl_target",
            )
        try:
            out.append(PlanTarget(t.sl_threshold_s, t.sl_target, max_abandon, max_asa_s,
                                  None, shrinkage))  # fmt: skip
        except ValueError as exc:
            raise ConfigError(f"plan target of call type {t.name!r}: {exc}") from None
    return out


def expected_matrix(scenario: Scenario) -> np.ndarray:
    """Expected fresh calls per type and forecast row (day-major), shape (types, rows)."""
    tt = scenario.timetable
    centre = np.stack([scenario.forecast.expected(d) for d in range(tt.days)])
    return expected_by_type(scenario, centre).reshape(len(scenario.call_types), -1)


def type_aht_s(scenario: Scenario) -> np.ndarray:
    """Mean handle time of each type (talk + after-call work), seconds, shape (types,)."""
    return np.array([t.talk.mean + t.acw.mean for t in scenario.call_types], dtype=float)


def type_requirements(
    scenario: Scenario, targets: Sequence[PlanTarget], methods: Sequence[str]
) -> pd.DataFrame:
    """Per call type and interval, the agents a dedicated pool of that type needs.

    Long table, one row per forecast row (day-major, ``row`` 0 ..) and call type (config
    order): ``row``, ``call_type``, ``expected_calls``, ``aht_s``, ``sl_threshold_s``,
    ``sl_target``, then per method ``m`` the columns of
    :func:`sim.planning.planner.plan_intervals` (``m_agents``, ``m_scheduled``,
    ``m_service_level`` ...). Ignores pooling (module docstring). Inbound types only:
    a callback type's work is in its parent's forecast (module docstring).
    """
    expected = expected_matrix(scenario)
    aht = type_aht_s(scenario)
    interval_s = scenario.timetable.interval_s
    parts = []
    for k in inbound_index(scenario):
        t = scenario.call_types[k]
        rows = expected.shape[1]
        rate = expected[k] / interval_s
        req = formula_plan(rate, np.full(rows, aht[k]), targets[k], methods, t.patience)
        head = pd.DataFrame({
            "row": np.arange(rows), "call_type": t.name, "expected_calls": expected[k],
            "aht_s": aht[k], "sl_threshold_s": t.sl_threshold_s, "sl_target": t.sl_target,
        })  # fmt: skip
        parts.append(pd.concat([head, req], axis=1))
    table = pd.concat(parts, ignore_index=True)  # type-major: a stable sort by row
    out = table.sort_values("row", kind="stable").reset_index(drop=True)
    out["call_type"] = pd.Categorical(out["call_type"], [t.name for t in scenario.inbound_types])
    return out


def pooled_requirements(scenario: Scenario, targets: Sequence[PlanTarget]) -> np.ndarray:
    """Agents (net) of the centre as one pool per forecast row (module docstring):
    the inbound types' calls (a callback type's work is in its parent's forecast)."""
    inbound = inbound_index(scenario)
    expected = expected_matrix(scenario)[inbound]
    aht = type_aht_s(scenario)[inbound]
    total = expected.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mix_aht = np.where(total > 0, (expected * aht[:, None]).sum(axis=0) / total, aht.mean())
    means = np.array([scenario.call_types[k].patience.mean for k in inbound])
    weights = expected.sum(axis=1)
    mean = float(np.average(means, weights=weights)) if weights.sum() > 0 else math.inf
    law = Exponential(mean) if math.isfinite(mean) else None
    method = "erlang_a" if law is not None else "erlang_c"
    rate = total / scenario.timetable.interval_s
    need = np.zeros(len(total), dtype=np.int64)
    planned = [targets[k] for k in inbound]
    for target in {(t.sl_threshold_s, t.sl_target, t.max_abandon, t.max_asa_s) for t in planned}:
        plan_target = PlanTarget(*target)
        req = formula_plan(rate, mix_aht, plan_target, [method],
                           law or scenario.call_types[0].patience)  # fmt: skip
        need = np.maximum(need, req[f"{method}_agents"].to_numpy())
    return need


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """``total`` whole agents in proportion to ``weights`` (largest remainder)."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total * weights / weights.sum()
    out = np.floor(exact).astype(np.int64)
    rest = total - int(out.sum())
    out[np.argsort(-(exact - out), kind="stable")[:rest]] += 1
    return out


def primary_groups(scenario: Scenario) -> np.ndarray:
    """Share of each type's dedicated requirement each group takes, (groups, types): the
    groups of best rank for the type (among those without an overflow delay for it, if
    any), evenly."""
    groups, n_types = scenario.agent_groups, len(scenario.call_types)
    share = np.zeros((len(groups), n_types))
    for k in range(n_types):
        able = [g for g, grp in enumerate(groups) if k in grp.skills]
        prompt = [g for g in able if groups[g].overflow_after_s.get(k, 0.0) == 0.0] or able
        best = min(groups[g].skills[k] for g in prompt)
        chosen = [g for g in prompt if groups[g].skills[k] == best]
        share[chosen, k] = 1.0 / len(chosen)
    return share


def group_start(
    scenario: Scenario, dedicated: np.ndarray, pooled: np.ndarray, how: str = "pooled"
) -> np.ndarray:
    """Agents per group and forecast row to start the search from, (groups, rows) int64.

    ``dedicated``: agents per type and row, (types, rows) (:func:`type_requirements`);
    ``pooled``: agents per row (:func:`pooled_requirements`). Each type's agents go to
    its best-ranked groups (:func:`primary_groups`); ``how="dedicated"`` keeps those
    sums, ``"pooled"`` splits ``min(pooled, dedicated total)`` in their proportion.
    Raises ValueError for an unknown ``how``.
    """
    if how not in START_RULES:
        raise ValueError(f"how = {how!r}: must be one of {', '.join(START_RULES)}")
    share = primary_groups(scenario)
    ded = np.asarray(dedicated, dtype=np.int64)
    n_groups, rows = share.shape[0], ded.shape[1]
    out = np.zeros((n_groups, rows), dtype=np.int64)
    for i in range(rows):
        per_group = np.zeros(n_groups, dtype=np.int64)
        for k in range(ded.shape[0]):
            per_group += _split(int(ded[k, i]), share[:, k])
        if how == "pooled":
            per_group = _split(min(int(pooled[i]), int(per_group.sum())), per_group.astype(float))
        out[:, i] = per_group
    return out
