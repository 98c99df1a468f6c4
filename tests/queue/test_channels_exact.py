"""Chat, e-mail and blending against exact results (issue 15).

Every case is an always-open centre (00:00-24:00, 60-minute intervals, flat Poisson
arrivals, constant staffing), exponential handle times (talk, no after-call work), no
redials. The exact results share no code with the engine:

* **chat**: N agents holding up to k sessions each, a session's rate independent of the
  sessions held (``session_stretch`` 0), is M/M/(N k): Erlang C without abandonment,
  Erlang A (M/M/n+M) with exponential patience (sim.theory.analytic, itself checked
  against published tables in tests/theory). KPIs: P(wait), mean wait, abandonment,
  service level at 60 s, and the mean sessions an agent holds (Little: lambda x
  answered share x h / N);
* **e-mail, stable**: a backlog of infinitely patient e-mails served FCFS by N agents
  is M/M/N: the share answered within the deadline T is 1 - C exp(-(N mu - lambda) T)
  (Erlang C's waiting-time law), the throughput is lambda;
* **e-mail, overloaded, with closing hours**: with a backlog that never empties, each of
  the N agents completes a Poisson(mu T_open) number of e-mails while open and finishes
  the one in hand after closing: answered per day = Poisson(N mu T_open) + N, the
  throughput min(arrival rate, capacity) = capacity, and the backlog carries over;
* **blending** with equal exponential handle times, an e-mail backlog that never
  empties and threshold r (``reserve_idle``): with I idle agents and q voice calls
  waiting, the state n = r - I (while I > 0) or r + q is a birth-death chain with birth
  rate lambda_voice, death rate (N - r + n) mu for 1 <= n <= r and N mu for n > r
  (from n = 0 every freed agent takes an e-mail). Voice P(wait) = P(n >= r) (PASTA),
  mean wait = E[(n - r)^+] / lambda_voice, e-mail throughput = pi_0 (N - r) mu.

Statistics as in tests/queue/test_skills_exact.py: independent replications (distinct
spawn keys), each a ratio estimate over many relaxation times (warm-up >= 30 mean
handle times), Student-t intervals mean +- t(R-1) sd / sqrt(R), each check at level
1 - 0.01 / (checks in the file) (Bonferroni): a correct engine fails one with
probability < 1 %. Seeds are fixed.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from blending import blending_chain
from scipy import stats

from sim.core.calls import Outcome
from sim.model.callcenter import CallCenter
from sim.queue.engine import EngineLog
from sim.theory.analytic import erlang_a, erlang_c

FAMILY_ALPHA = 0.01
#: chat (5 KPIs x 4 cases), e-mail (2 + 1), blending (3 x 3); quick and slow lengths
N_CHECKS = 2 * (5 * 4 + 2 + 1 + 3 * 3)
CONFIDENCE = 1.0 - FAMILY_ALPHA / N_CHECKS
ANSWERED = int(Outcome.ANSWERED)
ABANDONED = int(Outcome.ABANDONED)
DAY = 86400.0
#: run length factor: quick (make test) and 4 x longer (make test-slow)
LENGTHS = [1, pytest.param(4, marks=pytest.mark.slow, id="long")]


def centre(rate: float, days: int, warmup_s: float, seed: int, **extra: Any) -> dict[str, Any]:
    """An always-open centre's mapping: ``rate`` fresh contacts per second in all."""
    return {
        "center": {"open_time": "00:00", "close_time": "24:00", "interval_min": 60,
                   "volume_per_day": rate * DAY},
        "run": {"days": days, "warmup_s": warmup_s, "seed": seed},
        **extra,
    }  # fmt: skip


def exp_law(mean_s: float) -> dict[str, Any]:
    return {"kind": "exponential", "mean_s": mean_s}


NO_ACW = {"kind": "deterministic", "value_s": 0.0}


