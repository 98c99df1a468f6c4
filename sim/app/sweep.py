"""Sweeps that resume: one results folder per point, skipped when already done.

``callsim -m staffing.agents=20,25,30`` runs one *point* per combination of values
(Hydra's multirun, on any launcher: the basic one, joblib, Ray, Submitit). Every point
writes into a folder of a stable *sweep folder*, named from its overrides::

    results/<run.name>/sweep/                      hydra.sweep.dir
        run.days=1,staffing.agents=20/             hydra.job.override_dirname
        run.days=1,staffing.agents=25/
        sweep.parquet, sweep.csv                   callsim collect (sim.app.collect)

so that re-running an interrupted sweep finds the points already done. A point is
skipped ("skipped (done)") only if its folder holds a complete results folder
(``summary.json``, written last by :func:`sim.report.writer.write_results`) whose stored
resolved config equals the config it would run now, up to :data:`SPEED_ONLY_KEYS`
(they change the speed, never the numbers). Any other point is simulated again;
a stale or unfinished folder is replaced only once the new results are complete.

Every point's numbers depend on its config alone (``run.seed`` and the replication
index, see :mod:`sim.model.runner`), never on the worker or launcher that runs it.

A sweep logs one line per point (``point k/N done in t s: <folder>``, by
:class:`SweepProgress`); a point's own lines (size estimate, progress, "writing
results", its summary) are debug lines: ``hydra.verbose=callsim`` shows them.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from omegaconf import DictConfig, OmegaConf

from sim.app.collect import POINT_NEUTRAL_KEYS, collect, write_collected
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.model.runner import Replications, replicate
from sim.report.writer import write_results

__all__ = [
    "POINT_NEUTRAL_KEYS",
    "SPEED_ONLY_KEYS",
    "PointOutcome",
    "SweepProgress",
    "check_points",
    "collect",
    "point_details_at_debug",
    "point_state",
    "point_workers",
    "run_point",
    "sweep_points",
    "sweep_size",
    "write_collected",
]

log = logging.getLogger("callsim")

#: Loggers whose info lines about one run (size, progress, writing) a sweep point keeps
#: to debug level.
_POINT_LOGGERS = ("callsim", "sim.model.runner")


@contextmanager
def point_details_at_debug() -> Iterator[None]:
    """Inside this block the run's info lines (:data:`_POINT_LOGGERS`) are not shown
    unless the ``callsim`` logger is at debug level (``hydra.verbose=callsim``), so a
    sweep logs one line per point; warnings and errors still show. The levels come
    back afterwards."""
    if log.isEnabledFor(logging.DEBUG):
        yield
        return
    loggers = [logging.getLogger(name) for name in _POINT_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


#: Config keys that change how fast a point runs, never its numbers: a finished point
#: is reused whatever their value.
SPEED_ONLY_KEYS: tuple[str, ...] = ("run.workers", "run.force")

PointStatus = Literal["done", "stale", "new"]


def _plain(value: Any) -> Any:
    """Tuples as lists, recursively (YAML has no tuples)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _without_speed_keys(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without :data:`SPEED_ONLY_KEYS` (changed in place and returned)."""
    for dotted in SPEED_ONLY_KEYS:
        node: Any = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(leaf, None)
    return data


def _comparable(config_yaml: str) -> dict[str, Any]:
    """A resolved config (YAML text) as a plain dict, without :data:`SPEED_ONLY_KEYS`."""
    data = OmegaConf.to_container(OmegaConf.create(config_yaml), resolve=True)
    assert isinstance(data, dict)
    return _without_speed_keys({str(k): v for k, v in data.items()})


def _stored(config_yaml: str) -> dict[str, Any]:
    """A stored ``config.yaml`` (plain YAML, as :func:`sim.writer.write_results` writes
    it) as a plain dict without :data:`SPEED_ONLY_KEYS`: a C YAML parser, no OmegaConf
    (a skipped point costs milliseconds)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(config_yaml, Loader=loader)
    if not isinstance(data, dict) or any("${" in str(v) for v in _leaves(data)):
        return _comparable(config_yaml)  # interpolations: OmegaConf resolves them
    return _without_speed_keys(_plain(data))


def _leaves(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [x for v in data.values() for x in _leaves(v)]
    if isinstance(data, list):
        return [x for v in data for x in _leaves(v)]
    return [data]


def point_state(folder: Path, config: Config) -> PointStatus:
    """Whether the point in ``folder`` is ``done`` for ``config``, ``stale`` or ``new``.

    ``done``: ``summary.json`` and ``config.yaml`` are there and the stored config equals
    ``config`` (up to :data:`SPEED_ONLY_KEYS`). ``stale``: the folder holds something
    else (other config, or files without ``summary.json``). ``new``: the folder is absent
    or empty (Hydra creates it empty before the job starts).
    """
    folder = Path(folder)
    if not folder.is_dir() or not any(folder.iterdir()):
        return "new"
    summary, stored = folder / "summary.json", folder / "config.yaml"
    if not (summary.is_file() and stored.is_file()):
        return "stale"
    current = _without_speed_keys(_plain(dataclasses.asdict(config)))
    try:
        same = _stored(stored.read_text(encoding="utf-8")) == current
    except Exception:  # an unreadable stored config is as good as none
        same = False
    return "done" if same else "stale"


@dataclass
class PointOutcome:
    """What :func:`run_point` did: ``status`` is ``"skipped"`` or ``"simulated"``.

    Small on purpose: it is a Hydra job's return value, sent back from the worker.
    """

    status: Literal["skipped", "simulated"]
    folder: Path
    seconds: float  # wall-clock time of the point, seconds


#: What a point's results folder may hold (sim.writer); anything else is not callsim's.
_RESULT_FILES = frozenset(
    {"config.yaml", "overrides.txt", "summary.json", "summary.csv", "replications.csv",
     "report.html"}
    | {f"{t}.{ext}" for t in ("intervals", "days", "calls", "agents") for ext in ("parquet", "csv")}
)  # fmt: skip


def _foreign_entries(folder: Path) -> list[str]:
    """Names in ``folder`` that callsim's writer never writes (empty: a point's folder).

    A stale point is deleted before it is written again; this keeps that deletion to
    folders holding callsim's results and nothing else.
    """
    foreign = []
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            foreign.append(entry.name)
        elif entry.is_dir():
            if entry.name != "figures" or any(
                not (p.is_file() and not p.is_symlink() and p.suffix == ".png")
                for p in entry.iterdir()
            ):
                foreign.append(entry.name)
        elif entry.name not in _RESULT_FILES:
            foreign.append(entry.name)
    return foreign


def _remove_leftovers(folder: Path) -> None:
    """Delete partial folders of this point left by a killed run (``kill -9``, node lost)."""
    for leftover in folder.parent.glob(f"{folder.name}.partial-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def run_point(
    config: Config,
    folder: Path,
    overrides: Sequence[str],
    workers: int | None = None,
) -> tuple[PointOutcome, Replications | None]:
    """Simulate one point of a sweep into ``folder``, or skip it if it is done.

    Returns what was done and the replications (None when skipped). ``workers`` caps ``run.workers`` (processes for replications) when the launcher
    already runs several points side by side; the numbers do not depend on it.
    """
    folder = Path(folder)
    t0 = time.perf_counter()
    state = point_state(folder, config)
    if state == "done":
        log.debug("%s: skipped (done)", folder)
        return PointOutcome("skipped", folder, time.perf_counter() - t0), None
    if state == "stale":
        foreign = _foreign_entries(folder)
        if foreign:
            raise ConfigError(
                f"{folder}: holds {foreign[0]!r}, which callsim does not write, so it is not "
                "one point's results folder; refusing to replace it (give the sweep its own "
                "hydra.sweep.dir)"
            )
        log.info("%s: holds other or unfinished results; simulating it again", folder)
    _remove_leftovers(folder)
    with point_details_at_debug():
        reps = replicate(config, workers=workers)
        if state == "stale":
            # the old folder goes only now that the new results are in memory; the writer
            # then renames its complete partial folder into place
            aside = folder.with_name(f"{folder.name}.stale-{os.getpid()}")
            folder.rename(aside)
            shutil.rmtree(aside, ignore_errors=True)
        write_results(reps, folder, list(overrides))
    return PointOutcome("simulated", folder, time.perf_counter() - t0), reps


def point_workers(launcher: Any, workers: int) -> int:
    """Processes for a point's replications under this Hydra ``launcher`` config.

    The joblib launcher already runs ``n_jobs`` points side by side on this machine,
    so each point then runs its replications in its own process (``run.workers``
    processes inside each of ``n_jobs`` workers would oversubscribe the cores); a Ray
    task gets the CPUs it asked for (``hydra.launcher.ray.remote.num_cpus``, default 1).
    Other launchers (basic, Submitit: a job per node or allocation) keep ``workers``.
    The numbers never depend on it (seeds come from ``run.seed`` and the replication).
    """
    target = str(OmegaConf.select(launcher, "_target_", default="") or "")
    cap: int | None = None
    if "joblib" in target and OmegaConf.select(launcher, "n_jobs", default=-1) != 1:
        cap = 1
    elif "ray" in target.lower():
        cap = max(1, int(OmegaConf.select(launcher, "ray.remote.num_cpus", default=1) or 1))
    if cap is not None and workers == 0:
        return cap  # auto inside a parallel sweep: the launcher's share
    if cap is not None and workers > cap:
        log.warning(
            "run.workers=%d inside a parallel sweep: using %d process(es) per point "
            "(the launcher already runs points side by side; the numbers are the same)",
            workers, cap,
        )  # fmt: skip
        return cap
    return workers


def check_points(overrides: Sequence[str]) -> int:
    """Compose and validate the config of every point of a sweep; return their number.

    Run before the sweep starts, so that a bad value in any point (``staffing.agents=20,0``)
    stops it with :class:`~sim.config.validation.ConfigError` before anything is simulated.
    ``hydra...`` overrides (launcher, sweep folder) are left to Hydra. Each point is
    composed by :func:`sim.config.compose.compose`: Hydra once per combination of group
    choices (``scenario=...``, ``+key``, ``~key``), the slow step, then the plain
    ``key=value`` overrides set on a copy (milliseconds a point).
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    from sim.config.compose import compose

    task = [o for o in overrides if not o.lstrip("+~").startswith("hydra")]
    parser = OverridesParser.create()
    try:
        points = sweep_points(parser.parse_overrides(task))
    except HydraException:
        return 0  # Hydra reports its own syntax errors
    for point in points:
        compose(point)  # Hydra once per group choices, then plain values (sim.config.compose)
    return len(points)


def sweep_size(task_overrides: Sequence[str], sweeper_params: Any = None) -> int | None:
    """Number of points the basic sweeper makes of these overrides (None if unknown)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    items = list(task_overrides)
    if sweeper_params:
        items = [f"{k}={v}" for k, v in dict(sweeper_params).items()] + items
    try:
        return len(sweep_points(OverridesParser.create().parse_overrides(items)))
    except Exception:  # another sweeper's syntax: no count, the log says "point k"
        return None


def sweep_points(overrides: Sequence[Any]) -> list[list[str]]:
    """The points Hydra's basic sweeper makes of parsed overrides: the cartesian product
    of every discrete sweep (``key=a,b``), each point a list of ``key=value`` strings,
    the last override of a key winning. Raises ``HydraException`` for a range or
    interval sweep, which the basic sweeper does not expand either."""
    from hydra.errors import HydraException

    choices: dict[str, list[str]] = {}
    for override in overrides:
        key = override.get_key_element()
        if not override.is_sweep_override():
            choices[key] = [f"{key}={override.get_value_element_as_str()}"]
        elif override.is_discrete_sweep():
            choices[key] = [f"{key}={v}" for v in override.sweep_string_iterator()]
        else:
            raise HydraException(f"{key}: only discrete sweeps (a,b,c) are expanded here")
    return [list(point) for point in itertools.product(*choices.values())]


def _point_name(config: DictConfig) -> str:
    hydra_cfg = config.hydra
    try:
        return str(
            Path(hydra_cfg.runtime.output_dir).relative_to(Path(hydra_cfg.sweep.dir).resolve())
        )
    except ValueError:
        return str(hydra_cfg.runtime.output_dir)


try:
    from hydra.experimental.callback import Callback as _Callback
except ImportError:  # pragma: no cover - hydra-core >= 1.3 has it
    _Callback = object  # type: ignore[assignment,misc]


class SweepProgress(_Callback):
    """Hydra callback: one log line per point of a sweep, ``point k/N``.

    Named in ``sim/config/yaml/config.yaml`` under ``hydra.callbacks``. ``on_multirun_start``
    runs in the launching process and counts the points; the launchers then ship this
    object to wherever the jobs run (joblib workers, Ray tasks, SLURM jobs), where
    ``on_job_end`` logs each point as it ends: ``k`` is the point's number in the
    sweep (points on parallel workers end in any order).
    """

    def __init__(self) -> None:
        self.size: int | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Count the points and say where they go."""
        hydra_cfg = config.hydra
        self.size = sweep_size(
            list(hydra_cfg.overrides.task), OmegaConf.select(hydra_cfg, "sweeper.params")
        )
        count = "?" if self.size is None else str(self.size)
        log.info("sweep of %s point(s) into %s", count, hydra_cfg.sweep.dir)

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        """Log ``point k/N <status>: <folder name>`` for a job of a multirun."""
        from hydra.core.utils import JobStatus
        from hydra.types import RunMode

        hydra_cfg = config.hydra
        if hydra_cfg.mode != RunMode.MULTIRUN:
            return
        k = int(hydra_cfg.job.num) + 1
        where = f"{k}/{self.size}" if self.size is not None else f"{k}"
        name = _point_name(config)
        if job_return.status != JobStatus.COMPLETED:
            log.error("point %s failed: %s", where, name)
            return
        outcome = job_return.return_value
        if isinstance(outcome, PointOutcome) and outcome.status == "skipped":
            log.info("point %s skipped (done): %s", where, name)
        elif isinstance(outcome, PointOutcome):
            log.info("point %s done in %.1f s: %s", where, outcome.seconds, name)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Say how to collect the sweep."""
        log.info("sweep finished; collect it with: callsim collect %s", config.hydra.sweep.dir)
