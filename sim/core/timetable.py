"""Days, opening hours and planning intervals on the engine's clock (seconds).

Engine time is seconds from 00:00 of day 0. Day ``d`` opens at
``d * 86400 + open_s`` and closes at ``d * 86400 + close_s``; the opening hours are
cut into ``n_intervals`` planning intervals of ``interval_s`` seconds. A centre open
00:00-24:00 never closes: its days follow each other without a break.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["DAY_S", "Timetable", "format_clock", "parse_clock"]

DAY_S = 86_400.0  #: seconds in a day


def parse_clock(text: str) -> float:
    """Seconds after midnight of a ``"HH:MM"`` time of day (``"24:00"`` allowed)."""
    hours, sep, minutes = str(text).partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"not a time of day HH:MM: {text!r}")
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m > 0):
        raise ValueError(f"not a time of day HH:MM: {text!r}")
    return float(h * 3600 + m * 60)


def format_clock(seconds: float) -> str:
    """``"HH:MM"`` of ``seconds`` after midnight, rounded to the minute; hours may
    reach 24 and beyond (pass ``t % DAY_S`` for the time of day of engine time ``t``)."""
    minutes = round(seconds / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Timetable:
    """Opening hours and planning intervals of a run of ``days`` days."""

    open_s: float  # opening, seconds after midnight
    close_s: float  # closing, seconds after midnight
    interval_s: float  # planning interval length, seconds
    days: int  # days simulated
    start_weekday: int = 0  # weekday of day 0 (0 = Monday)

    @property
    def n_intervals(self) -> int:
        """Planning intervals per day."""
        return round((self.close_s - self.open_s) / self.interval_s)

    @property
    def always_open(self) -> bool:
        """True when the centre is open 00:00-24:00 and never closes."""
        return self.open_s == 0.0 and self.close_s == DAY_S

    @property
    def horizon_s(self) -> float:
        """End of the last day, seconds."""
        return self.days * DAY_S

    def weekday(self, day: int) -> int:
        """Weekday (0 = Monday) of ``day``."""
        return (self.start_weekday + day) % 7

    def opening(self, day: int) -> float:
        """Engine time at which ``day`` opens, seconds."""
        return day * DAY_S + self.open_s

    def closing(self, day: int) -> float:
        """Engine time at which ``day`` closes, seconds."""
        return day * DAY_S + self.close_s

    def next_open(self, t: float) -> float:
        """``t`` if the centre is open then, else the next opening (``inf`` after the run)."""
        day = math.floor(t / DAY_S)
        tod = t - day * DAY_S
        if day >= self.days:
            return math.inf
        if self.open_s <= tod < self.close_s:
            return t
        if tod < self.open_s:
            return self.opening(day)
        return self.opening(day + 1) if day + 1 < self.days else math.inf

    def interval_starts(self, day: int) -> np.ndarray:
        """Engine times at which each interval of ``day`` starts, seconds."""
        return self.opening(day) + self.interval_s * np.arange(self.n_intervals)

    def locate(self, t: np.ndarray, chunk: int = 1 << 20) -> tuple[np.ndarray, np.ndarray]:
        """Day and interval index (int16) of engine times ``t``, vectorised.

        Times outside opening hours, and times after the last day (redials that come
        back after the run's horizon), get the interval index -1. Works through ``t`` in
        chunks so that a table of millions of calls needs no large temporaries.
        """
        t = np.asarray(t, dtype=float)
        day = np.empty(t.shape, dtype=np.int16)
        interval = np.empty(t.shape, dtype=np.int16)
        for lo in range(0, t.size, chunk):
            part = t[lo : lo + chunk]
            d = np.floor(part / DAY_S)
            k = np.floor((part - d * DAY_S - self.open_s) / self.interval_s)
            k[(k < 0) | (k >= self.n_intervals) | (d >= self.days)] = -1
            day[lo : lo + chunk] = d
            interval[lo : lo + chunk] = k
        return day, interval
