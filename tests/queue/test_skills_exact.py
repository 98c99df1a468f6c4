"""The multi-skill engine against the exact Markov chain of tests/ctmc.py (issue 14).

Every design is an always-open centre (00:00-24:00, one 60-minute interval length,
flat Poisson arrivals per type, constant staffing per group), exponential talk times
(no after-call work; a group's handle-time factor scales the mean, so service stays
exponential with rate 1 / (mean x factor)), exponential or no patience, no redials,
and a waiting room of ``cap`` places in all (``queue.max_waiting = cap``: an arrival
that finds no idle eligible agent and ``cap`` calls waiting is lost, exactly the
chain's truncation). The chain (tests/ctmc.py) is built state by state from the
routing rules and shares no code with the engine; it is itself checked against
Erlang C/A and Cobham (tests/test_ctmc.py).

=====  ======  ==========================  ========  =====  ===  ==  ==  ======
id     design  routing                     patience  load   W s  D   R   calls
=====  ======  ==========================  ========  =====  ===  ==  ==  ======
N      N       priority (type 1 first)     never     0.79   6000  3  10  ~13k
W      W       rank (group 2: 0 over 1)    exp 120   ~0.95  6000  3  10  ~13k
X      X       longest_wait, equal ranks*  exp 180   ~0.85  6000  3  10  ~9k
=====  ======  ==========================  ========  =====  ===  ==  ==  ======

(*) ranks that tie between groups are not allowed by the chain; X gives each type
one preferred group. The slow versions run 8 days and 20 replications.

KPIs per type: P(wait) (an arrival finds no idle eligible agent), abandonment,
mean wait of all offered calls (lost calls wait 0), service level P(answered within
20 s) of all offered; per group: occupancy E[busy] / n (busy time of the calls that
arrived after the warm-up, over n x the measured time: its edge error is a few
handle times in a day, far below the standard error).

Statistics, as in tests/theory/test_exact.py: replications are independent (distinct
spawn keys), each a ratio estimate over many relaxation times (the warm-up W is >= 50
mean handle times; the chains relax in well under a minute of load at these sizes),
so the Student-t interval mean +- t(R-1) sd / sqrt(R) is valid; every KPI of every
design is one check at level 1 - 0.01 / (checks in the file) (Bonferroni): a correct
engine fails some check with probability < 1 %. Seeds are fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from ctmc import Design, service_level, solve
from scipy import stats

from sim.core.calls import Outcome
from sim.model.callcenter import CallCenter

SL_T = 20.0
FAMILY_ALPHA = 0.01


@dataclass(frozen=True)
class Case:
    """A design: the chain's parameters and the config that simulates it."""

    id: str
    arrival: tuple[float, ...]  # per type, per second
    agents: tuple[int, ...]  # per group
    rank: tuple[tuple[int | None, ...], ...]  # [group][type], None: no skill
    talk_s: tuple[float, ...]  # mean talk per type, seconds
    factor: tuple[tuple[float, ...], ...]  # [group][type] handle-time factor
    patience_s: tuple[float | None, ...]  # mean per type; None: never abandons
    priority: tuple[int, ...]
    policy: str  # priority | rank | longest_wait (the chain: longest_wait = priority, all 0)
    cap: int
    days: int
    warmup_s: float
    reps: int
    seed: int

    def design(self) -> Design:
        mu = tuple(
            tuple(1.0 / (self.talk_s[k] * self.factor[g][k]) for k in range(len(self.arrival)))
            for g in range(len(self.agents))
        )
        prio = self.priority if self.policy != "longest_wait" else (0,) * len(self.arrival)
        return Design(
            arrival=self.arrival,
            agents=self.agents,
            rank=tuple(tuple(None if r is None else float(r) for r in row) for row in self.rank),
            service=mu,
            patience=tuple(0.0 if p is None else 1.0 / p for p in self.patience_s),
            priority=prio,
            policy="rank" if self.policy == "rank" else "priority",
            cap=self.cap,
        )

    def mapping(self, reps_seed: int | None = None) -> dict[str, Any]:
        names = [f"t{k}" for k in range(len(self.arrival))]
        total = sum(self.arrival)
        types = [
            {
                "name": names[k],
                "share": self.arrival[k] / total,
                "talk": {"kind": "exponential", "mean_s": self.talk_s[k]},
                "acw": {"kind": "deterministic", "value_s": 0.0},
                "patience": {"kind": "never"}
                if self.patience_s[k] is None
                else {"kind": "exponential", "mean_s": self.patience_s[k]},
                "priority": self.priority[k],
            }
            for k in range(len(self.arrival))
        ]
        groups = [
            {
                "name": f"g{g}",
                "agents": n,
                "skills": {names[k]: r for k, r in enumerate(self.rank[g]) if r is not None},
                "handle_factor": {
                    names[k]: f
                    for k, f in enumerate(self.factor[g])
                    if self.rank[g][k] is not None and f != 1.0
                },
            }
            for g, n in enumerate(self.agents)
        ]
        return {
            "center": {"open_time": "00:00", "close_time": "24:00", "interval_min": 60,
                       "volume_per_day": total * 86400.0},
            "call_types": types,
            "agent_groups": groups,
            "routing": {"call_choice": self.policy},
            "queue": {"max_waiting": self.cap},
            "run": {"days": self.days, "warmup_s": self.warmup_s, "seed": self.seed},
        }  # fmt: skip


