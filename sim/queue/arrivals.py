"""Fresh call arrivals: a doubly stochastic Poisson process, piecewise constant per interval.

Expected calls in interval ``k`` of day ``d``::

    volume_per_day * profile[k] * day_of_week_factor[weekday(d)] * busyness[d]

where ``busyness[d]`` is a gamma variate with mean 1 and variance ``busyness_var``
(1 when the variance is 0: plain Poisson). Given that rate the count in the interval is
Poisson and the arrival times are uniform within the interval (the order statistics
of a homogeneous Poisson process). Each day's calls are drawn in bulk, together with
their patience and handle times, so the engine never calls the RNG per call.

Several call types (:class:`TypedFreshCalls`, issue 14): each type has its own forecast
(a share of the centre's, or its own matrix) times the same daily busyness factor, its
own laws, and its own named streams (``arrivals/<type>``, ``patience/<type>``, ...:
:func:`sim.core.rng.stream_of`); the day's calls of all types are merged in order of
arrival. One type draws exactly as :class:`FreshCalls` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.core.rng import Streams, stream_of
from sim.core.timetable import Timetable
from sim.laws.distributions import Distribution

__all__ = ["ArrivalForecast", "CallKind", "DayCalls", "FreshCalls", "TypedFreshCalls"]


@dataclass(frozen=True)
class ArrivalForecast:
    """Expected fresh calls per interval before the random daily busyness factor."""

    timetable: Timetable
    volume_per_day: float  # expected calls per day
    profile: tuple[float, ...]  # share of the day's calls in each interval (sums to 1)
    day_of_week_factors: tuple[float, ...]  # 7 multipliers, Monday first
    busyness_var: float  # variance of the daily gamma factor (mean 1)
    matrix: tuple[tuple[float, ...], ...] | None = None  # calls per day and interval, if given

    def expected(self, day: int) -> np.ndarray:
        """Expected calls in each interval of ``day``, busyness factor excluded."""
        if self.matrix is not None:
            return np.asarray(self.matrix[day], dtype=float)
        factor = self.day_of_week_factors[self.timetable.weekday(day)]
        return self.volume_per_day * factor * np.asarray(self.profile, dtype=float)

    def expected_matrix(self) -> np.ndarray:
        """Expected calls per day and interval, shape (days, intervals), busyness excluded."""
        return np.stack([self.expected(d) for d in range(self.timetable.days)])

    def busyness(self, rng: np.random.Generator) -> np.ndarray:
        """One busyness factor per day (gamma, mean 1, variance ``busyness_var``)."""
        days = self.timetable.days
        if self.busyness_var == 0:
            return np.ones(days)
        shape = 1.0 / self.busyness_var
        return rng.gamma(shape, self.busyness_var, size=days)


@dataclass(frozen=True)
class DayCalls:
    """The fresh calls of one day, sorted by arrival time (seconds)."""

    arrival_s: np.ndarray
    patience_s: np.ndarray
    handle_s: np.ndarray
    #: uint8 call type of each call (index into the scenario's types); None: all type 0
    call_type: np.ndarray | None = None


class FreshCalls:
    """Draws each day's fresh calls from the ``arrivals``, ``patience``, ``talk`` and
    ``acw`` streams (so staffing changes do not move them)."""

    def __init__(
        self,
        forecast: ArrivalForecast,
        patience: Distribution,
        talk: Distribution,
        acw: Distribution,
        streams: Streams,
    ) -> None:
        self.forecast = forecast
        self.patience = patience
        self.talk = talk
        self.acw = acw
        self.streams = streams
        self.busyness = forecast.busyness(streams["busyness"])

    def day(self, day: int, scale: float = 1.0) -> DayCalls:
        """Draw the calls of ``day`` (call once per day, in day order).

        ``scale`` multiplies the expected volume (the customer base's growth or decline
        when the customer feedback loop is on; 1 otherwise).
        """
        tt = self.forecast.timetable
        rate = self.forecast.expected(day) * self.busyness[day] * scale
        rng = self.streams["arrivals"]
        counts = rng.poisson(rate)
        total = int(counts.sum())
        offsets = rng.random(total) * tt.interval_s
        arrival = np.sort(np.repeat(tt.interval_starts(day), counts) + offsets)
        return DayCalls(arrival, *self.draw(total))

    def draw(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Patience and handle time (talk + after-call work) of ``n`` calls, seconds, from
        the ``patience``, ``talk`` and ``acw`` streams."""
        patience = self.patience.sample(self.streams["patience"], n)
        handle = self.talk.sample(self.streams["talk"], n) + self.acw.sample(
            self.streams["acw"], n
        )
        return patience, handle


@dataclass(frozen=True)
class CallKind:
    """What :class:`TypedFreshCalls` needs of one call type (times in seconds)."""

    name: str  # names its streams
    forecast: ArrivalForecast  # expected calls of this type, busyness excluded
    patience: Distribution
    talk: Distribution
    acw: Distribution


class TypedFreshCalls(FreshCalls):
    """The fresh calls of several call types, each from its own named streams.

    ``forecast``: the centre's total (its busyness variance gives the daily factor,
    drawn once from the ``busyness`` stream and shared by every type).
    """

    def __init__(self, forecast: ArrivalForecast, kinds: Sequence[CallKind], streams: Streams
                 ) -> None:  # fmt: skip
        first = kinds[0]
        super().__init__(forecast, first.patience, first.talk, first.acw, streams)
        self.kinds = tuple(kinds)

    def day(self, day: int, scale: float = 1.0) -> DayCalls:
        """Draw the calls of ``day`` of every type, merged in order of arrival."""
        tt = self.forecast.timetable
        streams, starts = self.streams, tt.interval_starts(day)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for kind in self.kinds:
            rate = kind.forecast.expected(day) * self.busyness[day] * scale
            rng = streams[stream_of("arrivals", kind.name)]
            counts = rng.poisson(rate)
            total = int(counts.sum())
            arrival = np.sort(np.repeat(starts, counts) + rng.random(total) * tt.interval_s)
            patience = kind.patience.sample(streams[stream_of("patience", kind.name)], total)
            handle = kind.talk.sample(streams[stream_of("talk", kind.name)], total) + (
                kind.acw.sample(streams[stream_of("acw", kind.name)], total)
            )
            parts.append((arrival, patience, handle))
        arrival = np.concatenate([p[0] for p in parts])
        order = np.argsort(arrival, kind="stable")
        kinds = np.repeat(np.arange(len(parts), dtype=np.uint8), [len(p[0]) for p in parts])
        return DayCalls(
            arrival[order],
            np.concatenate([p[1] for p in parts])[order],
            np.concatenate([p[2] for p in parts])[order],
            kinds[order],
        )
