"""A trace of several call types (``center.arrivals: trace`` with ``call_types``): the
``call_type`` column gives each call's type; recorded times are kept exactly, unknown
ones drawn from the type's own laws; each type's expected calls are its recorded
calls; a bad column stops the run with one line naming the file, row and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.core.checks import ConfigError

TYPES = [{"name": "sales", "talk": {"kind": "deterministic", "value_s": 111.0}},
         {"name": "service", "talk": {"kind": "deterministic", "value_s": 222.0}}]  # fmt: skip
GROUPS = [{"name": "s", "agents": 3, "skills": {"sales": 1}},
          {"name": "v", "agents": 3, "skills": {"service": 1, "sales": 2}}]  # fmt: skip


def _cfg(path: Path, **extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "center": {"arrivals": "trace", "trace_file": str(path), "open_time": "08:00",
                   "close_time": "12:00", "interval_min": 60},
        "service": {"acw": {"kind": "deterministic", "value_s": 0.0}},
        "call_types": TYPES, "agent_groups": GROUPS, "run": {"days": 2, "seed": 1},
    }  # fmt: skip
    cfg.update(extra)
    return cfg


def _trace(tmp_path: Path, n: int = 400) -> tuple[Path, pd.DataFrame]:
    rng = np.random.default_rng(4)
    day = rng.integers(0, 2, n)
    frame = pd.DataFrame({
        "arrival_s": np.sort(day * 86_400 + 8 * 3600 + rng.random(n) * 4 * 3600),
        "call_type": rng.choice(["sales", "service"], n, p=[0.3, 0.7]),
        "handle_s": np.where(rng.random(n) < 0.5, 50.0 + rng.random(n), np.nan),
    })  # fmt: skip
    path = tmp_path / "trace.csv"
    frame.to_csv(path, index=False, float_format="%.17g")
    return path, frame


def test_typed_replay_keeps_types_and_times(tmp_path: Path) -> None:
    path, frame = _trace(tmp_path)
    res = sim.simulate(_cfg(path))
    calls = res.calls.sort_values("arrival_s", kind="stable")
    assert (calls["source"] == "fresh").all()  # no redials by default: the trace's calls
    np.testing.assert_array_equal(calls["arrival_s"].to_numpy(), frame["arrival_s"].to_numpy())
    assert list(calls["call_type"].astype(str)) == list(frame["call_type"])
    answered = (calls["outcome"] == "answered").to_numpy()
    known = frame["handle_s"].notna().to_numpy()
    handle = calls["handle_s"].to_numpy()
    np.testing.assert_array_equal(handle[known & answered],
                                  frame["handle_s"].to_numpy()[known & answered])  # fmt: skip
    # unknown handle times: the type's own talk law (deterministic 111 s / 222 s); a
    # service agent answering a sales call takes the sales time (no handle factor)
    law = np.where(frame["call_type"] == "sales", 111.0, 222.0)
    np.testing.assert_array_equal(handle[~known & answered], law[~known & answered])
    # each type's expected calls are its recorded calls, per interval
    iv = res.intervals_by_type
    for name in ("sales", "service"):
        assert iv.loc[iv["call_type"] == name, "expected_calls"].sum() == pytest.approx(
            float((frame["call_type"] == name).sum()), abs=1e-9)
    again = sim.simulate(_cfg(path))
    assert again.calls.equals(res.calls)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("arrival_s\n30000\n", "missing column 'call_type' (several call types: sales, service)"),
        ("arrival_s,call_type\n30000,sales\n30001,billing\n",
         "row 3, column call_type: 'billing' is not a call type (call types: sales, service)"),
        ("arrival_s,call_type\n30000,sales\n30001,\n", "row 3, column call_type: nan is not"),
    ],
)  # fmt: skip
def test_bad_type_column(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "trace.csv"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        sim.simulate(_cfg(path))
    assert str(info.value).startswith("center.trace_file: ") and message in str(info.value)


def test_shares_are_the_traces(tmp_path: Path) -> None:
    path, _ = _trace(tmp_path, 20)
    types = [dict(TYPES[0], share=0.5), TYPES[1]]
    with pytest.raises(ConfigError, match=r"^call_types\[0\]\.share = 0\.5: must be null with"):
        sim.simulate(_cfg(path, call_types=types))
