"""A deliberately plain SimPy model of the call centre: the reference for ``sim.queue.engine``.

One generator process per caller, a ``simpy.Resource`` for the agents, FCFS, and
``request | timeout(patience)`` for abandonment (leaving the ``with`` block cancels a
request that lost the race). It is fed the engine's own random numbers
(:func:`textbook_for` takes them from ``CallCenter.fresh_calls``) and does the same
float arithmetic: each arrival is ``yield env.timeout(t_next - env.now)`` and a wait is
``env.now - arrival``, so on the cases it supports it must agree with the engine to the
last bit. Supported: constant staffing, no redials, no ``max_waiting``, an optional
line cap (blocked when busy + waiting >= lines), patience 0 (abandons at once unless an
agent is free) and infinite patience (never abandons), opening hours with
``after_close`` drain (agents serve the queue after closing) or cut (waiting calls end
as closed at closing time).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator, Sequence
from typing import Any

import numpy as np
import simpy

from sim.core.calls import Outcome
from sim.model.callcenter import CallCenter

__all__ = ["run_textbook", "textbook_for"]


def run_textbook(
    arrival_s: np.ndarray,
    patience_s: np.ndarray,
    handle_s: np.ndarray,
    agents: int,
    lines: int | None = None,
    *,
    opens: Sequence[float] = (0.0,),
    closes: Sequence[float] = (),
    drain: bool = True,
) -> dict[str, np.ndarray]:
    """Simulate the calls (drawn arrival times, sorted) and return per-call arrays.

    ``opens[d]`` is the engine time at which day ``d`` opens (its calls are those that
    arrive from then on); ``closes`` the closing times, which matter only when
    ``drain`` is False. Returns ``arrival`` (event times), ``wait``, ``outcome``
    (:class:`sim.queue.engine.Outcome` codes) and ``agent_id`` (-1 unless answered), in
    arrival order.
    """
    n = len(arrival_s)
    drawn, patience, handle = (
        np.asarray(a, float).tolist() for a in (arrival_s, patience_s, handle_s)
    )
    env = simpy.Environment()
    agents_res = simpy.Resource(env, capacity=agents)
    idle: deque[int] = deque(range(agents))  # agent ids; the longest idle answers first
    arrival, wait = [0.0] * n, [0.0] * n
    outcome, agent_id = [int(Outcome.WAITING)] * n, [-1] * n
    state: dict[str, simpy.Event] = {"closing": env.event()}  # today's closing event

    def caller(i: int) -> Generator[simpy.Event, Any, None]:
        if lines is not None and agents_res.count + len(agents_res.queue) >= lines:
            outcome[i] = Outcome.BLOCKED
            return
        closing = state["closing"]
        with agents_res.request() as req:
            events: list[simpy.Event] = [req]
            if patience[i] < math.inf:
                events.append(env.timeout(patience[i]))
            if not drain:
                events.append(closing)
            yield env.any_of(events)
            wait[i] = env.now - arrival[i]
            if not req.triggered:  # patience ran out or the centre closed first
                outcome[i] = Outcome.CLOSED if closing.triggered else Outcome.ABANDONED
                return
            outcome[i] = Outcome.ANSWERED
            agent_id[i] = agent = idle.popleft()
            yield env.timeout(handle[i])
            idle.append(agent)

    def source(first: int, stop: int, opening: float) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(opening)
        for i in range(first, stop):
            yield env.timeout(drawn[i] - env.now)
            arrival[i] = env.now
            env.process(caller(i))

    def closer(at: float) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(at)
        closing, state["closing"] = state["closing"], env.event()
        closing.succeed()

    bounds = np.searchsorted(arrival_s, np.asarray(opens, dtype=float), side="left").tolist()
    for d, opening in enumerate(opens):
        stop = bounds[d + 1] if d + 1 < len(bounds) else n
        env.process(source(bounds[d], stop, float(opening)))
    if not drain:
        for at in closes:
            env.process(closer(float(at)))
    env.run()
    return {
        "arrival": np.asarray(arrival, dtype=np.float64),
        "wait": np.asarray(wait, dtype=np.float64),
        "outcome": np.asarray(outcome, dtype=np.uint8),
        "agent_id": np.asarray(agent_id, dtype=np.int32),
    }


def textbook_for(center: CallCenter, replication: int = 0) -> dict[str, np.ndarray]:
    """Run the textbook model on the fresh calls the engine draws for ``replication``."""
    cfg = center.config
    staffing = np.unique(center.staffing)
    if len(staffing) != 1 or cfg.queue.max_waiting is not None:
        raise ValueError("the textbook model needs constant staffing and no max_waiting")
    if cfg.redials.max_attempts > 1 and (
        cfg.redials.probability > 0 or cfg.redials.blocked_probability > 0
    ):
        raise ValueError("the textbook model has no redials")
    tt = center.timetable
    fresh = center.fresh_calls(center.streams(replication))
    days = [fresh.day(d) for d in range(tt.days)]
    closes = [tt.days * 86400.0] if tt.always_open else [tt.closing(d) for d in range(tt.days)]
    return run_textbook(
        np.concatenate([c.arrival_s for c in days]),
        np.concatenate([c.patience_s for c in days]),
        np.concatenate([c.handle_s for c in days]),
        int(staffing[0]),
        cfg.queue.lines,
        opens=[tt.opening(d) for d in range(tt.days)],
        closes=closes,
        drain=cfg.center.after_close == "drain",
    )
