"""Smoke test of ``benchmarks/bench_engine.py`` on a tiny size (a few seconds).

Checks that the script runs end to end, writes its JSON with the expected keys, that
the three models simulate about the same number of calls, and that a missing Ciw is
reported as skipped rather than failing the run.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_engine.py"
CALLS = 3_000
HAS_CIW = importlib.util.find_spec("ciw") is not None


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """The benchmark script, imported as a module."""
    spec = importlib.util.spec_from_file_location("bench_engine", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(bench: ModuleType, out: Path, *extra: str) -> dict[str, Any]:
    """``main`` on the tiny size, every model on the same number of calls."""
    sizes = ["--calls", "--textbook-calls", "--ciw-calls"]
    argv = [a for flag in sizes for a in (flag, str(CALLS))]
    return bench.main([*argv, "--repeat", "1", "--out", str(out), *extra])


def test_bench_smoke(bench: ModuleType, tmp_path: Path) -> None:
    result = run(bench, tmp_path)

    latest = tmp_path / "latest.json"
    assert latest.is_file()
    assert len(list(tmp_path.glob("bench_engine-*.json"))) == 1
    saved = json.loads(latest.read_text())
    for key in ("args", "model", "callsim", "textbook", "ciw", "targets", "machine", "versions"):
        assert key in saved
    assert set(saved["targets"]) == {"calls_per_s", "vs_textbook", "vs_ciw", "bytes_per_call"}
    for key in ("simpy", "numpy", "ciw"):
        assert key in saved["versions"]
    cs = saved["callsim"]
    for key in ("calls", "engine_s", "calls_table_s", "total_s", "calls_per_s", "bytes_per_call"):
        assert cs[key] > 0

    tb = saved["textbook"]
    assert tb["status"] == "ok"
    assert tb["identical_to_callsim"] is True
    counts = [cs["calls"], tb["calls"]]
    if HAS_CIW:
        assert saved["ciw"]["status"] == "ok"
        assert saved["ciw"]["ratio"] > 0
        counts.append(saved["ciw"]["calls"])
    else:
        assert saved["ciw"]["status"] == "skipped"
        assert saved["targets"]["vs_ciw"]["pass"] is None
    assert max(counts) <= 1.05 * min(counts)
    assert result["callsim"]["calls"] == cs["calls"]


def test_bench_without_ciw(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ciw", None)  # `import ciw` now raises ImportError
    result = run(bench, tmp_path, "--no-textbook")
    assert result["ciw"]["status"] == "skipped"
    assert result["textbook"]["status"] == "skipped"
    assert result["targets"]["vs_ciw"]["pass"] is None
    assert json.loads((tmp_path / "latest.json").read_text())["ciw"]["status"] == "skipped"


def test_journey_bench_runs_on_a_tiny_size(tmp_path: Path) -> None:
    """``benchmarks/bench_journey.py`` end to end: 2 days, 2,000 customers."""
    path = SCRIPT.with_name("bench_journey.py")
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("bench_journey", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.main(["--days", "2", "--customers", "2000", "--market", "4000",
                       "--repeat", "1", "--out", str(tmp_path)])  # fmt: skip
    assert out["calls"] > 40_000 and out["repeats"] > 0  # ~34,000 fresh calls a day
    assert out["bytes_per_customer"] > 0 and out["calls_per_s"] > 0
    saved = json.loads((tmp_path / "journey-latest.json").read_text())
    assert saved["calls"] == out["calls"]


def test_bench_scale_quick(tmp_path: Path) -> None:
    # benchmarks/bench_scale.py end to end on its tiny size: every configuration ran,
    # the year ran through the callsim command and wrote its outputs, the JSON is there.
    path = SCRIPT.parent / "bench_scale.py"
    spec = importlib.util.spec_from_file_location("bench_scale", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.main(["--quick", "--out", str(tmp_path)])
    assert json.loads((tmp_path / "scale-latest.json").read_text())["target_size"]
    for rows in out["sizes"].values():
        assert set(rows) == {"queue_only", "everything_on_4k", "everything_on_28k"}
        assert all(row["calls"] > 0 for row in rows.values())
    assert out["year"]["exit"] == 0 and out["year"]["outputs_written"]
    assert out["year"]["peak_rss"] > 0 and out["startup"]["compose_s"] >= 0
    assert out["startup"]["check_added_s"] >= 0
