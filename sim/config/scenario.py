"""A scenario parsed once: the validated config with every part built from it.

:func:`sim.config.validation.parse` checks a :class:`~sim.core.schema.Config` and, in
the same pass, builds what the model, the oracle and the planners need: the timetable,
the five time laws, the shift templates and roster, the staffing matrices and the
arrival forecast. Everything downstream takes a :class:`Scenario` and re-checks
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.config.skills import AgentGroup, CallType, agents_matrix, single, type_forecast
from sim.config.trace import Trace
from sim.core.schema import Config
from sim.core.timetable import Timetable
from sim.laws.distributions import Distribution
from sim.queue.arrivals import ArrivalForecast
from sim.queue.callbacks import CallbackPlan
from sim.queue.outbound import OutboundPlan
from sim.workforce.shifts import Shift, rostered_seconds

__all__ = ["Laws", "Scenario", "assemble"]


@dataclass(frozen=True)
class Laws:
    """The time laws of a scenario, seconds."""

    talk: Distribution  # service.talk
    acw: Distribution  # service.acw (after-call work)
    patience: Distribution  # patience
    redial_delay: Distribution  # redials.delay
    recontact_delay: Distribution  # resolution.recontact_delay


@dataclass(frozen=True)
class Scenario:
    """A validated config and its parts, built once (:func:`assemble`)."""

    config: Config
    timetable: Timetable
    laws: Laws
    #: share of a day's fresh calls per interval, shape (intervals,)
    profile: np.ndarray
    #: agents scheduled per day and interval, shape (days, intervals), int64
    staffing: np.ndarray
    #: agents on the phones per day and interval (float with shifts: breaks averaged
    #: over the interval; else the staffing less the off-phone share), (days, intervals)
    on_phone: np.ndarray
    shifts: tuple[Shift, ...] | None
    #: agents on each shift per day, shape (days, shifts), int64
    roster: np.ndarray | None
    forecast: ArrivalForecast
    #: the recorded calls replayed (``center.arrivals: trace``), else None
    trace: Trace | None = None
    #: the call types (at least one; :mod:`sim.config.skills`)
    call_types: tuple[CallType, ...] = ()
    #: the agent groups (at least one); ``staffing`` is their total
    agent_groups: tuple[AgentGroup, ...] = ()
    #: callbacks (``callbacks.enabled``; :mod:`sim.config.callbacks`), else None; its
    #: callback types are the last entries of ``call_types``
    callbacks: CallbackPlan | None = None
    #: outbound campaigns (call types with ``channel: outbound``; :mod:`sim.config.outbound`),
    #: else None (their random streams are set per replication by the model)
    outbound: OutboundPlan | None = None

    @property
    def inbound_types(self) -> tuple[CallType, ...]:
        """The call types callers call in on (``call_types`` without the callback types)."""
        return tuple(t for t in self.call_types if t.callback_of is None)


def _staffing(cfg: Config, k: int) -> np.ndarray:
    if cfg.staffing.shifts is not None:  # the roster staffs the centre; agents is unused
        return np.zeros((cfg.run.days, k), dtype=np.int64)
    return agents_matrix(cfg.staffing.agents, cfg.run.days, k)


def _on_phone(cfg: Config, timetable: Timetable, staffing: np.ndarray,
              shifts: tuple[Shift, ...] | None, roster: np.ndarray | None,
              offphone: float) -> np.ndarray:  # fmt: skip
    """Agents on the phones per day and interval: the roster less scheduled breaks
    (shifts), or the staffing less the off-phone share ``offphone``."""
    if shifts is not None and roster is not None:
        return np.stack(
            [
                rostered_seconds(shifts, roster[d], timetable, d, True) / timetable.interval_s
                for d in range(cfg.run.days)
            ]
        )
    if cfg.workforce.enabled and offphone > 0:
        return np.rint(staffing * (1.0 - offphone)).astype(np.int64)
    return staffing


def _group(g: AgentGroup, agents: object, cfg: Config, timetable: Timetable) -> AgentGroup:
    """A checked agent group with its staffing and agents on the phones built."""
    shape = (cfg.run.days, timetable.n_intervals)
    staffing = (np.zeros(shape, np.int64) if g.shifts is not None
                else agents_matrix(agents, *shape))  # fmt: skip
    offphone = 0.0 if g.workforce is None else float(g.workforce.offphone_share)
    on_phone = _on_phone(cfg, timetable, staffing, g.shifts, g.roster, offphone)
    return replace(g, staffing=staffing, on_phone=on_phone)


def assemble(
    cfg: Config,
    timetable: Timetable,
    laws: Laws,
    shifts: tuple[Shift, ...] | None,
    roster: np.ndarray | None,
    trace: Trace | None = None,
    skills: tuple[tuple[CallType, ...], tuple[AgentGroup, ...]] | None = None,
) -> Scenario:
    """The :class:`Scenario` of a config whose values have been checked (``skills``:
    the call types and agent groups of :func:`sim.config.skills.parse_skills`; None:
    the single queue's)."""
    c, k = cfg.center, timetable.n_intervals
    profile = np.full(k, 1.0 / k) if c.profile is None else np.asarray(c.profile, float)
    if skills is not None and cfg.agent_groups:  # the checked groups' staffing, built now
        built = tuple(_group(g, spec.agents, cfg, timetable)
                      for g, spec in zip(skills[1], cfg.agent_groups, strict=True))  # fmt: skip
        skills = (skills[0], built)
        staffing: np.ndarray = np.asarray(np.sum([g.staffing for g in built], axis=0), np.int64)
        on_phone: np.ndarray = np.sum(
            [g.staffing if g.on_phone is None else g.on_phone for g in built], axis=0
        )
    else:
        staffing = _staffing(cfg, k)
        on_phone = _on_phone(cfg, timetable, staffing, shifts, roster, cfg.workforce.offphone_share)
    matrix = c.expected_calls
    if trace is not None:  # the recorded counts are the "expected" calls
        matrix = trace.counts(timetable).tolist()
    forecast = ArrivalForecast(
        timetable=timetable,
        volume_per_day=float(c.volume_per_day),
        profile=tuple(profile.tolist()),
        day_of_week_factors=tuple(float(f) for f in c.day_of_week_factors),
        busyness_var=float(c.busyness_var),
        matrix=None if matrix is None else tuple(tuple(float(x) for x in row) for row in matrix),
    )
    if skills is None:
        call_types, agent_groups = single(cfg, laws.patience, laws.talk, laws.acw, staffing)
    else:
        call_types, agent_groups = skills
        if trace is not None and trace.call_type is not None:  # each type's recorded calls
            per = trace.counts_by_type(timetable, len(call_types)).astype(float)
            call_types = tuple(replace(t, expected_calls=per[k])
                               for k, t in enumerate(call_types))  # fmt: skip
        if not cfg.agent_groups:  # the one group of staffing.*
            agent_groups = (replace(agent_groups[0], staffing=staffing),)
        if any(t.expected_calls is not None for t in call_types):  # the total forecast
            total = np.sum([type_forecast(forecast, t).expected_matrix() for t in call_types],
                           axis=0)  # fmt: skip
            forecast = replace(forecast, matrix=tuple(tuple(map(float, r)) for r in total))
    return Scenario(
        cfg,
        timetable,
        laws,
        profile,
        staffing,
        on_phone,
        shifts,
        roster,
        forecast,
        trace,
        call_types,
        agent_groups,
    )
