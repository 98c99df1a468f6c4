"""One tidy table of a sweep: a row per point and replication, a column per parameter.

:func:`collect` reads every finished point of a sweep folder (a folder holding
``summary.json``, ``replications.csv`` and ``overrides.txt``; see :mod:`sim.app.sweep`) and
stacks their ``replications.csv``. Each override of the point becomes a column named
by its dotted key (``staffing.agents``), typed as Hydra parses it (``20`` an int,
``0.5`` a float, ``genesys`` a string; a list stays its text ``[10,12]``).
:func:`write_collected` writes it as ``sweep.parquet`` and ``sweep.csv`` into the
sweep folder (``callsim collect <sweep_dir>``), each file atomically, and the sweep's
HTML report ``report.html`` (:func:`sim.report.html_report.sweep_report`) against the parameters
that vary.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.core.checks import ConfigError
from sim.core.files import atomic_write
from sim.model.runner import confidence_table
from sim.outputs.csv_cells import write_csv

__all__ = ["POINT_NEUTRAL_KEYS", "collect", "read_overrides", "swept_params", "write_collected"]

log = logging.getLogger("callsim")

#: Keys left out of a point's folder name and of the collected table's columns: the
#: same for every point of a sweep (``run.name`` names the sweep folder) or not
#: changing the numbers. ``sim/config/yaml/config.yaml`` lists the same keys under
#: ``hydra.job.config.override_dirname.exclude_keys`` (a test checks they agree).
POINT_NEUTRAL_KEYS: tuple[str, ...] = ("run.name", "run.workers", "run.force")


def _skipped(part: str) -> bool:
    """Hidden (``.submitit``), partial or stale folders are not points."""
    return part.startswith(".") or ".partial-" in part or ".stale-" in part


def _typed(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return None  # lists and dicts: the caller keeps the override's text


def read_overrides(point: Path) -> dict[str, Any]:
    """The overrides of a point folder (``overrides.txt``) as ``{dotted key: value}``.

    Keys in ``run.name``/``run.workers`` are left out (the same for every point, or not
    changing numbers); ``+key`` and ``~key`` count as ``key``.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    path = Path(point) / "overrides.txt"
    if not path.is_file():
        raise ConfigError(f"{point}: no overrides.txt (not a point written by `callsim -m`)")
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    parser = OverridesParser.create()
    params: dict[str, Any] = {}
    for line in lines:
        try:
            override = parser.parse_override(line)
        except HydraException as exc:
            raise ConfigError(f"{path}: cannot parse override {line!r}: {exc}") from None
        key = override.key_or_group
        if key in POINT_NEUTRAL_KEYS:
            continue
        value = _typed(override.value())
        params[key] = line.split("=", 1)[1] if value is None and "=" in line else value
    return params


def _points(root: Path) -> tuple[list[Path], list[Path]]:
    """Finished point folders (with ``summary.json``) and unfinished ones (empty)."""
    done: list[Path] = []
    unfinished: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not _skipped(d))
        if "summary.json" in filenames:
            done.append(here)
            dirnames[:] = []  # a point's own subfolders (figures/) are not points
        elif not dirnames and not filenames and here != root:
            unfinished.append(here)
    return done, unfinished


def collect(sweep_dir: str | Path) -> pd.DataFrame:
    """One row per point and replication of the sweep in ``sweep_dir``.

    Columns: ``point`` (the point's folder, relative to ``sweep_dir``), one column per
    override key of the points (their list is ``table.attrs["params"]``), then
    ``replication`` and every KPI of ``replications.csv``. Rows are sorted by the
    parameters, then the replication. Raises :class:`~sim.config.validation.ConfigError` if
    the folder holds no finished point or the points' overrides differ in keys.
    Unfinished point folders (empty: the job was stopped) are logged, not collected.
    """
    root = Path(sweep_dir)
    if not root.is_dir():
        raise ConfigError(f"sweep folder {str(root)!r}: no such folder")
    done, unfinished = _points(root)
    if unfinished:
        log.warning(
            "%d unfinished point(s) not collected (re-run the sweep to finish them): %s",
            len(unfinished),
            ", ".join(str(p.relative_to(root)) for p in unfinished),
        )
    if not done:
        raise ConfigError(
            f"sweep folder {str(root)!r}: holds no finished point (a folder with "
            "summary.json, replications.csv and overrides.txt, as `callsim -m` writes)"
        )
    frames: list[pd.DataFrame] = []
    keys: list[str] | None = None
    first = ""
    for point in done:
        name = point.relative_to(root).as_posix()
        params = read_overrides(point)
        if keys is None:
            keys, first = list(params), name
        elif set(params) != set(keys):
            raise ConfigError(
                f"sweep folder {str(root)!r}: point {name!r} overrides keys "
                f"{sorted(params)} but point {first!r} overrides {sorted(keys)}; "
                "collect one sweep at a time (one hydra.sweep.dir per set of keys)"
            )
        reps = pd.read_csv(point / "replications.csv")
        lead = pd.DataFrame({"point": [name] * len(reps)})
        for key in keys:
            lead[key] = [params[key]] * len(reps)
        frames.append(pd.concat([lead, reps], axis=1))
    assert keys is not None
    table = pd.concat(frames, ignore_index=True)
    try:
        table = table.sort_values([*keys, "point", "replication"], kind="stable")
    except TypeError:  # a parameter mixes types: keep the folders' order
        table = table.sort_values(["point", "replication"], kind="stable")
    table = table.reset_index(drop=True)
    table.attrs["params"] = list(keys)
    return table


