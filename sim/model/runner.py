"""Replications: independent runs of one scenario, KPIs with confidence intervals.

Replication ``r`` draws from streams spawned with spawn key ``r`` from ``run.seed``
(:class:`~sim.core.rng.Streams`), so its numbers do not depend on which process runs it or
in which order: ``run.workers`` changes the speed, never the results.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import pandas as pd

from sim.config.scenario import Scenario
from sim.config.size import estimate
from sim.core.schema import Config
from sim.model.callcenter import CallCenter, ConfigLike
from sim.model.progress import PROGRESS_EVERY_S, Progress
from sim.outputs.callbacks import CALLBACK_KEYS
from sim.outputs.confidence import confidence_by, confidence_table, pooled_parts
from sim.outputs.metrics import SUMMARY_KEYS
from sim.outputs.results import Results

__all__ = [
    "MIN_PARALLEL_CALLS",
    "PROGRESS_EVERY_S",
    "Replications",
    "auto_workers",
    "combine",
    "confidence_by",  # from sim.outputs.confidence, where the callers found it before
    "confidence_table",
    "replicate",
    "sigterm_exits",
]

log = logging.getLogger(__name__)

#: Expected fresh calls per replication from which ``run.workers: 0`` uses processes.
#: Measured (scale issue, 2 cores, baseline scenario, 4 replications, 1 against 2
#: workers, interleaved, on a machine loaded by other work): the pool costs 0.13-0.25
#: CPU-s more (forks, results pickled back); with 2,400 and 7,600 fresh calls per
#: replication (1 and 3 days) the wall time was sometimes better, sometimes worse; with
#: 26,000 (10 days) 6-21% and with 76,000 (30 days) 17-28% better. The break-even lies
#: between, hence 20,000; an explicit ``run.workers`` overrides it.
MIN_PARALLEL_CALLS = 20_000


def auto_workers(config: Config, replications: int) -> int:
    """Processes for ``run.workers: 0``: the machine's cores (those this process may
    use), bounded by ``replications``; 1 when a replication is too short for a process
    to pay off (expected fresh calls per replication, ``volume_per_day x days``, below
    :data:`MIN_PARALLEL_CALLS`) or with one replication."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    calls = float(config.center.volume_per_day) * config.run.days
    if replications < 2 or calls < MIN_PARALLEL_CALLS:
        return 1
    return max(1, min(cores, replications))


@dataclass
class Replications:
    """The outcome of ``n`` replications of one scenario.

    * ``per_replication``: one row per replication, the KPIs of :data:`SUMMARY_KEYS`;
    * ``summary``: one row per KPI with ``mean``, ``sd``, ``n``, ``half_width``,
      ``ci_low``, ``ci_high`` (Student-t interval at ``metrics.confidence``, the bounds
      clipped at the KPI's natural range: :mod:`sim.outputs.confidence`); a ratio KPI
      (service level, abandonment, ...) by the ratio estimator: its numerators summed
      over its denominators, not the mean of the replications' ratios
      (:func:`~sim.outputs.confidence.ratio_estimate`);
    * ``ratio_parts``: the numerator and denominator of every ratio KPI of ``summary``
      and ``summary_callbacks`` per replication (``replication``, ``kpi``,
      ``numerator``, ``denominator``): what the ratio estimator pooled; per call type
      and agent group ``ratio_parts_by_type`` and ``ratio_parts_by_group`` (a
      ``call_type`` / ``agent_group`` column more);
    * ``intervals``, ``days`` and ``agents``: those tables of all replications, with a
      ``replication`` column (``agents`` has rows only with ``workforce.enabled``);
    * ``calls``: the calls table of replication 0 (the others are not kept, to save memory);
    * per call type and per agent group: ``per_replication_by_type`` (one row per
      replication and type, ``replication`` + :data:`~sim.outputs.call_types.TYPE_SUMMARY_COLUMNS`),
      ``summary_by_type`` (one row per type and KPI: ``call_type``, ``kpi`` and the
      columns of ``summary``; :func:`confidence_by`), ``intervals_by_type`` (all
      replications, a ``replication`` column appended), and the same ``..._by_group``
      (``agent_group``). One type and one group without ``call_types`` / ``agent_groups``.
      Their ratio KPIs are pooled as the centre's.
    """

    config: Config
    per_replication: pd.DataFrame
    summary: pd.DataFrame
    intervals: pd.DataFrame
    days: pd.DataFrame
    calls: pd.DataFrame
    agents: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_replication_by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary_by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    intervals_by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_replication_by_group: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary_by_group: pd.DataFrame = field(default_factory=pd.DataFrame)
    intervals_by_group: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: callbacks (``callbacks.enabled``): the ``callbacks`` tables of every replication,
    #: stacked with a ``replication`` column (as ``intervals``), the callback KPIs per
    #: replication (``replication`` + :data:`CALLBACK_KEYS`) and their
    #: means with confidence intervals (rows as ``summary``); empty without callbacks
    callbacks: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_replication_callbacks: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary_callbacks: pd.DataFrame = field(default_factory=pd.DataFrame)
    ratio_parts: pd.DataFrame = field(default_factory=pd.DataFrame)
    ratio_parts_by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    ratio_parts_by_group: pd.DataFrame = field(default_factory=pd.DataFrame)

    def estimator(self, kpi: str) -> str:
        """How ``summary`` (``summary_callbacks``) estimated ``kpi``: ``"ratio"`` (a ratio
        KPI with parts in :attr:`ratio_parts`: all numerators over all denominators,
        delta-method interval) or ``"mean"`` (the mean of the replications, Student-t
        interval of the mean). Background: docs/background/metrics.md, "Ratios over
        replications"."""
        parts = self.ratio_parts
        pooled = len(parts) and kpi in set(parts["kpi"])
        return "ratio" if pooled else "mean"


