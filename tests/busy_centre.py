"""A busy 2-day centre for the post-processing tests (tests/outputs): redials, repeat
contacts (FCR < 1), a warm-up and staffing that changes during the day, so that every
count, sum and chunked step of the tables has something to count. Small enough to run
in about a second."""

from __future__ import annotations

from typing import Any

__all__ = ["BUSY_CENTRE"]

BUSY_CENTRE: dict[str, Any] = {
    "run": {"days": 2, "warmup_s": 9 * 3600.0},
    "center": {"volume_per_day": 1500.0, "open_time": "08:00", "close_time": "18:00",
               "interval_min": 60},
    "staffing": {"agents": [6, 8, 10, 10, 9, 9, 10, 10, 8, 6]},
    "redials": {"probability": 0.4},
    "resolution": {"fcr": 0.8, "recontact_probability": 0.7,
                   "recontact_delay": {"kind": "exponential", "mean_s": 3600.0}},
}  # fmt: skip
