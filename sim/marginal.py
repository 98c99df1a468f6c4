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

Writes ``marginal.csv`` (one row per change and measure) in ``results/marginal/<stamp>/``
(or ``--out``) and prints the table with the economics used.
"""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import Config
from sim.planmodel import PlanningModel
from sim.plan import output_folder, publish
from sim.simulate_plan import add_model_options, model_from_args
from sim.validation import ConfigError

__all__ = ["MEASURES", "cmd_marginal", "marginal_analysis", "scope_mask"]

log = logging.getLogger("callsim")

#: The measures of :func:`marginal_analysis`, in order.
MEASURES = ("service_level_scope", "service_level", "abandoned", "customers_lost",
            "agent_cost", "profit")  # fmt: skip


def scope_mask(model: PlanningModel, interval: str | None = None, day: str | None = None) -> np.ndarray:
    """Rows of the scope: one interval start (``"YYYY-MM-DD HH:MM"``), one date, or all.

    Raises :class:`ConfigError` naming ``--interval``/``--day`` when it matches no interval.
    """
    start = pd.to_datetime(model.forecast.table["start"]).reset_index(drop=True)
    if interval is not None and day is not None:
        raise ConfigError("--interval and --day: give one of them (or neither: the whole plan)")
    if interval is not None:
        try:
            at = pd.Timestamp(interval)
        except ValueError:
            raise ConfigError(f"--interval {interval!r}: must be a date and time like "
                              '"2026-11-30 10:00"', "interval") from None  # fmt: skip
        mask = (start == at).to_numpy()
        name = "--interval"
    elif day is not None:
        try:
            date = pd.Timestamp(day).date()
        except ValueError:
            raise ConfigError(f"--day {day!r}: must be a date like 2026-11-30", "day") from None
        mask = (start.dt.date == date).to_numpy()
        name = "--day"
    else:
        return np.ones(len(start), dtype=bool)
    if not mask.any():
        value = interval if interval is not None else day
        raise ConfigError(f"{name} {value!r}: no open interval of the forecast there (first "
                          f"{start.iloc[0]:%Y-%m-%d %H:%M}, last {start.iloc[-1]:%Y-%m-%d %H:%M})",
                          name.lstrip("-"))  # fmt: skip
    return mask


def _measures(counts: np.ndarray, scope: np.ndarray, agents: np.ndarray, interval_s: float,
              cfg: Config, value_days: float) -> dict[str, np.ndarray]:  # fmt: skip
    """Per replication (counts: reps x rows x 7): the measures before differencing."""
    offered, within, abandoned = counts[..., 0], counts[..., 2], counts[..., 3]
    with np.errstate(invalid="ignore", divide="ignore"):
        sl_scope = within[:, scope].sum(axis=1) / offered[:, scope].sum(axis=1)
        sl = within.sum(axis=1) / offered.sum(axis=1)
    lost = (offered - within).sum(axis=1) * cfg.customers.churn.after_one
    cost = agents.sum() * interval_s / 3600.0 * cfg.economics.agent_cost_per_hour
    profit = -cost - lost * cfg.customers.value_per_day * value_days
    return {"service_level_scope": sl_scope, "service_level": sl,
            "abandoned": abandoned.sum(axis=1), "customers_lost": lost,
            "agent_cost": np.full(counts.shape[0], cost), "profit": profit}  # fmt: skip


def marginal_analysis(
    model: PlanningModel,
    agents: np.ndarray,
    scope: np.ndarray,
    cfg: Config,
    replications: int = 32,
    value_days: float = 365.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired differences of one agent more and one less in ``scope`` (bool per row).

    Returns one row per change (``one more``, ``one less``) and measure (:data:`MEASURES`) with the
    base value, the changed value, the mean difference and its Student-t CI over the
    replications (common random numbers: the differences are sharp), and ``agents_changed``
    (interval-agents actually changed: ``-1`` leaves intervals at 0 agents alone).
    """
    if replications < 2:
        raise ValueError(f"replications = {replications}: need >= 2 for an interval")
    base = np.asarray(agents, dtype=np.int64)
    more = base + scope
    less = np.maximum(base - scope, 0)
    counts = model.simulate([base, more, less], range(replications))
    interval_s = model.forecast.interval_s
    m0 = _measures(counts[0], scope, base, interval_s, cfg, value_days)
    tq = float(stats.t.ppf(0.5 + confidence / 2, replications - 1))
    rows = []
    for change, plan, c in (("one more", more, counts[1]), ("one less", less, counts[2])):
        m1 = _measures(c, scope, plan, interval_s, cfg, value_days)
        for name in MEASURES:
            d = m1[name] - m0[name]
            half = tq * d.std(ddof=1) / np.sqrt(replications)
            rows.append({"change": change, "measure": name, "base": m0[name].mean(),
                         "changed": m1[name].mean(), "difference": d.mean(),
                         "ci_low": d.mean() - half, "ci_high": d.mean() + half,
                         "agents_changed": int(np.abs(plan - base).sum())})  # fmt: skip
    return pd.DataFrame(rows)


def _text(table: pd.DataFrame) -> str:
    lines = [f"{'change':>8}  {'measure':<20} {'base':>14} {'difference':>12}  95% CI"]
    for _, r in table.iterrows():
        pct = r["measure"].startswith("service_level")
        f = (lambda v: f"{100 * v:+.2f} pt") if pct else (lambda v: f"{v:+,.1f}")
        b = f"{100 * r['base']:.2f}%" if pct else f"{r['base']:,.1f}"
        lines.append(f"{r['change']:>8}  {r['measure']:<20} {b:>14} {f(r['difference']):>12}  "
                     f"{f(r['ci_low'])} to {f(r['ci_high'])}")  # fmt: skip
    return "\n".join(lines)


def cmd_marginal(argv: list[str] | None = None) -> Path:
    """Run ``callsim marginal``; returns the output folder (ConfigError on bad input)."""
    p = argparse.ArgumentParser(prog="callsim marginal", description=__doc__.splitlines()[0])
    add_model_options(p)
    p.add_argument("--interval", help='one interval: its start, e.g. "2026-11-30 10:00"')
    p.add_argument("--day", help="one day: its date, e.g. 2026-11-30 (default: whole plan)")
    p.add_argument("--value-days", type=float, default=365.0,
                   help="days of revenue a lost customer takes away (default 365)")  # fmt: skip
    args = p.parse_args(argv)
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
                 "common random numbers; model: planning", what, int(scope.sum()),
                 args.replications)  # fmt: skip
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
