"""Callbacks (virtual hold) throughput next to the single-queue engine (issue 15).

Two models in the same run, timed in interleaved repeats (best of ``--repeat`` kept):

* **single**: ``scenario=callback_offered`` with ``callbacks.enabled=false`` (the
  baseline: one queue, one pool, agents as individuals, the customer journey on);
* **callbacks**: ``scenario=callback_offered`` as shipped: callbacks offered past a
  predicted two minutes (keep_place), callback types on the multi-skill router.

Both at ``--load`` times the baseline's volume (1.3 by default, so that a fair share
of callers are offered callbacks; at the baseline's own load almost nobody is), over
``--days`` days. Each run is ``CallCenter.engine().run()`` plus
:func:`sim.outputs.metrics.calls_table` (and, with callbacks, the callbacks table):
calls per second with the tables recorded, as ``bench_skills.py``. Target (issue 15):
callbacks >= 70% of single's calls per second; a miss is reported, not an error.

Usage::

    .venv/bin/python benchmarks/bench_callbacks.py --days 30 --repeat 3

Results go to ``results/bench/bench_callbacks-<timestamp>.json`` and
``callbacks-latest.json``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any

from bench_engine import DEFAULT_OUT, finish_ratio

import sim
from sim.model.callcenter import CallCenter
from sim.outputs.callbacks import callbacks_table
from sim.outputs.metrics import calls_table

TARGET_RATIO = 0.70


def config(days: int, load: float, callbacks: bool) -> sim.Config:
    """``scenario=callback_offered`` at ``load`` x its volume, callbacks on or off."""
    base = sim.compose(["scenario=callback_offered", f"run.days={days}",
                        f"callbacks.enabled={str(callbacks).lower()}"])  # fmt: skip
    return sim.load_config(base, center__volume_per_day=base.center.volume_per_day * load)


def one_run(cc: CallCenter) -> tuple[int, float, int]:
    """Engine and tables once: (calls, seconds, callback offers)."""
    sc = cc.scenario
    names = [t.name for t in sc.call_types]
    gc.collect()
    t0 = time.perf_counter()
    log = cc.engine(0).run()
    offers = callbacks_table(log, cc.timetable, 0.0, names)
    calls_table(log, cc.timetable, 0.0, names, [g.name for g in sc.agent_groups], cc.experience)
    return len(log.outcome), time.perf_counter() - t0, len(offers)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--load", type=float, default=1.3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    models = {"single": CallCenter(config(args.days, args.load, False)),
              "callbacks": CallCenter(config(args.days, args.load, True))}  # fmt: skip
    runs: dict[str, list[float]] = {name: [] for name in models}
    calls: dict[str, int] = {}
    offers: dict[str, int] = {}
    for _ in range(max(1, args.repeat)):  # interleaved: both see the same machine load
        for name, cc in models.items():
            n, seconds, o = one_run(cc)
            calls[name], offers[name] = n, o
            runs[name].append(n / seconds)
    result: dict[str, Any] = {"args": vars(args) | {"out": str(args.out)}}
    for name in models:
        result[name] = {"calls": calls[name], "callback_offers": offers[name],
                        "calls_per_s": max(runs[name]), "runs_calls_per_s": runs[name]}  # fmt: skip
    for name in models:
        r = result[name]
        sys.stdout.write(f"{name:9s} {r['calls']:>9,d} calls  {r['calls_per_s']:>10,.0f} calls/s"
                         f"  {r['callback_offers']:>7,d} offers\n")  # fmt: skip
    finish_ratio(result, "callbacks", "single", TARGET_RATIO, "callbacks", args.out)
    return result


if __name__ == "__main__":
    main()
