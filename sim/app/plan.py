"""``callsim plan``: agents per interval from a forecast, by formula and by simulation.

    callsim plan --forecast sim/config/yaml/forecast/example_week.csv --shrinkage 0.3 --roster

reads the forecast (:mod:`sim.planning.forecast`, with the reading options of
:mod:`sim.app.plan_inputs`; without ``--forecast`` the centre's own), finds the agents
each interval needs by Erlang C, Erlang A and exact M/M/n+G with the configured patience
law (:mod:`sim.planning.planformulas`), optionally by simulation of the planning model
(``--simulate``, :mod:`sim.planning.simplan`), grosses them up for shrinkage, optionally
turns one method's plan into a weekly roster of named agents with days off
(``--roster``, :mod:`sim.planning.tours`), and writes ``results/plan/<stamp>/`` (or
``--out``):

* ``plan.csv``: the forecast and, per method, net and scheduled agents and the predicted
  service level, abandonment, ASA and occupancy (simulation: with confidence intervals,
  ``simulation_met`` and ``simulation_unclear``);
* ``roster.csv`` (one row per agent and working day: the file ``callsim simulate-plan``
  takes), ``roster_agents.csv``, ``roster_cover.csv``, ``roster_summary.json`` (with
  ``--roster``);
* ``profit.csv``, ``figures/profit.png`` (with ``--profit``: the planning model too);
* ``figures/plan.png``: required agents per interval by method (and the roster);
* ``centre.json``: the centre planned (scenario, ``--set``, ``--patience``, ``--model``,
  ``--config-dir``), which ``simulate-plan`` and ``marginal`` on the folder simulate
  (:mod:`sim.app.plan_centre`).

The centre is the **planning model** (``model=planning``: the forecast is offered calls,
its AHT is the handle time, research layers off) unless ``--model research``; the
output says which. Bad input stops before any computation with one line naming what is
wrong (exit 2).

A centre with callbacks of one inbound type and one agent group
(``scenario=callback_offered``, :func:`sim.planning.callbackmodel.is_callback_queue`)
takes this route too: the formulas plan the inbound calls of the centre's own forecast
on one pool (the callbacks' work is in it), and ``--simulate`` and ``--profit`` simulate
the centre with the engine (:class:`~sim.planning.callbackmodel.CallbackModel`), whose
agents serve the callbacks; the folder also gets ``plan/planned.yaml`` (the last
method's agents as ``staffing.agents``, for ``+plan=planned``). ``--forecast`` is
refused there. Other multi-skill centres go to :mod:`sim.app.plan_groups`.
"""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.app.plan_centre import record_centre
from sim.app.plan_groups import (
    GROUP_REPLICATIONS,
    plan_groups,
    planned_command,
    write_planned_yaml,
)
from sim.app.plan_inputs import (
    add_config_dir,
    add_forecast_options,
    centre_config,
    forecast_from_args,
    output_folder,
    patience_text,
    publish,
    refuse_forecast_options,
)
from sim.config.scenario import Scenario
from sim.config.skills import is_multi
from sim.config.validation import build_distribution, load_scenario
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.planning.callbackmodel import callback_model, is_callback_queue
from sim.planning.forecast import Forecast, forecast_from_config
from sim.planning.groupmodel import group_model
from sim.planning.plan_table import plan_for_spreadsheet
from sim.planning.planformulas import formula_plan
from sim.planning.planmodel import PlanningModel, QueueModel, planning_model
from sim.planning.planner import METHODS, PlanTarget
from sim.planning.profit import (
    planning_economics_text,
    planning_profit_curve,
    planning_profit_warnings,
    profit_figure,
)
from sim.planning.simplan import simulate_requirements
from sim.planning.skillformulas import START_RULES
from sim.planning.tours import (
    DEFAULT_CONTRACTS,
    Contract,
    TourRoster,
    check_tours_cover,
    parse_contracts,
    tours_for_forecast,
    write_tours,
)

__all__ = ["CALLBACK_REPLICATIONS", "SINGLE_REPLICATIONS", "main", "parser", "plan_figure"]

log = logging.getLogger("callsim")

#: Default first and largest replications of the simulation plan of one queue
#: (``--replications``, ``--max-replications`` not given; ``--profit`` takes the first).
SINGLE_REPLICATIONS = (16, 128)

#: Default first and largest replications of the simulation plan of a centre with
#: callbacks: the engine runs each replication, about 34 times the planning model's CPU
#: time (callback_offered, a week, 3 plans x 8 replications: 1.03 s against 0.03 s).
CALLBACK_REPLICATIONS = (8, 32)


