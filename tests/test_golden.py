"""Every shipped scenario gives the same tables and summary, bit for bit, as when the
digests in ``tests/data/golden.json`` were recorded (before the sub-package
restructure of the architecture issue).

A refactoring that changes no behaviour must leave these digests alone; a deliberate
model change re-records them with ``python tests/test_golden.py --record`` and says
why in its commit. Each scenario runs 2 days, one replication (its own seed).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.compose import CONFIG_DIR

GOLDEN = Path(__file__).parent / "data" / "golden.json"
SCENARIOS = sorted(p.stem for p in (Path(CONFIG_DIR) / "scenario").glob("*.yaml"))
OVERRIDES = ["run.days=2", "run.replications=1"]
#: each shipped scenario, plus the core's anonymous agents and the full journey without
#: customers (the engine's two other code paths)
CASES: dict[str, list[str]] = {s: [f"scenario={s}"] for s in SCENARIOS} | {
    "baseline-workforce-none": ["scenario=baseline", "workforce=none"],
    "baseline-no-customers": ["scenario=baseline", "customers.enabled=false"],
}


def table_digest(df: pd.DataFrame) -> str:
    """sha256 over the names and bytes of every column (categoricals by codes and
    categories, text as UTF-8)."""
    h = hashlib.sha256()
    h.update(repr(len(df)).encode())
    for name in df.columns:
        col = df[name]
        h.update(str(name).encode())
        h.update(str(col.dtype).encode())
        if isinstance(col.dtype, pd.CategoricalDtype):
            h.update("\x1f".join(map(str, col.cat.categories)).encode())
            h.update(col.cat.codes.to_numpy().tobytes())
        elif pd.api.types.is_numeric_dtype(col.dtype) and isinstance(col.dtype, np.dtype):
            h.update(np.ascontiguousarray(col.to_numpy()).tobytes())
        else:
            h.update("\x1f".join(map(str, col)).encode())  # text, nullable types: by value
    return h.hexdigest()


def summary_digest(summary: dict[str, Any]) -> str:
    def norm(v: Any) -> Any:
        if isinstance(v, float | np.floating):
            f = float(v)
            return "nan" if math.isnan(f) else f.hex()
        if isinstance(v, np.integer):
            return int(v)
        return v

    text = json.dumps({k: norm(v) for k, v in sorted(summary.items())}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def digests(case: str) -> dict[str, str]:
    cfg = sim.compose([*CASES[case], *OVERRIDES])
    res = sim.CallCenter(cfg).run(0)
    return {
        "calls": table_digest(res.calls),
        "intervals": table_digest(res.intervals),
        "days": table_digest(res.days),
        "agents": table_digest(res.agents),
        "summary": summary_digest(res.summary),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_scenario_tables_unchanged(case: str) -> None:
    """The five outputs of a small run of each shipped scenario equal the recorded ones."""
    golden = json.loads(GOLDEN.read_text())
    assert case in golden, f"no digest recorded for {case!r}"
    assert digests(case) == golden[case]


if __name__ == "__main__" and "--record" in sys.argv:
    GOLDEN.write_text(json.dumps({c: digests(c) for c in sorted(CASES)}, indent=1) + "\n")
    print(f"recorded {len(CASES)} cases into {GOLDEN}")
