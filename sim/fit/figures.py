"""Figures of a fit: arrival profile, daily busyness, handle-time histogram against the
fitted law, Kaplan-Meier curve and hazard of patience, agents on duty. Each returns a
matplotlib Figure drawn in callsim's style (:mod:`sim.style`); the caller saves it."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from sim.fit.model import LogFit
from sim.report.style import COLORS, figure_style

__all__ = ["fit_figures"]


def _ticks(fit: LogFit) -> tuple[np.ndarray, list[str]]:
    k = fit.n_intervals
    start = fit.open_s / 3600 + np.arange(k) * fit.interval_s / 3600
    return start, [f"{int(h):02d}:{round(h % 1 * 60):02d}" for h in start]


def arrivals_figure(fit: LogFit) -> Figure:
    """Profile per interval (mean calls per day of the log) and daily totals vs the fitted
    weekday level with the busyness band (mean +- 2 sd of the negative binomial)."""
    a = fit.arrivals
    with figure_style():
        fig = Figure(figsize=(12, 4.5), layout="constrained")
        ax1, ax2 = fig.subplots(1, 2)
        hours, _ = _ticks(fit)
        ax1.step(hours, np.asarray(a.profile) * 100, where="post", color=COLORS[0])
        ax1.set(xlabel="time of day (h)", ylabel="share of the day's calls (%)",
                title="intraday profile")
        seen = fit.counts.sum(axis=1) > 0
        days = np.flatnonzero(seen)
        totals = fit.counts.sum(axis=1)[seen]
        level = a.volume_per_day * np.asarray(a.day_of_week_factors)[fit.weekdays[seen]]
        sd = np.sqrt(level + a.busyness_var * level**2)
        ax2.plot(days, totals, "o", color=COLORS[0], label="observed")
        ax2.plot(days, level, "-", color=COLORS[1], label="weekday level")
        ax2.fill_between(days, level - 2 * sd, level + 2 * sd, color=COLORS[1], alpha=0.2,
                         label=f"±2 sd, busyness var {a.busyness_var:.3f}")
        ax2.set(xlabel="day of the log (day)", ylabel="calls per day (calls)",
                title="daily totals")
        ax2.legend()
    return fig


def handle_figure(fit: LogFit) -> Figure:
    """Histogram of the handle times with the densities of the candidate laws."""
    h = fit.log.calls["handle_s"].to_numpy(dtype=float)
    h = h[np.isfinite(h) & (h > 0)]
    top = float(np.quantile(h, 0.99))
    grid = np.linspace(top / 400, top, 400)
    specs = fit.handle.specs
    with figure_style():
        fig = Figure(figsize=(12, 4.5), layout="constrained")
        ax = fig.subplots()
        ax.hist(h[h <= top], bins=80, density=True, color="#cccccc", label="observed")
        for i, law in enumerate(("lognormal", "gamma", "weibull")):
            s = specs[law]
            if law == "lognormal":
                sig = np.sqrt(np.log1p(s["cv"] ** 2))
                pdf = stats.lognorm(sig, scale=s["mean_s"] / np.exp(sig**2 / 2)).pdf(grid)
            elif law == "gamma":
                shape = 1 / s["cv"] ** 2
                pdf = stats.gamma(shape, scale=s["mean_s"] / shape).pdf(grid)
            else:
                pdf = stats.weibull_min(s["shape"], scale=s["scale_s"]).pdf(grid)
            mark = " (chosen)" if law == fit.handle.chosen else ""
            ax.plot(grid, pdf, color=COLORS[i + 1], label=law + mark)
        ax.set(xlabel="handle time (s)", ylabel="density (1/s)",
               title=f"handle time: {fit.handle.chosen} chosen (99% of calls shown)")
        ax.legend()
    return fig


def patience_figure(fit: LogFit) -> Figure:
    """Kaplan-Meier survival of patience with its band and the piecewise-hazard fit; the
    hazard per segment with its confidence interval and the exponential rate."""
    p = fit.patience
    km = p.km
    top = float(max(p.edges_s[-1] * 1.5, np.quantile(km["time_s"], 0.95)))
    with figure_style():
        fig = Figure(figsize=(12, 4.5), layout="constrained")
        ax1, ax2 = fig.subplots(1, 2)
        keep = km["time_s"] <= top
        ax1.step(km["time_s"][keep], km["survival"][keep], where="post", color=COLORS[0],
                 label="Kaplan-Meier")
        ax1.fill_between(km["time_s"][keep], km["lower"][keep], km["upper"][keep],
                         step="post", color=COLORS[0], alpha=0.2,
                         label=f"{p.confidence:.0%} band")
        t = np.linspace(0, top, 300)
        ax1.plot(t, p.survival(t), "--", color=COLORS[1], label="piecewise hazard")
        ax1.plot(t, np.exp(-p.exp_rate_per_s * t), ":", color=COLORS[2],
                 label=f"exponential, mean {p.exp_mean_s:.0f} s")
        ax1.set(xlabel="time waited (s)", ylabel="P(patience > t) (share)",
                title="patience survival (censored by answers)")
        ax1.legend()
        e = np.asarray(p.edges_s)
        right = np.append(e[1:], max(top, e[-1] * 1.5))
        mid = (e + right) / 2
        rate = np.asarray(p.rates_per_s) * 1000
        err = np.vstack([rate - np.asarray(p.rates_low) * 1000,
                         np.asarray(p.rates_high) * 1000 - rate])
        ax2.hlines(rate, e, right, color=COLORS[0], label="hazard per segment")
        ax2.errorbar(mid, rate, yerr=err, fmt="none", ecolor=COLORS[0], capsize=3)
        ax2.axhline(p.exp_rate_per_s * 1000, ls=":", color=COLORS[2], label="exponential")
        ax2.set(xlabel="time waited (s)", ylabel="hazard of abandoning (per 1000 s)",
                title="hazard of abandoning")
        ax2.legend()
    return fig


def agents_figure(fit: LogFit) -> Figure | None:
    """Mean agents on duty per interval by weekday (None without agent ids)."""
    if fit.on_duty is None:
        return None
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    hours, _ = _ticks(fit)
    seen = fit.counts.sum(axis=1) > 0
    with figure_style():
        fig = Figure(figsize=(12, 4.5), layout="constrained")
        ax = fig.subplots()
        for i, w in enumerate(sorted(set(fit.weekdays[seen].tolist()))):
            rows = fit.on_duty[seen & (fit.weekdays == w)]
            ax.step(hours, rows.mean(axis=0), where="post", label=names[w],
                    color=COLORS[i % len(COLORS)])
        ax.set(xlabel="time of day (h)", ylabel="agents on duty (agents)",
               title="agents on duty, rebuilt from the agents of answered calls")
        ax.legend(ncols=4)
    return fig


def fit_figures(fit: LogFit) -> dict[str, Figure]:
    """All figures of a fit, by name."""
    out = {"arrivals": arrivals_figure(fit), "handle": handle_figure(fit),
           "patience": patience_figure(fit)}
    agents = agents_figure(fit)
    if agents is not None:
        out["agents"] = agents
    return out
