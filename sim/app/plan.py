"""``callsim plan``: agents per interval from a forecast, by formula, and a shift roster.

    callsim plan --forecast sim/config/yaml/forecast/example_week.csv --shrinkage 0.3 --roster

reads the forecast (:mod:`sim.planning.forecast`; without ``--forecast`` the baseline centre's own
forecast), finds the agents each interval needs by Erlang C, Erlang A and exact M/M/n+G
(:mod:`sim.planning.planner`), grosses them up for shrinkage, optionally turns one method's plan
into shifts at least paid hours (:mod:`sim.planning.roster`), and writes ``results/plan/<stamp>/``:

* ``plan.csv``: the forecast and, per method, net and scheduled agents and the predicted
  service level, abandonment, ASA and occupancy;
* ``roster.csv``, ``roster_intervals.csv`` (with ``--roster``): agents per shift, and
  required vs scheduled agents per interval with over- and under-staffing;
* ``figures/plan.png``: required agents per interval by method (and the roster).

Bad input stops before any computation with one line naming what is wrong (exit 2).
"""

from __future__ import annotations

import argparse
import logging
import shutil
from datetime import datetime
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.config.compose import compose
from sim.config.validation import build_distribution
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.laws.distributions import Distribution, from_spec
from sim.planning.forecast import Forecast, centre_for_forecast, forecast_from_config, read_forecast
from sim.planning.planner import METHODS, PlanTarget, plan_intervals
from sim.planning.profit import profit_curve
from sim.planning.roster import Roster, solve_roster, standard_templates
from sim.planning.simplan import simulate_requirements

__all__ = ["main", "plan_figure"]

log = logging.getLogger("callsim")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="callsim plan", description=__doc__.splitlines()[0])
    p.add_argument("--forecast", type=Path, help="CSV: interval_start, expected_calls, aht_s")
    p.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    p.add_argument("--sl-threshold-s", type=float, default=20.0, help="T, seconds")
    p.add_argument("--sl-target", type=float, default=0.80, help="share answered within T")
    p.add_argument("--max-abandon", type=float, help="cap on the abandonment rate")
    p.add_argument("--max-asa-s", type=float, help="cap on the ASA, seconds")
    p.add_argument("--max-occupancy", type=float, help="cap on occupancy")
    p.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time unavailable")
    p.add_argument("--patience", help="patience law: genesys (default), genesys2020, never, "
                   "or exponential:MEAN_S")  # fmt: skip
    p.add_argument("--roster", action="store_true", help="also solve a shift roster")
    p.add_argument("--roster-method", help="method whose plan the roster covers (default: "
                   "the last of --methods)")  # fmt: skip
    p.add_argument("--simulate", action="store_true", help="also plan by simulation (the "
                   "centre config, with the forecast's calls if --forecast is given)")  # fmt: skip
    p.add_argument("--replications", type=int, default=4, help="replications per simulation")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override of the centre config (as for callsim), repeatable")  # fmt: skip
    p.add_argument("--profit", help="comma-separated multipliers of the plan (e.g. "
                   "0.8,0.9,1,1.1,1.2): profit of each by simulation with the customer loop")  # fmt: skip
    p.add_argument("--out", type=Path, help="output folder (default results/plan/<stamp>)")
    return p


def _patience(text: str | None) -> Distribution:
    if text is None:
        return build_distribution(compose().patience, "patience")
    kind, _, mean = text.partition(":")
    spec: dict[str, object] = {"kind": kind}
    if mean:
        try:
            spec["mean_s"] = float(mean)
        except ValueError:
            raise ConfigError(f"--patience {text!r}: MEAN_S must be a number", "patience") from None
    try:
        return from_spec(spec, "patience")
    except ValueError as exc:
        raise ConfigError(f"--patience {text!r}: {exc}", "patience") from None


