"""The planning model: a forecast of offered calls played through a queue, per interval.

What a workforce planner's forecast means, simulated as it is meant (``model=planning``,
docs/how-to/plan-staffing.md):

* the forecast's ``expected_calls`` are **offered** calls (redials and repeat calls are
  already in them): Poisson arrivals, uniform within each interval;
* each call's handle time has the forecast's ``aht_s`` of the interval it arrives in as
  its mean, and the shape of the configured ``service.talk`` + ``service.acw`` laws
  (``model=planning`` makes it exponential, the planning formulas' assumption);
* callers abandon by the configured ``patience`` law;
* agents per interval from a plan; FCFS; calls carry over from one interval to the
  next; between open intervals (nights, a lunch gap) no call arrives and the agents of
  the last open interval finish the queue (``center.after_close: drain``);
* a line open round the clock (the forecast covers 00:00-24:00 every day) starts with
  one warm-up interval like its first one, so that day 0 00:00 does not start empty.

Nothing else: no busyness, redials, repeat contacts, fatigue or learning. A config with
any of them on is refused (:func:`planning_model`), so that a plan is never judged
against a model that counts the same effect twice.

Random numbers: named streams of :mod:`sim.rng` (``plan_arrivals``, ``plan_patience``,
``plan_talk``, ``plan_acw``) per replication; they do not depend on the agents, so two
plans simulated with the same replications see the same callers (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats

from sim.config.validation import build_distribution
from sim.core.checks import ConfigError
from sim.core.rng import Streams
from sim.core.schema import Config
from sim.core.timetable import DAY_S
from sim.laws.distributions import Distribution
from sim.planning.forecast import Forecast
from sim.planning.plankernel import queue_pass

__all__ = [
    "KPI_NAMES",
    "DrawCache",
    "PlanningModel",
    "QueueModel",
    "interval_kpis",
    "planning_model",
    "research_layers",
]

#: Per-interval KPIs of :func:`interval_kpis` (each with ``_ci_low``/``_ci_high``).
KPI_NAMES = ("service_level", "abandon_rate", "asa_s", "occupancy")


def research_layers(cfg: Config) -> list[str]:
    """The ``key = value`` of every research layer ``cfg`` has on (empty for planning)."""
    on = []
    if cfg.center.busyness_var > 0:
        on.append(f"center.busyness_var = {cfg.center.busyness_var:g}")
    if cfg.redials.probability > 0 or cfg.redials.blocked_probability > 0:
        on.append(f"redials.probability = {cfg.redials.probability:g}")
    if cfg.resolution.fcr < 1 and cfg.resolution.recontact_probability > 0:
        on.append(f"resolution.fcr = {cfg.resolution.fcr:g}")
    if cfg.workforce.enabled:
        on.append("workforce.enabled = true")
    if cfg.customers.enabled:
        on.append("customers.enabled = true")
    if cfg.queue.lines is not None or cfg.queue.max_waiting is not None:
        on.append("queue.lines/max_waiting set")
    return on


@dataclass(frozen=True, eq=False)
class PlanningModel:
    """A forecast, the caller and handle-time laws, and seeds: everything but the agents.

    ``forecast``: the intervals (rows of ``forecast.table``, time order; gaps are closed);
    ``patience``: law of the callers' patience, seconds; ``talk``, ``acw``: laws whose sum,
    divided by its mean, is the shape of the handle time (mean 1); ``threshold_s``:
    service-level threshold T, seconds; ``seed``: root seed of :class:`~sim.rng.Streams`.
    """

    forecast: Forecast
    patience: Distribution
    talk: Distribution
    acw: Distribution
    threshold_s: float
    seed: int

    @property
    def n_intervals(self) -> int:
        """Open intervals (forecast rows)."""
        return len(self.forecast.table)

    @property
    def round_the_clock(self) -> bool:
        """True when every day of the forecast is open 00:00-24:00 without a gap."""
        t = self.forecast.table
        per_day = DAY_S / self.forecast.interval_s
        return bool(len(t) == self.forecast.days * per_day and np.all(np.diff(t["start_s"]) > 0))

    def _timeline(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Slot bounds, the slot of each forecast row, and each slot's source row.

        Slot 0 is the warm-up (empty, zero length, unless the line is open round the
        clock); a closed gap between two rows is one slot whose agents are those of the
        row before it (they drain the queue)."""
        start = self.forecast.table["start_s"].to_numpy(float)
        length = self.forecast.interval_s
        warm = length if self.round_the_clock else 0.0
        bounds = [start[0] - warm]
        source = [0]
        row_slot = np.empty(len(start), dtype=np.int64)
        for i, s in enumerate(start):
            if s > bounds[-1] + 1e-9 and i > 0:  # a closed gap before this row
                source.append(i - 1)
                bounds.append(s)
            elif i == 0:
                bounds.append(s)
            row_slot[i] = len(source)
            source.append(i)
            bounds.append(s + length)
        # bounds has one more value than source
        return np.asarray(bounds), row_slot, np.asarray(source, dtype=np.int64)

    def draws(self, replication: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Arrival times (s), patience (s), handle times (s) and slot of each call."""
        bounds, row_slot, _ = self._timeline()
        st = Streams(self.seed, replication)
        t = self.forecast.table
        expected = t["expected_calls"].to_numpy(float)
        aht = t["aht_s"].to_numpy(float)
        lo = bounds[row_slot]
        length = self.forecast.interval_s
        counts = st["plan_arrivals"].poisson(expected)
        warm_n = int(st["plan_warmup"].poisson(expected[0])) if self.round_the_clock else 0
        row = np.repeat(np.arange(-1, len(t)), np.concatenate([[warm_n], counts]))
        # row + uniform, sorted: calls in time order within and across rows, no argsort
        key = np.sort(row + st["plan_arrivals"].random(len(row)))
        starts = np.concatenate([[bounds[0]], lo])
        slots = np.concatenate([[0], row_slot])
        arrive = starts[row + 1] + (key - row) * length
        n = len(row)
        patience = self.patience.sample(st["plan_patience"], n)
        unit = (self.talk.sample(st["plan_talk"], n) + self.acw.sample(st["plan_acw"], n)) / (
            self.talk.mean + self.acw.mean
        )
        handle = unit * np.concatenate([[aht[0]], aht])[row + 1]
        return arrive, patience, handle, slots[row + 1]

    def slot_agents(self, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Slot bounds and agents per slot for ``agents`` per forecast row."""
        bounds, _, source = self._timeline()
        a = np.asarray(agents, dtype=np.int64)
        return bounds, a[source]

    def simulate(self, plans: list[np.ndarray], replications: range | list[int],
                 cache: DrawCache | None = None) -> np.ndarray:  # fmt: skip
        """Counters per plan, replication and interval: shape ``(plans, reps, rows, 7)``.

        ``plans``: agents per forecast row (>= 0 integers). Every plan sees the same calls
        in a replication (common random numbers). Counters: see
        :data:`sim.plankernel.N_COUNTERS`. ``cache`` keeps the draws of replications for
        the next call (the same numbers: a cache changes nothing but the time).
        """
        reps = list(replications)
        bounds, row_slot, _ = self._timeline()
        slot_plans = [self.slot_agents(p)[1] for p in plans]
        out = np.zeros((len(plans), len(reps), self.n_intervals, 7))
        for j, r in enumerate(reps):
            arrive, patience, handle, slot = self.draws(r) if cache is None else cache.get(self, r)
            for i, sa in enumerate(slot_plans):
                counts = queue_pass(
                    arrive, patience, handle, slot, bounds, sa, float(self.threshold_s)
                )
                out[i, j] = counts[row_slot]
        return out


class QueueModel(Protocol):
    """What the planners (:mod:`sim.planning.simplan`, :mod:`sim.planning.plancheck`,
    :mod:`sim.planning.marginal`, :mod:`sim.planning.profit`) need of a simulated
    centre: its forecast (one row per planning interval) and counters per plan,
    replication and row (:meth:`PlanningModel.simulate`). :class:`PlanningModel` is
    one; :class:`sim.planning.callbackmodel.CallbackModel` (a queue with callbacks,
    simulated by the engine) is the other."""

    @property
    def forecast(self) -> Forecast:
        """The planning intervals (rows of ``forecast.table``)."""
        ...

    @property
    def n_intervals(self) -> int:
        """Forecast rows."""
        ...

    @property
    def threshold_s(self) -> float:
        """Service-level threshold T of the counters, seconds."""
        ...

    def simulate(self, plans: list[np.ndarray], replications: range | list[int],
                 cache: DrawCache | None = None) -> np.ndarray:  # fmt: skip
        """Counters, shape ``(plans, reps, rows, 7)`` (:data:`sim.planning.plankernel.
        N_COUNTERS`)."""
        ...


class DrawCache:
    """The draws of replications (:meth:`PlanningModel.draws`) kept between simulations of
    one model, up to ``max_bytes`` (replications past it are drawn again each time).
    Common random numbers make a replication's draws the same at every call, so a search
    that simulates many plans on the same replications draws them once."""

    def __init__(self, max_bytes: float = 256e6) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self.draws: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def get(self, model: PlanningModel, replication: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """The draws of ``replication``, drawn now unless kept."""
        if replication in self.draws:
            return self.draws[replication]
        d = model.draws(replication)
        size = sum(a.nbytes for a in d)
        if self.used + size <= self.max_bytes:
            self.draws[replication] = d
            self.used += size
        return d


def planning_model(
    cfg: Config, forecast: Forecast, threshold_s: float | None = None
) -> PlanningModel:
    """The planning model of ``forecast`` with the laws and seed of ``cfg``.

    Raises :class:`~sim.validation.ConfigError` when ``cfg`` has a research layer on
    (:func:`research_layers`) or ``center.after_close`` is not ``drain``, or when the
    handle-time laws have no finite mean.
    """
    on = research_layers(cfg)
    if on:
        raise ConfigError(
            f"{on[0]}: the planning model simulates offered calls only (no busyness, redials, "
            "repeat calls, agent model or customer base); use model=planning, or `callsim` "
            "runs for the research model",
            on[0].split(" ")[0],
        )
    if cfg.center.after_close != "drain":
        raise ConfigError(
            f"center.after_close = {cfg.center.after_close!r}: the planning model needs "
            "'drain' (agents finish the queue after closing)",
            "center.after_close",
        )
    talk = build_distribution(cfg.service.talk, "service.talk")
    acw = build_distribution(cfg.service.acw, "service.acw")
    if not (math.isfinite(talk.mean + acw.mean) and talk.mean + acw.mean > 0):
        raise ConfigError(
            "service.talk, service.acw: the mean handle time must be finite", "service"
        )
    if len(forecast.table) == 0:
        raise ConfigError("forecast: no intervals", "forecast")
    return PlanningModel(
        forecast=forecast,
        patience=build_distribution(cfg.patience, "patience"),
        talk=talk,
        acw=acw,
        threshold_s=cfg.metrics.sl_threshold_s if threshold_s is None else float(threshold_s),
        seed=cfg.run.seed,
    )


def _ratio(x: np.ndarray, y: np.ndarray, tq: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratio of sums over replications (axis 0) with a delta-method half-width ``tq se``."""
    sx, sy = x.sum(axis=0), y.sum(axis=0)
    n = x.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(sy > 0, sx / sy, np.nan)
        resid = x - np.where(np.isfinite(ratio), ratio, 0.0) * y
        se = np.sqrt((resid**2).sum(axis=0) / (n * (n - 1))) / (sy / n) if n > 1 else ratio * np.nan
    return ratio, ratio - tq * se, ratio + tq * se


def interval_kpis(
    counts: np.ndarray, agents: np.ndarray, interval_s: float, confidence: float = 0.95
) -> pd.DataFrame:
    """Per-interval KPIs with confidence intervals from ``counts`` (reps x rows x 7).

    Service level (answered within T / offered), abandonment (abandoned / offered), ASA
    (s, answered calls) and occupancy (busy time / agents x interval) are ratios of sums
    over the replications; their intervals use the delta method with Student t (the
    replications, not the calls, are independent). ``offered`` is the mean per
    replication. An interval where no call was offered in any replication has NaN KPIs.
    """
    reps = counts.shape[0]
    tq = float(stats.t.ppf(0.5 + confidence / 2, reps - 1)) if reps > 1 else math.nan
    offered, answered, within, abandoned = (counts[..., j] for j in range(4))
    wait, busy = counts[..., 5], counts[..., 6]
    capacity = np.broadcast_to(np.asarray(agents, float) * interval_s, busy.shape)
    cols: dict[str, Any] = {"offered": offered.mean(axis=0)}
    for name, (x, y) in {
        "service_level": (within, offered),
        "abandon_rate": (abandoned, offered),
        "asa_s": (wait, answered),
        "occupancy": (busy, capacity),
    }.items():
        r, lo, hi = _ratio(x, y, tq)
        cols[name], cols[f"{name}_ci_low"], cols[f"{name}_ci_high"] = r, lo, hi
    cols["abandoned"] = abandoned.mean(axis=0)
    return pd.DataFrame(cols)
