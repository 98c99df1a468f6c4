"""A sweep of 8 points, serially and on 2 joblib workers: wall times and speed-up.

Each point is the baseline centre for 28 days x 10 replications with a flat staffing
level (``staffing.agents=range(20,28)``): about 15 s of simulation on a quiet core, so
that the ~6 s of start-up, imports and config checks in the main process (paid by both)
and the ~4 s of imports in each joblib worker are small beside it. Both sweeps run ``callsim -m`` in fresh folders (nothing skipped) and
must give the same numbers. Target (sweep issue): speed-up >= 1.8 on 2 cores, with the
machine otherwise quiet. On a busy machine the wall times say little (the kernel shares
the cores between sessions, so two workers may get no more CPU than one); the CPU
seconds then give the speed-up two free cores would give, at best: 2 x serial CPU /
joblib CPU (all the work spread evenly, the main process's start-up included). The
bench also measures the machine's own ceiling: pure-Python work on 2 processes against
1 (on this project's 2-vCPU machine about 1.6x, not 2x: the two vCPUs slow each other
down, so no 2-worker sweep can reach 1.8x there). Writes
``results/bench/sweep-latest.json``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.8
POINTS = ["staffing.agents=range(20,28)", "run.days=28", "run.replications=10",
          "output.figures=false", "run.name=bench"]  # fmt: skip


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _sweep(cwd: Path, *launcher: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``callsim -m`` sweep of :data:`POINTS` in ``cwd``.

    The CPU seconds (of the command and the workers it waited for) tell how much of the
    2 cores the sweep got: on a busy machine the speed-up says little.
    """
    t0, c0 = time.perf_counter(), _cpu()
    subprocess.run(
        [sys.executable, "-m", "sim.app.cli", "-m", *launcher, *POINTS],
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0, _cpu() - c0


def _burn(n: int = 15_000_000) -> float:
    """Pure-Python busy work (no I/O, no memory traffic); its wall-clock seconds."""
    t0, acc = time.perf_counter(), 0
    for i in range(n):
        acc += i * i
    return time.perf_counter() - t0


def two_process_ceiling() -> float:
    """How much faster two processes do twice the work than one process does it once.

    2.0 on two free physical cores; less when the two vCPUs share a physical core or
    the machine is busy. No sweep on two workers can beat it.
    """
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2) as pool:
        pool.submit(_burn, 1000).result()  # start the workers first
        one = pool.submit(_burn).result()
        t0 = time.perf_counter()
        list(pool.map(_burn, [15_000_000, 15_000_000]))
        two = time.perf_counter() - t0
    return 2.0 * one / two


def main() -> dict[str, float]:
    """Time both sweeps; print and save the numbers."""
    import pandas as pd

    from sim.app.collect import collect

    with tempfile.TemporaryDirectory() as tmp:
        serial_dir, joblib_dir = Path(tmp, "serial"), Path(tmp, "joblib")
        serial_dir.mkdir()
        joblib_dir.mkdir()
        load = os.getloadavg()[0]
        ceiling = two_process_ceiling()
        serial, serial_cpu = _sweep(serial_dir)
        parallel, parallel_cpu = _sweep(
            joblib_dir, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"
        )
        a = collect(serial_dir / "results" / "bench" / "sweep")
        b = collect(joblib_dir / "results" / "bench" / "sweep")
        pd.testing.assert_frame_equal(a, b, check_exact=True)  # same numbers
    speedup = serial / parallel
    free = 2.0 * serial_cpu / parallel_cpu if parallel_cpu > 0 else float("nan")
    result = {
        "points": float(a["point"].nunique()),
        "serial_s": serial,
        "joblib_2_workers_s": parallel,
        "speedup": speedup,
        "serial_cpu_s": serial_cpu,
        "joblib_cpu_s": parallel_cpu,
        "speedup_on_2_free_cores_from_cpu": free,
        "two_process_ceiling": ceiling,
        "cores": float(os.cpu_count() or 0),
        "load_before": load,
    }
    ok = "PASS" if speedup >= TARGET else "MISS"
    print(f"sweep of {a['point'].nunique()} points: serial {serial:.1f} s, joblib on 2 workers "
          f"{parallel:.1f} s, speed-up {speedup:.2f}x (target >= {TARGET}x: {ok}; "
          f"{os.cpu_count()} cores, load average {load:.1f} before; cores obtained: serial "
          f"{serial_cpu / serial:.2f}, joblib {parallel_cpu / parallel:.2f}; from CPU seconds "
          f"{serial_cpu:.0f} vs {parallel_cpu:.0f}: at most {free:.2f}x on 2 free cores; "
          f"this machine runs 2 processes {ceiling:.2f}x as fast as 1 on pure Python)")  # fmt: skip
    out = ROOT / "results" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sweep-latest.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
