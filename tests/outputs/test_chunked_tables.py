"""The steps of the tables that read a year's calls table in chunks (issue 16, memory)
give the numbers of the whole-column formulas they replaced, bit for bit, also when a
chunk boundary falls inside the table (the chunk size is made tiny here)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from busy_centre import BUSY_CENTRE

import sim.outputs.backlog as backlog
import sim.outputs.call_types as call_types
import sim.outputs.tally as tally
from sim.model.callcenter import CallCenter
from sim.outputs.outbound import outbound_rows

#: a busy 2-day centre (tests/busy_centre.py)
CONFIG: dict[str, Any] = BUSY_CENTRE


@pytest.fixture(scope="module")
def calls() -> pd.DataFrame:
    return CallCenter(CONFIG).run(0).calls


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    for module, name in ((backlog, "CHUNK"), (call_types, "CHUNK"), (tally, "_CHUNK")):
        monkeypatch.setattr(module, name, 97)  # a prime: boundaries anywhere


def old_backlog(calls: pd.DataFrame, codes: np.ndarray, n_types: int, at: np.ndarray) -> Any:
    """The sort-based backlog that :func:`sim.outputs.backlog.backlog_at` replaced."""
    arrival = calls["arrival_s"].to_numpy()
    leave = arrival + calls["wait_s"].to_numpy()
    waited = (calls["outcome"] != "blocked").to_numpy() & ~outbound_rows(calls)
    count = np.zeros((n_types, len(at)), dtype=np.int64)
    age = np.zeros((n_types, len(at)))
    for k in range(n_types):
        m = (codes == k) & waited
        a, lv = arrival[m], leave[m]
        if not a.size:
            continue
        count[k] = np.searchsorted(np.sort(a), at, "right") - np.searchsorted(
            np.sort(lv), at, "right"
        )
        order = np.argsort(lv, kind="stable")
        suffix = np.minimum.accumulate(a[order][::-1])[::-1]
        j = np.searchsorted(lv[order], at, side="right")
        oldest = np.where(j < a.size, suffix[np.minimum(j, a.size - 1)], np.inf)
        age[k] = np.where((count[k] > 0) & (oldest <= at), at - oldest, 0.0)
    return count, age


def test_backlog_in_chunks_is_the_sorted_one(calls: pd.DataFrame, tiny_chunks: None) -> None:
    """Times unsorted, with ties to arrivals and leavings; three types."""
    codes = calls["issue_id"].to_numpy() % 3
    arrival = calls["arrival_s"].to_numpy()
    leave = arrival + calls["wait_s"].to_numpy()
    at = np.r_[np.arange(0.0, 2 * 86400.0, 1800.0), arrival[::50], leave[::70], 1e9]
    at = np.random.default_rng(3).permutation(at)
    new = backlog.backlog_at(calls, codes, 3, at)
    old = old_backlog(calls, codes, 3, at)
    assert new[0].sum() > 0
    assert np.array_equal(new[0], old[0]) and np.array_equal(new[1], old[1])


def test_fcr_by_type_in_chunks_is_the_unique_one(calls: pd.DataFrame, tiny_chunks: None) -> None:
    """Each issue counts for the code of its first answered row, as with ``np.unique``."""
    by = (calls["call_id"].to_numpy() * 7) % 4  # a code that changes within an issue
    answered = (calls["outcome"] == "answered").to_numpy()
    issue = calls["issue_id"].to_numpy()
    counted = answered & ~calls["warmup"].to_numpy()[issue]
    _, first = np.unique(issue[counted], return_index=True)
    resolved = calls["resolved"].to_numpy(dtype=bool, na_value=False)[counted][first]
    code = by[counted][first]
    want = np.bincount(code[resolved], minlength=4) / np.bincount(code, minlength=4)
    assert np.array_equal(call_types.fcr_by(calls, by, 4), want)


def test_answered_spans_in_chunks(calls: pd.DataFrame, tiny_chunks: None) -> None:
    codes = calls["outcome"].cat.codes.to_numpy()
    ans = codes == 0
    s, e = tally.answered_spans(calls)
    start = calls["arrival_s"].to_numpy()[ans] + calls["wait_s"].to_numpy()[ans]
    assert np.array_equal(s, start)
    assert np.array_equal(e, calls["handle_s"].to_numpy()[ans] + start)


def test_tally_by_code_with_one_threshold_each(calls: pd.DataFrame) -> None:
    """Per code its own threshold: the codes' counts are those of the code's rows alone."""
    tt = CallCenter(CONFIG).timetable
    by = calls["call_id"].to_numpy() % 2
    both = tally.tally(calls, tt, np.array([10.0, 40.0]), by, 2)
    for c, threshold in ((0, 10.0), (1, 40.0)):
        alone = tally.tally(calls[by == c], tt, threshold)
        for key, v in alone.items():
            assert np.array_equal(both[key][c], v), key
