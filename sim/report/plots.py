"""Figures of a run: each planning interval of the day; customers and money per day.

Drawn in the project's one style (:mod:`sim.report.style`): matplotlib's Agg backend (no
screen needed), every axis labelled with its unit, lines told apart by marker and line
style as well as colour (readable in black and white), the scenario named first in the
title. The figures are returned open; the caller saves (at :data:`sim.report.style.DPI`) and
closes them.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter
from scipy import stats

from sim.report.style import (
    REFERENCE,
    figure_style,
    line_style,
    place_legend,
    scenario_title,
    unit_label,
)

__all__ = [
    "BAND_SERIES",
    "agents_figure",
    "days_figure",
    "interval_figure",
    "intraday_bands",
    "intraday_profile",
    "sl_base",
]

#: Series of :func:`intraday_profile` the interval figure draws with confidence bands.
BAND_SERIES = ("offered", "service_level", "asa_s", "abandon_rate", "occupancy")


def sl_base(intervals: pd.DataFrame) -> pd.Series:
    """The service level's base per row of an ``intervals`` table with callbacks: the
    calls that stayed on the line, ``offered`` minus the callers who took a callback
    (docs/background/metrics.md). The table does not hold it as a column (its schema
    is fixed): where some call was answered within T it is exactly
    ``answered_within_sl / service_level`` (an integer, rounded off the division's
    last bit), else ``answered + abandoned + blocked`` (it misses the calls a ``cut``
    closing ended, which then weigh nothing in the average day)."""
    within = intervals["answered_within_sl"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        exact = np.rint(within / intervals["service_level"].to_numpy(float))
    ended = (intervals["answered"] + intervals["abandoned"] + intervals["blocked"]).to_numpy(float)
    return pd.Series(np.where(within > 0, exact, ended), index=intervals.index)


def intraday_profile(intervals: pd.DataFrame, callbacks: bool = False) -> pd.DataFrame:
    """Average each interval of the day over days and replications.

    Counts are means per day; rates are ratios of sums (so a quiet day does not
    weigh as much as a busy one), exactly as the KPIs are defined. ``callbacks``: the
    service level's base leaves out the callers who took a callback (:func:`sl_base`).
    """
    if callbacks:
        intervals = intervals.assign(sl_base=sl_base(intervals))
    g = intervals.groupby(["interval", "clock"], sort=True)
    sums = g[
        [
            "offered",
            "answered",
            "abandoned",
            "answered_within_sl",
            "busy_agent_s",
            "available_agent_s",
            *(["sl_base"] if callbacks else []),
        ]
    ].sum()
    n = g.size()
    wait = (
        (intervals["asa_s"].fillna(0) * intervals["answered"])
        .groupby([intervals["interval"], intervals["clock"]])
        .sum()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "offered": sums["offered"] / n,
                "expected_calls": g["expected_calls"].mean(),
                "scheduled_agents": g["scheduled_agents"].mean(),
                "agents_present": g["agents_present"].mean(),
                "service_level": sums["answered_within_sl"]
                / sums["sl_base" if callbacks else "offered"],
                "asa_s": wait / sums["answered"],
                "abandon_rate": sums["abandoned"] / sums["offered"],
                "occupancy": sums["busy_agent_s"] / sums["available_agent_s"],
            }
        )
    return out.reset_index()


def intraday_bands(
    intervals: pd.DataFrame, confidence: float = 0.95, callbacks: bool = False
) -> pd.DataFrame | None:
    """Half-widths of Student-t confidence intervals of :data:`BAND_SERIES`, per interval.

    Each replication's average day (:func:`intraday_profile` of its rows) is one
    independent observation; the half-width is ``t(confidence, R-1) * sd / sqrt(R)``
    over the ``R`` replications, in the series' units (shares as fractions, seconds).
    Rows are the intervals of :func:`intraday_profile`, in its order. None without a
    ``replication`` column or with fewer than 2 replications.
    """
    if "replication" not in intervals.columns:
        return None
    reps = intervals["replication"].nunique()
    if reps < 2:
        return None
    per = pd.concat(
        [intraday_profile(rows, callbacks).assign(replication=r)
         for r, rows in intervals.groupby("replication", sort=True)],
        ignore_index=True,
    )  # fmt: skip
    g = per.groupby(["interval", "clock"], sort=True)[list(BAND_SERIES)]
    n = g.count()
    tq = stats.t.ppf(0.5 + confidence / 2, np.maximum(n.to_numpy(float) - 1, 1))
    half = pd.DataFrame(tq, index=n.index, columns=n.columns) * g.std(ddof=1) / n.pow(0.5)
    half = half.where(n >= 2)
    half.attrs["replications"] = int(reps)
    return half.reset_index()


def _band(ax: Axes, x: np.ndarray, mean: pd.Series, half: pd.Series | None, i: int,
          label: str | None, scale: float = 1.0, top: float | None = None) -> None:  # fmt: skip
    """Shade ``mean`` +- ``half`` (clipped to [0, ``top``]) in the colour of line ``i``."""
    if half is None or not np.isfinite(half.to_numpy(float)).any():
        return
    low = np.clip(scale * (mean - half).to_numpy(float), 0.0, top)
    high = np.clip(scale * (mean + half).to_numpy(float), 0.0, top)
    ax.fill_between(x, low, high, color=line_style(i)["color"], alpha=0.18, linewidth=0,
                    label=label)  # fmt: skip


def interval_figure(
    intervals: pd.DataFrame,
    title: str,
    sl_target: float,
    sl_threshold_s: float,
    scenario: str | None = None,
    confidence: float = 0.95,
    callbacks: bool = False,
) -> Figure:
    """Four panels over the day: offered calls vs agents, service level, ASA, abandonment.
    ``callbacks``: the run offered callbacks (the service level of the calls that stayed
    on the line, :func:`intraday_profile`).

    With 2 replications or more, each simulated line has its Student-t ``confidence``
    band over replications (:func:`intraday_bands`), clipped at 0 (and 100%). The
    figure title is ``title``, prefixed by ``scenario`` when given
    (:func:`sim.report.style.scenario_title`). 12 x 7.5 inches.
    """
    p = intraday_profile(intervals, callbacks)
    bands = intraday_bands(intervals, confidence, callbacks)
    x = np.arange(len(p))
    n = len(p)

    def half(name: str) -> pd.Series | None:
        return None if bands is None else bands[name]

    ci = (None if bands is None else
          f"{confidence:.0%} CI over {bands.attrs['replications']} replications")  # fmt: skip
    with figure_style():
        fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True, layout="constrained")
        ax = axes[0, 0]
        ax.plot(x, p["offered"], label="offered (mean per day)", **line_style(0, n))
        _band(ax, x, p["offered"], half("offered"), 0, ci)
        ax.plot(x, p["expected_calls"], label="forecast", **line_style(1, n))
        ax.set_ylabel(unit_label("offered calls", "calls per interval"))
        ax.set_ylim(bottom=0)
        ax2 = ax.twinx()
        ax2.step(x, p["scheduled_agents"], where="mid", label="agents scheduled",
                 **line_style(2, n))  # fmt: skip
        ax2.set_ylabel(unit_label("staffing", "agents"))
        ax2.set_ylim(bottom=0)
        ax2.grid(False)
        ax2.spines["right"].set_visible(True)
        ax.set_title("Offered calls and staffing")

        ax = axes[0, 1]
        ax.plot(x, 100 * p["service_level"], label="simulated", **line_style(0, n))
        _band(ax, x, p["service_level"], half("service_level"), 0, ci, 100.0, 100.0)
        ax.axhline(100 * sl_target, label=f"target {100 * sl_target:.0f}%", **REFERENCE)
        of = "% of calls on the line" if callbacks else "% of offered"
        ax.set_ylabel(unit_label(f"answered within {sl_threshold_s:g} s", of))
        ax.set_ylim(0, 105)
        ax.set_yticks(range(0, 101, 20))  # room above 100% for a legend shows no tick
        ax.set_title("Service level")

        ax = axes[1, 0]
        ax.plot(x, p["asa_s"], label="simulated", **line_style(0, n))
        _band(ax, x, p["asa_s"], half("asa_s"), 0, ci)
        ax.set_ylabel(unit_label("average speed of answer", "s"))
        ax.set_ylim(bottom=0)
        ax.set_title("Average speed of answer (ASA)")

        ax = axes[1, 1]
        ax.plot(x, 100 * p["abandon_rate"], label="abandoned (of offered calls)",
                **line_style(0, n))  # fmt: skip
        _band(ax, x, p["abandon_rate"], half("abandon_rate"), 0, ci, 100.0, 100.0)
        ax.plot(x, 100 * p["occupancy"], label="occupancy (of agent time)", **line_style(1, n))
        _band(ax, x, p["occupancy"], half("occupancy"), 1, None, 100.0, 100.0)
        ax.set_ylabel(unit_label("abandoned, occupancy", "%"))
        ax.set_ylim(0, 105)
        ax.set_yticks(range(0, 101, 20))  # room above 100% for a legend shows no tick
        ax.set_title("Abandonment and occupancy")

        step = max(1, n // 12)
        for ax in axes[1]:
            ax.set_xticks(x[::step], p["clock"].iloc[::step], rotation=45)
            ax.set_xlabel(unit_label("interval start", "time of day, HH:MM"))
        fig.suptitle(scenario_title(scenario, title) if scenario else title)
        # legends last, where they cover the fewest points (twin axis included)
        place_legend(axes[0, 0], also=[ax2])
        for ax in (axes[0, 1], axes[1, 0], axes[1, 1]):
            place_legend(ax)
    return fig


#: Tick labels with thousands separators (400,000, not 400000 or an offset "1e6").
_THOUSANDS = StrMethodFormatter("{x:,.0f}")

_DAY_AXIS = unit_label("day of the run", "day, 1 = first")


def _per_day(days: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Mean, min and max over replications of every numeric column, by day."""
    g = days.groupby("day", sort=True)
    return g.mean(numeric_only=True), g.min(numeric_only=True), g.max(numeric_only=True)