def parser() -> argparse.ArgumentParser:
    """The options of ``callsim plan``."""
    p = argparse.ArgumentParser(prog="callsim plan", description=__doc__.splitlines()[0])
    p.add_argument("--forecast", type=Path, help="forecast file, CSV or .xlsx: "
                   "interval_start, expected_calls, aht_s per interval")  # fmt: skip
    add_forecast_options(p)
    p.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    p.add_argument("--sl-threshold-s", type=float, help="T, seconds (default 20)")
    p.add_argument("--sl-target", type=float, help="share answered within T (default 0.80)")
    p.add_argument("--max-abandon", type=float, help="cap on the abandonment rate")
    p.add_argument("--max-asa-s", type=float, help="cap on the ASA, seconds")
    p.add_argument("--max-occupancy", type=float, help="cap on occupancy")
    p.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time unavailable")
    p.add_argument("--patience", help="patience law: genesys (default), genesys2020, never, "
                   "or exponential:MEAN_S; the same for the formulas and the simulation")  # fmt: skip
    p.add_argument("--model", choices=("planning", "research"), default="planning",
                   help="planning (default): the forecast is offered calls with its AHT, "
                   "research layers off; research: callsim's default model")  # fmt: skip
    p.add_argument("--roster", action="store_true", help="also solve a weekly roster of "
                   "named agents (tours with days off) covering the plan")  # fmt: skip
    p.add_argument("--roster-method", help="method whose plan the roster covers (default: "
                   "the last of --methods)")  # fmt: skip
    p.add_argument("--contracts", help="roster contracts NAME=DAYSxHOURS[:part][:max=N],... "
                   f"(default {DEFAULT_CONTRACTS})")  # fmt: skip
    p.add_argument("--seats", type=int, help="roster: cap on agents in the building in any "
                   "interval, breaks included")  # fmt: skip
    p.add_argument("--max-part-time-share", type=float, help="roster: cap on the share of "
                   "part-time agents in the headcount, in [0, 1]")  # fmt: skip
    p.add_argument("--simulate", action="store_true", help="also plan by simulation of the "
                   "planning model (the forecast's calls and AHT per interval)")  # fmt: skip
    (first, top), (g_first, g_top) = SINGLE_REPLICATIONS, GROUP_REPLICATIONS
    c_first, c_top = CALLBACK_REPLICATIONS
    p.add_argument("--replications", type=int, help="replications per simulation round "
                   "(the search doubles them up to --max-replications) and of --profit; "
                   f"default {first} for one queue, {c_first} for a centre with callbacks (the "
                   f"engine runs them), {g_first} for several groups")  # fmt: skip
    p.add_argument("--max-replications", type=int, help="cap on the replications of the "
                   f"simulation plan; default {top} for one queue, {c_top} for a centre with "
                   f"callbacks, {g_top} for several groups")  # fmt: skip
    p.add_argument("--group-start", choices=START_RULES, default="pooled",
                   help="several groups: the search starts from the pooled formula total "
                   "split over the groups (pooled, default) or the dedicated per-type "
                   "requirements (dedicated)")  # fmt: skip
    p.add_argument("--group-cost", metavar="GROUP=COST,...", help="several groups: cost of "
                   "an agent of each group, relative (default 1 each)")  # fmt: skip
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override of the centre config (as for callsim), repeatable")  # fmt: skip
    add_config_dir(p)
    p.add_argument("--profit", help="comma-separated multipliers of the plan (e.g. "
                   "0.8,0.9,1,1.1,1.2): profit of each by simulation of the planning model "
                   "(agent cost and customers lost)")  # fmt: skip
    p.add_argument("--value-days", type=float, default=365.0,
                   help="--profit: days of revenue a lost customer takes away")  # fmt: skip
    p.add_argument("--out", type=Path, help="output folder (default results/plan/<stamp>); "
                   "must not exist or be empty unless --overwrite")  # fmt: skip
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    return p


def _roster_options(args: argparse.Namespace) -> list[Contract]:
    """The roster's contracts, checked before any work (``[]`` without ``--roster``)."""
    if not args.roster:
        for name in ("contracts", "seats", "max_part_time_share"):
            if getattr(args, name) is not None:
                flag = "--" + name.replace("_", "-")
                raise ConfigError(f"{flag} {getattr(args, name)!r}: a roster option; give "
                                  "--roster too", name)  # fmt: skip
        return []
    if args.seats is not None and args.seats < 1:
        raise ConfigError(f"--seats {args.seats}: must be a whole number >= 1", "seats")
    share = args.max_part_time_share
    if share is not None and not 0.0 <= share <= 1.0:
        raise ConfigError(f"--max-part-time-share {share!r}: must be in [0, 1]",
                          "max_part_time_share")  # fmt: skip
    return parse_contracts(args.contracts or DEFAULT_CONTRACTS, "--contracts")


