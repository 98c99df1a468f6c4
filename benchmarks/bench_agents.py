"""What individual agents cost: the core engine against the agent model with every
behaviour on, at 100 and at 1,000 agents.

The queue is the engine benchmark's M/M/n+M (``bench_engine.bench_config``: handle
240 s, patience 180 s, load 0.95, open around the clock), scaled to ``n`` agents. Two
variants per size, timed on the same calls (best of ``--repeat``):

* **core**: ``workforce.enabled: false`` (identical, anonymous agents);
* **agents**: ``workforce.enabled: true`` with fatigue, learning, attrition (and
  hiring), 5% random absence (headcount 10% above the staffing) and half the agents
  empowered (FCR 0.7 + 0.15, with repeat contacts off so the two variants offer the same
  calls).

Fatigue and learning lengthen calls (about +12%), which alone would push the queue past
load 1 and change what the engine has to do per call (long queues, abandonments). To
measure the cost of the agent machinery rather than of a different queue, the agent
variant's volume is divided by the handle-time inflation measured in a pilot run, so
both variants run at the same offered load, 0.95.

Reported: calls simulated per second of the engine loop (``CallCenter.engine().run()``),
the slowdown of the agent model, and the peak traced memory per call of each (one
extra run under :mod:`tracemalloc`). Target (agent-workload issue): the agent model
costs at most 30% of the core's calls/s at both sizes. A miss is reported, not an error.

Usage::

    .venv/bin/python benchmarks/bench_agents.py [--calls 400000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import time
import tracemalloc
from pathlib import Path
from typing import Any

from sim.model.callcenter import CallCenter

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "bench"
TARGET_SLOWDOWN = 0.30


def _engine_bench() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_engine", Path(__file__).with_name("bench_engine.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def config(agents: int, calls: int, workforce: bool, inflation: float = 1.0) -> dict[str, Any]:
    """The benchmark queue with ``agents`` agents, about ``calls`` calls; the volume
    divided by ``inflation`` (the agent model's mean handle time / the core's)."""
    eb = _engine_bench()
    scale = agents / eb.AGENTS
    cfg = eb.bench_config(int(calls / scale))  # the same horizon in days, more calls a day
    cfg["center"]["volume_per_day"] *= scale / inflation
    cfg["staffing"]["agents"] = agents
    cfg["resolution"] = {"fcr": 0.7, "empowered_share": 0.5, "empowerment_uplift": 0.15}
    if workforce:
        cfg["workforce"] = {
            "enabled": True,
            "headcount": int(agents * 1.10) + 1,  # spare for absence: slots stay filled
            "absence_probability": 0.05,
            "fatigue": {"enabled": True},
            "learning": {"enabled": True},
            "attrition": {"enabled": True},
        }
    return cfg


def measure(cfg: dict[str, Any], repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` engine seconds, calls, and peak traced bytes per call."""
    cc = CallCenter(cfg)
    best, n = float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        log = cc.engine(0).run()
        best = min(best, time.perf_counter() - t0)
        n = len(log.outcome)
    gc.collect()
    tracemalloc.start()
    log = cc.engine(0).run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"calls": n, "seconds": best, "calls_per_s": n / best, "bytes_per_call": peak / n}


def handle_inflation(agents: int, calls: int) -> float:
    """Mean handle time of answered calls, agent model / core (a pilot run each)."""
    means = []
    for wf in (False, True):
        log = CallCenter(config(agents, calls, wf)).engine(0).run()
        means.append(float(log.handle_s[log.outcome == 1].mean()))
    return means[1] / means[0]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=400_000, help="calls per run (default 400,000)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per variant, best kept")
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="agents")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    result: dict[str, Any] = {"target_max_slowdown": TARGET_SLOWDOWN, "sizes": {}}
    for agents in args.sizes:
        core = measure(config(agents, args.calls, False), args.repeat)
        inflation = handle_inflation(agents, args.calls)
        full = measure(config(agents, args.calls, True, inflation), args.repeat)
        full["handle_inflation"] = inflation
        slowdown = 1.0 - full["calls_per_s"] / core["calls_per_s"]
        result["sizes"][str(agents)] = {"core": core, "agents": full, "slowdown": slowdown,
                                        "meets_target": slowdown <= TARGET_SLOWDOWN}  # fmt: skip
        print(
            f"{agents:>5} agents: core {core['calls_per_s']:>9,.0f} calls/s "
            f"({core['bytes_per_call']:.0f} B/call); agent model (handle x{inflation:.3f}, volume "
            f"/ the same) {full['calls_per_s']:>9,.0f} "
            f"calls/s ({full['bytes_per_call']:.0f} B/call); slowdown {slowdown:.1%} "
            f"(target <= {TARGET_SLOWDOWN:.0%}: {'ok' if slowdown <= TARGET_SLOWDOWN else 'MISSED'})"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "bench_agents-latest.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"written: {path}")
    return result


if __name__ == "__main__":
    main()
