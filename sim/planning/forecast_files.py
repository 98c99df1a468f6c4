"""Forecast files as planners have them: CSV dialects, Excel, column names, dates, numbers.

The file-format layer of :mod:`sim.planning.forecast`: it turns a file into a header and rows of
cells, finds which column is which, and parses the cells, each failure naming the file,
the line (or Excel row) and the column.

* **CSV**: the separator is the one of ``,`` ``;`` tab ``|`` that the header line holds
  most of; UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252. In a file
  not separated by commas, numbers may use a decimal comma (``50,8``; ``1.234,5`` with
  dots grouping thousands).
* **Excel** ``.xlsx``/``.xlsm`` (openpyxl): the first sheet unless one is named; cells
  may be numbers, text, dates and times.
* **Columns**: matched by name, case, spaces, ``_``/``-`` and a unit in brackets
  (``(s)``, ``[sec]``) ignored, through :data:`ALIASES` (``Interval Start``, ``Calls``,
  ``AHT`` ...), or by an explicit mapping ``{canonical: header}``
  (:func:`parse_column_mapping`: ``interval_start=Start,expected_calls=Offered`` or a
  YAML/JSON file). Other columns are ignored.
* **Dates**: ISO ``2026-11-30 08:00``, ``30/11/2026 08:00``, ``30.11.2026 8:00``,
  ``11/30/2026 8:00 AM``; day-first or month-first is read from the file (a field above
  12 decides; dots mean day-first) or given (``date_order="dmy"``/``"mdy"``); a file
  that never decides is refused rather than guessed. A separate date column may carry the
  date when the start column holds the time of day only.
* **Handle times**: seconds (a number) or a duration ``m:ss`` / ``h:mm:ss``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

__all__ = [
    "ALIASES",
    "CANONICAL",
    "Cell",
    "ColumnMap",
    "Table",
    "date_order_of",
    "load_table",
    "normalise",
    "parse_column_mapping",
    "parse_datetime",
    "parse_duration_s",
    "parse_number",
]

Cell = str | float | int | datetime | date | time | None

#: Canonical columns a forecast file may have (the first three are required).
CANONICAL = ("interval_start", "expected_calls", "aht_s", "interval_min", "date", "queue")

#: Header names recognised for each canonical column (after :func:`normalise`).
# fmt: off
ALIASES: dict[str, tuple[str, ...]] = {
    "interval_start": ("interval start", "interval", "start", "start time", "datetime",
                       "date time", "timestamp", "period", "period start", "time",
                       "interval start time", "time interval"),
    "expected_calls": ("expected calls", "calls", "offered", "offered calls", "calls offered",
                       "forecast", "forecast calls", "volume", "call volume", "contacts",
                       "expected", "forecast volume"),
    "aht_s": ("aht s", "aht", "average handle time", "handle time", "aht sec",
              "aht seconds", "avg handle time"),
    "interval_min": ("interval min", "interval length", "interval minutes",
                     "interval length min"),
    "date": ("date", "interval date", "calendar date"),
    "queue": ("queue", "skill", "split", "call type", "queue name"),
}
# fmt: on

_UNIT = re.compile(r"[\(\[]\s*(s|sec|secs|second|seconds)\s*[\)\]]")
_SEPARATORS = (",", ";", "\t", "|")


def normalise(name: str) -> str:
    """Lower case, unit in brackets dropped, ``_``/``-``/runs of spaces as one space."""
    text = _UNIT.sub(" ", name.strip().lower())
    return " ".join(re.sub(r"[_\-]+", " ", text).split())


@dataclass
class Table:
    """A file as a header and rows of cells.

    ``where`` names the file in messages, ``row_word`` is ``"line"`` (CSV) or ``"row"``
    (Excel); ``rows`` holds ``(line, cells)`` of the non-blank rows after the header;
    ``decimal_comma`` is True when numbers may be written ``50,8``.
    """

    where: str
    row_word: str
    header_line: int
    header: list[str]
    rows: list[tuple[int, list[Cell]]]
    decimal_comma: bool = False
    separator: str = ","


class FileProblem(ValueError):
    """A problem with the file as a whole (``line`` when it is in one line)."""

    def __init__(self, text: str, line: int | None = None) -> None:
        super().__init__(text)
        self.line = line


def _decode(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        raise FileProblem("not a text file (a CSV or an .xlsx file expected)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict")


def _blank(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _csv_table(path: Path) -> Table:
    try:
        text = _decode(path.read_bytes())
    except UnicodeDecodeError:
        raise FileProblem("not a text file (UTF-8 or Windows-1252 CSV expected)") from None
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    separator = max(_SEPARATORS, key=lambda s: (first.count(s), s == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[tuple[int, list[Cell]]] = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((line, [c.strip() for c in cells]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileProblem(f"not valid CSV ({exc})", line) from None
    if not rows:
        raise FileProblem("empty file: expected a header line interval_start,expected_calls,aht_s")
    (header_line, header), data = rows[0], rows[1:]
    return Table(path.name, "line", header_line, [str(h) for h in header], data,
                 decimal_comma=separator != ",", separator=separator)  # fmt: skip


def _xlsx_table(path: Path, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged file
        raise FileProblem(f"not a readable .xlsx file ({type(exc).__name__}: {exc})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise FileProblem(f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows: list[tuple[int, list[Cell]]] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells: list[Cell] = [v.strip() if isinstance(v, str) else v for v in values]
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells.pop()
            if not _blank(cells):
                rows.append((number, cells))
    finally:
        book.close()
    where = f"{path.name} sheet {ws.title}"
    if not rows:
        raise FileProblem("empty sheet: expected a header row interval_start, expected_calls, aht_s")
    (header_line, header), data = rows[0], rows[1:]
    names = ["" if h is None else str(h).strip() for h in header]
    return Table(where, "row", header_line, names, data, decimal_comma=False, separator="")


def load_table(path: Path, sheet: str | None = None) -> Table:
    """The header and rows of a CSV or Excel file (Excel by the ``.xlsx``/``.xlsm`` suffix).

    Raises :class:`FileProblem` for an empty, binary or unreadable file.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_table(path, sheet)
    if path.suffix.lower() == ".xls":
        raise FileProblem("old Excel .xls files are not read: save the sheet as .xlsx or CSV")
    return _csv_table(path)


