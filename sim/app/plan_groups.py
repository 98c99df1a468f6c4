"""``callsim plan`` on a multi-skill centre (several call types or agent groups).

    callsim plan --set scenario=two_languages --simulate --out results/plan/langs

plans the centre's own forecast per call type (each type's share or matrix, its own
target, patience and AHT) and its groups (``docs/how-to/plan-multi-skill.md``), and
writes the output folder:

* ``plan_by_type.csv``: per interval and call type, the agents a **dedicated** pool of
  that type needs by each formula method (``--methods``): it ignores pooling, an upper
  bound for dedicated groups (column ``assumes``);
* ``plan_groups.csv``: per interval and agent group, ``formula_agents`` (the pooled
  formula total split over the groups, :func:`sim.planning.skillformulas.group_start`)
  and, with ``--simulate``, ``simulation_agents`` and ``simulation_scheduled`` (the
  search of :mod:`sim.planning.groupsearch`);
* ``plan_types_sl.csv`` (``--simulate``): per interval and call type the predicted
  service level, abandonment and ASA of the plan with 95% CIs, ``met`` and ``unclear``;
  ``plan_types_summary.csv``: the same over the whole horizon per type;
* ``plan/planned.yaml``: the ``agent_groups`` list with the plan's agents per day and
  interval (the searched plan, else the formula one), a config of group ``plan``: run
  the centre with it by ``callsim --config-dir <out> model=planning <your --set
  overrides> +plan=planned`` (the command is logged);
* ``figures/plan.png``: agents per group and interval.

With callbacks (``callbacks.enabled``) on several inbound types or agent groups (one
queue with callbacks takes the single-queue route of :mod:`sim.app.plan`), the callback
types (``<type>_callback``) are not planned as call types: their work is already in the parent type's forecast (the
callers who accept are its fresh calls), so the formulas plan the inbound types, the
simulation search serves the callbacks and checks the inbound types' targets only, and
the tables list the inbound types (one log line says so;
:mod:`sim.planning.skillformulas`).

Options that apply to one queue only (``--forecast`` and its reading options,
``--roster``, ``--profit``, ``--sl-target``, ``--sl-threshold-s``, ``--max-occupancy``)
are refused with one line: each type's target is its ``call_types[].sl_target``.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import shutil
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from omegaconf import OmegaConf

from sim.app.plan_centre import record_centre
from sim.app.plan_inputs import FORECAST_OPTIONS, config_dir_overrides, publish
from sim.config.scenario import Scenario
from sim.core.checks import ConfigError
from sim.planning.forecast import forecast_from_config
from sim.planning.groupmodel import GroupModel, group_model
from sim.planning.groupsearch import GroupPlan, search_groups
from sim.planning.plan_table import plan_for_spreadsheet
from sim.planning.planner import PlanTarget
from sim.planning.skillformulas import (
    group_start,
    inbound_index,
    pooled_requirements,
    type_requirements,
    type_targets,
)

__all__ = [
    "GROUP_REPLICATIONS",
    "check_group_args",
    "plan_groups",
    "planned_command",
    "write_planned_yaml",
]

log = logging.getLogger("callsim")

#: Default first and largest replications of the group search (``--replications``,
#: ``--max-replications`` not given): each round simulates 1 + 2 x groups plans.
GROUP_REPLICATIONS = (8, 32)

_SINGLE_ONLY = {
    "forecast": "the forecast per call type comes from the scenario (call_types[].share or "
    "expected_calls)",
    "roster": "rosters of several groups are not built yet",
    "profit": "the profit curve is for one queue",
    "sl_target": "each call type's target is its call_types[].sl_target",
    "sl_threshold_s": "each call type's threshold is its call_types[].sl_threshold_s",
    "max_occupancy": "occupancy is a group's, not a call type's",
    "roster_method": "rosters of several groups are not built yet",
}


def check_group_args(args: argparse.Namespace) -> None:
    """Refuse the single-queue options on a multi-skill centre (ConfigError, one line)."""
    for name in (*_SINGLE_ONLY, *FORECAST_OPTIONS):
        value = getattr(args, name, None)
        if value in (None, False, "auto"):
            continue
        flag = "--" + name.replace("_", "-")
        why = _SINGLE_ONLY.get(name, _SINGLE_ONLY["forecast"])
        raise ConfigError(f"{flag} {value!r}: not for a multi-skill centre (several call types "
                          f"or agent groups): {why}", name)  # fmt: skip


def _costs(text: str | None, scenario: Scenario) -> list[float]:
    """``--group-cost NAME=X,...`` as one cost per group (default 1)."""
    names = [g.name for g in scenario.agent_groups]
    cost = dict.fromkeys(names, 1.0)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in cost:
            raise ConfigError(f"--group-cost {text!r}: {name!r} is not an agent group (groups: "
                              f"{', '.join(names)})", "group_cost")  # fmt: skip
        try:
            cost[name] = float(value)
        except ValueError:
            cost[name] = float("nan")
        if not cost[name] > 0 or not np.isfinite(cost[name]):
            raise ConfigError(f"--group-cost {text!r}: {name}'s cost must be a number > 0",
                              "group_cost")  # fmt: skip
    return [cost[n] for n in names]


def _long(lead: pd.DataFrame, what: str, names: list[str], values: dict[str, np.ndarray]
          ) -> pd.DataFrame:  # fmt: skip
    """Rows of ``lead`` repeated per name (row-major), with ``values`` (names, rows)."""
    rows = len(lead)
    out = lead.loc[np.repeat(np.arange(rows), len(names))].reset_index(drop=True)
    out[what] = pd.Categorical(np.tile(names, rows), names)
    for key, v in values.items():
        out[key] = np.asarray(v).T.reshape(-1)
    return out


def planned_command(out: Path, args: argparse.Namespace) -> str:
    """The ``callsim`` command that runs the centre with the plan's agents."""
    sets = [*config_dir_overrides(args),
            *(o for o in args.set if not o.lstrip("+~").startswith("model="))]  # fmt: skip
    model = next((o for o in args.set if o.lstrip("+~").startswith("model=")),
                 f"model={args.model}")  # fmt: skip
    words = ["callsim", "--config-dir", str(out), model, *sets, "+plan=planned"]
    return shlex.join(words)  # quoted: it can be pasted into a shell as it is


