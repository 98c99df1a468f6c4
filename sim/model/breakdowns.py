"""The outputs per call type and per agent group of one replication (issue 14).

Builds the inputs the tables of :mod:`sim.outputs.call_types` and
:mod:`sim.outputs.agent_groups` need from the parsed scenario: the expected fresh calls
of each type, the agents each group has scheduled on the phones, the names,
thresholds and targets, and returns the four tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.outputs.agent_groups import group_intervals_table, group_summary_with_parts
from sim.outputs.call_types import type_counts, type_intervals_table, type_summary_with_parts
from sim.outputs.tally import BusyTime
from sim.queue.engine import EngineLog

__all__ = ["breakdown_tables", "expected_by_type", "scheduled_by_group"]


def expected_by_type(
    scenario: Scenario, expected: np.ndarray, day_factor: Sequence[float] | None = None
) -> np.ndarray:
    """Expected fresh calls per call type, day and interval: (types, days, intervals).

    A type with a ``share`` of the centre's calls gets that share of ``expected`` (the
    centre's expected fresh calls, (days, intervals)); a type with its own
    ``expected_calls`` matrix gets that matrix x ``day_factor`` (each day's busyness x
    customer-base factor; 1 if None).
    """
    exp = np.asarray(expected, dtype=np.float64)
    factor = np.ones(exp.shape[0]) if day_factor is None else np.asarray(day_factor, float)
    out = []
    for t in scenario.call_types:
        if t.expected_calls is None:
            out.append(t.share * exp)
        else:
            out.append(np.asarray(t.expected_calls, dtype=np.float64) * factor[:, None])
    return np.stack(out)


def scheduled_by_group(scenario: Scenario) -> np.ndarray:
    """Agents scheduled on the phones per agent group, day and interval: (groups, days,
    intervals).

    One group: the centre's ``on_phone`` (the ``intervals`` table's
    ``scheduled_agents``). Several: each group's own ``AgentGroup.on_phone`` (its counts
    less its off-phone share, or its roster less scheduled breaks); they add up to the
    centre's. (A group without ``on_phone``: its share of the agents scheduled x the
    centre's ``on_phone``.)
    """
    tt = scenario.timetable
    shape = (tt.days, tt.n_intervals)
    on = np.broadcast_to(np.asarray(scenario.on_phone, dtype=np.float64), shape)
    groups = scenario.agent_groups
    if len(groups) <= 1:
        return on[None].copy()
    if all(g.on_phone is not None for g in groups):  # each group's own
        return np.stack([np.broadcast_to(np.asarray(g.on_phone, float), shape) for g in groups])
    staff = np.stack([np.broadcast_to(np.asarray(g.staffing, float), shape) for g in groups])
    total = staff.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, staff / total, np.where(on > 0, np.nan, 0.0))
    return share * on


def _records(scenario: Scenario) -> list[float] | None:
    """Per call type the records put on its campaign list over the run (NaN: not an
    outbound type); None without outbound types."""
    plan = scenario.outbound
    if plan is None:
        return None
    out = [float("nan")] * len(scenario.call_types)
    for c in plan.campaigns:
        out[c.call_type] = c.records(scenario.timetable.days)
    return out


def breakdown_tables(
    scenario: Scenario,
    calls: pd.DataFrame,
    log: EngineLog,
    expected: np.ndarray,
    centre: BusyTime | None = None,
) -> dict[str, pd.DataFrame]:
    """``intervals_by_type``, ``summary_by_type``, ``intervals_by_group`` and
    ``summary_by_group`` of one replication, and the ratio parts of the two summaries
    (``ratio_parts_by_type``, ``ratio_parts_by_group``:
    :func:`sim.outputs.confidence.parts_table`); ``expected``: (types, days, intervals),
    from :func:`expected_by_type`; ``centre``: the busy time of the centre's tables
    (:class:`sim.outputs.metrics.CentreCounts`), which a single agent group shares."""
    types, groups = scenario.call_types, scenario.agent_groups
    tnames = [t.name for t in types]
    gnames = [g.name for g in groups]
    threshold = [t.sl_threshold_s for t in types]
    target = [t.sl_target for t in types]
    tt = scenario.timetable
    concurrent = any(g.max_sessions > 1 for g in groups)
    counts = type_counts(calls, tt, tnames, threshold)  # both tables of the types need them
    by_type, type_parts = type_summary_with_parts(
        calls, tt, tnames, threshold, scenario.config.run.warmup_s, _records(scenario), counts)
    by_group, group_parts = group_summary_with_parts(
        calls, log, gnames, scenario.config.run.warmup_s, concurrent, centre)
    return {
        "intervals_by_type": type_intervals_table(calls, tt, tnames, threshold, target, expected,
                                                  counts),
        "summary_by_type": by_type,
        "intervals_by_group": group_intervals_table(
            calls, log, tt, gnames, scheduled_by_group(scenario), concurrent, centre
        ),
        "summary_by_group": by_group,
        "ratio_parts_by_type": type_parts,
        "ratio_parts_by_group": group_parts,
    }
