"""The planning model of one queue with callbacks (virtual hold): the engine serves them.

A centre with ``callbacks.enabled`` and one inbound call type served by one agent group
(``scenario=callback_offered``) has a second call type, ``<type>_callback``
(:mod:`sim.config.callbacks`): the centre's own outbound work, served by the same
agents. The planner treats it so (docs/background/plan-groups.md, "With callbacks"):

* the **formulas** plan the inbound calls on one pool: the forecast's calls are the
  fresh calls, and a caller who accepts a callback is one of them, so the callback's
  work is already in the forecast (planning it again would count it twice);
* the **simulation** cannot use the compiled FCFS queue of
  :mod:`sim.planning.planmodel`, which knows no callbacks: :class:`CallbackModel` runs
  callsim's engine (:class:`~sim.model.callcenter.CallCenter`, through
  :class:`~sim.planning.groupmodel.GroupModel`) with the plan's agents, so the agents
  serve the callbacks (dials of unreached attempts included) from the same pool, and
  counts what the planning KPIs need for the **inbound** calls.

:meth:`CallbackModel.simulate` returns the counters of
:meth:`~sim.planning.planmodel.PlanningModel.simulate` (the :class:`~sim.planning.
planmodel.QueueModel` protocol), so the simulation planner, ``simulate-plan``,
``marginal`` and the profit curve take it as they take the planning model. Per row:
offered (the service level's base: the inbound callers who stayed on the line, a
caller who took a callback left it, docs/background/metrics.md), answered, answered
within T, abandoned, abandoned within T, wait of the answered (s), and the agents'
busy time in the interval (s: inbound calls, callbacks and unreached dials), so the
occupancy is the pool's.

Common random numbers: a replication's callers come from the named streams of
:mod:`sim.core.rng` and do not depend on the agents (:mod:`sim.planning.groupmodel`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.config.scenario import Scenario
from sim.core.checks import ConfigError
from sim.model.callcenter import CallCenter
from sim.outputs.metrics import calls_table
from sim.outputs.tally import answered_spans, cumulative_busy, interval_grid, tally
from sim.planning.forecast import Forecast
from sim.planning.groupmodel import GroupModel, group_model
from sim.planning.planmodel import DrawCache

__all__ = ["CallbackModel", "callback_model", "is_callback_queue"]


def is_callback_queue(scenario: Scenario) -> bool:
    """Whether ``scenario`` is one queue with callbacks: one inbound voice type, every
    other type a callback type, one agent group without overflow delays or handle-time
    factors (the single-queue planner plans it, :class:`CallbackModel` simulates it)."""
    types, groups = scenario.call_types, scenario.agent_groups
    inbound = [t for t in types if t.callback_of is None]
    if len(inbound) != 1 or len(types) == 1 or len(groups) != 1:
        return False
    g = groups[0]
    return (
        all(t.channel == "voice" for t in types)
        and not any(d > 0 for d in g.overflow_after_s.values())
        and all(f == 1.0 for f in g.handle_factor.values())
    )


@dataclass(frozen=True, eq=False)
class CallbackModel:
    """One queue with callbacks, simulated by the engine with agents per forecast row.

    ``groups``: the scenario as a :class:`GroupModel` (one group); ``forecast``: the
    centre's own forecast (:func:`~sim.planning.forecast.forecast_from_config`), one
    row per day and interval of the timetable; ``threshold_s``: service-level
    threshold T of the counters, seconds.
    """

    groups: GroupModel
    forecast: Forecast
    threshold_s: float

    @property
    def n_intervals(self) -> int:
        """Forecast rows (days x intervals of the timetable)."""
        return len(self.forecast.table)

    @property
    def inbound(self) -> int:
        """Index of the inbound call type."""
        return next(k for k, t in enumerate(self.groups.scenario.call_types)
                    if t.callback_of is None)  # fmt: skip

    def simulate(self, plans: Sequence[np.ndarray], replications: range | Sequence[int],
                 cache: DrawCache | None = None) -> np.ndarray:  # fmt: skip
        """Counters per plan, replication and row of the inbound calls, shape ``(plans,
        reps, rows, 7)`` (module docstring). ``plans``: agents per row (>= 0 integers);
        ``cache`` is accepted for the protocol and unused (the engine draws each run)."""
        sc = self.groups.scenario
        reps = list(replications)
        rows = self.n_intervals
        names = [t.name for t in sc.call_types]
        group_names = [g.name for g in sc.agent_groups]
        _, ends = interval_grid(sc.timetable)
        starts = ends - sc.timetable.interval_s
        at = np.sort(np.concatenate([starts, ends]))
        k = self.inbound
        out = np.zeros((len(plans), len(reps), rows, 7))
        for i, plan in enumerate(plans):
            cc = CallCenter(self.groups.with_plan(np.asarray(plan, dtype=np.int64)[None, :]))
            for j, r in enumerate(reps):
                log = cc.engine(r).run()
                calls = calls_table(log, cc.timetable, sc.config.run.warmup_s, names,
                                    group_names, cc.experience, release=True)  # fmt: skip
                codes = calls["call_type"].cat.codes.to_numpy()
                t = tally(calls, cc.timetable, self.threshold_s, codes, len(names))
                keys = ("sl_offered", "answered", "answered_within_sl", "abandoned",
                        "abandoned_within_sl", "wait_answered")  # fmt: skip
                for c, key in enumerate(keys):
                    out[i, j, :, c] = t[key][k, :rows]
                s, e = answered_spans(calls)  # every call the pool served, callbacks too
                cum = cumulative_busy(s, e, at)
                out[i, j, :, 6] = (cum[np.searchsorted(at, ends)]
                                   - cum[np.searchsorted(at, starts)])  # fmt: skip
        return out


def callback_model(scenario: Scenario, forecast: Forecast, threshold_s: float) -> CallbackModel:
    """The :class:`CallbackModel` of a centre with callbacks (:func:`is_callback_queue`).

    ``forecast`` must be the centre's own (same intervals): the engine simulates the
    centre's forecast. Raises :class:`ConfigError` (one line) for a centre that is not
    one queue with callbacks, for what :func:`~sim.planning.groupmodel.group_model`
    refuses (research layers on, ``center.after_close`` not ``drain``, shifts, a
    trace), and for a forecast of another length."""
    if not is_callback_queue(scenario):
        raise ConfigError("callbacks.enabled: the callback planning model is for one inbound "
                          "call type and one agent group", "callbacks.enabled")  # fmt: skip
    groups = group_model(scenario)
    if len(forecast.table) != groups.n_rows:
        raise ConfigError(f"forecast: {len(forecast.table)} intervals, the centre has "
                          f"{groups.n_rows}: a centre with callbacks is simulated on its own "
                          "forecast", "forecast")  # fmt: skip
    return CallbackModel(groups=groups, forecast=forecast, threshold_s=float(threshold_s))
