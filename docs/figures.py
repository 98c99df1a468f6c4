"""Draw the figures of the tutorial lessons 2-8 and 10 (docs/img/lesson-*.png) and print
the numbers each lesson quotes.

    python docs/figures.py                    # every figure, into docs/img/ (a few minutes)
    python docs/figures.py hockey_stick       # one figure
    python docs/figures.py --quick            # tiny sizes: checks the script, not the figures

Every number comes from ``sim.replicate`` (fixed seeds: the default ``run.seed``) or
``sim.theory.analytic``; the same script and version give the same figures. ``make
docs-figures`` runs it. Figures go to ``--out`` (default ``docs/img`` relative to the
working directory), at 80 dpi so that each stays under 150 KB.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import sim
from sim.model.runner import confidence_table
from sim.report.plots import intraday_profile

__all__ = ["FIGURES", "main"]

log = logging.getLogger("docs.figures")
DPI = 80
HANDLE_S = 240.0  # mean handle time of the steady scenarios (exponential talk, no ACW)


def steady(agents: int, load: float, extra: list[str], days: int) -> sim.Config:
    """A stationary M/M/n centre at ``load`` = calls/s x handle time / agents."""
    volume = load * agents * 86400.0 / HANDLE_S
    return sim.compose(
        [
            "scenario=steady_erlang_c",
            f"staffing.agents={agents}",
            f"center.volume_per_day={volume}",
            f"run.days={days}",
            "run.warmup_s=20000",
            *extra,
        ]
    )


def kpis(cfg: sim.Config, reps: int, names: list[str]) -> pd.DataFrame:
    """Mean and 95% half-width of some KPIs over ``reps`` replications."""
    s = sim.replicate(cfg, replications=reps).summary
    return s.loc[names, ["mean", "half_width"]]


def daily_service_level(intervals: pd.DataFrame) -> pd.Series:
    """Service level of each (replication, day): answered within 20 s / offered."""
    g = intervals.groupby(["replication", "day"])[["answered_within_sl", "offered"]].sum()
    return g.answered_within_sl / g.offered


# ------------------------------------------------------------------ lesson 2
def hockey_stick(quick: bool) -> Figure:
    """ASA and service level against load for 20 agents: simulation vs Erlang C."""
    n, reps, days = 20, (2 if quick else 5), (1 if quick else 2)
    loads = [0.6, 0.9] if quick else [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97]
    rows = []
    for load in loads:
        k = kpis(steady(n, load, [], days), reps, ["asa_s", "service_level", "occupancy"])
        exact = sim.theory.analytic.erlang_c(load * n / HANDLE_S, HANDLE_S, n)
        rows.append(
            {
                "load": load,
                "asa_s": k.loc["asa_s", "mean"],
                "asa_hw": k.loc["asa_s", "half_width"],
                "sl": k.loc["service_level", "mean"],
                "sl_hw": k.loc["service_level", "half_width"],
                "occupancy": k.loc["occupancy", "mean"],
                "erlang_c_asa_s": exact.asa_s,
                "erlang_c_sl": exact.service_level(20),
            }
        )
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    grid = np.linspace(0.3, 0.985, 200)
    curve = [sim.theory.analytic.erlang_c(x * n / HANDLE_S, HANDLE_S, n) for x in grid]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.4))
    a.plot(grid, [e.asa_s for e in curve], "k-", lw=1, label="Erlang C")
    a.errorbar(table.load, table.asa_s, table.asa_hw, fmt="o", ms=4, label="simulated (95% CI)")
    a.set(xlabel="load = calls x handle time / agents", ylabel="ASA (s)", ylim=(0, 300))
    a.set_title(f"Mean wait of {n} agents")
    b.plot(grid, [100 * e.service_level(20) for e in curve], "k-", lw=1, label="Erlang C")
    b.errorbar(table.load, 100 * table.sl, 100 * table.sl_hw, fmt="o", ms=4, label="simulated")
    b.axhline(80, color="grey", ls=":", lw=1)
    b.set(xlabel="load", ylabel="answered within 20 s (%)", ylim=(0, 101))
    b.set_title("Service level")
    for ax in (a, b):
        ax.legend(loc="best", fontsize=8)
        ax.grid(alpha=0.3)
    return fig


# ------------------------------------------------------------------ lesson 3
def impatience(quick: bool) -> Figure:
    """ASA and abandonment with exponential patience (Erlang A) against no abandonment."""
    n, reps, days, patience_s = 20, (2 if quick else 5), (1 if quick else 2), 180.0
    loads = [0.9, 1.1] if quick else [0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2]
    extra = ["patience=exponential", f"patience.mean_s={patience_s}"]
    rows = []
    for load in loads:
        k = kpis(steady(n, load, extra, days), reps, ["asa_s", "abandon_rate", "occupancy"])
        exact = sim.theory.analytic.erlang_a(load * n / HANDLE_S, HANDLE_S, n, patience_s)
        rows.append(
            {
                "load": load,
                "asa_s": k.loc["asa_s", "mean"],
                "asa_hw": k.loc["asa_s", "half_width"],
                "abandon": k.loc["abandon_rate", "mean"],
                "abandon_hw": k.loc["abandon_rate", "half_width"],
                "occupancy": k.loc["occupancy", "mean"],
                "erlang_a_asa_s": exact.asa_s,
                "erlang_a_abandon": exact.p_abandon,
            }
        )
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    grid = np.linspace(0.5, 1.25, 120)
    ea = [sim.theory.analytic.erlang_a(x * n / HANDLE_S, HANDLE_S, n, patience_s) for x in grid]
    below = grid[grid < 0.985]
    ec = [sim.theory.analytic.erlang_c(x * n / HANDLE_S, HANDLE_S, n).asa_s for x in below]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.4))
    a.plot(below, ec, "k--", lw=1, label="Erlang C (nobody hangs up)")
    a.plot(grid, [e.asa_s for e in ea], "k-", lw=1, label=f"Erlang A (patience {patience_s:.0f} s)")
    a.errorbar(table.load, table.asa_s, table.asa_hw, fmt="o", ms=4, label="simulated")
    a.axvline(1.0, color="grey", ls=":", lw=1)
    a.set(xlabel="load = calls x handle time / agents", ylabel="ASA (s)", ylim=(0, 300))
    a.set_title(f"Mean wait of answered calls, {n} agents")
    b.plot(grid, [100 * e.p_abandon for e in ea], "k-", lw=1, label="Erlang A")
    b.errorbar(
        table.load, 100 * table.abandon, 100 * table.abandon_hw, fmt="o", ms=4, label="simulated"
    )
    b.plot(grid, [100 * max(0.0, 1 - 1 / x) for x in grid], "r:", lw=1, label="1 - 1/load")
    b.axvline(1.0, color="grey", ls=":", lw=1)
    b.set(xlabel="load", ylabel="abandoned (%)")
    b.set_title("The safety valve")
    for ax in (a, b):
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    return fig


# ------------------------------------------------------------------ lesson 4
def variability(quick: bool) -> Figure:
    """Service level of single days when the day's busyness varies (same mean volume)."""
    days = 5 if quick else 60
    variances = [0.0, 0.01, 0.04]
    per_day = {}
    for var in variances:
        cfg = sim.compose(
            ["customers.enabled=false", f"center.busyness_var={var}", f"run.days={days}"]
        )
        study = sim.replicate(cfg, replications=1)
        sl = daily_service_level(study.intervals)
        offered = study.days.offered.to_numpy()
        per_day[var] = (sl.to_numpy(), offered)
        run_sl = study.summary["mean"].to_dict()["service_level"]
        print(
            f"busyness_var={var}: offered/day mean {offered.mean():.0f} sd {offered.std(ddof=1):.0f}; "
            f"daily SL mean {sl.mean():.3f}, min {sl.min():.3f}, "
            f"days under 80%: {(sl < 0.8).mean():.2f}; run SL {run_sl:.3f}"
        )
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.4))
    labels = [f"var {v}\n(sd {math.sqrt(v):.0%})" for v in variances]
    a.boxplot([per_day[v][1] for v in variances], tick_labels=labels)
    a.set(ylabel="calls offered per day", title="Same mean, different days")
    b.boxplot([100 * per_day[v][0] for v in variances], tick_labels=labels)
    b.axhline(80, color="grey", ls=":", lw=1)
    b.set(ylabel="answered within 20 s (%)", title=f"Service level of each of {days} days")
    for ax in (a, b):
        ax.set_xlabel("center.busyness_var")
        ax.grid(alpha=0.3)
    return fig


