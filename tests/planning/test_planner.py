"""Interval requirements by formula (``sim.planning.planner``)."""

from __future__ import annotations

import math

import pytest

from sim.laws.distributions import GENESYS, Exponential
from sim.planning.planner import PlanTarget, _kpis, _meets, plan_intervals, required_agents
from sim.theory import analytic

RATE = 100 / 1800.0  # 100 calls per 30 minutes, per second


def test_the_public_erlang_c_example() -> None:
    """100 calls / 30 min, 180 s, 80% in 20 s: 14 agents, P(wait) 0.174, SL 0.888,
    occupancy 0.714; 20 scheduled with 30% shrinkage (public Erlang calculators; the
    numbers are re-derived from the formula here, not copied)."""
    target = PlanTarget(sl_threshold_s=20, sl_target=0.8, shrinkage=0.3)
    n = required_agents(RATE, 180.0, "erlang_c", target)
    assert n == 14 and target.gross(n) == 20
    c = analytic.erlang_c(RATE, 180.0, 14)
    assert round(c.p_wait, 3) == 0.174 and round(c.service_level(20), 3) == 0.888
    assert round(c.occupancy, 3) == 0.714
    assert analytic.erlang_c(RATE, 180.0, 13).service_level(20) < 0.8  # 13 is not enough


@pytest.mark.parametrize(
    ("method", "patience"),
    [
        ("erlang_c", None),
        ("erlang_a", Exponential(152.4)),
        pytest.param("mmng", GENESYS, marks=pytest.mark.slow),  # ~5 s each: exact n+G
    ],
)
@pytest.mark.parametrize(
    "target",
    [
        PlanTarget(sl_target=0.8),
        PlanTarget(sl_target=0.9, max_asa_s=10.0),
        PlanTarget(sl_target=0.5, max_occupancy=0.7),
        PlanTarget(sl_target=0.6, max_abandon=0.01),
    ],
)
def test_the_requirement_is_the_fewest_agents_meeting_every_target(
    method: str, patience: object, target: PlanTarget
) -> None:
    for rate, aht in ((RATE, 180.0), (0.4, 240.0)):
        n = required_agents(rate, aht, method, target, patience)  # type: ignore[arg-type]
        kpi = _kpis(method, rate, aht, n, patience, target.sl_threshold_s)  # type: ignore[arg-type]
        assert _meets(kpi, target)
        if n > 1:
            fewer = _kpis(method, rate, aht, n - 1, patience, target.sl_threshold_s)  # type: ignore[arg-type]
            assert not _meets(fewer, target)


def test_plan_table_side_by_side() -> None:
    target = PlanTarget(shrinkage=0.25)
    table = plan_intervals([0.0, RATE, 0.2], [180.0, 180.0, 200.0], target, patience=GENESYS,
                           progress=False)  # fmt: skip
    assert table["erlang_c_agents"].tolist()[:2] == [0, 14]
    assert table["erlang_c_scheduled"].tolist()[1] == math.ceil(14 / 0.75)
    for m in ("erlang_a", "mmng"):  # abandonment: never more agents than Erlang C here
        assert (table[f"{m}_agents"] <= table["erlang_c_agents"]).all()
    assert (table.loc[1:, "mmng_service_level"] >= 0.8).all()


def test_bad_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="shrinkage"):
        PlanTarget(shrinkage=1.0)
    with pytest.raises(ValueError, match="sl_target"):
        PlanTarget(sl_target=1.5)
    with pytest.raises(ValueError, match="method"):
        required_agents(RATE, 180.0, "erlang_x", PlanTarget())
    with pytest.raises(ValueError, match="patience"):
        required_agents(RATE, 180.0, "mmng", PlanTarget())
