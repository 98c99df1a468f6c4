"""A published roster read back (``sim.planning.tour_roster.roster_on_phone``, through
``sim.planning.plancheck.load_staffing``): the agents on the phone per interval equal the
solver's own cover, night shifts over midnight and the weekly wrap included; bad files
are refused with file, line and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.core.checks import ConfigError
from sim.planning.forecast import Forecast, _build
from sim.planning.plancheck import load_staffing
from sim.planning.tours import Contract, tours_for_forecast, write_tours


def _night_line(days: int = 7) -> Forecast:
    """A line open 18:00-06:00 every night of one week, hourly intervals: Monday 00:00-06:00
    is covered by Sunday's night shift (the roster repeats every week)."""
    starts = [dt.datetime(2026, 11, 30) + dt.timedelta(hours=i) for i in range(days * 24)
              if not 6 <= i % 24 < 18]  # fmt: skip
    return _build(starts, [5.0] * len(starts), [300.0] * len(starts), 3600.0)


def _required(fc: Forecast) -> np.ndarray:
    hours = fc.table["start"].dt.hour.to_numpy()
    return np.where(np.isin(hours, (20, 21, 22, 23, 0, 1)), 2, 1)


def test_roster_csv_reads_back_as_the_solvers_cover(tmp_path: Path) -> None:
    fc = _night_line()
    req = _required(fc)
    roster = tours_for_forecast(fc, req, [Contract("night", 5, 8.0)])
    write_tours(roster, tmp_path)
    shifts = pd.read_csv(tmp_path / "roster.csv")
    # the test means something: shifts cross midnight, and some run past the week's end
    assert (shifts["end_date"] != shifts["date"]).any()
    assert (shifts["end_date"] > "2026-12-06").any()
    agents = load_staffing(tmp_path / "roster.csv", fc, None, 0.0)
    np.testing.assert_array_equal(agents, roster.on_phone)
    assert (agents >= req).all()
    # Monday 00:00-06:00 is covered only through the wrap of Sunday's night shifts
    assert agents[:6].min() >= 1
    # shrinkage nets the agents on duty: floor(on duty x 0.5)
    np.testing.assert_array_equal(load_staffing(tmp_path / "roster.csv", fc, None, 0.5),
                                  np.floor(roster.on_phone * 0.5))  # fmt: skip


def test_a_hand_edited_roster_counts_whole_intervals_off_break(tmp_path: Path) -> None:
    fc = _night_line(days=1)
    path = tmp_path / "roster.csv"
    path.write_text(
        "agent,contract,date,weekday,start,end_date,end,break_start,break_end,paid_h\n"
        "A001,x,2026-11-30,Mon,18:00,2026-11-30,22:00,20:00,20:30,4\n"  # break: 20-21 lost
        "A002,x,2026-11-30,Mon,18:30,2026-11-30,21:00,,,2.5\n"  # 18:00 not whole: 19, 20
    )
    agents = load_staffing(path, fc, None, 0.0)
    by_start = dict(zip(fc.table["start"].dt.strftime("%m-%d %H"), agents.tolist(), strict=True))
    assert [by_start[f"11-30 {h}"] for h in ("18", "19", "20", "21", "22")] == [1, 2, 1, 1, 0]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A1,x,2026-12-14,Mon,18:00,2026-12-14,22:00,,,4", "line 2, column date: '2026-12-14': outside the forecast's weeks"),
        ("A1,x,2026-11-30,Mon,25:00,2026-11-30,22:00,,,4", "line 2, column start: '25:00': must be a time of day HH:MM"),
        ("A1,x,30/11/2026,Mon,18:00,2026-11-30,22:00,,,4", "line 2, column date: '30/11/2026': must be a date YYYY-MM-DD"),
        ("A1,x,2026-11-30,Mon,18:00,2026-11-30,17:00,,,4", "line 2, columns end_date/end: the shift must end after it starts"),
        ("A1,x,2026-11-30,Mon,18:00,2026-11-30,22:00,23:00,23:30,4", "line 2, columns break_start/break_end: 23:00-23:30: the break must lie inside"),
    ],
)  # fmt: skip
def test_bad_roster_rows_name_file_line_and_column(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("agent,contract,date,weekday,start,end_date,end,break_start,break_end,paid_h\n"
                    + row + "\n")  # fmt: skip
    with pytest.raises(ConfigError, match="roster.csv " + message.replace("(", r"\(")):
        load_staffing(path, _night_line(), None, 0.0)


def test_files_of_the_wrong_kind_are_refused_naming_both_kinds(tmp_path: Path) -> None:
    fc = _night_line()
    roster = tours_for_forecast(fc, _required(fc), [Contract("night", 5, 8.0)])
    write_tours(roster, tmp_path)
    for name in ("roster_agents.csv", "roster_cover.csv"):
        with pytest.raises(ConfigError, match=r"must be a plan.csv .* or a roster.csv"):
            load_staffing(tmp_path / name, fc, None, 0.0)
    with pytest.raises(ConfigError, match=r"--column 'x': .* is a roster.csv"):
        load_staffing(tmp_path / "roster.csv", fc, "x", 0.0)


def test_a_roster_leaving_forecast_days_unstaffed_is_refused(tmp_path: Path) -> None:
    """A roster planned for fewer days than the forecast (a 2-day plan checked against a
    week) would be judged on days nobody was rostered: refused, naming the days; a roster
    covering every day with calls passes (new-user trial of the planner's loop)."""
    fc = _night_line()
    path = tmp_path / "roster.csv"
    head = "agent,contract,date,weekday,start,end_date,end,break_start,break_end,paid_h\n"
    path.write_text(head + "A001,x,2026-11-30,Mon,18:00,2026-11-30,22:00,,,4\n"
                    "A001,x,2026-12-01,Tue,18:00,2026-12-01,22:00,,,4\n")  # fmt: skip
    with pytest.raises(ConfigError, match=r"nobody is on the phone on 5 of the forecast's 7 "
                       r"days \(2026-12-02, 2026-12-03, 2026-12-04 \.\.\. 2026-12-06; 300 "
                       r"calls expected\)"):  # fmt: skip
        load_staffing(path, fc, None, 0.0)
    week = "".join(
        f"A001,x,2026-12-{d:02d},x,18:00,2026-12-{d:02d},22:00,,,4\n" for d in range(1, 7)
    )
    path.write_text(head + "A001,x,2026-11-30,Mon,18:00,2026-11-30,22:00,,,4\n" + week)
    assert load_staffing(path, fc, None, 0.0).sum() > 0
