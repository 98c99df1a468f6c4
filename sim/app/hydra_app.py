"""The Hydra side of the ``callsim`` command: ``run`` (and multirun sweeps) and ``validate``.

:mod:`sim.app.cli` imports this module only when one of these commands runs, so that
``callsim --help`` does not pay for Hydra, pandas, scipy and matplotlib.
:func:`run_hydra` runs a scenario (replications with confidence intervals, written to
``results/<run.name>/<timestamp>/``) or, with ``-m``, a sweep (one folder per point in
``results/<run.name>/sweep/``, a re-run skips the points already done, :mod:`sim.app.sweep`);
:func:`validate_hydra` compares simulation with the exact formulas (default scenario
``steady_genesys``). Both check every override against the schema first and refuse bad
input with one line naming the key, the value and what is allowed (exit status 2).
``callsim run`` fixes glibc's mmap threshold first (:func:`return_freed_memory`), so
that a long run's freed memory goes back to the system (peak memory, issue 16).
"""

from __future__ import annotations

import ctypes
import logging
import platform
import sys
from datetime import datetime
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.app.errors import friendly_errors
from sim.app.sweep import PointOutcome, check_points, point_workers, run_point
from sim.config.command_trust import check_command_line, check_command_overrides
from sim.config.compose import CONFIG_DIR, composed_config
from sim.core.checks import ConfigError
from sim.core.schema import register_configs
from sim.model.runner import replicate, sigterm_exits
from sim.report.writer import summary_text, write_results

__all__ = ["return_freed_memory", "run_hydra", "validate_hydra"]

log = logging.getLogger("callsim")

register_configs()


def _results_folder(name: str) -> Path:
    hc = HydraConfig.get()
    if hc.mode == RunMode.MULTIRUN:
        return Path(hc.runtime.output_dir)
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    folder = Path("results") / name / stamp
    k = 1
    while folder.exists():
        k += 1
        folder = Path("results") / name / f"{stamp}_{k}"
    return folder


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def _run(cfg: DictConfig) -> PointOutcome | None:
    with friendly_errors():
        hc = HydraConfig.get()
        config = composed_config(cfg, list(hc.overrides.task))
        if hc.mode == RunMode.MULTIRUN:  # a point of a sweep: skipped if already done
            workers = point_workers(hc.launcher, config.run.workers)
            folder = Path(hc.runtime.output_dir)
            if folder.resolve() == Path(hc.sweep.dir).resolve():  # no override names it
                folder = folder / "no-overrides"
            outcome, done = run_point(config, folder, list(hc.overrides.task), workers)
            if done is not None:  # one line per point at info (SweepProgress)
                log.debug("%s\nresults: %s", summary_text(done), outcome.folder)
            return outcome
        reps = replicate(config)
        folder = write_results(
            reps, _results_folder(config.run.name), list(HydraConfig.get().overrides.task)
        )
        log.info("%s\nresults: %s", summary_text(reps), folder)
    return None


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def _validate(cfg: DictConfig) -> None:
    from sim.theory.oracle import format_validation, validate

    with friendly_errors():
        config = composed_config(cfg, list(HydraConfig.get().overrides.task))
        try:
            table = validate(config)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        log.info(format_validation(table))


#: glibc's ``M_MMAP_THRESHOLD`` (``mallopt``) and the value :func:`return_freed_memory` sets.
M_MMAP_THRESHOLD, MMAP_THRESHOLD = -3, 1 << 20


def return_freed_memory() -> bool:
    """Make glibc give the memory of every freed block of 1 MB or more back to the system
    at once (Linux with glibc; elsewhere nothing: returns False).

    glibc serves a block from its heap unless it is larger than its mmap threshold,
    which starts at 128 kB and rises to the size of each large block freed (up to 32
    MB). A long run frees many blocks of a few MB (the population's daily draws, the
    tables' chunks); from its heap glibc hands them out again, but the holes between
    live blocks stay resident, and the process's peak memory grows with them (a year
    at 200 agents and 2.8 million customers: 175 MB of free heap at the end of the
    engine, 1.0 GB peak resident memory instead of 0.85, measured). A fixed threshold
    of 1 MB maps each such block on its own and unmaps it when freed. It changes no
    number of a run; the time measured the same (within noise).
    """
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        return False


def run_hydra(args: list[str]) -> None:
    """``callsim run ARGS``: Hydra's command line (overrides, ``-m``, ``--cfg job``, ...).

    Raises :class:`~sim.config.validation.ConfigError` for a bad override or sweep point,
    before anything is simulated.
    """
    check_command_overrides(args)
    check_command_line(args)  # configs are data: no code, no environment (sim.config.trust)
    if {"-m", "--multirun"} & set(args):
        check_points([a for a in args if not a.startswith("-")])
    sys.argv = [sys.argv[0], *args]
    return_freed_memory()
    # SIGTERM as SystemExit(143): joblib's Parallel then kills its loky workers and the
    # replication pool terminates its processes, instead of leaving them orphaned
    with sigterm_exits():
        _run()


def validate_hydra(args: list[str]) -> None:
    """``callsim validate ARGS``: as :func:`run_hydra`, default scenario ``steady_genesys``."""
    check_command_overrides(args)
    check_command_line(args)
    rest = list(args)
    if not any(a.lstrip("+~").startswith("scenario=") for a in rest):
        rest.append("scenario=steady_genesys")
    sys.argv = [sys.argv[0], *rest]
    _validate()
