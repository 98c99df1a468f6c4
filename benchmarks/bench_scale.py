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
  after the first call (target under 0.2 s); the check of two ``+key`` overrides (no
  target: it walks the schema's types, 0.3 ms; it built the whole schema as an
  OmegaConf node per key before, 0.13 s each).

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

from sim.core.files import atomic_write_text

ROOT = Path(__file__).resolve().parents[1]


def _callsim() -> list[str]:
    """The ``callsim`` command of the ``sim`` this Python imports (so that the bench
    also runs on an older checkout put first on ``PYTHONPATH``)."""
    import sim

    # where the imported sim has its command (sub-packages, or the flat older layout)
    module = "sim.app.cli" if (Path(sim.__file__).parent / "app" / "cli.py").exists() else "sim.cli"
    code = f"import sys; sys.argv[0] = 'callsim'; from {module} import main; main()"
    return [sys.executable, "-c", code]


CALLSIM = _callsim()

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


#: centre size -> (factor on the baseline's staffing, fresh issues a day), as in the issue
SIZES = {100: (3.3, 7350.0), 200: (6.6, 14700.0), 10: (0.33, 735.0), 20: (0.66, 1470.0)}


def centre(agents: int) -> list[str]:
    """Overrides of a centre of about ``agents`` agents at the peak (baseline scaled)."""
    factor, volume = SIZES[agents]
    staffing = [max(1, round(a * factor)) for a in BASE_AGENTS]
    return [
        f"staffing.agents=[{','.join(map(str, staffing))}]",
        f"center.volume_per_day={volume:g}",
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
    """One replication of the composed config: offered calls / wall and CPU time of
    ``CallCenter.run``."""
    import sim

    cfg = sim.compose(overrides)
    t0, c0 = time.perf_counter(), time.process_time()
    res = sim.CallCenter(cfg).run(0)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    calls = int(res.summary["offered"])
    return {"overrides": overrides, "calls": calls, "seconds": seconds, "cpu_s": cpu,
            "calls_per_s": calls / seconds,
            "calls_per_cpu_s": calls / max(cpu, 1e-9)}  # fmt: skip


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
        "argv": argv[3:],
        "seconds": seconds,
        "peak_rss": usage.ru_maxrss * 1024,  # Linux: kilobytes
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "exit": proc.returncode,
        "tail": output.decode(errors="replace").splitlines()[-3:],
    }


def year(days: int, agents: int, customers: int, market: int) -> dict[str, Any]:
    """The ``callsim`` command on the 200-agent centre with everything on, outputs written."""
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        argv = [*CALLSIM, *centre(agents), *everything_on(customers, market),
                f"run.days={days}", "run.name=bench_year"]  # fmt: skip
        out = timed_process(argv, Path(tmp))
        folders = list((Path(tmp) / "results" / "bench_year").glob("*/summary.json"))
        out["outputs_written"] = len(folders) == 1
        if folders:
            summary = json.loads(folders[0].read_text())
            out["calls"] = summary["kpis"]["offered"]["mean"]
            out["bytes_on_disk"] = sum(p.stat().st_size for p in folders[0].parent.rglob("*"))
    return out


