"""Typed configuration schema of callsim.

Parameters flow one way: YAML (Hydra) -> these dataclasses (validated) -> the model.
The dataclasses are registered in Hydra's ConfigStore (:func:`register_configs`) so
that Hydra type-checks every YAML file and command-line override against them; the
library path (:func:`sim.load_config`) uses the same schema without Hydra.

Units: times inside the engine are **seconds**. Every key says its unit in its name
(``_s`` seconds, ``_min`` minutes, ``_per_s`` per second) or in its comment; clock
times of day are ``"HH:MM"`` strings. Sources of calibrated defaults are cited in the
YAML files under ``sim/config/yaml/`` and in ``docs/reference/config.md``.

Range checks live in :mod:`sim.config.validation`; this module only declares the shape.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

from sim.core.law_schema import (
    DeterministicLaw,
    ExponentialLaw,
    GenesysLaw,
    LawConfig,
    LogNormalLaw,
    law_dict,
)

if TYPE_CHECKING:
    from omegaconf import DictConfig

__all__ = [
    "LAW",
    "LAW_PATHS",
    "AcquisitionConfig",
    "AgentGroupConfig",
    "AttritionConfig",
    "CallTypeConfig",
    "CallbacksConfig",
    "CenterConfig",
    "ChurnConfig",
    "Config",
    "CustomersConfig",
    "EconomicsConfig",
    "ExperienceConfig",
    "FatigueConfig",
    "HiringConfig",
    "LearningConfig",
    "MetricsConfig",
    "OutboundConfig",
    "OutputConfig",
    "QueueConfig",
    "RedialConfig",
    "ResolutionConfig",
    "RoutingConfig",
    "RunConfig",
    "ServiceConfig",
    "StaffingConfig",
    "WordOfMouthConfig",
    "WorkforceConfig",
    "merge_schema",
    "register_configs",
]


if TYPE_CHECKING:
    LawField: TypeAlias = LawConfig
else:
    # OmegaConf has no Union of dataclasses: to OmegaConf (merging YAML files, overrides
    # and dicts) a law's node is an open mapping; sim.config.validation.parse makes it the
    # dataclass of its kind (sim.core.law_schema).
    LawField = Any


#: Metadata of a config field holding a time law (``LAW_PATHS`` lists them).
LAW = MappingProxyType({"law": True})


@dataclass
class CenterConfig:
    """Opening hours, planning intervals and the arrival forecast."""

    name: str = "callsim"  # a label for tables and figures
    open_time: str = "08:00"  # opening time of day, "HH:MM"
    close_time: str = "20:00"  # closing time of day, "HH:MM" ("24:00" allowed)
    interval_min: int = 30  # planning interval length, minutes; divides the opening hours
    volume_per_day: float = 2400.0  # expected fresh calls per day, before day/busyness factors
    profile: list[float] | None = (
        None  # intraday share of the day's calls per interval; null = flat
    )
    day_of_week_factors: list[float] = field(
        default_factory=lambda: [1.0] * 7
    )  # Mon..Sun multipliers
    start_weekday: int = 0  # weekday of day 0: 0 = Monday .. 6 = Sunday
    busyness_var: float = (
        0.0  # variance of the daily gamma busyness factor (mean 1); 0 = plain Poisson
    )
    after_close: str = (
        "drain"  # drain: agents serve the queue after closing; cut: waiting calls end as 'closed'
    )
    call_type: str = "general"  # name of the call type when call_types is empty
    expected_calls: Any = None  # null, or run.days lists of expected fresh calls per
    # interval (from a forecast file): replaces volume_per_day x profile x day factors
    arrivals: str = "forecast"  # forecast: Poisson draws from the forecast; trace: replay
    # the recorded arrival times of trace_file (sim.config.trace, sim.queue.trace)
    trace_file: str | None = None  # with arrivals: trace, a CSV/Parquet file of calls:
    # arrival_s (seconds from 00:00 of day 0), optional handle_s and patience_s (seconds)


@dataclass
class StaffingConfig:
    """Agents on duty: one number for every interval, or a list with one per interval."""

    agents: Any = 10  # int >= 1; or a list of ints >= 0, one per interval (every day the
    # same); or a list of such lists, one per day of the run (e.g. a weekly plan)
    group: str = "agents"  # name of the agent group when agent_groups is empty
    shifts: Any = None  # null, or shift templates (needs workforce.enabled): a list of
    # {name, start "HH:MM", length_h hours (breaks included), breaks: [{after_min, length_min}]}
    roster: Any = None  # with shifts: {shift name: agents on it every day, or a list per day}


@dataclass
class ServiceConfig:
    """Handle time = talk time + after-call work (ACW); the agent is busy for both."""

    talk: LawField = field(  # talk time, seconds
        default_factory=lambda: LogNormalLaw(mean_s=240.0, cv=1.0), metadata=LAW
    )
    acw: LawField = field(  # after-call work, seconds
        default_factory=lambda: DeterministicLaw(value_s=30.0), metadata=LAW
    )


@dataclass
class RedialConfig:
    """Callers who abandoned (or were blocked) and call again later."""

    probability: float = 0.0  # P(an abandoned caller calls again)
    blocked_probability: float = 0.0  # P(a blocked caller calls again)
    delay: LawField = field(  # time from abandoning/being blocked to the next attempt, s
        default_factory=lambda: ExponentialLaw(mean_s=600.0), metadata=LAW
    )
    max_attempts: int = 3  # attempts per caller, the first included


@dataclass
class ResolutionConfig:
    """First-contact resolution and repeat contacts (customer-journey issue).

    The schema default ``fcr = 1`` solves every issue at its first answered contact: no
    repeat calls, the core engine's world. ``sim/config/yaml/resolution/default.yaml`` holds the
    calibrated values.
    """

    fcr: float = 1.0  # P(an answered contact resolves the issue), share
    recontact_probability: float = 0.0  # P(calling again after an unresolved answered contact)
    recontact_delay: LawField = field(  # from the end of an unresolved contact to the
        default_factory=lambda: ExponentialLaw(mean_s=86400.0), metadata=LAW  # repeat call, s
    )
    max_contacts: int = 5  # answered contacts per issue at most, the first included
    empowered_share: float = 0.0  # share of agents empowered to fix issues on the spot
    empowerment_uplift: float = 0.0  # FCR added when an empowered agent answers (share)


@dataclass
class ExperienceConfig:
    """How each contact attempt is rated, and how an issue is remembered (peak-end rule)."""

    good_wait_share: float = 0.25  # resolved after waiting <= this share of own patience: good
    bad_wait_share: float = 0.75  # answered after waiting > this share of own patience: bad
    discourtesy_probability: float = 0.0  # P(an answered contact is discourteous: rated bad)
    peak_weight: float = 0.5  # weight of the most intense contact in the memory of an issue
    end_weight: float = 0.5  # weight of the last contact in the memory of an issue


@dataclass
class ChurnConfig:
    """Customers leaving: after bad issues (PwC, seed 003), and for other reasons."""

    after_one: float = 0.17  # P(leave after the first bad experience); PwC via seed 003
    after_several: float = 0.59  # P(gone after `several` bad experiences); PwC via seed 003
    several: int = 3  # how many bad experiences "several" means
    shape: str = "escalating"  # escalating (meets both targets) | constant (meets after_one)
    background_per_year: float = 0.10  # share leaving per year for reasons unrelated to service
    forgetting_per_day: float = 0.0  # daily decay rate of the remembered count of bad issues
    per_negative_message: float = 0.0  # P(leave) added by each negative message heard


@dataclass
class WordOfMouthConfig:
    """Telling others after an issue (HBR, seed 004; or the 2014 survey, seed 000)."""

    tell_bad: float = 0.65  # P(tell others after a bad issue)
    tell_good: float = 0.25  # P(tell others after a good issue)
    listeners_bad_mean: float = 12.77  # mean listeners per teller of a bad issue (geometric, >= 1)
    listeners_good_mean: float = 6.64  # mean listeners per teller of a good issue (geometric, >= 1)
    retell_bad: float = 0.0  # P(a listener passes a bad story on once more); anger spreads
    retell_good: float = 0.0  # P(a listener passes a good story on once more)
    memory_days: float = 90.0  # mean lifetime of a heard message in people's minds, days


@dataclass
class AcquisitionConfig:
    """Prospects becoming customers: a Bass rule modulated by word of mouth."""

    innovation_per_year: float = 0.03  # Bass p, per year (Sultan, Farley & Lehmann 1990)
    imitation_per_year: float = 0.38  # Bass q, per year (Sultan, Farley & Lehmann 1990)
    positive_effect: float = 0.5  # adoption hazard x exp(+this x positive messages held)
    negative_effect: float = 1.0  # adoption hazard x exp(-this x negative messages held)


@dataclass
class CustomersConfig:
    """The customer base behind the calls (customer-journey issue)."""

    enabled: bool = False  # track customers (issues, experience, churn, word of mouth)
    feedback: bool = False  # fresh-call volume follows the active base (else the forecast stands)
    initial: int = 50_000  # active customers on day 0
    market_size: int = 200_000  # customers + prospects (lost customers stay lost)
    value_per_day: float = 1.5  # revenue per active customer per day, currency units
    tenure_uplift: float = 0.67  # extra revenue of customers past `loyal_after_days`; seed 002
    loyal_after_days: int = 365  # tenure from which the uplift applies, days
    initial_tenure_max_days: int = 1095  # day-0 customers' tenure is uniform on [0, this], days
    churn: ChurnConfig = field(default_factory=ChurnConfig)
    wom: WordOfMouthConfig = field(default_factory=WordOfMouthConfig)
    acquisition: AcquisitionConfig = field(default_factory=AcquisitionConfig)


@dataclass
class EconomicsConfig:
    """Money: what agents cost and what customers are worth."""

    agent_cost_per_hour: float = 30.0  # loaded cost of one agent present for one hour
    currency: str = "EUR"  # label only


@dataclass
class FatigueConfig:
    """Fatigue of each agent, in [0, 1]: rises while busy, falls while idle or on a break.

    Between events it moves exponentially towards 1 while the agent is busy (time
    constant ``busy_time_constant_min``) and towards 0 otherwise (``rest_time_constant_min``),
    so long stretches of back-to-back calls (high occupancy) build it up and idle time
    and breaks bring it down. docs/background/agents.md gives the model and rationale.
    """

    enabled: bool = False  # fatigue changes handle time, FCR and courtesy
    busy_time_constant_min: float = 240.0  # minutes of continuous talk to reach 63% fatigue
    rest_time_constant_min: float = 20.0  # minutes idle or on a break to shed 63% of it
    handle_effect: float = 0.15  # handle time x (1 + this x fatigue)
    fcr_effect: float = 0.10  # P(resolve) - this x fatigue (share)
    discourtesy_effect: float = 0.10  # P(discourteous contact) + this x fatigue (share)


@dataclass
class LearningConfig:
    """New agents are slower and resolve less; the gap closes exponentially with tenure."""

    enabled: bool = False  # tenure changes handle time and FCR
    new_handle_factor: float = 1.3  # handle time of a first-day agent / a proficient one
    new_fcr_gap: float = 0.10  # FCR of a first-day agent is lower by this (share)
    time_constant_days: float = 45.0  # days of tenure for the gaps to shrink to 37%


@dataclass
class AttritionConfig:
    """Agents quitting: a daily hazard raised by trailing occupancy and fatigue."""

    enabled: bool = False  # agents quit (at the end of a day; never mid-call)
    annual_rate: float = 0.35  # share quitting per year at the reference occupancy, no fatigue
    reference_occupancy: float = 0.835  # trailing occupancy at which (with reference_fatigue)
    reference_fatigue: float = 0.27  # trailing fatigue, the hazard is annual_rate's
    occupancy_effect: float = 8.0  # hazard x exp(this x (trailing occupancy - reference))
    fatigue_effect: float = 2.0  # hazard x exp(this x (trailing mean fatigue - reference))
    empowered_factor: float = 0.75  # hazard x this for empowered agents (seed 001)
    window_days: float = 14.0  # time constant of the trailing averages, days


@dataclass
class HiringConfig:
    """Vacancies left by quits are refilled after a lag plus training."""

    enabled: bool = True  # refill every vacancy (else headcount only falls)
    lag_days: int = 30  # days from a quit to the replacement's first day of training
    training_days: int = 30  # days of training before the new agent takes calls
    cost_per_hire: float = 6000.0  # recruiting + training cost of one hire, currency units


@dataclass
class WorkforceConfig:
    """Agents as individuals: absence, off-phone time, empowerment, fatigue, learning,
    attrition and hiring (agent-workload issue). Off (``enabled: false``), agents are the
    core engine's identical servers and ``staffing`` is all there is."""

    enabled: bool = False  # track each agent (the agents table; needed by every key below)
    headcount: int | None = None  # agents employed on day 0; null = enough for the schedule
    absence_probability: float = 0.0  # P(an agent is absent on a given day): sickness etc.
    offphone_share: float = 0.0  # share of scheduled agents off the phones (meetings,
    # training) with staffing.agents; with shifts, put such time into the shifts' breaks
    initial_tenure_mean_days: float = 850.0  # day-0 agents' tenure: exponential, this mean
    empowered_handle_factor: float = 1.0  # handle time x this for empowered agents
    empowered_fatigue_factor: float = 1.0  # fatigue build-up x this for empowered agents
    fatigue: FatigueConfig = field(default_factory=FatigueConfig)
    learning: LearningConfig = field(default_factory=LearningConfig)
    attrition: AttritionConfig = field(default_factory=AttritionConfig)
    hiring: HiringConfig = field(default_factory=HiringConfig)


