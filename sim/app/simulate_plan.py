"""``callsim simulate-plan``: does a plan or roster meet its target? Per interval, with CIs.

    callsim simulate-plan --plan results/plan/p/plan.csv --column mmng_agents

takes agents per interval from a ``plan.csv`` (any method's ``<m>_agents``, net, or
``<m>_scheduled``, grossed up: ``--shrinkage`` takes it back off) or a ``roster.csv`` of
``callsim plan --roster`` (one row per agent and working day: the agents on the phone in
each interval, on duty: ``--shrinkage`` takes it off), the forecast (``--forecast``, with
the reading options of :mod:`sim.app.plan_inputs`, or the forecast columns of
``plan.csv`` itself), simulates the planning model (:mod:`sim.planning.planmodel`) on
``--replications`` replications and writes ``results/simulate-plan/<stamp>/`` (or
``--out``):

* ``intervals.csv``: per interval the agents simulated, offered calls, service level,
  abandonment, ASA and occupancy with 95% confidence intervals, ``met`` (1, 0, empty
  without calls) and ``light`` (green: the CI is above the target; red: below it;
  amber: the target is inside the CI; none: no calls);
* ``summary.csv``: the same KPIs over the whole plan, agent-hours, intervals by light;
* ``forecast.csv``: the forecast simulated; ``figures/simulate-plan.png``;
* ``report.html``: the summary, the figure and the per-interval table with traffic lights.

Days with other opening hours and gaps (a lunch break) work: intervals missing from the
forecast are closed (no calls; the agents before them finish the queue).

The centre simulated is the one the plan was made for, recorded in the plan folder's
``centre.json`` (:mod:`sim.app.plan_centre`): ``--set`` may restate it, not contradict
it (one line, exit 2) unless ``--change-centre``; without the record, the user's
``--set`` alone, with a warning. The target is the plan's too, and a ``--set`` that
cannot change the check (the volume, ``run.days``, ``staffing.*``) is refused
(:mod:`sim.app.plan_effect`).

A centre with callbacks (``scenario=callback_offered``: one inbound type, one
group) is simulated by the engine on its own forecast, its agents serving the callbacks
too (:mod:`sim.planning.callbackmodel`); ``--forecast`` is refused there, and so is a
``plan.csv`` whose forecast columns are not the centre's.
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

from sim.app.plan_centre import CENTRE_FILE, add_change_centre_option, apply_plan_centre
from sim.app.plan_effect import plan_target, refuse_no_effect
from sim.app.plan_inputs import (
    add_config_dir,
    add_forecast_options,
    centre_config,
    forecast_from_args,
    output_folder,
    publish,
    refuse_forecast_options,
)
from sim.config.skills import is_multi
from sim.config.validation import load_scenario
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.planning.callbackmodel import callback_model, is_callback_queue
from sim.planning.forecast import Forecast, forecast_from_config, read_forecast, write_forecast
from sim.planning.plan_table import read_plan_csv
from sim.planning.plancheck import (
    PlanCheck,
    check_plan_file,
    default_column,
    load_staffing,
    simulate_plan,
)
from sim.planning.planmodel import PlanningModel, QueueModel, planning_model
from sim.planning.planner import PlanTarget
from sim.planning.tour_roster import is_roster_table
from sim.report.htmlkit import Markup, figure_png, img_figure, page, table

__all__ = [
    "add_model_options",
    "check_figure",
    "cmd_simulate_plan",
    "model_from_args",
    "report_html",
    "source_text",
    "target_text",
]

log = logging.getLogger("callsim")

_LIGHTS = {"green": "#1a7f37", "amber": "#b7791f", "red": "#c0392b", "none": "#999999"}


# --------------------------------------------------------------------------- inputs


def _read_plan(path: Path) -> pd.DataFrame:
    try:
        return read_plan_csv(path)
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError(f"{path}: cannot read it as a plan ({exc})", "plan") from None


def _forecast_of(args: argparse.Namespace, folder: Path) -> Forecast:
    """``--forecast``, else the forecast columns of ``--plan`` (written to ``folder``)."""
    forecast = forecast_from_args(args)
    if forecast is not None:
        return forecast
    t = _read_plan(args.plan)
    if is_roster_table(t.columns):
        raise ConfigError(f"{args.plan}: a roster.csv holds no forecast; give --forecast FILE "
                          "(the forecast the roster was planned for)", "forecast")  # fmt: skip
    if not {"start", "expected_calls", "aht_s"} <= set(t.columns):
        raise ConfigError(f"{args.plan}: has no forecast columns (start, expected_calls, "
                          "aht_s); give --forecast", "forecast")  # fmt: skip
    out = pd.DataFrame({
        "interval_start": pd.to_datetime(t["start"]).dt.strftime("%Y-%m-%d %H:%M"),
        "expected_calls": t["expected_calls"], "aht_s": t["aht_s"],
    })  # fmt: skip
    if "interval_min" in t.columns:
        out["interval_min"] = t["interval_min"]
    path = folder / "forecast.csv"
    out.to_csv(path, index=False)
    return read_forecast(path)


def _centre_forecast(args: argparse.Namespace, cfg: Config, folder: Path) -> Forecast:
    """A centre with callbacks: its own forecast (written to ``folder``), after checking
    that ``--plan``'s forecast columns (a plan.csv) are the same intervals and calls."""
    refuse_forecast_options(args, "the engine simulates the centre's own forecast (the "
                            "plan's centre, recorded in its folder's centre.json)")  # fmt: skip
    forecast = forecast_from_config(cfg)
    t = _read_plan(args.plan)
    if {"start", "expected_calls"} <= set(t.columns):
        own = forecast.table["expected_calls"].to_numpy(float)
        theirs = t["expected_calls"].to_numpy(float)
        starts = pd.to_datetime(t["start"]).to_numpy()
        if (len(theirs) != len(own) or not np.allclose(theirs, own, atol=0.01)
                or not (starts == forecast.table["start"].to_numpy()).all()):  # fmt: skip
            raise ConfigError(f"{args.plan}: its forecast ({len(theirs)} intervals, "
                              f"{theirs.sum():,.0f} calls) is not the centre's ({len(own)} "
                              f"intervals, {own.sum():,.0f} calls): a centre with callbacks is "
                              "simulated on its own forecast; " + _replan(args), "plan")  # fmt: skip
    write_forecast(forecast, folder / "forecast.csv")
    return forecast


