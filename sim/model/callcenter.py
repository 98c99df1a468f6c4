"""The call-centre model: builds the parts of a scenario from its config and runs it.

``CallCenter(config).run(replication)`` is one replication; :func:`simulate` is the
notebook-friendly shortcut. The model owns its random numbers (:class:`~sim.core.rng.Streams`
from ``run.seed`` and the replication index), so the same config and replication give
the same tables bit for bit.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig

from sim.config.channels import channel_code
from sim.config.scenario import Scenario
from sim.config.skills import AgentGroup, is_multi, type_forecast
from sim.config.validation import load_scenario
from sim.core.rng import Streams, stream_of
from sim.core.schema import Config
from sim.customers.experience import ExperienceRule
from sim.customers.journey import Journey
from sim.customers.population import Population
from sim.model.breakdowns import breakdown_tables
from sim.model.breakdowns import expected_by_type as _expected_by_type
from sim.outputs.callbacks import callback_summary_with_parts, callbacks_table
from sim.outputs.days import days_summary, days_table
from sim.outputs.metrics import calls_table, centre_counts, intervals_table, summarize_with_parts
from sim.outputs.results import Results
from sim.queue.arrivals import CallKind, FreshCalls, TypedFreshCalls
from sim.queue.callbacks import CallbackPlan
from sim.queue.control import Process
from sim.queue.engine import Engine, EngineLog
from sim.queue.outbound import OutboundPlan
from sim.queue.redials import RedialPolicy
from sim.queue.skill_router import SkillPlan
from sim.queue.trace import TraceCalls, TypedTraceCalls
from sim.workforce.agents import Workforce, empty_agents_table
from sim.workforce.groups import WorkGroup

__all__ = ["CallCenter", "ConfigLike", "simulate"]

ConfigLike = Scenario | Config | Mapping[str, Any] | DictConfig | str | Path | None


class CallCenter:
    """One scenario, validated and assembled; run it once per replication.

    ``config`` is anything :func:`sim.config.validation.load_scenario` takes: a parsed
    :class:`~sim.config.scenario.Scenario` (used as it is), a Config, a mapping, a
    DictConfig or a YAML path. Raises :class:`~sim.core.checks.ConfigError`.
    """

    def __init__(self, config: ConfigLike = None) -> None:
        #: the validated config and its parts, parsed once (:mod:`sim.config.scenario`)
        self.scenario = sc = load_scenario(config)
        self.config = sc.config
        self.timetable = sc.timetable
        self.profile = sc.profile
        #: agents scheduled per day and interval, shape (days, intervals)
        self.staffing = sc.staffing
        self.shifts = sc.shifts
        self.roster = sc.roster
        #: agents scheduled on the phones per day and interval: the staffing less the
        #: off-phone share, or (shifts) the rostered agents less scheduled breaks, on
        #: average over the interval
        self.on_phone: np.ndarray = sc.on_phone
        self.forecast = sc.forecast
        # the laws of fresh calls, redials and repeats: with one call type, its own (the
        # top-level ones unless call_types gives it others); with several, each type's
        inbound = sc.inbound_types  # without the callback types (sim.config.callbacks)
        one = inbound[0] if len(inbound) == 1 else sc.laws
        self.patience, self.talk, self.acw = one.patience, one.talk, one.acw
        self.redial_delay = sc.laws.redial_delay
        self.recontact_delay = sc.laws.recontact_delay
        self.experience = ExperienceRule(self.config.experience)
        #: the recorded calls replayed (``center.arrivals: trace``), else None
        self.trace = sc.trace
        #: whether agents may hold several chat sessions at once (busy time merges them)
        self.concurrent = any(g.max_sessions > 1 for g in sc.agent_groups)

    def streams(self, replication: int) -> Streams:
        """The random streams of ``replication``."""
        return Streams(self.config.run.seed, replication)

    def fresh_calls(self, streams: Streams) -> FreshCalls:
        """The fresh-call generator of a replication (exposed for the textbook test)."""
        types = self.scenario.inbound_types
        kinds = [CallKind(t.name, type_forecast(self.forecast, t), t.patience, t.talk, t.acw)
                 for t in types]  # fmt: skip
        if self.trace is not None:
            t = self.trace
            if t.call_type is not None:  # several types: each its own laws and streams
                return TypedTraceCalls(t.arrival_s, t.handle_s, t.patience_s, t.call_type,
                                       self.forecast, kinds, streams)  # fmt: skip
            return TraceCalls(t.arrival_s, t.handle_s, t.patience_s, self.forecast,
                              self.patience, self.talk, self.acw, streams)
        if len(types) > 1:
            return TypedFreshCalls(self.forecast, kinds, streams)
        one = types[0]  # the single-queue model's draws, with the one type's laws
        return FreshCalls(type_forecast(self.forecast, one), one.patience, one.talk, one.acw,
                          streams)  # fmt: skip

    def skill_plan(self, streams: Streams) -> SkillPlan | None:
        """The engine's view of the call types and agent groups (None: one queue)."""
        sc = self.scenario
        types, groups = sc.call_types, sc.agent_groups
        if not is_multi(types, groups):
            return None
        k_ = range(len(types))
        routing = self.config.routing
        return SkillPlan(
            rank=tuple(tuple(g.skills.get(k, 0) for k in k_) for g in groups),
            priority=tuple(t.priority for t in types),
            overflow_s=tuple(tuple(g.overflow_after_s.get(k, 0.0) for k in k_) for g in groups),
            handle_factor=tuple(tuple(g.handle_factor.get(k, 1.0) for k in k_) for g in groups),
            staffing=tuple(_on_phone_counts(g) for g in groups),
            agent_choice=routing.agent_choice,
            call_choice=routing.call_choice,
            rng=streams["routing"] if routing.agent_choice == "random" else None,
            channel=tuple(channel_code(t.channel) for t in types),
            max_sessions=tuple(g.max_sessions for g in groups),
            session_stretch=tuple(g.session_stretch for g in groups),
            reserve_idle=tuple(g.reserve_idle for g in groups),
        )

    def callback_plan(self, streams: Streams) -> CallbackPlan | None:
        """The engine's callbacks with their random streams (None: no callbacks)."""
        plan = self.scenario.callbacks
        if plan is None:
            return None
        return replace(plan, accept_rng=streams["callback_accept"],
                       reach_rng=streams["callback_reach"])  # fmt: skip

    def outbound_plan(self, streams: Streams) -> OutboundPlan | None:
        """The engine's outbound campaigns with their random streams (None: none)."""
        plan = self.scenario.outbound
        if plan is None:
            return None
        return replace(plan, streams=tuple(
            (streams[stream_of("outbound_reach", c.name)], streams[stream_of("outbound_talk", c.name)],
             streams[stream_of("outbound_acw", c.name)])
            for c in plan.campaigns
        ))  # fmt: skip

    def engine(self, replication: int = 0, processes: Sequence[Process] = ()) -> Engine:
        """The engine of ``replication``, ready to run; ``processes``: your own SimPy
        processes to run next to it (:mod:`sim.queue.control`)."""
        return self._parts(replication, processes)[0]

    def _parts(
        self, replication: int, processes: Sequence[Process]
    ) -> tuple[Engine, Journey, Workforce | None]:
        """The engine of ``replication`` and the journey and workforce it calls."""
        cfg = self.config
        streams = self.streams(replication)
        redials = RedialPolicy(
            probability=cfg.redials.probability,
            blocked_probability=cfg.redials.blocked_probability,
            max_attempts=cfg.redials.max_attempts,
            delay=self.redial_delay,
            patience=self.patience,
            talk=self.talk,
            acw=self.acw,
            streams=streams,
            kinds=[(t.name, t.patience, t.talk, t.acw) for t in self.scenario.inbound_types],
        )
        fresh = self.fresh_calls(streams)
        journey = self.journey(streams)
        workforce = self.workforce(streams)
        engine = Engine(
            timetable=self.timetable,
            staffing=np.ceil(self.on_phone).astype(np.int64),
            fresh=fresh,
            redials=redials,
            lines=cfg.queue.lines,
            max_waiting=cfg.queue.max_waiting,
            drain=cfg.center.after_close == "drain",
            journey=journey,
            workforce=workforce,
            processes=processes,
            skills=self.skill_plan(streams),
            callbacks=self.callback_plan(streams),
            outbound=self.outbound_plan(streams),
        )
        return engine, journey, workforce

    def workforce(self, streams: Streams) -> Workforce | None:
        """The agents as individuals (``workforce.enabled``), else None (the core's
        identical, anonymous agents)."""
        if not self.config.workforce.enabled:
            return None
        groups = None
        if self.config.agent_groups:  # each group its own staffing and workforce keys
            groups = tuple(
                WorkGroup(g.workforce or self.config.workforce,
                          g.staffing if g.on_phone is None else g.on_phone, g.shifts, g.roster,
                          g.name)
                for g in self.scenario.agent_groups
            )  # fmt: skip
        return Workforce(
            self.config, self.timetable, self.on_phone, streams, self.shifts, self.roster, groups
        )

    def journey(self, streams: Streams) -> Journey:
        """Issues, resolution and (if ``customers.enabled``) the customer population."""
        cfg = self.config
        population = None
        if cfg.customers.enabled:
            population = Population(cfg.customers, streams)
        return Journey(
            cfg,
            self.timetable,
            self.profile,
            self.recontact_delay,
            self.patience,
            self.talk,
            self.acw,
            streams,
            population,
        )

    def expected_calls(self, fresh: FreshCalls, scales: list[float] | None = None) -> np.ndarray:
        """Expected fresh calls per day and interval, (days, k): forecast x busyness x the
        day's volume factor (``scales``: the customer base's, with ``customers.feedback``)."""
        days = self.timetable.days
        factor = scales if scales else [1.0] * days
        return np.stack(
            [self.forecast.expected(d) * fresh.busyness[d] * factor[d] for d in range(days)]
        )

    def run(self, replication: int = 0, processes: Sequence[Process] = ()) -> Results:
        """Simulate one replication and compute its tables and KPIs; ``processes``: your
        own SimPy processes to run next to the engine (:mod:`sim.queue.control`)."""
        engine, jr, workforce = self._parts(replication, processes)
        log = engine.run()
        fresh, population, scales = engine.fresh, jr.population, jr.scales
        # the engine's event closures (reference cycles) and the journey's per-call
        # buffers go before the calls table is built: a long run needs no second copy
        del engine, jr
        if population is not None:
            population.release_people()  # the tables need its counters only
        gc.collect()
        expected = self.expected_calls(fresh, scales)
        factor = [fresh.busyness[d] * (scales[d] if scales else 1.0) for d in range(len(expected))]
        by_type = _expected_by_type(self.scenario, expected, factor)
        return self.tabulate(
            log,
            replication,
            expected,
            population,
            workforce,
            release=True,
            expected_by_type=by_type,
        )

    def tabulate(
        self,
        log: EngineLog,
        replication: int,
        expected: np.ndarray,
        population: Any = None,
        workforce: Workforce | None = None,
        release: bool = False,
        expected_by_type: np.ndarray | None = None,
    ) -> Results:
        """Turn an engine log (and the population it changed) into :class:`Results`.

        ``release``: the calls table takes the log's per-call columns over (they are
        emptied in ``log`` as it goes, so memory holds one copy of each; see
        :func:`~sim.outputs.metrics.calls_table`). ``expected_by_type``: expected fresh
        calls per call type, day and interval (default: each type's share of ``expected``).
        """
        cfg = self.config
        type_names = [t.name for t in self.scenario.call_types]
        callbacks = callbacks_table(log, self.timetable, cfg.run.warmup_s, type_names)
        calls = calls_table(
            log,
            self.timetable,
            cfg.run.warmup_s,
            type_names,
            [g.name for g in self.scenario.agent_groups],
            self.experience,
            release=release,
            outbound=self.scenario.outbound is not None,
        )
        counts = centre_counts(calls, self.timetable, cfg.metrics.sl_threshold_s, self.concurrent)
        intervals = intervals_table(
            calls,
            log,
            self.timetable,
            self.on_phone,
            expected,
            cfg.metrics.sl_threshold_s,
            None if workforce is None else workforce.paid,
            concurrent=self.concurrent,
            counts=counts,
        )
        summary, parts = summarize_with_parts(
            calls, log, self.timetable, cfg.run.warmup_s, cfg.metrics.sl_threshold_s,
            concurrent=self.concurrent, counts=counts,
        )
        counts.busy.drop_spans()  # (a year: ~100 MB) a single agent group needs the answers only
        cb_summary, cb_parts = callback_summary_with_parts(
            callbacks, calls, cfg.metrics.sl_threshold_s, self.scenario.callbacks is not None)
        days = days_table(calls, log, self.timetable, cfg.economics, population, workforce)
        if expected_by_type is None:
            expected_by_type = _expected_by_type(self.scenario, expected)
        breakdowns = breakdown_tables(self.scenario, calls, log, expected_by_type, counts.busy)
        del counts
        summary.update(days_summary(days, population is not None))
        return Results(
            config=cfg,
            replication=replication,
            calls=calls,
            intervals=intervals,
            days=days,
            summary=summary,
            agents=empty_agents_table() if workforce is None else workforce.agents_table(calls),
            **breakdowns,
            callbacks=callbacks,
            callback_summary=cb_summary,
            ratio_parts={**parts, **cb_parts},
        )


def _on_phone_counts(group: AgentGroup) -> np.ndarray:
    """A group's agents on the phones per day and interval, whole agents (its count
    targets; a group on shifts follows its roster instead)."""
    on = group.staffing if group.on_phone is None else group.on_phone
    return np.asarray(np.ceil(on), dtype=np.int64)


def simulate(config: ConfigLike = None, replication: int = 0) -> Results:
    """Simulate one replication of ``config`` (a Config, mapping, DictConfig or YAML path).

    Works without Hydra, e.g. from a notebook::

        import sim
        res = sim.simulate({"staffing": {"agents": 12}, "run": {"days": 2}})
        res.summary["service_level"], res.intervals.head()
    """
    return CallCenter(config).run(replication)
