"""Interval requirements by formula (``sim.planning.planner``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.laws.distributions import GENESYS, Exponential, Never
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


# --------------------------------------------------------------------------- fast search


def _reference_kpis(method: str, rate: float, aht: float, n: int, patience: object,
                    t: float) -> tuple[float, float, float, float]:  # fmt: skip
    """The KPIs as the planner computed them before the fast formulas (sim.analytic)."""
    if method == "erlang_c":
        if rate * aht >= n:
            return 0.0, 0.0, math.inf, 1.0
        c = analytic.erlang_c(rate, aht, n)
        return c.service_level(t), 0.0, c.asa_s, c.occupancy
    r = (analytic.erlang_a(rate, aht, n, patience.mean)  # type: ignore[attr-defined]
         if method == "erlang_a" else analytic.mmng(rate, aht, n, patience))  # type: ignore[arg-type]  # fmt: skip
    return r.service_level(t), r.p_abandon, r.asa_s, r.occupancy


def _one_at_a_time(method: str, rate: float, aht: float, target: PlanTarget,
                   patience: object) -> int:  # fmt: skip
    """The planner's former search: from a first guess, one agent at a time."""
    load, t = rate * aht, target.sl_threshold_s
    n = math.floor(load) + 1 if method == "erlang_c" else max(1, math.ceil(load))
    if method != "erlang_c":
        while n > 1 and _meets(_reference_kpis(method, rate, aht, n - 1, patience, t), target):
            n -= 1
    while not _meets(_reference_kpis(method, rate, aht, n, patience, t), target):
        n += 1
    return n


TARGETS = [PlanTarget(sl_target=0.8), PlanTarget(sl_target=0.9, max_asa_s=10.0),
           PlanTarget(sl_target=0.5, max_occupancy=0.7),
           PlanTarget(sl_target=0.6, max_abandon=0.01)]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "patience", "cases"),
    [
        ("erlang_c", None, 12),
        ("erlang_a", Exponential(152.4), 6),
        ("erlang_a", Exponential(30.0), 6),
        ("mmng", GENESYS, 1),
        pytest.param("mmng", GENESYS, 10, marks=pytest.mark.slow),  # ~1 s per reference n
    ],
)
def test_the_fast_search_gives_the_agents_of_the_former_search(
    method: str, patience: object, cases: int
) -> None:
    """Random intervals (1 to 300 calls per 30 min, 120-600 s handle) and every target: the
    galloping search over the fast formulas returns the one-at-a-time answer."""
    rng = np.random.default_rng(12 + cases)
    for _ in range(cases):
        rate = float(rng.uniform(1, 300)) / 1800.0
        aht = float(rng.uniform(120, 600))
        for target in TARGETS:
            fast = required_agents(rate, aht, method, target, patience)  # type: ignore[arg-type]
            assert fast == _one_at_a_time(method, rate, aht, target, patience), (rate, aht, target)


def test_short_patience_is_used_by_erlang_a_and_mmng() -> None:
    """Issue 12: 400 calls in 30 min at AHT 300 s, 80/20, exponential patience 30 s:
    59 agents by Erlang A and by M/M/n+G with that law (the same model)."""
    rate, patience = 400 / 1800.0, Exponential(30.0)
    for method in ("erlang_a", "mmng"):
        assert required_agents(rate, 300.0, method, PlanTarget(), patience) == 59
    # and the one-at-a-time reference agrees
    assert _one_at_a_time("erlang_a", rate, 300.0, PlanTarget(), patience) == 59


def test_never_abandoning_callers_get_the_erlang_c_answer() -> None:
    """Infinite patience (`patience=never`): Erlang A and M/M/n+G are Erlang C, no crash."""
    c = required_agents(RATE, 180.0, "erlang_c", PlanTarget())
    for method in ("erlang_a", "mmng"):
        assert required_agents(RATE, 180.0, method, PlanTarget(), Never()) == c == 14


def test_a_week_at_scale_is_solved_once_per_distinct_interval() -> None:
    """336 identical intervals of 10,000 calls: one search per method, the same answer."""
    rate = np.full(336, 10000 / 1800.0)
    table = plan_intervals(rate, np.full(336, 300.0), PlanTarget(), ["erlang_c"], progress=False)
    assert table["erlang_c_agents"].nunique() == 1
    assert int(table["erlang_c_agents"].iloc[0]) == required_agents(
        rate[0], 300.0, "erlang_c", PlanTarget()
    )


def test_genesys2020_patience_with_callers_who_never_hang_up() -> None:
    """Issue 12: `--patience genesys2020` crashed (mean patience inf). Erlang A falls back
    to Erlang C (its exponential law has that infinite mean); M/M/n+G uses the law, whose
    22% who wait forever keep it stable only above 0.22 x the load."""
    from sim.laws.distributions import GENESYS_2020

    c = required_agents(RATE, 180.0, "erlang_c", PlanTarget())
    assert required_agents(RATE, 180.0, "erlang_a", PlanTarget(), GENESYS_2020) == c
    n = required_agents(RATE, 180.0, "mmng", PlanTarget(), GENESYS_2020)
    assert 0 < n <= c
    assert _meets(_kpis("mmng", RATE, 180.0, n, GENESYS_2020, 20.0), PlanTarget())
    assert not _meets(_kpis("mmng", RATE, 180.0, n - 1, GENESYS_2020, 20.0), PlanTarget())