def _replan(args: argparse.Namespace) -> str:
    """What to do when a centre with callbacks has another forecast than its plan."""
    if args.change_centre and (args.plan.parent / CENTRE_FILE).is_file():
        return ("a --set of run.days or the volume (center.*) cannot change for that plan: "
                "re-plan that centre (callsim plan --set ...)")  # fmt: skip
    if (args.plan.parent / CENTRE_FILE).is_file():
        return f"re-plan that centre (the plan's is in {args.plan.parent / CENTRE_FILE})"
    return ("give the --set overrides the plan was made with (a plan folder of today's "
            "callsim records them in centre.json)")


def add_model_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``simulate-plan`` and ``marginal``."""
    p.add_argument("--plan", type=Path, required=True,
                   help="plan.csv or roster.csv (callsim plan [--roster])")  # fmt: skip
    p.add_argument("--column", help="plan.csv: agents column (default simulation_agents, "
                   "else the last *_agents)")  # fmt: skip
    p.add_argument("--forecast", type=Path, help="forecast file (default: the plan's columns; "
                   "needed with a roster.csv)")  # fmt: skip
    add_forecast_options(p)
    p.add_argument("--shrinkage", type=float, default=0.0, help="taken off agents on duty (a "
                   "*_scheduled column, a roster): net = floor(on duty x (1 - it))")  # fmt: skip
    mine = "default: the plan's (its folder's centre.json)"
    p.add_argument("--sl-threshold-s", type=float, help=f"T, seconds ({mine}, else 20)")
    p.add_argument("--sl-target", type=float, help=f"share answered within T ({mine}, else 0.80)")
    p.add_argument("--max-abandon", type=float, help=f"cap on the abandonment rate ({mine})")
    p.add_argument("--max-asa-s", type=float, help=f"cap on the ASA, seconds ({mine})")
    p.add_argument("--max-occupancy", type=float, help=f"cap on occupancy ({mine})")
    p.add_argument("--patience", help="genesys (default), genesys2020, never, exponential:MEAN_S")
    p.add_argument("--model", choices=("planning",), default="planning", help=argparse.SUPPRESS)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override of the centre config, repeatable (e.g. run.seed=7); by "
                   "default the centre is the plan's (its folder's centre.json), which a "
                   "--set may restate but not contradict (see --change-centre)")  # fmt: skip
    add_change_centre_option(p)
    add_config_dir(p)
    p.add_argument("--replications", type=int, default=32, help="replications (>= 2)")
    p.add_argument("--out", type=Path, help="output folder (default results/<command>/<stamp>)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")


def source_text(args: argparse.Namespace) -> str:
    """What the agents of ``--plan`` are: a roster's agents on the phone, or a column."""
    if is_roster_table(pd.read_csv(args.plan, nrows=0).columns):
        shrink = f", less {args.shrinkage:.0%} shrinkage" if args.shrinkage else ""
        return f"roster: agents on the phone{shrink}"
    if args.column:
        return args.column
    return f"{default_column(pd.read_csv(args.plan, nrows=0).columns)}, the default column"


