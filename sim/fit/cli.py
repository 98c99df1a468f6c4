"""``callsim fit LOG --out DIR``: fit a call log, write a scenario and a report.

Writes into ``DIR`` (created; nothing outside it): ``scenario/<name>.yaml`` (run it with
``callsim --config-dir DIR scenario=<name>``), ``report.html`` and ``fit.json`` (the
estimates with their intervals). With ``--by-type`` each call type with at least
``--min-calls`` calls gets its own sub-folder ``DIR/<type>/`` as well. A bad log or option
stops with one line (``callsim fit: error: ...``) and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from pathlib import Path
from typing import Any

from sim.core.files import atomic_write_text
from sim.fit.bank import read_bank_log, sniff_bank
from sim.fit.logs import CallLog, LogError, read_csv_log
from sim.fit.model import LogFit, fit_log
from sim.fit.report import write_report
from sim.fit.scenario import write_scenario

__all__ = ["fit_summary", "main", "parser", "read_log"]

log = logging.getLogger("callsim")


def read_log(path: str | Path, fmt: str = "auto") -> CallLog:
    """Read ``path`` as a generic CSV log or an Anonymous Bank log (``fmt`` auto: by its
    header)."""
    p = Path(path)
    if not p.is_file():
        raise LogError(f"{p}: no such file")
    if fmt == "bank" or (fmt == "auto" and sniff_bank(p)):
        return read_bank_log(p)
    return read_csv_log(p)


def _hours(text: str) -> tuple[float, float]:
    from sim.core.timetable import parse_clock

    start, sep, end = text.partition("-")
    try:
        if not sep:
            raise ValueError(text)
        return parse_clock(start), parse_clock(end)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: must be HH:MM-HH:MM, e.g. 07:00-24:00"
                                         ) from None


def parser() -> argparse.ArgumentParser:
    """The options of ``callsim fit``."""
    p = argparse.ArgumentParser(
        prog="callsim fit",
        description="Fit arrivals, handle time, patience (censored), redials and agents on "
        "duty from a call log; write a scenario callsim runs, and report.html.",
    )
    p.add_argument("log", type=Path, help="the call log: generic CSV or Anonymous Bank format")
    p.add_argument("--out", type=Path, required=True, help="folder for the outputs (created)")
    p.add_argument("--format", choices=("auto", "csv", "bank"), default="auto",
                   help="log format (auto: the bank format is recognised by its header)")
    p.add_argument("--type", dest="call_type", default=None, help="fit only this call type")
    p.add_argument("--by-type", action="store_true",
                   help="also fit each call type with at least --min-calls calls")
    p.add_argument("--min-calls", type=int, default=500, help="with --by-type (calls)")
    p.add_argument("--interval-min", type=int, default=30, help="interval length (minutes)")
    p.add_argument("--hours", type=_hours, default=None,
                   help="opening hours HH:MM-HH:MM (default: those holding 99%% of arrivals)")
    p.add_argument("--name", default="fitted", help="scenario name (scenario/<name>.yaml)")
    p.add_argument("--max-gap-min", type=float, default=30.0,
                   help="a pause longer than this ends an agent's session (minutes)")
    p.add_argument("--redial-window-h", type=float, default=24.0,
                   help="a next call within this counts as a redial or repeat (hours)")
    return p


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def fit_summary(fit: LogFit) -> dict[str, Any]:
    """The estimates of a fit with their intervals, JSON-ready (seconds, shares)."""
    a, h, p, r = fit.arrivals, fit.handle, fit.patience, fit.repeats
    out: dict[str, Any] = {
        "source": fit.log.source, "call_type": fit.call_type, "calls": len(fit.log.calls),
        "days": a.days, "open_s": fit.open_s, "close_s": fit.close_s,
        "arrivals": {"volume_per_day": a.volume_per_day, "profile": list(a.profile),
                     "day_of_week_factors": list(a.day_of_week_factors),
                     "busyness_var": a.busyness_var, "busyness_ci": list(a.busyness_ci)},
        "handle": {"chosen": h.chosen, "mean_s": h.mean_s, "cv": h.cv, "n": h.n,
                   "table": h.table.drop(columns=["values_s"], errors="ignore")
                   .to_dict(orient="records")},
        "patience": {"exp_mean_s": p.exp_mean_s,
                     "exp_rate_ci": list(p.exp_rate_ci), "edges_s": list(p.edges_s),
                     "rates_per_s": list(p.rates_per_s), "rates_low": list(p.rates_low),
                     "rates_high": list(p.rates_high), "abandons": p.abandons, "n": p.n},
        "notes": fit.notes,
    }
    if r is not None:
        out["repeats"] = {k: _clean(getattr(r, k)) for k in r.__dataclass_fields__}
    return {k: _clean(v) if not isinstance(v, dict) else
            {kk: _clean(vv) for kk, vv in v.items()} for k, v in out.items()}


def _write(fit: LogFit, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    scenario = write_scenario(fit, folder, name)
    atomic_write_text(folder / "fit.json",
                      json.dumps(fit_summary(fit), indent=1, default=str) + "\n")
    write_report(fit, folder, str(scenario))
    log.info("%s: %d calls, %d days -> %s", fit.call_type or "all types", len(fit.log.calls),
             fit.arrivals.days, scenario)
    return scenario


def main(argv: list[str]) -> int:
    """Run ``callsim fit`` with ``argv`` (the arguments after ``fit``); returns the exit
    status (0 ok, 2 bad input: one line on stderr)."""
    args = parser().parse_args(argv)
    try:
        calls = read_log(args.log, args.format)
        if args.interval_min < 1:
            raise ValueError(f"--interval-min = {args.interval_min}: must be >= 1")
        opts = {"interval_min": args.interval_min, "hours": args.hours,
                "max_gap_s": args.max_gap_min * 60.0,
                "redial_window_s": args.redial_window_h * 3600.0}
        if args.call_type is not None and args.call_type not in calls.call_types():
            raise ValueError(f"--type {args.call_type!r}: not in the log (types: "
                             + ", ".join(calls.call_types()) + ")")
        scenario = _write(fit_log(calls, args.call_type, **opts), args.out, args.name)
        if args.by_type:
            counts = calls.calls["call_type"].value_counts()
            for t in [str(t) for t, n in counts.items() if n >= args.min_calls and t != ""]:
                _write(fit_log(calls, t, **opts), args.out / t, f"{args.name}_{t}")
    except (LogError, ValueError) as exc:
        print(f"callsim fit: error: {exc}", file=sys.stderr)
        return 2
    log.info("run it: callsim --config-dir %s scenario=%s", args.out, scenario.stem)
    return 0
