"""The weekly roster (``sim.planning.tours``): exact optimum against brute force on small cases, days
off, contracts, part-time share, seats, night shifts over midnight, per-day opening hours,
breaks, and the publishable tables."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest

from sim.planning.tours import BreakRule, Contract, day_patterns, solve_tours

H = 3600.0
DAY = 86_400.0
MONDAY = dt.date(2026, 11, 30)


def _hours(days: int, open_h: float, close_h: float) -> np.ndarray:
    return np.concatenate([d * DAY + np.arange(open_h, close_h) * H for d in range(days)])


def _brute_force(req: np.ndarray, t: np.ndarray, days: int, contracts: list[Contract],
                 breaks: BreakRule, share: float | None, seats: int | None,
                 max_agents: int) -> float:  # fmt: skip
    """Least paid hours over every roster of at most ``max_agents`` named agents, each a
    contract, the days it works (1 agent = 1 row of the week: days_on consecutive days of
    the week, cut to the horizon) and, each of those days, a start in an open hour with
    the shift ending by the day's last open hour and a break placement; inf if none."""
    opens = set(t.tolist())
    schedules = []  # (contract, paid hours, phone vector, seat vector)
    for c, con in enumerate(contracts):
        length = con.shift_h * H
        offsets: list[float | None] = [None]
        if con.shift_h > breaks.min_shift_h:
            first, blen = breaks.earliest_h * H, breaks.length_min * 60
            offsets = [o for o in np.arange(first, length - first - blen + 1, H).tolist()]
        weeks = {tuple(d for d in range(days) if (d - r) % 7 < con.days_on) for r in range(7)}
        for on in weeks - {()}:
            per_day = []
            for d in on:
                options = []
                for s in opens:
                    if s // DAY != d or (s + length - H) not in opens:
                        continue
                    for o in offsets:
                        phone = (t >= s) & (t + H <= s + length)
                        if o is not None:
                            phone &= ~((t < s + o + breaks.length_min * 60) & (t + H > s + o))
                        options.append((phone, (t >= s) & (t < s + length)))
                per_day.append(options)
            for combo in itertools.product(*per_day):
                phone = sum((p.astype(int) for p, _ in combo), np.zeros(t.size, dtype=int))
                seat = sum((q.astype(int) for _, q in combo), np.zeros(t.size, dtype=int))
                schedules.append((c, len(on) * con.shift_h, phone, seat))
    best = math.inf
    for k in range(max_agents + 1):
        for roster in itertools.combinations_with_replacement(range(len(schedules)), k):
            chosen = [schedules[i] for i in roster]
            hours = sum(s[1] for s in chosen)
            if hours >= best:
                continue
            phone = sum((s[2] for s in chosen), np.zeros(t.size, dtype=int))
            if np.any(phone < req):
                continue
            if seats is not None and np.any(sum((s[3] for s in chosen), np.zeros(t.size, dtype=int)) > seats):
                continue
            pt = sum(1 for s in chosen if contracts[s[0]].part_time)
            if share is not None and pt > share * k + 1e-9:
                continue
            best = hours
    return best