def model_from_args(
    args: argparse.Namespace, folder: Path
) -> tuple[Config, QueueModel, np.ndarray, PlanTarget]:
    """Config, planning model, net agents and target of parsed ``add_model_options``.
    A centre with callbacks (one queue, :func:`~sim.planning.callbackmodel.
    is_callback_queue`) is simulated by the engine on its own forecast
    (:class:`~sim.planning.callbackmodel.CallbackModel`). The target is the plan's
    (:func:`plan_target`). Raises ConfigError for a ``--set`` without effect on the
    check (:func:`refuse_no_effect`) and a centre of several groups."""
    if not 0.0 <= args.shrinkage < 1.0:
        raise ConfigError(f"--shrinkage {args.shrinkage!r}: must be in [0, 1)", "shrinkage")
    if args.replications < 2:
        raise ConfigError(f"--replications {args.replications}: must be >= 2", "replications")
    if not args.plan.is_file():
        raise ConfigError(f"--plan {str(args.plan)!r}: no such file", "plan")
    check_plan_file(args.plan)  # a plan.csv or roster.csv, before its centre is looked for
    centre = apply_plan_centre(args, lambda sets, c: refuse_no_effect(args, sets, c))
    target = plan_target(args, centre)
    cfg = centre_config(args)
    scenario = load_scenario(cfg)
    model: QueueModel
    if is_multi(scenario.call_types, scenario.agent_groups) and not is_callback_queue(scenario):
        raise ConfigError(f"--plan {str(args.plan)!r}: a centre of several agent groups; "
                          "simulate its plan with the command callsim plan printed (callsim "
                          "... +plan=planned, its folder's plan/planned.yaml)", "plan")  # fmt: skip
    if is_callback_queue(scenario):
        forecast = _centre_forecast(args, cfg, folder)
        model = callback_model(scenario, forecast, target.sl_threshold_s)
    else:
        forecast = _forecast_of(args, folder)
        model = planning_model(cfg, forecast, target.sl_threshold_s)
    agents = load_staffing(args.plan, forecast, args.column, args.shrinkage)
    return cfg, model, agents, target


# --------------------------------------------------------------------------- outputs


