"""What the studies of ``experiments/`` share: command line, sizes, tables, figures.

Every study is one command, ``python experiments/<study>.py [--quick] [--out DIR]
[--replications N] [--workers N] [key=value ...]``, that writes its tables (CSV and
Parquet) and figures (PNG) into ``results/studies/<study>/`` atomically: everything goes
into a sibling ``<study>.partial-<pid>`` folder first, which replaces the old folder
only when the last file is in place (:func:`atomic_folder`). A failed or interrupted
study leaves the previous complete folder, or none, never a half-written one.

Common random numbers: replication ``r`` of any scenario draws from streams spawned
from ``run.seed`` with spawn key ``r`` (:class:`sim.core.rng.Streams`), so two scenarios run
with the same seed share their random numbers and can be compared replication by
replication (:func:`paired_differences`).

The studies use the public library API only (``sim.compose``, ``sim.load_config``,
``sim.replicate``, ``sim.theory.analytic``, ``sim.model.runner.confidence_table``).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

import sim
from sim.core.law_schema import ExponentialLaw
from sim.model.runner import confidence_table
from sim.report.htmlkit import figure_png
from sim.report.style import RC, figure_style, line_style

__all__ = [
    "RESULTS",
    "ROOT",
    "StudyArgs",
    "atomic_folder",
    "compact",
    "days_mean",
    "kpi_rows",
    "paired_differences",
    "parse_args",
    "replicate",
    "save_figure",
    "series",
    "steady_point",
    "style",
    "styled",
    "write_table",
]

ROOT = Path(__file__).resolve().parent.parent
#: Default parent of every study's folder.
RESULTS = ROOT / "results" / "studies"

log = logging.getLogger("studies")
DAY_S = 86400.0  # seconds per day


@dataclass(frozen=True)
class StudyArgs:
    """The parsed command line of a study.

    ``replications`` and ``workers`` are ``None`` when not given (the study's size
    decides); ``overrides`` are Hydra overrides (``run.days=14``) applied to every
    config of the study after its own size settings.
    """

    name: str
    quick: bool
    out: Path
    replications: int | None
    workers: int
    overrides: tuple[str, ...]


def parse_args(name: str, doc: str | None, argv: Sequence[str] | None) -> StudyArgs:
    """Parse a study's command line and set up logging (INFO, one line per step)."""
    first = (doc or name).strip().splitlines()[0]
    parser = argparse.ArgumentParser(prog=f"experiments/{name}.py", description=first)
    parser.add_argument(
        "--quick", action="store_true", help="a tiny size that runs in seconds (tests, docs)"
    )
    parser.add_argument(
        "--out", type=Path, default=RESULTS / name, help=f"folder (default results/studies/{name})"
    )
    parser.add_argument(
        "--replications", type=int, default=None, help="replications per point (default: size's)"
    )
    parser.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="processes (default 2)"
    )
    parser.add_argument(
        "overrides", nargs="*", help="Hydra overrides for every config, e.g. run.days=14"
    )
    ns = parser.parse_args(list(argv) if argv is not None else None)
    if ns.replications is not None and ns.replications < 2:
        parser.error(f"--replications {ns.replications}: must be >= 2 (confidence intervals)")
    if ns.workers < 1:
        parser.error(f"--workers {ns.workers}: must be >= 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    return StudyArgs(
        name=name,
        quick=bool(ns.quick),
        out=Path(ns.out),
        replications=ns.replications,
        workers=int(ns.workers),
        overrides=tuple(ns.overrides),
    )


def replicate(config: sim.Config, args: StudyArgs, label: str, factor: int = 1) -> sim.Replications:
    """``sim.replicate`` with the study's replications (``--replications``, else
    ``run.replications``; times ``factor``) and workers, logged as ``label``."""
    n = args.replications if args.replications is not None else config.run.replications
    n *= factor
    log.info("%s: %d replication(s) x %d day(s)", label, n, config.run.days)
    return sim.replicate(config, replications=n, workers=args.workers)


# ------------------------------------------------------------------------------ statistics
def kpi_rows(
    per_replication: pd.DataFrame, kpis: Sequence[str], confidence: float, **labels: Any
) -> pd.DataFrame:
    """Mean and Student-t interval over replications of each KPI, one row per KPI.

    Columns: the ``labels`` (e.g. ``scenario``), ``kpi``, ``mean``, ``sd``, ``n``,
    ``half_width``, ``ci_low``, ``ci_high`` (as ``sim.model.runner.confidence_table``).
    """
    table = confidence_table(per_replication[list(kpis)], confidence).reset_index()
    for i, (key, value) in enumerate(labels.items()):
        table.insert(i, key, value)
    return table