# --------------------------------------------------------------------------- columns


def parse_column_mapping(text: str | Path | Mapping[str, str]) -> dict[str, str]:
    """``{canonical: header}`` from ``"interval_start=Start,expected_calls=Offered"``,
    from a YAML/JSON file holding such a mapping, or from a mapping.

    Raises ValueError naming the bad entry: an unknown canonical name, an empty header,
    a canonical name given twice.
    """
    if isinstance(text, Mapping):
        items = [(str(k), str(v)) for k, v in text.items()]
    elif isinstance(text, Path) or (Path(str(text)).suffix.lower() in (".yaml", ".yml", ".json")
                                    and Path(str(text)).is_file()):  # fmt: skip
        path = Path(text)
        if not path.is_file():
            raise ValueError(f"column mapping file {path}: no such file")
        raw = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            loaded = json.loads(raw)
        else:
            import yaml

            loaded = yaml.safe_load(raw)
        if not isinstance(loaded, Mapping):
            raise ValueError(f"column mapping file {path}: must map canonical names to headers")
        items = [(str(k), str(v)) for k, v in loaded.items()]
    else:
        items = []
        for part in str(text).split(","):
            if not part.strip():
                continue
            key, eq, value = part.partition("=")
            if not eq:
                raise ValueError(f"column mapping {part.strip()!r}: must be CANONICAL=HEADER")
            items.append((key.strip(), value.strip()))
    mapping: dict[str, str] = {}
    for key, value in items:
        if key not in CANONICAL:
            raise ValueError(f"column mapping {key!r}: unknown column (allowed: {', '.join(CANONICAL)})")
        if not value:
            raise ValueError(f"column mapping {key}: the header name is empty")
        if key in mapping:
            raise ValueError(f"column mapping {key}: given twice")
        mapping[key] = value
    return mapping


