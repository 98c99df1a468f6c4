"""The backlog per call type (sim.outputs.backlog) and busy time of concurrent chat
sessions (sim.outputs.tally.merge_spans), against brute force on random tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.outputs.backlog import backlog_at
from sim.outputs.tally import merge_spans


def table(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, np.ndarray]:
    arrival = np.sort(rng.uniform(0, 1000, n)).round(1)
    wait = rng.exponential(80, n).round(1)
    outcome = rng.choice(["answered", "abandoned", "blocked", "closed"], n, p=[0.7, 0.1, 0.1, 0.1])
    wait[outcome == "blocked"] = 0.0
    calls = pd.DataFrame({"arrival_s": arrival, "wait_s": wait, "outcome": outcome})
    return calls, rng.integers(0, 2, n)


@pytest.mark.parametrize("seed", range(5))
def test_backlog_is_the_waiting_count_and_oldest_age(seed: int) -> None:
    rng = np.random.default_rng(seed)
    calls, codes = table(rng, 300)
    at = np.sort(np.r_[rng.uniform(0, 1200, 40), calls["arrival_s"].to_numpy()[:5]])
    count, age = backlog_at(calls, codes, 2, at)
    a = calls["arrival_s"].to_numpy()
    leave = a + calls["wait_s"].to_numpy()
    waited = (calls["outcome"] != "blocked").to_numpy()
    for k in range(2):
        for j, t in enumerate(at):
            w = (codes == k) & waited & (a <= t) & (leave > t)
            assert count[k, j] == w.sum()
            assert age[k, j] == (t - a[w].min() if w.any() else 0.0)


def test_no_backlog_in_an_empty_table() -> None:
    empty = pd.DataFrame({"arrival_s": [], "wait_s": [], "outcome": []})
    count, age = backlog_at(empty, np.zeros(0, np.int64), 1, np.array([1.0, 2.0]))
    assert count.tolist() == [[0, 0]] and age.tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize("seed", range(20))
def test_merged_spans_are_each_agents_union(seed: int) -> None:
    """Total merged length = the sum over agents of the length of the union of their
    spans (counted on a half-second grid: the ends are whole seconds); spans of
    different agents are never merged; no span is lost or made longer."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    agent = rng.integers(0, 5, n)
    start = rng.uniform(0, 200, n).round(0)
    end = start + rng.uniform(0, 40, n).round(0)
    s, e = merge_spans(start, end, agent)
    grid = np.arange(0, 260, 0.5) + 0.25
    union = 0.0
    for a in np.unique(agent):
        m = agent == a
        union += ((start[m][:, None] <= grid) & (grid < end[m][:, None])).any(axis=0).sum() * 0.5
    assert float((e - s).sum()) == pytest.approx(union, abs=1e-9)
    assert len(s) >= len(np.unique(agent)) and (e >= s).all()
    one = np.zeros(n, np.int64)  # everything one agent's: one union over all
    s1, e1 = merge_spans(start, end, one)
    assert (s1[1:] >= e1[:-1]).all()  # disjoint, in order
