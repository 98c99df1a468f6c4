"""Call types and agent groups of a scenario, parsed (issue 14: several queues and skills).

A scenario always has at least one call type and one agent group. Without the
``call_types`` and ``agent_groups`` config keys there is exactly one of each, built
from ``center.call_type``, the top-level laws, ``metrics`` and ``staffing`` (the
single-queue model); :func:`single` builds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.core.schema import Config
from sim.laws.distributions import Distribution

__all__ = ["AgentGroup", "CallType", "single"]


@dataclass(frozen=True)
class CallType:
    """One call type (a queue): who calls, how patient they are, what service they want."""

    name: str
    share: float  # share of the centre's fresh calls, in [0, 1]
    priority: int  # smaller is served first (static, no pre-emption)
    sl_threshold_s: float  # service-level threshold T, seconds
    sl_target: float  # target share answered within T
    patience: Distribution  # seconds
    talk: Distribution  # seconds
    acw: Distribution  # seconds (after-call work)
    #: expected fresh calls per day and interval of this type, if given apart from
    #: the centre's (shape (days, intervals)); None: ``share`` x the centre's forecast
    expected_calls: np.ndarray | None = None


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
