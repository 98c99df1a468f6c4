"""A workforce planner's forecast file: expected calls and handle time per interval.

The file is a plain CSV with a header line and one row per planning interval::

    interval_start,expected_calls,aht_s,interval_min
    2026-11-30 08:00,50.8,270.0,30
    2026-11-30 08:30,76.2,270.0,30

Columns (names case-insensitive, surrounding spaces ignored; no other columns allowed):

``interval_start``
    local date and time the interval starts, ISO style (``2026-11-30 08:00`` or
    ``2026-11-30T08:00:00``), without a time zone, on a whole minute.
``expected_calls``
    expected calls arriving in the interval (a number >= 0).
``aht_s``
    average handle time of those calls, seconds (> 0): talk plus after-call work.
``interval_min`` (optional)
    interval length, minutes (> 0), the same in every row. Without it the length is
    the smallest gap between consecutive starts, and within a day the starts must then
    follow each other at exactly that gap (longer gaps only between days: nights,
    closed days).

:func:`read_forecast` checks everything before anything is computed and refuses a bad
file with a :class:`ForecastError` (a :class:`~sim.config.validation.ConfigError`, so the CLI
prints one line and exits with status 2) naming the file, the line (1-based, the header
is line 1) and the column, e.g.::

    forecast.csv line 7, column expected_calls: -3.0: must be a number >= 0

:func:`forecast_from_config` gives the forecast a callsim centre configuration implies,
:func:`write_forecast` writes a file :func:`read_forecast` reads back unchanged.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.validation import build_distribution, validate
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.core.timetable import DAY_S, parse_clock
from sim.model.callcenter import CallCenter

__all__ = [
    "ALLOWED_COLUMNS",
    "CONFIG_FIRST_MONDAY",
    "REQUIRED_COLUMNS",
    "Forecast",
    "ForecastError",
    "centre_for_forecast",
    "forecast_from_config",
    "read_forecast",
    "write_forecast",
]

#: Columns every forecast file must have.
REQUIRED_COLUMNS = ("interval_start", "expected_calls", "aht_s")
#: Every column a forecast file may have (the required ones, then the optional ones).
ALLOWED_COLUMNS = (*REQUIRED_COLUMNS, "interval_min")
#: Date of day 0 of :func:`forecast_from_config` when the centre starts on a Monday.
CONFIG_FIRST_MONDAY = date(2026, 11, 30)

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
_DATETIME_RULE = 'must be a date and time like "2026-11-30 08:00" (no time zone)'


class ForecastError(ConfigError):
    """A forecast file is refused.

    ``row`` is the 1-based line number in the file (the header is line 1), ``None`` when
    the problem is the whole file; ``column`` is the column's name, ``None`` when the
    problem is not in one column.
    """

    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message, column)
        self.row = row
        self.column = column


@dataclass(frozen=True, eq=False)
class Forecast:
    """Expected calls and average handle time per planning interval.

    ``table`` has one row per interval, in time order, with the columns

    - ``start``: local date and time the interval starts (datetime64);
    - ``day``: day number (int), 0 = ``first_date``;
    - ``clock``: time of day the interval starts, ``"HH:MM"``;
    - ``start_s``: seconds from 00:00 of day 0 (the simulator's engine time), float;
    - ``expected_calls``: expected calls arriving in the interval, float;
    - ``aht_s``: average handle time (talk + after-call work), seconds, float;
    - ``load_erlangs``: offered load ``expected_calls * aht_s / interval_s``, Erlangs.

    ``interval_s`` is the interval length in seconds, ``first_date`` the date of day 0.
    Two forecasts are equal when their tables, interval lengths and first dates are.
    """

    table: pd.DataFrame
    interval_s: float
    first_date: date

    @property
    def days(self) -> int:
        """Days spanned, from ``first_date`` to the date of the last interval, both included."""
        return int(self.table["day"].iloc[-1]) + 1 if len(self.table) else 0

    @property
    def arrival_rate_per_s(self) -> np.ndarray:
        """Expected arrival rate in each interval, calls per second."""
        return self.table["expected_calls"].to_numpy(dtype=float) / self.interval_s

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Forecast):
            return NotImplemented
        return (
            self.interval_s == other.interval_s
            and self.first_date == other.first_date
            and self.table.equals(other.table)
        )

    __hash__ = None  # type: ignore[assignment]  # holds a mutable DataFrame


def _build(
    starts: list[datetime], calls: list[float], aht_s: list[float], interval_s: float
) -> Forecast:
    """The :class:`Forecast` of checked, time-ordered intervals."""
    first = starts[0].date()
    day = [(s.date() - first).days for s in starts]
    tod = [s.hour * 3600 + s.minute * 60 + s.second + s.microsecond / 1e6 for s in starts]
    expected = np.asarray(calls, dtype=float)
    aht = np.asarray(aht_s, dtype=float)
    table = pd.DataFrame(
        {
            "start": pd.to_datetime(pd.Series(starts)).astype("datetime64[ns]"),
            "day": np.asarray(day, dtype=np.int64),
            "clock": [s.strftime("%H:%M") for s in starts],
            "start_s": np.asarray(day, dtype=float) * DAY_S + np.asarray(tod, dtype=float),
            "expected_calls": expected,
            "aht_s": aht,
            "load_erlangs": expected * aht / interval_s,
        }
    )
    return Forecast(table=table, interval_s=float(interval_s), first_date=first)


# --------------------------------------------------------------------------- reading


def _shown(text: str) -> str:
    return text if text else '""'


def _g(x: float) -> str:
    return f"{x:g}"


class _Reader:
    """Reads one file; every error names it, the line and the column."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name

    def error(self, row: int | None, column: str | None, text: str) -> ForecastError:
        where = self.name
        if row is not None:
            where += f" line {row}"
        if column is not None:
            where += f", column {column}"
        return ForecastError(f"{where}: {text}", row, column)

    def cell_error(self, row: int, column: str, value: str, rule: str) -> ForecastError:
        return self.error(row, column, f"{_shown(value)}: {rule}")

    # ---- the file and its header

    def records(self) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
        """Header line number, column names and (line, cells) of the non-blank rows."""
        if not self.path.is_file():
            what = "is a folder, not a file" if self.path.is_dir() else "no such file"
            raise ForecastError(f"forecast file {self.path}: {what}")
        try:
            with self.path.open(newline="", encoding="utf-8-sig") as f:
                reader = csv.reader(f)
                rows: list[tuple[int, list[str]]] = []
                line = 1
                for cells in reader:
                    if any(c.strip() for c in cells):
                        rows.append((line, [c.strip() for c in cells]))
                    line = reader.line_num + 1
        except UnicodeDecodeError:
            raise self.error(None, None, "not a text file (UTF-8 CSV expected)") from None
        except csv.Error as exc:
            raise self.error(line, None, f"not valid CSV ({exc})") from None
        if not rows:
            raise self.error(
                None, None, "empty file: expected a header line " + ",".join(ALLOWED_COLUMNS[:3])
            )
        (header_line, header), data = rows[0], rows[1:]
        columns = [c.lower() for c in header]
        self.check_header(header_line, header, columns)
        if not data:
            raise self.error(None, None, f"no rows after the header (line {header_line})")
        return header_line, columns, data

    def check_header(self, line: int, header: list[str], columns: list[str]) -> None:
        allowed = ", ".join(ALLOWED_COLUMNS)
        for i, (raw, col) in enumerate(zip(header, columns, strict=True)):
            if not col:
                raise self.error(line, None, f"column {i + 1} of the header has no name")
            if col not in ALLOWED_COLUMNS:
                raise self.error(line, raw, f"unknown column (allowed: {allowed})")
            if col in columns[:i]:
                raise self.error(line, col, "appears twice in the header")
        for col in REQUIRED_COLUMNS:
            if col not in columns:
                found = ", ".join(header)
                raise self.error(line, col, f"missing from the header (found: {found})")

    # ---- cells

    def number(self, line: int, column: str, text: str, positive: bool, rule: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise self.cell_error(line, column, text, rule) from None
        if not math.isfinite(x):
            raise self.cell_error(line, column, text, rule.replace("a number", "a finite number"))
        if x < 0 or (positive and x == 0):
            raise self.cell_error(line, column, text, rule)
        return x

    def start(self, line: int, text: str) -> datetime:
        column = "interval_start"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise self.cell_error(line, column, text, _DATETIME_RULE) from None
        if value.tzinfo is not None:
            raise self.cell_error(
                line, column, text, "has a time zone: give the local time without one"
            )
        if not _DATETIME.fullmatch(text):
            raise self.cell_error(line, column, text, _DATETIME_RULE)
        if value.second or value.microsecond:
            raise self.cell_error(line, column, text, "must start on a whole minute")
        return value

    # ---- the whole file

    def read(self) -> Forecast:
        header_line, columns, data = self.records()
        has_interval = "interval_min" in columns
        starts: list[datetime] = []
        calls: list[float] = []
        aht: list[float] = []
        lines: list[int] = []
        interval_min: float | None = None
        first_interval_line = 0
        for line, cells in data:
            if len(cells) < len(columns):
                raise self.error(
                    line,
                    columns[len(cells)],
                    f"missing (the row has {len(cells)} fields, the header {len(columns)})",
                )
            if len(cells) > len(columns):
                raise self.error(
                    line,
                    None,
                    f"{len(cells)} fields, but the header (line {header_line}) has "
                    f"{len(columns)} columns",
                )
            row = dict(zip(columns, cells, strict=True))
            starts.append(self.start(line, row["interval_start"]))
            calls.append(
                self.number(
                    line, "expected_calls", row["expected_calls"], False, "must be a number >= 0"
                )
            )
            aht.append(
                self.number(line, "aht_s", row["aht_s"], True, "must be a number > 0 (seconds)")
            )
            if has_interval:
                text = row["interval_min"]
                minutes = self.number(
                    line, "interval_min", text, True, "must be a number > 0 (minutes)"
                )
                if interval_min is None:
                    interval_min, first_interval_line = minutes, line
                elif minutes != interval_min:
                    raise self.cell_error(
                        line,
                        "interval_min",
                        text,
                        f"must be the same in every row (line {first_interval_line} "
                        f"has {_g(interval_min)})",
                    )
            lines.append(line)
        self.check_order(starts, lines)
        if interval_min is not None:
            interval_s = round(interval_min * 60.0, 6)
        else:
            interval_s = self.infer_interval(starts, lines)
        self.check_spacing(starts, lines, interval_s, inferred=interval_min is None)
        return _build(starts, calls, aht, interval_s)

    def check_order(self, starts: list[datetime], lines: list[int]) -> None:
        for i in range(1, len(starts)):
            if starts[i] < starts[i - 1]:
                raise self.cell_error(
                    lines[i],
                    "interval_start",
                    f"{starts[i]:%Y-%m-%d %H:%M}",
                    f"rows must be in time order: starts before line {lines[i - 1]} "
                    f"({starts[i - 1]:%Y-%m-%d %H:%M})",
                )
            if starts[i] == starts[i - 1]:
                raise self.cell_error(
                    lines[i],
                    "interval_start",
                    f"{starts[i]:%Y-%m-%d %H:%M}",
                    f"duplicate: line {lines[i - 1]} starts at the same time",
                )

    def infer_interval(self, starts: list[datetime], lines: list[int]) -> float:
        if len(starts) < 2:
            raise self.error(
                lines[0],
                "interval_min",
                "one row only: add an interval_min column to give the interval length",
            )
        return min((b - a).total_seconds() for a, b in itertools.pairwise(starts))

    def check_spacing(
        self, starts: list[datetime], lines: list[int], interval_s: float, inferred: bool
    ) -> None:
        length = f"{_g(interval_s / 60)} min"
        if inferred:
            length += " (the smallest gap between starts; add an interval_min column to set it)"
        for i, start in enumerate(starts):
            shown = f"{start:%Y-%m-%d %H:%M}"
            if i:
                gap = (start - starts[i - 1]).total_seconds()
                prev = lines[i - 1]
                if gap < interval_s:
                    raise self.cell_error(
                        lines[i],
                        "interval_start",
                        shown,
                        f"overlaps the interval of line {prev}: starts {_g(gap / 60)} min "
                        f"after it, intervals are {length}",
                    )
                if inferred and gap != interval_s and start.date() == starts[i - 1].date():
                    raise self.cell_error(
                        lines[i],
                        "interval_start",
                        shown,
                        f"starts {_g(gap / 60)} min after line {prev} on the same day; "
                        f"intervals are {length} and longer gaps are allowed only between days",
                    )
            midnight = datetime.combine(start.date() + timedelta(days=1), datetime.min.time())
            if (midnight - start).total_seconds() < interval_s:
                raise self.cell_error(
                    lines[i],
                    "interval_start",
                    shown,
                    f"the interval crosses midnight (intervals are {length}); "
                    "an interval must end by 24:00 of its day",
                )


def read_forecast(path: str | Path) -> Forecast:
    """Read and check a forecast CSV (see the module docstring for its columns).

    Raises :class:`ForecastError` naming the line and column of the first problem:
    missing or empty file, missing or unknown columns, a value that is not a date-time
    or not a number, negative calls, a handle time <= 0, NaN or infinity, rows out of
    time order, duplicate or overlapping intervals, an interval crossing midnight, an
    ``interval_min`` that changes between rows.
    """
    return _Reader(Path(path)).read()


# --------------------------------------------------------------------------- config


def forecast_from_config(cfg: Config) -> Forecast:
    """The forecast a callsim centre configuration implies, before random busyness.

    For each of ``cfg.run.days`` days and each interval of the opening hours: the
    expected calls of the model's own :class:`~sim.queue.arrivals.ArrivalForecast` (``center.
    volume_per_day`` x profile share x day-of-week factor, or ``center.expected_calls``
    when given); ``aht_s`` = mean of
    ``service.talk`` + mean of ``service.acw``, seconds. Day 0 is
    :data:`CONFIG_FIRST_MONDAY` shifted by ``center.start_weekday`` days, so the dates
    carry the configured weekdays. Only fresh calls are counted: redials and repeat
    contacts come on top in a simulation. ``start_s`` matches the engine's clock.
    """
    cc = CallCenter(cfg)
    c, tt = cfg.center, cc.timetable
    aht = (
        build_distribution(cfg.service.talk, "service.talk").mean
        + build_distribution(cfg.service.acw, "service.acw").mean
    )
    if not math.isfinite(aht):
        raise ConfigError(
            "service.talk, service.acw: the mean handle time must be finite", "service"
        )
    day0 = datetime.combine(CONFIG_FIRST_MONDAY, datetime.min.time()) + timedelta(
        days=c.start_weekday
    )
    starts: list[datetime] = []
    calls: list[float] = []
    for d in range(tt.days):
        starts += [day0 + timedelta(seconds=float(t)) for t in tt.interval_starts(d)]
        calls += cc.forecast.expected(d).tolist()
    return _build(starts, calls, [aht] * len(starts), tt.interval_s)


# --------------------------------------------------------------------------- writing


def _number_text(x: Any) -> str:
    """Shortest text that reads back as the same float (``240.0``, ``83.33333333333333``)."""
    return repr(float(x))


def write_forecast(forecast: Forecast, path: str | Path) -> Path:
    """Write ``forecast`` as a CSV that :func:`read_forecast` reads back equal.

    Columns ``interval_start`` (``YYYY-MM-DD HH:MM``), ``expected_calls``, ``aht_s``
    (seconds) and ``interval_min`` (minutes). Returns the path written.
    """
    path = Path(path)
    minutes = forecast.interval_s / 60.0
    minutes_text = str(int(minutes)) if minutes.is_integer() else _number_text(minutes)
    t = forecast.table
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(ALLOWED_COLUMNS)
        for start, calls, aht in zip(t["start"], t["expected_calls"], t["aht_s"], strict=True):
            writer.writerow(
                [f"{start:%Y-%m-%d %H:%M}", _number_text(calls), _number_text(aht), minutes_text]
            )
    return path


def centre_for_forecast(forecast: Forecast, base: Config) -> Config:
    """The centre ``base`` with the calls of ``forecast`` (for planning by simulation).

    Every day of the forecast must have the same intervals (the same opening hours);
    they become ``center.open_time``/``close_time``/``interval_min``, the calls become
    ``center.expected_calls`` (one list per day), the days ``run.days`` and the first
    date's weekday ``center.start_weekday``. The handle time is one law for the whole
    run: the base talk law with its mean set so that talk + after-call work equals the
    calls-weighted mean ``aht_s`` (the simulation cannot vary it by interval).
    """
    t = forecast.table
    clocks = t.groupby("day")["clock"].apply(tuple)
    if len(clocks) != forecast.days:
        missing = sorted(set(range(forecast.days)) - set(clocks.index))
        raise ForecastError(f"forecast: day {missing[0]} has no rows; a simulation needs every day")
    if clocks.nunique() != 1:
        day = int(clocks.index[(clocks != clocks.iloc[0]).to_numpy()][0])
        raise ForecastError(f"forecast: day {day} has other intervals than day 0; a simulation "
                            "needs the same opening hours every day")  # fmt: skip
    first = clocks.iloc[0]
    close_s = parse_clock(first[-1]) + forecast.interval_s
    expected = t["expected_calls"].to_numpy(float).reshape(forecast.days, len(first))
    calls = t["expected_calls"].to_numpy(float)
    aht = (
        float(np.average(t["aht_s"], weights=calls))
        if calls.sum() > 0
        else float(t["aht_s"].mean())
    )
    acw = build_distribution(base.service.acw, "service.acw").mean
    talk = dataclasses.replace(base.service.talk)
    if talk.kind in ("exponential", "lognormal", "gamma"):
        talk.mean_s = aht - acw
    elif talk.kind == "deterministic":
        talk.value_s = aht - acw
    else:
        raise ForecastError(f"service.talk.kind = {talk.kind!r}: planning by simulation with a "
                            "forecast needs a talk law given by its mean", None, "aht_s")  # fmt: skip
    if not aht - acw > 0:
        raise ForecastError(f"forecast: mean aht_s {aht:g} s is not above the after-call work "
                            f"({acw:g} s)", None, "aht_s")  # fmt: skip
    hhmm = f"{int(close_s // 3600):02d}:{int(close_s % 3600 // 60):02d}"
    centre = dataclasses.replace(
        base.center,
        open_time=first[0],
        close_time=hhmm,
        interval_min=round(forecast.interval_s / 60.0),
        expected_calls=expected.tolist(),
        profile=None,
        start_weekday=forecast.first_date.weekday(),
    )
    service = dataclasses.replace(base.service, talk=talk)
    run = dataclasses.replace(base.run, days=forecast.days)
    staffing = base.staffing
    if not isinstance(staffing.agents, int):  # the base plan does not fit these intervals
        staffing = dataclasses.replace(staffing, agents=1)
    cfg = dataclasses.replace(base, center=centre, service=service, run=run, staffing=staffing)
    return validate(cfg)
