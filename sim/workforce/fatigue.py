"""Fatigue of an agent on the phones, and the per-call ``serve`` hook that applies it.

The model (``workforce.fatigue``): an agent's fatigue ``f`` in [0, 1) builds up while
they are on a call and fades while they are not, both exponentially:

* during a call of ``h`` seconds: ``f <- 1 - (1 - f) * exp(-h * b)``, build-up rate
  ``b = 1 / (60 * busy_time_constant_min)`` (times ``empowered_fatigue_factor`` for an
  empowered agent);
* between calls, ``t`` seconds: ``f <- f * exp(-t * r)``, rest rate
  ``r = 1 / (60 * rest_time_constant_min)``.

The fatigue when a call starts lengthens its handle time by the factor
``1 + handle_effect * f``, lowers the chance that it resolves the issue by
``fcr_effect * f`` (not below 0) and raises the chance that it is discourteous by
``discourtesy_effect * f``.

The engine calls :func:`serve_hook`'s closure once per answered call (the hot path);
it reads and writes the workforce's per-agent lists, indexed by agent id
(:class:`AgentLists`). Each agent's five constants sit in one tuple
(:attr:`AgentLists.fatigue_k`, one list index per call instead of five), so agents of
several groups with different fatigue keys cost the same as one group. A group
without fatigue gets zero effects and zero build-up: its agents' fatigue stays 0 and
they answer exactly as without fatigue.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import Protocol

import numpy as np

from sim.core.schema import WorkforceConfig
from sim.queue.hooks import ClockLike, Serve

__all__ = ["AgentLists", "FatigueK", "fatigue_at", "fatigue_k", "serve_hook", "work_hook"]

#: An agent's fatigue constants: handle, FCR and discourtesy effects (per unit of
#: fatigue), rest rate and build-up rate (1/s).
FatigueK = tuple[float, float, float, float, float]


def fatigue_k(cfg: WorkforceConfig, empowered: bool) -> FatigueK:
    """The fatigue constants of an agent of a group with the workforce keys ``cfg``:
    zero effects and build-up if the group's fatigue is off."""
    fc = cfg.fatigue
    rest = 1.0 / (fc.rest_time_constant_min * 60.0)
    if not fc.enabled:
        return 0.0, 0.0, 0.0, rest, 0.0
    build = (cfg.empowered_fatigue_factor if empowered else 1.0) / (
        fc.busy_time_constant_min * 60.0
    )
    return fc.handle_effect, fc.fcr_effect, fc.discourtesy_effect, rest, build


class AgentLists(Protocol):
    """What the ``serve`` hook reads and writes of the workforce: per-agent lists by
    agent id (:class:`sim.workforce.agents.Workforce`; hires extend them in place)."""

    fatigue_on: bool
    rude: float  # P(discourteous) of a rested agent
    hmult: list[float]  # today's handle-time factor (learning x empowerment)
    p_base: list[float]  # today's P(resolve) of a rested agent
    p_resolve: list[float]  # P(resolve) of the agent's current call (written)
    p_rude: list[float]  # P(discourteous) of the agent's current call (written)
    fatigue_k: list[FatigueK]  # the agent's fatigue constants
    fat: list[float]  # fatigue when the agent's last call ended
    t_fat: list[float]  # when it ended, engine seconds
    busy: list[float]  # today's handle seconds (calls started today)
    ncalls: list[int]  # today's calls
    fsum: list[float]  # today's sum of fatigue at call starts


def serve_hook(wf: AgentLists, handle: array, clock: ClockLike) -> Serve:
    """``serve(i, agent)``: ``agent`` answers call ``i`` now; returns (and stores in
    ``handle[i]``) the handle time, seconds (the drawn handle time times the agent's
    factor, and with fatigue the fatigue factor), and sets ``p_resolve[agent]`` (and
    with fatigue ``p_rude[agent]``) for this call; adds the call to the agent's day.

    A closure over the lists (the hot path: local variables are the cheapest state
    access in CPython). The rest between two calls is skipped when the agent takes
    the next call at the very time the last one ended (a waiting call: no rest, and
    ``exp(0) = 1``, so not a bit changes)."""
    hm, p_base, p_res, p_rude = wf.hmult, wf.p_base, wf.p_resolve, wf.p_rude
    busy, ncalls = wf.busy, wf.ncalls
    if not wf.fatigue_on:

        def serve_plain(i: int, a: int) -> float:
            h = handle[i] * hm[a]
            handle[i] = h
            p_res[a] = p_base[a]
            busy[a] += h
            ncalls[a] += 1
            return h

        return serve_plain
    k_of, fat, t_fat, fsum = wf.fatigue_k, wf.fat, wf.t_fat, wf.fsum
    rude = wf.rude
    exp = math.exp

    def serve(i: int, a: int) -> float:
        now = clock.now
        kh, kf, kr, rest, build = k_of[a]
        f = fat[a]
        if f > 0.0:
            t = t_fat[a]
            if t != now:
                f *= exp((t - now) * rest)  # rested since the last call ended
        h = handle[i] * hm[a] * (1.0 + kh * f)
        handle[i] = h
        p = p_base[a] - kf * f
        p_res[a] = p if p > 0.0 else 0.0
        p_rude[a] = rude + kr * f
        fat[a] = 1.0 - (1.0 - f) * exp(-h * build)
        t_fat[a] = now + h
        busy[a] += h
        ncalls[a] += 1
        fsum[a] += f
        return h

    return serve


def work_hook(wf: AgentLists, clock: ClockLike) -> Callable[[int, float], None]:
    """``work(agent, seconds)``: ``agent`` starts ``seconds`` of work now that is no
    customer's conversation (the dial time of a callback that does not reach,
    :mod:`sim.queue.callbacks`): busy time and an attempt started, and with fatigue the
    agent rests until now and tires over it as over a call (each agent its own
    constants); no handle-time factor (learning, empowerment, fatigue) stretches it."""
    busy, ncalls, fat, t_fat, fsum = wf.busy, wf.ncalls, wf.fat, wf.t_fat, wf.fsum
    if not wf.fatigue_on:

        def work_plain(a: int, seconds: float) -> None:
            busy[a] += seconds
            ncalls[a] += 1

        return work_plain
    k_of = wf.fatigue_k
    exp = math.exp

    def work(a: int, seconds: float) -> None:
        now = clock.now
        rest, build = k_of[a][3:]
        f = fat[a]
        if f > 0.0:
            f *= exp((t_fat[a] - now) * rest)
        fat[a] = 1.0 - (1.0 - f) * exp(-seconds * build)
        t_fat[a] = now + seconds
        busy[a] += seconds
        ncalls[a] += 1
        fsum[a] += f

    return work


def fatigue_at(wf: AgentLists, time: float) -> np.ndarray:
    """Each agent's fatigue at engine time ``time`` (after their last call ended):
    float64, shape (agents,). A call still running at ``time`` counts as ended."""
    rest = np.array([k[3] for k in wf.fatigue_k])
    return np.asarray(wf.fat) * np.exp(np.minimum(np.asarray(wf.t_fat) - time, 0.0) * rest)