@dataclass
class ColumnMap:
    """Which file column (index) holds each canonical column, and its header text."""

    index: dict[str, int] = field(default_factory=dict)
    header: dict[str, str] = field(default_factory=dict)

    def label(self, canonical: str) -> str:
        """``aht_s``, or ``aht_s ('AHT (min)')`` when the file calls it otherwise."""
        raw = self.header.get(canonical, canonical)
        return canonical if normalise(raw) == normalise(canonical) else f"{canonical} ({raw!r})"


# --------------------------------------------------------------------------- cells


_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")


def parse_number(cell: Cell, decimal_comma: bool) -> float | None:
    """The number in ``cell``, or None when it is none (text, empty, a date).

    With ``decimal_comma``, ``50,8`` is 50.8 and ``1.234,5`` is 1234.5.
    """
    if isinstance(cell, bool) or isinstance(cell, datetime | date | time):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = (cell or "").strip()
    if decimal_comma and "," in text:
        if _GROUPED.fullmatch(text):
            text = text.replace(".", "")
        elif "." in text:
            return None
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


_DURATION = re.compile(r"(\d+):([0-5]\d)(?::([0-5]\d))?(\.\d+)?")


def parse_duration_s(cell: Cell, decimal_comma: bool) -> float | None:
    """Seconds in ``cell``: a number of seconds, ``m:ss`` or ``h:mm:ss`` (or an Excel time)."""
    if isinstance(cell, time):
        return cell.hour * 3600.0 + cell.minute * 60.0 + cell.second + cell.microsecond / 1e6
    number = parse_number(cell, decimal_comma)
    if number is not None or not isinstance(cell, str):
        return number
    m = _DURATION.fullmatch(cell.strip())
    if m is None:
        return None
    a, b, c, frac = m.groups()
    seconds = int(a) * 3600 + int(b) * 60 + int(c) if c is not None else int(a) * 60 + int(b)
    return seconds + (float(frac) if frac else 0.0)


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?")


def _split(text: str) -> tuple[str, str]:
    text = " ".join(text.replace("T", " ", 1).split()) if _ISO.match(text) else " ".join(text.split())
    day_part, _, clock_part = text.partition(" ")
    return day_part, clock_part


def date_order_of(cells: list[str]) -> str | None:
    """``"dmy"``/``"mdy"`` when the dates ``a/b/yyyy`` among ``cells`` decide it, else None
    (also None when there is no such date); dots (``30.11.2026``) mean day-first."""
    decided = None
    for text in cells:
        m = _NUMERIC_DATE.match(text.strip())
        if m is None:
            continue
        a, sep, b = int(m.group(1)), m.group(2), int(m.group(3))
        if a > 12 or sep == ".":
            return "dmy"
        if b > 12:
            decided = "mdy"
    return decided


def _clock(text: str) -> tuple[int, int, int] | None:
    m = _CLOCK.fullmatch(text)
    if m is None:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if m.group(4):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m.group(4).lower() == "pm" else 0)
    return hour, minute, second


def _day(text: str, order: str | None) -> date | str | None:
    """The date of ``text``; None if it is none; ``"ambiguous"`` when the order is unknown."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    m = _YMD_SLASH.fullmatch(text)
    if m is not None:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = _NUMERIC_DATE.fullmatch(text)
    if m is None:
        return None
    a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if order is None:
        if a > 12 or m.group(2) == ".":
            order = "dmy"
        elif b > 12:
            order = "mdy"
        elif a != b:
            return "ambiguous"
        else:
            order = "dmy"
    day, month = (a, b) if order == "dmy" else (b, a)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_datetime(cell: Cell, order: str | None, day_cell: Cell = None) -> datetime | str:
    """The local date and time in ``cell`` (with the date of ``day_cell`` when ``cell``
    is a time of day), or the reason it is none: ``"format"``, ``"ambiguous"``, ``"zone"``.

    ``order`` is ``"dmy"``, ``"mdy"`` or None (decided by the cell itself if it can).
    """
    if isinstance(cell, datetime):
        return "zone" if cell.tzinfo is not None else cell
    if isinstance(cell, str) and (_ISO.match(cell.strip()) or _NUMERIC_DATE.match(cell.strip())
                                  or _YMD_SLASH.match(cell.strip())):  # fmt: skip
        day_cell = None  # a full date and time: the date column is not needed
    if isinstance(day_cell, datetime | date) or (isinstance(day_cell, str) and day_cell.strip()):
        if isinstance(day_cell, datetime):
            base: date | str | None = day_cell.date()
        elif isinstance(day_cell, date):
            base = day_cell
        else:
            base = _day(_split(str(day_cell))[0], order)
        if isinstance(base, str) or base is None:
            return base or "format"
        if isinstance(cell, time):
            return datetime.combine(base, cell)
        hms = _clock(str(cell or "").strip())
        if hms is None:
            return "format"
        try:
            return datetime.combine(base, time(*hms))
        except ValueError:
            return "format"
    if isinstance(cell, date):
        return "format"  # a date without a time
    text = str(cell or "").strip()
    if _ISO.fullmatch(text) and ("T" in text or " " in text):
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return "format"
        return value
    if re.search(r"[+-]\d{2}:?\d{2}$|Z$", text) and _ISO.match(text):
        return "zone"
    day_part, clock_part = _split(text)
    day = _day(day_part, order)
    if isinstance(day, str) or day is None:
        return day or "format"
    hms = _clock(clock_part)
    if hms is None:
        return "format"
    try:
        return datetime.combine(day, time(*hms))
    except ValueError:
        return "format"


def finite(x: float | None) -> bool:
    """True for a finite number."""
    return x is not None and math.isfinite(x)


def cell_text(cell: Cell) -> str:
    """``cell`` as shown in an error message."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return f"{cell:%Y-%m-%d %H:%M:%S}"
    return str(cell)


def header_problem(header: list[str], mapping: Mapping[str, str]) -> tuple[ColumnMap, list[Any]]:
    """The columns of ``header`` (explicit ``mapping`` first, then :data:`ALIASES`), and
    the problems found as ``(column, text)`` pairs (column None: the whole header)."""
    cmap = ColumnMap()
    problems: list[Any] = []
    wanted = {normalise(h): i for i, h in reversed(list(enumerate(header)))}
    for canonical, name in mapping.items():
        i = wanted.get(normalise(name))
        if i is None:
            problems.append((canonical, f"mapped to {name!r}, which is not in the header "
                                        f"(found: {', '.join(header)})"))  # fmt: skip
            continue
        cmap.index[canonical], cmap.header[canonical] = i, header[i]
    for exact in (True, False):  # canonical names first, then aliases for the rest
        found: dict[str, int] = {}
        for i, raw in enumerate(header):
            if i in cmap.index.values():
                continue
            key = normalise(raw)
            for canonical in CANONICAL:
                if canonical in mapping or (canonical in cmap.index and canonical not in found):
                    continue
                names = (normalise(canonical),) if exact else ALIASES[canonical]
                if key in names:
                    if canonical in found:
                        first = cmap.header[canonical]
                        problems.append((canonical, f"appears twice in the header ({first!r} "
                                                    f"and {raw!r}); map one with columns=..."))  # fmt: skip
                    else:
                        found[canonical] = i
                        cmap.index[canonical], cmap.header[canonical] = i, raw
                    break
    return cmap, problems