def _change(series: pd.Series, unit: str) -> str:
    """``+1,690 customers (+0.42%), day 1 to 28``: the mean's change from day 1 to the
    last day (the axis starts at 0, so a small relative change looks small)."""
    first, last = float(series.iloc[0]), float(series.iloc[-1])
    text = f"{last - first:+,.0f} {unit}"
    if first:
        text += f" ({100 * (last - first) / abs(first):+.2g}%)"
    return f"{text}, day 1 to {len(series)}"


def days_figure(
    days: pd.DataFrame, title: str, scenario: str | None = None, currency: str = "currency units"
) -> Figure:
    """Active customers, customers lost and won, and money, per day.

    Means over replications, with the range (min to max) of the replications shaded.
    Every y axis starts at 0 (a cut axis made a 0.4% rise of the customer base look
    steep); the panels' subtitles state the change of the customer base and of the
    profit from day 1 to the last day. Legends go where they cover the fewest points.
    The figure title is ``title``, prefixed by ``scenario`` when given. 13 x 4.6 inches.
    """
    mean, low, high = _per_day(days)
    d = mean.index.to_numpy() + 1  # day 1 is the first day
    n = len(d)
    with figure_style():
        fig, axes = plt.subplots(1, 3, figsize=(13, 4.6), layout="constrained")
        ax = axes[0]
        ax.plot(d, mean["active_end"], label="mean", **line_style(0, n))
        ax.fill_between(d, low["active_end"], high["active_end"], color="0.8",
                        label="range of replications")  # fmt: skip
        ax.set_title(f"Customer base\n{_change(mean['active_end'], 'customers')}")
        ax.set(xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("active at day end", "customers"))
        ax.set_ylim(0, 1.15 * float(high["active_end"].max()) + 1e-9)
        ax.yaxis.set_major_formatter(_THOUSANDS)
        ax = axes[1]
        ax.plot(d, mean["lost_service"] + mean["lost_wom"], label="lost to service",
                **line_style(0, n))  # fmt: skip
        ax.plot(d, mean["lost_background"], label="lost, other reasons", **line_style(1, n))
        ax.plot(d, mean["new_customers"], label="won", **line_style(2, n))
        ax.set(title="Customers lost and won\nmean per day", xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("customers", "customers per day"))
        ax.set_ylim(bottom=0)
        ax = axes[2]  # revenue dwarfs agent cost: cost gets its own axis on the right
        ax.plot(d, mean["revenue"], label="revenue", **line_style(1, n))
        ax.plot(d, mean["profit"], label="profit (revenue - agent cost)", **line_style(0, n))
        ax.set_title(f"Money per day\nprofit {_change(mean['profit'], currency)}")
        ax.yaxis.set_major_formatter(_THOUSANDS)
        ax.set(xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("revenue, profit", f"{currency} per day"))
        top = max(float(mean["revenue"].max()), float(mean["profit"].max()), 0.0)
        ax.set_ylim(min(0.0, 1.15 * float(mean["profit"].min())), 1.4 * top + 1e-9)
        right = ax.twinx()
        right.plot(d, mean["agent_cost"], label="agent cost (right axis)", **line_style(2, n))
        right.set_ylabel(unit_label("agent cost", f"{currency} per day"))
        right.set_ylim(0, 2.5 * float(mean["agent_cost"].max()) + 1e-9)  # below revenue
        right.yaxis.set_major_formatter(_THOUSANDS)
        right.grid(False)
        right.spines["right"].set_visible(True)
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        fig.suptitle(scenario_title(scenario, title) if scenario else title)
        place_legend(axes[0])
        place_legend(axes[1])
        place_legend(axes[2], also=[right])
    return fig


