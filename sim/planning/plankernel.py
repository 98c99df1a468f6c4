"""The planning model's queue, compiled: FCFS, agents changing by slot, impatient callers.

One pass over the calls in arrival order (the Kiefer-Wolfowitz recursion): under
first-come-first-served the service starts of answered calls never go back in time, so
each call's start is ``max(arrival, earliest free agent on duty)``, and the call abandons
when that wait exceeds its patience (an abandoning call takes no agent time). Agents are
*positions* ``0, 1, ...``: position ``j`` is on duty in slot ``k`` when ``j < agents[k]``;
an agent going off duty finishes the call in hand, one coming on duty is free from the
slot's start. A binary heap over the on-duty positions keyed by their free time gives
each start in ``O(log n)``; the heap is rebuilt at each slot boundary the queue reaches.

Exact for this model (no approximation in the recursion): ``tests/test_planmodel.py``
checks it against Erlang C, Erlang A and M/M/n+G.

Compiled with numba (``cache=True``: the first call of a fresh install compiles, ~2 s).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["N_COUNTERS", "queue_pass"]

#: Counters per slot returned by :func:`queue_pass` (columns of its result), in order:
#: offered, answered, answered within T, abandoned, abandoned within T,
#: wait of the answered (sum, s), agent busy time in the slot (s).
N_COUNTERS = 7


@njit(cache=True)
def _sift_down(heap: np.ndarray, size: int, free: np.ndarray, i: int) -> None:
    while True:
        left = 2 * i + 1
        if left >= size:
            return
        child = left
        right = left + 1
        if right < size and free[heap[right]] < free[heap[left]]:
            child = right
        if free[heap[child]] < free[heap[i]]:
            tmp = heap[i]
            heap[i] = heap[child]
            heap[child] = tmp
            i = child
        else:
            return


@njit(cache=True)
def _rebuild(heap: np.ndarray, n: int, free: np.ndarray) -> None:
    for j in range(n):
        heap[j] = j
    for i in range(n // 2 - 1, -1, -1):
        _sift_down(heap, n, free, i)


@njit(cache=True)
def queue_pass(
    arrive: np.ndarray,
    patience: np.ndarray,
    handle: np.ndarray,
    slot: np.ndarray,
    bounds: np.ndarray,
    agents: np.ndarray,
    threshold_s: float,
) -> np.ndarray:
    """Simulate one replication; returns counters per slot, shape ``(len(agents), 7)``.

    ``arrive``: arrival times (s, sorted); ``patience``, ``handle``: per call, seconds
    (``inf`` patience = never abandons); ``slot``: the slot of each arrival (``-1``: a
    warm-up call, not counted); ``bounds``: slot starts then the end of the last slot
    (``len(agents) + 1`` values, increasing); ``agents``: agents on duty per slot (>= 0).
    After the last slot its agents stay on duty until the queue is empty. Counters are
    by the slot of the arrival, except busy time (by the time it is spent; busy time
    after the end of the last slot is not counted).
    """
    n_slots = agents.shape[0]
    out = np.zeros((n_slots, 7))
    max_n = 1
    for k in range(n_slots):
        if agents[k] > max_n:
            max_n = agents[k]
    free = np.full(max_n, bounds[0])
    heap = np.zeros(max_n, dtype=np.int64)
    r = 0
    size = agents[0]
    _rebuild(heap, size, free)
    inf = np.inf
    for i in range(arrive.shape[0]):
        a = arrive[i]
        while True:
            m = free[heap[0]] if size > 0 else inf
            t = a if a > m else m
            if r + 1 < n_slots and t >= bounds[r + 1]:
                b = bounds[r + 1]
                old = agents[r]
                r += 1
                size = agents[r]
                for j in range(old, size):  # coming on duty: free from the boundary on
                    if free[j] < b:
                        free[j] = b
                _rebuild(heap, size, free)
                continue
            break
        k = slot[i]
        w = t - a
        if w > patience[i]:
            if k >= 0:
                out[k, 0] += 1.0
                out[k, 3] += 1.0
                if patience[i] <= threshold_s:
                    out[k, 4] += 1.0
            continue
        end = t + handle[i]
        free[heap[0]] = end
        _sift_down(heap, size, free, 0)
        if k >= 0:
            out[k, 0] += 1.0
            out[k, 1] += 1.0
            if w <= threshold_s:
                out[k, 2] += 1.0
            out[k, 5] += w
        # busy time by slot: from the slot of the start on
        s = r
        while s < n_slots:
            lo = bounds[s] if bounds[s] > t else t
            hi = bounds[s + 1] if bounds[s + 1] < end else end
            if hi > lo:
                out[s, 6] += hi - lo
            if bounds[s + 1] >= end:
                break
            s += 1
    return out
