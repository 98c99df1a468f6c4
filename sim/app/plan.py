"""``callsim plan``: agents per interval from a forecast, by formula and by simulation.

    callsim plan --forecast configs/forecast/example_week.csv --shrinkage 0.3 --roster

reads the forecast (:mod:`sim.forecast`; without ``--forecast`` the centre's own), finds
the agents each interval needs by Erlang C, Erlang A and exact M/M/n+G with the
configured patience law (:mod:`sim.planformulas`), optionally by simulation of the
planning model (``--simulate``, :mod:`sim.simplan`), grosses them up for shrinkage,
optionally turns one method's plan into shifts (:mod:`sim.roster`), and writes
``results/plan/<stamp>/`` (or ``--out``):

* ``plan.csv``: the forecast and, per method, net and scheduled agents and the predicted
  service level, abandonment, ASA and occupancy (simulation: with confidence intervals,
  ``simulation_met`` and ``simulation_unclear``);
* ``roster.csv``, ``roster_intervals.csv`` (with ``--roster``);
* ``profit.csv``, ``figures/profit.png`` (with ``--profit``);
* ``figures/plan.png``: required agents per interval by method (and the roster).

The centre is the **planning model** (``model=planning``: the forecast is offered calls,
its AHT is the handle time, research layers off) unless ``--model research``; the
output says which. Bad input stops before any computation with one line naming what is
wrong (exit 2).
"""

from __future__ import annotations

import argparse
import dataclasses
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
from sim.planning.forecast import Forecast, centre_for_forecast, forecast_from_config, read_forecast
from sim.planning.plan_table import plan_for_spreadsheet
from sim.planning.planformulas import formula_plan
from sim.planning.planmodel import planning_model
from sim.planning.planner import METHODS, PlanTarget
from sim.planning.profit import economics_text, profit_curve, profit_figure, profit_warnings
from sim.planning.roster import Roster, ShiftTemplate, solve_roster, standard_templates
from sim.planning.simplan import simulate_requirements

__all__ = ["main", "plan_figure"]

log = logging.getLogger("callsim")


#: Patience laws ``--patience`` takes (config group ``patience``), ``exponential:MEAN_S`` too.
PATIENCE_CHOICES = ("genesys", "genesys2020", "never", "exponential")


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
                   "or exponential:MEAN_S; the same for the formulas and the simulation")  # fmt: skip
    p.add_argument("--model", choices=("planning", "research"), default="planning",
                   help="planning (default): the forecast is offered calls with its AHT, "
                   "research layers off; research: callsim's default model")  # fmt: skip
    p.add_argument("--roster", action="store_true", help="also solve a shift roster")
    p.add_argument("--roster-method", help="method whose plan the roster covers (default: "
                   "the last of --methods)")  # fmt: skip
    p.add_argument("--simulate", action="store_true", help="also plan by simulation of the "
                   "planning model (the forecast's calls and AHT per interval)")  # fmt: skip
    p.add_argument("--replications", type=int, default=16, help="replications per simulation "
                   "round (the search doubles them up to --max-replications)")  # fmt: skip
    p.add_argument("--max-replications", type=int, default=128,
                   help="cap on the replications of the simulation plan")  # fmt: skip
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override of the centre config (as for callsim), repeatable")  # fmt: skip
    p.add_argument("--profit", help="comma-separated multipliers of the plan (e.g. "
                   "0.8,0.9,1,1.1,1.2): profit of each by simulation of the research model "
                   "with the customer loop")  # fmt: skip
    p.add_argument("--out", type=Path, help="output folder (default results/plan/<stamp>); "
                   "must not exist or be empty unless --overwrite")  # fmt: skip
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    return p


def patience_overrides(text: str | None) -> list[str]:
    """Config overrides for ``--patience`` (``[]`` without it); ConfigError if bad."""
    if text is None:
        return []
    kind, _, mean = text.partition(":")
    if kind not in PATIENCE_CHOICES:
        raise ConfigError(f"--patience {text!r}: must be one of {', '.join(PATIENCE_CHOICES)} "
                          "(exponential:MEAN_S with a mean in seconds)", "patience")  # fmt: skip
    if kind != "exponential":
        if mean:
            raise ConfigError(f"--patience {text!r}: only exponential takes a mean", "patience")
        return [f"patience={kind}"]
    try:
        value = float(mean) if mean else 180.0
    except ValueError:
        raise ConfigError(f"--patience {text!r}: MEAN_S must be a number", "patience") from None
    if not (np.isfinite(value) and value > 0):
        raise ConfigError(f"--patience {text!r}: MEAN_S must be a number > 0", "patience")
    return ["patience=exponential", f"patience.mean_s={value!r}"]


def patience_text(cfg: Config) -> str:
    """The configured patience law in a few words: ``genesys``, ``exponential, mean 30 s``."""
    p = cfg.patience
    mean_s = getattr(p, "mean_s", None)  # the kinds given by their mean
    return f"{p.kind}, mean {mean_s:g} s" if mean_s is not None else p.kind


