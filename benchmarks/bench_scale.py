"""Scale: queue-only against everything-on at a real centre's size, and a year end to end.

All measured in one run of this script, on the configs of the ``callsim`` command
(``sim.compose``, scenario ``baseline``), one replication each (scale issue, #16):

* **calls/s** at 100 and 200 agents (the baseline's staffing times 3.3 and 6.6 and its
  volume of 2,100 fresh issues a day scaled alike: 7,350 and 14,700), ``--days`` days
  (60): offered calls (fresh, redials, repeats) / wall time of ``CallCenter.run``
  (engine, population days and every table), for

  - *queue only*: ``workforce=none resolution=none redials=none customers.enabled=false``;
  - *everything on* with 400,000 customers in a market of 1,000,000 and with 2,800,000
    in a market of 7,000,000 (``customers.feedback=true``, journey and workforce on).

  The ratio everything-on / queue-only of the same size is the number the issue's
  target is about (at least 0.65 at 200 agents and 2.8 M customers).
* **a year** of the 200-agent centre with everything on and 2.8 M customers, end to
  end: the ``callsim`` command in a fresh process (start-up, simulation, every output
  written into a temporary folder); wall time and the process's peak resident memory
  (``wait4``). Targets: under 60 s and under 1.2 GB.
* **start-up**: ``callsim --help`` wall time (target under 1 s) and ``sim.compose``
  after the first call (target under 0.2 s).

Targets are printed as PASS or MISS; the numbers go to
``results/bench/scale-<timestamp>.json`` and ``scale-latest.json``. ``--quick`` runs
a tiny size (smoke test; its PASS/MISS mean nothing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CALLSIM = Path(sys.executable).parent / "callsim"

#: The baseline's staffing per interval (configs/staffing/default.yaml), 30 at the peak.
BASE_AGENTS = [11, 15, 20, 24, 28, 30, 30, 28, 24, 22, 24, 26, 26, 24, 22, 20, 17, 15, 13, 11,
               10, 9, 7, 7]  # fmt: skip
BASE_VOLUME = 2100.0
QUEUE_ONLY = ["workforce=none", "resolution=none", "redials=none", "customers.enabled=false"]
POPULATIONS = {"400k": (400_000, 1_000_000), "2.8M": (2_800_000, 7_000_000)}

TARGET_RATIO = 0.65  # everything-on / queue-only calls/s, 200 agents, 2.8 M customers
TARGET_YEAR_S = 60.0
TARGET_YEAR_RSS = 1.2e9  # bytes
TARGET_HELP_S = 1.0
TARGET_COMPOSE_S = 0.2


def centre(agents: int) -> list[str]:
    """Overrides of a centre of about ``agents`` agents at the peak (baseline scaled)."""
    factor = agents / max(BASE_AGENTS)
    staffing = [max(1, round(a * factor)) for a in BASE_AGENTS]
    return [
        f"staffing.agents=[{','.join(map(str, staffing))}]",
        f"center.volume_per_day={BASE_VOLUME * factor:g}",
        "run.replications=1",
        "run.workers=1",
    ]


def everything_on(customers: int, market: int) -> list[str]:
    """Overrides of the full model with a customer base fed back into the volume."""
    return [
        "customers.enabled=true",
        "customers.feedback=true",
        f"customers.initial={customers}",
        f"customers.market_size={market}",
    ]


def calls_per_s(overrides: list[str]) -> dict[str, Any]:
    """One replication of the composed config: offered calls / wall time of the run."""
    from sim.compose import compose

    from sim.model import CallCenter

    cfg = compose(overrides)
    t0 = time.perf_counter()
    res = CallCenter(cfg).run(0)
    seconds = time.perf_counter() - t0
    calls = int(res.summary["offered"])
    return {"overrides": overrides, "calls": calls, "seconds": seconds,
            "calls_per_s": calls / seconds}  # fmt: skip


def timed_process(argv: list[str], cwd: Path) -> dict[str, Any]:
    """Run ``argv`` in ``cwd``; its wall time, peak RSS (bytes) and exit status."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    return {
        "argv": argv[1:],
        "seconds": seconds,
        "peak_rss": usage.ru_maxrss * 1024,  # Linux: kilobytes
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "exit": proc.returncode,
        "tail": output.decode(errors="replace").splitlines()[-3:],
    }


def year(days: int, customers: int, market: int) -> dict[str, Any]:
    """The ``callsim`` command on the 200-agent centre with everything on, outputs written."""
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        argv = [str(CALLSIM), *centre(200), *everything_on(customers, market),
                f"run.days={days}", "run.name=bench_year"]  # fmt: skip
        out = timed_process(argv, Path(tmp))
        folders = list((Path(tmp) / "results" / "bench_year").glob("*/summary.json"))
        out["outputs_written"] = len(folders) == 1
        if folders:
            summary = json.loads(folders[0].read_text())
            out["calls"] = summary["kpis"]["offered"]["mean"]
            out["bytes_on_disk"] = sum(p.stat().st_size for p in folders[0].parent.rglob("*"))
    return out