def agents_figure(days: pd.DataFrame, title: str, scenario: str | None = None) -> Figure:
    """Agents per day (``workforce.enabled``): headcount and trainees, quits and hires,
    and mean fatigue with the quit hazard it implies. Means over replications, the
    headcount's min-max range shaded; y axes from 0; legends where they cover the fewest
    points, the twin axis's line included. 13 x 4.4 inches."""
    mean, low, high = _per_day(days)
    d = mean.index.to_numpy() + 1  # day 1 is the first day
    n = len(d)
    with figure_style():
        fig, axes = plt.subplots(1, 3, figsize=(13, 4.4), layout="constrained")
        ax = axes[0]
        ax.plot(d, mean["headcount"], label="answering calls (mean)", **line_style(0, n))
        ax.fill_between(d, low["headcount"], high["headcount"], color="0.8",
                        label="range of replications")  # fmt: skip
        ax.plot(d, mean["in_training"], label="in training", **line_style(1, n))
        ax.set(title="Headcount at day end", xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("agents", "agents"))
        ax.set_ylim(0, 1.15 * float(high["headcount"].max()) + 1e-9)
        ax = axes[1]
        ax.plot(d, mean["quits"].cumsum(), label="quits", **line_style(0, n))
        ax.plot(d, mean["hires"].cumsum(), label="hires (start of training)", **line_style(1, n))
        ax.set(title="Quits and hires, cumulative", xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("agents", "agents since day 1"))
        ax.set_ylim(bottom=0)
        ax = axes[2]
        ax.plot(d, mean["fatigue_mean"], label="fatigue at call start", **line_style(0, n))
        ax.set(title="Fatigue and quit hazard", xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("mean fatigue", "0-1"))
        ax.set_ylim(0, 1)
        right = ax.twinx()
        right.plot(d, mean["quit_hazard_annual"], label="quit hazard (right axis)",
                   **line_style(2, n))  # fmt: skip
        right.set_ylabel(unit_label("quit hazard", "share of agents per year"))
        # room above the hazard line, so that a legend fits without covering it
        right.set_ylim(0, 1.6 * float(mean["quit_hazard_annual"].max()) + 1e-9)
        right.grid(False)
        right.spines["right"].set_visible(True)
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        fig.suptitle(scenario_title(scenario, title) if scenario else title)
        place_legend(axes[0])
        place_legend(axes[1])
        place_legend(axes[2], also=[right])
    return fig
