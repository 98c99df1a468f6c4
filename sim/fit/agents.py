"""Agents on duty per interval, reconstructed from who answered which call.

A log has no schedule, only the agent id of every answered call. For each agent and day the
answered calls are sorted by service start; a **session** runs from the start of a service to
the end of the last service before a pause longer than ``max_gap_s`` (a break or the end of a
shift). The agent counts as on duty for the whole session, so an agent's idle time inside a
session counts, but the time before their first and after their last call of a shift does
not: the reconstruction errs low at shift edges and when load is light (an idle agent
answers nothing and is invisible). Agents on duty in an interval = the seconds of sessions
inside it / the interval length, a mean that can be fractional.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.fit.logs import DAY_S, CallLog

__all__ = ["agent_sessions", "agents_on_duty", "staffing_matrix"]


def agent_sessions(log: CallLog, max_gap_s: float = 1800.0) -> pd.DataFrame:
    """Sessions of the agents: columns ``agent_id``, ``start_s``, ``end_s`` (seconds from
    00:00 of day 0), ``calls``. Raises ValueError when no answered call has an agent id."""
    c = log.calls
    served = c[(c["outcome"] == "answered") & (c["agent_id"] != "")]
    if served.empty:
        raise ValueError("no answered call has an agent id: agents on duty cannot be rebuilt")
    start = (served["arrival_s"] + served["wait_s"]).to_numpy(dtype=float)
    df = pd.DataFrame(
        {"agent_id": served["agent_id"].to_numpy(), "start_s": start,
         "end_s": start + served["handle_s"].to_numpy(dtype=float)}
    ).sort_values(["agent_id", "start_s"], kind="stable")
    prev_end = df.groupby("agent_id")["end_s"].cummax().shift(1)
    new = (df["agent_id"] != df["agent_id"].shift(1)) | (df["start_s"] - prev_end > max_gap_s)
    df["session"] = new.cumsum()
    out = df.groupby("session").agg(
        agent_id=("agent_id", "first"), start_s=("start_s", "min"), end_s=("end_s", "max"),
        calls=("start_s", "size"),
    )
    return out.reset_index(drop=True)


def agents_on_duty(
    sessions: pd.DataFrame, days: int, open_s: float, close_s: float, interval_s: float
) -> np.ndarray:
    """Mean agents on duty per day (rows) and interval (columns), from ``sessions``."""
    k = round((close_s - open_s) / interval_s)
    a = (np.arange(days)[:, None] * DAY_S + open_s + np.arange(k) * interval_s).ravel()
    b = a + interval_s
    s = sessions["start_s"].to_numpy(dtype=float)
    e = sessions["end_s"].to_numpy(dtype=float)
    out = np.zeros(a.size)
    for lo in range(0, s.size, 256):  # bounded memory: 256 sessions x all intervals at a time
        ss, ee = s[lo : lo + 256, None], e[lo : lo + 256, None]
        out += np.clip(np.minimum(ee, b) - np.maximum(ss, a), 0.0, None).sum(axis=0)
    return (out / interval_s).reshape(days, k)


def staffing_matrix(on_duty: np.ndarray) -> list[list[int]]:
    """Whole agents per day and interval for ``staffing.agents`` (rounded to nearest);
    a day without anyone on duty keeps one agent in its first interval (callsim needs one)."""
    agents = np.rint(on_duty).astype(int)
    if not agents.any():
        agents[0, 0] = 1
    return [[int(x) for x in row] for row in agents]
