"""Arrival model on counts: fit the bank_calls five-minute counts, check the overdispersion.

Usage: ``python experiments/arrival_counts.py [--quick] [--data DIR] [--out DIR]
[--seed N]``.

Fits callsim's arrival model (intraday profile, weekday factors, gamma busyness variance by
maximum likelihood; :mod:`sim.fit.arrivals`) to the five-minute counts of a large North
American bank (130 weekdays of 2003, Weinberg, Brown and Stroud 2007), then draws as many
weekdays from callsim's own arrival model with the fitted parameters and compares, per
five-minute slot and weekday, the variance of the count against its mean: data, simulation,
Poisson (variance = mean) and the model's curve ``m + v m^2``. Also compares the intraday
shape. Writes ``arrival_counts_fit.csv`` (the estimates), ``arrival_counts_dispersion``
(CSV/Parquet: slot x weekday, data and simulation) and ``arrival_counts.png``.

``--data`` holds ``bank_calls/bank_calls_2003_train.csv`` (default ``../shared/data``);
``--quick`` uses the committed March sample (``tests/data/bank_calls``, 20 weekdays);
``--factor`` sets how many times the data's span is simulated (default 10).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from common import RESULTS, ROOT, atomic_folder, save_figure, series, styled, write_table
from matplotlib.figure import Figure

from sim.fit.arrivals import ArrivalFit, fit_arrivals
from sim.fit.counts import Counts, dispersion_table, read_counts
from sim.model.callcenter import CallCenter

__all__ = ["main", "simulate_counts"]

SAMPLE = ROOT / "tests" / "data" / "bank_calls" / "bank_calls_2003-03.csv.gz"
log = logging.getLogger("studies")


def _clock(s: float) -> str:
    s = round(s)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def simulate_counts(fit: ArrivalFit, counts: Counts, seed: int, factor: int = 10
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Counts drawn by callsim's own arrival model (``FreshCalls``) with the fitted
    parameters, over ``factor`` times as many weeks as the data spans (so that the
    simulated variances are ``sqrt(factor)`` times more precise than the data's); returns
    (matrix, weekdays) of the weekdays seen in the data."""
    k = counts.matrix.shape[1]
    per_week = max(1, len(set(counts.weekdays.tolist())))
    weeks = factor * (int(np.ceil(len(counts.dates) / per_week)) + 1)
    cfg = {
        "center": {"open_time": _clock(counts.open_s),
                   "close_time": _clock(counts.open_s + k * counts.interval_s),
                   "interval_min": round(counts.interval_s / 60),
                   "volume_per_day": fit.volume_per_day, "profile": _shares(fit.profile),
                   "day_of_week_factors": list(fit.day_of_week_factors),
                   "busyness_var": fit.busyness_var,
                   "start_weekday": int(counts.weekdays[0])},
        "run": {"days": 7 * weeks, "seed": seed},
    }
    model = CallCenter(cfg)
    fresh = model.fresh_calls(model.streams(0))
    tt = model.timetable
    rows, wds = [], []
    for d in range(tt.days):
        arrivals = fresh.day(d).arrival_s
        if tt.weekday(d) not in set(counts.weekdays.tolist()):
            continue
        _, idx = tt.locate(arrivals)
        rows.append(np.bincount(idx.astype(np.int64), minlength=k))
        wds.append(tt.weekday(d))
    return np.asarray(rows), np.asarray(wds)


def _shares(p: Sequence[float]) -> list[float]:
    out = [float(x) for x in p]
    i = int(np.argmax(out))
    out[i] += 1.0 - sum(out)
    return out


