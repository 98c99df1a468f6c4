"""When a repeat contact comes: out of hours it moves to an opening, and it waits in a window.

A repeat contact is due ``resolution.recontact_delay`` after its unresolved contact.
Customers call a closed centre only by mistake: one due outside opening hours calls
at the next opening, at a time of day drawn from the intraday profile (one uniform of
the ``repeat_time`` stream each, through the profile's inverse cumulative shares); one
due after the last day is not simulated (time ``inf``). :class:`RepeatTimes` computes
this for one repeat as it is decided (:meth:`RepeatTimes.one`) and for a day's
repeats at once (:meth:`RepeatTimes.many`), the same numbers bit for bit, the uniforms
taken in the same order.

Repeats wait in the journey by window of :data:`sim.customers.journey.RELEASE_S`
seconds until their window comes (:class:`Held`): the engine's calendar stays short.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable

import numpy as np

from sim.core.rng import BlockDraws
from sim.core.timetable import DAY_S, Timetable

__all__ = ["Held", "RepeatTimes", "hold_many"]

#: Repeat contacts waiting for their window: window number -> (calendar times, call
#: indices), each in the order the repeats were decided.
Held = dict[int, tuple[list[float], list[int]]]


class RepeatTimes:
    """The time a repeat contact calls, given the time it is due (seconds, engine time).

    ``profile``: the intraday shares of the opening hours' intervals (shape
    (n_intervals,), summing to 1); ``draws``: uniforms of the ``repeat_time`` stream.
    """

    def __init__(self, timetable: Timetable, profile: np.ndarray, draws: BlockDraws) -> None:
        self.timetable = timetable
        self._cum = np.cumsum(profile)
        self._draws = draws

    def one(self) -> Callable[[float], float]:
        """``repeat_time(t)``: ``t`` if open then, else a time of the next open day drawn
        from the profile, ``inf`` after the last day. A closure over locals: the hot
        path may call it for a repeat as it is decided."""
        tt = self.timetable
        days, open_s, close_s, interval_s = tt.days, tt.open_s, tt.close_s, tt.interval_s
        cum = self._cum.tolist()
        last = len(cum) - 1
        u_buf, u_take = self._draws.buffer, self._draws.take
        inf, floor = math.inf, math.floor

        def repeat_time(t: float) -> float:
            day = floor(t / DAY_S)  # tt.next_open(t), inlined
            tod = t - day * DAY_S
            if day >= days:
                return inf
            if open_s <= tod < close_s:
                return t
            if tod >= open_s:
                day += 1
                if day >= days:
                    return inf
            u = u_buf.pop() if u_buf else u_take()
            k = min(bisect_right(cum, u), last)
            lo = cum[k - 1] if k > 0 else 0.0
            share = (u - lo) / (cum[k] - lo) if cum[k] > lo else 0.0
            return (day * DAY_S + open_s) + (k + share) * interval_s  # tt.opening(day) + ...

        return repeat_time

    def many(self, t: np.ndarray) -> np.ndarray:
        """``repeat_time`` of each of ``t`` (float64, shape (n,)), in bulk: the same
        numbers, bit for bit, and the same uniforms in the same order as ``n`` calls of
        :meth:`one`'s closure in the order of ``t``."""
        tt = self.timetable
        day = np.floor(t / DAY_S)
        tod = t - day * DAY_S
        out = t.copy()
        later = day >= tt.days
        out[later] = math.inf
        closed = ~later & ~((tt.open_s <= tod) & (tod < tt.close_s))
        day = day + (closed & (tod >= tt.open_s))  # after closing: the next day
        gone = closed & (day >= tt.days)
        out[gone] = math.inf
        draw = closed & ~gone
        u = self._draws.take_many(int(np.count_nonzero(draw)))
        cum = self._cum
        k = np.minimum(np.searchsorted(cum, u, side="right"), cum.size - 1)
        lo = np.where(k > 0, cum[k - 1], 0.0)
        hi = cum[k]
        with np.errstate(divide="ignore", invalid="ignore"):  # hi == lo: share 0
            share = np.where(hi > lo, (u - lo) / (hi - lo), 0.0)
        out[draw] = (day[draw] * DAY_S + tt.open_s) + (k + share) * tt.interval_s
        return out


def hold_many(held: Held, now: np.ndarray, at: np.ndarray, calls: np.ndarray,
              release_s: float) -> None:  # fmt: skip
    """Add repeats to ``held``: call ``calls[j]``, decided at ``now[j]``, calls at
    ``at[j]`` (``inf``: never; shapes (n,)). Each goes into the window of its calendar
    time ``now + (at - now)`` (the time :meth:`sim.queue.clock.Clock.fire` would give
    it), after the repeats already there, in the order given: as ``n`` repeats held one
    by one."""
    keep = at < math.inf
    now, at, calls = now[keep], at[keep], calls[keep]
    t = now + (at - now)
    key = np.floor_divide(t, release_s).astype(np.int64)  # int(t // release_s)
    order = np.argsort(key, kind="stable")
    keys, starts = np.unique(key[order], return_index=True)
    times, ids = t[order].tolist(), calls[order].tolist()
    bounds = [*starts.tolist(), len(times)]
    for k, a, b in zip(keys.tolist(), bounds, bounds[1:], strict=False):
        window = held.get(k)
        if window is None:
            held[k] = (times[a:b], ids[a:b])
        else:
            window[0].extend(times[a:b])
            window[1].extend(ids[a:b])