def write_planned_yaml(model: GroupModel, plan: np.ndarray, path: Path) -> None:
    """The groups with ``plan`` as their agents, a ``_global_`` config of group ``plan``:
    it replaces the whole ``agent_groups`` list (skills, overflow, factors kept). A
    centre whose one group is ``staffing.*`` (no ``agent_groups``: a single queue with
    callbacks) gets ``staffing.agents`` instead."""
    cfg: Any = OmegaConf.to_container(OmegaConf.structured(model.scenario.config), resolve=True)
    tt = model.scenario.timetable
    shaped = plan.reshape(model.n_groups, tt.days, tt.n_intervals)
    if cfg["agent_groups"]:
        for j, g in enumerate(cfg["agent_groups"]):
            g["agents"] = shaped[j].tolist()
        what, body = "the agent groups", {"agent_groups": cfg["agent_groups"]}
    else:
        what, body = "the centre's staffing", {"staffing": {"agents": shaped[0].tolist()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# @package _global_\n# written by callsim plan: {what} with the "
                    "planned agents per day and interval\n"
                    + yaml.safe_dump(body, default_flow_style=None, sort_keys=False))  # fmt: skip


def _figure(lead: pd.DataFrame, names: list[str], plan: np.ndarray, title: str) -> Any:
    fig, ax = plt.subplots(figsize=(13, 4.5), layout="constrained")
    x = np.arange(plan.shape[1])
    ax.stackplot(x, plan, labels=names, step="post", alpha=0.8)
    starts = lead.groupby("day").head(1)
    ax.set_xticks(starts.index.to_numpy(), [str(d) for d in starts["start"].dt.strftime("%a")])
    ax.set(xlabel="planning interval", ylabel="agents (net)", title=title)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    return fig


def _sl_tables(lead: pd.DataFrame, model: GroupModel, result: GroupPlan,
               targets: list[PlanTarget]) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Per interval and type, and per type over the horizon: the plan's predicted KPIs."""
    inbound = inbound_index(model.scenario)
    names = [model.scenario.call_types[k].name for k in inbound]
    kpis = [result.kpis[k] for k in inbound]
    targets = [targets[k] for k in inbound]
    keys = ("offered", "service_level", "service_level_ci_low", "service_level_ci_high",
            "abandon_rate", "asa_s", "met")  # fmt: skip
    values = {k: np.stack([kp[k].to_numpy() for kp in kpis]) for k in keys}
    values["sl_target"] = np.array([[t.sl_target] * model.n_rows for t in targets])
    values["unclear"] = np.tile(result.unclear, (len(names), 1))
    per = _long(lead, "call_type", names, values)
    summary = pd.DataFrame({
        "call_type": names,
        "sl_threshold_s": [t.sl_threshold_s for t in targets],
        "sl_target": [t.sl_target for t in targets],
        "offered": [kp["offered"].sum() for kp in kpis],
        "service_level": [float((kp["service_level"] * kp["offered"]).sum()
                                / kp["offered"].sum()) for kp in kpis],
        "intervals_met": [int((kp["met"] == 1.0).sum()) for kp in kpis],
        "intervals_with_calls": [int(kp["met"].notna().sum()) for kp in kpis],
    })  # fmt: skip
    summary["met"] = summary["service_level"] >= summary["sl_target"]
    return per, summary


def plan_groups(args: argparse.Namespace, scenario: Scenario, methods: list[str],
                out: Path) -> Path:  # fmt: skip
    """Plan a multi-skill centre (module docstring); returns the output folder."""
    check_group_args(args)
    costs = _costs(args.group_cost, scenario)
    first, top = GROUP_REPLICATIONS
    reps = args.replications or first
    max_reps = args.max_replications or max(top, reps)
    if not 2 <= reps <= max_reps:
        raise ConfigError(f"--replications {reps}: must be >= 2 and <= --max-replications "
                          f"({max_reps})", "replications")  # fmt: skip
    model = group_model(scenario)
    targets = type_targets(scenario, args.shrinkage, args.max_abandon, args.max_asa_s)
    forecast = forecast_from_config(scenario.config)
    lead = forecast.table[["start", "day", "clock", "start_s"]].reset_index(drop=True)
    types = [t.name for t in scenario.call_types]
    groups = [g.name for g in scenario.agent_groups]
    hours = model.interval_s / 3600.0
    log.info("multi-skill centre: %d call types (%s), %d agent groups (%s), %d intervals",
             len(types), ", ".join(types), len(groups), ", ".join(groups), model.n_rows)  # fmt: skip
    callbacks = [t.name for t in scenario.call_types if t.callback_of is not None]
    if callbacks:
        log.info("callback types (%s): not planned as call types; their work is in the "
                 "parent type's forecast (docs/background/plan-groups.md)", ", ".join(callbacks))
    by_type = type_requirements(scenario, targets, methods)
    first_method = "mmng" if "mmng" in methods else methods[-1]
    dedicated = np.zeros((len(types), model.n_rows), dtype=np.int64)
    for k in inbound_index(scenario):
        dedicated[k] = by_type.loc[by_type["call_type"] == types[k],
                                   f"{first_method}_agents"].to_numpy()
    for m in methods:
        log.info("per type by %-8s (ignores pooling: an upper bound for dedicated groups): "
                 "%.0f agent-hours", m, by_type[f"{m}_agents"].sum() * hours)  # fmt: skip
    pooled = pooled_requirements(scenario, targets)
    log.info("one pool (full cross-training) by formula: %.0f agent-hours", pooled.sum() * hours)
    start = group_start(scenario, dedicated, pooled, args.group_start)
    log.info("formula plan of the groups (%s start): %.0f agent-hours", args.group_start,
             start.sum() * hours)  # fmt: skip
    result = None
    if args.simulate:
        log.info("searching agents per group by simulation: %d plans per round, %d to %d "
                 "replications", 1 + 2 * len(groups), reps, max_reps)  # fmt: skip
        result = search_groups(model, targets, start, costs, reps, max_reps)
        if not result.converged:
            log.warning("group plan: not converged after %d rounds", result.iterations)
    plan = start if result is None else result.agents
    _write(out, args, lead, by_type, model, start, result, targets, forecast.interval_s)
    log.info("%-10s %8.0f agent-hours (%s)", "plan", plan.sum() * hours, ", ".join(
        f"{n} {h:.0f}" for n, h in zip(groups, plan.sum(axis=1) * hours, strict=True)))  # fmt: skip
    log.info("simulate the centre with this plan: %s", planned_command(out, args))
    return out


def _write(out: Path, args: argparse.Namespace, lead: pd.DataFrame, by_type: pd.DataFrame,
           model: GroupModel, start: np.ndarray, result: GroupPlan | None,
           targets: list[PlanTarget], interval_s: float) -> None:  # fmt: skip
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "figures").mkdir(parents=True)
    types = [t.name for t in model.scenario.inbound_types]
    groups = [g.name for g in model.scenario.agent_groups]
    try:
        t = by_type.drop(columns=["row"])
        t.insert(0, "assumes", "dedicated agents per type: ignores pooling")
        typed = pd.concat([lead.loc[np.repeat(np.arange(len(lead)), len(types))]
                          .reset_index(drop=True), t], axis=1)  # fmt: skip
        plan_for_spreadsheet(typed, interval_s).to_csv(partial / "plan_by_type.csv", index=False)
        values = {"formula_agents": start}
        plan = start
        if result is not None:
            plan = result.agents
            shrink = targets[0].shrinkage
            values["simulation_agents"] = plan
            values["simulation_scheduled"] = np.ceil(plan / (1.0 - shrink) - 1e-9).astype(int)
            per, summary = _sl_tables(lead, model, result, targets)
            plan_for_spreadsheet(per, interval_s).to_csv(partial / "plan_types_sl.csv",
                                                         index=False)  # fmt: skip
            summary.round(4).to_csv(partial / "plan_types_summary.csv", index=False)
            for row in summary.itertuples():
                log.info("predicted %-10s service level %.3f (target %.2f, %d of %d intervals "
                         "met)", row.call_type, row.service_level, row.sl_target,
                         row.intervals_met, row.intervals_with_calls)  # fmt: skip
        grouped = _long(lead, "agent_group", groups, values)
        plan_for_spreadsheet(grouped, interval_s).to_csv(partial / "plan_groups.csv", index=False)
        write_planned_yaml(model, plan, partial / "plan" / "planned.yaml")
        record_centre(partial, args, targets=False)  # each type's, in the config
        fig = _figure(
            lead,
            groups,
            plan,
            "Agents per group and interval ("
            + ("simulation search" if result is not None else "formula start")
            + ")",
        )
        fig.savefig(partial / "figures" / "plan.png", dpi=110)
        plt.close(fig)
        publish(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