# ------------------------------------------------------------------ lesson 5
def pooling(quick: bool) -> Figure:
    """Agents for 80/20 in one pooled centre against two half-size centres."""
    per_hour = np.arange(50, 1001, 50)
    pooled = [sim.theory.analytic.erlang_c_agents(c / 3600, 270.0, 0.8, 20) for c in per_hour]
    split = [2 * sim.theory.analytic.erlang_c_agents(c / 7200, 270.0, 0.8, 20) for c in per_hour]
    for c, p, s2 in zip(per_hour, pooled, split, strict=True):
        if c in (100, 200, 400, 1000):
            print(f"{c} calls/h: pooled {p} agents, two halves {s2} agents ({s2 / p - 1:+.1%})")
    reps, days = (2, 1) if quick else (5, 2)
    sizes = [5, 10, 20, 40, 80]
    rows = []
    for n in sizes[:2] if quick else sizes:
        k = kpis(steady(n, 0.9, [], days), reps, ["asa_s", "service_level"])
        rows.append(
            {
                "agents": n,
                "asa_s": k.loc["asa_s", "mean"],
                "asa_hw": k.loc["asa_s", "half_width"],
                "sl": k.loc["service_level", "mean"],
                "erlang_c_asa_s": sim.theory.analytic.erlang_c(0.9 * n / HANDLE_S, HANDLE_S, n).asa_s,
            }
        )
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.4))
    a.plot(per_hour, pooled, "k-", label="one centre")
    a.plot(per_hour, split, "C1--", label="two centres, half the calls each")
    a.set(
        xlabel="calls per hour (270 s handle time)",
        ylabel="agents for 80% in 20 s",
        title="Erlang C staffing",
    )
    grid = np.arange(2, 101)
    a2 = b
    a2.plot(
        grid,
        [sim.theory.analytic.erlang_c(0.9 * m / HANDLE_S, HANDLE_S, int(m)).asa_s for m in grid],
        "k-",
        lw=1,
        label="Erlang C",
    )
    a2.errorbar(table.agents, table.asa_s, table.asa_hw, fmt="o", ms=4, label="simulated")
    a2.set(
        xscale="log",
        xlabel="agents (log scale), all at load 0.9",
        ylabel="ASA (s)",
        title="Same load, bigger pool: shorter waits",
    )
    for ax in (a, a2):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return fig