@pytest.mark.parametrize("seed", range(6))
def test_the_optimum_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    days = 2
    t = _hours(days, 8, 12)  # 08:00-12:00 both days, 1-h intervals
    req = rng.integers(0, 3, size=t.size)
    contracts = [Contract("full", 2, 3.0), Contract("part", 1, 2.0, part_time=True)]
    breaks = BreakRule(min_shift_h=2.5, length_min=60, earliest_h=1.0)
    share = [None, 0.5][seed % 2]
    seats = [None, 3][(seed // 2) % 2]
    try:
        r = solve_tours(req, t, H, days, contracts, MONDAY, break_rule=breaks,
                        max_part_time_share=share, seats=seats, cyclic=False)  # fmt: skip
    except RuntimeError:  # the program says no roster exists: none of up to 6 agents either
        assert math.isinf(_brute_force(req, t, days, contracts, breaks, share, seats, 6))
        return
    # every agent costs at least 2 paid hours, so a roster cheaper than the program's has
    # fewer than paid_hours / 2 agents: enumerating up to that many is exhaustive
    bound = math.floor(r.paid_hours / 2.0 + 1e-9)
    expected = _brute_force(req, t, days, contracts, breaks, share, seats, bound)
    assert r.paid_hours == pytest.approx(expected), (req.tolist(), share, seats)
    cover = r.cover()
    assert (cover["under"] == 0).all()
    if seats is not None:
        assert (cover["in_seat"] <= seats).all()
    if share is not None:
        assert r.summary()["part_time_share"] <= share + 1e-9


def test_days_off_patterns() -> None:
    assert day_patterns(5, 7) == [(0, 1, 2, 3, 4), (1, 2, 3, 4, 5), (2, 3, 4, 5, 6),
                                  (0, 3, 4, 5, 6), (0, 1, 4, 5, 6), (0, 1, 2, 5, 6),
                                  (0, 1, 2, 3, 6)]  # fmt: skip
    assert len(day_patterns(5, 7, consecutive_off=False)) == 21
    assert day_patterns(5, 14)[0] == (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)  # repeats weekly


def test_a_24_7_line_with_night_shifts_over_midnight() -> None:
    """Open round the clock, 5 on / 2 off, 8-h shifts: the roster covers every hour of the
    week (cyclic: Sunday's night shift covers Monday 00:00-06:00) and some shifts cross
    midnight; every agent works 5 consecutive days with 2 days off."""
    days = 7
    t = np.arange(days * 24) * H
    req = np.where((t % DAY >= 8 * H) & (t % DAY < 20 * H), 6, 2)
    r = solve_tours(req, t, H, days, [Contract("full", 5, 8.0)], MONDAY)
    assert (r.cover()["under"] == 0).all()
    shifts = r.shifts()
    assert (shifts["end_date"] != shifts["date"]).any()  # over midnight
    assert (shifts.groupby("agent").size() == 5).all()
    agents = r.agents()
    assert (agents["paid_hours"] == 40.0).all() and (agents["days_off"].str.split().str.len() == 2).all()
    # lower bound: every hour needs its agents on the phone, 7 of every 8 paid hours
    assert r.paid_hours >= req.sum() * 8 / 7 - 1e-9
    assert r.fte == pytest.approx(r.paid_hours / 40.0)


def test_per_day_opening_hours_part_time_and_seats() -> None:
    """Weekdays 08:00-20:00, Saturday 09:00-17:00, Sunday closed: no shift starts before
    opening or ends after closing; the part-time cap and the seat cap hold."""
    days = 7
    t = np.concatenate([_hours(5, 8, 20), 5 * DAY + np.arange(9, 17) * H])
    rng = np.random.default_rng(3)
    req = rng.integers(3, 9, size=t.size)
    contracts = [Contract("full", 5, 8.0), Contract("part", 4, 4.0, part_time=True, max_agents=6)]
    r = solve_tours(req, t, H, days, contracts, MONDAY, max_part_time_share=0.3, seats=14)
    shifts = r.shifts()
    sat = shifts[shifts["weekday"] == "Sat"]
    assert len(sat) and (sat["start"] >= "09:00").all() and (sat["end"] <= "17:00").all()
    assert not (shifts["weekday"] == "Sun").any()
    week = shifts[shifts["weekday"] != "Sat"]
    assert (week["start"] >= "08:00").all() and (week["end"] <= "20:00").all()
    s = r.summary()
    assert s["part_time_share"] <= 0.3 + 1e-9 and s["headcount_part"] <= 6
    assert (r.cover()["in_seat"] <= 14).all() and (r.cover()["under"] == 0).all()
    long_ = shifts[shifts["paid_h"] == 8.0]
    assert (long_["break_start"] != "").all()  # 8-h shifts get their 30-min break
    b = long_["break_start"].str.slice(0, 2).astype(int) - long_["start"].str.slice(0, 2).astype(int)
    assert (b >= 2).all()
    with pytest.raises(RuntimeError, match="no roster meets every constraint"):
        solve_tours(req, t, H, days, contracts, MONDAY, seats=3)


def test_the_example_week_as_a_publishable_roster(tmp_path: object) -> None:
    """The example forecast (Mon-Fri 08:00-20:00) planned by Erlang C with 30% shrinkage,
    rostered as full-time 5 x 8 h and part-time 5 x 4 h (at most 40%): every interval
    covered, files written with dates and clock times, headcount and FTE stated."""
    import json
    from pathlib import Path

    from sim.config.compose import CONFIG_DIR
    from sim.planning.forecast import read_forecast
    from sim.planning.planner import PlanTarget, plan_intervals
    from sim.planning.tours import tours_for_forecast, write_tours

    fc = read_forecast(Path(CONFIG_DIR) / "forecast" / "example_week.csv")
    plan = plan_intervals(fc.arrival_rate_per_s, fc.table["aht_s"].to_numpy(),
                          PlanTarget(shrinkage=0.3), ["erlang_c"], progress=False)  # fmt: skip
    contracts = [Contract("full-time", 5, 8.0), Contract("part-time", 5, 4.0, part_time=True)]
    r = tours_for_forecast(fc, plan["erlang_c_scheduled"].to_numpy(), contracts,
                           max_part_time_share=0.4)  # fmt: skip
    assert r.optimal and (r.cover()["under"] == 0).all()
    folder = Path(str(tmp_path)) / "out"
    write_tours(r, folder)
    shifts = __import__("pandas").read_csv(folder / "roster.csv")
    assert shifts["date"].min() == "2026-11-30" and set(shifts["weekday"]) <= {"Mon", "Tue", "Wed", "Thu", "Fri"}
    summary = json.loads((folder / "roster_summary.json").read_text())
    assert summary["headcount"] == r.headcount and summary["fte"] == pytest.approx(r.paid_hours / 40, abs=1e-3)
    assert summary["part_time_share"] <= 0.4


def test_a_short_day_is_one_clear_error() -> None:
    """Issue 12: fewer opening hours than any shift: a ConfigError naming the roster (one
    line, exit 2 on the command line), not a traceback."""
    from sim.core.checks import ConfigError
    from sim.planning.forecast import Forecast, _build
    from sim.planning.tours import tours_for_forecast

    starts = [dt.datetime(2026, 11, 30, 10, 0) + dt.timedelta(minutes=30 * k) for k in range(6)]
    fc: Forecast = _build(starts, [10.0] * 6, [300.0] * 6, 1800.0)
    with pytest.raises(ConfigError, match=r"^roster: interval .* is covered by no shift"):
        tours_for_forecast(fc, np.full(6, 3), [Contract("full-time", 5, 8.0)])
    with pytest.raises(ConfigError, match=r"^roster: no roster meets every constraint \(do the"):
        tours_for_forecast(fc, np.full(6, 3), [Contract("short", 5, 3.0)])  # 5 days, 1 open
    assert len(tours_for_forecast(fc, np.full(6, 3), [Contract("short", 1, 3.0)]).shifts()) > 0


def test_contracts_from_text() -> None:
    from sim.core.checks import ConfigError
    from sim.planning.tours import DEFAULT_CONTRACTS, parse_contracts

    full, part = parse_contracts(DEFAULT_CONTRACTS)
    assert (full.weekly_hours, part.weekly_hours, part.part_time, full.part_time) == (40, 20, True, False)
    (night,) = parse_contracts("nights=4x10:max=3")
    assert (night.days_on, night.shift_h, night.max_agents) == (4, 10.0, 3)
    for bad, fragment in (("full=5", "must be NAME=DAYSxHOURS"), ("a=8x8", "days_on = 8"),
                          ("a=5x8:pt", "unknown flag 'pt'"), ("a=5x8,a=5x4", "given twice"),
                          ("", "at least one")):  # fmt: skip
        with pytest.raises(ConfigError, match=fragment):
            parse_contracts(bad)
