"""Long horizon: customers (and agents) day by day over a year, understaffed against baseline.

Usage: ``python experiments/long_horizon.py [--quick] [--out DIR] [--replications N]
[--workers N] [key=value ...]``.

Runs the baseline and the understaffed scenario for ``run.days = 365`` on the same seed
(common random numbers) and follows, day by day, the active customers, the customers
lost to service, the day's service level and abandonment, and the cumulative profit,
with confidence bands over replications, and the paired differences (understaffed
minus baseline) of the customer base and of the cumulative profit: the slow spiral of
saving on agents. When the days
table carries the agent model's columns (``headcount``, ``quits``, ``hires``,
``fatigue_mean``) their panels are drawn too; without them they are skipped. ``--quick``
runs 7 days with a customer base of 40,000.

Writes ``days.csv`` (scenario x day: mean and half-width of each daily series),
``summary.csv`` (scenario x KPI over the run), ``differences.csv`` (understaffed minus
baseline, paired), each also as Parquet, and ``long_horizon.png``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from common import (
    StudyArgs,
    atomic_folder,
    compact,
    days_mean,
    kpi_rows,
    paired_differences,
    parse_args,
    replicate,
    save_figure,
    series,
    styled,
    write_table,
)
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

import sim

__all__ = ["AGENT_COLUMNS", "KPIS", "SCENARIOS", "daily", "main", "run"]

SCENARIOS = ("baseline", "understaffed")
#: Columns the agent model adds to the days table (plotted when present).
AGENT_COLUMNS = ("headcount", "quits", "hires", "fatigue_mean")
#: Daily series of every run (``service_level`` and ``abandon_rate`` are per day;
#: ``cum_*`` are running totals from day 0).
SERIES = (
    "active_end",
    "lost_to_service",
    "new_customers",
    "offered",
    "service_level",
    "abandon_rate",
    "profit",
    "cum_lost_to_service",
    "cum_profit",
)
KPIS = (
    "service_level",
    "abandon_rate",
    "customers_lost_to_service",
    "customers_end",
    "revenue",
    "agent_cost",
    "profit",
    "quits",
    "hires",
    "attrition_annual",
    "fatigue_mean",
)


def daily(reps: sim.Replications) -> pd.DataFrame:
    """Per replication and day: the days table plus service level, abandonment, customers
    lost to service (``lost_service`` + ``lost_wom``, as the KPI), running sums.

    The day's service level is answered within the threshold / offered, summed over the
    day's intervals (the same ratio of sums as the run's KPI).
    """
    iv = reps.intervals.groupby(["replication", "day"], as_index=False)[
        ["answered_within_sl", "offered"]
    ].sum()
    iv["service_level"] = iv["answered_within_sl"] / iv["offered"].where(iv["offered"] > 0)
    d = reps.days.merge(iv[["replication", "day", "service_level"]], on=["replication", "day"])
    d["abandon_rate"] = d["abandoned"] / d["offered"].where(d["offered"] > 0)
    d["lost_to_service"] = d["lost_service"] + d["lost_wom"]  # as the run's KPI counts them
    d = d.sort_values(["replication", "day"])
    g = d.groupby("replication")
    d["cum_lost_to_service"] = g["lost_to_service"].cumsum()
    d["cum_profit"] = g["profit"].cumsum()
    for col in _CUMULATED:  # agent flows: daily counts are mostly 0 or 1, totals read
        if col in d.columns:
            d[f"cum_{col}"] = g[col].cumsum()
    return d


@dataclass
class Outcome:
    """The study's tables; ``agent_columns`` are the agent-model columns with data."""

    days: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    agent_columns: tuple[str, ...]


def run(args: StudyArgs) -> Outcome:
    """Both scenarios on the same seed; daily means, run KPIs, paired differences."""
    size = (
        [
            "run.days=7",
            "run.replications=3",
            "customers.initial=40000",
            "customers.market_size=100000",
        ]
        if args.quick
        else ["run.days=365", "run.replications=10"]
    )
    per: dict[str, pd.DataFrame] = {}
    raw: dict[str, pd.DataFrame] = {}
    tables, summaries = [], []
    conf = 0.95
    for name in SCENARIOS:
        cfg = sim.compose([f"scenario={name}", *size, *args.overrides])
        conf = cfg.metrics.confidence
        reps = replicate(cfg, args, name)
        per[name] = reps.per_replication
        d = raw[name] = daily(reps)
        cols = [*SERIES, *(c for c in AGENT_COLUMNS if c in d.columns)]
        cols += [f"cum_{c}" for c in _CUMULATED if c in d.columns]
        if name != SCENARIOS[0]:  # the customer base against the baseline, paired by day
            base = raw[SCENARIOS[0]][["replication", "day", "active_end", "cum_profit"]]
            d = d.merge(base, on=["replication", "day"], suffixes=("", "_base"))
            d["active_vs_baseline"] = d["active_end"] - d["active_end_base"]
            d["cum_profit_vs_baseline"] = d["cum_profit"] - d["cum_profit_base"]
            cols += ["active_vs_baseline", "cum_profit_vs_baseline"]
        table = days_mean(d, cols, conf)
        table.insert(0, "scenario", name)
        tables.append(table)
        summaries.append(kpi_rows(reps.per_replication, KPIS, conf, scenario=name))
    diff = paired_differences(per[SCENARIOS[0]], per[SCENARIOS[1]], KPIS, conf)
    diff.insert(0, "scenario", SCENARIOS[1])
    days = pd.concat(tables, ignore_index=True)
    # agent panels only for columns that exist and hold numbers (the model may be off)
    found = tuple(c for c in AGENT_COLUMNS if c in days.columns and days[c].notna().any())
    return Outcome(days, pd.concat(summaries, ignore_index=True), diff, found)


