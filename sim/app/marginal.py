"""``callsim marginal``: what one agent more or less does, as paired differences with CIs.

    callsim marginal --plan results/plan/p/plan.csv --day 2026-12-01

adds one agent to (and, separately, removes one from) every interval of a scope, one
interval (``--interval "2026-12-01 10:00"``), one day (``--day 2026-12-01``) or the whole
plan (neither), simulates the base plan and both changed plans on the **same**
replications of the planning model (common random numbers: the same callers, patience
and handle times), and reports per replication the differences changed - base, with
Student-t 95% confidence intervals over the replications, of:

* ``service_level_scope``: service level in the changed intervals;
* ``service_level``: service level of the whole plan (later intervals feel the change too:
  calls carry over);
* ``abandoned``: abandoned calls over the whole plan;
* ``customers_lost``: bad experiences (calls not answered within T: abandoned or
  answered late) x ``customers.churn.after_one`` (the share leaving after one bad
  experience; PwC via seed 003). An estimate: the planning model has no customer base;
* ``agent_cost``: agent-hours changed x ``economics.agent_cost_per_hour``;
* ``profit``: - agent cost - customers lost x ``customers.value_per_day`` x
  ``--value-days`` (365: a year of a lost customer's revenue).

The centre is the plan's (its folder's ``centre.json``), as for ``callsim
simulate-plan``. Writes ``marginal.csv`` (one row per change and measure) in ``results/marginal/<stamp>/``
(or ``--out``) and prints the table with the economics used.
"""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path

import pandas as pd

from sim.app.plan_inputs import output_folder, publish
from sim.app.simulate_plan import add_model_options, model_from_args
from sim.core.checks import ConfigError
from sim.planning.marginal import marginal_analysis, scope_mask
from sim.planning.planmodel import PlanningModel

__all__ = ["cmd_marginal"]

log = logging.getLogger("callsim")


def _text(table: pd.DataFrame) -> str:
    lines = [f"{'change':>8}  {'measure':<20} {'base':>14} {'difference':>12}  95% CI"]
    for _, r in table.iterrows():
        pct = r["measure"].startswith("service_level")
        f = (lambda v: f"{100 * v:+.2f} pt") if pct else (lambda v: f"{v:+,.1f}")
        b = f"{100 * r['base']:.2f}%" if pct else f"{r['base']:,.1f}"
        lines.append(f"{r['change']:>8}  {r['measure']:<20} {b:>14} {f(r['difference']):>12}  "
                     f"{f(r['ci_low'])} to {f(r['ci_high'])}")  # fmt: skip
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    """The options of ``callsim marginal``."""
    p = argparse.ArgumentParser(prog="callsim marginal", description=__doc__.splitlines()[0])
    add_model_options(p)
    p.add_argument("--interval", help='one interval: its start, e.g. "2026-11-30 10:00"')
    p.add_argument("--day", help="one day: its date, e.g. 2026-11-30 (default: whole plan)")
    p.add_argument("--value-days", type=float, default=365.0,
                   help="days of revenue a lost customer takes away (default 365)")  # fmt: skip
    return p


def cmd_marginal(argv: list[str] | None = None) -> Path:
    """Run ``callsim marginal``; returns the output folder (ConfigError on bad input)."""
    args = parser().parse_args(argv)
    if not args.value_days >= 0:
        raise ConfigError(f"--value-days {args.value_days!r}: must be >= 0", "value-days")
    out = output_folder(args.out, args.overwrite, "marginal")
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        cfg, model, agents, _ = model_from_args(args, partial)
        scope = scope_mask(model, args.interval, args.day)
        what = args.interval or args.day or "the whole plan"
        log.info("marginal: one agent more / less in %s (%d interval(s)); %d replications, "
                 "common random numbers; model: %s", what, int(scope.sum()), args.replications,
                 "planning" if isinstance(model, PlanningModel)
                 else "planning, with callbacks (the engine)")  # fmt: skip
        c, e = cfg.customers, cfg.economics
        log.info("economics: agents %g %s/hour; a bad experience (not answered within %g s) "
                 "loses a customer with probability %g; a lost customer is worth %g %s/day x "
                 "%g days", e.agent_cost_per_hour, e.currency, model.threshold_s,
                 c.churn.after_one, c.value_per_day, e.currency, args.value_days)  # fmt: skip
        result = marginal_analysis(model, agents, scope, cfg, args.replications, args.value_days)
        result.to_csv(partial / "marginal.csv", index=False)
        publish(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    log.info("%s", _text(result))
    log.info("marginal: %s", out)
    return out
