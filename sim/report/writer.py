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
    intervals_by_type.parquet, summary_by_type.csv, replications_by_type.csv
                         per call type (only with several call types)
    intervals_by_group.parquet, summary_by_group.csv, replications_by_group.csv
                         per agent group (only with several agent groups)
    callbacks.parquet, summary_callbacks.csv, replications_callbacks.csv
                         per callback offer of every replication, and the callback KPIs
                         (only with callbacks.enabled)
    *.csv                CSV copies of the tables up to output.csv_max_rows rows (text
                         cells starting like a formula, =+-@, get a leading ', see
                         sim.outputs.csv_cells)
    figures/intervals.png
    figures/days.png     customers and money per day (when customers are tracked)
    figures/call_types.png, figures/agent_groups.png   (several types / groups only)
    report.html          everything above for reading: metadata, KPI table with
                         confidence intervals, figures, definitions, config, overrides;
                         one self-contained file (sim.report.html_report)
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import OmegaConf

from sim.core.files import atomic_folder
from sim.core.schema import Config
from sim.model.progress import Progress
from sim.model.runner import Replications
from sim.outputs.csv_cells import write_csv
from sim.outputs.kpis import CALLBACK_KPIS, KPIS, format_value
from sim.outputs.metrics import KPI_DEFINITIONS
from sim.report.breakdown_report import breakdown_lines, ci_text, several, type_targets
from sim.report.channels_report import channel_lines
from sim.report.html_report import figure_names, run_figures, run_report
from sim.report.htmlkit import verdict_text

__all__ = ["ESTIMATORS", "ROW_GROUP", "summary_text", "write_parquet", "write_results"]

log = logging.getLogger("callsim")

#: The KPIs of the summary text, in order; labels, units and formats come from the KPI
#: registry (:mod:`sim.outputs.kpis`).
_SHOWN = (
    "offered", "service_level", "asa_s", "abandon_rate", "block_rate", "occupancy", "p_wait",
    "mean_handle_s", "fcr", "bad_experience_rate", "fatigue_mean", "attrition_annual",
    "customers_end", "customers_lost_to_service", "revenue", "agent_cost", "profit",
)  # fmt: skip
#: Runs shorter than this (days) do not show annualised attrition in the summary text.
MIN_ATTRITION_DAYS = 90


def _applies(key: str, cfg: Config) -> bool:
    """Whether a line of the summary says something for this config (FCR is 100% by
    construction when every contact resolves; blocking needs a capacity limit)."""
    if key == "fcr":
        wf = cfg.workforce
        degraded = wf.enabled and (wf.fatigue.enabled or wf.learning.enabled)
        return cfg.resolution.fcr < 1.0 or degraded
    if key == "block_rate":
        return cfg.queue.lines is not None or cfg.queue.max_waiting is not None
    if key == "attrition_annual":
        return cfg.run.days >= MIN_ATTRITION_DAYS  # a handful of quits, annualised: noise
    return True


def summary_text(reps: Replications) -> str:
    """A short human summary: headline KPIs with their confidence intervals.

    Plain labels and units from the KPI registry (:mod:`sim.outputs.kpis`), money in
    ``economics.currency``; lines that do not apply to the config (FCR without repeat
    contacts, blocking without a capacity limit, KPIs of what is not tracked) are left out;
    the service level says whether it met ``metrics.sl_target``.
    """
    cfg = reps.config
    t: dict[Any, dict[Any, Any]] = reps.summary.to_dict(orient="index")
    n = int(t["offered"]["n"])
    conf = cfg.metrics.confidence
    currency = cfg.economics.currency
    head = (
        f"{cfg.run.name}: {cfg.run.days} day(s) x {n} replication(s), "
        f"{cfg.center.open_time}-{cfg.center.close_time}, seed {cfg.run.seed}"
    )
    lines = [head, "-" * len(head)]
    for key in _SHOWN:
        mean, half = float(t[key]["mean"]), float(t[key]["half_width"])
        if not math.isfinite(mean) or not _applies(key, cfg):
            continue  # not tracked, or says nothing here
        text = format_value(key, mean, currency=currency)
        if n > 1 and math.isfinite(half):
            text += f"  {ci_text(t[key], key, currency)}"
        label = KPIS[key].label
        if KPIS[key].unit == "share a year":
            text += " a year"
        if key == "service_level":
            label = f"{label} ({cfg.metrics.sl_threshold_s:g} s)"
            low, high = (float(t[key][c]) if n > 1 else math.nan for c in ("ci_low", "ci_high"))
            text += f"  ({verdict_text(mean, low, high, cfg.metrics.sl_target)})"
        lines.append(f"  {label:<30}{text}")
    lines += breakdown_lines(reps)  # several call types or agent groups only
    if cfg.callbacks.enabled and len(reps.summary_callbacks):
        lines.append("  callbacks:")
        cb: dict[Any, dict[Any, Any]] = reps.summary_callbacks.to_dict(orient="index")
        for key in (
            "callback_offer_rate",
            "callback_accept_rate",
            "callback_mean_delay_s",
            "callback_service_level",
            "abandon_saved",
        ):
            text = format_value(key, float(cb[key]["mean"]))
            ci = ci_text(cb[key], key) if n > 1 else ""
            lines.append(f"    {CALLBACK_KPIS[key].label:<46}{text}  {ci}".rstrip())
    lines += channel_lines(reps)  # chat or e-mail types only
    if n > 1:
        lines.append(f"  (± = half-width of the {conf:.0%} confidence interval over replications)")
    lines.append("  service level = answered within the threshold / offered calls")
    if cfg.callbacks.enabled:
        lines.append("  (with callbacks: of the calls that stayed on the line; callbacks on time above)")
    return "\n".join(lines)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


