"""Smoke test of ``benchmarks/bench_callbacks.py`` on a tiny size (a few seconds): it
runs end to end, writes its JSON, and the callbacks model does offer callbacks."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_callbacks.py"


def test_bench_callbacks_smoke(tmp_path: Path) -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        spec = importlib.util.spec_from_file_location("bench_callbacks", SCRIPT)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        result = module.main(["--days", "1", "--repeat", "1", "--out", str(tmp_path)])
    finally:
        sys.path.remove(str(SCRIPT.parent))
    saved = json.loads((tmp_path / "callbacks-latest.json").read_text())
    assert set(saved) >= {"single", "callbacks", "ratio", "target_ratio", "meets_target"}
    assert result["single"]["callback_offers"] == 0
    assert result["callbacks"]["callback_offers"] > 0
    assert result["ratio"] > 0