def centre_config(args: argparse.Namespace, model: str | None = None) -> Config:
    """The centre of ``callsim plan``: ``model=<model>``, then --patience, then --set."""
    overrides = list(args.set)
    if not any(o.lstrip("+~").startswith("model=") for o in overrides):
        overrides.insert(0, f"model={model or args.model}")
    return compose([*overrides, *patience_overrides(args.patience)])


def _templates(forecast: Forecast) -> list[ShiftTemplate]:
    """The standard shifts (8, 6 and 4 h) fitting the forecast's opening hours; checked
    before any computation (ConfigError naming ``--roster`` when none fits)."""
    t = forecast.table
    clock_s = (t["start_s"] - t["day"] * 86400.0).to_numpy()
    open_s, close_s = float(clock_s.min()), float(clock_s.max()) + forecast.interval_s
    try:
        return standard_templates(open_s, close_s, step_s=forecast.interval_s)
    except ValueError as exc:
        raise ConfigError(f"--roster: {exc}", "roster") from None


def _roster(forecast: Forecast, required: np.ndarray, templates: list[ShiftTemplate]) -> Roster:
    """The cheapest roster of ``templates`` covering ``required``."""
    try:
        return solve_roster(required, forecast.table["start_s"].to_numpy(dtype=float),
                            forecast.interval_s, forecast.days, templates)  # fmt: skip
    except ValueError as exc:
        raise ConfigError(f"--roster: {exc}", "roster") from None


def _simulated(centre: Config, forecast: Forecast, target: PlanTarget, plan: pd.DataFrame,
               args: argparse.Namespace) -> pd.DataFrame:  # fmt: skip
    """The simulation plan, started from the M/M/n+G (else the last formula) plan."""
    model = planning_model(centre, forecast, target.sl_threshold_s)
    formula = [c for c in plan.columns if c.endswith("_agents")]
    first = "mmng_agents" if "mmng_agents" in formula else formula[-1]
    log.info("simulating the planning model: %d intervals, %d to %d replications per round",
             model.n_intervals, args.replications, args.max_replications)  # fmt: skip
    result = simulate_requirements(
        model, target, plan[first].to_numpy(), args.replications, args.max_replications
    )
    if not result.converged:
        log.warning("simulation plan: not converged after %d rounds", result.iterations)
    k = result.kpis
    cols = {"simulation_agents": result.agents,
            "simulation_scheduled": [target.gross(int(a)) for a in result.agents]}  # fmt: skip
    for name in ("service_level", "abandon_rate", "asa_s", "occupancy"):
        for suffix in ("", "_ci_low", "_ci_high"):
            cols[f"simulation_{name}{suffix}"] = k[name + suffix].to_numpy()
    cols["simulation_met"] = k["met"].to_numpy()
    cols["simulation_unclear"] = result.unclear
    log.info("simulation plan: %d replications, %d rounds; %d interval(s) within noise of "
             "the target", result.replications, result.iterations, int(result.unclear.sum()))  # fmt: skip
    return pd.DataFrame(cols)


def _multipliers(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ConfigError(f"--profit {text!r}: must be numbers, e.g. 0.8,1,1.2", "profit") from None
    if not values or any(not v > 0 for v in values):
        raise ConfigError(f"--profit {text!r}: multipliers must be > 0", "profit")
    return values


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


def output_folder(out: Path | None, overwrite: bool, kind: str = "plan") -> Path:
    """The output folder, checked before any work: a non-empty existing ``out`` needs
    ``overwrite`` (ConfigError naming ``--out`` otherwise)."""
    if out is None:
        return Path("results") / kind / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {str(out)!r}: exists and is not a folder", "out")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise ConfigError(f"--out {str(out)!r}: the folder exists and is not empty; give "
                          "another folder or --overwrite to replace it", "out")  # fmt: skip
    return out


def publish(partial: Path, out: Path) -> None:
    """Move the finished ``partial`` folder to ``out``, replacing an old ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    partial.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _write(out: Path, plan: pd.DataFrame, methods: list[str], roster: Roster | None,
           curve: pd.DataFrame | None, interval_s: float) -> None:  # fmt: skip
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "figures").mkdir(parents=True)
    try:
        # dates, 1-based days, clock times, rounded numbers (sim.planning.plan_table)
        plan_for_spreadsheet(plan, interval_s).to_csv(partial / "plan.csv", index=False)
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
        publish(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _target(args: argparse.Namespace) -> PlanTarget:
    try:
        return PlanTarget(args.sl_threshold_s, args.sl_target, args.max_abandon,
                          args.max_asa_s, args.max_occupancy, args.shrinkage)  # fmt: skip
    except ValueError as exc:
        raise ConfigError(f"plan target: {exc}") from None


def _profit(args: argparse.Namespace, forecast: Forecast, plan: pd.DataFrame, method: str,
            multipliers: list[float]) -> pd.DataFrame:  # fmt: skip
    """The profit curve on the research model (customer loop), around ``method``'s plan."""
    research = centre_config(args, "research")
    if args.forecast:
        research = centre_for_forecast(forecast, research)
    else:
        research = dataclasses.replace(research, run=dataclasses.replace(research.run,
                                                                          days=forecast.days))  # fmt: skip
    for line in profit_warnings(research):
        log.warning("profit: %s", line)
    log.info("profit: %s", economics_text(research))
    base = plan[f"{method}_agents"].to_numpy().reshape(forecast.days, -1)
    log.info("profit curve around the %s plan: multipliers %s", method, multipliers)
    try:
        return profit_curve(research, base, multipliers, max(2, min(args.replications, 8)))
    except ValueError as exc:
        raise ConfigError(f"--profit: {exc}", "profit") from None


