"""The staff log: agents present over time, one step function per agent group.

The engine logs every change of the number of agents present (on duty, or finishing a
call after their shift) as ``staff_time_s`` / ``staff_present`` records, and the group
whose count each record gives as ``staff_group`` (:class:`sim.queue.engine.EngineLog`).
With one group (``staff_group`` all 0, or empty) the log is one step function; with
several, one per group, interleaved in time order, and the centre's presence is their sum.
"""

from __future__ import annotations

import numpy as np

from sim.queue.engine import EngineLog

__all__ = ["cumulative_present", "n_staff_groups", "present_by_group", "present_total"]


def cumulative_present(times: np.ndarray, present: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Agent-seconds of presence accumulated up to each time in ``at`` (step function)."""
    if len(times) == 0:
        return np.zeros_like(at)
    area = np.concatenate(([0.0], np.cumsum(present[:-1] * np.diff(times))))
    k = np.searchsorted(times, at, side="right") - 1
    inside = k >= 0
    out = np.zeros_like(at)
    out[inside] = area[k[inside]] + present[k[inside]] * (at[inside] - times[k[inside]])
    return out


def _groups(log: EngineLog) -> np.ndarray | None:
    """The group of each staff record, or None when the log is one step function."""
    g = log.staff_group
    if len(g) != len(log.staff_present) or not bool(np.any(g)):
        return None
    return g


def n_staff_groups(log: EngineLog) -> int:
    """Groups the staff log has step functions for (1 + the largest group index)."""
    g = _groups(log)
    return 1 if g is None else int(g.max()) + 1


def present_by_group(log: EngineLog, at: np.ndarray, n_groups: int) -> np.ndarray:
    """Agent-seconds present up to each time of ``at``, per group: shape (n_groups, len(at)).

    Groups with no record are 0 all along. Raises ValueError if the log names a group
    index >= ``n_groups``.
    """
    at = np.asarray(at, dtype=np.float64)
    out = np.zeros((n_groups, len(at)))
    g = _groups(log)
    if g is None:
        out[0] = cumulative_present(log.staff_time_s, log.staff_present, at)
        return out
    if int(g.max()) >= n_groups:
        raise ValueError(f"staff log names agent group {int(g.max())}; only {n_groups} group(s)")
    for k in range(n_groups):
        mine = g == k
        out[k] = cumulative_present(log.staff_time_s[mine], log.staff_present[mine], at)
    return out


def present_total(log: EngineLog, at: np.ndarray) -> np.ndarray:
    """Agent-seconds present up to each time of ``at``, all groups together.

    With one step function it is :func:`cumulative_present` of the whole log (the
    single-group numbers, bit for bit); with several, the sum over groups.
    """
    if _groups(log) is None:
        return cumulative_present(log.staff_time_s, log.staff_present, at)
    return present_by_group(log, at, n_staff_groups(log)).sum(axis=0)
