"""The per-call ``serve`` hook (sim/workforce/fatigue.py) against the fatigue model written
out by hand, and the quit hazard (sim/workforce/attrition.py) against its formula."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field

import numpy as np
import pytest

from sim.core.schema import AttritionConfig, FatigueConfig, WorkforceConfig
from sim.workforce.attrition import quit_hazard
from sim.workforce.fatigue import FatigueK, fatigue_at, fatigue_k, serve_hook


@dataclass
class Lists:
    """Two agents' lists, as :class:`sim.workforce.agents.Workforce` holds them."""

    fatigue_k: list[FatigueK]
    fatigue_on: bool = True
    rude: float = 0.02
    hmult: list[float] = field(default_factory=lambda: [1.0, 1.2])
    p_base: list[float] = field(default_factory=lambda: [0.7, 0.8])
    p_resolve: list[float] = field(default_factory=lambda: [0.7, 0.8])
    p_rude: list[float] = field(default_factory=lambda: [0.02, 0.02])
    fat: list[float] = field(default_factory=lambda: [0.0, 0.0])
    t_fat: list[float] = field(default_factory=lambda: [0.0, 0.0])
    busy: list[float] = field(default_factory=lambda: [0.0, 0.0])
    ncalls: list[int] = field(default_factory=lambda: [0, 0])
    fsum: list[float] = field(default_factory=lambda: [0.0, 0.0])


@dataclass
class FakeClock:
    now: float = 0.0

    def fire(self, delay: float, handler: object, value: object) -> None: ...
    def fire_at(self, time: float, handler: object, value: object) -> None: ...


CFG = WorkforceConfig(
    enabled=True,
    empowered_fatigue_factor=0.5,
    fatigue=FatigueConfig(enabled=True, handle_effect=0.3, fcr_effect=0.2, discourtesy_effect=0.1,
                          busy_time_constant_min=60.0, rest_time_constant_min=20.0),
)  # fmt: skip


def test_fatigue_constants_follow_the_keys() -> None:
    kh, kf, kr, rest, build = fatigue_k(CFG, empowered=False)
    assert (kh, kf, kr) == (0.3, 0.2, 0.1)
    assert rest == 1.0 / (20.0 * 60.0) and build == 1.0 / (60.0 * 60.0)
    assert fatigue_k(CFG, empowered=True)[4] == 0.5 / (60.0 * 60.0)
    off = WorkforceConfig(enabled=True, fatigue=FatigueConfig(enabled=False))
    assert fatigue_k(off, empowered=True)[:3] == (0.0, 0.0, 0.0)
    assert fatigue_k(off, empowered=True)[4] == 0.0


def test_serve_applies_the_fatigue_model_call_by_call() -> None:
    """Agent 1 (handle factor 1.2): a call of drawn length 600 s at t=0, the next at the
    very end of it (no rest), the third after 900 s of rest; every number as the model
    says (module docstring), exactly."""
    k = [fatigue_k(CFG, False), fatigue_k(CFG, False)]
    wf, clock = Lists(k), FakeClock()
    handle = array("d", [600.0, 300.0, 450.0])
    serve = serve_hook(wf, handle, clock)
    _, _, _, rest, build = k[1]
    f, t_end, fs = 0.0, 0.0, 0.0
    busy = 0.0
    for i, now in ((0, 0.0), (1, None), (2, 900.0)):
        clock.now = t_end if now is None else t_end + now
        drawn = handle[i]
        f_start = f * math.exp((t_end - clock.now) * rest)  # rest since the last call
        h = serve(i, 1)
        assert h == handle[i] == drawn * 1.2 * (1.0 + 0.3 * f_start)
        assert wf.p_resolve[1] == max(0.0, 0.8 - 0.2 * f_start)
        assert wf.p_rude[1] == 0.02 + 0.1 * f_start
        f = 1.0 - (1.0 - f_start) * math.exp(-h * build)
        t_end = clock.now + h
        fs += f_start
        busy += h
        assert wf.fat[1] == f and wf.t_fat[1] == t_end
    assert wf.ncalls == [0, 3] and wf.busy == [0.0, busy] and wf.fsum == [0.0, fs]
    assert 0.0 < wf.fat[1] < 1.0
    assert fatigue_at(wf, t_end + 600.0)[1] == wf.fat[1] * math.exp(-600.0 * rest)
    assert fatigue_at(wf, t_end - 1.0)[1] == wf.fat[1]  # a call still running: as ended


def test_an_agent_without_fatigue_answers_as_without_the_model() -> None:
    """Zero effects and build-up (a group whose fatigue is off): fatigue stays 0, and the
    handle time, P(resolve) and P(discourteous) are the plain hook's."""
    off = WorkforceConfig(enabled=True, fatigue=FatigueConfig(enabled=False))
    wf, plain = Lists([fatigue_k(off, False)] * 2), Lists([fatigue_k(off, False)] * 2)
    plain.fatigue_on = False
    clock = FakeClock()
    h1, h2 = array("d", [600.0, 300.0]), array("d", [600.0, 300.0])
    serve, serve_plain = serve_hook(wf, h1, clock), serve_hook(plain, h2, clock)
    for i in (0, 1):
        clock.now = 1000.0 * i
        assert serve(i, 1) == serve_plain(i, 1)
        assert wf.p_resolve[1] == plain.p_resolve[1] == 0.8 and wf.p_rude[1] == 0.02
    assert wf.fat == [0.0, 0.0] and wf.busy == plain.busy and wf.ncalls == plain.ncalls


def test_quit_hazard_formula() -> None:
    """At the reference occupancy and fatigue the daily hazard is -ln(1 - annual)/365
    (so the annual quit share is ``annual_rate``); off them it scales by the effects."""
    att = AttritionConfig(enabled=True, annual_rate=0.35, reference_occupancy=0.8,
                          reference_fatigue=0.3, occupancy_effect=8.0, fatigue_effect=2.0,
                          empowered_factor=0.75)  # fmt: skip
    cfg = WorkforceConfig(enabled=True, attrition=att)

    def param(value):  # type: ignore[no-untyped-def]
        return np.full(3, value(cfg))

    occ, fat = np.array([0.8, 0.9, 0.8]), np.array([0.3, 0.3, 0.4])
    h = quit_hazard(param, occ, fat, np.array([False, False, True]))
    h0 = -math.log(0.65) / 365.0
    assert 1.0 - math.exp(-365.0 * h[0]) == pytest.approx(0.35, rel=1e-12)
    assert h[1] == pytest.approx(h0 * math.exp(8.0 * 0.1), rel=1e-12)
    assert h[2] == pytest.approx(h0 * math.exp(2.0 * 0.1) * 0.75, rel=1e-12)
