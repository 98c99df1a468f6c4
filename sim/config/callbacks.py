"""The ``callbacks`` config section, parsed (issue 15: virtual hold).

:func:`parse_callbacks` checks every key of ``callbacks`` in the one parse pass of
:func:`sim.config.validation.parse` and builds, in the same pass, what the run needs:

* one **callback type** per call type that offers callbacks, appended after the
  inbound types (``<type>_callback``; a call type of its own, with its own queue in the
  multi-skill router, :mod:`sim.queue.skill_router`). Its priority: ``keep_place``, the
  inbound type's own (the router serves a tier by arrival, so the callback keeps the
  caller's place); ``promised`` with ``priority: first``, before every inbound type;
  with ``idle``, after every inbound type (an agent takes it only when no call it may
  take waits). Every group with a skill for the inbound type has the same rank for
  its callback type; the laws are the inbound type's (the callback's handle time is
  the caller's own);
* the engine's :class:`sim.queue.callbacks.CallbackPlan`.

Every bad value raises a :class:`~sim.core.checks.ConfigError` naming its key.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sim.config.skills import MAX_KINDS, AgentGroup, CallType
from sim.core.checks import ConfigError, bad, choice, integer, non_negative, probability
from sim.core.schema import Config
from sim.laws.distributions import Never
from sim.queue.callbacks import CallbackPlan

__all__ = ["CALLBACK_SUFFIX", "parse_callbacks"]

#: The name of a callback type is its inbound type's name plus this.
CALLBACK_SUFFIX = "_callback"
#: At most this many callback attempts per accepted offer (stored in one byte).
MAX_TRIES = 255


def _accept_steps(value: Any, default: float) -> tuple[tuple[float, float], ...]:
    key = "callbacks.accept_by_wait"
    if value is None:
        return ((0.0, default),)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or not value:
        raise bad(key, value, "must be null or a list of [predicted wait s, P(accept)] rows")
    steps: list[tuple[float, float]] = []
    for j, row in enumerate(value):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence) or len(row) != 2:
            raise bad(f"{key}[{j}]", row, "must be a pair [predicted wait s, P(accept)]")
        w = non_negative(f"{key}[{j}][0]", row[0])
        p = probability(f"{key}[{j}][1]", row[1])
        if steps and w <= steps[-1][0]:
            raise bad(f"{key}[{j}][0]", row[0], "the waits must rise from row to row")
        steps.append((w, p))
    if steps[0][0] > 0:  # below the first wait: no acceptance
        steps.insert(0, (0.0, 0.0))
    return tuple(steps)


def _offering(cfg: Config, types: Sequence[CallType]) -> list[int]:
    names = [t.name for t in types]
    if cfg.callbacks.call_types is None:
        return list(range(len(types)))
    chosen = list(cfg.callbacks.call_types)
    if not chosen:
        raise bad("callbacks.call_types", chosen, "must be null (every type) or name some types")
    for name in chosen:
        if name not in names:
            raise bad("callbacks.call_types", chosen,
                      f"names an unknown call type {name!r} (call types: {', '.join(names)})")  # fmt: skip
    return [names.index(n) for n in dict.fromkeys(chosen)]


def parse_callbacks(
    cfg: Config, types: tuple[CallType, ...], groups: tuple[AgentGroup, ...]
) -> tuple[tuple[CallType, ...], tuple[AgentGroup, ...], CallbackPlan | None]:
    """Check ``callbacks`` and add the callback types (see the module docstring) to the
    call types and the agent groups' skills; the plan is None when callbacks are off.
    Raises :class:`ConfigError` on the first bad value."""
    c = cfg.callbacks
    if not isinstance(c.enabled, bool):
        raise bad("callbacks.enabled", c.enabled, "must be true or false")
    if not c.enabled:
        return types, groups, None
    predictor = choice("callbacks.predictor", c.predictor, ("queue", "les"))
    threshold = non_negative("callbacks.threshold_s", c.threshold_s)
    accept = _accept_steps(c.accept_by_wait,
                           probability("callbacks.accept_probability", c.accept_probability))  # fmt: skip
    mode = choice("callbacks.mode", c.mode, ("keep_place", "promised"))
    promise = None if c.promise_s is None else non_negative("callbacks.promise_s", c.promise_s)
    if promise is not None and mode == "keep_place":
        raise bad("callbacks.promise_s", c.promise_s,
                  "applies to mode: promised only (keep_place calls back when the caller's "
                  "place comes up): set it to null")  # fmt: skip
    priority = choice("callbacks.priority", c.priority, ("first", "idle"))
    if mode == "promised" and cfg.routing.call_choice != "priority":
        raise bad("routing.call_choice", cfg.routing.call_choice,
                  "must be priority with callbacks.mode: promised (callbacks.priority "
                  "is a static priority of the callback types)")  # fmt: skip
    reach = probability("callbacks.reach_probability", c.reach_probability)
    if reach <= 0:
        raise bad("callbacks.reach_probability", c.reach_probability,
                  "must be > 0 (a callback that never reaches anybody is no callback)")  # fmt: skip
    dial = non_negative("callbacks.dial_s", c.dial_s)
    retry = non_negative("callbacks.retry_delay_s", c.retry_delay_s)
    tries = integer("callbacks.max_tries", c.max_tries, 1)
    if tries > MAX_TRIES:
        raise bad("callbacks.max_tries", c.max_tries, f"must be <= {MAX_TRIES}")
    rating = choice("callbacks.deferral_rating", c.deferral_rating, ("neutral", "bad"))
    offering = _offering(cfg, types)
    if cfg.center.arrivals != "forecast":
        raise bad("callbacks.enabled", True,
                  "callbacks need center.arrivals: forecast (a trace has no call types)")  # fmt: skip
    n = len(types)
    if n + len(offering) > MAX_KINDS:
        raise ConfigError(f"callbacks: {n} call types and {len(offering)} callback types: at "
                          f"most {MAX_KINDS} in all", "callbacks.call_types")  # fmt: skip
    low = min(t.priority for t in types) - 1
    high = max(t.priority for t in types) + 1
    cb_types = [
        CallType(
            name=types[k].name + CALLBACK_SUFFIX, share=0.0,
            priority=types[k].priority if mode == "keep_place" else
            low if priority == "first" else high,
            sl_threshold_s=types[k].sl_threshold_s, sl_target=types[k].sl_target,
            patience=Never(), talk=types[k].talk, acw=types[k].acw,
            callback_of=k,
        )
        for k in offering
    ]  # fmt: skip
    names = {t.name for t in types}
    for t in cb_types:
        if t.name in names:
            raise bad("call_types", t.name,
                      f"is taken: the callback type of {t.name[: -len(CALLBACK_SUFFIX)]!r} is "
                      f"named so; rename that call type")  # fmt: skip
    cb_index = {k: n + j for j, k in enumerate(offering)}
    new_groups = tuple(
        replace(g, skills={**g.skills, **{cb_index[k]: r for k, r in g.skills.items()
                                          if k in cb_index}},
                overflow_after_s={**g.overflow_after_s, **{cb_index[k]: d for k, d in
                                  g.overflow_after_s.items() if k in cb_index}},
                handle_factor={**g.handle_factor, **{cb_index[k]: f for k, f in
                               g.handle_factor.items() if k in cb_index}})
        for g in groups
    )  # fmt: skip
    all_types = (*types, *cb_types)
    base = [k for k in range(n)] + list(offering)

    def rate(t: CallType) -> float:
        m = t.patience.mean
        return 0.0 if not math.isfinite(m) or m <= 0 else 1.0 / m

    plan = CallbackPlan(
        callback_type=tuple(cb_index.get(k, -1) for k in range(n)) + (-1,) * len(cb_types),
        base_type=tuple(base),
        mean_handle_s=tuple(all_types[b].talk.mean + all_types[b].acw.mean for b in base),
        patience_rate=tuple(rate(all_types[b]) for b in base),
        predictor=predictor, threshold_s=threshold, accept=accept, mode=mode,
        promise_s=promise, reach_probability=reach, dial_s=dial, retry_delay_s=retry,
        max_tries=tries, deferral_bad=rating == "bad",
    )  # fmt: skip
    return all_types, new_groups, plan
