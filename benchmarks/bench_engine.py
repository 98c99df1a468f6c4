"""Engine throughput and memory of callsim against a textbook SimPy model and Ciw.

The model is M/M/100+M: 100 agents, exponential handle times (mean 240 s), exponential
patience (mean 180 s), Poisson arrivals at load 0.95 (lambda = 0.95 * 100 / 240 per
second), FCFS, no redials, open around the clock, empty at time 0. Three
implementations simulate it in the same run:

* **callsim**: ``CallCenter.engine().run()`` (the event loop) followed by
  :func:`sim.outputs.metrics.calls_table` (the per-call table); both are timed separately and
  together (the headline: calls per second with the per-call table recorded). Peak
  memory is measured in a separate run under :mod:`tracemalloc` (it slows Python down).
* **textbook SimPy**: ``tests/textbook.py``, one process per caller, a
  ``simpy.Resource`` for the agents and ``request | timeout(patience)``, fed the engine's
  own random numbers (so its outcomes must equal callsim's call for call: checked).
* **Ciw**: ``ciw.Simulation`` of the same queue with reneging, run until the requested
  number of calls has finished (served or reneged).

The slow models run on fewer calls (``--textbook-calls``, ``--ciw-calls``); ratios
compare calls per second. Targets (from the issue): >= 300,000 calls/s with the
per-call table recorded, >= 5x the textbook SimPy model, >= 12x Ciw, <= 100 bytes of
peak memory per recorded call. A miss is reported, not an error (exit status 0).

Usage::

    make bench ARGS="--calls 200000 --repeat 5"
    .venv/bin/python benchmarks/bench_engine.py --no-ciw

Results go to ``results/bench/bench_engine-<timestamp>.json`` and ``latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import json
import math
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sim.core.calls import Outcome
from sim.core.files import atomic_write_text
from sim.model.callcenter import CallCenter
from sim.outputs.metrics import calls_table
from sim.queue.engine import EngineLog
from sim.theory.analytic import erlang_a

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "results" / "bench"

AGENTS = 100
MEAN_HANDLE_S = 240.0
MEAN_PATIENCE_S = 180.0
LOAD = 0.95
ARRIVAL_RATE = LOAD * AGENTS / MEAN_HANDLE_S  # calls per second
SEED = 20261123
DAY_S = 86_400.0

TARGET_CALLS_PER_S = 300_000.0
TARGET_VS_TEXTBOOK = 5.0
TARGET_VS_CIW = 12.0
TARGET_BYTES_PER_CALL = 100.0


# ------------------------------------------------------------------------------ config
def bench_config(calls: int) -> dict[str, Any]:
    """The callsim config of the benchmark model, sized for about ``calls`` calls.

    The arrival rate stays fixed (load 0.95). At least a day's worth of calls: open
    around the clock for ``ceil(calls / calls per day)`` days. Fewer: one day open from
    00:00 for the whole minutes that hold ``calls`` expected calls, after which the
    agents serve the calls still waiting (``after_close: drain``), as they do at the
    end of a multi-day run.
    """
    per_day = ARRIVAL_RATE * DAY_S
    if calls >= per_day:
        days, minutes = math.ceil(calls / per_day), 24 * 60
    else:
        days, minutes = 1, max(1, math.ceil(calls / ARRIVAL_RATE / 60.0))
    close = "24:00" if minutes == 24 * 60 else f"{minutes // 60:02d}:{minutes % 60:02d}"
    return {
        "center": {
            "open_time": "00:00",
            "close_time": close,
            "interval_min": math.gcd(minutes, 60),
            "volume_per_day": ARRIVAL_RATE * minutes * 60.0,
            "busyness_var": 0.0,
            "profile": None,
            "after_close": "drain",
        },
        "staffing": {"agents": AGENTS},
        "service": {
            "talk": {"kind": "exponential", "mean_s": MEAN_HANDLE_S},
            "acw": {"kind": "deterministic", "value_s": 0.0},
        },
        "patience": {"kind": "exponential", "mean_s": MEAN_PATIENCE_S},
        "redials": {"probability": 0.0, "blocked_probability": 0.0, "max_attempts": 1},
        "queue": {"lines": None, "max_waiting": None},
        "run": {"days": days, "warmup_s": 0.0, "replications": 1, "seed": SEED},
    }


def outcome_counts(outcome: np.ndarray) -> dict[str, int]:
    """Answered and abandoned calls among ``outcome`` codes (:class:`Outcome`)."""
    counts = np.bincount(np.asarray(outcome, dtype=np.int64), minlength=len(Outcome))
    return {"answered": int(counts[Outcome.ANSWERED]), "abandoned": int(counts[Outcome.ABANDONED])}


# ----------------------------------------------------------------------------- callsim
def _engine_and_table(cc: CallCenter) -> tuple[EngineLog, Any, float, float]:
    """One replication: engine loop then calls table; returns both and their seconds."""
    cfg = cc.config
    t0 = time.perf_counter()
    log = cc.engine(0).run()
    t1 = time.perf_counter()
    table = calls_table(
        log,
        cc.timetable,
        cfg.run.warmup_s,
        [cfg.center.call_type],
        [cfg.staffing.group],
        cc.experience,
    )
    t2 = time.perf_counter()
    return log, table, t1 - t0, t2 - t1


def bench_callsim(calls: int, repeat: int) -> dict[str, Any]:
    """Time ``repeat`` runs (best one kept), then measure peak memory in one more run."""
    cc = CallCenter(bench_config(calls))
    runs = []
    n = 0
    counts: dict[str, int] = {}
    for _ in range(max(1, repeat)):
        gc.collect()
        log, table, engine_s, table_s = _engine_and_table(cc)
        n = len(log.outcome)
        counts = outcome_counts(log.outcome)
        runs.append({"engine_s": engine_s, "calls_table_s": table_s, "total_s": engine_s + table_s})
        del log, table
    best = min(runs, key=lambda r: r["total_s"])
    rss_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB

    # Memory, in its own run: everything allocated from building the model to holding
    # the finished calls table (the engine log stays alive: the table shares its columns).
    gc.collect()
    tracemalloc.start()
    cc_mem = CallCenter(bench_config(calls))
    log, table, _, _ = _engine_and_table(cc_mem)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    table_bytes = int(table.memory_usage(deep=True, index=True).sum())
    log_bytes = sum(
        getattr(log, f).nbytes
        for f in (
            "arrival_s",
            "patience_s",
            "handle_s",
            "wait_s",
            "outcome",
            "agent_id",
            "source",
            "attempt",
            "caller_id",
        )
    )
    del log, table, cc_mem
    tt = cc.timetable
    return {
        "calls": n,
        "days": tt.days,
        "open_hours": (tt.close_s - tt.open_s) / 3600.0,
        **counts,
        "abandon_rate": counts["abandoned"] / n if n else math.nan,
        "runs": runs,
        "engine_s": best["engine_s"],
        "calls_table_s": best["calls_table_s"],
        "total_s": best["total_s"],
        "engine_calls_per_s": n / best["engine_s"],
        "calls_per_s": n / best["total_s"],
        "peak_traced_bytes": peak,
        "held_traced_bytes": current,
        "bytes_per_call": peak / n if n else math.nan,
        "held_bytes_per_call": current / n if n else math.nan,
        "calls_table_bytes_per_call": table_bytes / n if n else math.nan,
        "engine_log_bytes_per_call": log_bytes / n if n else math.nan,
        "peak_rss_bytes": rss_bytes,
    }


# ---------------------------------------------------------------------------- textbook
def _textbook_for() -> Callable[[CallCenter, int], dict[str, np.ndarray]]:
    """``textbook_for`` from ``tests/textbook.py``."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    from textbook import textbook_for

    return textbook_for