@dataclass
class QueueConfig:
    """Capacity limits. Null means unlimited."""

    lines: int | None = None  # max calls in the centre (talking + waiting); more are blocked
    max_waiting: int | None = None  # max calls waiting; more are blocked


@dataclass
class MetricsConfig:
    """How KPIs are computed (see docs/background/metrics.md)."""

    sl_threshold_s: float = 20.0  # service-level threshold T, seconds
    sl_target: float = 0.80  # target share answered within T (shown in reports)
    confidence: float = 0.95  # confidence level of intervals over replications


@dataclass
class OutputConfig:
    """What a CLI run writes into its results folder."""

    calls_table: bool = True  # write the per-call table (Parquet)
    csv_max_rows: int = 200_000  # also write CSV copies of tables up to this many rows; 0 = never
    figures: bool = True  # draw the per-interval figures


@dataclass
class RunConfig:
    """Horizon, replications and seeds."""

    name: str = "baseline"  # results go to results/<name>/<timestamp>/
    days: int = 1  # simulated days
    warmup_s: float = (
        0.0  # calls arriving before this time (seconds from day 0 00:00) are not counted
    )
    replications: int = 1  # independent replications (streams spawned from seed)
    workers: int = 0  # processes for replications; 1 = in this process, 0 = auto (sim.model.runner)
    seed: int = 20261123  # root seed of numpy SeedSequence
    force: bool = False  # run even if the size estimate says it cannot fit (sim.config.size)


