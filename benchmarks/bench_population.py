"""The population's daily step alone: ms per simulated day, this tree or old against new.

Issue 16 (scale): at 2.8 M customers in a market of 7 M the customers' daily step (the
fresh issues' :meth:`Population.pick` and :meth:`Population.end_of_day`: service churn,
word of mouth, background churn, acquisition, decay) is memory-bound random access into
arrays of 7 M people. This script replays ``--days`` days of the 200-agent centre of
``bench_scale.py`` on a :class:`~sim.customers.population.Population` with the default
shipped customer laws (``customers/default.yaml``) and no call engine: each day ``--issues`` fresh issues are picked
(``pick``), and the same customers' issues end that day with memories drawn bad /
neutral / good with the shares of a recorded run (25% / 15% / 60%: about 29,000 bad and
14,000 good messages a day). The inputs come from the population's own streams and one
fixed extra stream, so two trees with the same population code replay the same days.

Reported per side: CPU ms per day of ``pick`` + ``end_of_day`` (median of the days, and
the total over the days / days), day 0 alone (it first touches most pages of the
arrays: page faults, whose cost varies with the machine's memory), the median of
``end_of_day`` alone, the population's bytes per person of the market (its arrays) and
a digest of the days table, states, join days, bad counts and the prospects' messages
(equal digests: the two trees gave the same numbers bit for bit).

Usage::

    .venv/bin/python benchmarks/bench_population.py                  # this tree
    .venv/bin/python benchmarks/bench_population.py --old main       # old, new, old, ...

``--old`` takes a folder or a git revision (extracted with ``git archive``), measured in
fresh processes interleaved with this tree for ``--rounds`` rounds; medians and the
spread (min-max over rounds) are printed. Results: ``results/bench/population-*.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from compare_engine import checkout, use_tree, write

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "results" / "bench"
SHARES = (0.25, 0.15, 0.60)  # bad, neutral, good memories (a recorded 200-agent run)


def worker(tree: Path, customers: int, market: int, days: int, issues: int) -> dict[str, Any]:
    """In a fresh process: import ``sim`` from ``tree`` and time ``days`` daily steps."""
    import gc
    import time

    use_tree(tree)
    import numpy as np

    import sim
    from sim.core.rng import Streams
    from sim.customers.population import Population

    sim_file = str(sys.modules["sim"].__file__)
    if not Path(sim_file).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"sim imported from {sim_file}, not from {tree}")
    on = ["customers.enabled=true", "customers.feedback=true"]
    sizes = [f"customers.initial={customers}", f"customers.market_size={market}"]
    pop = Population(sim.compose(on + sizes).customers, Streams(2026))
    arrays = [a for a in vars(pop).values() if isinstance(a, np.ndarray)]
    per_person = sum(a.nbytes for a in arrays if a.size >= market) / market
    memories = np.random.default_rng(16)
    step, eod = [], []
    gc.collect()
    gc.disable()
    for day in range(days):
        c0 = time.process_time()
        customer = pop.pick(issues)
        c1 = time.process_time()
        memory = memories.choice(np.array([-1, 0, 1], np.int8), issues, p=SHARES)
        c2 = time.process_time()
        pop.end_of_day(day, customer, memory)
        c3 = time.process_time()
        step.append((c1 - c0 + c3 - c2) * 1e3)
        eod.append((c3 - c2) * 1e3)
    gc.enable()
    digest = hashlib.sha256(pop.days_table().to_csv().encode())
    prospects = pop.state == 0  # messages matter (and are kept) for prospects only
    for a in (pop.state, pop.join_day, pop.bad_count, pop.pos_held[prospects],
              pop.neg_held[prospects]):  # fmt: skip
        digest.update(np.ascontiguousarray(a).tobytes())
    return {
        "sim": sim_file,
        "ms_per_day": statistics.median(step),
        "ms_per_day_mean": sum(step) / days,
        "end_of_day_ms": statistics.median(eod),
        "day0_ms": step[0],
        "bytes_per_person": per_person,
        "digest": digest.hexdigest()[:16],
    }


def measure(tree: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run :func:`worker` for ``tree`` in a fresh Python process."""
    sizes = [str(v) for v in (args.customers, args.market, args.days, args.issues)]
    cmd = [sys.executable, __file__, "--worker", str(tree), *sizes]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark of {tree} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--old", help="older checkout to compare with: a folder or a git revision")
    p.add_argument("--customers", type=int, default=2_800_000, help="active on day 0")
    p.add_argument("--market", type=int, default=7_000_000, help="market size")
    p.add_argument("--days", type=int, default=30, help="days replayed per run (default 30)")
    p.add_argument("--issues", type=int, default=14_700, help="issues per day (default 14700)")
    p.add_argument("--rounds", type=int, default=5, help="rounds (old, new) with --old")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of the JSON results")
    args = p.parse_args(argv)
    for key in ("customers", "market", "days", "issues", "rounds"):
        if getattr(args, key) < 1:
            p.error(f"--{key} must be >= 1, got {getattr(args, key)}")
    if args.customers > args.market:
        p.error(f"--customers {args.customers} exceeds --market {args.market}")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure (old and new interleaved with ``--old``), print, write JSON."""
    args = parse_args(argv)
    started = dt.datetime.now().astimezone()
    with tempfile.TemporaryDirectory(prefix="callsim-old-") as scratch:
        trees = {"new": ROOT}
        if args.old:
            old, label = checkout(args.old, Path(scratch))
            trees = {"old": old, "new": ROOT}
            print(f"old: {label} ({old})")
        rounds = args.rounds if args.old else 1
        print(f"population step: {args.customers:,} customers, market {args.market:,}, "
              f"{args.issues:,} issues/day, {args.days} days, {rounds} round(s)")  # fmt: skip
        print(f"{'round':>5} {'side':>4} {'ms/day':>7} {'mean':>7} {'day 0':>7} {'eod ms':>7} "
              f"{'B/person':>8}  digest")  # fmt: skip
        runs: list[dict[str, Any]] = []
        for k in range(1, rounds + 1):
            for side, tree in trees.items():
                r = measure(tree, args)
                runs.append({"round": k, "side": side, **r})
                print(f"{k:>5} {side:>4} {r['ms_per_day']:>7.2f} {r['ms_per_day_mean']:>7.2f} "
                      f"{r['day0_ms']:>7.1f} {r['end_of_day_ms']:>7.2f} {r['bytes_per_person']:>8.1f}  {r['digest']}",
                      flush=True)  # fmt: skip
    summary = {}
    for side in trees:
        ms = [r["ms_per_day"] for r in runs if r["side"] == side]
        summary[side] = {"median_ms_per_day": statistics.median(ms), "min": min(ms), "max": max(ms)}
        print(f"{side}: median {statistics.median(ms):.2f} ms/day (rounds {min(ms):.2f}-"
              f"{max(ms):.2f})")  # fmt: skip
    if args.old:
        speedup = summary["old"]["median_ms_per_day"] / summary["new"]["median_ms_per_day"]
        same = len({r["digest"] for r in runs}) == 1
        print(f"old / new = {speedup:.2f}x; same numbers bit for bit: {'yes' if same else 'NO'}")
        summary["speedup"] = speedup
        summary["bit_for_bit"] = same
    result = {"benchmark": "bench_population", "timestamp": started.isoformat(timespec="seconds"),
              "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
              "runs": runs, "summary": summary}  # fmt: skip
    write(result, args.out, started, stem="population")
    return result


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "--worker":
        sizes = [int(v) for v in sys.argv[3:]]
        print(json.dumps(worker(Path(sys.argv[2]), *sizes)))
    else:
        main()
