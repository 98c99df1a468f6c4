"""Channels of the call types, checked and built (issue 15: chat, e-mail, blending).

``call_types[i].channel`` is ``voice`` (the default), ``chat``, ``email`` or ``outbound``
(a campaign the agents dial, :mod:`sim.config.outbound`);
``agent_groups[i].max_sessions``, ``session_stretch`` and ``reserve_idle`` say how a
group's agents hold chats and take e-mail. The rules, each refused with one line
naming the key before any run:

* ``channel`` is one of :data:`CHANNELS`;
* an e-mail type's ``sl_threshold_s`` (its deadline) is at least one planning interval
  (a deadline shorter than an interval is a call's service level, not deferred work);
  its patience, if not given, is ``never`` (the backlog is not abandoned);
* ``max_sessions`` is a whole number >= 1 and > 1 only for a group with a chat skill;
  ``session_stretch`` >= 0 only with ``max_sessions`` > 1 (or 0);
* ``reserve_idle`` is a whole number >= 0 and > 0 only for a group with an e-mail or
  outbound skill and a voice or chat skill;
* an outbound type's patience is ``never`` (nobody waits on the line for it);
* ``queue.lines`` and ``queue.max_waiting`` (trunk lines, a cap on waiting callers) are
  refused with chat or e-mail types: they would count sessions and the backlog.

Used by :func:`sim.config.skills.parse_skills`, which also refuses a type no group
serves (naming its channel).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from sim.core.checks import bad, choice, integer, non_negative
from sim.core.schema import AgentGroupConfig, Config
from sim.laws.distributions import Never

__all__ = ["CHANNELS", "CHAT", "EMAIL", "OUTBOUND", "VOICE", "channel_code", "group_channels",
           "type_channels"]  # fmt: skip

#: The channels of a call type, in the order of their engine codes 0, 1, 2, 3.
CHANNELS = ("voice", "chat", "email", "outbound")
VOICE, CHAT, EMAIL, OUTBOUND = 0, 1, 2, 3


class _Typed(Protocol):
    """What the check reads of a call type (:class:`sim.config.skills.CallType`)."""

    @property
    def channel(self) -> str: ...

    @property
    def sl_threshold_s(self) -> float: ...


T = TypeVar("T", bound=_Typed)


def channel_code(name: str) -> int:
    """The engine code of a channel name (0 voice, 1 chat, 2 email, 3 outbound)."""
    return CHANNELS.index(name)


def type_channels(cfg: Config, types: Sequence[T], interval_s: float) -> tuple[T, ...]:
    """Check each call type's channel and return the types, e-mail types without a
    patience of their own and outbound types made infinitely patient (``never``).
    Raises ConfigError."""
    if not cfg.call_types:
        return tuple(types)
    out: list[T] = []
    for j, (t, raw) in enumerate(zip(types, cfg.call_types, strict=True)):
        key = f"call_types[{j}]"
        ch = choice(f"{key}.channel", raw.channel, CHANNELS)
        if ch == "email":
            deadline = t.sl_threshold_s
            if deadline < interval_s:
                raise bad(f"{key}.sl_threshold_s", deadline,
                          f"an e-mail deadline must be at least one planning interval "
                          f"({interval_s:g} s), e.g. 86400 for 24 h")  # fmt: skip
            if raw.patience is None:
                t = replace(t, patience=Never())  # type: ignore[type-var]
        if ch == "outbound":
            if raw.patience is not None:
                raise bad(f"{key}.patience", dict(raw.patience),
                          "must be null for an outbound type (the agent calls: nobody "
                          "waits on the line, nobody abandons)")  # fmt: skip
            t = replace(t, patience=Never())  # type: ignore[type-var]
        out.append(t)
    if any(raw.channel != "voice" for raw in cfg.call_types):
        for name in ("lines", "max_waiting"):
            value = getattr(cfg.queue, name)
            if value is not None:
                raise bad(f"queue.{name}", value,
                          "must be null with chat or email call types (it would count "
                          "chat sessions and the e-mail backlog)")  # fmt: skip
    return tuple(out)


def _has(skills: Mapping[int, int], types: Sequence[Any], channel: str) -> bool:
    return any(types[k].channel == channel for k in skills)


def group_channels(
    key: str, group: AgentGroupConfig, skills: Mapping[int, int], types: Sequence[Any]
) -> dict[str, Any]:
    """``max_sessions``, ``session_stretch`` and ``reserve_idle`` of agent group ``key``
    (keyword arguments of :class:`sim.config.skills.AgentGroup`), checked against the
    channels of the types it has a skill for. Raises ConfigError."""
    k = integer(f"{key}.max_sessions", group.max_sessions, 1)
    if k > 1 and not _has(skills, types, "chat"):
        raise bad(f"{key}.max_sessions", k,
                  "must be 1 for a group with no chat skill (sessions are chats)")  # fmt: skip
    stretch = non_negative(f"{key}.session_stretch", group.session_stretch)
    if stretch > 0 and k == 1:
        raise bad(f"{key}.session_stretch", stretch,
                  "needs max_sessions > 1 (it stretches concurrent chat sessions)")  # fmt: skip
    reserve = integer(f"{key}.reserve_idle", group.reserve_idle, 0)
    deferred = _has(skills, types, "email") or _has(skills, types, "outbound")
    if reserve > 0 and not (
        deferred and (_has(skills, types, "voice") or _has(skills, types, "chat"))
    ):
        raise bad(f"{key}.reserve_idle", reserve,
                  "must be 0 unless the group has an email or outbound skill and a voice "
                  "or chat skill (agents kept idle for calls while e-mail or outbound "
                  "work waits)")  # fmt: skip
    return {"max_sessions": k, "session_stretch": float(stretch), "reserve_idle": reserve}