@dataclass
class OutboundConfig:
    """The campaign of a call type with ``channel: outbound`` (issue 15): records the
    agents dial when no inbound call waits (docs/background/channels.md)."""

    list_size: float = 0.0  # records on the campaign list at the first day's opening
    # (records, a whole number >= 0; .inf = an endless list: there is always a record to dial)
    records_per_day: float = 0.0  # records added to the list at each day's opening
    # (records a day, a whole number >= 0); records not dialed carry over to the next day
    reach_probability: float = 0.3  # P(a dial reaches the right party), share in (0, 1];
    # illustrative (an assumption): measure your dialer's right-party-contact rate
    unreached_s: float = 30.0  # agent time of a dial that reaches nobody (no answer, busy,
    # voicemail, wrong party), seconds >= 0; illustrative
    retry_delay_s: float = 3600.0  # from an unreached dial to the record's next try, seconds
    max_tries: int = 3  # dials of a record at most (the first included), 1..255; then the
    # record is given up


@dataclass
class CallTypeConfig:
    """One call type (a queue) of a multi-skill centre (``call_types``, issue 14).

    Its fresh calls are ``share`` x the centre's forecast, or its own
    ``expected_calls``; its laws default to the top-level ones.
    """

    name: str = ""  # unique name of the type (the calls table's call_type)
    share: float | None = None  # share of the centre's fresh calls, in [0, 1]; the
    # shares of the types that have one sum to 1
    expected_calls: Any = None  # or run.days lists of expected fresh calls of this type
    # per interval (then share is null)
    patience: Any = None  # a law like the top-level `patience`, seconds; null = that one
    talk: Any = None  # a law like service.talk, seconds; null = service.talk
    acw: Any = None  # a law like service.acw, seconds; null = service.acw
    priority: int = 0  # 0..9, smaller is served first (static, no pre-emption)
    sl_threshold_s: float | None = None  # service-level threshold, seconds; null =
    # metrics.sl_threshold_s
    sl_target: float | None = None  # target share answered within the threshold; null =
    # metrics.sl_target
    channel: str = "voice"  # voice | chat (an agent may hold several sessions,
    # agent_groups[i].max_sessions) | email (deferred work: a backlog that carries over
    # closing and days, patience null = never abandons, sl_threshold_s >= one interval) |
    # outbound (a campaign the agents dial when no call waits: outbound; share null)
    outbound: OutboundConfig | None = None  # the campaign of an outbound type (null for
    # any other channel); its talk and acw are those of a reached call


