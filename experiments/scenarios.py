"""Scenario comparison: every business scenario against the baseline, on common random numbers.

Usage: ``python experiments/scenarios.py [--quick] [--out DIR] [--replications N]
[--workers N] [key=value ...]``.

Runs every scenario of ``sim/config/yaml/scenario/`` except the queue-theory ``steady_*`` ones
(baseline, understaffed, empowered_agents, poor_resolution, and any added later) with
the same seed, so replication ``r`` of each scenario sees the same fresh calls, patience,
talk times and customers (common random numbers). Reports the queue KPIs, first-contact
resolution, customers lost and at the end, money, and the agents (quits, annualised
attrition, fatigue: NaN with ``workforce=none``), with confidence intervals over
replications; and each scenario's difference from the baseline, paired over
replications (what common random numbers buy) beside the unpaired interval of the same
numbers.

Writes ``scenarios.csv`` (scenario x KPI: mean and interval), ``differences.csv``
(scenario x KPI: paired difference from the baseline and its interval, the unpaired
half-width), ``replications.csv`` (scenario x replication: every KPI), each also as
Parquet, and the figures ``scenarios.png`` and ``differences.png``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from common import (
    ROOT,
    StudyArgs,
    atomic_folder,
    compact,
    kpi_rows,
    paired_differences,
    parse_args,
    replicate,
    save_figure,
    series,
    styled,
    write_table,
)
from matplotlib.figure import Figure

import sim

__all__ = ["BASELINE", "KPIS", "main", "run", "scenario_names"]

BASELINE = "baseline"
#: KPIs reported for every scenario (units in docs/reference/outputs.md).
KPIS = (
    "offered",
    "service_level",
    "asa_s",
    "abandon_rate",
    "occupancy",
    "fcr",
    "bad_experience_rate",
    "customers_lost_to_service",
    "customers_end",
    "revenue",
    "agent_cost",
    "profit",
    "value_lost_to_service",
    "quits",
    "attrition_annual",
    "fatigue_mean",
)


@dataclass(frozen=True)
class Size:
    """Simulated days and replications of every scenario."""

    days: int
    replications: int


FULL = Size(days=28, replications=10)
QUICK = Size(days=2, replications=4)


def scenario_names() -> list[str]:
    """The business scenarios of ``sim/config/yaml/scenario/``: baseline first, no ``steady_*``."""
    names = sorted(p.stem for p in (ROOT / "sim" / "config" / "yaml" / "scenario").glob("*.yaml"))
    names = [n for n in names if not n.startswith("steady_")]
    if BASELINE not in names:
        raise FileNotFoundError(f"sim/config/yaml/scenario/{BASELINE}.yaml is missing")
    return [BASELINE, *(n for n in names if n != BASELINE)]


@dataclass
class Outcome:
    """The study's tables."""

    summary: pd.DataFrame
    differences: pd.DataFrame
    replications: pd.DataFrame


def run(args: StudyArgs) -> Outcome:
    """Every scenario with the same seed; summaries and paired differences."""
    size = QUICK if args.quick else FULL
    per: dict[str, pd.DataFrame] = {}
    summaries, diffs = [], []
    confidence = 0.95
    for name in scenario_names():
        cfg = sim.compose(
            [
                f"scenario={name}",
                f"run.days={size.days}",
                f"run.replications={size.replications}",
                *args.overrides,
            ]
        )
        confidence = cfg.metrics.confidence
        reps = replicate(cfg, args, name)
        per[name] = reps.per_replication
        summaries.append(kpi_rows(reps.per_replication, KPIS, confidence, scenario=name))
        if name != BASELINE:
            d = paired_differences(per[BASELINE], reps.per_replication, KPIS, confidence)
            d.insert(0, "scenario", name)
            diffs.append(d)
    stacked = pd.concat(
        [p[["replication", *KPIS]].assign(scenario=n) for n, p in per.items()], ignore_index=True
    )
    stacked = stacked[["scenario", "replication", *KPIS]]
    return Outcome(
        pd.concat(summaries, ignore_index=True), pd.concat(diffs, ignore_index=True), stacked
    )


