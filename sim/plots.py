"""Figures of a run: each planning interval of the day; customers and money per day.

One consistent style: matplotlib's Agg backend (no screen needed), axes labelled with
units, lines told apart by marker and dash as well as colour (readable in black and
white), the scenario named in the title.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["days_figure", "interval_figure", "intraday_profile"]


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
    intervals: pd.DataFrame, title: str, sl_target: float, sl_threshold_s: float
) -> Figure:
    """Four panels over the day: offered calls vs agents, service level, ASA, abandonment."""
    p = intraday_profile(intervals)
    x = np.arange(len(p))
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True, layout="constrained")
    ax = axes[0, 0]
    ax.plot(x, p["offered"], "o-", color="black", label="offered calls (mean per day)")
    ax.plot(x, p["expected_calls"], ":", color="0.4", label="forecast calls")
    ax.set_ylabel("calls per interval")
    ax2 = ax.twinx()
    ax2.step(
        x, p["scheduled_agents"], where="mid", color="tab:blue", ls="--", label="agents scheduled"
    )
    ax2.set_ylabel("agents")
    ax2.set_ylim(bottom=0)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper right", fontsize=8)
    ax.set_title("Offered calls and staffing")

    ax = axes[0, 1]
    ax.plot(x, 100 * p["service_level"], "s-", color="black", label="simulated")
    ax.axhline(100 * sl_target, color="tab:red", ls="--", label=f"target {100 * sl_target:.0f}%")
    ax.set_ylabel(f"% answered within {sl_threshold_s:g} s")
    ax.set_ylim(0, 105)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Service level (of offered calls)")

    ax = axes[1, 0]
    ax.plot(x, p["asa_s"], "^-", color="black")
    ax.set_ylabel("seconds")
    ax.set_ylim(bottom=0)
    ax.set_title("Average speed of answer (ASA)")

    ax = axes[1, 1]
    ax.plot(x, 100 * p["abandon_rate"], "v-", color="black", label="abandoned")
    ax.plot(x, 100 * p["occupancy"], "d--", color="tab:blue", label="agent occupancy")
    ax.set_ylabel("% of offered calls / % of agent time")
    ax.set_ylim(0, 105)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("Abandonment and occupancy")

    step = max(1, len(p) // 12)
    for ax in axes[1]:
        ax.set_xticks(x[::step], p["clock"].iloc[::step], rotation=45)
        ax.set_xlabel("interval start (time of day)")
    for ax in axes.flat:
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig


def days_figure(days: pd.DataFrame, title: str) -> Figure:
    """Active customers, customers lost and won, and daily profit, per day.

    Means over replications, with the range (min to max) of the replications shaded.
    """
    g = days.groupby("day", sort=True)
    mean = g.mean(numeric_only=True)
    low, high = g.min(numeric_only=True), g.max(numeric_only=True)
    d = mean.index.to_numpy() + 1  # day 1 is the first day
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
    ax = axes[0]
    ax.plot(d, mean["active_end"], "k-o", ms=3, label="active customers (mean)")
    ax.fill_between(d, low["active_end"], high["active_end"], color="0.8", label="range")
    ax.set(title="Customer base", xlabel="day", ylabel="active customers at day end")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.plot(d, mean["lost_service"] + mean["lost_wom"], "k-v", ms=3, label="lost to service")
    ax.plot(d, mean["lost_background"], "--s", color="tab:gray", ms=3, label="lost, other reasons")
    ax.plot(d, mean["new_customers"], ":^", color="tab:blue", ms=3, label="won")
    ax.set(title="Customers lost and won", xlabel="day", ylabel="customers per day")
    ax.legend(fontsize=8)
    ax = axes[2]  # revenue dwarfs agent cost: cost gets its own axis on the right
    ax.plot(d, mean["revenue"], "-o", color="tab:blue", ms=3, label="revenue")
    ax.plot(d, mean["profit"], "k-^", ms=3, label="profit (revenue - agent cost)")
    ax.set(title="Money per day", xlabel="day", ylabel="revenue, profit per day")
    right = ax.twinx()
    right.plot(d, mean["agent_cost"], "--s", color="tab:red", ms=3, label="agent cost")
    right.set_ylabel("agent cost per day")
    right.set_ylim(0, 1.25 * float(mean["agent_cost"].max()) + 1e-9)
    lines = ax.get_lines() + right.get_lines()
    ax.legend(lines, [str(line.get_label()) for line in lines], fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig
