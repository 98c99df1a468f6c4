"""Call types and agent groups of a scenario, parsed (issue 14: several queues and skills).

A scenario always has at least one call type and one agent group. Without the
``call_types`` and ``agent_groups`` config keys there is exactly one of each, built
from ``center.call_type``, the top-level laws, ``metrics`` and ``staffing`` (the
single-queue model); :func:`single` builds them. :func:`parse_skills` checks and builds
the keys ``call_types``, ``agent_groups`` and ``routing`` in the one parse pass of
:func:`sim.config.validation.parse`; every bad value raises a
:class:`~sim.core.checks.ConfigError` naming its key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim.config.channels import CHANNELS, group_channels, type_channels
from sim.config.validation_workforce import group_workforce
from sim.core.checks import ConfigError, bad, choice, integer, non_negative, positive, probability
from sim.core.schema import Config, WorkforceConfig
from sim.laws.distributions import Distribution
from sim.queue.arrivals import ArrivalForecast
from sim.workforce.shifts import Shift, parse_roster, parse_shifts

__all__ = [
    "MAX_PRIORITY",
    "SHARE_TOLERANCE",
    "AgentGroup",
    "CallType",
    "agents_matrix",
    "check_agents",
    "is_multi",
    "parse_skills",
    "single",
    "type_forecast",
]

#: Priorities are whole numbers 0 .. MAX_PRIORITY (smaller is served first).
MAX_PRIORITY = 9
#: Shares of the call types must sum to 1 within this absolute tolerance.
SHARE_TOLERANCE = 1e-6
#: At most this many call types and agent groups (the engine stores them in one byte).
MAX_KINDS = 255

#: build(spec, key) -> Distribution; finite(dist, key, kind) refuses infinite times
Build = Callable[[Mapping[str, Any], str], Distribution]
Finite = Callable[[Distribution, str, str], None]


@dataclass(frozen=True)
class CallType:
    """One call type (a queue): who calls, how patient they are, what service they want."""

    name: str
    share: float  # share of the centre's fresh calls, in [0, 1] (0 with its own matrix)
    priority: int  # smaller is served first (static, no pre-emption)
    sl_threshold_s: float  # service-level threshold T, seconds
    sl_target: float  # target share answered within T
    patience: Distribution  # seconds
    talk: Distribution  # seconds
    acw: Distribution  # seconds (after-call work)
    #: expected fresh calls per day and interval of this type, if given apart from
    #: the centre's (shape (days, intervals)); None: ``share`` x the centre's forecast
    expected_calls: np.ndarray | None = None
    #: the inbound type this callback type calls back (:mod:`sim.config.callbacks`);
    #: None for an inbound type
    callback_of: int | None = None
    #: voice | chat | email (:mod:`sim.config.channels`)
    channel: str = "voice"


@dataclass(frozen=True)
class AgentGroup:
    """One agent group: its staffing and its skills."""

    name: str
    #: agents scheduled per day and interval, shape (days, intervals), int64
    staffing: np.ndarray
    #: call type index -> rank (1 = preferred); a type not in it is never served
    skills: dict[int, int] = field(default_factory=dict)
    #: call type index -> seconds a call of that type must have waited before this
    #: group may take it (overflow); absent: at once
    overflow_after_s: dict[int, float] = field(default_factory=dict)
    #: call type index -> handle time factor when this group serves that type
    handle_factor: dict[int, float] = field(default_factory=dict)
    #: the group's shift templates and roster (days, shifts), or None (counts)
    shifts: tuple[Shift, ...] | None = None
    roster: np.ndarray | None = None
    #: the group's workforce keys (the centre's with its overrides); None: the centre's
    workforce: WorkforceConfig | None = None
    #: agents on the phones per day and interval (float with shifts: breaks averaged
    #: over the interval; else the staffing less the off-phone share); None: ``staffing``
    on_phone: np.ndarray | None = None
    #: chat sessions an agent holds at once (>= 1; :mod:`sim.config.channels`)
    max_sessions: int = 1
    #: a chat session started as the m-th held takes handle x (1 + stretch x (m - 1))
    session_stretch: float = 0.0
    #: blending: e-mail only when more than this many of the group's agents are idle
    reserve_idle: int = 0


def single(
    cfg: Config, patience: Distribution, talk: Distribution, acw: Distribution, staffing: np.ndarray
) -> tuple[tuple[CallType, ...], tuple[AgentGroup, ...]]:
    """The one call type and the one agent group of a single-queue config."""
    kind = CallType(
        name=cfg.center.call_type,
        share=1.0,
        priority=0,
        sl_threshold_s=float(cfg.metrics.sl_threshold_s),
        sl_target=float(cfg.metrics.sl_target),
        patience=patience,
        talk=talk,
        acw=acw,
    )
    group = AgentGroup(name=cfg.staffing.group, staffing=staffing, skills={0: 1})
    return (kind,), (group,)


def is_multi(types: Sequence[CallType], groups: Sequence[AgentGroup]) -> bool:
    """Whether the centre needs the multi-skill engine: several types or groups, an
    overflow delay or a handle-time factor other than 1 (else it is today's one queue)."""
    if len(types) > 1 or len(groups) > 1 or types[0].channel != "voice":
        return True
    g = groups[0]
    return any(d > 0 for d in g.overflow_after_s.values()) or any(
        f != 1.0 for f in g.handle_factor.values()
    )


def type_forecast(centre: ArrivalForecast, kind: CallType) -> ArrivalForecast:
    """The forecast of one call type: its own matrix, or ``share`` x the centre's."""
    if kind.expected_calls is not None:
        rows = tuple(tuple(float(x) for x in row) for row in kind.expected_calls)
        return replace(centre, matrix=rows)
    if kind.share == 1.0:
        return centre
    matrix = centre.matrix
    return replace(
        centre,
        volume_per_day=centre.volume_per_day * kind.share,
        matrix=None
        if matrix is None
        else tuple(tuple(x * kind.share for x in row) for row in matrix),
    )


# ------------------------------------------------------------------ agents per interval
def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def check_agents(key: str, agents: Any, days: int, n_intervals: int) -> None:
    """Check an agents value (``staffing.agents`` or ``agent_groups[i].agents``): a whole
    number >= ``1``, one per interval, or one list per day. Raises :class:`ConfigError`."""
    if _is_list(agents) and agents and all(_is_list(a) for a in agents):
        if len(agents) != days:
            raise bad(key, f"{len(agents)} lists",
                      f"a list of lists needs one list per day of the run (run.days = {days})")  # fmt: skip
        for d, row in enumerate(agents):
            if len(row) != n_intervals:
                raise bad(f"{key}[{d}]", list(row),
                          f"must have {n_intervals} values, one per interval")  # fmt: skip
            for i, a in enumerate(row):
                integer(f"{key}[{d}][{i}]", a, 0)
        if not any(any(row) for row in agents):
            raise bad(key, "all zero", "must have at least one interval with agents")
    elif _is_list(agents):
        if len(agents) != n_intervals:
            raise bad(key, list(agents), f"must have {n_intervals} values, one per interval")
        for i, a in enumerate(agents):
            integer(f"{key}[{i}]", a, 0)
        if not any(agents):
            raise bad(key, list(agents), "must have at least one interval with agents")
    else:
        integer(key, agents, 1)


def _peak(agents: Any) -> int:
    """The most agents in an interval of a checked agents value (:func:`check_agents`)."""
    if isinstance(agents, int):
        return agents
    return max(max(a) if _is_list(a) else a for a in agents)


def agents_matrix(agents: Any, days: int, n_intervals: int) -> np.ndarray:
    """A checked agents value as a (days, intervals) int64 matrix."""
    if isinstance(agents, int):
        agents = [agents] * n_intervals
    per_day = [list(a) for a in agents] if _is_list(agents[0]) else [list(agents)] * days
    return np.asarray(per_day, dtype=np.int64)


# ------------------------------------------------------------------ parsing
def _law(spec: Any, key: str, default: Distribution, build: Build) -> Distribution:
    if spec is None:
        return default
    if not isinstance(spec, Mapping):
        raise bad(key, spec, "must be null or a law, e.g. {kind: exponential, mean_s: 180}")
    return build(spec, key)


def _matrix(key: str, rows: Any, days: int, n: int) -> np.ndarray:
    nesting = (f"must be null or {days} lists (one per day, run.days = {days}) of {n} numbers "
               f"(one per interval), e.g. [[{', '.join(['10'] * min(n, 3))}"
               f"{', ...' if n > 3 else ''}], ...]")  # fmt: skip
    if _is_list(rows) and rows and not any(_is_list(r) for r in rows):
        raise bad(key, f"{len(rows)} numbers", f"is one flat list: {nesting}")
    if not _is_list(rows) or len(rows) != days:
        raise bad(key, f"{len(rows) if _is_list(rows) else rows!r} rows", nesting)
    for d, row in enumerate(rows):
        if not _is_list(row) or len(row) != n:
            raise bad(f"{key}[{d}]", row,
                      f"must have {n} values, one per interval (the list of day {d} of "
                      f"{key}: {days} lists of {n} numbers)")  # fmt: skip
        for i, x in enumerate(row):
            non_negative(f"{key}[{d}][{i}]", x)
    return np.asarray(rows, dtype=float)


def _names(key: str, items: Sequence[Any]) -> list[str]:
    names: list[str] = []
    for j, item in enumerate(items):
        name = item.name
        if not isinstance(name, str) or not name.strip():
            raise bad(f"{key}[{j}].name", name, "must be a non-empty text")
        if name in names:
            raise bad(f"{key}[{j}].name", name, f"is a duplicate: names must be unique in {key}")
        names.append(name)
    if len(names) > MAX_KINDS:
        raise bad(key, f"{len(names)} entries", f"at most {MAX_KINDS}")
    return names


def _call_types(cfg: Config, laws: tuple[Distribution, Distribution, Distribution],
                build: Build, finite: Finite, n: int) -> tuple[CallType, ...]:  # fmt: skip
    patience, talk, acw = laws
    m = cfg.metrics
    if not cfg.call_types:
        return single(cfg, patience, talk, acw, np.zeros((1, 1), np.int64))[0]
    _names("call_types", cfg.call_types)
    out: list[CallType] = []
    shares: list[float] = []
    trace = cfg.center.arrivals == "trace" and len(cfg.call_types) > 1
    for j, t in enumerate(cfg.call_types):
        key = f"call_types[{j}]"
        matrix = None
        choice(f"{key}.channel", t.channel, CHANNELS)  # first: a typo is not a missing share
        if trace and (t.share is not None or t.expected_calls is not None):
            part = "share" if t.share is not None else "expected_calls"
            raise bad(f"{key}.{part}", getattr(t, part),
                      "must be null with center.arrivals: trace (the trace's call_type "
                      "column gives each type's calls)")  # fmt: skip
        if t.channel == "outbound":  # no customer calls in: the campaign list
            for part in ("share", "expected_calls"):
                if getattr(t, part) is not None:
                    raise bad(f"{key}.{part}", getattr(t, part),
                              "must be null for an outbound type (its work is the campaign "
                              f"list, {key}.outbound)")  # fmt: skip
            share = 0.0
        elif trace:
            share = 0.0  # the trace's calls of the type: sim.config.scenario.assemble
        elif t.expected_calls is not None:
            if t.share is not None:
                raise bad(f"{key}.share", t.share,
                          "must be null when the type has its own expected_calls (give one)")  # fmt: skip
            matrix = _matrix(f"{key}.expected_calls", t.expected_calls, cfg.run.days, n)
            share = 0.0
        elif t.share is None:
            raise bad(f"{key}.share", None, "give a share in [0, 1] or expected_calls")
        else:
            share = probability(f"{key}.share", t.share)
            shares.append(share)
        prio = integer(f"{key}.priority", t.priority, 0)
        if prio > MAX_PRIORITY:
            raise bad(f"{key}.priority", t.priority, f"must be a whole number 0..{MAX_PRIORITY}")
        tt = _law(t.talk, f"{key}.talk", talk, build)
        ta = _law(t.acw, f"{key}.acw", acw, build)
        for law, spec, part in ((tt, t.talk, "talk"), (ta, t.acw, "acw")):
            if spec is not None:
                finite(law, f"{key}.{part}", str(spec.get("kind")))
        threshold = m.sl_threshold_s if t.sl_threshold_s is None else t.sl_threshold_s
        target = m.sl_target if t.sl_target is None else t.sl_target
        out.append(CallType(
            name=t.name, share=share, priority=prio,
            sl_threshold_s=non_negative(f"{key}.sl_threshold_s", threshold),
            sl_target=probability(f"{key}.sl_target", target),
            patience=_law(t.patience, f"{key}.patience", patience, build),
            talk=tt, acw=ta, expected_calls=matrix, channel=t.channel,
        ))  # fmt: skip
    if shares and abs(math.fsum(shares) - 1.0) > SHARE_TOLERANCE:
        raise ConfigError(f"call_types[*].share = {shares}: the shares of the types must sum "
                          f"to 1 (within {SHARE_TOLERANCE:g}); they sum to "
                          f"{math.fsum(shares):.9g}", "call_types")  # fmt: skip
    return tuple(out)


def _per_type(key: str, value: Any, names: Sequence[str], check: Callable[[str, Any], Any]
              ) -> dict[int, Any]:  # fmt: skip
    if not isinstance(value, Mapping):
        raise bad(key, value, "must be a mapping {call type: value}")
    out: dict[int, Any] = {}
    for name, x in value.items():
        if name not in names:
            raise bad(f"{key}.{name}", x,
                      f"names an unknown call type {name!r} (call types: {', '.join(names)})")  # fmt: skip
        out[names.index(name)] = check(f"{key}.{name}", x)
    return out


def _rank(key: str, value: Any) -> int:
    return integer(key, value, 1)


def _unbuilt(n: int) -> np.ndarray:
    """The staffing of a checked group until :func:`sim.config.scenario.assemble` builds
    it (after the size check: ``run.days`` may be too large for a matrix)."""
    return np.zeros((0, n), np.int64)


def _agent_groups(cfg: Config, types: Sequence[CallType], n: int) -> tuple[AgentGroup, ...]:
    names = [t.name for t in types]
    days = cfg.run.days
    if not cfg.agent_groups:
        # staffing.agents or the roster: sim.config.scenario.assemble fills the matrix
        return (AgentGroup(cfg.staffing.group, _unbuilt(n), {k: 1 for k in range(len(types))}),)
    _names("agent_groups", cfg.agent_groups)
    out: list[AgentGroup] = []
    for j, g in enumerate(cfg.agent_groups):
        key = f"agent_groups[{j}]"
        shifts, roster = _group_shifts(cfg, g, key)
        if shifts is None:
            check_agents(f"{key}.agents", g.agents, days, n)
        wf = group_workforce(cfg, g.workforce, f"{key}.workforce")
        if shifts is not None and wf.offphone_share:
            raise bad(f"{key}.workforce.offphone_share", wf.offphone_share,
                      f"must be 0 with {key}.shifts: put meetings and training into the "
                      "shifts' breaks")  # fmt: skip
        skills = _per_type(f"{key}.skills", g.skills, names, _rank)
        if not skills:
            raise bad(f"{key}.skills", dict(g.skills),
                      "must name at least one call type with its rank, e.g. {"
                      f"{names[0]}: 1}}")  # fmt: skip
        overflow = _per_type(f"{key}.overflow_after_s", g.overflow_after_s, names, non_negative)
        factor = _per_type(f"{key}.handle_factor", g.handle_factor, names, positive)
        for k in (*overflow, *factor):
            if k not in skills:
                part = "overflow_after_s" if k in overflow else "handle_factor"
                raise bad(f"{key}.{part}.{names[k]}", (overflow | factor)[k],
                          f"names a call type the group has no skill for (skills: "
                          f"{', '.join(names[s] for s in skills)})")  # fmt: skip
        channels = group_channels(key, g, skills, types)
        peak = _peak(g.agents) if shifts is None else None
        if peak is not None and 0 < channels["reserve_idle"] >= peak:
            raise bad(f"{key}.reserve_idle", channels["reserve_idle"],
                      f"must be less than the group's most agents in an interval ({peak}): "
                      "more than reserve_idle idle agents are needed before any takes "
                      "e-mail or outbound work")  # fmt: skip
        out.append(AgentGroup(g.name, _unbuilt(n), skills,
                              {k: float(v) for k, v in overflow.items()},
                              {k: float(v) for k, v in factor.items()},
                              shifts, roster, wf, **channels))  # fmt: skip
    for k, name in enumerate(names):
        if not any(k in g.skills for g in out):
            raise bad(f"call_types[{k}].name", name,
                      f"no agent group can serve this call type (channel "
                      f"{types[k].channel}): give it in some agent_groups[i].skills")  # fmt: skip
    return tuple(out)


def _group_shifts(cfg: Config, g: Any, key: str) -> tuple[tuple[Shift, ...] | None,
                                                          np.ndarray | None]:  # fmt: skip
    """A group's shift templates and roster (days, shifts), or (None, None)."""
    if g.shifts is None:
        if g.roster is not None:
            raise bad(f"{key}.roster", g.roster, f"needs {key}.shifts (the shift templates)")
        return None, None
    if not cfg.workforce.enabled:
        raise bad(f"{key}.shifts", "set",
                  "needs workforce.enabled = true (agents as individuals work shifts); "
                  f"without it, staff the group by counts ({key}.agents)")  # fmt: skip
    shifts = parse_shifts(g.shifts, f"{key}.shifts")
    return shifts, parse_roster(g.roster, shifts, cfg.run.days, f"{key}.roster")


def _refuse(cfg: Config) -> None:
    """Centre-wide keys that have a per-group form with ``agent_groups``."""
    if cfg.agent_groups and cfg.staffing.shifts is not None:
        raise bad("staffing.shifts", "set",
                  "with agent_groups each group has its own: agent_groups[i].shifts and "
                  "agent_groups[i].roster")  # fmt: skip
    if len(cfg.agent_groups) > 1 and cfg.workforce.headcount is not None:
        raise bad("workforce.headcount", cfg.workforce.headcount,
                  "with several agent_groups give each group its own: "
                  "agent_groups[i].workforce.headcount (null: enough for its schedule)")  # fmt: skip


def parse_skills(
    cfg: Config,
    laws: tuple[Distribution, Distribution, Distribution],
    n_intervals: int,
    build: Build,
    finite: Finite,
    interval_s: float = 1800.0,
) -> tuple[tuple[CallType, ...], tuple[AgentGroup, ...]]:
    """Check ``call_types``, ``agent_groups`` and ``routing`` and build the call types
    and agent groups (``laws``: the top-level patience, talk and acw, the defaults of
    each type; ``interval_s``: the planning interval, seconds, the shortest e-mail
    deadline). Raises :class:`ConfigError` on the first bad value."""
    choice("routing.agent_choice", cfg.routing.agent_choice, ("longest_idle", "random"))
    choice("routing.call_choice", cfg.routing.call_choice, ("priority", "rank", "longest_wait"))
    types = _call_types(cfg, laws, build, finite, n_intervals)
    _refuse(cfg)
    types = type_channels(cfg, types, interval_s)
    groups = _agent_groups(cfg, types, n_intervals)
    return types, groups
