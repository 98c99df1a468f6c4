"""Pooling: two small centres against one centre with their total volume and agents.

Usage: ``python experiments/pooling.py [--quick] [--out DIR] [--replications N]
[--workers N] [key=value ...]``.

For a few total sizes of the centre of ``scenario=steady_erlang_a`` (M/M/n+M, mean
patience 180 s) at 0.8 Erlangs offered per agent (the scenario's 0.95 would make the
no-abandonment Erlang C values of the smallest centres run to tens of minutes), compares two separate centres, each with half the
volume and half the agents, with one pooled centre of the total volume and agents:
service level, ASA, abandonment and occupancy with confidence intervals over
replications, beside the exact Erlang A values (the model simulated) and the exact
Erlang C values (the same centres if nobody abandoned: the classic pooling argument).

The two small centres are independent: replication ``r`` of the pair is replications
``2r`` and ``2r + 1`` of the small centre, combined as ratios of sums (service level,
abandonment and waiting weighted by each centre's offered or answered calls; occupancy
the plain mean, both centres having the same agent time). The two centres are alike,
so their exact values are those of one small centre.

Writes ``pooling.csv``/``.parquet`` (design x total agents x KPI: simulated mean and
interval, Erlang A, Erlang C) and ``pooling.png``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
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
from matplotlib.ticker import NullFormatter

import sim

__all__ = ["DESIGNS", "KPIS", "combine_pairs", "exact", "main", "run"]

KPIS = ("service_level", "asa_s", "abandon_rate", "occupancy", "p_wait")
#: Offered load per agent, Erlangs (calls per second x mean handle time / agents).
LOAD_PER_AGENT = 0.8
DESIGNS = ("two_centres", "one_centre")


@dataclass(frozen=True)
class Size:
    """Total agents of each comparison, replications, measured days."""

    totals: tuple[int, ...]
    replications: int
    days: int | None = None  # None: the scenario's


FULL = Size(totals=(4, 10, 20, 50, 100), replications=10)
QUICK = Size(totals=(4, 10), replications=3, days=1)


def combine_pairs(per_replication: pd.DataFrame) -> pd.DataFrame:
    """KPIs of pairs of independent centres: replications ``2r`` and ``2r + 1`` -> ``r``.

    Ratios of sums: service level, abandonment and ``p_wait`` weighted by offered calls,
    ASA by answered calls; occupancy the plain mean (equal agent time in both centres).
    """
    p = per_replication.sort_values("replication").reset_index(drop=True)
    if len(p) % 2:
        raise ValueError(f"{len(p)} replications: need an even number to form pairs")
    p = p.assign(pair=p["replication"].to_numpy() // 2)
    g = p.groupby("pair")
    offered = g["offered"].sum()
    answered = g["answered"].sum()
    out = pd.DataFrame(
        {
            "replication": offered.index.to_numpy(),
            "service_level": (p["service_level"] * p["offered"]).groupby(p["pair"]).sum() / offered,
            "asa_s": (p["asa_s"] * p["answered"]).groupby(p["pair"]).sum() / answered,
            "abandon_rate": g["abandoned"].sum() / offered,
            "occupancy": g["occupancy"].mean(),
            "p_wait": (p["p_wait"] * p["offered"]).groupby(p["pair"]).sum() / offered,
        }
    )
    return out.reset_index(drop=True)


def exact(cfg: sim.Config) -> dict[str, dict[str, float]]:
    """Erlang A and Erlang C values of :data:`KPIS` for ``cfg``'s centre (C: NaN if unstable)."""
    lam = cfg.center.volume_per_day / DAY_S
    h = float(getattr(cfg.service.talk, "mean_s", None) or math.nan) + float(getattr(cfg.service.acw, "value_s", None) or 0.0)
    n, t = int(cfg.staffing.agents), cfg.metrics.sl_threshold_s
    a = sim.theory.analytic.erlang_a(lam, h, n, float(getattr(cfg.patience, "mean_s", None) or math.nan))
    out = {
        "erlang_a": {
            "service_level": a.service_level(t),
            "asa_s": a.asa_s,
            "abandon_rate": a.p_abandon,
            "occupancy": a.occupancy,
            "p_wait": a.p_wait,
        }
    }
    if lam * h < n:
        c = sim.theory.analytic.erlang_c(lam, h, n)
        out["erlang_c"] = {
            "service_level": c.service_level(t),
            "asa_s": c.asa_s,
            "abandon_rate": 0.0,
            "occupancy": c.occupancy,
            "p_wait": c.p_wait,
        }
    else:
        out["erlang_c"] = dict.fromkeys(KPIS, math.nan)
    return out


