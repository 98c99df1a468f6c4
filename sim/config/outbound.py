"""Outbound campaigns, checked and built (issue 15: outbound as a low-priority source).

A call type with ``channel: outbound`` is a campaign: ``call_types[i].outbound`` gives
its list (``list_size`` records at the first opening, ``.inf`` for an endless list, and
``records_per_day`` at every opening), the right-party-contact probability
``reach_probability``, the agent time of an unreached dial ``unreached_s`` and the
retries (``retry_delay_s``, ``max_tries``); the type's ``talk`` and ``acw`` are the laws
of a reached call. Every rule is refused with one line naming the key before any run:

* ``outbound`` is given for an outbound type and only for one;
* ``list_size`` and ``records_per_day`` are whole numbers >= 0 (``list_size`` may be
  ``.inf``), not both 0;
* ``reach_probability`` is in (0, 1]; ``unreached_s`` and ``retry_delay_s`` >= 0;
  ``max_tries`` a whole number 1 .. 255;
* some agent group has a skill for the type (:func:`sim.config.skills.parse_skills`),
  and at least one call type is inbound (the centre's calls);
* callbacks are off: they do not follow outbound dials yet (``callbacks.enabled``
  false). The agent layer (``workforce.enabled``) and the customer journey run: a dial
  is its agent's busy time and tires it, stretched by no agent's handle-time factor
  (:meth:`sim.queue.outbound.OutboundDesk.serve`); it is no customer's contact, so it
  is neither resolved nor rated and opens no issue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sim.config.skills import CallType
from sim.core.checks import bad, integer, non_negative, number
from sim.core.schema import Config
from sim.queue.outbound import Campaign, OutboundPlan

__all__ = ["MAX_TRIES", "parse_outbound"]

#: At most this many dials of one record (stored in one byte).
MAX_TRIES = 255


def _records(key: str, value: object, endless: bool) -> float:
    x = number(key, value)
    if endless and x == math.inf:
        return x
    if not (math.isfinite(x) and x >= 0 and x == int(x)):
        more = " or inf (an endless list)" if endless else ""
        raise bad(key, value, f"must be a whole number of records >= 0{more}")
    return x


def _refuse(cfg: Config) -> None:
    """Refuse the parts that do not follow outbound dials yet."""
    if cfg.callbacks.enabled is not False:
        raise bad("callbacks.enabled", cfg.callbacks.enabled,
                  "must be false with outbound call types (callbacks do not follow "
                  "outbound dials yet): set callbacks.enabled=false")  # fmt: skip


def _campaign(cfg: Config, k: int, t: CallType) -> Campaign:
    raw = cfg.call_types[k].outbound
    key = f"call_types[{k}].outbound"
    if raw is None:
        raise bad(key, None,
                  "an outbound type needs its campaign, e.g. {records_per_day: 500, "
                  "reach_probability: 0.3}")  # fmt: skip
    size = _records(f"{key}.list_size", raw.list_size, True)
    per_day = _records(f"{key}.records_per_day", raw.records_per_day, False)
    if size == 0 and per_day == 0:
        raise bad(f"{key}.records_per_day", raw.records_per_day,
                  f"must be > 0 when {key}.list_size is 0 (the campaign has no records)")  # fmt: skip
    reach = number(f"{key}.reach_probability", raw.reach_probability)
    if not 0.0 < reach <= 1.0:
        raise bad(f"{key}.reach_probability", raw.reach_probability,
                  "must be a probability in (0, 1] (0: a campaign that reaches nobody "
                  "dials forever)")  # fmt: skip
    tries = integer(f"{key}.max_tries", raw.max_tries, 1)
    if tries > MAX_TRIES:
        raise bad(f"{key}.max_tries", raw.max_tries, f"must be a whole number 1..{MAX_TRIES}")
    return Campaign(
        call_type=k, name=t.name, list_size=size, records_per_day=per_day,
        reach_probability=reach,
        unreached_s=non_negative(f"{key}.unreached_s", raw.unreached_s),
        retry_delay_s=non_negative(f"{key}.retry_delay_s", raw.retry_delay_s),
        max_tries=tries, talk=t.talk, acw=t.acw,
    )  # fmt: skip


def parse_outbound(cfg: Config, types: Sequence[CallType]) -> OutboundPlan | None:
    """Check the ``outbound`` keys of the call types (see the module docstring) and
    build the campaigns; None without outbound types. Raises
    :class:`~sim.core.checks.ConfigError` on the first bad value."""
    for k, raw in enumerate(cfg.call_types):
        if raw.outbound is not None and raw.channel != "outbound":
            raise bad(f"call_types[{k}].outbound", "set",
                      f"applies to channel: outbound only (call_types[{k}].channel is "
                      f"{raw.channel}): set it to null")  # fmt: skip
    outbound = [k for k, t in enumerate(types) if t.channel == "outbound"]
    if not outbound:
        return None
    if len(outbound) == len(types):
        raise bad(f"call_types[{outbound[0]}].channel", "outbound",
                  "needs at least one inbound call type (voice, chat or email) besides the "
                  "outbound ones: outbound work fills the time no inbound call takes")  # fmt: skip
    _refuse(cfg)
    return OutboundPlan(tuple(_campaign(cfg, k, types[k]) for k in outbound))
