"""Replay a recorded period: a trace of its arrivals and a config that plays it back.

:func:`trace_frame` turns a :class:`~sim.fit.logs.CallLog` into a trace for
``center.arrivals: trace`` (:mod:`sim.config.trace`, :mod:`sim.queue.trace`): the arrival times inside the opening hours and,
for answered calls, the recorded handle times (abandoned calls' handle times and everyone's
patience are unknown: callsim draws them from the fitted laws). :func:`replay_config` builds
the scenario that replays it with the laws of a fit (e.g. of the month before) and the agents
on duty rebuilt from the replayed log itself. Recorded redials are in the trace already, so
the replay has no redials of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.fit.agents import agent_sessions, agents_on_duty, staffing_matrix
from sim.fit.logs import DAY_S, CallLog
from sim.fit.model import LogFit
from sim.fit.scenario import full_law

__all__ = ["in_hours", "replay_config", "trace_frame"]


def in_hours(log: CallLog, open_s: float, close_s: float) -> np.ndarray:
    """Mask of the log's calls that arrived inside the opening hours."""
    tod = np.mod(log.calls["arrival_s"].to_numpy(dtype=float), DAY_S)
    return (tod >= open_s) & (tod < close_s)


def trace_frame(log: CallLog, open_s: float, close_s: float, recorded_handle: bool = True
                ) -> pd.DataFrame:
    """The trace of ``log``: columns ``arrival_s``, ``handle_s`` (NaN where unknown, or
    everywhere without ``recorded_handle``), calls outside the opening hours left out."""
    c = log.calls[in_hours(log, open_s, close_s)]
    handle = c["handle_s"].to_numpy(dtype=float)
    handle = np.where(handle > 0, handle, np.nan)  # a 0 s service is a rounding: draw it
    return pd.DataFrame({
        "arrival_s": c["arrival_s"].to_numpy(dtype=float),
        "handle_s": handle if recorded_handle else np.full(len(c), np.nan),
    })


def replay_config(
    fit: LogFit, log: CallLog, trace_path: str | Path, max_gap_s: float = 1800.0,
    seed: int = 20261123,
) -> dict[str, Any]:
    """A config (mapping for :func:`sim.load_config`) replaying ``log`` through the trace
    at ``trace_path`` with the patience and handle laws of ``fit`` and the agents on duty
    rebuilt from ``log``; the opening hours and intervals are ``fit``'s."""
    days = log.days
    duty = agents_on_duty(agent_sessions(log, max_gap_s), days, fit.open_s, fit.close_s,
                          fit.interval_s)
    return {
        "center": {
            "name": "replay", "open_time": _hhmm(fit.open_s), "close_time": _hhmm(fit.close_s),
            "interval_min": round(fit.interval_s / 60), "start_weekday": log.weekday(0),
            "arrivals": "trace", "trace_file": str(trace_path), "call_type": "all",
        },
        "staffing": {"agents": staffing_matrix(duty)},
        "patience": full_law(fit.patience.distribution()),
        "service": {"talk": full_law(fit.handle.distribution()),
                    "acw": full_law({"kind": "deterministic", "value_s": 0.0})},
        "redials": {"probability": 0.0, "blocked_probability": 0.0},
        "run": {"name": "replay", "days": days, "seed": seed},
    }


def _hhmm(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"
