"""Fit a whole call log: every estimator of :mod:`sim.fit` on one log (or one call type).

:func:`fit_log` chooses the opening hours (the whole intervals holding 99% of the queue
arrivals, unless given), counts arrivals per day and interval, and fits the arrival model,
the handle-time law, patience (censored), redials and repeats (when the log has customer
ids) and the agents on duty (when it has agent ids). The result, :class:`LogFit`, feeds the
scenario writer (:mod:`sim.fit.scenario`) and the fit report (:mod:`sim.fit.report`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.fit.agents import agent_sessions, agents_on_duty
from sim.fit.arrivals import ArrivalFit, counts_matrix, fit_arrivals
from sim.fit.handle import HandleFit, fit_handle
from sim.fit.logs import DAY_S, CallLog
from sim.fit.patience import PatienceFit, fit_patience
from sim.fit.repeats import RepeatFit, fit_repeats

__all__ = ["LogFit", "fit_log", "opening_hours"]

_THIN_DAY = 0.01  # a day with fewer calls than this share of the median day's is not covered


@dataclass
class LogFit:
    """Everything fitted from one log. Times of day in seconds after midnight; ``counts``
    and ``on_duty`` have one row per day of the log and one column per interval."""

    log: CallLog
    call_type: str | None
    open_s: float
    close_s: float
    interval_s: float
    counts: np.ndarray
    weekdays: np.ndarray
    arrivals: ArrivalFit
    handle: HandleFit
    patience: PatienceFit
    repeats: RepeatFit | None
    on_duty: np.ndarray | None
    outside_hours: int
    notes: list[str] = field(default_factory=list)
    max_gap_s: float = 1800.0  # the pause that ended an agent's session, seconds

    @property
    def n_intervals(self) -> int:
        """Intervals per day."""
        return self.counts.shape[1]


def opening_hours(arrival_s: np.ndarray, interval_s: float, share: float = 0.99
                  ) -> tuple[float, float]:
    """The smallest run of whole intervals (on the interval grid from midnight) holding at
    least ``share`` of the arrivals' times of day (seconds after midnight, open and close)."""
    tod = np.mod(np.asarray(arrival_s, dtype=float), DAY_S)
    tail = (1.0 - share) / 2
    lo, hi = np.quantile(tod, [tail, 1.0 - tail])
    open_s = math.floor(lo / interval_s) * interval_s
    close_s = min(DAY_S, math.ceil((hi + 1e-9) / interval_s) * interval_s)
    return float(open_s), float(close_s)


def fit_log(
    log: CallLog,
    call_type: str | None = None,
    interval_min: int = 30,
    hours: tuple[float, float] | None = None,
    max_gap_s: float = 1800.0,
    redial_window_s: float = 86_400.0,
    confidence: float = 0.95,
) -> LogFit:
    """Fit the call log (or the calls of ``call_type``); ``hours`` = (open, close) seconds
    after midnight, None = chosen from the arrivals. Raises ValueError when a part cannot be
    fitted (no abandons, fewer than 2 days, ...), naming which."""
    sub = log.of_type(call_type)
    c = sub.calls
    if c.empty:
        raise ValueError(f"no calls of type {call_type!r} in {log.source}")
    interval_s = interval_min * 60.0
    if 86_400 % interval_s:
        raise ValueError(f"interval_min = {interval_min}: must divide the day (e.g. 15, 30, 60)")
    arrival = c["arrival_s"].to_numpy(dtype=float)
    open_s, close_s = hours if hours is not None else opening_hours(arrival, interval_s)
    days = max(sub.days, log.days)
    counts = counts_matrix(arrival, days, open_s, close_s, interval_s)
    weekdays = np.array([log.weekday(d) for d in range(days)])
    notes: list[str] = []
    per_day = counts.sum(axis=1)
    thin = (per_day > 0) & (per_day < _THIN_DAY * np.median(per_day[per_day > 0]))
    if thin.any():  # e.g. the day after the log's last, reached by waits past midnight
        notes.append(f"{int(thin.sum())} day(s) with under {_THIN_DAY:.0%} of the median "
                     "day's calls are treated as not covered by the log")
        counts[thin] = 0
    outside = int(arrival.size - counts.sum() - per_day[thin].sum())
    if outside:
        notes.append(f"{outside} calls ({outside / arrival.size:.2%}) arrived outside "
                     "the opening hours and are left out of the arrival fit")
    for reason, n in log.dropped.items():
        notes.append(f"{n} rows dropped by the reader: {reason.replace('_', ' ')}")
    answered = (c["outcome"] == "answered").to_numpy()
    repeats = None
    if (c["customer_id"] != "").any():
        repeats = fit_repeats(sub, redial_window_s, confidence)
    else:
        notes.append("no customer ids: redials and repeats not estimated")
    on_duty = None
    if (c["agent_id"][answered] != "").any():
        sessions = agent_sessions(log, max_gap_s)  # all types: agents serve every type
        on_duty = agents_on_duty(sessions, days, open_s, close_s, interval_s)
    else:
        notes.append("no agent ids: agents on duty not reconstructed")
    return LogFit(
        log=sub,
        call_type=call_type,
        open_s=open_s,
        close_s=close_s,
        interval_s=interval_s,
        counts=counts,
        weekdays=weekdays,
        arrivals=fit_arrivals(counts, weekdays, confidence),
        handle=fit_handle(c["handle_s"].to_numpy(dtype=float)),
        patience=fit_patience(c["wait_s"].to_numpy(dtype=float),
                              (c["outcome"] == "abandoned").to_numpy(), confidence=confidence),
        repeats=repeats,
        on_duty=on_duty,
        outside_hours=outside,
        notes=notes,
        max_gap_s=max_gap_s,
    )