@dataclass
class AgentGroupConfig:
    """One agent group of a multi-skill centre (``agent_groups``, issue 14)."""

    name: str = ""  # unique name of the group (the calls table's agent_group)
    agents: Any = 10  # agents, like staffing.agents: an int, a list per interval or
    # run.days such lists
    skills: dict[str, Any] = field(default_factory=dict)  # call type -> rank, whole
    # number >= 1 (1 = preferred); a type not named is never served by this group
    overflow_after_s: dict[str, Any] = field(default_factory=dict)  # call type -> seconds
    # a call of that type must have waited before this group may take it; absent = 0
    handle_factor: dict[str, Any] = field(default_factory=dict)  # call type -> factor
    # (> 0, dimensionless) on the handle time when this group serves that type; absent = 1
    shifts: Any = None  # null, or this group's shift templates, like staffing.shifts
    # (needs workforce.enabled); then roster staffs the group and agents is unused
    roster: Any = None  # with shifts: {shift name: agents of this group on it every day,
    # or a list per day}, like staffing.roster
    workforce: Any = None  # null, or overrides of the centre's workforce keys for this
    # group, e.g. {fatigue: {enabled: false}, headcount: 12}; every key but enabled
    max_sessions: int = 1  # chat sessions an agent of this group holds at once (>= 1;
    # > 1 needs a chat skill)
    session_stretch: float = 0.0  # >= 0, dimensionless: a chat session that starts as the
    # agent's m-th held session takes its handle time x (1 + session_stretch x (m - 1))
    reserve_idle: int = 0  # blending (>= 0 agents): an agent of this group takes e-mail
    # only when no call it may take waits and more than this many of the group's agents
    # are idle (itself included)


