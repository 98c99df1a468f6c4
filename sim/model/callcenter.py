"""The call-centre model: builds the parts of a scenario from its config and runs it.

``CallCenter(config).run(replication)`` is one replication; :func:`simulate` is the
notebook-friendly shortcut. The model owns its random numbers (:class:`~sim.core.rng.Streams`
from ``run.seed`` and the replication index), so the same config and replication give
the same tables bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig

from sim.config.validation import build_distribution, load_config
from sim.core.rng import Streams
from sim.core.schema import Config
from sim.core.timetable import Timetable, parse_clock
from sim.customers.experience import ExperienceRule
from sim.customers.journey import Journey
from sim.outputs.days import days_summary, days_table
from sim.outputs.metrics import calls_table, intervals_table, summarize
from sim.outputs.results import Results
from sim.queue.arrivals import ArrivalForecast, FreshCalls
from sim.queue.engine import Engine, EngineLog
from sim.queue.redials import RedialPolicy
from sim.workforce.agents import Workforce, empty_agents_table
from sim.workforce.shifts import parse_roster, parse_shifts, rostered_seconds

__all__ = ["CallCenter", "ConfigLike", "simulate"]

ConfigLike = Config | Mapping[str, Any] | DictConfig | str | Path | None


class CallCenter:
    """One scenario, validated and assembled; run it once per replication."""

    def __init__(self, config: ConfigLike = None) -> None:
        self.config = cfg = load_config(config)
        c = cfg.center
        self.timetable = Timetable(
            open_s=parse_clock(c.open_time),
            close_s=parse_clock(c.close_time),
            interval_s=c.interval_min * 60.0,
            days=cfg.run.days,
            start_weekday=c.start_weekday,
        )
        k = self.timetable.n_intervals
        self.profile = np.full(k, 1.0 / k) if c.profile is None else np.asarray(c.profile, float)
        agents = cfg.staffing.agents
        days = cfg.run.days
        if isinstance(agents, int):
            agents = [agents] * k
        per_day = (
            [list(a) for a in agents] if isinstance(agents[0], list) else [list(agents)] * days
        )
        #: agents scheduled per day and interval, shape (days, intervals)
        self.staffing = np.asarray(per_day, dtype=np.int64)
        wf = cfg.workforce
        self.shifts = None if cfg.staffing.shifts is None else parse_shifts(cfg.staffing.shifts)
        self.roster = (
            None
            if self.shifts is None
            else parse_roster(cfg.staffing.roster, self.shifts, cfg.run.days)
        )
        #: agents scheduled on the phones per day and interval: the staffing less the
        #: off-phone share, or (shifts) the rostered agents less scheduled breaks, on
        #: average over the interval
        self.on_phone: np.ndarray = self.staffing
        if self.shifts is not None and self.roster is not None:
            self.on_phone = np.stack(
                [
                    rostered_seconds(self.shifts, self.roster[d], self.timetable, d, True)
                    / self.timetable.interval_s
                    for d in range(days)
                ]
            )
        elif wf.enabled and wf.offphone_share > 0:
            self.on_phone = np.rint(self.staffing * (1.0 - wf.offphone_share)).astype(np.int64)
        self.forecast = ArrivalForecast(
            timetable=self.timetable,
            volume_per_day=float(c.volume_per_day),
            profile=tuple(self.profile.tolist()),
            day_of_week_factors=tuple(float(f) for f in c.day_of_week_factors),
            busyness_var=float(c.busyness_var),
            matrix=None
            if c.expected_calls is None
            else tuple(tuple(float(x) for x in row) for row in c.expected_calls),
        )
        self.patience = build_distribution(cfg.patience, "patience")
        self.talk = build_distribution(cfg.service.talk, "service.talk")
        self.acw = build_distribution(cfg.service.acw, "service.acw")
        self.redial_delay = build_distribution(cfg.redials.delay, "redials.delay")
        self.recontact_delay = build_distribution(
            cfg.resolution.recontact_delay, "resolution.recontact_delay"
        )
        self.experience = ExperienceRule(cfg.experience)

    def streams(self, replication: int) -> Streams:
        """The random streams of ``replication``."""
        return Streams(self.config.run.seed, replication)

    def fresh_calls(self, streams: Streams) -> FreshCalls:
        """The fresh-call generator of a replication (exposed for the textbook test)."""
        return FreshCalls(self.forecast, self.patience, self.talk, self.acw, streams)

    def engine(self, replication: int = 0) -> Engine:
        """The engine of ``replication``, ready to run."""
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
        )
        return Engine(
            timetable=self.timetable,
            staffing=np.ceil(self.on_phone).astype(np.int64),
            fresh=self.fresh_calls(streams),
            redials=redials,
            lines=cfg.queue.lines,
            max_waiting=cfg.queue.max_waiting,
            drain=cfg.center.after_close == "drain",
            journey=self.journey(streams),
            workforce=self.workforce(streams),
        )

    def workforce(self, streams: Streams) -> Workforce | None:
        """The agents as individuals (``workforce.enabled``), else None (the core's
        identical, anonymous agents)."""
        if not self.config.workforce.enabled:
            return None
        return Workforce(
            self.config, self.timetable, self.on_phone, streams, self.shifts, self.roster
        )

    def journey(self, streams: Streams) -> Journey:
        """Issues, resolution and (if ``customers.enabled``) the customer population."""
        cfg = self.config
        population = None
        if cfg.customers.enabled:
            from sim.customers.population import Population

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

    def run(self, replication: int = 0) -> Results:
        """Simulate one replication and compute its tables and KPIs."""
        engine = self.engine(replication)
        log = engine.run()
        jr = engine.journey
        population = None if jr is None else jr.population
        expected = self.expected_calls(engine.fresh, None if jr is None else jr.scales)
        return self.tabulate(log, replication, expected, population, engine.workforce)

    def tabulate(
        self,
        log: EngineLog,
        replication: int,
        expected: np.ndarray,
        population: Any = None,
        workforce: Workforce | None = None,
    ) -> Results:
        """Turn an engine log (and the population it changed) into :class:`Results`."""
        cfg = self.config
        calls = calls_table(
            log,
            self.timetable,
            cfg.run.warmup_s,
            cfg.center.call_type,
            cfg.staffing.group,
            self.experience,
        )
        intervals = intervals_table(
            calls,
            log,
            self.timetable,
            self.on_phone,
            expected,
            cfg.metrics.sl_threshold_s,
            None if workforce is None else workforce.paid,
        )
        summary = summarize(
            calls, log, self.timetable, cfg.run.warmup_s, cfg.metrics.sl_threshold_s
        )
        days = days_table(calls, log, self.timetable, cfg.economics, population, workforce)
        summary.update(days_summary(days, population is not None))
        return Results(
            config=cfg,
            replication=replication,
            calls=calls,
            intervals=intervals,
            days=days,
            summary=summary,
            agents=empty_agents_table() if workforce is None else workforce.agents_table(calls),
        )


def simulate(config: ConfigLike = None, replication: int = 0) -> Results:
    """Simulate one replication of ``config`` (a Config, mapping, DictConfig or YAML path).

    Works without Hydra, e.g. from a notebook::

        import sim
        res = sim.simulate({"staffing": {"agents": 12}, "run": {"days": 2}})
        res.summary["service_level"], res.intervals.head()
    """
    return CallCenter(config).run(replication)
