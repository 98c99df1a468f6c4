"""One-at-a-time sensitivity: a tornado of profit and of customers lost against the main inputs.

Usage: ``python experiments/sensitivity.py [--quick] [--out DIR] [--replications N]
[--workers N] [key=value ...]``.

Starts from the baseline scenario (plus any overrides) and moves one input at a time to
a low and a high value (agents +-10 % in every interval, handle time, volume and money
+-10 %, shares +-0.05 or +-0.10, the word-of-mouth churn +-50 %; the patience mean or
scale +-10 % when the patience law has one: the default calibrated Genesys histogram has
none). Every run uses the same seed, so each change is measured against the base
replication by replication (common random numbers) with a paired confidence interval.

Writes ``parameters.csv`` (each input: key, base, low and high values, the change),
``sensitivity.csv`` (input x level x KPI: the paired difference from the base and its
interval), ``base.csv`` (the base run's KPIs), each also as Parquet, and
``tornado.png``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from common import (
    StudyArgs,
    atomic_folder,
    compact,
    kpi_rows,
    paired_differences,
    parse_args,
    replicate,
    save_figure,
    styled,
    write_table,
)
from matplotlib.figure import Figure

import sim

__all__ = ["KPIS", "Parameter", "main", "parameters", "run"]

#: KPIs whose sensitivity is reported (the tornado shows the first and the second).
KPIS = (
    "profit",
    "customers_lost_to_service",
    "customers_end",
    "service_level",
    "abandon_rate",
    "fcr",
    "revenue",
    "agent_cost",
)


@dataclass(frozen=True)
class Parameter:
    """One input moved to ``low`` and ``high`` (config values) from ``base``."""

    name: str
    key: str  # dotted config key
    base: Any
    low: Any
    high: Any
    change: str  # how low and high were chosen, e.g. "-10 % / +10 %"


def _scaled(value: Any, factor: float) -> Any:
    """``value`` x ``factor``; lists of agents element-wise, rounded, at least 0."""
    if isinstance(value, list):
        return [_scaled(v, factor) for v in value]
    if isinstance(value, int):
        return max(0, round(value * factor))
    return round(float(value) * factor, 10)


def _mean(value: Any) -> float:
    """A number for the table: the mean agents per interval for a staffing list."""
    return float(np.mean(value)) if isinstance(value, list) else float(value)


def parameters(base: sim.Config) -> list[Parameter]:
    """The inputs of the study and their low and high values, from the base config."""
    rel: list[tuple[str, str, float]] = [
        ("agents", "staffing.agents", 0.10),
        ("handle time (talk mean)", "service.talk.mean_s", 0.10),
        ("volume", "center.volume_per_day", 0.10),
        ("value per customer-day", "customers.value_per_day", 0.10),
        ("agent cost per hour", "economics.agent_cost_per_hour", 0.10),
        ("churn per negative message", "customers.churn.per_negative_message", 0.50),
    ]
    for attr in ("mean_s", "scale_s"):
        if getattr(base.patience, attr, None) is not None:  # the kinds that have it
            rel.append((f"patience ({attr})", f"patience.{attr}", 0.10))
    absolute: list[tuple[str, str, float]] = [
        ("first-contact resolution", "resolution.fcr", 0.05),
        ("churn after one bad issue", "customers.churn.after_one", 0.05),
        ("tell others after a bad issue", "customers.wom.tell_bad", 0.10),
        ("redial probability", "redials.probability", 0.10),
    ]
    out = []
    for name, key, r in rel:
        value = _get(base, key)
        out.append(
            Parameter(
                name,
                key,
                value,
                _scaled(value, 1 - r),
                _scaled(value, 1 + r),
                f"-{r:.0%} / +{r:.0%}",
            )
        )
    for name, key, d in absolute:
        value = float(_get(base, key))
        low, high = round(max(0.0, value - d), 10), round(min(1.0, value + d), 10)
        out.append(Parameter(name, key, value, low, high, f"-{d:g} / +{d:g}"))
    return out


def _get(cfg: Any, key: str) -> Any:
    for part in key.split("."):
        cfg = getattr(cfg, part)
    return cfg


@dataclass
class Outcome:
    """The study's tables."""

    parameters: pd.DataFrame
    sensitivity: pd.DataFrame
    base: pd.DataFrame


