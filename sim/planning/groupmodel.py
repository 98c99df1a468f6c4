"""A multi-skill centre simulated with agents per group and interval from a plan.

The planning model of :mod:`sim.planning.planmodel` is one FCFS queue; several call
types and agent groups need the router. :class:`GroupModel` runs callsim's engine
(:class:`~sim.model.callcenter.CallCenter`, with the
:class:`~sim.queue.skill_router.SkillRouter`) on the scenario with each group's agents
per interval replaced by a plan, and counts per call type and interval what the
planning KPIs need.

Common random numbers: a replication's callers (arrival, type, patience, handle time)
come from the named streams of :mod:`sim.core.rng` and do not depend on the agents, so
every plan simulated on replication ``r`` sees the same callers
(``tests/planning/test_groupplan.py`` checks it).

:func:`group_model` refuses a centre the planning model would refuse (research layers
on, ``center.after_close`` not ``drain``), a centre of one queue (``callsim plan``
plans it with the single-queue tools) and shifts (groups are staffed by counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.config.skills import is_multi
from sim.config.validation import load_scenario
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.model.callcenter import CallCenter
from sim.outputs.metrics import calls_table
from sim.outputs.tally import tally
from sim.planning.planmodel import interval_kpis, research_layers

__all__ = ["GroupModel", "group_model", "type_kpis"]


@dataclass(frozen=True, eq=False)
class GroupModel:
    """A multi-skill scenario whose groups' agents a plan replaces.

    Plans are arrays of agents per group and forecast row, shape (groups, rows), where
    the rows are the timetable's intervals day-major (``day * n_intervals + interval``).
    """

    scenario: Scenario

    @property
    def n_rows(self) -> int:
        """Planning intervals (days x intervals of the timetable)."""
        tt = self.scenario.timetable
        return tt.days * tt.n_intervals

    @property
    def n_groups(self) -> int:
        """Agent groups."""
        return len(self.scenario.agent_groups)

    @property
    def n_types(self) -> int:
        """Call types."""
        return len(self.scenario.call_types)

    @property
    def planned(self) -> tuple[bool, ...]:
        """Per call type, whether the plan must meet its target: every type but the
        callback types (their callers' service is the parent type's; the simulation
        serves their work, :mod:`sim.planning.skillformulas`)."""
        return tuple(t.callback_of is None for t in self.scenario.call_types)

    @property
    def interval_s(self) -> float:
        """Interval length, seconds."""
        return float(self.scenario.timetable.interval_s)

    @property
    def current(self) -> np.ndarray:
        """The scenario's own agents per group and row, (groups, rows)."""
        return np.stack([g.staffing.reshape(-1) for g in self.scenario.agent_groups])

    def with_plan(self, plan: np.ndarray) -> Scenario:
        """The scenario with ``plan`` (groups, rows) as the groups' agents. Raises
        ValueError for a plan of the wrong shape or with negative agents."""
        p = np.asarray(plan, dtype=np.int64)
        if p.shape != (self.n_groups, self.n_rows):
            raise ValueError(f"plan has shape {p.shape}; need (groups, rows) = "
                             f"{(self.n_groups, self.n_rows)}")  # fmt: skip
        if p.size and p.min() < 0:
            raise ValueError("plan: agents must be >= 0")
        tt = self.scenario.timetable
        shaped = p.reshape(self.n_groups, tt.days, tt.n_intervals)
        # the planning model has no agent layer: on the phones = the counts
        groups = tuple(replace(g, staffing=shaped[j].copy(), on_phone=shaped[j].copy())
                       for j, g in enumerate(self.scenario.agent_groups))  # fmt: skip
        total = shaped.sum(axis=0)
        return replace(self.scenario, staffing=total, on_phone=total, agent_groups=groups)

    def simulate(self, plans: Sequence[np.ndarray], replications: Sequence[int]) -> np.ndarray:
        """Counters per plan, replication, call type and row: shape (plans, reps, types,
        rows, 7): offered (the service level's base: without the callers who took a
        callback), answered, answered within the type's threshold, abandoned,
        abandoned within it, wait of the answered (s), 0 (no busy time per type); the
        columns :func:`~sim.planning.planmodel.interval_kpis` reads."""
        reps = list(replications)
        out = np.zeros((len(plans), len(reps), self.n_types, self.n_rows, 7))
        names = [t.name for t in self.scenario.call_types]
        groups = [g.name for g in self.scenario.agent_groups]
        threshold = np.array([t.sl_threshold_s for t in self.scenario.call_types])
        cfg = self.scenario.config
        for i, plan in enumerate(plans):
            cc = CallCenter(self.with_plan(plan))
            for j, r in enumerate(reps):
                log = cc.engine(r).run()
                calls = calls_table(log, cc.timetable, cfg.run.warmup_s, names, groups,
                                    cc.experience, release=True)  # fmt: skip
                codes = calls["call_type"].cat.codes.to_numpy()
                t = tally(calls, cc.timetable, threshold, codes, self.n_types)
                # "offered" of the KPIs: the service level's base (sl_offered), which
                # leaves out a caller who took a callback (issue 15); without
                # callbacks it is the offered count, bit for bit
                keys = ("sl_offered", "answered", "answered_within_sl", "abandoned",
                        "abandoned_within_sl", "wait_answered")  # fmt: skip
                for c, key in enumerate(keys):
                    out[i, j, :, :, c] = t[key][:, : self.n_rows]
        return out


def type_kpis(counts: np.ndarray, interval_s: float) -> list[pd.DataFrame]:
    """Per call type, the KPIs per row with 95% CIs (:func:`interval_kpis`; its
    occupancy columns are meaningless per type and dropped): ``counts`` is one plan's
    (reps, types, rows, 7) of :meth:`GroupModel.simulate`."""
    out = []
    for k in range(counts.shape[1]):
        kp = interval_kpis(counts[:, k], np.ones(counts.shape[2]), interval_s)
        out.append(kp.drop(columns=[c for c in kp.columns if c.startswith("occupancy")]))
    return out


def group_model(cfg: Config | Scenario) -> GroupModel:
    """The :class:`GroupModel` of a multi-skill centre; :class:`ConfigError` for a centre
    of one queue, research layers on, ``center.after_close`` other than ``drain``,
    shifts, or a replayed trace (module docstring)."""
    sc = cfg if isinstance(cfg, Scenario) else load_scenario(cfg)
    c = sc.config
    if not is_multi(sc.call_types, sc.agent_groups):
        raise ConfigError("call_types / agent_groups: the centre has one queue and one group; "
                          "plan it with `callsim plan` (single-queue tools)", "agent_groups")  # fmt: skip
    on = research_layers(c)
    if on:
        raise ConfigError(f"{on[0]}: planning simulates offered calls only; use model=planning",
                          on[0].split(" ")[0])  # fmt: skip
    if c.center.after_close != "drain":
        raise ConfigError(f"center.after_close = {c.center.after_close!r}: planning needs "
                          "'drain' (agents finish the queue after closing)",
                          "center.after_close")  # fmt: skip
    if sc.shifts is not None:
        raise ConfigError("staffing.shifts: planning several groups staffs them by counts "
                          "(agent_groups[].agents); remove the shifts", "staffing.shifts")  # fmt: skip
    if sc.trace is not None:
        raise ConfigError("center.arrivals = 'trace': planning needs a forecast, not a "
                          "replayed call log", "center.arrivals")  # fmt: skip
    return GroupModel(sc)
