"""A planner's forecast file: round trip, the example week, the config's own forecast,
and every bad file refused with the line and column of the problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from sim.config.compose import CONFIG_DIR
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.core.timetable import Timetable
from sim.planning.forecast import (
    Forecast,
    ForecastError,
    forecast_from_config,
    read_forecast,
    write_forecast,
)
from sim.queue.arrivals import ArrivalForecast

EXAMPLE = Path(CONFIG_DIR) / "forecast" / "example_week.csv"
HEADER = "interval_start,expected_calls,aht_s\n"


def _file(tmp_path: Path, text: str, name: str = "forecast.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path, row: int | None, column: str | None, *fragments: str) -> ForecastError:
    with pytest.raises(ForecastError) as info:
        read_forecast(path)
    exc = info.value
    msg = str(exc)
    assert (exc.row, exc.column) == (row, column), msg
    if row is not None and column is not None:
        assert msg.startswith(f"{path.name} line {row}, column {column}"), msg
    elif row is not None:
        assert msg.startswith(f"{path.name} line {row}: "), msg
    for fragment in fragments:
        assert fragment in msg, msg
    assert "\n" not in msg
    assert isinstance(exc, ConfigError)
    return exc


def _rows(*rows: str, header: str = HEADER) -> str:
    return header + "".join(r + "\n" for r in rows)


# --------------------------------------------------------------------------- good files


def test_example_week_reads() -> None:
    fc = read_forecast(EXAMPLE)
    t = fc.table
    assert len(t) == 120 and fc.days == 5
    assert fc.interval_s == 1800.0
    assert fc.first_date == dt.date(2026, 11, 30)
    assert t["start"].dt.day_of_week.unique().tolist() == [0, 1, 2, 3, 4]  # Monday to Friday
    assert t.groupby("day").size().tolist() == [24] * 5
    assert t["clock"].iloc[0] == "08:00" and t["clock"].iloc[23] == "19:30"
    assert t["expected_calls"].sum() == pytest.approx(12_000, rel=0.02)
    per_day = t.groupby("day")["expected_calls"].sum()
    assert per_day[0] == pytest.approx(2400 * 1.10, rel=1e-3)
    assert per_day[4] == pytest.approx(2400 * 0.95, rel=1e-3)
    assert set(t["aht_s"]) == {270.0, 280.0}
    assert not EXAMPLE.read_text().startswith("#")


def test_table_columns_and_units() -> None:
    fc = read_forecast(EXAMPLE)
    t = fc.table
    assert list(t.columns) == [
        "start",
        "day",
        "clock",
        "start_s",
        "expected_calls",
        "aht_s",
        "load_erlangs",
    ]
    assert pd.api.types.is_datetime64_dtype(t["start"])
    assert pd.api.types.is_integer_dtype(t["day"])
    assert t["start_s"].iloc[0] == 8 * 3600.0
    assert t["start_s"].iloc[24] == 86_400.0 + 8 * 3600.0  # Tuesday 08:00
    np.testing.assert_allclose(t["load_erlangs"], t["expected_calls"] * t["aht_s"] / 1800.0)
    np.testing.assert_allclose(fc.arrival_rate_per_s, t["expected_calls"] / 1800.0)


def test_round_trip(tmp_path: Path) -> None:
    for original in (read_forecast(EXAMPLE), forecast_from_config(sim.load_config())):
        path = write_forecast(original, tmp_path / "out.csv")
        back = read_forecast(path)
        assert back == original
        pd.testing.assert_frame_equal(back.table, original.table)


def test_round_trip_of_awkward_numbers(tmp_path: Path) -> None:
    text = _rows(
        "2026-11-30 23:00,0.1,333.3333333333333,7.5",
        # the next day: 7.5 min intervals on whole minutes are never adjacent in a day
        "2026-12-01T23:30:00,12.345678901234567,1e3,7.5",
        header="interval_start,expected_calls,aht_s,interval_min\n",
    )
    original = read_forecast(_file(tmp_path, text))
    assert original.interval_s == 450.0
    assert read_forecast(write_forecast(original, tmp_path / "again.csv")) == original


def test_lenient_header_and_blank_lines(tmp_path: Path) -> None:
    text = " Interval_Start , EXPECTED_CALLS ,Aht_S\n\n2026-11-30 08:00, 10 ,300\n,,\n2026-11-30 08:30,12,300\n"
    fc = read_forecast(_file(tmp_path, text))
    assert fc.table["expected_calls"].tolist() == [10.0, 12.0]
    assert fc.interval_s == 1800.0


def test_gaps_between_days_and_declared_interval(tmp_path: Path) -> None:
    # inferred interval: gaps longer than it only between days (nights, a closed Sunday)
    text = _rows(
        "2026-11-30 08:00,1,200",
        "2026-11-30 08:15,1,200",
        "2026-12-01 09:00,1,200",
        "2026-12-03 23:45,1,200",  # ends at 24:00 exactly
    )
    fc = read_forecast(_file(tmp_path, text))
    assert fc.interval_s == 900.0 and fc.days == 4
    assert fc.table["day"].tolist() == [0, 0, 1, 3]
    # declared interval: closed hours within a day are allowed too (when some rows of a
    # day are interval_min apart, see test_interval_min_shorter_than_the_rows_spacing)
    text = _rows(
        "2026-11-30 08:00,1,200,30",
        "2026-11-30 08:30,1,200,30",
        "2026-11-30 14:00,1,200,30",
        header="interval_start,expected_calls,aht_s,interval_min\n",
    )
    assert read_forecast(_file(tmp_path, text)).interval_s == 1800.0


# --------------------------------------------------------------------------- from the config


def test_forecast_from_default_config() -> None:
    cfg = sim.load_config()
    fc = forecast_from_config(cfg)
    t = fc.table
    assert len(t) == 24 and fc.days == 1 and fc.interval_s == 1800.0
    assert fc.first_date == dt.date(2026, 11, 30)  # a Monday
    np.testing.assert_allclose(t["expected_calls"], 2400.0 / 24)
    np.testing.assert_allclose(t["aht_s"], 240.0 + 30.0)
    np.testing.assert_allclose(
        t["start_s"], Timetable(8 * 3600.0, 20 * 3600.0, 1800.0, 1).interval_starts(0)
    )
    assert t["clock"].tolist()[:2] == ["08:00", "08:30"]


def test_forecast_from_config_with_profile_and_weekdays() -> None:
    center = yaml.safe_load((Path(CONFIG_DIR) / "center" / "default.yaml").read_text())
    center["day_of_week_factors"] = [1.1, 1.0, 1.0, 1.0, 0.95, 0.5, 0.0]
    center["start_weekday"] = 4  # day 0 is a Friday
    cfg = sim.load_config(
        {
            "center": center,
            "run": {"days": 4},
            "service": {"talk": {"kind": "exponential", "mean_s": 200.0}},
        }
    )
    fc = forecast_from_config(cfg)
    assert isinstance(cfg, Config)
    t = fc.table
    assert fc.first_date == dt.date(2026, 12, 4) and fc.first_date.weekday() == 4
    assert fc.days == 4 and len(t) == 4 * 24
    assert t["start"].dt.day_of_week.unique().tolist() == [4, 5, 6, 0]
    c = cfg.center
    tt = Timetable(8 * 3600.0, 20 * 3600.0, 1800.0, 4, start_weekday=4)
    arrivals = ArrivalForecast(
        tt, c.volume_per_day, tuple(c.profile or ()), tuple(c.day_of_week_factors), 0.0
    )
    for d in range(4):
        day = t[t["day"] == d]
        np.testing.assert_allclose(day["expected_calls"], arrivals.expected(d))
        np.testing.assert_allclose(day["start_s"], tt.interval_starts(d))
    assert t[t["day"] == 2]["expected_calls"].sum() == 0.0  # Sunday, factor 0
    np.testing.assert_allclose(t["aht_s"], 200.0 + 30.0)


# --------------------------------------------------------------------------- bad files


def test_missing_and_empty_files(tmp_path: Path) -> None:
    exc = _refused(tmp_path / "nope.csv", None, None, "nope.csv", "no such file")
    assert exc.row is None
    _refused(tmp_path, None, None, "is a folder")
    _refused(_file(tmp_path, ""), None, None, "forecast.csv: empty file")
    _refused(_file(tmp_path, "\n\n"), None, None, "empty file")
    _refused(_file(tmp_path, HEADER), None, None, "no rows after the header (line 1)")


def test_missing_column(tmp_path: Path) -> None:
    path = _file(tmp_path, "interval_start,expected_calls\n2026-11-30 08:00,3\n")
    _refused(path, 1, "aht_s", "missing", "found: interval_start, expected_calls")


def test_unknown_columns_are_ignored_and_repeated_ones_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, "interval_start,expected_call,aht_s\n2026-11-30 08:00,3,200\n")
    _refused(path, 1, "expected_calls", "missing from the header",
             "found: interval_start, expected_call, aht_s", "columns=expected_calls=HEADER")  # fmt: skip
    path = _file(tmp_path, "interval_start,expected_calls,aht_s,AHT_S\n")
    _refused(path, 1, "aht_s", "appears twice")
    path = _file(tmp_path, "interval_start,expected_calls,aht_s,\n2026-11-30 08:00,3,200,\n"
                 "2026-11-30 08:30,3,200,\n")  # fmt: skip
    assert read_forecast(path).table["expected_calls"].tolist() == [3.0, 3.0]  # unnamed: ignored


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("30/13/2026 08:00", "must be a date and time like"),  # no month 13 either way
        ("Monday 08:00", "must be a date and time like"),
        ("2026-11-30", "must be a date and time like"),  # no time
        ("2026-11-31 08:00", "must be a date and time like"),  # no such day
        ("", '"": must be a date and time'),
        ("2026-11-30T08:30:00+01:00", "time zone"),
        ("2026-11-30 08:30:15", "whole minute"),
    ],
)
def test_bad_date_time(tmp_path: Path, value: str, fragment: str) -> None:
    text = _rows("2026-11-30 08:00,1,200", f"{value},1,200", "2026-11-30 09:00,1,200")
    _refused(_file(tmp_path, text), 3, "interval_start", fragment)


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("expected_calls", "abc", "abc: must be a number >= 0"),
        ("expected_calls", "", '"": must be a number >= 0'),
        ("expected_calls", "2,400", "2,400: must be a number >= 0"),
        ("expected_calls", "-3.0", "-3.0: must be a number >= 0"),
        ("expected_calls", "nan", "nan: must be a finite number >= 0"),
        ("expected_calls", "inf", "inf: must be a finite number >= 0"),
        ("aht_s", "abc", "abc: must be a number > 0 (seconds)"),
        ("aht_s", "", '"": must be a number > 0'),
        ("aht_s", "0", "0: must be a number > 0"),
        ("aht_s", "-270", "-270: must be a number > 0"),
        ("aht_s", "NaN", "NaN: must be a finite number > 0"),
        ("aht_s", "-inf", "-inf: must be a finite number > 0"),
        ("interval_min", "0", "0: must be a number > 0 (minutes)"),
        ("interval_min", "half", "half: must be a number > 0"),
    ],
)
def test_bad_numbers(tmp_path: Path, column: str, value: str, fragment: str) -> None:
    good = {"expected_calls": "4", "aht_s": "270", "interval_min": "30"}
    bad = {**good, column: f'"{value}"'}
    text = _rows(
        "2026-11-30 08:00,4,270,30",
        "2026-11-30 08:30,4,270,30",
        f"2026-11-30 09:00,{bad['expected_calls']},{bad['aht_s']},{bad['interval_min']}",
        header="interval_start,expected_calls,aht_s,interval_min\n",
    )
    _refused(_file(tmp_path, text), 4, column, fragment)


def test_the_documented_message(tmp_path: Path) -> None:
    rows = [f"2026-11-30 {8 + k // 2:02d}:{30 * (k % 2):02d},10,270" for k in range(8)]
    rows[5] = "2026-11-30 10:30,-3.0,270"  # line 7
    exc = _refused(_file(tmp_path, _rows(*rows)), 7, "expected_calls")
    assert str(exc) == "forecast.csv line 7, column expected_calls: -3.0: must be a number >= 0"


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    text = HEADER + "\n2026-11-30 08:00,1,200\n\n\n2026-11-30 08:30,x,200\n"
    _refused(_file(tmp_path, text), 6, "expected_calls", "x: must be a number")


def test_missing_and_extra_fields(tmp_path: Path) -> None:
    text = _rows("2026-11-30 08:00,1,200", "2026-11-30 08:30,1")
    _refused(_file(tmp_path, text), 3, "aht_s", "missing", "2 fields")
    text = _rows("2026-11-30 08:00,1,200,5")
    _refused(_file(tmp_path, text), 2, None, "4 fields", "the header (line 1) has 3 columns")


def test_unsorted_rows(tmp_path: Path) -> None:
    text = _rows("2026-11-30 08:00,1,200", "2026-11-30 09:00,1,200", "2026-11-30 08:30,1,200")
    _refused(
        _file(tmp_path, text),
        4,
        "interval_start",
        "2026-11-30 08:30: rows must be in time order: starts before line 3 (2026-11-30 09:00)",
    )


def test_duplicate_start(tmp_path: Path) -> None:
    text = _rows("2026-11-30 08:00,1,200", "2026-11-30T08:00:00,1,200")
    _refused(
        _file(tmp_path, text), 3, "interval_start", "duplicate: line 2 starts at the same time"
    )


def test_overlapping_intervals(tmp_path: Path) -> None:
    text = _rows(
        "2026-11-30 08:00,1,200,30",
        "2026-11-30 08:30,1,200,30",
        "2026-11-30 08:45,1,200,30",
        header="interval_start,expected_calls,aht_s,interval_min\n",
    )
    _refused(
        _file(tmp_path, text),
        4,
        "interval_start",
        "overlaps the interval of line 3: starts 15 min after it, intervals are 30 min",
    )


def test_uneven_gaps_within_a_day(tmp_path: Path) -> None:
    text = _rows("2026-11-30 08:00,1,200", "2026-11-30 08:30,1,200", "2026-11-30 09:15,1,200")
    _refused(
        _file(tmp_path, text),
        4,
        "interval_start",
        "starts 45 min after line 3 on the same day",
        "intervals are 30 min (the smallest gap",
    )


def test_interval_crossing_midnight(tmp_path: Path) -> None:
    text = _rows(
        "2026-11-30 23:00,1,200,30",
        "2026-11-30 23:40,1,200,30",
        header="interval_start,expected_calls,aht_s,interval_min\n",
    )
    _refused(
        _file(tmp_path, text),
        3,
        "interval_start",
        "2026-11-30 23:40: the interval crosses midnight",
    )
    # inferred from one row a day: the interval is a day long
    text = _rows("2026-11-30 08:00,1,200", "2026-12-01 08:00,1,200")
    _refused(_file(tmp_path, text), 2, "interval_start", "crosses midnight", "1440 min")


def test_inconsistent_interval_min(tmp_path: Path) -> None:
    text = _rows(
        "2026-11-30 08:00,1,200,30",
        "2026-11-30 08:30,1,200, 30.0 ",
        "2026-11-30 09:00,1,200,15",
        header="interval_start,expected_calls,aht_s,interval_min\n",
    )
    _refused(
        _file(tmp_path, text),
        4,
        "interval_min",
        "15: must be the same in every row (line 2 has 30)",
    )


def test_one_row_needs_interval_min(tmp_path: Path) -> None:
    _refused(_file(tmp_path, _rows("2026-11-30 08:00,1,200")), 2, "interval_min", "one row only")
    text = _rows(
        "2026-11-30 08:00,1,200,60", header="interval_start,expected_calls,aht_s,interval_min\n"
    )
    assert read_forecast(_file(tmp_path, text)).interval_s == 3600.0


def test_forecast_is_a_config_error_with_its_place() -> None:
    exc = ForecastError("forecast.csv line 3, column aht_s: 0: must be a number > 0", 3, "aht_s")
    assert isinstance(exc, ConfigError) and isinstance(exc, ValueError)
    assert (exc.row, exc.column, exc.key) == (3, "aht_s", "aht_s")
    assert isinstance(read_forecast(EXAMPLE), Forecast)


def test_centre_for_forecast_carries_the_calls(tmp_path: Path) -> None:
    """The example week as a centre: its hours, days, calls per interval and mean AHT."""
    from sim.config.validation import build_distribution
    from sim.planning.forecast import centre_for_forecast

    week = read_forecast(EXAMPLE)
    cfg = centre_for_forecast(week, sim.compose())
    c = cfg.center
    assert (c.open_time, c.close_time, c.interval_min) == ("08:00", "20:00", 30)
    assert cfg.run.days == 5 and c.start_weekday == 0 and c.profile is None
    assert np.allclose(np.asarray(c.expected_calls).ravel(), week.table["expected_calls"])
    t = week.table
    aht = float(np.average(t["aht_s"], weights=t["expected_calls"]))
    mean = (
        build_distribution(cfg.service.talk, "t").mean
        + build_distribution(cfg.service.acw, "a").mean
    )
    assert mean == pytest.approx(aht, rel=1e-12)
    res = sim.simulate(cfg)
    # intervals.expected_calls = the forecast's calls x the day's busyness factor
    exp_iv = res.intervals["expected_calls"].to_numpy().reshape(5, -1)
    ratio = exp_iv / np.asarray(c.expected_calls)
    assert np.allclose(ratio, ratio[:, :1])  # one factor per day
    # fresh calls per day are Poisson with that mean: within 5 standard deviations
    expected, fresh = exp_iv.sum(axis=1), res.days["fresh"].to_numpy()
    assert (np.abs(fresh - expected) < 5 * np.sqrt(expected)).all()


def test_centre_for_forecast_needs_the_same_hours_every_day(tmp_path: Path) -> None:
    from sim.planning.forecast import centre_for_forecast

    text = _rows("2026-11-30 08:00,1,200,30", "2026-11-30 08:30,1,200,30",
                 "2026-12-01 09:00,1,200,30", "2026-12-01 09:30,1,200,30",
                 header="interval_start,expected_calls,aht_s,interval_min\n")  # fmt: skip
    with pytest.raises(ForecastError, match="day 1 has other intervals"):
        centre_for_forecast(read_forecast(_file(tmp_path, text)), sim.compose())


def test_forecast_from_config_honours_expected_calls() -> None:
    """A centre given its calls per interval (``center.expected_calls``) plans those."""
    rows = [[float(k) for k in range(24)], [2.0] * 24]
    cfg = sim.load_config({"center": {"expected_calls": rows}, "run": {"days": 2}})
    fc = forecast_from_config(cfg)
    assert fc.table["expected_calls"].tolist() == rows[0] + rows[1]


# --------------------------------------------------------------------------- files as planners have them
# Issue 12: each of these was refused; each must read to the same forecast as the plain file.

PLAIN = _rows("2026-11-30 08:00,50.8,270", "2026-11-30 08:30,76.25,281.5",
              "2026-12-01 08:00,1234.5,300")  # fmt: skip


def _same_as_plain(tmp_path: Path, fc: Forecast) -> None:
    plain = read_forecast(_file(tmp_path, PLAIN, "plain.csv"))
    assert fc == plain, fc.table


def test_a_european_export_with_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    text = ("interval_start;expected_calls;aht_s\n2026-11-30 08:00;50,8;270\n"
            "2026-11-30 08:30;76,25;281,5\n2026-12-01 08:00;1.234,5;300\n")  # fmt: skip
    _same_as_plain(tmp_path, read_forecast(_file(tmp_path, text)))
    # Windows-1252 text (a euro sign in an ignored column) and a tab-separated export
    text = "Interval Start\tCalls\tAHT\tNote\n30.11.2026 08:00\t50,8\t270\t€\n" \
           "30.11.2026 08:30\t76,25\t281,5\t\n01.12.2026 08:00\t1234,5\t300\t\n"
    path = tmp_path / "export.txt"
    path.write_bytes(text.encode("cp1252"))
    _same_as_plain(tmp_path, read_forecast(path))


def test_day_first_dates_and_planner_headers_with_an_extra_column(tmp_path: Path) -> None:
    text = ("Interval Start, Calls, AHT, Agents last year\n30/11/2026 08:00,50.8,270,12\n"
            "30/11/2026 08:30,76.25,281.5,14\n01/12/2026 08:00,1234.5,300,90\n")  # fmt: skip
    _same_as_plain(tmp_path, read_forecast(_file(tmp_path, text)))
    # month first, 12-hour clock, AHT as m:ss
    text = ("Start,Offered,Handle time\n11/30/2026 8:00 AM,50.8,4:30\n"
            "11/30/2026 8:30 AM,76.25,4:41.5\n12/01/2026 8:00 AM,1234.5,5:00\n")  # fmt: skip
    _same_as_plain(tmp_path, read_forecast(_file(tmp_path, text)))
    # a date column and the time of day
    text = ("Date,Time,Volume,AHT (s)\n30/11/2026,08:00,50.8,270\n30/11/2026,08:30,76.25,281.5\n"
            "01/12/2026,08:00,1234.5,300\n")  # fmt: skip
    _same_as_plain(tmp_path, read_forecast(_file(tmp_path, text)))


def test_an_undecidable_date_order_is_refused_not_guessed(tmp_path: Path) -> None:
    text = ("interval_start,expected_calls,aht_s,interval_min\n01/12/2026 08:00,5,270,30\n"
            "02/12/2026 08:00,5,270,30\n")  # fmt: skip
    path = _file(tmp_path, text)
    _refused(path, 2, "interval_start", "01/12/2026 08:00: day/month or month/day?",
             "date_order=dmy or mdy")  # fmt: skip
    assert read_forecast(path, date_order="dmy").first_date == dt.date(2026, 12, 1)
    assert read_forecast(path, date_order="mdy").first_date == dt.date(2026, 1, 12)


def test_column_mapping_text_and_file(tmp_path: Path) -> None:
    text = ("Begin,Fresh contacts,Talk+wrap,Calls\n2026-11-30 08:00,50.8,270,1\n"
            "2026-11-30 08:30,76.25,281.5,1\n2026-12-01 08:00,1234.5,300,1\n")  # fmt: skip
    path = _file(tmp_path, text)
    mapping = "interval_start=Begin,expected_calls=Fresh contacts,aht_s=Talk+wrap"
    _same_as_plain(tmp_path, read_forecast(path, columns=mapping))
    yaml_file = tmp_path / "columns.yaml"
    yaml_file.write_text("interval_start: Begin\nexpected_calls: fresh contacts\naht_s: Talk+wrap\n")
    _same_as_plain(tmp_path, read_forecast(path, columns=yaml_file))
    with pytest.raises(ForecastError, match=r"interval_start \('Begin'\): .*must be a date"):
        read_forecast(_file(tmp_path, text.replace("2026-11-30 08:30", "soon"), "b.csv"),
                      columns=mapping)  # fmt: skip
    with pytest.raises(ForecastError, match="mapped to 'Start', which is not in the header"):
        read_forecast(path, columns="interval_start=Start")
    with pytest.raises(ForecastError, match="column mapping 'calls': unknown column"):
        read_forecast(path, columns="calls=Calls")


def test_a_queue_column_plans_one_queue(tmp_path: Path) -> None:
    text = ("interval_start,queue,expected_calls,aht_s\n2026-11-30 08:00,Sales,50.8,270\n"
            "2026-11-30 08:00,Support,9,400\n2026-11-30 08:30,Sales,76.25,281.5\n"
            "2026-12-01 08:00,Sales,1234.5,300\n")  # fmt: skip
    path = _file(tmp_path, text)
    _refused(path, 1, "queue", "2 queues (Sales, Support)", "queue=NAME")
    _same_as_plain(tmp_path, read_forecast(path, queue="Sales"))
    with pytest.raises(ForecastError, match="no row of queue 'Billing'"):
        read_forecast(path, queue="Billing")


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Forecast"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_file(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Interval Start", "Calls", "AHT", "Comment"],
        [dt.datetime(2026, 11, 30, 8, 0), 50.8, 270, "Monday"],
        [dt.datetime(2026, 11, 30, 8, 30), 76.25, 281.5, None],
        [dt.datetime(2026, 12, 1, 8, 0), 1234.5, 300, None],
    ]
    _same_as_plain(tmp_path, read_forecast(_xlsx(tmp_path / "f.xlsx", rows)))
    rows[3][1] = -4
    with pytest.raises(ForecastError) as info:
        read_forecast(_xlsx(tmp_path / "bad.xlsx", rows))
    assert str(info.value) == ("bad.xlsx sheet Forecast row 4, column expected_calls ('Calls'): "
                               "-4: must be a number >= 0")  # fmt: skip
    assert (info.value.row, info.value.column) == (4, "expected_calls")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ForecastError, match=r"broken.xlsx: not a readable .xlsx file"):
        read_forecast(broken)


def test_errors_in_an_export_still_name_line_and_column(tmp_path: Path) -> None:
    text = "Interval Start;Calls;AHT\n30/11/2026 08:00;50,8;270\n30/11/2026 08:30;7,5,1;270\n"
    exc = _refused(_file(tmp_path, text), 3, "expected_calls")
    assert str(exc) == "forecast.csv line 3, column expected_calls ('Calls'): 7,5,1: must be a number >= 0"
    binary = tmp_path / "f.csv"
    binary.write_bytes(b"\x00\x01\x02")
    _refused(binary, None, None, "not a text file")


def test_interval_min_shorter_than_the_rows_spacing(tmp_path: Path) -> None:
    """interval_min 15 for rows every 30 min would put each row's calls into 15 minutes
    (twice the load, twice the agents): refused, naming the file, the key and both values."""
    header = "interval_start,expected_calls,aht_s,interval_min\n"
    text = _rows("2026-11-30 08:00,100,200,15", "2026-11-30 08:30,100,200,15",
                 "2026-11-30 09:00,100,200,15", "2026-12-01 08:00,100,200,15",
                 header=header)  # fmt: skip
    exc = _refused(_file(tmp_path, text), 2, "interval_min",
                   "15 min does not match the rows", "at least 30 min apart (line 2 to line 3)",
                   "set interval_min to the rows' spacing (30)")  # fmt: skip
    assert str(exc).startswith("forecast.csv line 2, column interval_min: ")
    # the same rows with the right length read, and their load is calls x AHT / 30 min
    fc = read_forecast(_file(tmp_path, text.replace(",15\n", ",30\n")))
    assert fc.interval_s == 1800.0
    assert fc.table["load_erlangs"].iloc[0] == pytest.approx(100 * 200 / 1800)


def test_interval_min_with_a_lunch_gap_reads(tmp_path: Path) -> None:
    """A longer gap within a day is closed time when some rows are interval_min apart."""
    header = "interval_start,expected_calls,aht_s,interval_min\n"
    text = _rows("2026-11-30 10:00,1,200,30", "2026-11-30 10:30,1,200,30",
                 "2026-11-30 13:00,1,200,30", header=header)  # fmt: skip
    assert len(read_forecast(_file(tmp_path, text)).table) == 3
    # one row a day: nothing to compare the length with
    text = _rows("2026-11-30 10:00,1,200,30", "2026-12-01 10:00,1,200,30", header=header)
    assert read_forecast(_file(tmp_path, text)).interval_s == 1800.0