def figure(data: pd.DataFrame, simulated: pd.DataFrame, fit: ArrivalFit, counts: Counts
           ) -> Figure:
    """Variance against mean per slot and weekday (log-log), and the intraday shape."""
    with styled():
        fig = Figure(figsize=(14, 5.5))
        ax1, ax2 = fig.subplots(1, 2)
        ax1.loglog(data["mean"], data["var"], linestyle="none", marker="o", markersize=3,
                   color=series(0)["color"], label="bank_calls, per slot and weekday")
        ax1.loglog(simulated["mean"], simulated["var"], linestyle="none", marker="s",
                   markersize=3, color=series(1)["color"], label="callsim, fitted model")
        m = np.geomspace(max(1.0, data["mean"].min()), data["mean"].max(), 100)
        ax1.loglog(m, m, ":", color="gray", label="Poisson: variance = mean")
        ax1.loglog(m, m + fit.busyness_var * m**2, "-", color=series(2)["color"],
                   label=f"m + v m², v = {fit.busyness_var:.4f}")
        ax1.set(xlabel="mean calls per slot (calls)", ylabel="variance (calls²)",
                title="overdispersion per 5-minute slot")
        ax1.legend(fontsize="small")
        hours = (counts.open_s + np.arange(counts.matrix.shape[1]) * counts.interval_s) / 3600
        seen = counts.matrix.sum(axis=1) > 0
        ax2.plot(hours, counts.matrix[seen].mean(axis=0), label="bank_calls, mean", **series(0))
        sim_mean = simulated.groupby("interval")["mean"].mean().to_numpy()
        ax2.plot(hours, sim_mean, label="callsim, mean", **series(1))
        ax2.set(xlabel="time of day (h)", ylabel="calls per slot (calls)",
                title="intraday shape")
        ax2.legend(fontsize="small")
        fig.suptitle("arrival counts: bank_calls 2003 against callsim's fitted arrival model")
    return fig


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    p = argparse.ArgumentParser(prog="experiments/arrival_counts.py",
                                description=(__doc__ or "").strip().splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the committed March 2003 sample")
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--out", type=Path, default=RESULTS / "arrival_counts")
    p.add_argument("--seed", type=int, default=20261130)
    p.add_argument("--factor", type=int, default=10,
                   help="simulate this many times the data's weeks (default 10)")
    ns = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    path = SAMPLE if ns.quick else ns.data / "bank_calls" / "bank_calls_2003_train.csv"
    if not path.is_file():
        print(f"experiments/arrival_counts.py: error: {path} is missing (give the data folder "
              "with --data DIR, or run --quick on the committed sample)", file=sys.stderr)
        return 2
    counts = read_counts(path)
    fit = fit_arrivals(counts.matrix, counts.weekdays)
    sim_matrix, sim_wd = simulate_counts(fit, counts, ns.seed, ns.factor)
    data = dispersion_table(counts.matrix, counts.weekdays)
    simulated = dispersion_table(sim_matrix, sim_wd)
    both = data.merge(simulated, on=["weekday", "interval"], suffixes=("_data", "_sim"))
    summary = pd.DataFrame([{
        "days": fit.days, "volume_per_day": fit.volume_per_day,
        "busyness_var": fit.busyness_var, "busyness_low": fit.busyness_ci[0],
        "busyness_high": fit.busyness_ci[1],
        "median_ratio_data": float(data["ratio"].median()),
        "median_ratio_sim": float(simulated["ratio"].median()),
        "median_ratio_model": float((1 + fit.busyness_var * data["mean"]).median()),
        **{f"factor_{d}": f for d, f in zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                                            fit.day_of_week_factors, strict=True)},
    }])
    log.info("busyness variance %.4f [%.4f, %.4f]; median var/mean per slot: data %.2f, "
             "callsim %.2f", fit.busyness_var, *fit.busyness_ci,
             summary["median_ratio_data"].iloc[0], summary["median_ratio_sim"].iloc[0])
    with atomic_folder(ns.out) as folder:
        summary.to_csv(folder / "arrival_counts_fit.csv", index=False)
        write_table(both, folder, "arrival_counts_dispersion")
        save_figure(figure(data, simulated, fit, counts), folder, "arrival_counts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
