"""Re-run the parameter sets of ``tests/theory/test_exact.py`` and write the validation table.

Usage: ``python experiments/validation_table.py [--out results/validation] [--workers 2]``.
Writes ``validation.csv`` (one row per case and KPI: exact, simulated mean, Student-t
interval at the test's Bonferroni level, z) and ``validation.md`` (the same as a
markdown table, pasted into ``docs/background/validation.md``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_exact import CASES, CONFIDENCE  # noqa: E402

from sim.theory.oracle import validate  # noqa: E402

log = logging.getLogger("validation_table")


def run(workers: int | None) -> pd.DataFrame:
    """One row per (case, KPI) of every parameter set of the slow exact tests."""
    frames = []
    for case in (c for c in CASES if c.slow):
        log.info("case %s (%s, %d agents, load %.2f)", case.id, case.formula, case.n, case.load)
        table = validate(case.config(), workers=workers, confidence=CONFIDENCE)
        table.insert(0, "case", case.id)
        table.insert(2, "agents", case.n)
        table.insert(3, "load", case.load)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def markdown(table: pd.DataFrame) -> str:
    """The table as markdown, values to 6 significant digits."""
    head = "| case | formula | agents | load | KPI | exact | simulated | CI low | CI high | z |"
    lines = [head, "|" + "---|" * 10]
    for r in table.itertuples(index=False):
        lines.append(
            f"| {r.case} | {r.formula} | {r.agents} | {r.load:.2f} | `{r.kpi}` | {r.exact:.6g} "
            f"| {r.simulated:.6g} | {r.ci_low:.6g} | {r.ci_high:.6g} | {r.z:+.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "validation")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    table = run(args.workers)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "validation.csv", index=False)
    (args.out / "validation.md").write_text(markdown(table))
    outside = int((~table["inside"]).sum())
    log.info("%d checks, %d outside their interval; written to %s", len(table), outside, args.out)


if __name__ == "__main__":
    main()