def run(args: StudyArgs) -> Outcome:
    """The base run, then each input at its low and high value, all on the same seed."""
    days, reps = (2, 3) if args.quick else (28, 10)
    base = sim.compose(
        ["scenario=baseline", f"run.days={days}", f"run.replications={reps}", *args.overrides]
    )
    conf = base.metrics.confidence
    base_reps = replicate(base, args, "base")
    rows = []
    params = parameters(base)
    for p in params:
        for level, value in (("low", p.low), ("high", p.high)):
            cfg = sim.load_config(base, **{p.key.replace(".", "__"): value})
            r = replicate(cfg, args, f"{p.name} {level}")
            d = paired_differences(base_reps.per_replication, r.per_replication, KPIS, conf)
            d.insert(0, "level", level)
            d.insert(0, "parameter", p.name)
            rows.append(d)
    table = pd.DataFrame(
        {
            "parameter": [p.name for p in params],
            "key": [p.key for p in params],
            "base": [_mean(p.base) for p in params],
            "low": [_mean(p.low) for p in params],
            "high": [_mean(p.high) for p in params],
            "change": [p.change for p in params],
        }
    )
    base_kpis = kpi_rows(base_reps.per_replication, KPIS, conf, days=base.run.days)
    return Outcome(table, pd.concat(rows, ignore_index=True), base_kpis)


_TORNADO = (
    ("profit", "profit - base profit (currency units)", True),
    ("customers_lost_to_service", "customers lost - base (customers)", False),
)


def _panel(ax: Any, s: pd.DataFrame, kpi: str, label: str, symlog: bool) -> None:
    d = s[s["kpi"] == kpi].pivot(index="parameter", columns="level")
    span = (d[("diff", "high")] - d[("diff", "low")]).abs()
    d = d.loc[span.sort_values().index]  # widest at the top
    y = np.arange(len(d))
    for level, hatch, face, off in (("low", "////", "white", -0.2), ("high", "", "0.35", 0.2)):
        ax.barh(
            y + off,
            d[("diff", level)],
            height=0.38,
            color=face,
            edgecolor="black",
            hatch=hatch,
            label=f"{level} value",
            xerr=d[("half_width", level)],
            error_kw={"capsize": 2, "elinewidth": 0.8},
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [str(i) for i in d.index])
    if symlog:  # one input (value per customer-day) may dwarf the others
        top = float(np.nanmax(np.abs(d["diff"].to_numpy())))
        if top > 0:
            ax.set_xscale("symlog", linthresh=top / 1000)
            label += " (symmetric log scale)"
    ax.set_xlabel(label)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: compact(v)))


def figure(sensitivity: pd.DataFrame, days: int) -> Figure:
    """The tornado: one bar per input and level, paired 95% interval, widest first.

    Each panel sorts the inputs by their own effect, so the orders may differ.
    """
    with styled():
        fig, axes = plt.subplots(1, 2, figsize=(11, 5))
        for ax, (kpi, label, symlog) in zip(axes, _TORNADO, strict=True):
            _panel(ax, sensitivity, kpi, label, symlog)
        axes[0].legend(loc="lower right")
        fig.suptitle(
            f"One-at-a-time sensitivity over {days} days (baseline)\nbars: difference from "
            "the base run, whiskers: paired 95% CI"
        )
    return fig


def main(argv: Sequence[str] | None = None) -> None:
    """Run the study from the command line (see the module docstring)."""
    args = parse_args("sensitivity", __doc__, argv)
    out = run(args)
    days = int(out.base["days"].iloc[0])
    with atomic_folder(args.out) as folder:
        write_table(out.parameters, folder, "parameters")
        write_table(out.sensitivity, folder, "sensitivity")
        write_table(out.base, folder, "base")
        save_figure(figure(out.sensitivity, days), folder, "tornado")


if __name__ == "__main__":
    main(sys.argv[1:])