#: ``estimators`` of summary.json: what the ``estimator`` of each KPI means.
ESTIMATORS = {
    "ratio": "pooled ratio over the replications: all numerators over all denominators "
    "(service level: answered within the threshold / offered, summed over the "
    "replications), with the delta-method Student-t confidence interval; not the mean of "
    "the replications' ratios in replications.csv (docs/background/metrics.md, "
    "'Ratios over replications')",
    "mean": "mean of the replications' values, with the Student-t confidence interval of "
    "the mean",
}


def _summary_json(reps: Replications) -> dict[str, Any]:
    cfg = reps.config
    kpis = {
        kpi: {**{col: _clean(float(row[col])) for col in reps.summary.columns},
              "estimator": reps.estimator(str(kpi))}
        for kpi, row in reps.summary.iterrows()
    }  # fmt: skip
    return {
        "scenario": cfg.run.name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "replications": int(reps.per_replication.shape[0]),
        "days": cfg.run.days,
        "seed": cfg.run.seed,
        "confidence": cfg.metrics.confidence,
        "sl_threshold_s": cfg.metrics.sl_threshold_s,
        "kpis": kpis,
        "estimators": ESTIMATORS,
        "definitions": KPI_DEFINITIONS,
        **_breakdown_json(reps),
        **_callbacks_json(reps),
    }


def _callbacks_json(reps: Replications) -> dict[str, Any]:
    """``callbacks`` of summary.json (callbacks only): KPI -> mean and interval."""
    if not reps.config.callbacks.enabled:
        return {}
    return {"callbacks": {
        "kpis": {k: {**{c: _clean(float(r[c])) for c in reps.summary_callbacks.columns},
                     "estimator": reps.estimator(str(k))}
                 for k, r in reps.summary_callbacks.iterrows()},
        "definitions": {k: v.definition for k, v in CALLBACK_KPIS.items()},
    }}  # fmt: skip