def bench_textbook(calls: int) -> dict[str, Any]:
    """Time the textbook SimPy model once and check it agrees with callsim call for call.

    The timed part is ``textbook_for``: drawing the calls (the engine's own draws, in
    bulk with numpy) and simulating them with a process per caller.
    """
    textbook_for = _textbook_for()
    cc = CallCenter(bench_config(calls))
    gc.collect()
    t0 = time.perf_counter()
    out = textbook_for(cc, 0)
    seconds = time.perf_counter() - t0
    n = len(out["outcome"])
    counts = outcome_counts(out["outcome"])

    gc.collect()
    log, _, engine_s, table_s = _engine_and_table(cc)  # callsim on the very same calls
    same = bool(
        len(log.outcome) == n
        and np.array_equal(log.outcome, out["outcome"])
        and np.array_equal(log.wait_s, out["wait"])
    )
    return {
        "status": "ok",
        "calls": n,
        "seconds": seconds,
        "calls_per_s": n / seconds,
        **counts,
        "abandon_rate": counts["abandoned"] / n if n else math.nan,
        "identical_to_callsim": same,
        "callsim_same_calls": {
            "calls": len(log.outcome),
            **outcome_counts(log.outcome),
            "total_s": engine_s + table_s,
            "calls_per_s": len(log.outcome) / (engine_s + table_s),
        },
    }


