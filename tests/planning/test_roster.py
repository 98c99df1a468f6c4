"""Shift rostering by integer programming: exact optima, coverage, breaks, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.planning.roster import (
    Roster,
    ShiftTemplate,
    coverage_matrix,
    solve_roster,
    standard_templates,
)

H = 3600.0
DAY = 86_400.0
# sim/config/yaml/staffing/default.yaml: agents per half hour, 08:00-20:00
DEFAULT_AGENTS = [11, 15, 20, 24, 28, 30, 30, 28, 24, 22, 24, 26, 26, 24, 22, 20, 17, 15, 13, 11, 10, 9, 7, 7]  # fmt: skip


def _half_hours(days: int, open_h: float = 8.0, n: int = 24) -> np.ndarray:
    return np.concatenate([d * DAY + open_h * H + 1800.0 * np.arange(n) for d in range(days)])


def test_small_case_by_hand() -> None:
    # Four 1-h intervals from 08:00; a 4-h shift covers all, a 2-h shift covers 10-12.
    # Need [1, 1, 3, 3]: one long shift + two short ones = 4 + 2 * 2 = 8 h, while three
    # long shifts would cost 12 h and the short shift alone cannot cover 08-10.
    t = 8 * H + H * np.arange(4)
    long_, short = ShiftTemplate("long", 8 * H, 4 * H), ShiftTemplate("short", 10 * H, 2 * H)
    a, inst = coverage_matrix([long_, short], t, H, 1)
    assert a.tolist() == [[1, 0], [1, 0], [1, 1], [1, 1]]
    assert inst == [(0, long_), (0, short)]
    r = solve_roster(np.array([1, 1, 3, 3]), t, H, 1, [long_, short])
    assert isinstance(r, Roster) and r.optimal
    assert r.counts.tolist() == [1, 2]
    assert r.paid_hours == pytest.approx(8.0)
    assert r.scheduled.tolist() == [1, 1, 3, 3]
    assert r.over.tolist() == [0, 0, 0, 0] and r.under.tolist() == [0, 0, 0, 0]
    table = r.table()
    assert table.to_dict("records") == [
        {"day": 0, "shift": "long", "start": "08:00", "length_h": 4.0, "agents": 1},
        {"day": 0, "shift": "short", "start": "10:00", "length_h": 2.0, "agents": 2},
    ]
    iv = r.intervals()
    assert iv["clock"].tolist() == ["08:00", "09:00", "10:00", "11:00"]
    assert iv["required"].tolist() == [1, 1, 3, 3]
    # A cap of 2 agents per shift still allows this roster; a cap of 1 is infeasible.
    assert solve_roster(np.array([1, 1, 3, 3]), t, H, 1, [long_, short], max_agents_per_shift=2).paid_hours == pytest.approx(8.0)  # fmt: skip
    with pytest.raises(RuntimeError, match="solver failed"):
        solve_roster(np.array([1, 1, 3, 3]), t, H, 1, [long_, short], max_agents_per_shift=1)


@pytest.mark.parametrize("seed", range(8))
def test_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(6, 9))
    t = 8 * H + H * np.arange(n)
    k = int(rng.integers(3, 5))
    templates = []
    for j in range(k):
        length = int(rng.integers(1, 5))
        start = int(rng.integers(0, n - length + 1))
        templates.append(ShiftTemplate(f"s{j}", (8 + start) * H, length * H))
    required = rng.integers(0, 5, size=n)
    a, _ = coverage_matrix(templates, t, H, 1)
    required[a.sum(axis=1) == 0] = 0  # keep the problem feasible
    lengths_h = np.array([tpl.length_s / H for tpl in templates])

    # No shift ever needs more agents than the largest requirement.
    grid = np.array(list(itertools.product(range(int(required.max()) + 1), repeat=k)))
    feasible = np.all(grid @ a.T >= required, axis=1)
    best = float((grid[feasible] @ lengths_h).min())

    r = solve_roster(required, t, H, 1, templates)
    assert r.paid_hours == pytest.approx(best)
    assert np.all(r.scheduled >= required) and not r.under.any()
    assert np.array_equal(r.scheduled, a @ r.counts)


@pytest.mark.parametrize("days", [1, 2])
def test_realistic_day_is_covered(days: int) -> None:
    t = _half_hours(days)
    required = np.tile(DEFAULT_AGENTS, days)
    templates = standard_templates(8 * H, 20 * H)
    r = solve_roster(required, t, 1800.0, days, templates)
    assert r.optimal and not r.under.any()
    assert np.array_equal(r.scheduled - r.over, required)
    # Paid hours: on-duty agent-hours (required + over) plus the paid breaks.
    table = r.table()
    breaks_h = 0.5 * table.loc[table["length_h"] > 5.0, "agents"].sum()
    assert r.paid_hours == pytest.approx(0.5 * r.scheduled.sum() + breaks_h)
    assert r.paid_hours >= 0.5 * required.sum()
    assert set(table["day"]) == set(range(days))
    assert r.paid_hours == pytest.approx(242.0 * days)  # found by the solver, per day
    assert int(r.over.sum()) == 8 * days


def test_break_interval_not_covered() -> None:
    # 6-h shift from 08:00 with a 30-min break at 12:00 (offset 4 h).
    tpl = ShiftTemplate("6h", 8 * H, 6 * H, breaks=((4 * H, 1800.0),))
    t = _half_hours(1, n=14)  # 08:00 .. 14:30
    a, _ = coverage_matrix([tpl], t, 1800.0, 1)
    expected = [1] * 8 + [0] + [1] * 3 + [0, 0]  # 12:00 on break; 14:00 after the shift
    assert a[:, 0].tolist() == expected
    # An hour-long interval overlapping the break is not covered either.
    a_h, _ = coverage_matrix([tpl], 8 * H + H * np.arange(6), H, 1)
    assert a_h[:, 0].tolist() == [1, 1, 1, 1, 0, 1]
    # The break is paid: covering 12:00 needs a second shift.
    cover_break = ShiftTemplate("2h", 11 * H, 2 * H)
    r = solve_roster(np.ones(12, dtype=int), t[:12], 1800.0, 1, [tpl, cover_break])
    assert r.counts.tolist() == [1, 1] and r.paid_hours == pytest.approx(8.0)
    assert r.scheduled[8] == 1 and r.over.tolist() == [0] * 6 + [1, 1, 0, 1, 0, 0]


def test_days_and_overnight() -> None:
    t = _half_hours(3, open_h=0.0, n=48)
    weekend = ShiftTemplate("late", 22 * H, 4 * H, days=(1, 5))  # day 5 is past the horizon
    a, inst = coverage_matrix([weekend], t, 1800.0, 3)
    assert [d for d, _ in inst] == [1]
    covered = t[a[:, 0] == 1]
    assert covered.min() == pytest.approx(DAY + 22 * H)  # day 1 22:00 ...
    assert covered.max() == pytest.approx(2 * DAY + 1.5 * H)  # ... to day 2 01:30


def test_standard_templates() -> None:
    templates = standard_templates(8 * H, 20 * H)
    assert len(templates) == 9 + 13 + 17
    by_name = {tpl.name: tpl for tpl in templates}
    assert by_name["8h@12:00"].start_s == 12 * H and by_name["8h@12:00"].length_s == 8 * H
    assert by_name["8h@12:00"].breaks == ((4 * H, 1800.0),)
    assert by_name["6h@14:00"].breaks == ((4 * H, 1800.0),)
    assert by_name["4h@16:00"].breaks == ()
    assert all(tpl.start_s + tpl.length_s <= 20 * H for tpl in templates)
    assert all(not tpl.breaks for tpl in standard_templates(8 * H, 20 * H, break_after_h=None))
    with pytest.raises(ValueError, match="no shift"):
        standard_templates(8 * H, 10 * H, lengths_h=(4.0,))
    with pytest.raises(ValueError, match="open_s"):
        standard_templates(20 * H, 8 * H)


def test_uncoverable_interval() -> None:
    t = _half_hours(2, open_h=7.0, n=4)  # 07:00 .. 08:30 each day
    tpl = ShiftTemplate("early", 7 * H, 1 * H, days=(0,))
    with pytest.raises(
        ValueError, match=r"interval day 1 07:30 \(required 3\) is covered by no shift template"
    ):
        solve_roster(np.array([1, 1, 0, 0, 0, 3, 0, 0]), t, 1800.0, 2, [tpl])
    # An interval with no requirement may be left uncovered.
    r = solve_roster(np.array([1, 1, 0, 0, 0, 0, 0, 0]), t, 1800.0, 2, [tpl])
    assert r.counts.tolist() == [1] and not r.under.any()


@pytest.mark.parametrize(
    ("required", "match"),
    [
        ([1, -1, 0], r"required\[1\] = -1"),
        ([1, 0, 2.5], r"required\[2\] = 2.5"),
        ([1, np.nan, 0], r"required\[1\]"),
        ([1, 0], "one value per interval"),
    ],
)
def test_bad_required(required: list[float], match: str) -> None:
    t = 8 * H + H * np.arange(3)
    with pytest.raises(ValueError, match=match):
        solve_roster(np.array(required), t, H, 1, [ShiftTemplate("a", 8 * H, 3 * H)])


def test_float_integer_required_accepted() -> None:
    t = 8 * H + H * np.arange(3)
    r = solve_roster(np.array([1.0, 2.0, 0.0]), t, H, 1, [ShiftTemplate("a", 8 * H, 2 * H)])
    assert r.counts.tolist() == [2] and r.required.dtype.kind == "i"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": ""}, "name"),
        ({"start_s": -1.0}, "start_s"),
        ({"start_s": DAY}, "start_s"),
        ({"length_s": 0.0}, "length_s"),
        ({"length_s": float("nan")}, "length_s"),
        ({"breaks": ((7 * H, 2 * H),)}, "inside the shift"),
        ({"breaks": ((-1.0, 600.0),)}, "inside the shift"),
        ({"breaks": ((H, 0.0),)}, "duration_s"),
        ({"breaks": ((H, 1800.0), (H + 900.0, 1800.0))}, "overlap"),
        ({"breaks": ((H,),)}, "offset_s, duration_s"),
        ({"days": (0, -1)}, "days"),
        ({"days": (1, 1)}, "distinct"),
        ({"days": ()}, "non-empty"),
    ],
)
def test_bad_template(kwargs: dict[str, object], match: str) -> None:
    fields: dict[str, object] = {"name": "x", "start_s": 8 * H, "length_s": 8 * H}
    fields.update(kwargs)
    with pytest.raises(ValueError, match=match):
        ShiftTemplate(**fields)  # type: ignore[arg-type]


def test_bad_problem() -> None:
    t = 8 * H + H * np.arange(2)
    tpl = ShiftTemplate("a", 8 * H, 2 * H)
    with pytest.raises(ValueError, match="unique"):
        coverage_matrix([tpl, ShiftTemplate("a", 9 * H, H)], t, H, 1)
    with pytest.raises(ValueError, match="increase"):
        coverage_matrix([tpl], t[::-1], H, 1)
    with pytest.raises(ValueError, match="interval_s"):
        coverage_matrix([tpl], t, 0.0, 1)
    with pytest.raises(ValueError, match="days"):
        coverage_matrix([tpl], t, H, 0)
    with pytest.raises(ValueError, match="max_agents_per_shift"):
        solve_roster(np.array([1, 1]), t, H, 1, [tpl], max_agents_per_shift=-1)
