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
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.report.style import REFERENCE, figure_style, line_style, scenario_title, unit_label

__all__ = ["agents_figure", "days_figure", "interval_figure", "intraday_profile"]


def intraday_profile(intervals: pd.DataFrame) -> pd.DataFrame:
    """Average each interval of the day over days and replications.

    Counts are means per day; rates are ratios of sums (so a quiet day does not
    weigh as much as a busy one), exactly as the KPIs are defined.
    """
    g = intervals.groupby(["interval", "clock"], sort=True)
    sums = g[
        [
            "offered",
            "answered",
            "abandoned",
            "answered_within_sl",
            "busy_agent_s",
            "available_agent_s",
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
                "service_level": sums["answered_within_sl"] / sums["offered"],
                "asa_s": wait / sums["answered"],
                "abandon_rate": sums["abandoned"] / sums["offered"],
                "occupancy": sums["busy_agent_s"] / sums["available_agent_s"],
            }
        )
    return out.reset_index()


def interval_figure(
    intervals: pd.DataFrame,
    title: str,
    sl_target: float,
    sl_threshold_s: float,
    scenario: str | None = None,
) -> Figure:
    """Four panels over the day: offered calls vs agents, service level, ASA, abandonment.

    The figure title is ``title``, prefixed by ``scenario`` when given
    (:func:`sim.report.style.scenario_title`). 12 x 7.5 inches.
    """
    p = intraday_profile(intervals)
    x = np.arange(len(p))
    n = len(p)
    with figure_style():
        fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True, layout="constrained")
        ax = axes[0, 0]
        ax.plot(x, p["offered"], label="offered (mean per day)", **line_style(0, n))
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
        lines = ax.get_legend_handles_labels()
        lines2 = ax2.get_legend_handles_labels()
        ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="lower center")
        ax.set_title("Offered calls and staffing")

        ax = axes[0, 1]
        ax.plot(x, 100 * p["service_level"], label="simulated", **line_style(0, n))
        ax.axhline(100 * sl_target, label=f"target {100 * sl_target:.0f}%", **REFERENCE)
        ax.set_ylabel(unit_label(f"answered within {sl_threshold_s:g} s", "% of offered"))
        ax.set_ylim(0, 105)
        ax.legend(loc="lower right")
        ax.set_title("Service level")

        ax = axes[1, 0]
        ax.plot(x, p["asa_s"], **line_style(0, n))
        ax.set_ylabel(unit_label("average speed of answer", "s"))
        ax.set_ylim(bottom=0)
        ax.set_title("Average speed of answer (ASA)")

        ax = axes[1, 1]
        ax.plot(x, 100 * p["abandon_rate"], label="abandoned (of offered calls)",
                **line_style(0, n))  # fmt: skip
        ax.plot(x, 100 * p["occupancy"], label="occupancy (of agent time)", **line_style(1, n))
        ax.set_ylabel(unit_label("abandoned, occupancy", "%"))
        ax.set_ylim(0, 105)
        ax.legend(loc="center right")
        ax.set_title("Abandonment and occupancy")

        step = max(1, n // 12)
        for ax in axes[1]:
            ax.set_xticks(x[::step], p["clock"].iloc[::step], rotation=45)
            ax.set_xlabel(unit_label("interval start", "time of day, HH:MM"))
        fig.suptitle(scenario_title(scenario, title) if scenario else title)
    return fig


_DAY_AXIS = unit_label("day of the run", "day, 1 = first")


def _per_day(days: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Mean, min and max over replications of every numeric column, by day."""
    g = days.groupby("day", sort=True)
    return g.mean(numeric_only=True), g.min(numeric_only=True), g.max(numeric_only=True)


def days_figure(
    days: pd.DataFrame, title: str, scenario: str | None = None, currency: str = "currency units"
) -> Figure:
    """Active customers, customers lost and won, and money, per day.

    Means over replications, with the range (min to max) of the replications shaded.
    The figure title is ``title``, prefixed by ``scenario`` when given. 13 x 4.4 inches.
    """
    mean, low, high = _per_day(days)
    d = mean.index.to_numpy() + 1  # day 1 is the first day
    n = len(d)
    with figure_style():
        fig, axes = plt.subplots(1, 3, figsize=(13, 4.4), layout="constrained")
        ax = axes[0]
        ax.plot(d, mean["active_end"], label="mean", **line_style(0, n))
        ax.fill_between(d, low["active_end"], high["active_end"], color="0.8",
                        label="range of replications")  # fmt: skip
        ax.set(title="Customer base", xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("active at day end", "customers"))
        ax.legend()
        ax = axes[1]
        ax.plot(d, mean["lost_service"] + mean["lost_wom"], label="lost to service",
                **line_style(0, n))  # fmt: skip
        ax.plot(d, mean["lost_background"], label="lost, other reasons", **line_style(1, n))
        ax.plot(d, mean["new_customers"], label="won", **line_style(2, n))
        ax.set(title="Customers lost and won", xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("customers", "customers per day"))
        ax.legend()
        ax = axes[2]  # revenue dwarfs agent cost: cost gets its own axis on the right
        ax.plot(d, mean["revenue"], label="revenue", **line_style(1, n))
        ax.plot(d, mean["profit"], label="profit (revenue - agent cost)", **line_style(0, n))
        ax.set(title="Money per day", xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("revenue, profit", f"{currency} per day"))
        right = ax.twinx()
        right.plot(d, mean["agent_cost"], label="agent cost (right axis)", **line_style(2, n))
        right.set_ylabel(unit_label("agent cost", f"{currency} per day"))
        right.set_ylim(0, 1.25 * float(mean["agent_cost"].max()) + 1e-9)
        right.grid(False)
        right.spines["right"].set_visible(True)
        lines = ax.get_lines() + right.get_lines()
        ax.legend(lines, [str(line.get_label()) for line in lines], loc="center right")
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        fig.suptitle(scenario_title(scenario, title) if scenario else title)
    return fig


def agents_figure(days: pd.DataFrame, title: str, scenario: str | None = None) -> Figure:
    """Agents per day (``workforce.enabled``): headcount and trainees, quits and hires,
    and mean fatigue with the quit hazard it implies. Means over replications, the
    headcount's min-max range shaded. 13 x 4.4 inches."""
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
        ax.set_ylim(bottom=0)
        ax.legend()
        ax = axes[1]
        ax.plot(d, mean["quits"].cumsum(), label="quits", **line_style(0, n))
        ax.plot(d, mean["hires"].cumsum(), label="hires (start of training)", **line_style(1, n))
        ax.set(title="Quits and hires, cumulative", xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("agents", "agents since day 1"))
        ax.legend()
        ax = axes[2]
        ax.plot(d, mean["fatigue_mean"], label="fatigue at call start", **line_style(0, n))
        ax.set(title="Fatigue and quit hazard", xlabel=_DAY_AXIS)
        ax.set_ylabel(unit_label("mean fatigue", "0-1"))
        ax.set_ylim(0, 1)
        right = ax.twinx()
        right.plot(d, mean["quit_hazard_annual"], label="quit hazard (right axis)",
                   **line_style(2, n))  # fmt: skip
        right.set_ylabel(unit_label("quit hazard", "share of agents per year"))
        right.set_ylim(bottom=0)
        right.grid(False)
        right.spines["right"].set_visible(True)
        lines = ax.get_lines() + right.get_lines()
        ax.legend(lines, [str(line.get_label()) for line in lines], loc="upper left")
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        fig.suptitle(scenario_title(scenario, title) if scenario else title)
    return fig
