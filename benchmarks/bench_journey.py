"""The full customer loop: calls per second and memory per customer.

180 days of the benchmark centre of ``bench_engine.py`` (M/M/100+M: 100 agents,
exponential handle 240 s and patience 180 s, load 0.95, open around the clock) with
the whole journey on: first-contact resolution and repeat contacts
(``sim/config/yaml/resolution/default.yaml``), experience ratings, and a customer base of
200,000 customers in a market of 400,000 (churn, word of mouth, Bass acquisition, the
feedback of the base on the call volume).

* **calls/s**: offered calls of the whole run (fresh, redials and repeats) / wall time
  of ``CallCenter.run`` (engine, population days and every table); best of ``--repeat``.
* **bytes per customer**: peak memory (``tracemalloc``) of the population alone,
  created and stepped through the 180 days with the daily issue counts of the run,
  divided by the customers on day 0; also per person of the market.

Targets (customer-journey issue): >= 150,000 calls/s and <= 64 bytes per customer.
Results go to ``results/bench/bench_journey-<timestamp>.json`` and ``journey-latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import bench_config

from sim.config.validation import load_config
from sim.core.files import atomic_write_text
from sim.core.rng import Streams
from sim.core.schema import CustomersConfig
from sim.customers.population import Population
from sim.model.callcenter import CallCenter

ROOT = Path(__file__).resolve().parents[1]
TARGET_CALLS_PER_S = 150_000.0
TARGET_BYTES_PER_CUSTOMER = 64.0


def journey_config(days: int, customers: int, market: int) -> dict[str, Any]:
    """The engine benchmark's centre with the full customer loop, for ``days`` days."""
    cfg = bench_config(1)  # shape only; the centre is open around the clock below
    cfg["center"].update(open_time="00:00", close_time="24:00", interval_min=60,
                         volume_per_day=0.95 * 100 / 240.0 * 86400.0)  # fmt: skip
    cfg["run"]["days"] = days
    cfg["resolution"] = {"fcr": 0.70, "recontact_probability": 0.49}
    cfg["redials"] = {"probability": 0.5, "blocked_probability": 0.5, "max_attempts": 3}
    cfg["customers"] = {"enabled": True, "feedback": True, "initial": customers,
                        "market_size": market}  # fmt: skip
    return cfg


def population_memory(cfg: CustomersConfig, days: Any, seed: int) -> int:
    """Peak traced bytes of a population stepped through the run's daily issues."""
    rng = np.random.default_rng(seed)
    tracemalloc.start()
    pop = Population(cfg, Streams(seed))
    for row in days.itertuples(index=False):
        counts = (int(row.issues_bad), int(row.issues_neutral), int(row.issues_good))
        memory = np.repeat(np.array([-1, 0, 1], dtype=np.int8), counts)
        pop.end_of_day(int(row.day), rng.choice(pop.active_ids(), len(memory)), memory)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print the report, write the JSON; return the numbers."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=180)
    p.add_argument("--customers", type=int, default=200_000)
    p.add_argument("--market", type=int, default=400_000)
    p.add_argument("--repeat", type=int, default=2, help="runs; the best is kept")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = p.parse_args(argv)
    cfg = load_config(journey_config(args.days, args.customers, args.market))
    print(f"full loop: {args.days} days, 100 agents, {args.customers:,} customers ...")
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        res = CallCenter(cfg).run(0)
        best = min(best, time.perf_counter() - t0)
    calls = len(res.calls)
    peak = population_memory(cfg.customers, res.days, cfg.run.seed)
    out = {
        "days": args.days,
        "customers": args.customers,
        "market": args.market,
        "calls": calls,
        "repeats": int(res.summary["repeats"]),
        "seconds": best,
        "calls_per_s": calls / best,
        "population_peak_bytes": peak,
        "bytes_per_customer": peak / args.customers,
        "bytes_per_person": peak / args.market,
        "customers_end": res.summary["customers_end"],
        "machine": {
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
        },
    }
    ok_speed = out["calls_per_s"] >= TARGET_CALLS_PER_S
    ok_memory = out["bytes_per_customer"] <= TARGET_BYTES_PER_CUSTOMER
    print(
        f"{calls:,} calls ({out['repeats']:,} repeat contacts) in {best:.2f} s: "
        f"{out['calls_per_s']:,.0f} calls/s (target >= {TARGET_CALLS_PER_S:,.0f}: "
        f"{'PASS' if ok_speed else 'MISS'})\n"
        f"population peak {peak / 2**20:.1f} MiB: {out['bytes_per_customer']:.1f} bytes per "
        f"customer, {out['bytes_per_person']:.1f} per person of the market (target <= "
        f"{TARGET_BYTES_PER_CUSTOMER:.0f} per customer: {'PASS' if ok_memory else 'MISS'})\n"
        f"customers: {args.customers:,} on day 0, {out['customers_end']:,.0f} at the end"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    text = json.dumps(out, indent=2)
    for name in (f"bench_journey-{stamp}.json", "journey-latest.json"):
        atomic_write_text(args.out / name, text)
    return out


if __name__ == "__main__":
    main()
