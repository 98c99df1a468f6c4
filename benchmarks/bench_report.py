"""The HTML report of a run: its size and the time to draw and write it.

The baseline scenario as ``make run`` runs it (``sim.compose`` with the given
overrides; 7 days x 10 replications by default) is simulated once, then timed, best
of ``--repeat``:

* **figures_s**: :func:`sim.report.html_report.run_figures` (both figures drawn and PNG-encoded);
* **report_s**: :func:`sim.report.html_report.run_report` with those figures (tables, base64, YAML);
* **write_results_s**: the whole results folder (:func:`sim.report.writer.write_results`:
  tables, figures, report, summary), for scale;
* **report_kb**: size of ``report.html`` in KiB, and of its figures alone.

Results go to ``results/bench/bench_report-<timestamp>.json`` and ``report-latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import sim
from sim.model.runner import replicate
from sim.report.html_report import run_figures, run_report
from sim.report.writer import write_results

ROOT = Path(__file__).resolve().parents[1]


def best(repeat: int, fn: Any) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls of ``fn`` (seconds) and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; print and save its results."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("overrides", nargs="*", help="Hydra overrides of the baseline, key=value")
    p.add_argument("--repeat", type=int, default=3, help="timed repetitions (best is kept)")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = p.parse_args(argv)

    cfg = sim.compose(args.overrides)
    t = time.perf_counter()
    reps = replicate(cfg)
    simulate_s = time.perf_counter() - t
    figures_s, figures = best(args.repeat, lambda: run_figures(reps))
    report_s, html = best(args.repeat, lambda: run_report(reps, args.overrides, figures=figures))
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        n = iter(range(args.repeat))
        write_s, folder = best(args.repeat, lambda: write_results(reps, tmp / str(next(n))))
        report_bytes = (folder / "report.html").stat().st_size
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = {
        "args": {"overrides": args.overrides, "repeat": args.repeat},
        "run": {"scenario": cfg.run.name, "days": cfg.run.days,
                "replications": cfg.run.replications, "simulate_s": round(simulate_s, 3)},
        "report_kb": round(report_bytes / 1024, 1),
        "html_chars": len(html),
        "figures_kb": {k: round(len(v) / 1024, 1) for k, v in figures.items()},
        "figures_s": round(figures_s, 3),
        "report_s": round(report_s, 3),
        "write_results_s": round(write_s, 3),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }  # fmt: skip
    text = json.dumps(out, indent=2)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    (args.out / f"bench_report-{stamp}.json").write_text(text)
    (args.out / "report-latest.json").write_text(text)
    return out


if __name__ == "__main__":
    main()
