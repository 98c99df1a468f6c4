"""Formula planning at scale: a week of 336 half-hour intervals by Erlang C, Erlang A and
M/M/n+G (Genesys patience), at 10,000 and 100,000 calls per interval, one core.

Two weeks per size: *flat* (every interval the same, which the planner solves once) and
*profiled* (every interval different: a double-peaked day between 60% and 100% of the
size, Monday 10% heavier, a little noise, so that no two intervals share a search).
AHT 300 s, 80% in 20 s. Targets (issue 12): 10,000 calls per interval under 10 s for all
three methods, 100,000 under 60 s. Writes ``results/bench/formulas-latest.json``.

    .venv/bin/python benchmarks/bench_formulas.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGETS_S = {10_000: 10.0, 100_000: 60.0}
METHODS = ("erlang_c", "erlang_a", "mmng")


def week(calls: float, profiled: bool) -> np.ndarray:
    """Calls in each of 336 half-hour intervals."""
    if not profiled:
        return np.full(336, calls)
    half_hour = np.arange(48)
    day = 0.6 + 0.4 * np.maximum(np.exp(-((half_hour - 21) / 5.0) ** 2),
                                 0.9 * np.exp(-((half_hour - 30) / 5.0) ** 2))  # fmt: skip
    weekly = np.concatenate([day * (1.1 if d == 0 else 1.0) for d in range(7)]) / 1.1
    noise = 1.0 + 0.01 * np.random.default_rng(2026).standard_normal(336)
    return calls * weekly * noise


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Time every size, week and method; print PASS/MISS and save the numbers."""
    from sim.laws.distributions import GENESYS
    from sim.planning.planner import PlanTarget, plan_intervals

    sizes = [int(a) for a in (argv or [])] or list(TARGETS_S)
    result: dict[str, dict[str, float]] = {}
    for calls in sizes:
        for profiled in (False, True):
            name = f"{calls}-{'profiled' if profiled else 'flat'}"
            rate = week(calls, profiled) / 1800.0
            times: dict[str, float] = {}
            done: dict[str, np.ndarray] = {}
            t_all = time.perf_counter()
            for m in METHODS:
                t0 = time.perf_counter()
                table = plan_intervals(rate, np.full(336, 300.0), PlanTarget(), [m], GENESYS,
                                       progress=False)  # fmt: skip
                times[m] = time.perf_counter() - t0
                done[m] = table[f"{m}_agents"].to_numpy()
            total = time.perf_counter() - t_all
            target = TARGETS_S.get(calls, 60.0)
            ok = "PASS" if total <= target else "MISS"
            detail = ", ".join(f"{m} {times[m]:.2f} s (peak {done[m].max()})" for m in METHODS)
            print(f"formulas, week of 336 intervals, {name}: {total:.2f} s "
                  f"(target <= {target:.0f} s: {ok}); {detail}")  # fmt: skip
            result[name] = {"seconds": total, **{f"{m}_s": times[m] for m in METHODS},
                            **{f"{m}_peak": float(done[m].max()) for m in METHODS}}  # fmt: skip
    out = ROOT / "results" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "formulas-latest.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