def _roster(args: argparse.Namespace, forecast: Forecast, required: np.ndarray,
            contracts: list[Contract]) -> TourRoster:  # fmt: skip
    """The cheapest weekly roster covering ``required`` (scheduled agents per row)."""
    if args.seats is not None and required.max(initial=0) > args.seats:
        k = int(np.argmax(required))
        raise ConfigError(f"--seats {args.seats}: the plan needs {int(required[k])} agents on "
                          f"the phone at {forecast.table['start'].iloc[k]:%a %Y-%m-%d %H:%M}, "
                          "more than the seats (and agents on a break keep theirs)", "seats")  # fmt: skip
    return tours_for_forecast(forecast, required.astype(np.int64), contracts, seats=args.seats,
                              max_part_time_share=args.max_part_time_share)  # fmt: skip


def _simulated(model: QueueModel, target: PlanTarget, plan: pd.DataFrame,
               args: argparse.Namespace) -> pd.DataFrame:  # fmt: skip
    """The simulation plan, started from the M/M/n+G (else the last formula) plan."""
    formula = [c for c in plan.columns if c.endswith("_agents")]
    first = "mmng_agents" if "mmng_agents" in formula else formula[-1]
    log.info("simulating the %s: %d intervals, %d to %d replications per round",
             "planning model" if isinstance(model, PlanningModel) else "centre with callbacks",
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


def plan_figure(plan: pd.DataFrame, methods: list[str], roster: TourRoster | None) -> Figure:
    """Scheduled agents per interval by method, and the roster's agents on the phone."""
    fig, ax = plt.subplots(figsize=(13, 4.5), layout="constrained")
    x = np.arange(len(plan))
    styles = {"erlang_c": ("k-", "Erlang C"), "erlang_a": ("b--", "Erlang A"),
              "mmng": ("r:", "M/M/n+G (patience law)"),
              "simulation": ("g-.", "simulation")}  # fmt: skip
    for m in methods:
        style, label = styles[m]
        ax.step(x, plan[f"{m}_scheduled"], style, where="post", label=f"{label}, required")
    if roster is not None:
        ax.step(x, roster.on_phone, color="0.5", lw=3, alpha=0.5, where="post",
                label=f"roster on the phone ({roster.headcount} agents, "
                f"{roster.paid_hours:,.0f} paid hours)")  # fmt: skip
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


def _write(out: Path, args: argparse.Namespace, plan: pd.DataFrame, methods: list[str],
           roster: TourRoster | None, curve: pd.DataFrame | None, interval_s: float,
           callbacks: Scenario | None = None) -> None:  # fmt: skip
    """The output folder, with ``centre.json`` (the centre of ``args``,
    :func:`~sim.app.plan_centre.record_centre`); with ``callbacks`` (the centre's
    scenario) also ``plan/planned.yaml``: the last method's net agents as
    ``staffing.agents``."""
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "figures").mkdir(parents=True)
    try:
        # dates, 1-based days, clock times, rounded numbers (sim.planning.plan_table)
        plan_for_spreadsheet(plan, interval_s).to_csv(partial / "plan.csv", index=False)
        record_centre(partial, args)
        if roster is not None:
            write_tours(roster, partial)
        if callbacks is not None:
            net = plan[f"{methods[-1]}_agents"].to_numpy(np.int64)[None, :]
            write_planned_yaml(group_model(callbacks), net, partial / "plan" / "planned.yaml")
        fig = plan_figure(plan, methods, roster)
        fig.savefig(partial / "figures" / "plan.png", dpi=110)
        plt.close(fig)
        if curve is not None:
            shares = [c for c in curve.columns if c.startswith("service_level")]
            curve.round(2).assign(**{c: curve[c].round(4) for c in shares}).to_csv(
                partial / "profit.csv", index=False
            )  # currency and calls 2 decimals
            fig = profit_figure(curve, methods[-1], "planning model")
            fig.savefig(partial / "figures" / "profit.png", dpi=110)
            plt.close(fig)
        publish(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _target(args: argparse.Namespace) -> PlanTarget:
    threshold = 20.0 if args.sl_threshold_s is None else args.sl_threshold_s
    share = 0.80 if args.sl_target is None else args.sl_target
    try:
        return PlanTarget(threshold, share, args.max_abandon,
                          args.max_asa_s, args.max_occupancy, args.shrinkage)  # fmt: skip
    except ValueError as exc:
        raise ConfigError(f"plan target: {exc}") from None


def _profit(args: argparse.Namespace, centre: Config, model: QueueModel, plan: pd.DataFrame,
            method: str, multipliers: list[float], sl_target: float) -> pd.DataFrame:  # fmt: skip
    """The profit curve on the planning model, around ``method``'s plan."""
    log.info("profit: %s", planning_economics_text(centre, args.value_days))
    log.info("profit curve around the %s plan: multipliers %s, %d replications (common "
             "random numbers)", method, multipliers, args.replications)  # fmt: skip
    curve = planning_profit_curve(model, plan[f"{method}_agents"].to_numpy(), multipliers,
                                  centre, args.replications, args.value_days)  # fmt: skip
    for line in planning_profit_warnings(curve, sl_target, args.value_days):
        log.warning("profit: %s", line)
    return curve


def _check_args(args: argparse.Namespace) -> list[str]:
    """The methods, after every option is checked (ConfigError before any work)."""
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for m in methods:
        if m not in METHODS:
            raise ConfigError(f"--methods {m!r}: must be among {', '.join(METHODS)}", "methods")
    if not methods:
        raise ConfigError(f"--methods {args.methods!r}: give at least one method", "methods")
    return methods




def _check_callback_args(args: argparse.Namespace) -> None:
    """Refuse a forecast file on a centre with callbacks (ConfigError, one line)."""
    refuse_forecast_options(args, "its simulation runs the engine on the centre's own "
                            "forecast (center.volume_per_day and profile, or "
                            "center.expected_calls)")  # fmt: skip


def _check_single_args(args: argparse.Namespace, callbacks: bool = False) -> None:
    """The single-queue options (defaults filled in), checked before any work."""
    first, top = CALLBACK_REPLICATIONS if callbacks else SINGLE_REPLICATIONS
    args.replications = args.replications or first
    args.max_replications = args.max_replications or max(top, args.replications)
    if args.group_cost is not None:
        raise ConfigError(f"--group-cost {args.group_cost!r}: the centre has one agent group",
                          "group_cost")  # fmt: skip
    if not 2 <= args.replications <= args.max_replications:
        raise ConfigError(f"--replications {args.replications}: must be >= 2 and <= "
                          f"--max-replications ({args.max_replications})", "replications")  # fmt: skip
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if args.roster_method and args.roster_method not in [*methods, "simulation"]:
        raise ConfigError(f"--roster-method {args.roster_method!r}: must be one of --methods",
                          "methods")  # fmt: skip
    if args.roster_method == "simulation" and not args.simulate:
        raise ConfigError("--roster-method 'simulation': needs --simulate", "methods")
    if not args.value_days >= 0:
        raise ConfigError(f"--value-days {args.value_days!r}: must be >= 0", "value-days")


def main(argv: list[str] | None = None) -> Path:
    """Run ``callsim plan``; returns the output folder (raises ConfigError on bad input)."""
    args = parser().parse_args(argv)
    methods = _check_args(args)
    out = output_folder(args.out, args.overwrite)
    centre = centre_config(args)
    scenario = load_scenario(centre)
    callbacks = is_callback_queue(scenario)
    if is_multi(scenario.call_types, scenario.agent_groups) and not callbacks:
        return plan_groups(args, scenario, methods, out)
    if callbacks:
        _check_callback_args(args)
    _check_single_args(args, callbacks)
    target = _target(args)
    multipliers = _multipliers(args.profit) if args.profit else []
    contracts = _roster_options(args)
    patience = build_distribution(centre.patience, "patience")
    forecast = forecast_from_args(args) or forecast_from_config(centre)
    model = _model(scenario, forecast, target, callbacks, args.simulate or bool(multipliers))
    if contracts:
        check_tours_cover(forecast, forecast.table["expected_calls"].to_numpy() > 0, contracts)
    log.info("model: %s (%s); patience: %s", args.model,
             "the forecast is offered calls, its aht_s the handle time, research layers off"
             if args.model == "planning" else "callsim's research model",
             patience_text(centre))  # fmt: skip
    log.info("planning %d intervals over %d day(s) by %s%s", len(forecast.table), forecast.days,
             ", ".join(methods), f"; queue {args.queue}" if args.queue else "")  # fmt: skip
    req = formula_plan(forecast.arrival_rate_per_s, forecast.table["aht_s"].to_numpy(), target,
                       methods, patience)  # fmt: skip
    plan = pd.concat([forecast.table.reset_index(drop=True), req], axis=1)
    plan.insert(list(plan.columns).index("aht_s") + 1, "interval_min", forecast.interval_s / 60.0)
    if args.queue:
        plan.insert(list(plan.columns).index("expected_calls"), "queue", args.queue)
    if args.simulate and model is not None:
        methods = [*methods, "simulation"]
        plan = pd.concat([plan, _simulated(model, target, plan, args)], axis=1)
    roster = None
    if contracts:
        required = plan[f"{args.roster_method or methods[-1]}_scheduled"].to_numpy()
        roster = _roster(args, forecast, required, contracts)
    curve = None
    if multipliers and model is not None:
        curve = _profit(args, centre, model, plan, methods[-1], multipliers, target.sl_target)
    _write(out, args, plan, methods, roster, curve, forecast.interval_s,
           scenario if callbacks else None)
    _log_result(plan, methods, roster, curve, forecast.interval_s)
    if callbacks:
        log.info("simulate the centre with the %s plan: %s", methods[-1],
                 planned_command(out, args))  # fmt: skip
    log.info("plan: %s", out)
    return out


def _model(scenario: Scenario, forecast: Forecast, target: PlanTarget, callbacks: bool,
           needed: bool) -> QueueModel | None:  # fmt: skip
    """The model the simulation plan and the profit curve run (None when not ``needed``):
    the planning model, or with callbacks the engine (:mod:`sim.planning.callbackmodel`).
    Refuses a research layer before any work."""
    if callbacks:
        log.info(
            "callbacks on (%s): the formulas plan the inbound calls on one pool (the "
            "callbacks' work is in the forecast); the simulation runs the engine, whose "
            "agents serve the callbacks too (docs/background/plan-groups.md)",
            ", ".join(t.name for t in scenario.call_types if t.callback_of is not None),
        )
    if not needed:
        return None
    if callbacks:
        return callback_model(scenario, forecast, target.sl_threshold_s)
    return planning_model(scenario.config, forecast, target.sl_threshold_s)


def _log_result(plan: pd.DataFrame, methods: list[str], roster: TourRoster | None,
                curve: pd.DataFrame | None, interval_s: float) -> None:  # fmt: skip
    for m in methods:
        log.info("%-10s %8.0f agent-hours scheduled (peak %d agents)", m,
                 plan[f"{m}_scheduled"].sum() * interval_s / 3600.0,
                 plan[f"{m}_scheduled"].max())  # fmt: skip
    if roster is not None:
        for i, line in enumerate(roster_summary(roster)):
            log.info("%-10s %s", "" if i else "roster", line)
    if curve is not None:
        for line in curve_summary(curve):
            log.info("profit: %s", line)


def roster_summary(roster: TourRoster) -> list[str]:
    """Lines on a roster: hours, headcount by contract, FTE, part-time share, cover, rest."""
    s = roster.summary()
    heads = ", ".join(f"{int(s[f'headcount_{c.name}'])} {c.name}" for c in roster.contracts)
    rest = s["shortest_rest_h"]
    return [
        f"{roster.paid_hours:8.0f} paid hours, {roster.headcount} agents ({heads}), "
        f"{roster.fte:.1f} FTE, part-time share {s['part_time_share']:.0%}",
        f"under-staffed intervals: {int((roster.on_phone < roster.required).sum())}; "
        f"shortest rest between shifts {rest:.1f} h"
        + ("" if roster.optimal else "; solver time limit: not proven optimal"),
    ]


def curve_summary(curve: pd.DataFrame) -> list[str]:
    """Lines on the profit curve: the best multiplier only when its CI stands apart."""
    best = curve.iloc[int(curve["profit"].to_numpy().argmax())]
    lines = [f"highest mean profit at {best['multiplier']:.2f} x the plan ({best['profit']:,.0f}, "
             f"95% CI {best['profit_ci_low']:,.0f} to {best['profit_ci_high']:,.0f}; service "
             f"level {best['service_level']:.1%})"]  # fmt: skip
    if curve["best"].any():
        lines.append("its confidence interval is clear of every other multiplier's: best")
    else:
        lines.append("its confidence interval overlaps another multiplier's: no best can be "
                     "named (more replications)")  # fmt: skip
    m = curve["multiplier"].to_numpy(dtype=float)
    if len(m) > 1 and best["multiplier"] in (m.min(), m.max()):
        edge = "largest" if best["multiplier"] == m.max() else "smallest"
        lines.append(f"{best['multiplier']:.2f} is the {edge} multiplier tried: the most "
                     "profitable staffing may lie beyond it (widen --profit)")  # fmt: skip
    row = curve.loc[np.isclose(curve["multiplier"], 1.0)]
    if len(row):
        lines.append(f"profit of the plan itself: {float(row['profit'].iloc[0]):,.0f}")
    return lines