def check_figure(check: PlanCheck, target: float) -> Figure:
    """Service level per interval with its 95% CI against the target, and the agents."""
    iv = check.intervals
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(13, 6), sharex=True, layout="constrained",
                                  height_ratios=(2, 1))  # fmt: skip
    x = np.arange(len(iv))
    ax.fill_between(x, iv["service_level_ci_low"], iv["service_level_ci_high"], step="mid",
                    color="tab:blue", alpha=0.25, label="95% confidence interval")  # fmt: skip
    ax.step(x, iv["service_level"], "b-", where="mid", label="service level (simulated)")
    ax.axhline(target, color="k", ls="--", label=f"target {target:.0%}")
    for light in ("red", "amber"):
        sel = iv["light"] == light
        ax.plot(x[sel], iv.loc[sel, "service_level"], "o", color=_LIGHTS[light], ms=5,
                label=f"{light}: {int(sel.sum())} interval(s)")  # fmt: skip
    ax.set(ylabel="answered within T / offered", ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax2.step(x, iv["agents"], "k-", where="mid", label="agents (net)")
    ax2.set(ylabel="agents", xlabel="interval (days start at the ticks)")
    starts = iv.groupby("day").head(1)
    ax2.set_xticks(starts.index.to_numpy(),
                   [str(d) for d in pd.to_datetime(starts["start"]).dt.strftime("%a %d %b")])  # fmt: skip
    ax2.grid(alpha=0.3)
    ax.set_title("Simulated service level per interval against the target")
    return fig


def _fmt(v: float, pct: bool = True) -> str:
    if not np.isfinite(v):
        return "-"
    return f"{v:.1%}" if pct else f"{v:,.1f}"


def report_html(check: PlanCheck, target: PlanTarget, source: str, png: bytes) -> str:
    """The report page: summary, figure and per-interval table with traffic lights."""
    s = check.summary.iloc[0]
    summary = table(["plan", "value"], [
        ["source", source],
        ["service level (whole plan)", f"{_fmt(s['service_level'])} "
         f"[{_fmt(s['service_level_ci_low'])}, {_fmt(s['service_level_ci_high'])}]"],
        ["abandonment", _fmt(s["abandon_rate"])],
        ["ASA, s", _fmt(s["asa_s"], False)],
        ["occupancy", _fmt(s["occupancy"])],
        ["agent-hours", f"{s['agent_hours']:,.1f}"],
        ["intervals: green / amber / red / no calls",
         f"{s['green']} / {s['amber']} / {s['red']} / {s['no_calls']}"],
        ["replications", str(int(s["replications"]))],
    ])  # fmt: skip
    rows = []
    for _, r in check.intervals.iterrows():
        dot = Markup(f'<span style="color:{_LIGHTS[r["light"]]}">&#9679;</span> {r["light"]}')
        rows.append([f"{pd.Timestamp(r['start']):%a %Y-%m-%d %H:%M}", int(r["agents"]),
                     f"{r['offered']:.1f}", _fmt(r["service_level"]),
                     f"{_fmt(r['service_level_ci_low'])} to {_fmt(r['service_level_ci_high'])}",
                     _fmt(r["abandon_rate"]), _fmt(r["asa_s"], False), _fmt(r["occupancy"]),
                     dot])  # fmt: skip
    detail = table(["interval", "agents", "offered", "service level", "95% CI", "abandoned",
                    "ASA s", "occupancy", "target"], rows, text_columns=(0, 8))  # fmt: skip
    legend = ("green: the whole 95% CI of the service level is at or above the target; red: "
              "it is below; amber: the target is inside the CI (more replications or one "
              "agent more decide); no calls: no call offered, nothing to meet.")  # fmt: skip
    return page(
        "Simulated plan",
        f"target {target_text(target)}; "
        "planning model (offered calls, forecast AHT per interval)",
        [f"<h2>Summary</h2>{summary}",
         img_figure(png, "service level per interval", "Service level per interval with its "
                    "95% confidence interval; agents below.", "fig-sl"),
         f"<h2>Intervals</h2><p class=\"note\">{legend}</p>{detail}"],
    )  # fmt: skip


def target_text(target: PlanTarget) -> str:
    """``80% within 20 s`` and the caps checked: ``, abandonment <= 5%``."""
    caps = [f"abandonment <= {target.max_abandon:.0%}" if target.max_abandon is not None else "",
            f"ASA <= {target.max_asa_s:g} s" if target.max_asa_s is not None else "",
            f"occupancy <= {target.max_occupancy:.0%}" if target.max_occupancy is not None
            else ""]  # fmt: skip
    return ", ".join([f"{target.sl_target:.0%} within {target.sl_threshold_s:g} s",
                      *(c for c in caps if c)])  # fmt: skip


def parser() -> argparse.ArgumentParser:
    """The options of ``callsim simulate-plan``."""
    p = argparse.ArgumentParser(prog="callsim simulate-plan", description=__doc__.splitlines()[0])
    add_model_options(p)
    return p


def cmd_simulate_plan(argv: list[str] | None = None) -> Path:
    """Run ``callsim simulate-plan``; returns the output folder (ConfigError on bad input)."""
    args = parser().parse_args(argv)
    out = output_folder(args.out, args.overwrite, "simulate-plan")
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "figures").mkdir(parents=True)
    try:
        _, model, agents, target = model_from_args(args, partial)
        source = f"{args.plan} ({source_text(args)})"
        log.info("simulate-plan: %s, %d intervals, %d replications; model: %s", source,
                 len(agents), args.replications, "planning" if isinstance(model, PlanningModel)
                 else "planning, with callbacks (the engine)")  # fmt: skip
        check = simulate_plan(model, agents, target, args.replications)
        if args.forecast is not None and isinstance(model, PlanningModel):  # as read (.xlsx too)
            write_forecast(model.forecast, partial / "forecast.csv")
        check.intervals.to_csv(partial / "intervals.csv", index=False)
        check.summary.to_csv(partial / "summary.csv", index=False)
        png = figure_png(check_figure(check, target.sl_target))
        (partial / "figures" / "simulate-plan.png").write_bytes(png)
        (partial / "report.html").write_text(
            report_html(check, target, source, png),
            encoding="utf-8",
        )
        publish(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    s = check.summary.iloc[0]
    log.info("service level %.1f%% (95%% CI %.1f%% to %.1f%%; target %s), abandonment %.1f%%, "
             "ASA %.1f s, occupancy %.1f%%, %.0f agent-hours", 100 * s["service_level"],
             100 * s["service_level_ci_low"], 100 * s["service_level_ci_high"],
             target_text(target), 100 * s["abandon_rate"], s["asa_s"], 100 * s["occupancy"], s["agent_hours"])  # fmt: skip
    log.info("intervals: %d green, %d amber, %d red, %d without calls (target met in %d, "
             "missed in %d)", s["green"], s["amber"], s["red"], s["no_calls"], s["met"],
             s["missed"])  # fmt: skip
    log.info("simulate-plan: %s", out)
    return out
