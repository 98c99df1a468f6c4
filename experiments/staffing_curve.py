"""Staffing curve: service level, ASA and abandonment against the number of agents.

Usage: ``python experiments/staffing_curve.py [--quick] [--out DIR] [--replications N]
[--workers N] [key=value ...]``.

Simulates the stationary centres of ``scenario=steady_erlang_c`` (M/M/n, nobody
abandons) and ``scenario=steady_erlang_a`` (M/M/n+M, mean patience 180 s) at a fixed
offered load over a range of agents, and draws the exact Erlang C and Erlang A curves
(``sim.theory.analytic``) over the simulated points and their confidence intervals: the
"hockey stick" of waiting against staffing, and waiting against occupancy.

Each point's warm-up is the scenario's, or 10 relaxation times of its queue if longer
(``common.steady_point``: near full load the empty start takes long to forget), with
whole days added so that the measured time is at least the scenario's. ``--quick``
runs a tenth of the load (9.5 Erlangs) for one day, 3 replications.

Writes ``staffing_curve.csv``/``.parquet`` (one row per model, agents and KPI:
simulated mean and interval, exact value) and ``staffing_curve.png``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from common import (
    DAY_S,
    StudyArgs,
    atomic_folder,
    kpi_rows,
    parse_args,
    replicate,
    save_figure,
    series,
    steady_point,
    styled,
    write_table,
)
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

import sim

__all__ = ["KPIS", "MODELS", "exact", "main", "run"]

#: Simulated KPIs compared with the exact formulas.
KPIS = ("service_level", "asa_s", "abandon_rate", "p_wait", "mean_wait_s", "occupancy")
#: model name -> scenario
MODELS = {"erlang_c": "steady_erlang_c", "erlang_a": "steady_erlang_a"}


@dataclass(frozen=True)
class Size:
    """Load scale (fraction of the scenario's volume), agents per model, replications."""

    volume_scale: float
    agents: dict[str, range]
    replications: int
    days: int | None = None  # measured days (None: the scenario's)


FULL = Size(1.0, {"erlang_c": range(97, 116), "erlang_a": range(86, 116)}, 10)
QUICK = Size(0.1, {"erlang_c": range(11, 14), "erlang_a": range(9, 14, 2)}, 3, days=1)


def exact(
    model: str, arrival_rate: float, mean_handle_s: float, agents: int, cfg: sim.Config
) -> dict[str, float]:
    """Exact KPIs of ``model`` (``erlang_c`` or ``erlang_a``) as a dict keyed like :data:`KPIS`."""
    t = cfg.metrics.sl_threshold_s
    if model == "erlang_c":
        c = sim.theory.analytic.erlang_c(arrival_rate, mean_handle_s, agents)
        return {
            "service_level": c.service_level(t),
            "asa_s": c.asa_s,
            "abandon_rate": 0.0,
            "p_wait": c.p_wait,
            "mean_wait_s": c.mean_wait_s,
            "occupancy": c.occupancy,
        }
    mean_patience = float(getattr(cfg.patience, "mean_s", None) or math.nan)
    a = sim.theory.analytic.erlang_a(arrival_rate, mean_handle_s, agents, mean_patience)
    return {
        "service_level": a.service_level(t),
        "asa_s": a.asa_s,
        "abandon_rate": a.p_abandon,
        "p_wait": a.p_wait,
        "mean_wait_s": a.mean_wait_s,
        "occupancy": a.occupancy,
    }


def _check(cfg: sim.Config, model: str) -> None:
    """Refuse a config (after the user's overrides) that the exact formula does not fit."""
    from sim.theory.oracle import unmet_assumptions

    unmet = unmet_assumptions(cfg, model)
    if unmet:
        raise sim.ConfigError(f"{model} does not apply: " + "; ".join(unmet))


def run(args: StudyArgs) -> pd.DataFrame:
    """Simulate every (model, agents) point; one row per point and KPI."""
    size = QUICK if args.quick else FULL
    frames = []
    for model, scenario in MODELS.items():
        days = [] if size.days is None else [f"run.days={size.days}"]
        base = sim.compose([f"scenario={scenario}", *days, *args.overrides])
        volume = base.center.volume_per_day * size.volume_scale
        lam = volume / DAY_S  # calls per second: open around the clock, flat profile
        h = float(getattr(base.service.talk, "mean_s", None) or math.nan) + float(getattr(base.service.acw, "value_s", None) or 0.0)
        for n in size.agents[model]:
            cfg = sim.load_config(
                steady_point(base, volume, n), run__replications=size.replications
            )
            _check(cfg, model)
            reps = replicate(cfg, args, f"{model} n={n} (load {lam * h:.1f} Erlangs)")
            table = kpi_rows(
                reps.per_replication,
                KPIS,
                cfg.metrics.confidence,
                model=model,
                agents=n,
                offered_load=lam * h,
                days=cfg.run.days,
                warmup_s=cfg.run.warmup_s,
            )
            table["exact"] = table["kpi"].map(exact(model, lam, h, n, cfg))
            frames.append(table)
    return pd.concat(frames, ignore_index=True)


_PANELS = (
    ("service_level", "service level (answered within 20 s / offered)", 1.0),
    ("asa_s", "ASA (s)", 1.0),
    ("abandon_rate", "abandoned / offered (%)", 100.0),
)


def figure(table: pd.DataFrame) -> Figure:
    """Four panels: SL, ASA and abandonment against agents; ASA against occupancy."""
    labels = {"erlang_c": "M/M/n (Erlang C)", "erlang_a": "M/M/n+M (Erlang A)"}
    with styled():
        fig, axes = plt.subplots(2, 2, figsize=(9.5, 7.6))
        load = table["offered_load"].iloc[0]
        for ax, (kpi, label, scale) in zip(axes.flat, _PANELS, strict=False):
            for i, model in enumerate(MODELS):
                d = table[(table["model"] == model) & (table["kpi"] == kpi)]
                st = series(i)
                ax.plot(
                    d["agents"],
                    d["exact"] * scale,
                    color=st["color"],
                    linestyle=st["linestyle"],
                    marker="",
                    label=f"{labels[model]}, exact",
                )
                ax.errorbar(
                    d["agents"],
                    d["mean"] * scale,
                    yerr=d["half_width"] * scale,
                    fmt=st["marker"],
                    color=st["color"],
                    mfc="white",
                    label=f"{labels[model]}, simulated (95% CI)",
                )
            ax.set_xlabel("agents")
            ax.set_ylabel(label)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        handles, names = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncol=2)
        ax = axes[1, 1]
        for i, model in enumerate(MODELS):
            asa = table[(table["model"] == model) & (table["kpi"] == "asa_s")]
            occ = table[(table["model"] == model) & (table["kpi"] == "occupancy")]
            st = series(i)
            ax.plot(
                occ["exact"] * 100,
                asa["exact"],
                color=st["color"],
                linestyle=st["linestyle"],
                marker="",
                label=f"{labels[model]}, exact",
            )
            ax.errorbar(
                occ["mean"] * 100,
                asa["mean"],
                xerr=occ["half_width"] * 100,
                yerr=asa["half_width"],
                fmt=st["marker"],
                color=st["color"],
                mfc="white",
                label=f"{labels[model]}, simulated",
            )
        ax.set_xlabel("occupancy (%)")
        ax.set_ylabel("ASA (s)")
        fig.suptitle(f"Staffing curve at {load:.1f} Erlangs offered: simulated vs exact")
    return fig


def main(argv: Sequence[str] | None = None) -> None:
    """Run the study from the command line (see the module docstring)."""
    args = parse_args("staffing_curve", __doc__, argv)
    table = run(args)
    with atomic_folder(args.out) as folder:
        write_table(table, folder, "staffing_curve")
        save_figure(figure(table), folder, "staffing_curve")


if __name__ == "__main__":
    main(sys.argv[1:])
