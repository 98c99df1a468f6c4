"""Simulation versus the exact steady-state formulas: the core correctness proof of callsim.

Every parameter set is an always-open centre (00:00-24:00, flat Poisson arrivals, constant
staffing, no redials) with T = 20 s for the service level. load = lambda * h / n; tau is
the relaxation time of the birth-death chain (:func:`sim.theory.oracle.relaxation_time_s`, with
no abandonment below load 1, else with the smallest patience hazard: a conservative bound);
W the warm-up, D days per replication, R replications, "calls" the offered calls counted
per replication (after the warm-up).

=====  ========  ===  =====  =====  ===================  ======  ======  ==  ==  =======
id     formula   n    load   h (s)  patience / service   tau(s)  W (s)   D   R   calls
=====  ========  ===  =====  =====  ===================  ======  ======  ==  ==  =======
C1     erlang_c    1  0.50      20  never                   233    4000  24  20   51,700
C10    erlang_c   10  0.80      60  never                   538    6000  12  20  137,000
C500   erlang_c  500  0.98     300  never                 5,940  60,000   3  20  325,000
A5     erlang_a    5  0.90      60  exp. mean 120 s          88    3600  24  20  155,000
A50    erlang_a   50  1.20     300  exp. mean 300 s         300    6000  10  20  171,000
G20    mmng       20  0.70     180  genesys                 337    6000  15  20  100,000
G100   mmng      100  0.95     240  genesys               3,743  40,000   5  20  155,000
G200   mmng      200  1.20     240  genesys (overloaded)    300    6000   3  20  253,000
B1     erlang_b    1  0.50      60  exp. service             --    1200  60  20   43,000
B30    erlang_b   30  0.80     240  lognormal cv 1.5 + 40    --    7200  15  20  129,000
=====  ========  ===  =====  =====  ===================  ======  ======  ==  ==  =======

The cheap (not slow) versions re-run C10, G20 and B30 with fewer, shorter replications.

Statistics (why the tolerances are honest):

(a) The R replications draw from streams with different spawn keys of one SeedSequence
    (:class:`sim.core.rng.Streams`), so their KPIs are independent; each is a ratio estimate
    from a run of many relaxation times, hence close to normal, and the Student-t interval
    on their mean, mean +- t(R-1) sd / sqrt(R), is valid.
(b) Each run starts empty; the warm-up W (calls arriving before W are not counted) is at
    least 10 relaxation times and 20 mean handle times (checked by
    ``test_warmups_are_long_enough``), so the start-up bias left is below e^-10 of the
    initial deviation, averaged over a run many times longer. The bias of a ratio
    estimator (count / offered) is O(1 / calls), far below the standard errors here.
(c) Multiplicity: the file makes N_CHECKS interval checks (every KPI of every set); each
    uses level 1 - 0.01 / N_CHECKS (Bonferroni), so a correct simulator fails some check
    in the file with probability < 1 %.
(d) Seeds are fixed: the test is deterministic (it passes or fails the same way every run).
    Tolerances come from the standard errors alone; none is widened by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pytest

from sim.config.validation import load_config
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.theory.oracle import (
    COLUMNS,
    KPIS,
    format_validation,
    relaxation_time_s,
    unmet_assumptions,
    validate,
)

SL_T = 20.0
GENESYS_MIN_HAZARD = 1.0 / 300.0  # per second: the hazard of the default genesys law is >= this


@dataclass(frozen=True)
class Case:
    """One parameter set; times in seconds."""

    id: str
    formula: str
    n: int
    load: float  # lambda * mean handle / n
    h: float  # mean handle time (talk + acw), seconds
    patience: dict[str, Any]
    days: int
    warmup_s: float
    reps: int
    seed: int
    service: dict[str, Any] = field(default_factory=dict)  # replaces the exponential talk
    queue: dict[str, Any] = field(default_factory=dict)
    slow: bool = True

    @property
    def rate(self) -> float:
        """Arrival rate, calls per second."""
        return self.load * self.n / self.h

    def mapping(self) -> dict[str, Any]:
        exp_talk = {
            "talk": {"kind": "exponential", "mean_s": self.h},
            "acw": {"kind": "deterministic", "value_s": 0.0},
        }
        return {
            "center": {
                "open_time": "00:00",
                "close_time": "24:00",
                "interval_min": 60,
                "volume_per_day": self.rate * 86400.0,
            },
            "staffing": {"agents": self.n},
            "service": self.service or exp_talk,
            "patience": self.patience,
            "queue": self.queue,
            "run": {
                "days": self.days,
                "warmup_s": self.warmup_s,
                "replications": self.reps,
                "seed": self.seed,
            },
            "metrics": {"sl_threshold_s": SL_T},
        }

    def config(self) -> Config:
        return load_config(self.mapping())


NEVER = {"kind": "never"}
GENESYS = {"kind": "genesys"}
LOGNORMAL_B30 = {
    "talk": {"kind": "lognormal", "mean_s": 200.0, "cv": 1.5},
    "acw": {"kind": "deterministic", "value_s": 40.0},
}

CASES = [
    Case("C1", "erlang_c", 1, 0.50, 20.0, NEVER, 24, 4000.0, 20, 101),
    Case("C10", "erlang_c", 10, 0.80, 60.0, NEVER, 12, 6000.0, 20, 102),
    Case("C500", "erlang_c", 500, 0.98, 300.0, NEVER, 3, 60000.0, 20, 103),
    Case(
        "A5",
        "erlang_a",
        5,
        0.90,
        60.0,
        {"kind": "exponential", "mean_s": 120.0},
        24,
        3600.0,
        20,
        104,
    ),
    Case(
        "A50",
        "erlang_a",
        50,
        1.20,
        300.0,
        {"kind": "exponential", "mean_s": 300.0},
        10,
        6000.0,
        20,
        105,
    ),
    Case("G20", "mmng", 20, 0.70, 180.0, GENESYS, 15, 6000.0, 20, 106),
    Case("G100", "mmng", 100, 0.95, 240.0, GENESYS, 5, 40000.0, 20, 107),
    Case("G200", "mmng", 200, 1.20, 240.0, GENESYS, 3, 6000.0, 20, 108),
    Case("B1", "erlang_b", 1, 0.50, 60.0, GENESYS, 60, 1200.0, 20, 109, queue={"lines": 1}),
    Case(
        "B30",
        "erlang_b",
        30,
        0.80,
        240.0,
        GENESYS,
        15,
        7200.0,
        20,
        110,
        service=LOGNORMAL_B30,
        queue={"lines": 30},
    ),
    # cheap versions, run by the default `make test`
    Case("C10-quick", "erlang_c", 10, 0.80, 60.0, NEVER, 4, 6000.0, 10, 202, slow=False),
    Case("G20-quick", "mmng", 20, 0.70, 180.0, GENESYS, 5, 6000.0, 10, 206, slow=False),
    Case(
        "B30-quick",
        "erlang_b",
        30,
        0.80,
        240.0,
        GENESYS,
        5,
        7200.0,
        10,
        210,
        service=LOGNORMAL_B30,
        queue={"lines": 30},
        slow=False,
    ),
]

# (c) Bonferroni: every KPI of every case is one check; the family error is < 1 %.
FAMILY_ALPHA = 0.01
N_CHECKS = sum(len(KPIS[c.formula]) for c in CASES)
CONFIDENCE = 1.0 - FAMILY_ALPHA / N_CHECKS


def _check(case: Case) -> None:
    table = validate(case.config(), workers=1, confidence=CONFIDENCE)
    assert table.attrs["formula"] == case.formula
    assert list(table["kpi"]) == list(KPIS[case.formula])
    bad = table[~table["inside"]]
    assert bad.empty, f"{case.id}: exact value outside the interval\n{format_validation(table)}"


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c.slow], ids=lambda c: c.id)
def test_simulation_matches_exact(case: Case) -> None:
    _check(case)


@pytest.mark.parametrize("case", [c for c in CASES if not c.slow], ids=lambda c: c.id)
def test_simulation_matches_exact_quick(case: Case) -> None:
    _check(case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_warmups_are_long_enough(case: Case) -> None:
    """(b): warm-up >= 20 mean handle times and, for queues, >= 10 relaxation times."""
    assert case.warmup_s >= 20 * case.h
    if case.formula == "erlang_b":
        return
    if case.patience["kind"] == "exponential":  # M/M/n+M: the chain itself
        theta = 1.0 / case.patience["mean_s"]
    elif case.load < 1:  # abandonment only speeds up relaxation: Erlang C is the bound
        theta = 0.0
    else:  # overloaded genesys: M/M/n+M with its smallest hazard
        theta = GENESYS_MIN_HAZARD
    tau = relaxation_time_s(case.n, case.rate, case.h, theta)
    assert case.warmup_s >= 10 * tau, f"{case.id}: relaxation time {tau:.0f} s"


def test_validate_table_shape() -> None:
    cfg = Case("tiny", "erlang_c", 2, 0.5, 30.0, NEVER, 1, 1200.0, 3, 7).config()
    table = validate(cfg)
    assert list(table.columns) == list(COLUMNS)
    assert list(table["kpi"]) == list(KPIS["erlang_c"])
    assert set(table["formula"]) == {"erlang_c"}
    assert table["inside"].dtype == bool
    assert (table["ci_low"] <= table["simulated"]).all()
    assert (table["simulated"] <= table["ci_high"]).all()
    text = format_validation(table)
    assert all(k in text for k in KPIS["erlang_c"])


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"center": {"busyness_var": 0.1}}, "center.busyness_var"),
        ({"service": {"talk": {"kind": "lognormal", "mean_s": 60.0, "cv": 1.0}}}, "service.talk"),
        ({"service": {"acw": {"kind": "deterministic", "value_s": 5.0}}}, "service.acw"),
        ({"center": {"open_time": "08:00"}}, "center.open_time"),
        ({"redials": {"probability": 0.3}}, "redials.probability"),
        ({"queue": {"max_waiting": 5}}, "queue.max_waiting"),
        ({"staffing": {"agents": [2] * 23 + [3]}}, "staffing.agents"),
        (
            {"resolution": {"fcr": 0.7, "recontact_probability": 0.5}},
            "resolution.recontact_probability",
        ),
        ({"customers": {"enabled": True, "feedback": True}}, "customers.feedback"),
        ({"workforce": {"enabled": True, "fatigue": {"enabled": True}}}, "workforce.enabled"),
    ],
)
def test_assumptions_not_met_raise_naming_the_key(change: dict[str, Any], key: str) -> None:
    raw = Case("tiny", "erlang_c", 2, 0.5, 30.0, NEVER, 1, 1200.0, 3, 7).mapping()
    for section, values in change.items():
        raw[section] = {**raw.get(section, {}), **values}
    cfg = load_config(raw)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")) as info:
        validate(cfg)
    assert info.value.key == key
    assert any(m.startswith(key) for m in unmet_assumptions(cfg))


def test_unstable_erlang_c_is_refused() -> None:
    cfg = Case("over", "erlang_c", 2, 1.1, 30.0, NEVER, 1, 1200.0, 3, 7).config()
    with pytest.raises(ConfigError, match=r"staffing\.agents"):
        validate(cfg)


def test_family_error_is_below_one_percent() -> None:
    assert N_CHECKS >= 50
    assert 1.0 - (1.0 - CONFIDENCE) * N_CHECKS >= 1.0 - FAMILY_ALPHA - 1e-12
    assert math.isclose((1.0 - CONFIDENCE) * N_CHECKS, FAMILY_ALPHA)


def test_several_call_types_are_not_a_formula_case() -> None:
    """The formulas know one queue and one pool: call_types / agent_groups are named as
    the broken assumption (tests/queue/test_skills_exact.py checks them by a chain)."""
    cfg = Case("tiny", "erlang_c", 2, 0.5, 30.0, NEVER, 1, 1200.0, 3, 7).mapping()
    cfg["call_types"] = [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}]
    reasons = unmet_assumptions(cfg, "erlang_c")
    assert any(r.startswith("call_types = '2 entries'") for r in reasons), reasons