@dataclass
class RoutingConfig:
    """Who serves whom with several call types and agent groups (issue 14)."""

    agent_choice: str = "longest_idle"  # arriving call: longest_idle (best-ranked group
    # with an idle agent, then the agent idle longest) | random (an eligible group drawn
    # in proportion to its idle agents)
    call_choice: str = "priority"  # freed agent: priority (smallest priority, then
    # longest waiting) | rank (the type the group ranks best, then longest waiting) |
    # longest_wait


@dataclass
class CallbacksConfig:
    """Callbacks (virtual hold, issue 15): offered on arrival when the predicted wait
    reaches a threshold; see docs/background/callbacks.md (Ibrahim and Whitt 2009 for
    the predictors)."""

    enabled: bool = False  # offer callbacks
    call_types: list[str] | None = None  # names of the call types that offer them; null = all
    predictor: str = "queue"  # predicted wait: queue (queue length, with abandonment) | les
    # (the wait of the last call to enter service)
    threshold_s: float = 120.0  # offer when the predicted wait is >= this, seconds
    accept_probability: float = 0.5  # P(an offered caller accepts), share
    accept_by_wait: Any = None  # null, or [[predicted wait s, P(accept)], ...] by rising
    # wait: the P of the last row whose wait <= the predicted wait (replaces accept_probability)
    mode: str = "keep_place"  # keep_place: called back when their place in the line comes
    # up | promised: called back from the promised time on
    promise_s: float | None = None  # promised mode: null = promise the predicted wait; else a
    # fixed delay from the offer, seconds
    priority: str = "first"  # promised mode: first (callbacks before waiting calls) | idle
    # (only when no call of the agent's skills waits)
    reach_probability: float = 1.0  # P(a callback attempt reaches the customer), share
    dial_s: float = 30.0  # agent time of a callback attempt that does not reach, seconds
    retry_delay_s: float = 900.0  # from an unreached attempt to the next one, seconds
    max_tries: int = 3  # callback attempts at most (the first included); then it is given up
    deferral_rating: str = "neutral"  # how the caller rates being deferred: neutral | bad
    # (HBR: "fix it on the spot", not "we will call you back"; seed 004)


