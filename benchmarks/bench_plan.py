"""Planning by simulation: one week of 30-minute intervals for a ~200-agent centre.

The baseline centre (08:00-20:00, customer loop on) with 16,800 fresh issues a day
(7 x the default, so that the peak needs about 200 agents), 7 days, Erlang C as the
reference formula; ``callsim plan --simulate`` with 4 replications per iteration, one
core. Target (staffing-planner issue): under 2 minutes. Writes
``results/bench/plan-latest.json``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 120.0


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Time the plan; print and save the numbers."""
    from sim.app.plan import main as plan_main

    out = ROOT / "results" / "bench"
    args = ["--methods", "erlang_c", "--simulate", "--set", "run.days=7",
            "--set", "center.volume_per_day=16800", "--out", str(out / "plan-week")]  # fmt: skip
    if argv:
        args += argv
    t0 = time.perf_counter()
    folder = plan_main(args)
    seconds = time.perf_counter() - t0
    import pandas as pd

    plan = pd.read_csv(folder / "plan.csv")
    result = {
        "seconds": seconds,
        "intervals": float(len(plan)),
        "peak_agents": float(plan["simulation_agents"].max()),
        "agent_hours": float(plan["simulation_agents"].sum() / 2.0),
    }
    ok = "PASS" if seconds <= TARGET_S else "MISS"
    print(f"plan by simulation: {len(plan)} intervals, peak {result['peak_agents']:.0f} agents, "
          f"{seconds:.1f} s (target <= {TARGET_S:.0f} s: {ok})")  # fmt: skip
    (out / "plan-latest.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
