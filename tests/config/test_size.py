"""The size estimate's calls (``sim.config.size``) against simulated runs: redials only
of the calls that fail, repeat contacts only of the delays that end inside the run (the
estimate was 4,900 calls for the baseline's day of 2,200: every call counted as
abandoned and redialled, every repeat contact as inside the run)."""

from __future__ import annotations

import math

import pytest

import sim
from sim.config.size import _within, estimate
from sim.core.law_schema import ExponentialLaw

#: The estimate is an order of magnitude; against the shipped scenarios it is within
#: 10% of the attempts simulated (1 and 7 days; measured when the estimate was fixed).
#: Stated factor: 1.25 either way, loose enough for one replication's noise (the
#: attempts of a day vary by ~2%, sqrt(2,200) / 2,200) and the fluid failure share.
FACTOR = 1.25


@pytest.mark.parametrize("overrides", [["scenario=baseline", "run.days=1"],
                                       ["scenario=understaffed", "run.days=2"],
                                       ["scenario=two_languages", "run.days=1"]])  # fmt: skip
def test_the_estimate_is_within_a_factor_of_a_simulated_run(overrides: list[str]) -> None:
    cfg = sim.compose([*overrides, "run.replications=1"])
    model = sim.CallCenter(cfg)
    calls = estimate(cfg, model.timetable.n_intervals).calls
    attempts = len(model.run(0).calls)  # every attempt, the warm-up's too
    assert 1 / FACTOR < calls / attempts < FACTOR, (calls, attempts)


def test_follow_ups_inside_the_run() -> None:
    """Exponential delay of mean m after an event uniform in [0, H]: the share inside is
    1 - (m/H)(1 - exp(-H/m)); the midpoint rule on 256 points is exact to 1e-5 here."""
    m, h = 86400.0, 86400.0
    want = 1 - (m / h) * (1 - math.exp(-h / m))  # 0.368: a day's repeats mostly fall after it
    assert _within(ExponentialLaw(kind="exponential", mean_s=m), "d", h) == pytest.approx(want, abs=1e-5)
    assert _within(ExponentialLaw(kind="exponential", mean_s=600.0), "d", 365 * h) > 0.9999