def _band(ax: Axes, t: pd.DataFrame, col: str, i: int, label: str, smooth: bool) -> None:
    """Mean over replications and its 95% band; ``smooth``: a 7-day moving average of
    the mean instead, without band (a daily rate is too noisy to read over a year)."""
    st = series(i)
    scale = _SCALE.get(col, 1.0)
    y = t[col] * scale
    if smooth:
        y = y.rolling(7, center=True, min_periods=1).mean()
    ax.plot(
        t["day"],
        y,
        color=st["color"],
        linestyle=st["linestyle"],
        marker=st["marker"],
        markevery=max(1, len(t) // 12),
        label=label,
    )
    if not smooth:
        half = t[f"{col}_half_width"].fillna(0.0) * scale
        ax.fill_between(t["day"], y - half, y + half, color=st["color"], alpha=0.18, linewidth=0)


_PANELS = (
    ("active_end", "active customers at the end of the day"),
    ("active_vs_baseline", "customers: understaffed - baseline (paired)"),
    ("service_level", "service level of the day (%)"),
    ("cum_lost_to_service", "customers lost to service, cumulative"),
    ("cum_profit_vs_baseline", "cumulative profit: understaffed - baseline"),
    ("abandon_rate", "abandoned / offered of the day (%)"),
)
_AGENT_PANELS = {
    "headcount": "agents employed at the end of the day",
    "quits": "agents quitting per day",
    "hires": "agents hired per day",
    "fatigue_mean": "mean agent fatigue at call start",
}
#: Agent flows drawn as running totals (``cum_<col>``) when the days table has them.
_CUMULATED = ("quits", "hires")
_CUM_LABELS = {"quits": "agents who quit, cumulative", "hires": "agents hired, cumulative"}
_SCALE = {"service_level": 100.0, "abandon_rate": 100.0}
#: Daily series drawn as a 7-day moving average over long runs.
_NOISY = {"service_level", "abandon_rate", "quits", "hires", "fatigue_mean"}
_SMOOTH_AFTER_DAYS = 56


def figure(days: pd.DataFrame, agent_columns: Sequence[str]) -> Figure:
    """Daily panels (mean over replications, 95% band); agent panels when present.

    Over more than 8 weeks the daily rates (service level, abandonment, fatigue) are
    drawn as 7-day moving averages of the mean, without band; quits and hires as running
    totals (``cum_quits``, ``cum_hires``) when present.
    """
    agent_panels = [
        (f"cum_{c}", _CUM_LABELS[c]) if f"cum_{c}" in days.columns else (c, _AGENT_PANELS[c])
        for c in agent_columns
    ]
    panels = [*_PANELS, *agent_panels]
    n_days = int(days["day"].max()) + 1
    rows = (len(panels) + 1) // 2
    with styled():
        fig, axes = plt.subplots(rows, 2, figsize=(11, 2.8 * rows), sharex=True)
        for ax, (col, label) in zip(axes.flat, panels, strict=False):
            smooth = col in _NOISY and n_days > _SMOOTH_AFTER_DAYS
            for i, name in enumerate(SCENARIOS):
                t = days[days["scenario"] == name]
                if col in t.columns and t[col].notna().any():
                    _band(ax, t, col, i, name, smooth)
            if col.endswith("_vs_baseline"):
                ax.axhline(0.0, color="black", linewidth=0.8)
            ax.set_ylabel(label + (",\n7-day moving average" if smooth else ""), fontsize=8)
            ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: compact(v)))
        for ax in axes.flat[len(panels) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("day")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.flat[0].legend(loc="best")
        fig.suptitle(f"{n_days} days, understaffed vs baseline (mean over replications, 95% band)")
    return fig


def main(argv: Sequence[str] | None = None) -> None:
    """Run the study from the command line (see the module docstring)."""
    args = parse_args("long_horizon", __doc__, argv)
    out = run(args)
    with atomic_folder(args.out) as folder:
        write_table(out.days, folder, "days")
        write_table(out.summary, folder, "summary")
        write_table(out.differences, folder, "differences")
        save_figure(figure(out.days, out.agent_columns), folder, "long_horizon")


if __name__ == "__main__":
    main(sys.argv[1:])
