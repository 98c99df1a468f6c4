"""Replayed arrivals in the engine: each day's fresh calls from a recorded trace
(``center.arrivals: trace``; the file is read and checked by :mod:`sim.config.trace`).
An unknown (NaN) handle time or patience is drawn from the configured law on the usual
streams."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.core.rng import Streams, stream_of
from sim.core.timetable import DAY_S
from sim.laws.distributions import Distribution
from sim.queue.arrivals import ArrivalForecast, CallKind, DayCalls, FreshCalls

__all__ = ["TraceCalls", "TypedTraceCalls"]


class TraceCalls(FreshCalls):
    """Each day's fresh calls from recorded arrays sorted by arrival (seconds from 00:00 of
    day 0; ``handle_s`` and ``patience_s`` NaN where unknown): the engine's ``fresh``."""

    def __init__(
        self,
        arrival_s: np.ndarray,
        handle_s: np.ndarray,
        patience_s: np.ndarray,
        forecast: ArrivalForecast,
        patience: Distribution,
        talk: Distribution,
        acw: Distribution,
        streams: Streams,
    ) -> None:
        super().__init__(forecast, patience, talk, acw, streams)
        self.busyness = np.ones(forecast.timetable.days)  # a trace has its own volume
        self.arrival_s = np.asarray(arrival_s, dtype=float)
        self.handle_s = np.asarray(handle_s, dtype=float)
        self.patience_s = np.asarray(patience_s, dtype=float)
        self._bounds = np.searchsorted(self.arrival_s,
                                       np.arange(forecast.timetable.days + 1) * DAY_S)

    def day(self, day: int, scale: float = 1.0) -> DayCalls:
        """The recorded calls of ``day``; unknown patience and handle drawn (``scale`` is
        ignored: a trace does not follow the customer base, which validation enforces)."""
        lo, hi = self._bounds[day], self._bounds[day + 1]
        n = int(hi - lo)
        draw_p, draw_h = self.draw(n)
        patience = np.where(np.isnan(self.patience_s[lo:hi]), draw_p, self.patience_s[lo:hi])
        handle = np.where(np.isnan(self.handle_s[lo:hi]), draw_h, self.handle_s[lo:hi])
        return DayCalls(self.arrival_s[lo:hi].copy(), patience, handle)


class TypedTraceCalls(TraceCalls):
    """A trace of several call types (``call_type``: uint8 index of each call's type into
    ``kinds``): each type's unknown patience and handle times are drawn from its own laws
    on its own streams (``patience/<type>``, ``talk/<type>``, ``acw/<type>``), as
    :class:`sim.queue.arrivals.TypedFreshCalls` draws them."""

    def __init__(
        self,
        arrival_s: np.ndarray,
        handle_s: np.ndarray,
        patience_s: np.ndarray,
        call_type: np.ndarray,
        forecast: ArrivalForecast,
        kinds: Sequence[CallKind],
        streams: Streams,
    ) -> None:
        first = kinds[0]
        super().__init__(arrival_s, handle_s, patience_s, forecast, first.patience, first.talk,
                         first.acw, streams)  # fmt: skip
        self.call_type = np.asarray(call_type, dtype=np.uint8)
        self.kinds = tuple(kinds)

    def day(self, day: int, scale: float = 1.0) -> DayCalls:
        """The recorded calls of ``day`` with their types; unknown times drawn per type."""
        lo, hi = self._bounds[day], self._bounds[day + 1]
        kind = self.call_type[lo:hi]
        patience = self.patience_s[lo:hi].copy()
        handle = self.handle_s[lo:hi].copy()
        for k, ck in enumerate(self.kinds):
            mine = kind == k
            n = int(mine.sum())
            draw_p = ck.patience.sample(self.streams[stream_of("patience", ck.name)], n)
            draw_h = ck.talk.sample(self.streams[stream_of("talk", ck.name)], n) + (
                ck.acw.sample(self.streams[stream_of("acw", ck.name)], n))  # fmt: skip
            patience[mine] = np.where(np.isnan(patience[mine]), draw_p, patience[mine])
            handle[mine] = np.where(np.isnan(handle[mine]), draw_h, handle[mine])
        return DayCalls(self.arrival_s[lo:hi].copy(), patience, handle, kind.copy())