# --------------------------------------------------------------------------------- Ciw
def bench_ciw(calls: int) -> dict[str, Any]:
    """Time Ciw once on the same model until ``calls`` calls have finished.

    Returns ``{"status": "skipped", ...}`` when Ciw is not installed.
    """
    try:
        import ciw
    except ImportError as exc:
        return {"status": "skipped", "reason": f"ciw not installed ({exc}); pip install 'ciw>=3.1'"}
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / MEAN_HANDLE_S)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / MEAN_PATIENCE_S)],
    )
    ciw.seed(SEED)
    gc.collect()
    t0 = time.perf_counter()
    q = ciw.Simulation(network)
    q.simulate_until_max_customers(calls, method="Finish")
    records = q.get_all_records()
    seconds = time.perf_counter() - t0
    n = len(records)
    answered = sum(1 for r in records if r.record_type == "service")
    abandoned = sum(1 for r in records if r.record_type == "renege")
    return {
        "status": "ok",
        "version": ciw.__version__,
        "calls": n,
        "seconds": seconds,
        "calls_per_s": n / seconds,
        "answered": answered,
        "abandoned": abandoned,
        "abandon_rate": abandoned / n if n else math.nan,
        "simulated_s": q.current_time,
    }


# ------------------------------------------------------------------------------ report
def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _target(value: float | None, op: str, target: float) -> dict[str, Any]:
    if value is None or not math.isfinite(value):
        return {"value": value, "op": op, "target": target, "pass": None}
    ok = value >= target if op == ">=" else value <= target
    return {"value": value, "op": op, "target": target, "pass": bool(ok)}


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def print_report(result: dict[str, Any]) -> None:
    """Print the comparison table, the sanity checks and the targets."""
    cs, tb, cw, targets = result["callsim"], result["textbook"], result["ciw"], result["targets"]
    m = result["model"]
    print(
        f"\nM/M/{m['agents']}+M: handle {m['mean_handle_s']:g} s, patience {m['mean_patience_s']:g} s,"
        f" load {m['load']:g} (lambda {m['arrival_rate_per_s']:.4f}/s)"
    )
    head = f"{'model':<32}{'calls':>10}{'seconds':>10}{'calls/s':>12}{'ratio':>9}{'bytes/call':>12}"
    print(head)
    print("-" * len(head))

    def row(name: str, calls: int | None, secs: float | None, rate: float | None,
            ratio: float | None = None, bpc: float | None = None) -> None:  # fmt: skip
        print(
            f"{name:<32}{_fmt(calls, ',d'):>10}{_fmt(secs, '.3f'):>10}{_fmt(rate, ',.0f'):>12}"
            f"{'-' if ratio is None else f'{ratio:.1f}x':>9}{_fmt(bpc, '.1f'):>12}"
        )

    n = cs["calls"]
    row("callsim engine loop", n, cs["engine_s"], cs["engine_calls_per_s"])
    row("callsim calls table", n, cs["calls_table_s"], n / cs["calls_table_s"])
    row(
        "callsim engine + calls table",
        n,
        cs["total_s"],
        cs["calls_per_s"],
        None,
        cs["bytes_per_call"],
    )
    for name, part in (("textbook SimPy", tb), ("Ciw", cw)):
        if part["status"] == "ok":
            label = name if name != "Ciw" else f"Ciw {part['version']}"
            row(label, part["calls"], part["seconds"], part["calls_per_s"], part["ratio"])
        else:
            print(f"{name:<32}skipped ({part.get('reason', '')})")
    print(
        f"\ncallsim memory: peak {cs['bytes_per_call']:.1f} B/call (tracemalloc, engine + table),"
        f" held after {cs['held_bytes_per_call']:.1f} B/call; calls table"
        f" {cs['calls_table_bytes_per_call']:.1f} B/call (shares columns with the engine log,"
        f" {cs['engine_log_bytes_per_call']:.1f} B/call); process peak RSS"
        f" {cs['peak_rss_bytes'] / 2**20:.0f} MiB"
    )
    ea = result["erlang_a"]["p_abandon"]
    print(f"abandonment: Erlang A {ea:.4f}; callsim {cs['abandon_rate']:.4f}", end="")
    for name, part in (("textbook", tb), ("Ciw", cw)):
        if part["status"] == "ok":
            print(f"; {name} {part['abandon_rate']:.4f}", end="")
    print()
    if tb["status"] == "ok":
        same = tb["callsim_same_calls"]
        verdict = "identical" if tb["identical_to_callsim"] else "DIFFERENT"
        print(
            f"textbook vs callsim on the same {tb['calls']:,} calls: outcomes and waits {verdict}"
            f" (answered {tb['answered']:,} / {same['answered']:,},"
            f" abandoned {tb['abandoned']:,} / {same['abandoned']:,});"
            f" callsim there: {same['calls_per_s']:,.0f} calls/s"
        )
    print("\ntargets")
    labels = {
        "calls_per_s": ("calls/s with the per-call table", ",.0f"),
        "vs_textbook": ("speed-up vs textbook SimPy", ".1f"),
        "vs_ciw": ("speed-up vs Ciw", ".1f"),
        "bytes_per_call": ("peak bytes per recorded call", ".1f"),
    }
    for key, (label, spec) in labels.items():
        t = targets[key]
        verdict = "n/a" if t["pass"] is None else ("PASS" if t["pass"] else "MISS")
        print(f"  {label:<34}{_fmt(t['value'], spec):>12}  {t['op']} {t['target']:<10,g}{verdict}")


