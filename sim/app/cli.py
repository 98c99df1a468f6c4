"""The ``callsim`` command: thin Hydra wrappers around the library.

``callsim [overrides]`` runs a scenario (replications with confidence intervals) and
writes ``results/<run.name>/<timestamp>/``; ``callsim -m a=1,2`` sweeps (one folder per point in
``results/<run.name>/sweep/``, named from its overrides; a re-run skips the points
already done, see :mod:`sim.app.sweep`); ``callsim collect <sweep_dir>`` stacks a sweep
into ``sweep.parquet`` and ``sweep.csv`` (:mod:`sim.app.collect`); ``callsim validate [overrides]`` compares simulation with the
exact formulas for a config that meets their assumptions (default scenario
``steady_genesys``); ``callsim plan ...`` plans agents per interval and shifts from a
forecast (:mod:`sim.app.plan`, its own ``--help``). A bad key or value stops before any simulation with one line
naming the key, the value and what is allowed, and exit status 2 (an unknown group
option, e.g. ``patience=nope``, is refused by Hydra with the list of options, status 1).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.app.sweep import PointOutcome, check_points, point_workers, run_point, write_collected
from sim.config.command_trust import check_command_line
from sim.config.compose import CONFIG_DIR, check_overrides
from sim.config.trust import TRUST_ENV, TRUST_FLAG
from sim.config.validation import load_config
from sim.core.checks import ConfigError
from sim.core.schema import register_configs
from sim.model.runner import replicate
from sim.report.writer import summary_text, write_results

__all__ = ["main"]

log = logging.getLogger("callsim")

register_configs()


@contextmanager
def _friendly_errors() -> Iterator[None]:
    """Turn bad input into one clear line and exit status 2, without a traceback."""
    try:
        yield
    except ConfigError as exc:
        log.error("callsim: error: %s", exc)
        sys.exit(2)
    except KeyboardInterrupt:
        log.error("callsim: interrupted; no results were written")
        sys.exit(130)


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
    with _friendly_errors():
        config = load_config(cfg)
        hc = HydraConfig.get()
        if hc.mode == RunMode.MULTIRUN:  # a point of a sweep: skipped if already done
            workers = point_workers(hc.launcher, config.run.workers)
            folder = Path(hc.runtime.output_dir)
            if folder.resolve() == Path(hc.sweep.dir).resolve():  # no override names it
                folder = folder / "no-overrides"
            outcome, done = run_point(config, folder, list(hc.overrides.task), workers)
            if done is not None:
                log.info("%s\nresults: %s", summary_text(done), outcome.folder)
            return outcome
        reps = replicate(config)
        folder = write_results(
            reps, _results_folder(config.run.name), list(HydraConfig.get().overrides.task)
        )
        log.info("%s\nresults: %s", summary_text(reps), folder)
    return None


def _collect(args: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="callsim collect",
        description="Stack the points of a sweep into sweep.parquet and sweep.csv "
        "(one row per point and replication) inside the sweep folder.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep folder, e.g. results/NAME/sweep")
    write_collected(parser.parse_args(args).sweep_dir)


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def _validate(cfg: DictConfig) -> None:
    from sim.theory.oracle import format_validation, validate

    with _friendly_errors():
        config = load_config(cfg)
        try:
            table = validate(config)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        log.info(format_validation(table))


def main() -> None:
    """Entry point of the ``callsim`` console script."""
    args = sys.argv[1:]
    if TRUST_FLAG in args:  # trust this command's configs (sim.config.trust); Hydra must not see it
        args = [a for a in args if a != TRUST_FLAG]
        sys.argv = [sys.argv[0], *args]
        os.environ[TRUST_ENV] = "1"
    if args and args[0] == "plan":
        from sim.app.plan import main as plan_main

        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
        with _friendly_errors():
            plan_main(args[1:])
        return
    if args and args[0] == "collect":
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
        with _friendly_errors():
            _collect(args[1:])
        return
    if "--force" in args:  # run.force=true: run what the size estimate refuses (sim.config.size)
        args = [a for a in args if a != "--force"] + ["run.force=true"]
        sys.argv = [sys.argv[0], *args]
    with _friendly_errors():
        check_overrides([a for a in args if not a.startswith("-") and a != "validate"])
        check_command_line(args)  # configs are data: no code, no environment (sim.config.trust)
        if {"-m", "--multirun"} & set(args) and args[0] != "validate":
            check_points([a for a in args if not a.startswith("-")])
    if args and args[0] == "validate":
        rest = args[1:]
        if not any(a.lstrip("+~").startswith("scenario=") for a in rest):
            rest.append("scenario=steady_genesys")
        sys.argv = [sys.argv[0], *rest]
        _validate()
    else:
        _run()


if __name__ == "__main__":
    main()
