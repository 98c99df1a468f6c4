"""When a repeat contact comes: out of hours it moves to an opening, and it waits in a window.

A repeat contact is due ``resolution.recontact_delay`` after its unresolved contact.
Customers call a closed centre only by mistake: one due outside opening hours calls
at the next opening, at a time of day drawn from the intraday profile (one uniform of
the ``repeat_time`` stream each, through the profile's inverse cumulative shares); one
due after the last day is not simulated (time ``inf``). :class:`RepeatTimes` computes
this for one repeat as it is decided (:meth:`RepeatTimes.one`) and for a day's
repeats at once (:meth:`RepeatTimes.many`), the same numbers bit for bit, the uniforms
taken in the same order.

Repeats wait in the journey by window of :data:`RELEASE_S` seconds and go onto the
engine's calendar, at their exact time, when their window comes
(:class:`RepeatWindows`): the calendar stays short. Most repeats are due after the day's
closing (a day later on average): they are timed and put in their windows in bulk when
the next day opens. Neither changes a number.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Callable

import numpy as np

from sim.core.rng import BlockDraws
from sim.core.timetable import DAY_S, Timetable
from sim.queue.clock import Handler
from sim.queue.hooks import ClockLike

__all__ = ["RELEASE_S", "Held", "RepeatTimes", "RepeatWindows", "hold_many"]

#: Repeat contacts wait in the journey, by window of this many seconds, and go onto the
#: engine's calendar when their window comes (their time exactly,
#: :attr:`sim.queue.clock.Clock.fire_at`).
RELEASE_S = 900.0

#: Repeat contacts waiting for their window: window number -> (calendar times, call
#: indices), each in the order the repeats were decided.
Held = dict[int, tuple[list[float], list[int]]]
_NONE_HELD: tuple[list[float], list[int]] = ([], [])  # a window nothing waits in


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


class RepeatWindows:
    """Repeat contacts waiting for their window of :data:`RELEASE_S` seconds.

    The journey's hot path fires a repeat due before :attr:`horizon` (the end of the
    current window) at once, holds one due later today in :attr:`held` (the calendar
    time ``now + (at - now)``, as :meth:`sim.queue.clock.Clock.fire` would give it),
    and appends one due at or after :attr:`later_from` (today's closing) to the
    ``later_*`` lists, untimed: :meth:`release` times and holds those in bulk
    (:meth:`hold_later`) when the next day opens. ``later_from`` is ``inf`` (each
    repeat timed as it is decided) when the next opening comes before the horizon (a
    centre closed for less than a window, or never): a repeat due then may go onto
    the calendar at once.
    """

    def __init__(self, timetable: Timetable, times: RepeatTimes) -> None:
        self.timetable = timetable
        self.times = times
        self.release_s = RELEASE_S
        self.held: Held = {}
        self.horizon = timetable.opening(0)  # repeats due before it go onto the calendar
        self.later_from = math.inf  # due at or after it: timed at the next opening
        self.later_call = array("q")  # the later repeats: call, decided at, due at
        self.later_now = array("d")
        self.later_at = array("d")
        self.later = (self.later_call, self.later_now, self.later_at)
        self.clock: ClockLike | None = None  # set with the hooks
        self.on_repeat: Handler | None = None
        self._day_closing = -math.inf  # the closing the last release worked towards

    def release(self, closing: float) -> None:
        """Put the held repeats of the current window onto the calendar, and come back
        at the next window until the day's ``closing`` (engine time, seconds)."""
        clock, on_repeat, release_s = self.clock, self.on_repeat, self.release_s
        assert clock is not None and on_repeat is not None
        now = clock.now
        if self.later_call and closing != self._day_closing:  # a new day opens
            self.hold_later()
        self._day_closing = closing
        window = int(now // release_s)
        horizon = self.horizon = (window + 1) * release_s
        # a repeat due after closing calls at the next opening or later: in a window
        # released from that day's first release on, unless that opening comes before
        # the horizon (then it may go onto the calendar at once: timed as it comes)
        if closing - self.timetable.close_s + DAY_S + self.timetable.open_s >= horizon + 1.0:
            self.later_from = closing
        else:
            self.hold_later()
            self.later_from = math.inf
        fire_at = clock.fire_at
        times, calls = self.held.pop(window, _NONE_HELD)
        for t, i in zip(times, calls, strict=True):
            fire_at(t if t > now else now, on_repeat, i)
        if horizon < closing:
            fire_at(horizon, self.release, closing)

    def hold_later(self) -> None:
        """Time the later repeats decided since the last call in bulk (the
        ``repeat_time`` draws in the order they were decided) and hold them in their
        windows after those already there: as if each had been timed and held when it
        was decided (:func:`hold_many`)."""
        if not self.later_call:
            return
        calls, now, at = (np.frombuffer(a, a.typecode).copy() for a in self.later)
        for later in self.later:
            del later[:]  # in place: the hooks hold their appends
        hold_many(self.held, now, self.times.many(at), calls, self.release_s)
