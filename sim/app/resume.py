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
before; ``k`` in the log counts points in the order they are handled.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra._internal.config_loader_impl import get_overrides_dirname
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf

__all__ = ["SUBDIR", "ResumingSweeper"]

log = logging.getLogger("callsim")

#: The ``hydra.sweep.subdir`` under which finished points are skipped before launch.
SUBDIR = "${hydra.job.override_dirname}"


class ResumingSweeper(BasicSweeper):
    """Hydra's basic sweeper that skips finished points without composing them twice."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Nothing: ``callsim -m`` checked every point before the sweep started."""

    def sweep(self, arguments: list[str]) -> Any:
        """Launch the points that are not done, batch by batch (as the basic sweeper)."""
        assert self.config is not None and self.launcher is not None
        assert self.hydra_context is not None
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        overrides = parser.parse_overrides([*self._parse_config(), *arguments])
        self.overrides = self.split_arguments(overrides, self.max_batch_size)
        total = sum(len(b) for b in self.overrides)
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        returns: list[Any] = []
        handled = 0
        while not self.is_done():
            batch = self.get_job_batch()
            todo = []
            for job in batch:
                if self._done(job):
                    handled += 1
                    log.info("point %d/%d skipped (done): %s", handled, total,
                             self._folder(job).name)  # fmt: skip
                else:
                    todo.append(job)
            if todo:
                results = self.launcher.launch(todo, initial_job_idx=handled)
                for r in results:
                    _ = r.return_value  # raises if the job failed
                returns.append(results)
                handled += len(todo)
        return returns

    def _folder(self, job: Sequence[str]) -> Path:
        """The folder Hydra gives the job of these overrides (default subdir)."""
        assert self.config is not None
        hc = self.config.hydra
        conf = hc.job.config.override_dirname
        parsed = OverridesParser.create().parse_overrides(list(job))
        name = get_overrides_dirname(
            parsed, list(conf.exclude_keys), str(conf.item_sep), str(conf.kv_sep)
        )
        sweep_dir = Path(hc.sweep.dir)
        return sweep_dir / name if name else sweep_dir / "no-overrides"

    def _done(self, job: Sequence[str]) -> bool:
        """True if the point of these overrides is done (never raises: False instead)."""
        from sim.app.sweep import point_state
        from sim.config.compose import compose

        assert self.config is not None
        t0 = time.perf_counter()
        try:
            subdir = OmegaConf.to_container(self.config.hydra.sweep, resolve=False)
            if not isinstance(subdir, dict) or subdir.get("subdir") != SUBDIR:
                return False
            done = point_state(self._folder(job), compose(list(job))) == "done"
        except Exception:  # the job decides (and reports any error itself)
            return False
        log.debug("point %s checked in %.3f s", list(job), time.perf_counter() - t0)
        return done