def main(argv: list[str] | None = None) -> Path:
    """Run ``callsim plan``; returns the output folder (raises ConfigError on bad input)."""
    args = _parser().parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for m in methods:
        if m not in METHODS:
            raise ConfigError(f"--methods {m!r}: must be among {', '.join(METHODS)}", "methods")
    target = _target(args)
    if not 2 <= args.replications <= args.max_replications:
        raise ConfigError(f"--replications {args.replications}: must be >= 2 and <= "
                          f"--max-replications ({args.max_replications})", "replications")  # fmt: skip
    if args.roster_method and args.roster_method not in [*methods, "simulation"]:
        raise ConfigError(f"--roster-method {args.roster_method!r}: must be one of --methods",
                          "methods")  # fmt: skip
    out = output_folder(args.out, args.overwrite)
    multipliers = _multipliers(args.profit) if args.profit else []
    centre = centre_config(args)
    patience = build_distribution(centre.patience, "patience")
    forecast = read_forecast(args.forecast) if args.forecast else forecast_from_config(centre)
    if args.simulate:
        planning_model(centre, forecast, target.sl_threshold_s)  # refuses before any work
    templates = _templates(forecast) if args.roster else []
    log.info("model: %s (%s); patience: %s", args.model,
             "the forecast is offered calls, its aht_s the handle time, research layers off"
             if args.model == "planning" else "callsim's research model",
             patience_text(centre))  # fmt: skip
    log.info("planning %d intervals over %d day(s) by %s", len(forecast.table), forecast.days,
             ", ".join(methods))  # fmt: skip
    req = formula_plan(forecast.arrival_rate_per_s, forecast.table["aht_s"].to_numpy(), target,
                       methods, patience)  # fmt: skip
    plan = pd.concat([forecast.table.reset_index(drop=True), req], axis=1)
    plan.insert(list(plan.columns).index("aht_s") + 1, "interval_min", forecast.interval_s / 60.0)
    if args.simulate:
        methods = [*methods, "simulation"]
        plan = pd.concat([plan, _simulated(centre, forecast, target, plan, args)], axis=1)
    roster = None
    if args.roster:
        required = plan[f"{args.roster_method or methods[-1]}_scheduled"].to_numpy()
        roster = _roster(forecast, required, templates)
    curve = _profit(args, forecast, plan, methods[-1], multipliers) if multipliers else None
    _write(out, plan, methods, roster, curve, forecast.interval_s)
    for m in methods:
        log.info("%-10s %8.0f agent-hours scheduled (peak %d agents)", m,
                 plan[f"{m}_scheduled"].sum() * forecast.interval_s / 3600.0,
                 plan[f"{m}_scheduled"].max())  # fmt: skip
    if roster is not None:
        log.info("roster     %8.0f paid hours, %d shifts, under-staffed intervals: %d",
                 roster.paid_hours, int(roster.counts.sum()), int((roster.under > 0).sum()))  # fmt: skip
    if curve is not None:
        for line in curve_summary(curve):
            log.info("profit: %s", line)
    log.info("plan: %s", out)
    return out


def curve_summary(curve: pd.DataFrame) -> list[str]:
    """Lines on the profit curve: the best multiplier only when its CI stands apart."""
    best = curve.iloc[int(curve["profit"].to_numpy().argmax())]
    lines = [f"highest mean profit at {best['multiplier']:.2f} x the plan ({best['profit']:,.0f}, "
             f"95% CI {best['profit_ci_low']:,.0f} to {best['profit_ci_high']:,.0f})"]  # fmt: skip
    if curve["best"].any():
        lines.append("its confidence interval is clear of every other multiplier's: best")
    else:
        lines.append("its confidence interval overlaps another multiplier's: no best can be "
                     "named (more replications or a longer horizon)")  # fmt: skip
    row = curve.loc[np.isclose(curve["multiplier"], 1.0)]
    if len(row):
        lines.append(f"profit of the plan itself: {float(row['profit'].iloc[0]):,.0f}")
    return lines
