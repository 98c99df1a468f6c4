"""The ``agents`` table: one row per employed agent and day (``workforce.enabled``).

Its columns (:data:`AGENT_COLUMNS`) and those the workforce adds to the ``days`` table
(:data:`WORKFORCE_DAY_COLUMNS`); :func:`agents_table` builds it from the workforce's
daily rows and the ``calls`` table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "AGENT_COLUMNS",
    "STATUS",
    "WORKFORCE_DAY_COLUMNS",
    "agents_table",
    "empty_agents_table",
]

STATUS = ("working", "absent", "off", "training")  # agents-table status labels

#: Columns of the ``agents`` table (one row per employed agent and day), in order.
AGENT_COLUMNS = (
    "day", "agent_id", "status", "shift", "tenure_days", "empowered", "scheduled_s",
    "available_s", "busy_s", "occupancy", "calls", "resolved", "fcr", "fatigue_mean",
    "fatigue_end", "trailing_occupancy", "quit_hazard", "quit", "hired",
)  # fmt: skip
#: Workforce columns of the ``days`` table (NaN without ``workforce.enabled``).
WORKFORCE_DAY_COLUMNS = (
    "headcount", "in_training", "absent", "quits", "hires", "vacancies", "fatigue_mean",
    "quit_hazard_annual", "paid_hours", "hiring_cost",
)  # fmt: skip


def empty_agents_table() -> pd.DataFrame:
    """The ``agents`` table of a run without ``workforce.enabled``: no rows."""
    return pd.DataFrame({c: [] for c in AGENT_COLUMNS})


def agents_table(rows: Sequence[dict[str, np.ndarray]], calls: pd.DataFrame,
                 group: np.ndarray, groups: Sequence[str]) -> pd.DataFrame:  # fmt: skip
    """The ``agents`` table from the workforce's daily ``rows`` (column -> values), with
    calls and resolved issues counted from the ``calls`` table (answered attempts by
    agent and day). ``group``: each agent id's group index; ``groups``: the group names:
    with several, an ``agent_group`` column (categorical, the groups in config order)
    follows ``agent_id``."""
    if not rows:
        return empty_agents_table()
    df = pd.DataFrame({k: np.concatenate([r[k] for r in rows]) for k in rows[0]})
    # answered attempts and resolved ones per (day, agent): bincounts over a compact
    # key, a million rows at a time (a year: millions of rows, no long temporary)
    agent = calls["agent_id"].to_numpy()
    width = max(1, int(agent.max()) + 1) if agent.size else 1
    day, resolved = calls["day"].to_numpy(), calls["resolved"].array
    size = (int(day.max()) + 1 if day.size else 1) * width  # >= 1: still 1 bin
    n_calls = np.zeros(size, dtype=np.int64)
    n_resolved = np.zeros(size, dtype=np.int64)
    for lo in range(0, len(agent), 1 << 20):
        a = agent[lo : lo + (1 << 20)]
        ans = a >= 0
        key = day[lo : lo + (1 << 20)][ans].astype(np.int64) * width + a[ans]
        n_calls += np.bincount(key, minlength=size)
        ok = resolved[lo : lo + (1 << 20)].to_numpy(dtype=bool, na_value=False)[ans]
        n_resolved += np.bincount(key[ok], minlength=size)
    row = df["day"].to_numpy(np.int64) * width + df["agent_id"].to_numpy(np.int64)
    known = (df["agent_id"].to_numpy() < width) & (row < n_calls.size)
    df["calls"] = np.where(known, n_calls[np.where(known, row, 0)], 0).astype(np.int64)
    df["resolved"] = np.where(known, n_resolved[np.where(known, row, 0)], 0).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        df["fcr"] = df["resolved"] / df["calls"].where(df["calls"] > 0)
    df["status"] = pd.Categorical.from_codes(
        df["status"].to_numpy(np.int64), dtype=pd.CategoricalDtype(list(STATUS))
    )
    df = df[list(AGENT_COLUMNS)].reset_index(drop=True)
    if len(groups) > 1:  # several agent groups: each agent's group, after its id
        codes = group[df["agent_id"].to_numpy(np.int64)]
        labels = pd.Series(pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(groups))))
        df.insert(2, "agent_group", labels)
    return df
