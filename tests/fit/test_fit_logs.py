"""The generic CSV call-log reader: good logs parse, bad logs stop with one line naming the
file, line and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.fit.logs import LogError, read_csv_log

GOOD = """arrival,wait_s,outcome,handle_s,call_type,customer_id,agent_id
2024-03-05 09:00:10,12,answered,180,sales,c1,anna
2024-03-04 23:59:50,30,abandoned,,sales,c2,
2024-03-05 09:01:00,0,answered,95.5,support,,bob
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_log_parses_sorted_from_first_midnight(tmp_path: Path) -> None:
    log = read_csv_log(_write(tmp_path, GOOD))
    c = log.calls
    assert str(log.start_date) == "2024-03-04" and log.days == 2
    np.testing.assert_allclose(c["arrival_s"], [86_390.0, 86_400 + 9 * 3600 + 10,
                                                86_400 + 9 * 3600 + 60])
    assert list(c["outcome"]) == ["abandoned", "answered", "answered"]
    assert np.isnan(c["handle_s"].iloc[0]) and c["handle_s"].iloc[2] == 95.5
    assert list(c["agent_id"]) == ["", "anna", "bob"]
    assert list(c["customer_id"]) == ["c2", "c1", ""]
    assert log.weekday(0) == 0  # 4 March 2024 was a Monday


def test_optional_columns_may_be_missing(tmp_path: Path) -> None:
    log = read_csv_log(_write(tmp_path, "arrival,wait_s,outcome,handle_s\n"
                                        "2024-03-05 09:00:10,1,answered,10\n"))
    assert list(log.calls["call_type"]) == [""]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "calls.csv, line 1: empty file"),
        ("arrival,wait_s,outcome,handle_s\n", "calls.csv, line 2: no calls"),
        ("arrival,outcome,handle_s\n2024-03-05 09:00:10,answered,10\n",
         "calls.csv, line 1: missing column 'wait_s'"),
        ("arrival,wait_s,outcome,handle_s\n2024-03-05 09:00:10,1,answered,10\n"
         "2024-03-05 9h,1,answered,10\n",
         "calls.csv, line 3, column arrival: '2024-03-05 9h' is not a date-time"),
        ("arrival,wait_s,outcome,handle_s\n2024-03-05 09:00:10,-4,answered,10\n",
         "calls.csv, line 2, column wait_s: '-4' must be a number of seconds >= 0"),
        ("arrival,wait_s,outcome,handle_s\n2024-03-05 09:00:10,4,served,10\n",
         "calls.csv, line 2, column outcome: 'served' must be one of answered, abandoned"),
        ("arrival,wait_s,outcome,handle_s\n2024-03-05 09:00:10,4,answered,\n",
         "calls.csv, line 2, column handle_s: '' must be a number of seconds > 0"),
    ],
)
def test_bad_logs_name_file_line_column(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LogError) as info:
        read_csv_log(_write(tmp_path, text))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LogError, match="no such file"):
        read_csv_log(tmp_path / "nope.csv")