# ------------------------------------------------------------------ lesson 6
def fcr(quick: bool) -> Figure:
    """Offered calls, service level and occupancy against first-contact resolution."""
    days, reps = (3, 2) if quick else (14, 3)
    values = [0.5, 0.9] if quick else [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    names = ["offered", "service_level", "occupancy", "abandon_rate", "fcr"]
    rows = []
    for f in values:
        cfg = sim.compose(["customers.enabled=false", f"resolution.fcr={f}", f"run.days={days}"])
        study = sim.replicate(cfg, replications=reps)
        s = study.summary
        d = study.days
        rows.append(
            {
                "fcr_set": f,
                **{k: s.loc[k, "mean"] for k in names},
                "sl_hw": s.loc["service_level", "half_width"],
                "repeat_share": d.repeats.sum() / d.offered.sum(),
                "offered_per_day": d.offered.mean(),
            }
        )
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.4))
    a.plot(100 * table.fcr_set, table.offered_per_day, "o-", label="offered")
    a.plot(
        100 * table.fcr_set,
        table.offered_per_day * (1 - table.repeat_share),
        "s--",
        label="fresh + redials",
    )
    a.set(
        xlabel="first-contact resolution (%)",
        ylabel="calls per day",
        title="Repeat calls eat capacity",
    )
    b.errorbar(
        100 * table.fcr_set,
        100 * table.service_level,
        100 * table.sl_hw,
        fmt="o-",
        label="service level (20 s)",
    )
    b.plot(100 * table.fcr_set, 100 * table.occupancy, "s--", label="occupancy")
    b.axhline(80, color="grey", ls=":", lw=1)
    b.set(xlabel="first-contact resolution (%)", ylabel="%", title="Same agents, same forecast")
    for ax in (a, b):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return fig