def kpis(case: Case, rep: int, model: CallCenter) -> dict[str, np.ndarray]:
    """Per-type and per-group KPIs of one replication, from the engine log."""
    log = model.engine(rep).run()
    keep = log.arrival_s >= case.warmup_s
    kind = log.call_type[keep]
    out = log.outcome[keep]
    wait = log.wait_s[keep]
    answered = out == int(Outcome.ANSWERED)
    n_k = len(case.arrival)
    res: dict[str, np.ndarray] = {
        "p_wait": np.zeros(n_k), "abandon": np.zeros(n_k), "mean_wait": np.zeros(n_k),
        "sl": np.zeros(n_k),
    }  # fmt: skip
    for k in range(n_k):
        m = kind == k
        res["p_wait"][k] = 1.0 - np.mean(answered[m] & (wait[m] == 0.0))
        res["abandon"][k] = np.mean(out[m] == int(Outcome.ABANDONED))
        res["mean_wait"][k] = np.mean(wait[m])
        res["sl"][k] = np.mean(answered[m] & (wait[m] <= SL_T))
    group = log.group_of_agent[log.agent_id[keep][answered]]
    busy = log.handle_s[keep][answered]
    span = case.days * 86400.0 - case.warmup_s
    res["occupancy"] = np.array(
        [busy[group == g].sum() / (n * span) for g, n in enumerate(case.agents)]
    )
    return res


CASES = [
    Case("N", (0.03, 0.02), (2, 2), ((1, None), (2, 1)), (60.0, 60.0),
         ((1.0, 1.0), (1.25, 1.0)), (None, None), (1, 0), "priority", 40,
         3, 6000.0, 10, 301),
    Case("W", (0.035, 0.03), (2, 2, 1), ((1, None), (None, 1), (2, 3)), (60.0, 60.0),
         ((1.0, 1.0), (1.0, 1.0), (1.0, 1.0)), (120.0, 120.0), (0, 0), "rank", 8,
         3, 6000.0, 10, 302),
    Case("X", (0.03, 0.025), (2, 2), ((1, 2), (2, 1)), (60.0, 50.0),
         ((1.0, 1.2), (1.0, 1.0)), (180.0, 180.0), (0, 0), "longest_wait", 7,
         3, 6000.0, 10, 303),
]  # fmt: skip
SLOW = [
    Case(c.id + "-long", *[getattr(c, f) for f in ("arrival", "agents", "rank", "talk_s",
         "factor", "patience_s", "priority", "policy", "cap")], 8, 6000.0, 20, c.seed + 100)
    for c in CASES
]  # fmt: skip
KPI_NAMES = ("p_wait", "abandon", "mean_wait", "sl", "occupancy")
N_CHECKS = sum(2 * (4 * len(c.arrival) + len(c.agents)) for c in CASES)  # quick + slow
CONFIDENCE = 1.0 - FAMILY_ALPHA / N_CHECKS


def exact(case: Case) -> dict[str, np.ndarray]:
    d = case.design()
    s = solve(d)
    return {
        "p_wait": s.p_wait,
        "abandon": s.abandon_rate,
        "mean_wait": s.mean_wait_s,
        "sl": np.array([service_level(d, s, k, SL_T) for k in range(d.types)]),
        "occupancy": s.occupancy,
    }


def check(case: Case) -> None:
    model = CallCenter(case.mapping())
    runs = [kpis(case, r, model) for r in range(case.reps)]
    want = exact(case)
    t = stats.t.ppf(0.5 + CONFIDENCE / 2, case.reps - 1)
    problems = []
    for name in KPI_NAMES:
        x = np.array([r[name] for r in runs])
        mean, half = x.mean(axis=0), t * x.std(axis=0, ddof=1) / np.sqrt(case.reps)
        for j, (m, h, e) in enumerate(zip(mean, half, want[name], strict=True)):
            if abs(m - e) > h:
                problems.append(f"{name}[{j}]: exact {e:.5g}, simulated {m:.5g} +- {h:.3g}")
    assert not problems, f"{case.id}: " + "; ".join(problems)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_multiskill_matches_markov_chain(case: Case) -> None:
    check(case)


@pytest.mark.slow
@pytest.mark.parametrize("case", SLOW, ids=lambda c: c.id)
def test_multiskill_matches_markov_chain_long(case: Case) -> None:
    check(case)


def test_designs_are_well_posed() -> None:
    """The chains are not truncated where the engine is not (same cap both sides), every
    type is served and the interval checks are not vacuous (some waiting happens)."""
    for case in CASES:
        want = exact(case)
        assert (want["p_wait"] > 0.05).all(), case.id
        assert (want["occupancy"] < 1.0).all(), case.id
