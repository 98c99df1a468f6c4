"""How a contact attempt is rated, and how an issue is remembered (the peak-end rule).

Every call attempt gets a rating, ``+1`` good, ``0`` neutral or ``-1`` bad, from what
happened to it (``ExperienceConfig``; wait shares are of the caller's own patience,
their tolerance):

* **bad**: abandoned, blocked, or closed (the caller did not get through); or answered
  but the issue was not resolved; or answered after waiting more than
  ``bad_wait_share`` of the caller's patience; or answered discourteously
  (probability ``discourtesy_probability``; the agent-workload issue ties it to fatigue);
* **good**: answered, resolved, courteous, after waiting at most ``good_wait_share`` of
  the caller's patience (a caller who never abandons has patience ∞: any wait is a
  share 0);
* **neutral**: the rest (resolved, courteous, after a middling wait).

An issue (all attempts and contacts about one problem) is remembered by the peak-end
rule (Kahneman; seed 004 via ``seed-facts.md``): the weighted mean of its peak, the most
intense rating (the worst if any attempt was bad, else the best), and its last rating,
``m = (peak_weight * peak + end_weight * end) / (peak_weight + end_weight)``; the issue
is remembered bad when ``m <= -0.5``, good when ``m >= 0.5``, neutral otherwise.
With the default equal weights: a bad attempt followed by a good end is neutral; a bad
attempt followed by a neutral end is bad.
"""

from __future__ import annotations

import numpy as np

from sim.core.calls import BAD, GOOD, NEUTRAL, Outcome
from sim.core.schema import ExperienceConfig

__all__ = ["ExperienceRule"]


class ExperienceRule:
    """The rating and memory rules of :mod:`sim.customers.experience` for one configuration."""

    def __init__(self, cfg: ExperienceConfig) -> None:
        self.good_share = float(cfg.good_wait_share)
        self.bad_share = float(cfg.bad_wait_share)
        self.peak_weight = float(cfg.peak_weight)
        self.end_weight = float(cfg.end_weight)

    def rate_array(
        self, outcome: np.ndarray, wait_s: np.ndarray, patience_s: np.ndarray, resolved: np.ndarray
    ) -> np.ndarray:
        """Ratings (int8) of courteous attempts, the rule of the module docstring.

        The journey applies the same rule to a day's resolved attempts at once
        (``Journey._rate_resolved`` in :mod:`sim.customers.journey`, which also draws
        discourtesy); ``tests/customers/test_journey.py`` checks that the two agree.
        """
        answered = (outcome == Outcome.ANSWERED) & resolved
        good = answered & (wait_s <= self.good_share * patience_s)
        neutral = answered & ~good & ~(wait_s > self.bad_share * patience_s)
        out = np.full(len(outcome), BAD, dtype=np.int8)
        out[good] = GOOD
        out[neutral] = NEUTRAL
        return out

    def remember(self, peak: int, end: int) -> int:
        """Remembered rating of an issue from its peak and end ratings (peak-end rule)."""
        m = (self.peak_weight * peak + self.end_weight * end) / (self.peak_weight + self.end_weight)
        return BAD if m <= -0.5 else GOOD if m >= 0.5 else NEUTRAL