def interval(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and half-width of the Student-t interval over replications (axis 0)."""
    r = len(samples)
    t = stats.t.ppf(0.5 + CONFIDENCE / 2, r - 1)
    return samples.mean(axis=0), t * samples.std(axis=0, ddof=1) / np.sqrt(r)


def compare(name: str, samples: list[dict[str, float]], want: dict[str, float]) -> None:
    problems = []
    for key, e in want.items():
        m, h = interval(np.array([s[key] for s in samples]))
        if abs(m - e) > h:
            problems.append(f"{key}: exact {e:.5g}, simulated {m:.5g} +- {h:.3g}")
    assert not problems, f"{name}: " + "; ".join(problems)


def runs(mapping: dict[str, Any], reps: int) -> list[EngineLog]:
    model = CallCenter(mapping)
    return [model.engine(r).run() for r in range(reps)]


# ------------------------------------------------------------------ chat = M/M/(N k)
CHAT_CASES = [  # id, lambda /s, mean handle s, N, k, mean patience s (None: never)
    ("C-2x3", 0.025, 180.0, 2, 3, None),
    ("C-3x2", 0.03, 150.0, 3, 2, None),
    ("A-2x3", 0.04, 180.0, 2, 3, 120.0),
    ("A-4x2", 0.07, 120.0, 4, 2, 90.0),
]
SL_T = 60.0


def chat_mapping(lam: float, h: float, n: int, k: int, patience: float | None,
                 days: int, seed: int) -> dict[str, Any]:  # fmt: skip
    kind = {"name": "chat", "share": 1.0, "channel": "chat", "talk": exp_law(h), "acw": NO_ACW,
            "patience": {"kind": "never"} if patience is None else exp_law(patience)}  # fmt: skip
    group = {"name": "chatters", "agents": n, "skills": {"chat": 1}, "max_sessions": k}
    return centre(lam, days, 40 * h, seed, call_types=[kind], agent_groups=[group])


def chat_kpis(log: EngineLog, warmup_s: float, n: int) -> dict[str, float]:
    keep = log.arrival_s >= warmup_s
    out, wait = log.outcome[keep], log.wait_s[keep]
    answered = out == ANSWERED
    span = log.end_s - warmup_s
    held = log.handle_s[keep][answered].sum() / (n * span)  # sessions held per agent
    return {
        "p_wait": float(1.0 - np.mean(answered & (wait == 0.0))),
        "mean_wait": float(wait.mean()),
        "abandon": float(np.mean(out == ABANDONED)),
        "sl": float(np.mean(answered & (wait <= SL_T))),
        "sessions": float(held),
    }


def chat_exact(lam: float, h: float, n: int, k: int, patience: float | None) -> dict[str, float]:
    servers = n * k
    if patience is None:
        c = erlang_c(lam, h, servers)
        answered, sl = 1.0, c.service_level(SL_T)
        return {"p_wait": c.p_wait, "mean_wait": c.mean_wait_s, "abandon": 0.0, "sl": sl,
                "sessions": lam * h / n}  # fmt: skip
    a = erlang_a(lam, h, servers, patience)
    answered = 1.0 - a.p_abandon
    return {"p_wait": a.p_wait, "mean_wait": a.mean_wait_s, "abandon": a.p_abandon,
            "sl": a.service_level(SL_T), "sessions": lam * answered * h / n}  # fmt: skip


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("case", CHAT_CASES, ids=lambda c: c[0])
def test_chat_is_erlang_with_n_times_k_servers(case: tuple[Any, ...], length: int) -> None:
    name, lam, h, n, k, patience = case
    days, reps = 5 * length, 10
    logs = runs(chat_mapping(lam, h, n, k, patience, days, 401), reps)
    compare(name, [chat_kpis(log, 40 * h, n) for log in logs],
            chat_exact(lam, h, n, k, patience))  # fmt: skip


def test_chat_sessions_never_exceed_max_and_stretch_follows_the_law() -> None:
    """At every session start the agent holds <= k sessions, and with a stretch s each
    session's handle time is its drawn time x (1 + s (m - 1)), m the sessions held at
    its start (the same seed without stretch gives the drawn times: call i's draws do
    not depend on routing)."""
    lam, h, n, k, s = 0.03, 180.0, 2, 3, 0.25
    plain = chat_mapping(lam, h, n, k, 120.0, 1, 7)
    stretched = chat_mapping(lam, h, n, k, 120.0, 1, 7)
    stretched["agent_groups"][0]["session_stretch"] = s
    base = CallCenter(plain).engine(0).run()
    log = CallCenter(stretched).engine(0).run()
    ans = np.flatnonzero(log.outcome == ANSWERED)
    start = log.arrival_s[ans] + log.wait_s[ans]
    end = start + log.handle_s[ans]
    agent = log.agent_id[ans]
    held = np.array([np.sum((agent == agent[j]) & (start <= start[j]) & (end > start[j]))
                     for j in range(len(ans))])  # fmt: skip
    assert held.max() == k and held.min() == 1
    np.testing.assert_allclose(log.handle_s[ans], base.handle_s[ans] * (1 + s * (held - 1)),
                               rtol=1e-12)  # fmt: skip


# ------------------------------------------------------------------ e-mail
def email_type(deadline_s: float, h: float, **extra: Any) -> dict[str, Any]:
    return {"name": "email", "share": 1.0, "channel": "email", "talk": exp_law(h),
            "acw": NO_ACW, "sl_threshold_s": deadline_s, **extra}  # fmt: skip


@pytest.mark.parametrize("length", LENGTHS)
def test_email_backlog_is_mm_n_against_its_deadline(length: int) -> None:
    """Stable backlog, always open: share answered within T = 1 - C exp(-(N mu - l) T),
    throughput = lambda (answered per second of the measured span)."""
    lam, h, n, deadline = 2.5 / 1200.0, 1200.0, 3, 3600.0
    warm, days, reps = 40 * h, 60 * length, 10
    mapping = centre(lam, days, warm, 402, call_types=[email_type(deadline, h)],
                     agent_groups=[{"name": "desk", "agents": n, "skills": {"email": 1}}])  # fmt: skip
    samples = []
    for log in runs(mapping, reps):
        keep = log.arrival_s >= warm
        out, wait = log.outcome[keep], log.wait_s[keep]
        start = log.arrival_s + log.wait_s
        done = (log.outcome == ANSWERED) & (start >= warm) & (start < days * DAY)
        samples.append({
            "within": float(np.mean((out == ANSWERED) & (wait <= deadline))),
            "throughput": float(done.sum() / (days * DAY - warm)),
        })  # fmt: skip
    c = erlang_c(lam, h, n)
    compare("email M/M/N", samples, {"within": c.service_level(deadline), "throughput": lam})


@pytest.mark.parametrize("length", LENGTHS)
def test_email_overloaded_desk_carries_its_backlog_over_days(length: int) -> None:
    """Open 08:00-16:00, e-mail arriving at 1.5 x capacity: answered per day =
    Poisson(N mu T) + N (each agent finishes the one in hand after closing), the
    backlog at each closing grows, and nothing is closed but the final backlog."""
    h, n, t_open, days, reps = 600.0, 4, 8 * 3600.0, 1 + 8 * length, 8
    lam = 1.5 * n / h
    mapping = {
        "center": {"open_time": "08:00", "close_time": "16:00", "interval_min": 60,
                   "volume_per_day": lam * t_open, "after_close": "cut"},
        "run": {"days": days, "seed": 403},
        "call_types": [email_type(86400.0, h)],
        "agent_groups": [{"name": "desk", "agents": n, "skills": {"email": 1}}],
    }  # fmt: skip
    samples = []
    for log in runs(mapping, reps):
        start = log.arrival_s + log.wait_s
        ans = log.outcome == ANSWERED
        # day 0 starts with an empty backlog: days 1.. have one all day
        per_day = np.bincount((start[ans] // DAY).astype(int), minlength=days)[1:days]
        samples.append({"per_day": float(per_day.mean())})
        assert set(np.unique(log.outcome)) <= {ANSWERED, int(Outcome.CLOSED)}
        closed = log.outcome == int(Outcome.CLOSED)
        assert closed.any() and (log.wait_s[closed] > 0).all()
        # closed only when the run is over: not at any closing before
        np.testing.assert_array_equal(
            log.arrival_s[closed] + log.wait_s[closed] >= (days - 1) * DAY + 16 * 3600, True
        )
        backlog = [np.sum((log.arrival_s < d * DAY + 16 * 3600) & ~(ans & (start < d * DAY + 16 * 3600)))
                   for d in range(days)]  # fmt: skip
        assert all(b > a for a, b in itertools.pairwise(backlog))
        assert (log.wait_s[ans] > 16 * 3600).any()  # some answered a day or more later
    compare("email overloaded", samples, {"per_day": n * t_open / h + n})


# ------------------------------------------------------------------ blending
def blending_exact(lam: float, mu: float, n: int, r: int) -> dict[str, float]:
    """The birth-death chain of the module docstring (tests/blending.py)."""
    exact = blending_chain(lam, mu, n, r)
    return {"p_wait": exact["p_wait"], "mean_wait": exact["mean_wait"],
            "email_rate": exact["deferred_rate"]}  # fmt: skip


BLEND_CASES = [(0, 5), (1, 5), (2, 6)]  # (reserve_idle r, agents N)


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("case", BLEND_CASES, ids=lambda c: f"r{c[0]}-N{c[1]}")
def test_blending_is_a_birth_death_chain(case: tuple[int, int], length: int) -> None:
    r, n = case
    h = 120.0
    lam_v = 0.75 * n / h  # voice load 75 % of the agents
    lam_e = 0.5 * n / h  # e-mail beyond the spare capacity: the backlog never empties
    warm, days, reps = 40 * h, 5 * length, 10
    total = lam_v + lam_e
    mapping = centre(total, days, warm, 404 + r, call_types=[
        {"name": "voice", "share": lam_v / total, "talk": exp_law(h), "acw": NO_ACW,
         "patience": {"kind": "never"}},
        email_type(86400.0, h, share=lam_e / total),
    ], agent_groups=[{"name": "blended", "agents": n, "skills": {"voice": 1, "email": 1},
                      "reserve_idle": r}])  # fmt: skip
    samples = []
    for log in runs(mapping, reps):
        keep = (log.arrival_s >= warm) & (log.call_type == 0)
        wait = log.wait_s[keep]
        start = log.arrival_s + log.wait_s
        email = (log.call_type == 1) & (log.outcome == ANSWERED) & (start >= warm)
        email &= start < days * DAY
        samples.append({
            "p_wait": float(np.mean(wait > 0.0)),
            "mean_wait": float(wait.mean()),
            "email_rate": float(email.sum() / (days * DAY - warm)),
        })  # fmt: skip
    compare(f"blending r={r}", samples, blending_exact(lam_v, 1.0 / h, n, r))


def test_chat_agents_above_target_wind_down() -> None:
    """When a chat group's target drops under heavy load, agents holding chats take no
    new one and leave when their last ends: the group gets down to its target (without
    this they would keep taking chats and never leave)."""
    h = 300.0
    mapping = {
        "center": {"open_time": "08:00", "close_time": "12:00", "interval_min": 60,
                   "volume_per_day": 4 * 3600 * 0.08},
        "run": {"days": 1, "seed": 9},
        "call_types": [{"name": "chat", "share": 1.0, "channel": "chat", "talk": exp_law(h),
                        "acw": NO_ACW, "patience": exp_law(600.0)}],
        "agent_groups": [{"name": "chatters", "agents": [6, 6, 2, 2], "skills": {"chat": 1},
                          "max_sessions": 3}],
    }  # fmt: skip
    log = CallCenter(mapping).engine(0).run()
    drop = 10 * 3600.0
    t, present = log.staff_time_s, log.staff_present
    open_ = t < 12 * 3600.0
    assert present[open_][-1] == 2  # the last change while open: down to the target
    assert t[open_][-1] < drop + 20 * h  # within a few sessions' time, under 100% load
    ans = log.outcome == ANSWERED
    start = log.arrival_s + log.wait_s
    late = ans & (start > drop + 20 * h) & (start < 12 * 3600.0)
    assert len(np.unique(log.agent_id[late])) <= 2
