"""Engine speed of an older checkout against this one, measured interleaved.

The machine a benchmark runs on is rarely quiet (CI runners, a shared workstation), so
two runs an hour apart say little about a 5% difference. This script runs the callsim
part of ``benchmarks/bench_engine.py`` (M/M/100+M, engine + calls table, best of
``--repeat``; peak traced memory per call in one more run) for the *old* and the *new*
tree in turn: old, new, old, new, ... for ``--rounds`` rounds, each in a fresh Python
process. Each tree is measured with its own ``benchmarks/bench_engine.py``
(``bench_config`` and ``_engine_and_table``), so both simulate the same calls.

How a process gets the older ``sim``: the checkout is installed editable (``pip
install -e .``), whose import hook maps ``sim`` to this checkout, and the current
folder may hold this checkout's ``sim`` too, so ``PYTHONPATH`` alone does not decide
which ``sim`` runs. The worker process removes the hook from ``sys.meta_path``, puts
the tree first on ``sys.path``, and checks that ``sim`` came from the tree.

Usage::

    make bench-compare OLD=f80d9a9                  # a git revision of this repository
    .venv/bin/python benchmarks/compare_engine.py --old /path/to/old/checkout
    .venv/bin/python benchmarks/compare_engine.py --old main --calls 300000 --rounds 5

A revision is extracted with ``git archive`` into a temporary folder. The report gives
every round (wall and CPU calls/s, engine-only calls/s, peak traced bytes per call,
peak RSS), the median of each side, the ratio new / old and the verdict against the
target: new within 5% of old (ratio of medians >= 0.95). CPU time is printed next to
wall time because on a busy machine it moves less. Results go to
``results/bench/compare-<timestamp>.json`` and ``compare-latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "results" / "bench"
TARGET_RATIO = 0.95  # new engine + calls table at least 95% of the old calls/s


# ----------------------------------------------------------------------------- worker
def worker(tree: Path, calls: int, repeat: int) -> dict[str, Any]:
    """In a fresh process: import ``sim`` from ``tree`` and time its engine + table."""
    import gc
    import importlib.util
    import resource
    import time
    import tracemalloc

    use_tree(tree)
    script = tree / "benchmarks" / "bench_engine.py"
    spec = importlib.util.spec_from_file_location("bench_engine", script)
    assert spec is not None and spec.loader is not None
    be = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(be)
    sim = sys.modules["sim"]
    if not Path(str(sim.__file__)).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"sim imported from {sim.__file__}, not from {tree}")

    cc = be.CallCenter(be.bench_config(calls))
    runs = []
    n = 0
    for _ in range(repeat):
        gc.collect()
        c0 = time.process_time()
        log, table, engine_s, table_s = be._engine_and_table(cc)
        cpu_s = time.process_time() - c0
        n = len(log.outcome)
        runs.append({"engine_s": engine_s, "total_s": engine_s + table_s, "cpu_s": cpu_s})
        del log, table
    gc.collect()
    tracemalloc.start()
    log, table, _, _ = be._engine_and_table(be.CallCenter(be.bench_config(calls)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del log, table
    return {
        "sim": str(sim.__file__),
        "calls": n,
        "runs": runs,
        "calls_per_s": n / min(r["total_s"] for r in runs),
        "cpu_calls_per_s": n / min(r["cpu_s"] for r in runs),
        "engine_calls_per_s": n / min(r["engine_s"] for r in runs),
        "bytes_per_call": peak / n,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def use_tree(tree: Path) -> None:
    """Make this process import ``sim`` from ``tree``: drop the editable install's import
    hook from ``sys.meta_path`` and put ``tree`` first on ``sys.path`` (shared by the
    benches that compare an old tree with this one)."""
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in _name(f)]
    sys.path.insert(0, str(tree))


def _name(finder: object) -> str:
    return (getattr(finder, "__module__", "") + repr(finder)).lower()


def measure(tree: Path, calls: int, repeat: int) -> dict[str, Any]:
    """Run :func:`worker` for ``tree`` in a fresh Python process."""
    cmd = [sys.executable, __file__, "--worker", str(tree), str(calls), str(repeat)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark of {tree} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ----------------------------------------------------------------------------- driver
def checkout(old: str, scratch: Path) -> tuple[Path, str]:
    """The old tree: ``old`` itself if it is a folder, else a git revision of this
    repository extracted into ``scratch``; and a label (the revision's short hash)."""
    path = Path(old)
    if path.is_dir():
        return path.resolve(), str(path)
    git = ["git", "-C", str(ROOT)]
    rev = subprocess.run([*git, "rev-parse", "--short", old], capture_output=True, text=True)
    if rev.returncode != 0:
        raise SystemExit(f"--old {old}: neither a folder nor a git revision ({rev.stderr.strip()})")
    archive = subprocess.run([*git, "archive", old], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive.stdout, check=True)
    return scratch, rev.stdout.strip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--old", required=True, help="older checkout: a folder or a git revision")
    p.add_argument("--new", type=Path, default=ROOT, help="newer checkout (default: this one)")
    p.add_argument("--calls", type=int, default=300_000, help="calls per run (default 300000)")
    p.add_argument("--repeat", type=int, default=3, help="runs per round and side; best kept")
    p.add_argument("--rounds", type=int, default=3, help="rounds of old then new (default 3)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of the JSON results")
    args = p.parse_args(argv)
    for key in ("calls", "repeat", "rounds"):
        if getattr(args, key) < 1:
            p.error(f"--{key} must be >= 1, got {getattr(args, key)}")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure old and new interleaved, print every round and the verdict, write JSON."""
    args = parse_args(argv)
    started = dt.datetime.now().astimezone()
    with tempfile.TemporaryDirectory(prefix="callsim-old-") as scratch:
        old, label = checkout(args.old, Path(scratch))
        trees = {"old": old, "new": args.new.resolve()}
        print(f"old: {label} ({old})\nnew: {trees['new']}\n{args.calls:,} calls, best of "
              f"{args.repeat} per round, {args.rounds} rounds (old, new, old, new, ...)")  # fmt: skip
        print(f"{'round':>5} {'side':>4} {'calls/s':>10} {'cpu calls/s':>12} "
              f"{'engine/s':>10} {'B/call':>7} {'RSS MB':>7}")  # fmt: skip
        rounds: list[dict[str, Any]] = []
        for k in range(1, args.rounds + 1):
            for side, tree in trees.items():
                r = measure(tree, args.calls, args.repeat)
                rounds.append({"round": k, "side": side, **r})
                print(f"{k:>5} {side:>4} {r['calls_per_s']:>10,.0f} {r['cpu_calls_per_s']:>12,.0f} "
                      f"{r['engine_calls_per_s']:>10,.0f} {r['bytes_per_call']:>7.1f} "
                      f"{r['peak_rss_bytes'] / 2**20:>7.0f}", flush=True)  # fmt: skip
    med = {
        side: {
            key: statistics.median(r[key] for r in rounds if r["side"] == side)
            for key in ("calls_per_s", "cpu_calls_per_s", "bytes_per_call", "peak_rss_bytes")
        }
        for side in ("old", "new")
    }
    ratio = med["new"]["calls_per_s"] / med["old"]["calls_per_s"]
    cpu_ratio = med["new"]["cpu_calls_per_s"] / med["old"]["cpu_calls_per_s"]
    ok = ratio >= TARGET_RATIO
    print(f"median calls/s: old {med['old']['calls_per_s']:,.0f}, new "
          f"{med['new']['calls_per_s']:,.0f}; new / old = {ratio:.3f} (CPU: {cpu_ratio:.3f})")  # fmt: skip
    print(f"target new / old >= {TARGET_RATIO}: {'PASS' if ok else 'MISS'}")
    result = {
        "benchmark": "compare_engine",
        "timestamp": started.isoformat(timespec="seconds"),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "old": {"label": label, "tree": str(old)},
        "new": {"tree": str(trees["new"])},
        "rounds": rounds,
        "median": med,
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "target": {"value": ratio, "op": ">=", "target": TARGET_RATIO, "pass": ok},
    }
    write(result, args.out, started)
    return result


def write(result: dict[str, Any], out: Path, started: dt.datetime, stem: str = "compare") -> None:
    """``<stem>-<timestamp>.json`` and ``<stem>-latest.json`` in ``out``, atomically."""
    from sim.core.files import atomic_write_text  # here: a worker must not import sim early

    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2)
    atomic_write_text(out / f"{stem}-{started.strftime('%Y%m%d-%H%M%S')}.json", text)
    atomic_write_text(out / f"{stem}-latest.json", text)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        print(json.dumps(worker(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
    else:
        main()