def _replication_line(k: int, n: int, name: str, elapsed: float) -> str:
    """The progress line of replications in a log (:class:`~sim.model.progress.Progress`)."""
    return f"replication {k} of {n} done, elapsed {elapsed:.1f} s"


@contextmanager
def sigterm_exits() -> Iterator[None]:
    """Inside this block, SIGTERM raises ``SystemExit(143)`` in the main thread.

    Python's default for SIGTERM ends the process at once, leaving worker processes
    (a replication pool, a joblib sweep's workers) running for minutes; as an exception
    it unwinds, so ``finally`` blocks terminate the workers and remove partial results.
    Does nothing outside the main thread. The previous handler comes back afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _default_sigterm() -> None:
    """Pool worker initializer: SIGTERM ends the worker at once (Python's default)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _one_task(task: tuple[Scenario, int, bool]) -> Results:
    return _one(*task)


def _one(scenario: Scenario, replication: int, keep_calls: bool) -> Results:
    """One replication in a worker process (the calls table only if ``keep_calls``); the
    scenario was parsed once in the parent."""
    res = CallCenter(scenario).run(replication)
    if not keep_calls:
        res.calls = res.calls.iloc[0:0]
    return res


def replicate(
    config: ConfigLike = None,
    replications: int | None = None,
    workers: int | None = None,
) -> Replications:
    """Run ``replications`` (default ``run.replications``) independent replications.

    ``workers`` (default ``run.workers``) > 1 spreads them over processes; 0 chooses
    (:func:`auto_workers`). The numbers never depend on it. Logs the size estimate first
    (:mod:`sim.config.size`); then a progress bar on a terminal, or progress lines
    (``replication k of n done, elapsed t s``) in a log file.
    """
    model = CallCenter(config)
    cfg = model.config
    n = cfg.run.replications if replications is None else int(replications)
    w = cfg.run.workers if workers is None else int(workers)
    if n < 1:
        raise ValueError(f"replications = {n}: must be >= 1")
    if w < 0:
        raise ValueError(f"workers = {w}: must be >= 0 (0: auto)")
    if w == 0:
        w = auto_workers(cfg, n)
    results: list[Results] = []
    size = estimate(replace(cfg, run=replace(cfg.run, replications=n, workers=w)),
                    model.timetable.n_intervals)  # fmt: skip
    log.info(
        "simulating %s: %d replication(s) of %d day(s) on %d worker(s); size: %s",
        cfg.run.name, n, cfg.run.days, min(w, n), size.text(),
    )  # fmt: skip
    # a progress bar on a terminal, lines in logs and CI (sim.model.progress)
    with Progress(n, cfg.run.name, "rep", log, _replication_line) as progress:
        if w == 1 or n == 1:
            for r in range(n):
                res = model.run(r)
                if r > 0:
                    res.calls = res.calls.iloc[0:0]
                results.append(res)
                progress.advance()
        else:
            # multiprocessing's pool: leaving the block terminates the workers, so an
            # interrupt (Ctrl-C, or SIGTERM through sigterm_exits) stops the run at once
            # workers start with SIGTERM's default action (the pool ends them with it;
            # a caller's sigterm_exits handler would otherwise be inherited by the fork)
            with multiprocessing.Pool(min(w, n), _default_sigterm) as pool, sigterm_exits():
                pending = [pool.apply_async(_one, (model.scenario, r, r == 0)) for r in range(n)]
                for job in pending:
                    results.append(job.get())
                    progress.advance()
    return combine(cfg, results)


def combine(config: Config, results: Sequence[Results]) -> Replications:
    """The :class:`Replications` of the replications' ``results`` (in replication order):
    KPIs per replication and their means with confidence intervals at
    ``metrics.confidence``, overall and per call type and agent group; the tables of all
    replications stacked with a ``replication`` column (``callbacks`` too, with
    callbacks); the calls of the first."""
    per = pd.DataFrame(
        [{"replication": res.replication, **res.summary} for res in results],
        columns=["replication", *SUMMARY_KEYS],
    )

    def stacked(name: str) -> pd.DataFrame:
        frames = [getattr(res, name).assign(replication=res.replication) for res in results]
        return pd.concat(frames, ignore_index=True)

    def per_value(name: str) -> pd.DataFrame:
        """One row per replication and call type (agent group), ``replication`` first."""
        table = stacked(name)
        return table[["replication", *(c for c in table.columns if c != "replication")]]

    by_type, by_group = per_value("summary_by_type"), per_value("summary_by_group")
    type_parts, group_parts = per_value("ratio_parts_by_type"), per_value("ratio_parts_by_group")
    conf = config.metrics.confidence
    cb_per = pd.DataFrame(columns=["replication", *CALLBACK_KEYS])
    if config.callbacks.enabled:
        cb_per = pd.DataFrame(
            [{"replication": res.replication, **res.callback_summary} for res in results],
            columns=["replication", *CALLBACK_KEYS],
        )

    parts = _ratio_parts(results)
    pooled = pooled_parts(parts)
    return Replications(
        config=config,
        per_replication=per,
        summary=confidence_table(per, conf, pooled),
        intervals=stacked("intervals"),
        days=stacked("days"),
        calls=results[0].calls,
        agents=stacked("agents"),
        per_replication_by_type=by_type,
        summary_by_type=confidence_by(by_type.drop(columns="replication"), "call_type", conf,
                                      type_parts),
        intervals_by_type=stacked("intervals_by_type"),
        per_replication_by_group=by_group,
        summary_by_group=confidence_by(by_group.drop(columns="replication"), "agent_group", conf,
                                       group_parts),
        intervals_by_group=stacked("intervals_by_group"),
        callbacks=stacked("callbacks") if config.callbacks.enabled else results[0].callbacks,
        per_replication_callbacks=cb_per,
        summary_callbacks=confidence_table(cb_per, conf, pooled) if len(cb_per) else pd.DataFrame(),
        ratio_parts=parts,
        ratio_parts_by_type=type_parts,
        ratio_parts_by_group=group_parts,
    )


def _ratio_parts(results: Sequence[Results]) -> pd.DataFrame:
    """The replications' :attr:`~sim.outputs.results.Results.ratio_parts`, long form: one
    row per replication and ratio KPI (``replication``, ``kpi``, ``numerator``,
    ``denominator``), in replication order."""
    rows = [
        (res.replication, kpi, float(x), float(y))
        for res in results
        for kpi, (x, y) in res.ratio_parts.items()
    ]
    return pd.DataFrame(rows, columns=["replication", "kpi", "numerator", "denominator"])
