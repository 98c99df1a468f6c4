"""Multi-skill engine throughput and memory next to the single-queue engine (issue 14).

Two models in the same run, timed in interleaved repeats (best of ``--repeat`` kept):

* **single**: the M/M/100+M centre of ``bench_engine.py`` (100 agents, exponential
  handle mean 240 s and patience mean 180 s, load 0.95), one queue, one pool;
* **skills**: the same calls split into two call types (60% ``a``, 40% ``b``; ``a``
  served first) and the same 100 agents in three groups: 50 with skill ``a``, 30 with
  ``b``, 20 with both (rank 2: the specialists are preferred), so the same load 0.95,
  through :class:`sim.queue.skill_router.SkillRouter` and per-group staffing.

Each run is ``CallCenter.engine().run()`` plus :func:`sim.outputs.metrics.calls_table`
(calls per second with the per-call table recorded, as ``bench_engine.py``'s headline).
Peak memory per call: one more run of each under :mod:`tracemalloc`. Target (issue 14):
skills >= 70% of single's calls per second; a miss is reported, not an error.

Usage::

    .venv/bin/python benchmarks/bench_skills.py --calls 300000 --repeat 5

Results go to ``results/bench/bench_skills-<timestamp>.json`` and ``skills-latest.json``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench_engine import AGENTS, DEFAULT_OUT, bench_config, finish_ratio

from sim.model.callcenter import CallCenter
from sim.outputs.metrics import calls_table

TARGET_RATIO = 0.70


def skills_config(calls: int) -> dict[str, Any]:
    """The benchmark centre with two call types and three agent groups (same load)."""
    cfg = bench_config(calls)
    assert AGENTS == 100
    cfg["call_types"] = [
        {"name": "a", "share": 0.6, "priority": 0},
        {"name": "b", "share": 0.4, "priority": 1},
    ]
    cfg["agent_groups"] = [
        {"name": "ga", "agents": 50, "skills": {"a": 1}},
        {"name": "gb", "agents": 30, "skills": {"b": 1}},
        {"name": "gab", "agents": 20, "skills": {"a": 2, "b": 2}},
    ]
    return cfg


def one_run(cc: CallCenter) -> tuple[int, float]:
    """Engine and calls table once: (calls, seconds)."""
    sc = cc.scenario
    gc.collect()
    t0 = time.perf_counter()
    log = cc.engine(0).run()
    calls_table(log, cc.timetable, 0.0, [t.name for t in sc.call_types],
                [g.name for g in sc.agent_groups], cc.experience)  # fmt: skip
    return len(log.outcome), time.perf_counter() - t0


def peak_bytes_per_call(cfg: dict[str, Any]) -> float:
    """Peak traced memory from building the model to holding the calls table, per call."""
    gc.collect()
    tracemalloc.start()
    cc = CallCenter(cfg)
    log = cc.engine(0).run()
    sc = cc.scenario
    table = calls_table(log, cc.timetable, 0.0, [t.name for t in sc.call_types],
                        [g.name for g in sc.agent_groups], cc.experience)  # fmt: skip
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = len(table)
    del log, table, cc
    return peak / n


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    models = {"single": CallCenter(bench_config(args.calls)),
              "skills": CallCenter(skills_config(args.calls))}  # fmt: skip
    runs: dict[str, list[float]] = {name: [] for name in models}
    calls: dict[str, int] = {}
    for _ in range(max(1, args.repeat)):  # interleaved: both see the same machine load
        for name, cc in models.items():
            n, seconds = one_run(cc)
            calls[name] = n
            runs[name].append(n / seconds)
    result: dict[str, Any] = {"args": vars(args) | {"out": str(args.out)}}
    for name in models:
        cfg = bench_config(args.calls) if name == "single" else skills_config(args.calls)
        result[name] = {
            "calls": calls[name],
            "calls_per_s": max(runs[name]),
            "runs_calls_per_s": runs[name],
            "bytes_per_call": peak_bytes_per_call(cfg),
        }
    for name in models:
        r = result[name]
        sys.stdout.write(f"{name:7s} {r['calls']:>9,d} calls  {r['calls_per_s']:>10,.0f} calls/s  "
                         f"{r['bytes_per_call']:6.1f} B/call peak\n")  # fmt: skip
    finish_ratio(result, "skills", "single", TARGET_RATIO, "skills", args.out)
    return result


if __name__ == "__main__":
    main()