def paired_differences(
    base: pd.DataFrame, other: pd.DataFrame, kpis: Sequence[str], confidence: float
) -> pd.DataFrame:
    """``other - base`` for each KPI: paired over replications (CRN) and unpaired.

    ``base`` and ``other`` are ``per_replication`` tables of the same seed; rows are
    matched on ``replication``. The paired interval is Student-t on the differences
    (n - 1 degrees of freedom); the unpaired one is Welch's interval, what the same
    numbers would give had the two scenarios used independent random numbers. Columns:
    ``kpi``, ``diff``, ``half_width``, ``ci_low``, ``ci_high``, ``unpaired_half_width``,
    ``n``.
    """
    merged = base.merge(other, on="replication", suffixes=("_base", "_other"))
    n = len(merged)
    if n < 2:
        raise ValueError(f"paired differences need >= 2 common replications, got {n}")
    q = 0.5 + confidence / 2
    rows = []
    for kpi in kpis:
        a = merged[f"{kpi}_base"].to_numpy(float)
        b = merged[f"{kpi}_other"].to_numpy(float)
        d = b - a
        half = float(stats.t.ppf(q, n - 1) * d.std(ddof=1) / math.sqrt(n))
        va, vb = a.var(ddof=1) / n, b.var(ddof=1) / n
        se = math.sqrt(va + vb)
        if se > 0:  # Welch-Satterthwaite degrees of freedom
            df = (va + vb) ** 2 / (va**2 / (n - 1) + vb**2 / (n - 1))
            unpaired = float(stats.t.ppf(q, df) * se)
        else:
            unpaired = 0.0
        mean = float(d.mean())
        rows.append(
            {
                "kpi": kpi,
                "diff": mean,
                "half_width": half,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "unpaired_half_width": unpaired,
                "n": n,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ output
@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield a fresh partial folder that replaces ``out`` when the block succeeds.

    The partial folder is ``<out>.partial-<pid>`` beside ``out``; on any exception
    (KeyboardInterrupt included) it is removed and ``out`` is left as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f"{out.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        yield partial
        old = out.with_name(f"{out.name}.old-{os.getpid()}")
        if out.exists():
            out.rename(old)
        partial.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    log.info("written to %s", out)


def write_table(df: pd.DataFrame, folder: Path, name: str) -> None:
    """``<name>.csv`` and ``<name>.parquet`` in ``folder`` (no index)."""
    df.to_csv(folder / f"{name}.csv", index=False)
    df.to_parquet(folder / f"{name}.parquet", index=False)


def save_figure(fig: Figure, folder: Path, name: str, dpi: int = 100) -> None:
    """``<name>.png`` in ``folder`` as a 256-colour PNG (:func:`sim.report.htmlkit.figure_png`:
    it looks the same as full RGB on line figures at about 40% of the bytes, which keeps
    the year-long panels under the docs' 150 KB per image); closes the figure."""
    (folder / f"{name}.png").write_bytes(figure_png(fig, dpi))


# ------------------------------------------------------------------------------ style
def style() -> dict[str, Any]:
    """The studies' figure style: the project's one style (:data:`sim.report.style.RC`)."""
    return dict(RC)


def compact(v: float) -> str:
    """A short tick label: 1500 -> 1.5k, 2000000 -> 2M."""
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:g}{suffix}"
    return f"{v:g}"


@contextmanager
def styled() -> Iterator[None]:
    """A ``with`` block drawing in the project's style (:func:`sim.report.style.figure_style`),
    with constrained layout: the studies' multi-panel figures (rotated tick labels,
    legends below the panels) need it so that labels neither clip nor overlap."""
    with figure_style(), plt.rc_context({"figure.constrained_layout.use": True}):
        yield


def series(i: int) -> dict[str, Any]:
    """Colour, marker and line style of the ``i``-th series (:func:`sim.report.style.line_style`)."""
    return line_style(i)


def days_mean(days: pd.DataFrame, columns: Sequence[str], confidence: float) -> pd.DataFrame:
    """Per day: mean over replications of ``columns`` and the interval's half-width.

    Columns ``day``, then ``<col>`` and ``<col>_half_width`` for each column (Student-t,
    n - 1 degrees of freedom; NaN with a single replication).
    """
    g = days.groupby("day")
    out = pd.DataFrame({"day": sorted(days["day"].unique())})
    n = g.size().to_numpy()
    t = np.where(n > 1, stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)), np.nan)
    for col in columns:
        out[col] = g[col].mean().to_numpy()
        out[f"{col}_half_width"] = t * g[col].std(ddof=1).to_numpy() / np.sqrt(n)
    return out


def steady_point(base: sim.Config, volume_per_day: float, agents: int) -> sim.Config:
    """``base`` (a stationary, always-open centre) at another volume and staffing.

    The warm-up becomes the base's, or 10 relaxation times of the new queue if longer
    (``sim.theory.oracle.relaxation_time_s``; exponential patience gives its abandonment rate,
    any other law the conservative no-abandonment bound), and whole days are added so
    that the measured time (``run.days`` x 86,400 s - ``run.warmup_s``) is at least the
    base's.
    ``volume_per_day`` in fresh calls per day.
    """
    from sim.theory.oracle import relaxation_time_s

    lam = volume_per_day / DAY_S
    h = float(getattr(base.service.talk, "mean_s", None) or 0.0) + float(getattr(base.service.acw, "value_s", None) or 0.0)
    p = base.patience
    theta = 1.0 / float(p.mean_s) if isinstance(p, ExponentialLaw) else 0.0
    if theta == 0.0 and lam * h >= agents:
        raise sim.ConfigError(
            f"staffing.agents = {agents}: must exceed the offered load {lam * h:.4g} Erlangs "
            "when nobody abandons"
        )
    warmup = max(base.run.warmup_s, 10.0 * relaxation_time_s(agents, lam, h, theta))
    measured_s = base.run.days * DAY_S - base.run.warmup_s
    return sim.load_config(
        base,
        center__volume_per_day=float(volume_per_day),
        staffing__agents=int(agents),
        run__warmup_s=warmup,
        run__days=math.ceil((warmup + measured_s) / DAY_S),
    )
