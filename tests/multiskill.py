"""Synthetic multi-skill outputs for the tests of the per-type and per-group tables,
the report and the writer: a real single-queue run whose calls are relabelled into two
call types (drawn per issue) and two agent groups (even and odd agent ids), with its
staff log split into the two groups' step functions. Nothing here is simulated with
several types or groups: the engine's routing is not involved, only the bookkeeping
downstream of the calls table and the engine log."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from sim.model.callcenter import CallCenter
from sim.model.runner import Replications, combine
from sim.outputs.agent_groups import group_intervals_table, group_summary
from sim.outputs.call_types import type_intervals_table, type_summary
from sim.outputs.results import Results
from sim.queue.engine import EngineLog

__all__ = ["GROUPS", "SALES_SHARE", "TYPES", "relabelled", "synthetic_replications",
           "two_group_log"]  # fmt: skip

TYPES = ("sales", "service")
GROUPS = ("english", "bilingual")
#: share of the issues relabelled ``sales``
SALES_SHARE = 0.4
#: service-level threshold (s) and target of each type
THRESHOLDS, TARGETS = (20.0, 60.0), (0.8, 0.7)


def relabelled(calls: pd.DataFrame, seed: int = 5, share: float = 0.5) -> pd.DataFrame:
    """``calls`` with two call types (drawn per issue, ``sales`` with probability
    ``share``: an issue's attempts share its type) and two agent groups (``english``:
    even agent ids, ``bilingual``: odd ones)."""
    out = calls.copy()
    draw = np.random.default_rng(seed).random(len(out)) >= share  # True: service
    kind = draw[out["issue_id"].to_numpy()].astype(np.int8)
    out["call_type"] = pd.Categorical.from_codes(kind, categories=list(TYPES))
    answered = (out["outcome"] == "answered").to_numpy()
    group = np.where(answered, out["agent_id"].to_numpy() % 2, -1).astype(np.int8)
    out["agent_group"] = pd.Categorical.from_codes(group, categories=list(GROUPS))
    return out


def two_group_log(log: EngineLog) -> EngineLog:
    """The staff log as two groups' step functions that add up to it: each change of the
    count gives group 0 the larger half and group 1 the rest, at the same time. With
    constant staffing of n agents (ids 0 .. n-1 all day) the even ids are the larger
    half, so a group's busy time (by agent id) fits its presence; with staffing that
    changes, ids are not reused in that order and only the totals fit."""
    c = log.staff_present.astype(np.int64)
    present = np.stack([(c + 1) // 2, c // 2], axis=1).ravel().astype(np.int32)
    return replace(
        log,
        staff_time_s=np.repeat(log.staff_time_s, 2),
        staff_present=present,
        staff_group=np.tile(np.array([0, 1], np.uint8), len(c)),
    )


def synthetic_results(model: CallCenter, replication: int) -> Results:
    """One replication of ``model`` with its calls relabelled (:func:`relabelled`,
    ``sales`` :data:`SALES_SHARE` of the issues) and its staff log split in two."""
    engine = model.engine(replication)
    log = engine.run()
    expected = model.expected_calls(engine.fresh)
    res = model.tabulate(log, replication, expected)
    calls = relabelled(res.calls, seed=replication, share=SALES_SHARE)
    log2 = two_group_log(log)
    tt = model.timetable
    on = np.broadcast_to(model.on_phone, (tt.days, tt.n_intervals)).astype(float)
    scheduled = np.stack([np.ceil(on / 2), np.floor(on / 2)])
    by_type = np.stack([SALES_SHARE * expected, (1 - SALES_SHARE) * expected])
    res.calls = calls
    res.intervals_by_type = type_intervals_table(calls, tt, TYPES, THRESHOLDS, TARGETS, by_type)
    res.summary_by_type = type_summary(calls, tt, TYPES, THRESHOLDS)
    res.intervals_by_group = group_intervals_table(calls, log2, tt, GROUPS, scheduled)
    res.summary_by_group = group_summary(calls, log2, GROUPS, model.config.run.warmup_s)
    return res


def synthetic_replications(config: Any, replications: int = 3) -> Replications:
    """:func:`synthetic_results` of replications 0 .. ``replications`` - 1, combined as
    :func:`sim.model.runner.replicate` does."""
    model = CallCenter(config)
    results = [synthetic_results(model, r) for r in range(replications)]
    for res in results[1:]:
        res.calls = res.calls.iloc[0:0]
    return combine(model.config, results)
