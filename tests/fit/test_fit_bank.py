"""The Anonymous Bank reader on rows copied from the real logs (tests/data/anonymous_bank,
provenance in its README): midnight wraps, phantom calls, IVR hang-ups, unsorted rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.fit.bank import read_bank_log, sniff_bank
from sim.fit.logs import LogError

DATA = Path(__file__).resolve().parents[1] / "data" / "anonymous_bank"


def test_quirks_parse() -> None:
    log = read_bank_log(DATA / "quirks.txt")
    c = log.calls.set_index("call_id")
    assert log.dropped == {"phantom": 1, "abandoned_in_ivr": 1}
    assert str(log.start_date) == "1999-01-01" and len(c) == 4
    assert c["arrival_s"].is_monotonic_increasing  # rows came unsorted
    # queued at 23:59:28 on 9 January, answered at 0:00:03 on the 10th: 35 s, not -86365
    assert c.loc["12511", "wait_s"] == 35.0
    assert c.loc["12511", "arrival_s"] == 8 * 86_400 + 23 * 3600 + 59 * 60 + 28
    # never queued, served 23:59:33 -> 0:03:40 on 5 January: handle 247 s, wait 0
    assert c.loc["28748", "wait_s"] == 0.0 and c.loc["28748", "handle_s"] == 247.0
    assert c.loc["28748", "agent_id"] == "BENSION" and c.loc["28748", "customer_id"] == ""
    assert c.loc["33225", "outcome"] == "abandoned" and np.isnan(c.loc["33225", "handle_s"])
    assert c.loc["33225", "wait_s"] == 33.0 and c.loc["33225", "agent_id"] == ""
    assert c.loc["33125", "handle_s"] == 103.0 and c.loc["33125", "call_type"] == "PS"
    assert c.loc["33125", "priority"] == "2"


def test_sample_days() -> None:
    assert sniff_bank(DATA / "january_3-5.txt.gz")
    log = read_bank_log(DATA / "january_3-5.txt.gz")
    # 3, 4 and 5 January, and 6 January for calls of the 5th that queued after midnight
    assert log.days == 4 and log.weekday(0) == 6  # 3 January 1999 was a Sunday
    c = log.calls
    assert (c["day"] == 3).sum() == (c["arrival_s"] >= 3 * 86_400).sum() < 20
    assert (c["wait_s"] >= 0).all() and (c["handle_s"].dropna() >= 0).all()
    assert c["arrival_s"].is_monotonic_increasing
    # the waits and handle times computed from clock times (midnight wrap included) equal
    # the log's own q_time and ser_time columns
    raw = pd.read_csv(DATA / "january_3-5.txt.gz", sep="\t", dtype=str)
    raw = raw[raw["outcome"] != "PHANTOM"]
    queued = raw[raw["q_start"] != "0:00:00"].rename(columns={"vru+line": "vru_line"})
    queued = queued.set_index(["vru_line", "call_id"])
    assert queued.index.is_unique
    both = c.set_index(["vru_line", "call_id"]).join(queued[["q_time", "ser_time"]],
                                                     how="inner")
    assert len(both) == len(queued)
    np.testing.assert_array_equal(both["wait_s"], both["q_time"].astype(float))
    served = both[both["outcome"] == "answered"]
    np.testing.assert_array_equal(served["handle_s"], served["ser_time"].astype(float))


def _bad(tmp_path: Path, column: str, value: str) -> Path:
    lines = (DATA / "quirks.txt").read_text().splitlines()
    header = lines[0].split("\t")
    row = lines[2].split("\t")
    row[header.index(column)] = value
    path = tmp_path / "bad.txt"
    path.write_text("\n".join([lines[0], lines[1], "\t".join(row)]) + "\n")
    return path


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("q_exit", "25:61:00", "bad.txt, line 3, column q_exit: '25:61:00' is not a time"),
        ("ser_start", "noon", "bad.txt, line 3, column ser_start: 'noon' is not a time"),
        ("date", "19990105", "bad.txt, line 3, column date: '19990105' is not a date"),
        ("outcome", "LOST", "bad.txt, line 3, column outcome: 'LOST' is not one of"),
    ],
)
def test_bad_rows(tmp_path: Path, column: str, value: str, message: str) -> None:
    with pytest.raises(LogError) as info:
        read_bank_log(_bad(tmp_path, column, value))
    assert message in str(info.value)


def test_empty_and_missing_column(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(LogError, match=r"empty\.txt, line 1: empty file"):
        read_bank_log(empty)
    short = tmp_path / "short.txt"
    short.write_text("vru+line\tcall_id\nAA\t1\n")
    with pytest.raises(LogError, match=r"short\.txt, line 1: missing column .customer_id."):
        read_bank_log(short)
