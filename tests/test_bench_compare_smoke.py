"""Smoke test of ``benchmarks/compare_engine.py`` on a tiny size (a few seconds).

Checks that the interleaved comparison runs end to end with this checkout as both old
and new tree, that every worker imported ``sim`` from the tree it was given (not via
the editable install), that it writes its JSON, and that an ``--old`` that is neither
a folder nor a git revision is one clear error.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "compare_engine.py"


@pytest.fixture(scope="module")
def compare() -> ModuleType:
    """The script, imported as a module."""
    spec = importlib.util.spec_from_file_location("compare_engine", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compare_smoke(compare: ModuleType, tmp_path: Path) -> None:
    argv = ["--old", str(ROOT), "--calls", "2000", "--rounds", "1", "--repeat", "1"]
    result = compare.main([*argv, "--out", str(tmp_path)])
    saved = json.loads((tmp_path / "compare-latest.json").read_text())
    assert saved["ratio"] == result["ratio"] > 0
    assert [r["side"] for r in saved["rounds"]] == ["old", "new"]
    for r in saved["rounds"]:
        assert Path(r["sim"]).resolve() == ROOT / "sim" / "__init__.py"
        assert r["calls"] >= 2000 and r["calls_per_s"] > 0 and r["bytes_per_call"] > 0
    assert saved["target"]["target"] == 0.95


def test_compare_bad_old(compare: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no-such-rev: neither a folder nor a git revision"):
        compare.main(["--old", "no-such-rev", "--out", str(tmp_path)])
