"""An independent continuous-time Markov chain of a small multi-skill call centre.

A test utility for the exact checks of several call types and agent groups: it shares no
code with the engine (or with ``sim.theory``), builds the chain state by state from the
rules written below, and solves it exactly (sparse linear algebra). Everything is
exponential: Poisson arrivals per type, exponential service per (group, type), and
exponential patience per type (rate 0: nobody abandons).

State: ``busy`` (agents of group i serving type k, a flat tuple of I x K counts) and
``queue`` (the types of the waiting calls in order of arrival). When every type has a
key of its own (``policy="priority"`` with distinct priorities), the order across types
never matters: the queue is then kept sorted by key (stably), which makes the chain
small enough for a large waiting room. Otherwise the full order is kept (2^cap
sequences for two types: keep ``cap`` small and compare with finite-room formulas). The waiting room is
truncated at ``cap`` calls (an arrival that finds it full is lost); choose ``cap`` so
that :attr:`Solution.p_full` is negligible.

Routing (no pre-emption, no idling while an eligible call waits):

* an arriving call of type k goes to the eligible group with an idle agent that has
  the best (smallest) rank for k; ties between groups are not allowed (the engine
  breaks them by idle time, which this chain does not track); else it waits;
* an agent of group i who becomes free takes, among the waiting calls of the types it
  has a skill for, the one of best ``priority`` (smallest number), then the one that
  has waited longest (``policy="priority"``); or the type it ranks best, then the
  longest waiting (``policy="rank"``).

Measures, per type k: P(wait) (an arrival finds no idle eligible agent, PASTA),
abandonment (theta_k E[Q_k] / lambda_k), mean wait of all calls (E[Q_k] / lambda_k,
Little), service level P(answered within T) by a tagged call's absorbing chain; per
group i: occupancy E[busy_i] / n_i.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply, spsolve

__all__ = ["Design", "Solution", "service_level", "solve"]

State = tuple[tuple[int, ...], tuple[int, ...]]  # (busy I*K, queue of types)


@dataclass(frozen=True)
class Design:
    """A small multi-skill centre; rates per second."""

    arrival: tuple[float, ...]  # lambda_k
    agents: tuple[int, ...]  # n_i
    rank: tuple[tuple[float | None, ...], ...]  # rank[i][k]: None = no skill
    service: tuple[tuple[float, ...], ...]  # mu[i][k], per second
    patience: tuple[float, ...] = ()  # theta_k (0 = never); default all 0
    priority: tuple[int, ...] = ()  # per type, smaller = served first; default all 0
    policy: str = "priority"  # or "rank"
    cap: int = 30  # waiting places in all (truncation)

    @property
    def types(self) -> int:
        return len(self.arrival)

    @property
    def groups(self) -> int:
        return len(self.agents)

    def theta(self, k: int) -> float:
        return self.patience[k] if self.patience else 0.0

    def prio(self, k: int) -> int:
        return self.priority[k] if self.priority else 0

    @property
    def sorted_queue(self) -> bool:
        """Whether the queue is kept sorted by key (distinct priorities)."""
        keys = [self.prio(k) for k in range(self.types)]
        return self.policy == "priority" and len(set(keys)) == len(keys)

    def insert_at(self, queue: tuple[int, ...], k: int) -> int:
        """Where an arriving type-k call joins ``queue``."""
        if not self.sorted_queue:
            return len(queue)
        return sum(1 for j in queue if self.prio(j) <= self.prio(k))


@dataclass
class Solution:
    """Stationary measures of a :class:`Design`."""

    p_wait: np.ndarray  # per type
    abandon_rate: np.ndarray  # per type, abandoned / offered
    mean_wait_s: np.ndarray  # per type, all calls
    occupancy: np.ndarray  # per group
    p_full: float  # stationary probability that the waiting room is full
    states: int
    pi: dict[State, float] = field(repr=False, default_factory=dict)


def _idle(d: Design, busy: tuple[int, ...], i: int) -> int:
    k_ = d.types
    return d.agents[i] - sum(busy[i * k_ : (i + 1) * k_])


def _arrival_group(d: Design, busy: tuple[int, ...], k: int) -> int | None:
    """The group that answers an arriving type-k call at once, or None (it waits)."""
    best: tuple[float, int] | None = None
    for i in range(d.groups):
        r = d.rank[i][k]
        if r is None or _idle(d, busy, i) == 0:
            continue
        if best is not None and r == best[0]:
            raise ValueError(f"type {k}: groups {best[1]} and {i} tie on rank {r}")
        if best is None or r < best[0]:
            best = (r, i)
    return None if best is None else best[1]


def _pick(d: Design, i: int, queue: tuple[int, ...]) -> int | None:
    """Position in ``queue`` of the call a freed agent of group i takes, or None."""
    best: tuple[float, int] | None = None
    for pos, k in enumerate(queue):
        r = d.rank[i][k]
        if r is None:
            continue
        key = float(d.prio(k)) if d.policy == "priority" else float(r)
        if best is None or key < best[0]:  # strict: the earlier (longer waiting) wins ties
            best = (key, pos)
    return None if best is None else best[1]


def _add(busy: tuple[int, ...], d: Design, i: int, k: int, delta: int) -> tuple[int, ...]:
    b = list(busy)
    b[i * d.types + k] += delta
    return tuple(b)


def _transitions(d: Design, s: State) -> list[tuple[float, State, str, int]]:
    """(rate, next state, event, detail) out of ``s``; event is 'arrive', 'serve' or
    'abandon' (detail: the queue position that left, for the tagged chain)."""
    busy, queue = s
    out: list[tuple[float, State, str, int]] = []
    for k, lam in enumerate(d.arrival):
        g = _arrival_group(d, busy, k)
        if g is not None:
            out.append((lam, (_add(busy, d, g, k, 1), queue), "arrive", -1))
        elif len(queue) < d.cap:
            at = d.insert_at(queue, k)
            out.append((lam, (busy, (*queue[:at], k, *queue[at:])), "arrive", at))
    for i in range(d.groups):
        for k in range(d.types):
            m = busy[i * d.types + k]
            if m == 0:
                continue
            rate = m * d.service[i][k]
            freed = _add(busy, d, i, k, -1)
            pos = _pick(d, i, queue)
            if pos is None:
                out.append((rate, (freed, queue), "serve", -1))
            else:
                k2 = queue[pos]
                nxt = (_add(freed, d, i, k2, 1), queue[:pos] + queue[pos + 1 :])
                out.append((rate, nxt, "serve", pos))
    for pos, k in enumerate(queue):
        if d.theta(k) > 0:
            out.append((d.theta(k), (busy, queue[:pos] + queue[pos + 1 :]), "abandon", pos))
    return out


def _explore(d: Design) -> dict[State, int]:
    start: State = (tuple([0] * (d.groups * d.types)), ())
    index = {start: 0}
    stack = [start]
    while stack:
        s = stack.pop()
        for _, t, _, _ in _transitions(d, s):
            if t not in index:
                index[t] = len(index)
                stack.append(t)
    return index


def _generator(d: Design, index: dict[State, int]) -> sp.csr_matrix:
    rows, cols, vals = [], [], []
    for s, a in index.items():
        for rate, t, _, _ in _transitions(d, s):
            rows.append(a)
            cols.append(index[t])
            vals.append(rate)
    n = len(index)
    q = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    q = q - sp.diags(np.asarray(q.sum(axis=1)).ravel())
    return q.tocsr()


def solve(d: Design) -> Solution:
    """The stationary distribution of ``d`` and its measures."""
    index = _explore(d)
    q = _generator(d, index)
    n = len(index)
    a = q.T.tolil()
    a[0, :] = np.ones(n)  # replace one balance equation by sum(pi) = 1
    b = np.zeros(n)
    b[0] = 1.0
    pi_vec = spsolve(a.tocsr(), b)
    pi = {s: float(pi_vec[j]) for s, j in index.items()}
    k_, i_ = d.types, d.groups
    p_wait, queue_len = np.zeros(k_), np.zeros(k_)
    busy = np.zeros(i_)
    p_full = 0.0
    for (bz, queue), p in pi.items():
        for k in range(k_):
            if _arrival_group(d, bz, k) is None:
                p_wait[k] += p
            queue_len[k] += p * queue.count(k)
        for i in range(i_):
            busy[i] += p * sum(bz[i * k_ : (i + 1) * k_])
        if len(queue) == d.cap:
            p_full += p
    lam = np.asarray(d.arrival, float)
    theta = np.asarray([d.theta(k) for k in range(k_)])
    return Solution(
        p_wait=p_wait,
        abandon_rate=theta * queue_len / lam,
        mean_wait_s=queue_len / lam,
        occupancy=busy / np.asarray(d.agents, float),
        p_full=p_full,
        states=n,
        pi=pi,
    )


def service_level(d: Design, sol: Solution, k: int, threshold_s: float) -> float:
    """P(a type-k call is answered within ``threshold_s``), of all type-k calls offered
    (a call lost at a full waiting room counts as not answered).

    A tagged call: it arrives in stationary state s (PASTA) and is answered at once, or
    joins the queue; the chain of (state, tagged call's position) runs until the tagged
    call is answered (absorbing) or abandons (absorbing); the answer is
    P(no wait) + sum over waiting starts of pi(s) P(answered by T | s).
    """
    answered_now = 0.0
    starts: dict[tuple[State, int], float] = {}
    for (bz, queue), p in sol.pi.items():
        if _arrival_group(d, bz, k) is not None:
            answered_now += p
        elif len(queue) < d.cap:
            at = d.insert_at(queue, k)
            key = ((bz, (*queue[:at], k, *queue[at:])), at)
            starts[key] = starts.get(key, 0.0) + p
    if not starts:
        return answered_now
    index: dict[tuple[State, int], int] = {}
    stack = list(starts)
    for key in stack:
        index[key] = len(index)
    edges: list[tuple[int, int, float]] = []  # (from, to, rate) between waiting states
    absorbed_served: list[tuple[int, float]] = []
    while stack:
        s, pos = stack.pop()
        a = index[(s, pos)]
        for rate, t, event, where in _transitions(d, s):
            if event == "arrive":
                nxt = (t, pos + 1 if 0 <= where <= pos else pos)
            elif where == pos:  # the tagged call leaves the queue
                if event == "serve":
                    absorbed_served.append((a, rate))
                continue  # abandoned: absorbed in 'gone' (no edge kept)
            else:
                nxt = (t, pos - 1 if where >= 0 and where < pos else pos)
            if nxt not in index:
                index[nxt] = len(index)
                stack.append(nxt)
            edges.append((a, index[nxt], rate))
    n = len(index)
    size = n + 1  # the last state: answered
    rows, cols, vals = [], [], []
    out_rate = np.zeros(size)
    for a, b, rate in edges:
        rows.append(a)
        cols.append(b)
        vals.append(rate)
        out_rate[a] += rate
    for a, rate in absorbed_served:
        rows.append(a)
        cols.append(n)
        vals.append(rate)
        out_rate[a] += rate
    # abandonment of the tagged call leaves the chain (sub-stochastic): its rate counts
    for (s, pos), a in index.items():
        out_rate[a] += d.theta(s[1][pos])
    q = sp.coo_matrix((vals, (rows, cols)), shape=(size, size)).tocsr()
    q = (q - sp.diags(out_rate)).tocsr()
    p0 = np.zeros(size)
    for key, p in starts.items():
        p0[index[key]] += p
    pt = expm_multiply(q.T * threshold_s, p0)
    return answered_now + float(pt[n])
