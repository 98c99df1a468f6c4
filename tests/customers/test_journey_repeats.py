"""Repeat contacts timed and held in bulk (``sim.customers.repeats``) give the numbers of
timing and holding them one by one, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.rng import BlockDraws, Streams
from sim.core.timetable import DAY_S, Timetable
from sim.customers.repeats import Held, RepeatTimes, hold_many


def _times(tt: Timetable, profile: np.ndarray) -> RepeatTimes:
    """A RepeatTimes on the ``repeat_time`` stream of seed 7 (the same draws each call)."""
    draws = BlockDraws(lambda rng, n: rng.random(n), Streams(7)["repeat_time"], block=64)
    return RepeatTimes(tt, profile, draws)


def _due(tt: Timetable, rng: np.random.Generator) -> np.ndarray:
    """Due times over the whole run and a day past it, with every boundary: each day's
    opening and closing (and a hair either side), midnight, and the end of the run."""
    edges = [d * DAY_S + s for d in range(tt.days + 1) for s in (0.0, tt.open_s, tt.close_s)]
    near = [e + h for e in edges for h in (-1e-7, 0.0, 1e-7)]
    spread = rng.uniform(0.0, (tt.days + 1) * DAY_S, 2000)
    return rng.permutation(np.array([x for x in near if x >= 0.0] + spread.tolist()))


@pytest.mark.parametrize(
    "hours", [(8 * 3600.0, 20 * 3600.0, 3600.0), (0.0, DAY_S, 1800.0), (0.0, 85500.0, 900.0)]
)
def test_many_equals_one_by_one(hours: tuple[float, float, float]) -> None:
    """Every branch of the rule (in hours, before opening, after closing, after the last
    day, a centre open round the clock or closed for a quarter of an hour): the bulk
    times equal the scalar ones to the last bit, and both took the same uniforms (the
    next draw of each stream is the same)."""
    open_s, close_s, interval_s = hours
    tt = Timetable(open_s=open_s, close_s=close_s, interval_s=interval_s, days=3)
    rng = np.random.default_rng(3)
    profile = rng.dirichlet(np.ones(tt.n_intervals))
    profile[1] = 0.0  # an interval nobody calls in: share 0 of an empty step
    profile /= profile.sum()
    due = _due(tt, rng)
    one_timer, bulk_timer = _times(tt, profile), _times(tt, profile)
    repeat_time = one_timer.one()
    want = np.array([repeat_time(t) for t in due.tolist()])
    got = bulk_timer.many(due)
    assert np.array_equal(got.view(np.int64), want.view(np.int64))
    assert np.isinf(want).any() and (want == due).any() and (want != due).any()
    assert one_timer._draws.take() == bulk_timer._draws.take()


def test_hold_many_equals_holding_one_by_one() -> None:
    """Windows of the calendar time ``now + (at - now)`` (Python's ``int(t // w)``), the
    repeats after those already held, in the order given; ``inf`` is never held."""
    rng = np.random.default_rng(11)
    n, release_s = 3000, 900.0
    now = np.sort(rng.uniform(0.0, 3 * DAY_S, n))
    at = now + rng.exponential(20000.0, n)
    at[::17] = math.inf
    at[5] = 900.0 * 40  # exactly on a window's edge
    now[5] = 900.0 * 39.5
    calls = rng.permutation(n).astype(np.int64)
    want: Held = {40: ([36000.0 - 1.0], [-1])}  # a window already holding a repeat
    got: Held = {40: ([36000.0 - 1.0], [-1])}
    for t_now, t_at, i in zip(now.tolist(), at.tolist(), calls.tolist(), strict=True):
        if t_at < math.inf:
            t = t_now + (t_at - t_now)
            window = want.setdefault(int(t // release_s), ([], []))
            window[0].append(t)
            window[1].append(i)
    hold_many(got, now, at, calls, release_s)
    assert got == want
    assert len(want[40][0]) > 1
