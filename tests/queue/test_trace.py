"""``center.arrivals: trace``: recorded arrivals replayed exactly, known handle times kept,
unknown ones drawn; bad trace files stop with one line naming the key, file, row, column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.core.checks import ConfigError


def _cfg(path: Path, days: int = 2) -> dict[str, object]:
    return {"center": {"arrivals": "trace", "trace_file": str(path)},
            "staffing": {"agents": 2}, "run": {"days": days, "seed": 1}}


def test_replay_keeps_times_and_known_handles(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    arrivals = np.sort(np.concatenate([8 * 3600 + rng.random(300) * 12 * 3600,
                                       86_400 + 8 * 3600 + rng.random(200) * 12 * 3600]))
    handle = np.where(np.arange(500) % 2 == 0, 123.0, np.nan)
    path = tmp_path / "trace.csv"
    pd.DataFrame({"arrival_s": arrivals[::-1], "handle_s": handle[::-1]}).to_csv(path,
                                                                                index=False,
                                                                                float_format="%.17g")
    res = sim.simulate(_cfg(path))
    calls = res.calls
    np.testing.assert_array_equal(calls["arrival_s"].to_numpy(), arrivals)  # sorted, exact
    assert int(res.intervals["expected_calls"].sum()) == 500
    assert list(res.days["fresh"]) == [300, 200]
    known = calls[(calls["outcome"] == "answered").to_numpy() & (np.arange(500) % 2 == 0)]
    assert (known["handle_s"] == 123.0).all()  # the recorded handle times, not draws
    drawn = calls[(calls["outcome"] == "answered").to_numpy() & (np.arange(500) % 2 == 1)]
    assert drawn["handle_s"].nunique() == len(drawn)  # drawn from the lognormal law
    again = sim.simulate(_cfg(path))
    assert again.calls.equals(calls)  # same seed, same numbers


@pytest.mark.parametrize(
    ("text", "days", "message"),
    [
        ("arrival\n30000\n", 1, "missing column 'arrival_s'"),
        ("arrival_s\n30000\nnoon\n", 1, "row 3, column arrival_s: 'noon' must be a number"),
        ("arrival_s,handle_s\n30000,-5\n", 1, "row 2, column handle_s: -5 must be a number"),
        ("arrival_s\n3600\n", 1, "row 2, column arrival_s: 3600.0 is outside the opening hours"),
        ("arrival_s\n30000\n116400\n", 1, "row 3, column arrival_s: 116400.0 is outside"),
    ],
)
def test_bad_traces(tmp_path: Path, text: str, days: int, message: str) -> None:
    path = tmp_path / "trace.csv"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        sim.simulate(_cfg(path, days))
    assert str(info.value).startswith("center.trace_file: ") and message in str(info.value)


def test_trace_keys_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"center\.trace_file: None: must name"):
        sim.simulate({"center": {"arrivals": "trace"}})
    with pytest.raises(ConfigError, match="no such file"):
        sim.simulate({"center": {"arrivals": "trace", "trace_file": str(tmp_path / "x.csv")}})
    with pytest.raises(ConfigError, match=r"center\.arrivals = .replay.: must be one of"):
        sim.simulate({"center": {"arrivals": "replay"}})
    with pytest.raises(ConfigError, match=r"center\.trace_file = .* is only read with"):
        sim.simulate({"center": {"trace_file": "x.csv"}})