def write_json(result: dict[str, Any], out: Path) -> Path:
    """Write ``bench_engine-<timestamp>.json`` and (atomically) ``latest.json`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, default=float) + "\n"
    stamp = result["timestamp"].replace(":", "").replace("-", "")[:15]
    path = out / f"bench_engine-{stamp}.json"
    for target in (path, out / "latest.json"):
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".bench-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    return path


def finish_ratio(result: dict[str, Any], top: str, base: str, target: float, stem: str,
                 out: Path) -> float:  # fmt: skip
    """The ratio of ``result[top]``'s calls/s to ``result[base]``'s against ``target``
    (set into ``result`` with the machine), written to ``<stem>-<stamp>.json`` and
    ``<stem>-latest.json`` in ``out``; returns the ratio. Shared by the benches that
    compare one model with the single queue in the same run."""
    ratio = result[top]["calls_per_s"] / result[base]["calls_per_s"]
    result |= {"ratio": ratio, "target_ratio": target, "meets_target": ratio >= target,
               "machine": {"python": sys.version.split()[0], "platform": platform.platform()}}  # fmt: skip
    text = json.dumps(result, indent=2)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"bench_{stem}-{stamp}.json", f"{stem}-latest.json"):
        atomic_write_text(out / name, text)
    verdict = "meets" if ratio >= target else "MISSES"
    sys.stdout.write(f"{top} / {base} = {ratio:.2f} ({verdict} the {target:.0%} target)\n")
    return ratio


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=500_000, help="calls for callsim (default 500000)")
    p.add_argument(
        "--textbook-calls", type=int, default=100_000, help="calls for the textbook SimPy model"
    )
    p.add_argument("--ciw-calls", type=int, default=30_000, help="calls for Ciw")
    p.add_argument("--repeat", type=int, default=3, help="callsim runs; the best is kept")
    p.add_argument("--no-ciw", action="store_true", help="skip Ciw")
    p.add_argument("--no-textbook", action="store_true", help="skip the textbook SimPy model")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of the JSON results")
    args = p.parse_args(argv)
    for key in ("calls", "textbook_calls", "ciw_calls", "repeat"):
        if getattr(args, key) < 1:
            p.error(f"--{key.replace('_', '-')} must be >= 1")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print the report, write the JSON and return the results."""
    args = parse_args(argv)
    started = dt.datetime.now().astimezone()
    print(f"callsim: {args.calls:,} calls, best of {args.repeat} ...", flush=True)
    cs = bench_callsim(args.calls, args.repeat)
    if args.no_textbook:
        tb: dict[str, Any] = {"status": "skipped", "reason": "--no-textbook"}
    else:
        print(f"textbook SimPy: {args.textbook_calls:,} calls ...", flush=True)
        tb = bench_textbook(args.textbook_calls)
    if args.no_ciw:
        cw: dict[str, Any] = {"status": "skipped", "reason": "--no-ciw"}
    else:
        print(f"Ciw: {args.ciw_calls:,} calls ...", flush=True)
        cw = bench_ciw(args.ciw_calls)
    for part in (tb, cw):
        if part["status"] == "ok":
            part["ratio"] = cs["calls_per_s"] / part["calls_per_s"]
    ea = erlang_a(ARRIVAL_RATE, MEAN_HANDLE_S, AGENTS, MEAN_PATIENCE_S)
    result: dict[str, Any] = {
        "benchmark": "bench_engine",
        "timestamp": started.isoformat(timespec="seconds"),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "model": {
            "agents": AGENTS,
            "mean_handle_s": MEAN_HANDLE_S,
            "mean_patience_s": MEAN_PATIENCE_S,
            "load": LOAD,
            "arrival_rate_per_s": ARRIVAL_RATE,
            "seed": SEED,
        },
        "erlang_a": {"p_abandon": ea.p_abandon, "p_wait": ea.p_wait, "asa_s": ea.asa_s},
        "callsim": cs,
        "textbook": tb,
        "ciw": cw,
        "targets": {
            "calls_per_s": _target(cs["calls_per_s"], ">=", TARGET_CALLS_PER_S),
            "vs_textbook": _target(tb.get("ratio"), ">=", TARGET_VS_TEXTBOOK),
            "vs_ciw": _target(cw.get("ratio"), ">=", TARGET_VS_CIW),
            "bytes_per_call": _target(cs["bytes_per_call"], "<=", TARGET_BYTES_PER_CALL),
        },
        "machine": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "cpu_count": os.cpu_count(),
        },
        "versions": {pkg: _version(pkg) for pkg in ("callsim", "simpy", "numpy", "pandas", "ciw")},
    }
    print_report(result)
    path = write_json(result, Path(args.out))
    print(f"\nwrote {path} and {path.parent / 'latest.json'}")
    return result


if __name__ == "__main__":
    main()
