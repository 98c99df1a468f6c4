"""Smoke test of ``benchmarks/bench_population.py`` on a tiny market (a few seconds).

Checks that the script runs end to end in its compare mode (this tree against itself),
writes its JSON, and finds the same numbers bit for bit on both sides.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_population.py"


def test_bench_population_runs_and_compares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(SCRIPT.parent))  # it imports compare_engine beside it
    spec = importlib.util.spec_from_file_location("bench_population", SCRIPT)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    sizes = ["--customers", "2000", "--market", "5000", "--issues", "100", "--days", "5"]
    result = bench.main([*sizes, "--old", str(ROOT), "--rounds", "1", "--out", str(tmp_path)])
    assert {r["side"] for r in result["runs"]} == {"old", "new"}
    assert result["summary"]["bit_for_bit"] is True
    assert all(r["bytes_per_person"] == 17.0 for r in result["runs"])
    assert (tmp_path / "population-latest.json").is_file()