def run(args: StudyArgs) -> pd.DataFrame:
    """Each total size: the pair of small centres and the pooled centre."""
    size = QUICK if args.quick else FULL
    days = [] if size.days is None else [f"run.days={size.days}"]
    base = sim.compose(["scenario=steady_erlang_a", *days, *args.overrides])
    if base.patience.kind != "exponential":
        raise sim.ConfigError(
            f"patience.kind = {base.patience.kind!r}: must be 'exponential' (Erlang A)"
        )
    per_agent = LOAD_PER_AGENT * DAY_S / _handle(base)  # fresh calls per day and agent
    frames = []
    for total in size.totals:
        if total % 2:
            raise ValueError(f"total agents {total}: must be even (two equal halves)")
        for design, n, copies in (("two_centres", total // 2, 2), ("one_centre", total, 1)):
            cfg = sim.load_config(
                steady_point(base, per_agent * n, n), run__replications=size.replications
            )
            label = f"{design} ({copies} x {n} agents)"
            r = replicate(cfg, args, label, factor=copies)
            per = r.per_replication if copies == 1 else combine_pairs(r.per_replication)
            table = kpi_rows(
                per,
                KPIS,
                cfg.metrics.confidence,
                design=design,
                total_agents=total,
                agents_per_centre=n,
                load_per_centre=per_agent * n / DAY_S * _handle(cfg),
                days=cfg.run.days,
            )
            ex = exact(cfg)
            table["erlang_a"] = table["kpi"].map(ex["erlang_a"])
            table["erlang_c"] = table["kpi"].map(ex["erlang_c"])
            frames.append(table)
    return pd.concat(frames, ignore_index=True)


def _handle(cfg: sim.Config) -> float:
    return float(getattr(cfg.service.talk, "mean_s", None) or math.nan) + float(getattr(cfg.service.acw, "value_s", None) or 0.0)


_PANELS = (
    ("service_level", "service level (answered within 20 s, %)", 100.0),
    ("asa_s", "ASA (s)", 1.0),
    ("abandon_rate", "abandoned / offered (%)", 100.0),
    ("occupancy", "occupancy (%)", 100.0),
)
_LABELS = {"two_centres": "two centres, half each", "one_centre": "one pooled centre"}


def figure(table: pd.DataFrame) -> Figure:
    """SL, ASA, abandonment and occupancy against total agents, both designs, exact lines."""
    with styled():
        fig, axes = plt.subplots(2, 2, figsize=(9.5, 7.6))
        for ax, (kpi, label, scale) in zip(axes.flat, _PANELS, strict=True):
            for i, design in enumerate(DESIGNS):
                d = table[(table["design"] == design) & (table["kpi"] == kpi)]
                st = series(i)
                x = d["total_agents"].to_numpy(float)
                ax.plot(
                    x,
                    d["erlang_a"] * scale,
                    color=st["color"],
                    linestyle=st["linestyle"],
                    marker="",
                    label=f"{_LABELS[design]}, Erlang A",
                )
                ax.plot(
                    x,
                    d["erlang_c"] * scale,
                    color=st["color"],
                    linestyle=(":", "-.")[i],
                    linewidth=0.9,
                    marker="",
                    label=f"{_LABELS[design]}, Erlang C",
                )
                ax.errorbar(
                    x,
                    d["mean"] * scale,
                    yerr=d["half_width"] * scale,
                    fmt=st["marker"],
                    color=st["color"],
                    mfc="white",
                    label=f"{_LABELS[design]}, simulated (95% CI)",
                )
            ax.set_xscale("log")
            ax.set_xticks(sorted(set(table["total_agents"])))
            ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("total agents (log scale)")
            ax.set_ylabel(label)
        if np.nanmax(table.loc[table["kpi"] == "asa_s", "mean"]) > 0:
            axes[0, 1].set_yscale("log")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=7)
        rho = table["load_per_centre"].iloc[0] / table["agents_per_centre"].iloc[0]
        fig.suptitle(f"Pooling at {rho:.2f} Erlangs per agent: two half centres vs one")
    return fig


def main(argv: Sequence[str] | None = None) -> None:
    """Run the study from the command line (see the module docstring)."""
    args = parse_args("pooling", __doc__, argv)
    table = run(args)
    with atomic_folder(args.out) as folder:
        write_table(table, folder, "pooling")
        save_figure(figure(table), folder, "pooling")


if __name__ == "__main__":
    main(sys.argv[1:])