def _roster(forecast: Forecast, required: np.ndarray) -> Roster:
    """The cheapest roster of standard shifts (8, 6 and 4 h) covering ``required``."""
    t = forecast.table
    clock_s = (t["start_s"] - t["day"] * 86400.0).to_numpy()
    open_s, close_s = float(clock_s.min()), float(clock_s.max()) + forecast.interval_s
    return solve_roster(
        required,
        t["start_s"].to_numpy(dtype=float),
        forecast.interval_s,
        forecast.days,
        standard_templates(open_s, close_s, step_s=forecast.interval_s),
    )


def _simulated(centre: Config, target: PlanTarget, plan: pd.DataFrame, reps: int) -> pd.DataFrame:
    """The simulation plan, started from the lowest formula plan minus 2 agents."""
    days = centre.run.days
    formula = [c for c in plan.columns if c.endswith("_agents")]
    start = np.maximum(plan[formula].min(axis=1).to_numpy() - 2, 0).reshape(days, -1)
    log.info("simulating: %d replication(s) of %d day(s) per iteration", reps, days)
    result = simulate_requirements(centre, target, start, replications=reps)
    if not result.converged:
        log.warning("simulation plan: not converged after %d iterations", result.iterations)
    agents = result.agents.ravel()
    return pd.DataFrame(
        {
            "simulation_agents": agents,
            "simulation_scheduled": [target.gross(int(a)) for a in agents],
            "simulation_service_level": result.service_level.ravel(),
            "simulation_abandon_rate": result.abandon_rate.ravel(),
        }
    )


