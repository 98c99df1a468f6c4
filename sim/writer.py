"""The results folder of a run, written so that it is complete or absent.

Everything is written into a sibling ``<folder>.partial-<pid>`` first and renamed to
``<folder>`` only when the last file is in place; a run that fails or is interrupted
removes its partial folder, so no results folder ever looks whole without being whole.

Layout (columns documented in ``docs/reference/outputs.md``)::

    config.yaml          the resolved configuration
    overrides.txt        the command-line overrides, one a line (CLI runs)
    summary.json         KPIs with mean and confidence interval, definitions, metadata
    summary.csv          the same KPI table for spreadsheets
    replications.csv     one row of KPIs per replication
    intervals.parquet    per replication x day x interval
    days.parquet         per replication x day: calls, agent time, customers, money
    calls.parquet        per call attempt of replication 0 (if output.calls_table)
    agents.parquet       per replication x agent x day (if workforce.enabled)
    *.csv                CSV copies of the tables up to output.csv_max_rows rows (text
                         cells starting like a formula, =+-@, get a leading ', see
                         sim.csv_cells)
    figures/intervals.png
    figures/days.png     customers and money per day (when customers are tracked)
    report.html          everything above for reading: metadata, KPI table with
                         confidence intervals, figures, definitions, config, overrides;
                         one self-contained file (sim.report)
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import OmegaConf

from sim.csv_cells import write_csv
from sim.metrics import KPI_DEFINITIONS
from sim.report import run_figures, run_report
from sim.runner import Replications

__all__ = ["summary_text", "write_results"]

log = logging.getLogger("callsim")

_SHOWN = (
    ("offered", "calls offered", "{:,.0f}"),
    ("service_level", "service level", "{:.1%}"),
    ("asa_s", "ASA", "{:.1f} s"),
    ("abandon_rate", "abandoned", "{:.1%}"),
    ("block_rate", "blocked", "{:.1%}"),
    ("occupancy", "occupancy", "{:.1%}"),
    ("p_wait", "had to wait", "{:.1%}"),
    ("mean_handle_s", "handle time", "{:.0f} s"),
    ("fcr", "first-contact resolution", "{:.1%}"),
    ("bad_experience_rate", "calls rated bad", "{:.1%}"),
    ("fatigue_mean", "agent fatigue (0-1)", "{:.2f}"),
    ("attrition_annual", "agent attrition per year", "{:.0%}"),
    ("customers_end", "customers at the end", "{:,.0f}"),
    ("customers_lost_to_service", "customers lost to service", "{:,.0f}"),
    ("revenue", "revenue", "{:,.0f}"),
    ("agent_cost", "agent cost", "{:,.0f}"),
    ("profit", "profit", "{:,.0f}"),
)
#: Runs shorter than this (days) do not show annualised attrition in the summary text.
MIN_ATTRITION_DAYS = 90
_OPTIONAL = {"customers_end", "customers_lost_to_service", "revenue", "profit", "fatigue_mean",
             "attrition_annual"}  # fmt: skip


def summary_text(reps: Replications) -> str:
    """A short human summary: headline KPIs with their confidence intervals."""
    cfg = reps.config
    t: dict[Any, dict[Any, Any]] = reps.summary.to_dict(orient="index")
    n = int(t["offered"]["n"])
    conf = cfg.metrics.confidence
    head = (
        f"{cfg.run.name}: {cfg.run.days} day(s) x {n} replication(s), "
        f"{cfg.center.open_time}-{cfg.center.close_time}, seed {cfg.run.seed}"
    )
    lines = [head, "-" * len(head)]
    for key, label, fmt in _SHOWN:
        mean, half = float(t[key]["mean"]), float(t[key]["half_width"])
        if key in _OPTIONAL and not math.isfinite(mean):
            continue  # customers not tracked
        if key == "attrition_annual" and cfg.run.days < MIN_ATTRITION_DAYS:
            continue  # a handful of quits, annualised: noise
        text = fmt.format(mean) if math.isfinite(mean) else "n/a"
        if n > 1 and math.isfinite(half):
            text += f"  ± {fmt.format(half)}"
        if key == "service_level":
            label = f"{label} ({cfg.metrics.sl_threshold_s:g} s)"
        lines.append(f"  {label:<26}{text}")
    if n > 1:
        lines.append(f"  (± = half-width of the {conf:.0%} confidence interval over replications)")
    lines.append("  service level = answered within the threshold / offered calls")
    return "\n".join(lines)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _summary_json(reps: Replications) -> dict[str, Any]:
    cfg = reps.config
    kpis = {
        kpi: {col: _clean(float(row[col])) for col in reps.summary.columns}
        for kpi, row in reps.summary.iterrows()
    }
    return {
        "scenario": cfg.run.name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "replications": int(reps.per_replication.shape[0]),
        "days": cfg.run.days,
        "seed": cfg.run.seed,
        "confidence": cfg.metrics.confidence,
        "sl_threshold_s": cfg.metrics.sl_threshold_s,
        "kpis": kpis,
        "definitions": KPI_DEFINITIONS,
    }


def _table(df: pd.DataFrame, folder: Path, name: str, csv_max_rows: int) -> None:
    df.to_parquet(folder / f"{name}.parquet", index=False)
    if 0 < len(df) <= csv_max_rows:
        write_csv(df, folder / f"{name}.csv")


def write_results(reps: Replications, folder: Path, overrides: list[str] | None = None) -> Path:
    """Write the results of ``reps`` into ``folder`` atomically; return ``folder``.

    ``folder`` must not exist, or be an empty directory (Hydra makes one per
    multirun job); its parent is created if needed.
    """
    folder = Path(folder)
    cfg = reps.config
    out = cfg.output
    log.info("writing results into %s", folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    partial.mkdir()
    try:
        (partial / "config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.structured(cfg)))
        if overrides is not None:
            (partial / "overrides.txt").write_text("".join(f"{o}\n" for o in overrides))
        write_csv(reps.summary, partial / "summary.csv", index=True)
        write_csv(reps.per_replication, partial / "replications.csv")
        _table(reps.intervals, partial, "intervals", out.csv_max_rows)
        _table(reps.days, partial, "days", out.csv_max_rows)
        if out.calls_table:
            _table(reps.calls, partial, "calls", out.csv_max_rows)
        if cfg.workforce.enabled:
            _table(reps.agents, partial, "agents", out.csv_max_rows)
        try:
            figures = run_figures(reps)  # {} when output.figures is false
        except Exception as exc:  # a figure must never cost the tables
            log.warning("figures not drawn (%s: %s); the tables are written", type(exc).__name__, exc)
            figures = {}
        if figures:
            (partial / "figures").mkdir()
            for name, png in figures.items():
                (partial / "figures" / f"{name}.png").write_bytes(png)
        (partial / "report.html").write_text(
            run_report(reps, overrides, figures=figures), encoding="utf-8"
        )
        # summary.json last: its presence marks a complete folder even before the rename
        (partial / "summary.json").write_text(json.dumps(_summary_json(reps), indent=2))
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder
