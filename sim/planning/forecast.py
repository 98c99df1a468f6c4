"""A workforce planner's forecast file: expected calls and handle time per interval.

The file is a CSV (any common dialect) or an Excel ``.xlsx`` sheet with a header line
and one row per planning interval::

    interval_start,expected_calls,aht_s,interval_min
    2026-11-30 08:00,50.8,270.0,30
    2026-11-30 08:30,76.2,270.0,30

or, as exported by a workforce-management tool::

    Interval Start;Calls;AHT;Skill
    30/11/2026 08:00;50,8;4:30;Sales

Columns (matched by name or alias, see :mod:`sim.forecast_files`; others ignored):

``interval_start`` (``Interval Start``, ``Start``, ``Time`` ...)
    local date and time the interval starts (``2026-11-30 08:00``, ``30/11/2026 08:00``,
    ``11/30/2026 8:00 AM``, an Excel date-time), without a time zone, on a whole
    minute; or the time of day only, with a ``date`` column.
``expected_calls`` (``Calls``, ``Offered``, ``Volume`` ...)
    expected calls arriving in the interval (a number >= 0; decimal commas allowed in a
    file not separated by commas).
``aht_s`` (``AHT``, ``AHT (s)``, ``Handle time`` ...)
    average handle time of those calls: seconds (> 0) or ``m:ss``; talk plus after-call
    work.
``interval_min`` (optional)
    interval length, minutes (> 0), the same in every row; some two consecutive rows of
    a day must start exactly this far apart (longer gaps within a day are closed time,
    a lunch gap; a file whose rows are never ``interval_min`` apart is refused, naming
    both values). Without it the length is the smallest gap
    between consecutive starts, and within a day the starts must then follow each other
    at exactly that gap (longer gaps only between days: nights, closed days).
``date``, ``queue`` (optional)
    the date when ``interval_start`` is a time of day; the queue (call type): a file of
    several queues is planned one queue at a time (``queue=NAME``).

Other names are mapped with ``columns`` (``"interval_start=Start Time,aht_s=Talk"``).
:func:`read_forecast` checks everything before anything is computed and refuses a bad
file with a :class:`ForecastError` (a :class:`~sim.core.checks.ConfigError`, so the CLI
prints one line and exits with status 2) naming the file, the line (1-based, the header
is line 1; Excel: the sheet and row) and the column, e.g.::

    forecast.csv line 7, column expected_calls: -3.0: must be a number >= 0

:func:`forecast_from_config` gives the forecast a callsim centre configuration implies,
:func:`write_forecast` writes a file :func:`read_forecast` reads back unchanged.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.validation import build_distribution, validate
from sim.core.checks import ConfigError
from sim.core.law_schema import DeterministicLaw, ExponentialLaw, GammaLaw, LogNormalLaw
from sim.core.schema import Config
from sim.core.timetable import DAY_S, format_clock, parse_clock
from sim.model.callcenter import CallCenter
from sim.planning.forecast_files import (
    Cell,
    ColumnMap,
    FileProblem,
    Table,
    cell_text,
    date_order_of,
    header_problem,
    load_table,
    parse_column_mapping,
    parse_datetime,
    parse_duration_s,
    parse_number,
)

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
#: Columns callsim writes (:func:`write_forecast`); a file may have others (ignored),
#: and ``date`` and ``queue`` (see :mod:`sim.forecast_files`).
ALLOWED_COLUMNS = (*REQUIRED_COLUMNS, "interval_min")
#: Date of day 0 of :func:`forecast_from_config` when the centre starts on a Monday.
CONFIG_FIRST_MONDAY = date(2026, 11, 30)

_DATETIME_RULE = ('must be a date and time like "2026-11-30 08:00" or "30/11/2026 08:00" '
                  "(no time zone)")
#: What ``columns`` of :func:`read_forecast` may be.
ColumnSpec = str | Path | Mapping[str, str] | None


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
    """Reads one file; every error names it, the line (Excel: row) and the column."""

    def __init__(self, path: Path, columns: ColumnSpec, date_order: str | None,
                 queue: str | None, sheet: str | None) -> None:  # fmt: skip
        self.path, self.columns, self.queue, self.sheet = path, columns, queue, sheet
        if date_order not in (None, "auto", "dmy", "mdy"):
            raise ForecastError(f"date_order = {date_order!r}: must be auto, dmy or mdy",
                                None, "date_order")  # fmt: skip
        self.date_order = None if date_order == "auto" else date_order
        self.where, self.row_word = path.name, "line"
        self.cmap = ColumnMap()

    def error(self, row: int | None, column: str | None, text: str) -> ForecastError:
        where = self.where
        if row is not None:
            where += f" {self.row_word} {row}"
        if column is not None:
            where += f", column {self.cmap.label(column)}"
        return ForecastError(f"{where}: {text}", row, column)

    def cell_error(self, row: int, column: str, value: Cell, rule: str) -> ForecastError:
        return self.error(row, column, f"{_shown(cell_text(value))}: {rule}")

    # ---- the file and its header

    def table(self) -> Table:
        if not self.path.is_file():
            what = "is a folder, not a file" if self.path.is_dir() else "no such file"
            raise ForecastError(f"forecast file {self.path}: {what}")
        try:
            table = load_table(self.path, self.sheet)
        except FileProblem as exc:
            raise self.error(exc.line, None, str(exc)) from None
        self.where, self.row_word = table.where, table.row_word
        try:
            mapping = parse_column_mapping(self.columns) if self.columns else {}
        except ValueError as exc:
            raise ForecastError(f"{self.where}: {exc}", None, "columns") from None
        self.cmap, problems = header_problem(table.header, mapping)
        if problems:
            column, text = problems[0]
            raise self.error(table.header_line, column, text)
        for col in REQUIRED_COLUMNS:
            if col not in self.cmap.index:
                found = ", ".join(h for h in table.header if h)
                raise self.error(table.header_line, col, f"missing from the header (found: "
                                 f"{found}); name it with columns={col}=HEADER")  # fmt: skip
        if not table.rows:
            raise self.error(None, None, f"no rows after the header ({self.row_word} "
                             f"{table.header_line})")  # fmt: skip
        return table

    # ---- cells

    def number(self, line: int, column: str, cell: Cell, positive: bool, rule: str,
               decimal_comma: bool) -> float:  # fmt: skip
        parse = parse_duration_s if column == "aht_s" else parse_number
        x = parse(cell, decimal_comma)
        if x is None:
            raise self.cell_error(line, column, cell, rule)
        if not math.isfinite(x):
            raise self.cell_error(line, column, cell, rule.replace("a number", "a finite number"))
        if x < 0 or (positive and x == 0):
            raise self.cell_error(line, column, cell, rule)
        return x

    def start(self, line: int, cell: Cell, day_cell: Cell) -> datetime:
        column = "interval_start"
        value = parse_datetime(cell, self.date_order, day_cell)
        if value == "ambiguous":
            raise self.cell_error(line, column, cell if day_cell is None else day_cell,
                                  "day/month or month/day? No date in the file has a day "
                                  "above 12: give date_order=dmy or mdy")  # fmt: skip
        if value == "zone":
            raise self.cell_error(line, column, cell,
                                  "has a time zone: give the local time without one")  # fmt: skip
        if not isinstance(value, datetime):
            raise self.cell_error(line, column, cell, _DATETIME_RULE)
        if value.second or value.microsecond:
            raise self.cell_error(line, column, cell, "must start on a whole minute")
        return value

    # ---- the whole file

    def rows(self, table: Table) -> list[tuple[int, dict[str, Cell]]]:
        """The rows as ``{canonical: cell}``, the chosen queue's only."""
        index = self.cmap.index
        width = len(table.header)
        out: list[tuple[int, dict[str, Cell]]] = []
        for line, cells in table.rows:
            if table.row_word == "line" and len(cells) > width:
                raise self.error(line, None, f"{len(cells)} fields, but the header "
                                 f"({self.row_word} {table.header_line}) has {width} columns")  # fmt: skip
            short = [c for c, i in index.items() if i >= len(cells) and c in REQUIRED_COLUMNS]
            if short and table.row_word == "line":
                raise self.error(line, short[0],
                                 f"missing (the row has {len(cells)} fields, the header {width})")  # fmt: skip
            out.append((line, {c: cells[i] if i < len(cells) else None for c, i in index.items()}))
        if "queue" not in index:
            return out
        queues = sorted({cell_text(r["queue"]) for _, r in out})
        if self.queue is None:
            if len(queues) > 1:
                raise self.error(table.header_line, "queue", f"{len(queues)} queues "
                                 f"({', '.join(queues[:5])}): callsim plans one call type at a "
                                 "time; choose one with queue=NAME")  # fmt: skip
            return out
        if self.queue not in queues:
            raise self.error(None, "queue", f"no row of queue {self.queue!r} (queues: "
                             f"{', '.join(queues[:10])})")  # fmt: skip
        return [(line, r) for line, r in out if cell_text(r["queue"]) == self.queue]

    def read(self) -> Forecast:
        table = self.table()
        data = self.rows(table)
        if self.date_order is None:
            texts = [str(r[c]) for _, r in data for c in ("interval_start", "date")
                     if isinstance(r.get(c), str)]  # fmt: skip
            self.date_order = date_order_of(texts)
        comma = table.decimal_comma
        starts: list[datetime] = []
        calls: list[float] = []
        aht: list[float] = []
        lines: list[int] = []
        interval_min: float | None = None
        first_interval_line = 0
        for line, row in data:
            starts.append(self.start(line, row["interval_start"], row.get("date")))
            calls.append(self.number(line, "expected_calls", row["expected_calls"], False,
                                     "must be a number >= 0", comma))  # fmt: skip
            aht.append(self.number(line, "aht_s", row["aht_s"], True,
                                   "must be a number > 0 (seconds) or m:ss", comma))  # fmt: skip
            if "interval_min" in row:
                cell = row["interval_min"]
                minutes = self.number(line, "interval_min", cell, True,
                                      "must be a number > 0 (minutes)", comma)  # fmt: skip
                if interval_min is None:
                    interval_min, first_interval_line = minutes, line
                elif minutes != interval_min:
                    raise self.cell_error(
                        line,
                        "interval_min",
                        cell,
                        f"must be the same in every row ({self.row_word} {first_interval_line} "
                        f"has {_g(interval_min)})",
                    )
            lines.append(line)
        self.check_order(starts, lines)
        if interval_min is not None:
            interval_s = round(interval_min * 60.0, 6)
        else:
            interval_s = self.infer_interval(starts, lines)
        self.check_spacing(starts, lines, interval_s, inferred=interval_min is None)
        if interval_min is not None:
            self.check_interval_min(starts, lines, interval_min, first_interval_line)
        return _build(starts, calls, aht, interval_s)

    def check_order(self, starts: list[datetime], lines: list[int]) -> None:
        w = self.row_word
        for i in range(1, len(starts)):
            if starts[i] < starts[i - 1]:
                raise self.cell_error(
                    lines[i],
                    "interval_start",
                    f"{starts[i]:%Y-%m-%d %H:%M}",
                    f"rows must be in time order: starts before {w} {lines[i - 1]} "
                    f"({starts[i - 1]:%Y-%m-%d %H:%M})",
                )
            if starts[i] == starts[i - 1]:
                raise self.cell_error(
                    lines[i],
                    "interval_start",
                    f"{starts[i]:%Y-%m-%d %H:%M}",
                    f"duplicate: {w} {lines[i - 1]} starts at the same time",
                )

    def infer_interval(self, starts: list[datetime], lines: list[int]) -> float:
        if len(starts) < 2:
            raise self.error(
                lines[0],
                "interval_min",
                "one row only: add an interval_min column to give the interval length",
            )
        return min((b - a).total_seconds() for a, b in itertools.pairwise(starts))

    def check_interval_min(
        self, starts: list[datetime], lines: list[int], interval_min: float, line: int
    ) -> None:
        """A given ``interval_min`` must be the rows' spacing where rows follow each other.

        Rows more than ``interval_min`` apart within a day are closed time between them (a
        lunch gap), so gaps alone cannot be refused; but when no two rows of the same day
        are ``interval_min`` apart, the column does not describe the rows (15 given for
        rows every 30 min would put each row's calls into 15 minutes: twice the load).
        """
        gaps = [
            ((b - a).total_seconds(), i + 1)
            for i, (a, b) in enumerate(itertools.pairwise(starts))
            if a.date() == b.date()
        ]
        if not gaps:
            return
        gap, i = min(gaps)
        if gap > round(interval_min * 60.0, 6):
            raise self.error(
                line,
                "interval_min",
                f"{_g(interval_min)} min does not match the rows: consecutive starts on the "
                f"same day are at least {_g(gap / 60)} min apart ({self.row_word} "
                f"{lines[i - 1]} to {self.row_word} {lines[i]}); set interval_min to the rows' spacing "
                f"({_g(gap / 60)}) or give a row for every interval",
            )

    def check_spacing(
        self, starts: list[datetime], lines: list[int], interval_s: float, inferred: bool
    ) -> None:
        length = f"{_g(interval_s / 60)} min"
        if inferred:
            length += " (the smallest gap between starts; add an interval_min column to set it)"
        w = self.row_word
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
                        f"overlaps the interval of {w} {prev}: starts {_g(gap / 60)} min "
                        f"after it, intervals are {length}",
                    )
                if inferred and gap != interval_s and start.date() == starts[i - 1].date():
                    raise self.cell_error(
                        lines[i],
                        "interval_start",
                        shown,
                        f"starts {_g(gap / 60)} min after {w} {prev} on the same day; "
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


def read_forecast(
    path: str | Path,
    columns: ColumnSpec = None,
    date_order: str | None = None,
    queue: str | None = None,
    sheet: str | None = None,
) -> Forecast:
    """Read and check a forecast file: CSV in any common dialect, or Excel ``.xlsx``.

    Args:
        path: the file (``.xlsx``/``.xlsm`` read with openpyxl, anything else as CSV).
        columns: which header holds which column, ``{canonical: header}``, or its text
            ``"interval_start=Interval Start,expected_calls=Calls"``, or a YAML/JSON file
            of it (:func:`sim.forecast_files.parse_column_mapping`); headers not mapped
            are matched by name and :data:`sim.forecast_files.ALIASES`; other columns
            are ignored.
        date_order: ``"dmy"`` or ``"mdy"`` for dates like ``01/12/2026``; None or
            ``"auto"``: read from the file (a file that never decides is refused).
        queue: with a ``queue`` column, the queue to plan (required when it has several).
        sheet: the Excel sheet (default: the first).

    Raises :class:`ForecastError` naming the line (Excel: row) and column of the first
    problem: missing or empty file, missing columns, a value that is not a date-time or
    not a number, negative calls, a handle time <= 0, NaN or infinity, rows out of time
    order, duplicate or overlapping intervals, an interval crossing midnight, an
    ``interval_min`` that changes between rows, an ambiguous date order.
    """
    return _Reader(Path(path), columns, date_order, queue, sheet).read()


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
    talk = base.service.talk
    if isinstance(talk, ExponentialLaw | LogNormalLaw | GammaLaw):
        talk = dataclasses.replace(talk, mean_s=aht - acw)
    elif isinstance(talk, DeterministicLaw):
        talk = dataclasses.replace(talk, value_s=aht - acw)
    else:
        raise ForecastError(f"service.talk.kind = {talk.kind!r}: planning by simulation with a "
                            "forecast needs a talk law given by its mean", None, "aht_s")  # fmt: skip
    if not aht - acw > 0:
        raise ForecastError(f"forecast: mean aht_s {aht:g} s is not above the after-call work "
                            f"({acw:g} s)", None, "aht_s")  # fmt: skip
    hhmm = format_clock(close_s)
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
