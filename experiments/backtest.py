"""Back-test: fit January, replay February, compare with what February's callers got.

Usage: ``python experiments/backtest.py [--quick] [--data DIR] [--out DIR]
[--replications N] [--max-gap-min M] [--type T]``.

Fits patience (censored, piecewise hazard) and the handle-time law on the Anonymous Bank's
January log, then simulates February with February's recorded arrival times (replayed,
``center.arrivals: trace``), the recorded handle times of its answered calls, and the
agents on duty rebuilt from February's own log; abandoned calls' handle times and all
patience are drawn from January's laws. Compares per hour of the day (pooled over the month)
and per day: abandonment (abandoned / offered), ASA (mean wait of answered calls, s) and the
shares answered within 20 s and 60 s (of offered calls), the simulated mean with its
Student-t interval over replications beside the observed value.

``--data`` is the folder holding ``anonymous_bank/{january,february}.txt`` (default
``../shared/data`` beside the repository); ``--quick`` uses the samples committed in
``tests/data/anonymous_bank`` (3 January days, 2 February days) and 3 replications.
``--in-sample`` fits February itself (the laws' drift from month to month then plays no
part). ``--type`` restricts both months to one call type (e.g. PS), for the per-type study once
callsim routes several types. Writes ``backtest_hourly``, ``backtest_daily`` and
``backtest_month`` (CSV and Parquet), ``backtest.png``, and January's fit report
(``fit_january/report.html``) into ``results/studies/backtest/``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from common import RESULTS, ROOT, atomic_folder, save_figure, series, styled, write_table
from matplotlib.figure import Figure
from scipy import stats

from sim.fit.bank import read_bank_log
from sim.fit.logs import CallLog
from sim.fit.model import fit_log
from sim.fit.replay import in_hours, replay_config, trace_frame
from sim.fit.report import write_report
from sim.model.callcenter import CallCenter

__all__ = ["KPIS", "kpi_table", "main", "run"]

KPIS = ("abandon_rate", "asa_s", "sl_20", "sl_60")
LABELS = {"abandon_rate": "abandoned (share)", "asa_s": "ASA (s)",
          "sl_20": "answered within 20 s (share)", "sl_60": "answered within 60 s (share)"}
SAMPLES = ROOT / "tests" / "data" / "anonymous_bank"
log = logging.getLogger("studies")


def kpi_table(day: np.ndarray, hour: np.ndarray, wait: np.ndarray, abandoned: np.ndarray,
              by: str) -> pd.DataFrame:
    """The four KPIs of calls (arrival day, hour of day, wait s, abandoned flag) grouped
    ``by`` "day" or "hour"."""
    df = pd.DataFrame({"day": day, "hour": hour, "wait": wait, "ab": abandoned})
    df["ans"] = ~df["ab"]
    df["w20"] = df["ans"] & (df["wait"] <= 20)
    df["w60"] = df["ans"] & (df["wait"] <= 60)
    df["ans_wait"] = np.where(df["ans"], df["wait"], 0.0)
    g = df.groupby(by).agg(offered=("ab", "size"), abandoned=("ab", "sum"),
                           answered=("ans", "sum"), w20=("w20", "sum"), w60=("w60", "sum"),
                           wait=("ans_wait", "sum"))
    return pd.DataFrame({
        "offered": g["offered"],
        "abandon_rate": g["abandoned"] / g["offered"],
        "asa_s": g["wait"] / g["answered"].replace(0, np.nan),
        "sl_20": g["w20"] / g["offered"],
        "sl_60": g["w60"] / g["offered"],
    })


def _observed(feb: CallLog) -> dict[str, pd.DataFrame]:
    c = feb.calls
    t = c["arrival_s"].to_numpy(dtype=float)
    args = (c["day"].to_numpy(), np.floor(np.mod(t, 86_400.0) / 3600).astype(int),
            c["wait_s"].to_numpy(dtype=float), (c["outcome"] == "abandoned").to_numpy())
    out = {by: kpi_table(*args, by=by) for by in ("hour", "day")}
    out["month"] = kpi_table(np.zeros_like(args[0]), *args[1:], by="day")  # one group
    return out


def _simulated(config: dict[str, Any], replications: int) -> dict[str, pd.DataFrame]:
    model = CallCenter(config)
    frames: dict[str, list[pd.DataFrame]] = {"hour": [], "day": [], "month": []}
    for r in range(replications):
        c = model.run(r).calls
        c = c[c["outcome"].isin(["answered", "abandoned"])]
        t = c["arrival_s"].to_numpy(dtype=float)
        day = np.floor(t / 86_400.0).astype(int)
        hour = np.floor(np.mod(t, 86_400.0) / 3600).astype(int)
        wait = c["wait_s"].to_numpy(dtype=float)
        ab = (c["outcome"] == "abandoned").to_numpy()
        for by, d in (("hour", day), ("day", day), ("month", np.zeros_like(day))):
            frames[by].append(kpi_table(d, hour, wait, ab, "hour" if by == "hour" else "day")
                              .assign(replication=r))
    return {by: pd.concat(f) for by, f in frames.items()}


def _compare(obs: pd.DataFrame, sim_: pd.DataFrame, key: str) -> pd.DataFrame:
    rows = []
    for k in KPIS:
        g = sim_.groupby(level=0)[k]
        mean, sd, n = g.mean(), g.std(ddof=1), g.count()
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
        rows.append(pd.DataFrame({
            key: mean.index, "kpi": k, "observed": obs[k].reindex(mean.index).to_numpy(),
            "sim_mean": mean.to_numpy(), "sim_low": (mean - half).to_numpy(),
            "sim_high": (mean + half).to_numpy(), "n": n.to_numpy(),
            "offered_observed": obs["offered"].reindex(mean.index).to_numpy(),
        }))
    out = pd.concat(rows, ignore_index=True)
    out["gap"] = out["sim_mean"] - out["observed"]
    return out


def run(jan: CallLog, feb: CallLog, folder: Path, replications: int, max_gap_s: float,
        call_type: str | None) -> dict[str, pd.DataFrame]:
    """Fit ``jan``, replay ``feb``, write the tables, figure and fit report into ``folder``."""
    fit = fit_log(jan, call_type, max_gap_s=max_gap_s)
    write_report(fit, folder / "fit_january")
    feb_t = feb.of_type(call_type)
    keep = in_hours(feb_t, fit.open_s, fit.close_s)
    feb_in = CallLog(feb_t.calls[keep].reset_index(drop=True), feb.start_date, feb.source)
    trace = folder / "february_trace.csv"
    trace_frame(feb_in, fit.open_s, fit.close_s).to_csv(trace, index=False,
                                                         float_format="%.17g")
    cfg = replay_config(fit, feb, trace, max_gap_s)  # agents serve every type: all of feb
    cfg["run"]["days"] = max(feb.days, feb_in.days)
    cfg["staffing"]["agents"] = cfg["staffing"]["agents"][: cfg["run"]["days"]]
    log.info("replaying %d February calls, %d replications", len(feb_in.calls), replications)
    obs = _observed(feb_in)
    simd = _simulated(cfg, replications)
    tables = {by: _compare(obs[by], simd[by], by) for by in ("hour", "day", "month")}
    for by, name in (("hour", "hourly"), ("day", "daily"), ("month", "month")):
        write_table(tables[by], folder, f"backtest_{name}")
    save_figure(figure(tables), folder, "backtest")
    return tables


def figure(tables: dict[str, pd.DataFrame]) -> Figure:
    """Observed against simulated (mean and interval), per hour (top) and per day (bottom)."""
    with styled():
        fig = Figure(figsize=(16, 7.5))
        axes = fig.subplots(2, 4)
        for row, by in enumerate(("hour", "day")):
            t = tables[by]
            for j, k in enumerate(KPIS):
                ax = axes[row, j]
                s = t[t["kpi"] == k]
                x = s[by].to_numpy()
                ax.plot(x, s["observed"], label="February, observed", **series(0))
                ax.plot(x, s["sim_mean"], label="simulated (Jan fit, Feb replay)", **series(1))
                ax.fill_between(x, s["sim_low"], s["sim_high"], alpha=0.25,
                                color=series(1)["color"])
                ax.set(xlabel="hour of day (h)" if by == "hour" else "day of February (day)",
                       ylabel=LABELS[k])
        axes[0, 0].legend(loc="upper left", fontsize="small")
        fig.suptitle("backtest: Anonymous Bank, January fit replaying February")
    return fig


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    p = argparse.ArgumentParser(prog="experiments/backtest.py",
                                description=(__doc__ or "").strip().splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the committed samples, 3 replications")
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data",
                   help="folder with anonymous_bank/ (default ../shared/data)")
    p.add_argument("--out", type=Path, default=RESULTS / "backtest")
    p.add_argument("--replications", type=int, default=None)
    p.add_argument("--max-gap-min", type=float, default=30.0,
                   help="a pause longer than this ends an agent's session (minutes)")
    p.add_argument("--type", dest="call_type", default=None, help="one call type only")
    p.add_argument("--in-sample", action="store_true",
                   help="fit February itself instead of January (separates the drift of the "
                   "laws from month to month from the model's own gap)")
    ns = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if ns.quick:
        files = (SAMPLES / "january_3-5.txt.gz", SAMPLES / "february_1-2.txt.gz")
    else:
        files = (ns.data / "anonymous_bank" / "january.txt",
                 ns.data / "anonymous_bank" / "february.txt")
    for f in files:
        if not f.is_file():
            print(f"experiments/backtest.py: error: {f} is missing: the full back-test reads "
                  "the Anonymous Bank logs (give their folder with --data DIR, or run "
                  "--quick on the committed samples)", file=sys.stderr)
            return 2
    reps = ns.replications or (3 if ns.quick else 20)
    jan, feb = read_bank_log(files[0]), read_bank_log(files[1])
    if ns.in_sample:
        jan = feb
    with atomic_folder(ns.out) as folder:
        run(jan, feb, folder, reps, ns.max_gap_min * 60.0, ns.call_type)
    return 0


if __name__ == "__main__":
    sys.exit(main())