def _multipliers(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ConfigError(f"--profit {text!r}: must be numbers, e.g. 0.8,1,1.2", "profit") from None
    if not values or any(not v > 0 for v in values):
        raise ConfigError(f"--profit {text!r}: multipliers must be > 0", "profit")
    return values


def profit_figure(curve: pd.DataFrame, method: str) -> Figure:
    """Profit (with its confidence interval) against the staffing multiplier."""
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    x, y = curve["multiplier"], curve["profit"]
    err = np.vstack([y - curve["profit_ci_low"], curve["profit_ci_high"] - y])
    ax.errorbar(x, y, yerr=err, fmt="k-o", capsize=3, label="profit, 95% CI")
    ax.axvline(1.0, color="tab:red", ls="--", label=f"the {method} service-level plan")
    best = curve.loc[curve["best"]].iloc[0]
    ax.plot([best["multiplier"]], [best["profit"]], "g*", ms=14, label="highest profit")
    ax.set(xlabel="agents, multiple of the plan", ylabel="profit over the horizon (currency)",
           title="Profit against staffing (customer loop on)")  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plan_figure(plan: pd.DataFrame, methods: list[str], roster: Roster | None) -> Figure:
    """Scheduled agents per interval by method, and the roster's agents on duty."""
    fig, ax = plt.subplots(figsize=(13, 4.5), layout="constrained")
    x = np.arange(len(plan))
    styles = {"erlang_c": ("k-", "Erlang C"), "erlang_a": ("b--", "Erlang A"),
              "mmng": ("r:", "M/M/n+G (patience law)"),
              "simulation": ("g-.", "simulation")}  # fmt: skip
    for m in methods:
        style, label = styles[m]
        ax.step(x, plan[f"{m}_scheduled"], style, where="post", label=f"{label}, required")
    if roster is not None:
        ax.step(x, roster.scheduled, color="0.5", lw=3, alpha=0.5, where="post",
                label=f"roster on duty ({roster.paid_hours:,.0f} paid hours)")  # fmt: skip
    ax2 = ax.twinx()
    ax2.bar(x, plan["expected_calls"], width=1.0, align="edge", color="0.9", zorder=0)
    ax2.set_ylabel("forecast calls per interval (bars)")
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    starts = plan.groupby("day").head(1)
    ax.set_xticks(
        starts.index.to_numpy(), [str(d) for d in starts["start"].dt.strftime("%a %d %b")]
    )
    ax.set(xlabel="planning interval (days start at the ticks)", ylabel="agents scheduled")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title("Agents per interval by method, grossed up for shrinkage")
    return fig


def main(argv: list[str] | None = None) -> Path:
    """Run ``callsim plan``; returns the output folder (raises ConfigError on bad input)."""
    args = _parser().parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for m in methods:
        if m not in METHODS:
            raise ConfigError(f"--methods {m!r}: must be among {', '.join(METHODS)}", "methods")
    try:
        target = PlanTarget(args.sl_threshold_s, args.sl_target, args.max_abandon,
                            args.max_asa_s, args.max_occupancy, args.shrinkage)  # fmt: skip
    except ValueError as exc:
        raise ConfigError(f"plan target: {exc}") from None
    multipliers = _multipliers(args.profit) if args.profit else []
    centre = compose(args.set)
    patience = _patience(args.patience)
    forecast = read_forecast(args.forecast) if args.forecast else forecast_from_config(centre)
    if args.forecast and (args.simulate or multipliers):  # simulate the forecast's calls
        centre = centre_for_forecast(forecast, centre)
    log.info("planning %d intervals over %d day(s) by %s", len(forecast.table), forecast.days,
             ", ".join(methods))  # fmt: skip
    req = plan_intervals(forecast.arrival_rate_per_s, forecast.table["aht_s"].to_numpy(), target,
                         methods, patience)  # fmt: skip
    plan = pd.concat([forecast.table.reset_index(drop=True), req], axis=1)
    if args.simulate:
        methods = [*methods, "simulation"]
        plan = pd.concat([plan, _simulated(centre, target, plan, args.replications)], axis=1)
    roster = None
    if args.roster:
        method = args.roster_method or methods[-1]
        if method not in methods:
            raise ConfigError(f"--roster-method {method!r}: must be one of --methods", "methods")
        roster = _roster(forecast, plan[f"{method}_scheduled"].to_numpy())
    curve = None
    if multipliers:
        last = methods[-1]
        base = plan[f"{last}_agents"].to_numpy().reshape(centre.run.days, -1)
        log.info("profit curve around the %s plan: multipliers %s", last, multipliers)
        curve = profit_curve(centre, base, multipliers, args.replications)
    out = args.out or Path("results") / "plan" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "figures").mkdir(parents=True)
    try:
        plan.to_csv(partial / "plan.csv", index=False)
        if roster is not None:
            roster.table().to_csv(partial / "roster.csv", index=False)
            roster.intervals().to_csv(partial / "roster_intervals.csv", index=False)
        fig = plan_figure(plan, methods, roster)
        fig.savefig(partial / "figures" / "plan.png", dpi=110)
        plt.close(fig)
        if curve is not None:
            curve.to_csv(partial / "profit.csv", index=False)
            fig = profit_figure(curve, methods[-1])
            fig.savefig(partial / "figures" / "profit.png", dpi=110)
            plt.close(fig)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    for m in methods:
        log.info("%-9s %8.0f agent-hours scheduled (peak %d agents)", m,
                 plan[f"{m}_scheduled"].sum() * forecast.interval_s / 3600.0,
                 plan[f"{m}_scheduled"].max())  # fmt: skip
    if roster is not None:
        log.info("roster    %8.0f paid hours, %d shifts, under-staffed intervals: %d",
                 roster.paid_hours, int(roster.counts.sum()), int((roster.under > 0).sum()))  # fmt: skip
    if curve is not None:
        best = curve.loc[curve["best"]].iloc[0]
        plan_row = curve.loc[np.isclose(curve["multiplier"], 1.0)]
        log.info("profit: best at %.2f x the plan (%.0f, 95%% CI %.0f to %.0f)",
                 best["multiplier"], best["profit"], best["profit_ci_low"], best["profit_ci_high"])  # fmt: skip
        if len(plan_row):
            log.info("profit of the plan itself: %.0f", float(plan_row["profit"].iloc[0]))
    log.info("plan: %s", out)
    return out