def write_collected(sweep_dir: str | Path) -> Path:
    """Collect the sweep in ``sweep_dir`` into ``sweep.parquet``, ``sweep.csv`` (one row
    per point and replication), ``points.csv`` (one row per point, means and confidence
    intervals, :func:`point_table`) and ``report.html`` there (the report against :func:`swept_params`, if the points have
    any override).

    Each file is written to a partial file first and renamed into place, so none is
    ever half-written. Returns the Parquet file's path.
    """
    root = Path(sweep_dir)
    table = collect(root)
    parquet = atomic_write(root / "sweep.parquet", lambda p: table.to_parquet(p, index=False))
    atomic_write(root / "sweep.csv", lambda p: write_csv(table, p))  # formula-safe cells
    summary = point_table(table, _confidence(root))
    atomic_write(root / "points.csv", lambda p: write_csv(summary, p))
    points = table["point"].nunique()
    log.info(
        "collected %d row(s): %d point(s), parameters %s -> %s",
        len(table), points, ", ".join(table.attrs["params"]) or "(none)", parquet,
    )  # fmt: skip
    params = swept_params(table)
    if params:
        from sim.report.html_report import sweep_report

        title = f"{root.parent.name if root.name == 'sweep' else root.name}: sweep"
        report = sweep_report(table, params, root / "report.html", title, _confidence(root),
                              _currency(root))  # fmt: skip
        log.info("report: %s", report)
    return parquet


def point_table(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per point of a collected table: the parameters that vary
    (:func:`swept_params`), then for every KPI its mean over replications and the
    Student-t confidence interval (``<kpi>``, ``<kpi>_ci_low``, ``<kpi>_ci_high``),
    and ``replications``. Points keep the collected table's order."""
    params = [p for p in swept_params(table) if table[p].nunique(dropna=False) > 1]
    kpis = [
        c for c in table.columns
        if c not in {"point", "replication", *table.attrs.get("params", [])}
        and pd.api.types.is_numeric_dtype(table[c])
    ]  # fmt: skip
    rows = []
    for point, group in table.groupby("point", sort=False):
        ci = confidence_table(group[kpis], confidence)
        row: dict[str, Any] = {"point": point, **{p: group[p].iloc[0] for p in params}}
        row["replications"] = len(group)
        for kpi in kpis:
            row[kpi] = ci.at[kpi, "mean"]
            row[f"{kpi}_ci_low"] = ci.at[kpi, "ci_low"]
            row[f"{kpi}_ci_high"] = ci.at[kpi, "ci_high"]
        rows.append(row)
    return pd.DataFrame(rows)


def swept_params(table: pd.DataFrame) -> list[str]:
    """The parameters of a collected table that take more than one value (all of them
    if none does), in the table's order: the keys a sweep report plots against."""
    params: list[str] = list(table.attrs.get("params", []))
    varying = [p for p in params if table[p].nunique(dropna=False) > 1]
    return varying or params


def _confidence(root: Path) -> float:
    """The confidence level the points used (``metrics.confidence``; 0.95 if unknown)."""
    for summary in sorted(root.glob("*/summary.json")):
        try:
            return float(json.loads(summary.read_text(encoding="utf-8"))["confidence"])
        except (ValueError, KeyError, TypeError):
            break
    return 0.95


def _currency(root: Path) -> str:
    """``economics.currency`` of the points (their ``config.yaml``): the one they share,
    or a note when it differs between points (then a swept parameter, shown per row)."""
    found: set[str] = set()
    for config in sorted(root.glob("*/config.yaml")):
        if ".partial-" in config.parent.name:
            continue
        try:
            data = yaml.safe_load(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):  # the report says "currency units"
            continue
        value = (data.get("economics") or {}).get("currency") if isinstance(data, dict) else None
        if isinstance(value, str) and value:
            found.add(value)
    if len(found) == 1:
        return found.pop()
    return "each point's economics.currency" if found else "currency units"
