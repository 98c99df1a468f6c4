"""Ratings of contacts and the peak-end memory of issues (``sim.customers.experience``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.calls import BAD, GOOD, NEUTRAL, Outcome
from sim.core.schema import ExperienceConfig
from sim.customers.experience import ExperienceRule

RULE = ExperienceRule(ExperienceConfig())  # good <= 25% of patience, bad > 75%
A, AB, BL, CL = Outcome.ANSWERED, Outcome.ABANDONED, Outcome.BLOCKED, Outcome.CLOSED


@pytest.mark.parametrize(
    ("outcome", "wait", "patience", "resolved", "want"),
    [
        (A, 0.0, 100.0, True, GOOD),
        (A, 25.0, 100.0, True, GOOD),  # boundary: <= 25%
        (A, 25.1, 100.0, True, NEUTRAL),
        (A, 75.0, 100.0, True, NEUTRAL),  # boundary: bad only above 75%
        (A, 75.1, 100.0, True, BAD),
        (A, 0.0, 100.0, False, BAD),  # not resolved
        (A, 500.0, math.inf, True, GOOD),  # never abandons: any wait is share 0
        (A, 0.0, 0.0, True, GOOD),  # patience 0 but answered at once
        (AB, 10.0, 10.0, False, BAD),
        (BL, 0.0, 50.0, False, BAD),
        (CL, 30.0, 50.0, False, BAD),
    ],
)
def test_rating_rules(
    outcome: int, wait: float, patience: float, resolved: bool, want: int
) -> None:
    got = RULE.rate_array(
        np.array([outcome], np.uint8), np.array([wait]), np.array([patience]), np.array([resolved])
    )
    assert got.tolist() == [want]


@pytest.mark.parametrize(
    ("ratings", "want"),
    [
        ([GOOD], GOOD),
        ([BAD], BAD),
        ([NEUTRAL], NEUTRAL),
        ([BAD, GOOD], NEUTRAL),  # (-1 + 1) / 2 = 0
        ([BAD, NEUTRAL], BAD),  # -0.5
        ([NEUTRAL, GOOD], GOOD),  # peak good, end good
        ([GOOD, NEUTRAL], GOOD),  # (1 + 0) / 2 = 0.5: the boundary counts as good
        ([BAD, BAD, GOOD], NEUTRAL),
        ([GOOD, GOOD, BAD], BAD),
    ],
)
def test_peak_end_memory(ratings: list[int], want: int) -> None:
    peak = -1 if -1 in ratings else max(ratings)  # the most intense rating
    assert RULE.remember(peak, ratings[-1]) == want


def test_weights_change_the_memory() -> None:
    end_only = ExperienceRule(ExperienceConfig(peak_weight=0.0, end_weight=1.0))
    assert end_only.remember(BAD, GOOD) == GOOD
    peak_heavy = ExperienceRule(ExperienceConfig(peak_weight=3.0, end_weight=1.0))
    assert peak_heavy.remember(BAD, GOOD) == BAD  # (-3 + 1) / 4 = -0.5
