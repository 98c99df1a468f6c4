"""callsim's own ``calls`` table as a call log: the input of the self-consistency tests.

Simulate with known laws, turn the calls table into a :class:`~sim.fit.logs.CallLog`, fit,
and the estimates must recover the laws. Redials share their ``issue_id``, which plays the
customer id (the engine's redials are the same caller); calls blocked or arriving while
closed never reached the queue and are dropped, as a real log's IVR hang-ups are.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sim.fit.logs import CallLog, make_log

__all__ = ["log_from_calls"]


def log_from_calls(calls: pd.DataFrame, start_date: dt.date = dt.date(2001, 1, 1)) -> CallLog:
    """A :class:`CallLog` of a callsim ``calls`` table (answered and abandoned calls;
    ``start_date`` should have the weekday of the run's day 0; 2001-01-01 is a Monday)."""
    keep = calls["outcome"].isin(["answered", "abandoned"]).to_numpy()
    c = calls[keep]
    answered = (c["outcome"] == "answered").to_numpy()
    agent = c["agent_id"].to_numpy()
    return make_log(
        c["arrival_s"].to_numpy(dtype=float),
        c["wait_s"].to_numpy(dtype=float),
        answered,
        c["handle_s"].to_numpy(dtype=float),
        start_date=start_date,
        call_type=str(c["call_type"].iloc[0]) if len(c) else "",
        customer_id=c["issue_id"].to_numpy().astype(str),
        agent_id=np.where(agent >= 0, agent.astype(str), ""),
        call_id=c["call_id"].to_numpy(),
        source="callsim calls table",
        dropped={"blocked_or_closed": int((~keep).sum())},
    )