def startup() -> dict[str, Any]:
    """``callsim --help`` wall time, ``sim.compose`` after its first call, and the check of
    two additions (``+key``) that every ``callsim`` command line gets before Hydra."""
    with tempfile.TemporaryDirectory() as tmp:
        helped = timed_process([*CALLSIM, "--help"], Path(tmp))
    import sim

    sim.compose(["run.days=1"])
    t0 = time.perf_counter()
    sim.compose(["run.days=2"])
    compose_s = time.perf_counter() - t0
    from sim.config.compose import check_overrides

    t0 = time.perf_counter()
    check_overrides(["+run.days=2", "+agent_groups.0.skills.x=1"])
    return {"help_s": helped["seconds"], "help_cpu_s": helped["cpu_s"],
            "compose_s": compose_s, "check_added_s": time.perf_counter() - t0}  # fmt: skip


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def report(out: dict[str, Any]) -> str:
    """The printed table and the targets (verdicts on CPU time and on wall time)."""
    load = out["machine"]["load"]
    lines = [
        f"machine: {out['machine']['cpus']} cores, load average {load[0]:.1f} (on a busy "
        "machine the wall times say little; the CPU times are the process's own)",
        f"{'agents':>6}  {'configuration':<22}{'calls':>11}{'wall s':>8}{'CPU s':>8}"
        f"{'calls/s':>10}{'calls/CPU-s':>12}{'/ queue':>9}",
    ]
    for agents, rows in out["sizes"].items():
        base = rows["queue_only"]["calls_per_cpu_s"]
        for name, row in rows.items():
            lines.append(
                f"{agents:>6}  {name:<22}{row['calls']:>11,}{row['seconds']:>8.1f}"
                f"{row['cpu_s']:>8.1f}{row['calls_per_s']:>10,.0f}"
                f"{row['calls_per_cpu_s']:>12,.0f}{row['calls_per_cpu_s'] / base:>9.2f}"
            )
    ratio, wall_ratio = out["target_ratio"], out["target_ratio_wall"]
    lines.append(
        f"everything on / queue only, {out['target_size']}: {ratio:.2f} on CPU time, "
        f"{wall_ratio:.2f} on wall time (target >= {TARGET_RATIO}: "
        f"{verdict(ratio >= TARGET_RATIO)})"
    )
    y = out["year"]
    if y.get("exit") is not None:
        lines.append(
            f"year ({out['args']['year_days']} days, {out['target_size']}, everything on, "
            f"callsim end to end): {y.get('calls', float('nan')):,.0f} calls; "
            f"{y['cpu_s']:.1f} CPU s, {y['seconds']:.1f} s wall (target < {TARGET_YEAR_S:.0f} s "
            f"on one core: {verdict(y['cpu_s'] < TARGET_YEAR_S)} on CPU time, "
            f"{verdict(y['seconds'] < TARGET_YEAR_S)} on wall time); peak RSS "
            f"{y['peak_rss'] / 1e9:.2f} GB (target < {TARGET_YEAR_RSS / 1e9:.1f} GB: "
            f"{verdict(y['peak_rss'] < TARGET_YEAR_RSS)}); outputs written: "
            f"{y['outputs_written']} (exit {y['exit']})"
        )
        if y["exit"] != 0:
            lines.append("callsim failed: " + " / ".join(y["tail"]))
    st = out["startup"]
    lines.append(
        f"callsim --help {st['help_s']:.2f} s wall, {st['help_cpu_s']:.2f} CPU s (target < {TARGET_HELP_S:.0f} s: "
        f"{verdict(st['help_s'] < TARGET_HELP_S)}); sim.compose after the first call "
        f"{st['compose_s']:.3f} s (target < {TARGET_COMPOSE_S} s: "
        f"{verdict(st['compose_s'] < TARGET_COMPOSE_S)}); two +key checked in "
        f"{1000 * st['check_added_s']:.1f} ms"
    )
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
    full = big[f"everything_on_{list(populations)[-1]}"]
    out["target_size"] = f"{sizes[-1]} agents, {list(populations)[-1]} customers"
    out["target_ratio"] = full["calls_per_cpu_s"] / big["queue_only"]["calls_per_cpu_s"]
    out["target_ratio_wall"] = full["calls_per_s"] / big["queue_only"]["calls_per_s"]
    if args.no_year:
        out["year"] = {"exit": None}
    else:
        print(f"a year: callsim, {args.year_days} days, 200 agents, everything on ...",
              flush=True)  # fmt: skip
        customers, market = populations[list(populations)[-1]]
        out["year"] = year(args.year_days, sizes[-1], customers, market)
    out["startup"] = startup()
    out["machine"] = {"platform": platform.platform(), "python": sys.version.split()[0],
                      "cpus": os.cpu_count(), "load": os.getloadavg()}  # fmt: skip
    print(report(out))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    text = json.dumps(out, indent=2, default=str)
    for name in (f"scale-{stamp}.json", "scale-latest.json"):
        atomic_write_text(args.out / name, text)
    return out


if __name__ == "__main__":
    main()