def _ci_json(
    summary: pd.DataFrame, by: str, parts: pd.DataFrame
) -> dict[str, dict[str, dict[str, Any]]]:
    """name -> kpi -> {mean, sd, n, half_width, ci_low, ci_high, estimator} of a long CI
    table; ``parts`` (``by``, ``kpi``, ...): the ratio parts its pooled ratios came from."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    stats = [c for c in summary.columns if c not in (by, "kpi")]
    pooled = set(zip(parts[by].astype(str), parts["kpi"], strict=True)) if len(parts) else set()
    for r in summary.to_dict("records"):
        name, kpi = str(r[by]), str(r["kpi"])
        out.setdefault(name, {})[kpi] = {
            **{c: _clean(float(r[c])) for c in stats},
            "estimator": "ratio" if (name, kpi) in pooled else "mean",
        }
    return out


def _breakdown_json(reps: Replications) -> dict[str, Any]:
    """``call_types`` and ``agent_groups`` of summary.json, each only when there are several."""
    out: dict[str, Any] = {}
    if several(reps.intervals_by_type, "call_type"):
        targets = type_targets(reps)
        out["call_types"] = {
            name: {"sl_threshold_s": targets[name][0], "sl_target": targets[name][1], "kpis": k}
            for name, k in _ci_json(reps.summary_by_type, "call_type",
                                    reps.ratio_parts_by_type).items()
        }
    if several(reps.intervals_by_group, "agent_group"):
        out["agent_groups"] = {
            name: {"kpis": k}
            for name, k in _ci_json(reps.summary_by_group, "agent_group",
                                    reps.ratio_parts_by_group).items()
        }
    return out


#: Writes one file (or two: the table and its CSV copy) into the folder given.
Step = Callable[[Path], None]

#: Rows per Parquet row group (and per conversion to Arrow) of the tables written.
ROW_GROUP = 1 << 20


def write_parquet(df: pd.DataFrame, path: Path, rows: int = ROW_GROUP) -> None:
    """Write ``df`` (no index) to Parquet one row group of ``rows`` rows at a time.

    ``DataFrame.to_parquet`` converts the whole table to Arrow first, a second copy of
    it in memory; converting and writing a row group at a time keeps that copy to one
    row group (a year's calls table: ~75 MB instead of ~470 MB). Read back with
    ``pandas.read_parquet``, the table is the same (dtypes, categories, values).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if len(df) <= rows:
        df.to_parquet(path, index=False)
        return
    first = pa.Table.from_pandas(df.iloc[:rows], preserve_index=False)
    with pq.ParquetWriter(path, first.schema) as out:
        out.write_table(first)
        del first
        for lo in range(rows, len(df), rows):
            part = pa.Table.from_pandas(
                df.iloc[lo : lo + rows], schema=out.schema, preserve_index=False
            )
            out.write_table(part)


def _table(df: pd.DataFrame, folder: Path, name: str, csv_max_rows: int) -> None:
    write_parquet(df, folder / f"{name}.parquet")
    if 0 < len(df) <= csv_max_rows:
        write_csv(df, folder / f"{name}.csv")


def _table_steps(reps: Replications, overrides: list[str] | None) -> list[tuple[str, Step]]:
    """The tables of the results folder, one step each: ``(file name, write(folder))``."""
    cfg = reps.config
    rows = cfg.output.csv_max_rows

    def table(name: str, df: pd.DataFrame) -> tuple[str, Step]:
        return f"{name}.parquet", lambda folder: _table(df, folder, name, rows)

    def csv(name: str, df: pd.DataFrame, index: bool = False) -> tuple[str, Step]:
        def write(folder: Path) -> None:
            write_csv(df, folder / f"{name}.csv", index=index)

        return f"{name}.csv", write

    def config(folder: Path) -> None:
        (folder / "config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.structured(cfg)))
        if overrides is not None:
            (folder / "overrides.txt").write_text("".join(f"{o}\n" for o in overrides))

    steps = [("config.yaml", config), csv("summary", reps.summary, index=True),
             csv("replications", reps.per_replication), table("intervals", reps.intervals),
             table("days", reps.days)]  # fmt: skip
    if cfg.output.calls_table:
        steps.append(table("calls", reps.calls))
    if cfg.workforce.enabled:
        steps.append(table("agents", reps.agents))
    for by, what in (("call_type", "type"), ("agent_group", "group")):
        if several(getattr(reps, f"intervals_by_{what}"), by):  # one queue: no clutter
            steps += [table(f"intervals_by_{what}", getattr(reps, f"intervals_by_{what}")),
                      csv(f"summary_by_{what}", getattr(reps, f"summary_by_{what}")),
                      csv(f"replications_by_{what}", getattr(reps, f"per_replication_by_{what}"))]  # fmt: skip
    if cfg.callbacks.enabled:
        steps += [table("callbacks", reps.callbacks),
                  csv("summary_callbacks", reps.summary_callbacks, index=True),
                  csv("replications_callbacks", reps.per_replication_callbacks)]  # fmt: skip
    return steps


def _writing_line(k: int, n: int, name: str, elapsed: float) -> str:
    """The progress line of writing results in a log (:class:`~sim.model.progress.Progress`)."""
    if not name:  # between files
        return f"writing results: {k} of {n} done, elapsed {elapsed:.1f} s"
    return f"writing results: {name} ({k + 1} of {n}), elapsed {elapsed:.1f} s"


def write_results(reps: Replications, folder: Path, overrides: list[str] | None = None) -> Path:
    """Write the results of ``reps`` into ``folder`` atomically; return ``folder``.

    ``folder`` must not exist, or be an empty directory (Hydra makes one per
    multirun job); its parent is created if needed. Progress (:mod:`sim.model.progress`):
    a bar on a terminal, one step per file (the tables, each figure, the report); in a
    log, a line ``writing results: <file> (k of n), elapsed t s`` at most every
    :data:`~sim.model.progress.PROGRESS_EVERY_S` seconds.
    """
    folder = Path(folder)
    log.info("writing results into %s", folder)
    tables = _table_steps(reps, overrides)
    n = len(tables) + len(figure_names(reps)) + 1  # + report.html (and summary.json)
    with atomic_folder(folder) as partial, Progress(n, "writing results", "file", log,
                                                    _writing_line, last=False) as progress:  # fmt: skip
        for name, write in tables:
            progress.start(name)
            write(partial)
            progress.advance()

        def drawing(name: str) -> None:
            if drawn:
                progress.advance()
            drawn.append(name)
            progress.start(f"figures/{name}.png")

        drawn: list[str] = []
        try:
            figures = run_figures(reps, drawing)  # {} when output.figures is false
        except Exception as exc:  # a figure must never cost the tables
            log.warning(
                "figures not drawn (%s: %s); the tables are written", type(exc).__name__, exc
            )
            figures = {}
        if drawn:
            progress.advance()  # the last figure drawn
        if figures:
            (partial / "figures").mkdir()
            for name, png in figures.items():
                (partial / "figures" / f"{name}.png").write_bytes(png)
        progress.start("report.html")
        (partial / "report.html").write_text(
            run_report(reps, overrides, figures=figures), encoding="utf-8"
        )
        # summary.json last: its presence marks a complete folder even before the rename
        (partial / "summary.json").write_text(json.dumps(_summary_json(reps), indent=2))
        progress.advance()
    return folder