def startup() -> dict[str, float]:
    """``callsim --help`` wall time, and ``sim.compose`` after its first call."""
    with tempfile.TemporaryDirectory() as tmp:
        help_s = timed_process([str(CALLSIM), "--help"], Path(tmp))["seconds"]
    import sim

    sim.compose(["run.days=1"])
    t0 = time.perf_counter()
    sim.compose(["run.days=2"])
    return {"help_s": help_s, "compose_s": time.perf_counter() - t0}


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def report(out: dict[str, Any]) -> str:
    """The printed table and the targets."""
    lines = [f"{'agents':>6}  {'configuration':<26}{'calls':>11}{'seconds':>9}{'calls/s':>10}"
             f"{'/ queue':>9}"]  # fmt: skip
    for agents, rows in out["sizes"].items():
        base = rows["queue_only"]["calls_per_s"]
        for name, row in rows.items():
            lines.append(
                f"{agents:>6}  {name:<26}{row['calls']:>11,}{row['seconds']:>9.1f}"
                f"{row['calls_per_s']:>10,.0f}{row['calls_per_s'] / base:>9.2f}"
            )
    ratio = out["target_ratio"]
    lines.append(f"everything on / queue only at 200 agents, 2.8M customers: {ratio:.2f} "
                 f"(target >= {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)})")  # fmt: skip
    y = out["year"]
    lines.append(
        f"year ({out['args']['year_days']} days, 200 agents, everything on): "
        f"{y.get('calls', float('nan')):,.0f} calls, {y['seconds']:.1f} s "
        f"(target < {TARGET_YEAR_S:.0f} s: {verdict(y['seconds'] < TARGET_YEAR_S)}), "
        f"peak RSS {y['peak_rss'] / 1e9:.2f} GB (target < {TARGET_YEAR_RSS / 1e9:.1f} GB: "
        f"{verdict(y['peak_rss'] < TARGET_YEAR_RSS)}), outputs written: "
        f"{y['outputs_written']} (exit {y['exit']})"
    )
    s = out["startup"]
    lines.append(f"callsim --help {s['help_s']:.2f} s (target < {TARGET_HELP_S:.0f} s: "
                 f"{verdict(s['help_s'] < TARGET_HELP_S)}); sim.compose after the first "
                 f"call {s['compose_s']:.2f} s (target < {TARGET_COMPOSE_S} s: "
                 f"{verdict(s['compose_s'] < TARGET_COMPOSE_S)})")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print the report, write the JSON; return the numbers."""
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--days", type=int, default=60, help="days of the calls/s runs")
    p.add_argument("--year-days", type=int, default=365, help="days of the end-to-end run")
    p.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    p.add_argument("--no-year", action="store_true", help="skip the end-to-end year")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = p.parse_args(argv)
    populations = dict(POPULATIONS)
    sizes = (100, 200)
    if args.quick:
        args.days, args.year_days = 2, 3
        populations = {"4k": (4_000, 10_000), "28k": (28_000, 70_000)}
        sizes = (10, 20)
    out: dict[str, Any] = {"args": vars(args) | {"out": str(args.out)}, "sizes": {}}
    for agents in sizes:
        rows: dict[str, Any] = {}
        common = [*centre(agents), f"run.days={args.days}"]
        print(f"{agents} agents, {args.days} days: queue only ...", flush=True)
        rows["queue_only"] = calls_per_s([*common, *QUEUE_ONLY])
        for label, (customers, market) in populations.items():
            print(f"{agents} agents, {args.days} days: everything on, {label} ...", flush=True)
            rows[f"everything_on_{label}"] = calls_per_s(
                [*common, *everything_on(customers, market)]
            )
        out["sizes"][str(agents)] = rows
    big = out["sizes"][str(sizes[-1])]
    out["target_ratio"] = (
        big[f"everything_on_{list(populations)[-1]}"]["calls_per_s"]
        / big["queue_only"]["calls_per_s"]
    )
    if args.no_year:
        out["year"] = {"seconds": float("nan"), "peak_rss": float("nan"),
                       "outputs_written": False, "exit": None}  # fmt: skip
    else:
        print(f"a year: callsim, {args.year_days} days, 200 agents, everything on ...",
              flush=True)  # fmt: skip
        customers, market = populations[list(populations)[-1]]
        out["year"] = year(args.year_days, customers, market)
    out["startup"] = startup()
    out["machine"] = {"platform": platform.platform(), "python": sys.version.split()[0],
                      "cpus": os.cpu_count(), "load": os.getloadavg()}  # fmt: skip
    print(report(out))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    text = json.dumps(out, indent=2, default=str)
    for name in (f"scale-{stamp}.json", "scale-latest.json"):
        tmp = args.out / f".{name}.tmp"
        tmp.write_text(text)
        tmp.replace(args.out / name)
    return out


if __name__ == "__main__":
    main()