_PANELS = (
    ("service_level", "service level (20 s, %)", 100.0),
    ("asa_s", "ASA (s)", 1.0),
    ("abandon_rate", "abandoned / offered (%)", 100.0),
    ("fcr", "first-contact resolution (%)", 100.0),
    ("customers_lost_to_service", "customers lost to service", 1.0),
    ("profit", "profit (currency units, millions)", 1e-6),
    ("fatigue_mean", "agent fatigue at call start (0-1)", 1.0),
    ("attrition_annual", "agent attrition (annualised, %)", 100.0),
)


def figure(summary: pd.DataFrame) -> Figure:
    """KPIs of each scenario with their confidence intervals, one panel per KPI."""
    names = list(dict.fromkeys(summary["scenario"]))
    with styled():
        fig, axes = plt.subplots(2, 4, figsize=(15, 8), sharex=True)
        for ax, (kpi, label, scale) in zip(axes.flat, _PANELS, strict=True):
            for i, name in enumerate(names):
                row = summary[(summary["scenario"] == name) & (summary["kpi"] == kpi)].iloc[0]
                st = series(i)
                ax.errorbar(
                    [i],
                    [row["mean"] * scale],
                    yerr=[row["half_width"] * scale],
                    fmt=st["marker"],
                    color=st["color"],
                    label=name,
                )
            ax.set_xticks(range(len(names)), names, rotation=35, ha="right")
            ax.set_xlim(-0.5, len(names) - 0.5)
            ax.set_title(label, fontsize=11)
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=len(names))
        fig.suptitle("Scenarios: mean over replications and 95% confidence interval")
    return fig


_DIFF_PANELS = (
    ("customers_lost_to_service", "customers lost to service"),
    ("customers_end", "customers at the end"),
    ("profit", "profit (currency units)"),
)


def differences_figure(differences: pd.DataFrame) -> Figure:
    """Each scenario minus the baseline: paired (CRN) and unpaired 95% intervals."""
    names = list(dict.fromkeys(differences["scenario"]))
    with styled():
        fig, axes = plt.subplots(1, 3, figsize=(13, 4.5), sharey=True)
        for ax, (kpi, label) in zip(axes, _DIFF_PANELS, strict=True):
            d = differences[differences["kpi"] == kpi].set_index("scenario").loc[names]
            y = np.arange(len(names))
            ax.errorbar(
                d["diff"],
                y - 0.12,
                xerr=d["half_width"],
                fmt="o",
                color="black",
                label="paired over replications (CRN)",
            )
            ax.errorbar(
                d["diff"],
                y + 0.12,
                xerr=d["unpaired_half_width"],
                fmt="s",
                color="grey",
                mfc="white",
                linestyle="none",
                label="unpaired (as if independent)",
            )
            ax.axvline(0.0, color="black", linewidth=0.8)
            ax.set_yticks(y, names)
            ax.set_title(label, fontsize=11)
            ax.set_xlabel(f"scenario - {BASELINE}")
            ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: compact(v)))
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=2)
        fig.suptitle(f"Scenario minus {BASELINE}, with 95% confidence intervals")
    return fig


def main(argv: Sequence[str] | None = None) -> None:
    """Run the study from the command line (see the module docstring)."""
    args = parse_args("scenarios", __doc__, argv)
    out = run(args)
    with atomic_folder(args.out) as folder:
        write_table(out.summary, folder, "scenarios")
        write_table(out.differences, folder, "differences")
        write_table(out.replications, folder, "replications")
        save_figure(figure(out.summary), folder, "scenarios")
        save_figure(differences_figure(out.differences), folder, "differences")


if __name__ == "__main__":
    main(sys.argv[1:])