@dataclass
class Config:
    """The whole configuration of one scenario."""

    center: CenterConfig = field(default_factory=CenterConfig)
    staffing: StaffingConfig = field(default_factory=StaffingConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    patience: LawField = field(  # how long a caller waits before hanging up, seconds
        default_factory=GenesysLaw, metadata=LAW
    )
    redials: RedialConfig = field(default_factory=RedialConfig)
    resolution: ResolutionConfig = field(default_factory=ResolutionConfig)
    experience: ExperienceConfig = field(default_factory=ExperienceConfig)
    customers: CustomersConfig = field(default_factory=CustomersConfig)
    workforce: WorkforceConfig = field(default_factory=WorkforceConfig)
    economics: EconomicsConfig = field(default_factory=EconomicsConfig)
    queue: QueueConfig = field(default_factory=QueueConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    run: RunConfig = field(default_factory=RunConfig)
    call_types: list[CallTypeConfig] = field(default_factory=list)  # [] = one type from
    # center.* and the top-level laws
    agent_groups: list[AgentGroupConfig] = field(default_factory=list)  # [] = one group
    # from staffing.*
    routing: RoutingConfig = field(default_factory=RoutingConfig)
    callbacks: CallbacksConfig = field(default_factory=CallbacksConfig)


def _law_paths(node: Any, prefix: str = "") -> list[str]:
    paths: list[str] = []
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if f.metadata.get("law"):
            paths.append(prefix + f.name)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            paths += _law_paths(value, f"{prefix}{f.name}.")
    return paths


#: Dotted paths of the time laws of a config (``service.talk``, ..., ``patience``).
LAW_PATHS: tuple[str, ...] = tuple(_law_paths(Config()))


def merge_schema(cfg: Config | None = None, *, empty_laws: bool = False) -> DictConfig:
    """The OmegaConf node that layers of values are merged onto: ``cfg`` (default: the
    schema's defaults) type-checked by the dataclasses, each law an open mapping.

    A law is open because OmegaConf cannot hold one dataclass per kind in one field;
    its keys are checked against its kind when the config is parsed. ``empty_laws``
    leaves each law ``{}`` (the schema registered for Hydra: every group file states
    its laws in full).
    """
    from omegaconf import OmegaConf

    cfg = Config() if cfg is None else cfg
    node = OmegaConf.structured(cfg)
    for path in LAW_PATHS:
        law: Any = cfg
        for part in path.split("."):
            law = getattr(law, part)
        value = {} if empty_laws else dict(law) if isinstance(law, Mapping) else law_dict(law)
        open_law(node, path, value)
    return node


def open_law(node: DictConfig, path: str, value: Mapping[str, Any]) -> None:
    """Set the law at ``path`` of ``node`` to ``value``, an open mapping (any keys)."""
    from omegaconf import OmegaConf

    OmegaConf.update(node, path, dict(value), merge=False)
    OmegaConf.set_struct(OmegaConf.select(node, path), False)


def register_configs() -> None:
    """Register the schema in Hydra's ConfigStore as ``callsim_schema``.

    ``sim/config/yaml/config.yaml`` lists it first in its defaults, so every YAML value and
    every command-line override is merged onto (and type-checked against) it; the
    resolver ``callsim_dirname`` (:func:`sim.core.paths.point_dirname`) makes a sweep
    point's folder name safe. Its laws are empty open mappings
    (:func:`merge_schema`): a group file such as ``service/exponential.yaml`` states
    every key of its laws, and inherits none of the schema's default lognormal.
    """
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    from sim.core.paths import point_dirname

    store = ConfigStore.instance()
    store.store(name="callsim_schema", node=merge_schema(empty_laws=True))
    # hydra.sweep.subdir: ${callsim_dirname:${hydra.job.override_dirname}} (sim.core.paths)
    OmegaConf.register_new_resolver("callsim_dirname", point_dirname, replace=True)
    # the sweeper of `callsim -m`: Hydra's basic one, skipping finished points cheaply
    store.store(
        group="hydra/sweeper",
        name="callsim",
        node={
            "_target_": "hydra_plugins.callsim_sweeper.callsim_sweeper.CallsimSweeper",
            "max_batch_size": None,
            "params": None,
        },
        provider="callsim",
    )
