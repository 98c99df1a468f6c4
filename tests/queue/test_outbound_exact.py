"""Outbound as the lowest-priority source of blended agents, against the exact chain
(issue 15).

An always-open centre (00:00-24:00, 60-minute intervals, flat Poisson voice arrivals,
constant staffing) with one blended group of N agents and threshold r
(``reserve_idle``): voice calls with exponential handle times (mean h, no after-call
work, infinitely patient) and an outbound campaign with an endless list
(``list_size: .inf``: there is always a record to dial), reach probability 1 (every
dial is a call of the same exponential law, mean h) and no retries. The router gives
an agent a record only when no voice call waits and more than r agents are idle
(itself included), and a dial is not interrupted: this is the blending model of
tests/queue/test_channels_exact.py with the never-empty e-mail backlog replaced by the
campaign list. With I idle agents and q voice calls waiting, n = r - I (while I > 0)
or r + q is a birth-death chain: birth rate lambda, death rate (N - r + n) mu for
1 <= n <= r and N mu for n > r (with every agent busy, voice or dial, each ends at
rate mu and the freed agent takes a waiting call); from n = 0 every freed agent dials
(Gans and Zhou 2003; Bhulai and Koole 2003; Koole, *Call Center Optimization*, 2013,
ch. on blending). Exact:

* voice P(wait) = P(n >= r) (PASTA): 0.75 for r = 1, N = 5 and 0.5870 for r = 2,
  N = 6 at a voice load of 75 % (the chain of the e-mail blending test);
* voice mean wait = E[(n - r)^+] / lambda (Little);
* outbound throughput = the rate at which agents are freed into outbound work,
  pi_0 (N - r) mu dials per second (x 3600: per hour): in state 0 the N - r busy agents
  each end at rate mu and the freed one dials.

Statistics as in tests/queue/test_channels_exact.py: R independent replications
(distinct spawn keys), each a time average over many relaxation times after a warm-up
of 40 mean handle times; the Student-t interval mean +- t(R-1) sd / sqrt(R) of the
replication means is the tolerance, because the replications are i.i.d. and their
means nearly normal (each averages thousands of cycles of the chain), so it is what
the standard error of the estimate allows and no more; each check at level
1 - 0.01 / (checks in the file) (Bonferroni): a correct engine fails one with
probability < 1 %. Seeds are fixed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from blending import blending_chain
from scipy import stats

from sim.core.calls import Outcome, Source
from sim.model.callcenter import CallCenter

FAMILY_ALPHA = 0.01
#: 3 KPIs x 2 cases, quick and slow lengths
N_CHECKS = 2 * 3 * 2
CONFIDENCE = 1.0 - FAMILY_ALPHA / N_CHECKS
DAY = 86400.0
LENGTHS = [1, pytest.param(4, marks=pytest.mark.slow, id="long")]
CASES = [(1, 5, 0.75), (2, 6, 0.5870)]  # (reserve_idle r, agents N, published P(wait))


def chain(lam: float, mu: float, n: int, r: int) -> dict[str, float]:
    """The birth-death chain of the module docstring (tests/blending.py)."""
    exact = blending_chain(lam, mu, n, r)
    return {"p_wait": exact["p_wait"], "mean_wait": exact["mean_wait"],
            "dials_per_hour": exact["deferred_rate"] * 3600.0}  # fmt: skip


def exp_law(mean_s: float) -> dict[str, Any]:
    return {"kind": "exponential", "mean_s": mean_s}


NO_ACW = {"kind": "deterministic", "value_s": 0.0}


def blended(lam: float, h: float, n: int, r: int, days: int, seed: int,
            **campaign: Any) -> dict[str, Any]:  # fmt: skip
    """An always-open centre: voice at ``lam`` per second and a campaign (its keys:
    ``campaign``, default an endless list reached always) dialed by one blended group."""
    return {
        "center": {"open_time": "00:00", "close_time": "24:00", "interval_min": 60,
                   "volume_per_day": lam * DAY},
        "run": {"days": days, "warmup_s": 40 * h, "seed": seed},
        "resolution": {"fcr": 1.0},
        "customers": {"enabled": False},
        "workforce": {"enabled": False},
        "call_types": [
            {"name": "voice", "share": 1.0, "talk": exp_law(h), "acw": NO_ACW,
             "patience": {"kind": "never"}},
            {"name": "campaign", "channel": "outbound", "talk": exp_law(h), "acw": NO_ACW,
             "outbound": {"list_size": float("inf"), "reach_probability": 1.0,
                          "max_tries": 1, **campaign}},
        ],
        "agent_groups": [{"name": "blended", "agents": n,
                          "skills": {"voice": 1, "campaign": 1}, "reserve_idle": r}],
    }  # fmt: skip


def interval(samples: np.ndarray) -> tuple[float, float]:
    r = len(samples)
    t = stats.t.ppf(0.5 + CONFIDENCE / 2, r - 1)
    return float(samples.mean()), float(t * samples.std(ddof=1) / np.sqrt(r))


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"r{c[0]}-N{c[1]}")
def test_blended_outbound_is_the_birth_death_chain(case: tuple[int, int, float],
                                                   length: int) -> None:  # fmt: skip
    r, n, published = case
    h = 120.0
    lam = 0.75 * n / h  # voice load 75 % of the agents
    warm, days, reps = 40 * h, 5 * length, 10
    want = chain(lam, 1.0 / h, n, r)
    assert want["p_wait"] == pytest.approx(published, abs=5e-5)  # the chain as published
    model = CallCenter(blended(lam, h, n, r, days, 505 + r))
    samples: dict[str, list[float]] = {k: [] for k in want}
    for rep in range(reps):
        log = model.engine(rep).run()
        voice = (log.arrival_s >= warm) & (log.call_type == 0)
        start = log.arrival_s + log.wait_s
        dial = (log.source == Source.OUTBOUND) & (log.outcome == Outcome.ANSWERED)
        dial &= (start >= warm) & (start < days * DAY)
        samples["p_wait"].append(float(np.mean(log.wait_s[voice] > 0.0)))
        samples["mean_wait"].append(float(log.wait_s[voice].mean()))
        samples["dials_per_hour"].append(float(dial.sum() / (days * DAY - warm) * 3600.0))
    problems = []
    for key, exact in want.items():
        m, half = interval(np.array(samples[key]))
        if abs(m - exact) > half:
            problems.append(f"{key}: exact {exact:.5g}, simulated {m:.5g} +- {half:.3g}")
    assert not problems, f"r={r}, N={n}: " + "; ".join(problems)