# ------------------------------------------------------------------ lesson 7
SMALL_MARKET = [
    "customers.feedback=true",
    "customers.initial=100000",
    "customers.market_size=250000",
]


def bad_day_plan(days: int, bad_day: int, share: float) -> str:
    """``staffing.agents`` override: the default plan every day, ``share`` of it on one day."""
    plan = list(sim.compose([]).staffing.agents)
    weekly = [[max(1, round(a * share)) if d == bad_day else a for a in plan] for d in range(days)]
    return "staffing.agents=" + json.dumps(weekly, separators=(",", ":"))


def bad_day(quick: bool) -> Figure:
    """Customers and profit after one badly understaffed day, against the same months
    without it, on common random numbers."""
    days, reps, day = (12, 2, 3) if quick else (120, 3, 10)
    base = sim.replicate(sim.compose([*SMALL_MARKET, f"run.days={days}"]), replications=reps)
    bad = sim.replicate(
        sim.compose([*SMALL_MARKET, f"run.days={days}", bad_day_plan(days, day, 0.7)]),
        replications=reps,
    )
    cols = ["active_end", "profit", "lost_service", "lost_wom", "new_customers"]
    b = base.days.set_index(["replication", "day"])[cols]
    x = bad.days.set_index(["replication", "day"])[cols]
    diff = (x - b).groupby("day").mean()
    sl_b, sl_x = daily_service_level(base.intervals), daily_service_level(bad.intervals)
    print(
        f"bad day {day}: SL {sl_x.xs(day, level='day').mean():.3f} vs {sl_b.xs(day, level='day').mean():.3f}"
    )
    print(f"lost to service on the bad day: {diff.lost_service.iloc[day]:+.0f} customers")
    print(f"active customers at the end: {diff.active_end.iloc[-1]:+.0f}")
    print(
        f"profit over {days} days: {diff.profit.sum():+.0f}; of which after the bad day "
        f"{diff.profit.iloc[day + 1 :].sum():+.0f}; agent cost saved "
        f"{(base.days.agent_cost.sum() - bad.days.agent_cost.sum()) / reps:.0f}"
    )
    fig, (a, c) = plt.subplots(1, 2, figsize=(9, 3.4))
    a.plot(diff.index, diff.active_end, "C3-")
    a.axvline(day, color="grey", ls=":", lw=1)
    a.set(
        xlabel="day",
        ylabel="active customers: bad day - normal",
        title=f"One day with 30% of agents absent (day {day})",
    )
    c.plot(diff.index, diff.profit.cumsum(), "C0-")
    c.axvline(day, color="grey", ls=":", lw=1)
    c.axhline(0, color="k", lw=0.5)
    c.set(xlabel="day", ylabel="cumulative profit: bad day - normal", title="The bill comes later")
    for ax in (a, c):
        ax.grid(alpha=0.3)
    return fig


# ------------------------------------------------------------------ lesson 8
def empowerment(quick: bool) -> Figure:
    """Empowered agents (FCR 85%, 10% longer calls, slower fatigue, fewer quits) against
    one more agent in every interval."""
    days, reps = (6, 2) if quick else (90, 3)
    plan = list(sim.compose([]).staffing.agents)
    more = "staffing.agents=" + json.dumps([a + 1 for a in plan], separators=(",", ":"))
    variants = {
        "baseline": [],
        "one more agent": [more],
        "empowered": ["scenario=empowered_agents"],
    }
    names = [
        "service_level",
        "abandon_rate",
        "fcr",
        "offered",
        "customers_lost_to_service",
        "agent_cost",
        "profit",
        "fatigue_mean",
        "attrition_annual",
    ]
    rows = {}
    profits = {}
    for label, extra in variants.items():
        study = sim.replicate(
            sim.compose([*SMALL_MARKET, f"run.days={days}", *extra]), replications=reps
        )
        rows[label] = study.summary.loc[names, "mean"]
        rows[label + " ±"] = study.summary.loc[names, "half_width"]
        profits[label] = study.per_replication["profit"].to_numpy()
    # Replication r of every variant uses the same streams (common random numbers): the
    # profit difference is paired, and its interval comes from the paired differences.
    paired = confidence_table(pd.DataFrame({v: profits[v] - profits["baseline"] for v in variants}))
    table = pd.DataFrame(rows)
    gain = {v: paired["mean"][v] for v in variants} | {
        v + " ±": paired["half_width"][v] for v in variants
    }
    table = pd.concat([table, pd.DataFrame(gain, index=["profit_gain"])])
    print(table.T.to_string(float_format=lambda v: f"{v:.6g}"))
    labels = list(variants)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    for ax, (key, title, scale) in zip(
        axes,
        [
            ("service_level", "service level (%)", 100),
            ("customers_lost_to_service", "customers lost to service", 1),
            ("profit_gain", "profit - baseline (paired 95% CI)", 1),
        ],
        strict=True,
    ):
        means = np.array([table.loc[key, v] for v in labels]) * scale
        hws = np.array([table.loc[key, v + " ±"] for v in labels]) * scale
        ax.bar(range(3), means, yerr=hws, color=["grey", "C1", "C2"], capsize=4)
        ax.set_xticks(range(3), ["baseline", "+1 agent", "empowered"])
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"{days} days, {reps} replications, customers follow the service", fontsize=10)
    return fig


