"""The sweeper of ``callsim -m``: Hydra's basic sweeper, without its cost per finished point.

Hydra's basic sweeper composes every point of a sweep twice in the launching process
(once to check it, once when the launcher starts its job), about a second each, even
for a point whose results are already there. :class:`ResumingSweeper` (``hydra/sweeper:
callsim``, the default of ``sim/config/yaml/config.yaml``):

* does not compose the points to check them: ``callsim -m`` has already checked every
  point (:func:`sim.app.sweep.check_points`, once per combination of group choices);
* skips a point whose folder is done (:func:`sim.app.sweep.point_state`) before its job
  is launched, from the point's config composed by :func:`sim.config.compose.compose`
  (Hydra once per combination of group choices, then milliseconds a point) and its
  folder named as Hydra names it (``hydra.job.override_dirname``); it logs
  ``point k/N skipped (done)``. Only with the default ``hydra.sweep.subdir``; a point it
  cannot decide on is launched, and its job decides (:func:`sim.app.sweep.run_point`).

The other points go to the configured launcher (basic, joblib, Ray, Submitit) as
before, numbered after the skipped ones (``k`` in the log counts points in the order
they are handled). Points are expanded as the basic sweeper expands them
(:func:`sim.app.sweep.sweep_points`); only Hydra's public plugin interface is used.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.plugins import Plugins
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

__all__ = ["SUBDIR", "ResumingSweeper", "point_folder_name"]

from sim.core.paths import point_dirname

log = logging.getLogger("callsim")

#: The ``hydra.sweep.subdir`` under which finished points are skipped before launch.
SUBDIR = "${callsim_dirname:${hydra.job.override_dirname}}"  # sim.core.paths.point_dirname


def point_folder_name(job: Sequence[str], exclude: Sequence[str], item_sep: str,
                      kv_sep: str) -> str:  # fmt: skip
    """``hydra.job.override_dirname`` of a job's overrides, as Hydra computes it: the
    overrides as typed, less the excluded keys, sorted, joined by ``item_sep``, each
    ``=`` replaced by ``kv_sep``."""
    parsed = OverridesParser.create().parse_overrides(list(job))
    lines = sorted(str(o.input_line) for o in parsed if o.key_or_group not in exclude)
    return re.sub("[=]", kv_sep, item_sep.join(lines))


class ResumingSweeper(Sweeper):
    """Every point of the sweep in one batch, finished ones skipped (module docstring)."""

    def __init__(self, max_batch_size: int | None = None,
                 params: dict[str, str] | None = None) -> None:  # fmt: skip
        self.max_batch_size = max_batch_size
        self.params = dict(params or {})
        self.hydra_context: HydraContext | None = None
        self.config: DictConfig | None = None
        self.launcher: Any = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction,
              config: DictConfig) -> None:  # fmt: skip
        """Keep the context and make the configured launcher."""
        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Nothing: ``callsim -m`` checked every point before the sweep started."""

    def sweep(self, arguments: list[str]) -> Any:
        """Launch the points that are not done (in batches of ``max_batch_size``)."""
        from sim.app.sweep import sweep_points

        assert self.config is not None and self.launcher is not None
        assert self.hydra_context is not None
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        params = [f"{k}={v}" for k, v in self.params.items()]
        points = sweep_points(parser.parse_overrides([*params, *arguments]))
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        todo: list[list[str]] = []
        skipped = 0
        for job in points:
            if self._done(job):
                skipped += 1
                log.info("point %d/%d skipped (done): %s", skipped, len(points),
                         self._folder(job).name)  # fmt: skip
            else:
                todo.append(job)
        size = self.max_batch_size or len(todo) or 1
        returns: list[Any] = []
        handled = skipped
        for lo in range(0, len(todo), size):
            batch = todo[lo : lo + size]
            results = self.launcher.launch(batch, initial_job_idx=handled)
            for r in results:
                _ = r.return_value  # raises if the job failed
            returns.append(results)
            handled += len(batch)
        return returns

    def _folder(self, job: Sequence[str]) -> Path:
        """The folder Hydra gives the job of these overrides (default subdir)."""
        assert self.config is not None
        hc = self.config.hydra
        conf = hc.job.config.override_dirname
        name = point_folder_name(job, list(conf.exclude_keys), str(conf.item_sep),
                                 str(conf.kv_sep))  # fmt: skip
        sweep_dir = Path(hc.sweep.dir)
        return sweep_dir / point_dirname(name) if name else sweep_dir / "no-overrides"

    def _done(self, job: Sequence[str]) -> bool:
        """True if the point of these overrides is done (never raises: False instead)."""
        from sim.app.sweep import point_state
        from sim.config.compose import compose

        assert self.config is not None
        t0 = time.perf_counter()
        try:
            sweep = OmegaConf.to_container(self.config.hydra.sweep, resolve=False)
            if not isinstance(sweep, dict) or sweep.get("subdir") != SUBDIR:
                return False
            done = point_state(self._folder(job), compose(list(job))) == "done"
        except Exception:  # the job decides (and reports any error itself)
            return False
        log.debug("point %s checked in %.3f s", list(job), time.perf_counter() - t0)
        return done
