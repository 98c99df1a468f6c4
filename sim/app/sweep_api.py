"""Sweeps from Python: ``sim.sweep(base, grid)``, with the command line's semantics.

``callsim -m key=a,b`` and :func:`sweep` write the same folders: one results folder per
point, named from its overrides as Hydra names them (``key=value`` pairs sorted by key,
joined by ``,``), under one sweep folder; a point whose folder already holds the
results of the same config is skipped (:func:`sim.app.sweep.point_state`), so an
interrupted sweep resumes where it stopped; the finished points are collected into
``sweep.parquet``, ``sweep.csv``, ``points.csv`` and ``report.html``
(:func:`sim.app.collect.write_collected`). Points run in parallel on ``workers``
processes (joblib); a point's numbers depend on its config alone, never on where it
ran.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.app.collect import POINT_NEUTRAL_KEYS, collect, write_collected
from sim.app.sweep import PointOutcome, run_point, sweep_points
from sim.config.compose import check_overrides, compose
from sim.config.validation import load_config
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.model.runner import sigterm_exits

__all__ = ["SweepResult", "sweep"]

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    """What :func:`sweep` did: the sweep folder, the per-replication table (as
    :func:`sim.app.collect.collect` returns it) and what happened to each point."""

    folder: Path
    table: pd.DataFrame
    outcomes: list[PointOutcome]

    @property
    def simulated(self) -> int:
        """Points simulated by this call (the others were done already)."""
        return sum(o.status == "simulated" for o in self.outcomes)


def _text(value: Any) -> str:
    """A value as Hydra's override grammar writes it (``20``, ``0.5``, ``true``, ``abc``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_text(v) for v in value) + "]"
    return str(value)


Point = list[tuple[str, Any]]  # (dotted key, value) of one point


def _points(grid: Mapping[str, Sequence[Any]]) -> list[Point]:
    """The points of ``grid``: its cartesian product, in the grid's key order."""
    for key, values in grid.items():
        if isinstance(values, str) or not isinstance(values, Sequence) or not values:
            raise ConfigError(f"grid[{key!r}] = {values!r}: must be a non-empty list of values")
    keys = list(grid)
    return [
        list(zip(keys, combo, strict=True)) for combo in itertools.product(*(grid[k] for k in keys))
    ]


def _overrides(point: Point) -> list[str]:
    return [f"{k}={_text(v)}" for k, v in point]


def point_folder_name(overrides: Sequence[str]) -> str:
    """Hydra's ``override_dirname`` of a point of ``callsim -m``: each override as the
    basic sweeper writes it (``key=value``, values in Hydra's spelling, e.g. ``False``),
    without the keys of :data:`~sim.app.collect.POINT_NEUTRAL_KEYS`, sorted, joined by
    ``,``; ``no-overrides`` for none."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    (point,) = sweep_points(OverridesParser.create().parse_overrides(list(overrides)))
    lines = sorted(o for o in point if o.split("=", 1)[0].lstrip("+~") not in POINT_NEUTRAL_KEYS)
    return ",".join(lines) or "no-overrides"


def _config(base: Config | Sequence[str], point: Point) -> Config:
    """The validated config of one point: ``base`` overrides plus the point's, composed
    like the command line, or the point's values set on a base :class:`Config`."""
    if isinstance(base, Config):  # an unknown key or a bad value: one line naming it
        return load_config(base, **{key.replace(".", "__"): value for key, value in point})
    return compose([*base, *_overrides(point)])


def _run(
    base: Config | Sequence[str], point: Point, folder: Path, workers: int | None
) -> PointOutcome:
    cfg = _config(base, point)
    given = [] if isinstance(base, Config) else list(base)
    outcome, _ = run_point(cfg, folder, [*given, *_overrides(point)], workers=workers)
    return outcome


def sweep(
    base: Config | Sequence[str] = (),
    grid: Mapping[str, Sequence[Any]] | None = None,
    replications: int | None = None,
    workers: int = 1,
    folder: str | Path | None = None,
) -> SweepResult:
    """Run every point of ``grid`` on top of ``base``; resume, then collect.

    Args:
        base: command-line style overrides (``["scenario=understaffed", "run.days=14"]``,
            composed like ``callsim``) or a :class:`Config` (``sim.compose(...)``).
        grid: ``{dotted key: [values]}``; every combination is a point, e.g.
            ``{"staffing.agents": [20, 25, 30]}``.
        replications: sets ``run.replications`` of every point (default: the config's).
        workers: points run side by side in this many processes (joblib); each point's
            replications then run in one process.
        folder: the sweep folder (default ``results/<run.name>/sweep``, as ``callsim -m``).

    Returns:
        a :class:`SweepResult`; ``table`` has one row per point and replication.

    Raises:
        ConfigError: naming the key and value of any bad point, before anything runs.
    """
    points = _points(dict(grid or {}))
    if replications is not None:
        points = [[*p, ("run.replications", int(replications))] for p in points]
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"workers = {workers!r}: must be a whole number >= 1", "workers")
    if not isinstance(base, Config):
        check_overrides([*base, *(o for p in points for o in _overrides(p))])
    configs = [_config(base, p) for p in points]  # every point checked before any runs
    root = Path(folder) if folder is not None else Path("results") / configs[0].run.name / "sweep"
    t0 = time.perf_counter()
    given = [] if isinstance(base, Config) else list(base)
    jobs = [(p, root / point_folder_name([*given, *_overrides(p)])) for p in points]
    if workers == 1 or len(jobs) == 1:
        outcomes = [_run(base, p, f, None) for p, f in jobs]
    else:
        from joblib import Parallel, delayed

        with sigterm_exits():  # SIGTERM unwinds: joblib kills its workers, none orphaned
            outcomes = Parallel(n_jobs=min(workers, len(jobs)))(
                delayed(_run)(base, p, f, 1) for p, f in jobs
            )
    for k, outcome in enumerate(outcomes, 1):
        log.info("point %d/%d %s: %s in %.1f s", k, len(outcomes), outcome.folder.name,
                 outcome.status, outcome.seconds)  # fmt: skip
    log.info("sweep of %d point(s) done in %.1f s", len(outcomes), time.perf_counter() - t0)
    write_collected(root)
    return SweepResult(root, collect(root), list(outcomes))