# ------------------------------------------------------------------ lesson 10
def callbacks(quick: bool) -> Figure:
    """Holding against virtual hold on the same callers (the lesson's runs): abandonment,
    occupancy and the service level of the calls on the line over the average day."""
    days, reps = (1, 2) if quick else (3, 4)
    base = sim.compose(["scenario=callback_offered", f"run.days={days}"])
    base = sim.load_config(base, center__volume_per_day=base.center.volume_per_day * 1.3)
    arms = {"hold (no callbacks)": False, "callbacks": True}
    profiles = {}
    for name, on in arms.items():
        r = sim.replicate(sim.load_config(base, callbacks__enabled=on), replications=reps)
        s = r.summary["mean"]
        line = (f"{name:20s} abandoned {s['abandon_rate']:.1%}, occupancy {s['occupancy']:.1%}, "
                f"service level {s['service_level']:.1%}, abandoned {s['abandoned']:.0f}")  # fmt: skip
        if on:
            line += f", callbacks on time {r.summary_callbacks['mean']['callback_service_level']:.1%}"
        print(line)
        profiles[name] = intraday_profile(r.intervals, callbacks=on)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharex=True)
    panels = [("abandon_rate", "abandoned (% of inbound calls)"),
              ("occupancy", "agent occupancy (%)"),
              ("service_level", "answered within 20 s (% on the line)")]  # fmt: skip
    for ax, (key, label) in zip(axes, panels, strict=True):
        for i, (name, p) in enumerate(profiles.items()):
            ax.plot(p.index, 100 * p[key], ["k-", "C0--"][i], marker="os"[i], ms=3, label=name)
        ax.set_ylabel(label)
        ticks = p.index[:: max(1, len(p) // 6)]
        ax.set_xticks(ticks, p["clock"].iloc[ticks], rotation=45)
        ax.set_xlabel("interval start (HH:MM)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Holding or a callback past a predicted 2 minutes: the average of {days} "
                 f"days x {reps} replications, 1.3 x the baseline's volume", fontsize=10)  # fmt: skip
    return fig


FIGURES: dict[str, tuple[str, Callable[[bool], Figure]]] = {
    "hockey_stick": ("lesson-2-hockey-stick.png", hockey_stick),
    "impatience": ("lesson-3-impatience.png", impatience),
    "variability": ("lesson-4-variability.png", variability),
    "pooling": ("lesson-5-pooling.png", pooling),
    "fcr": ("lesson-6-fcr.png", fcr),
    "bad_day": ("lesson-7-bad-day.png", bad_day),
    "empowerment": ("lesson-8-empowerment.png", empowerment),
    "callbacks": ("lesson-10-callbacks.png", callbacks),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"figures to draw (default: all): {list(FIGURES)}")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script")
    parser.add_argument("--out", default="docs/img", help="folder of the PNG files")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in FIGURES]
    if unknown:
        parser.error(f"unknown figure(s) {unknown}; choose from {list(FIGURES)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.names or list(FIGURES):
        filename, draw = FIGURES[name]
        print(f"== {name}")
        fig = draw(args.quick)
        fig.tight_layout()
        fig.savefig(out / filename, dpi=DPI)
        plt.close(fig)
        print(f"wrote {out / filename}")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
