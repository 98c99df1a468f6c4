"""Interval counts: the reader on the committed bank_calls sample, the overdispersion table
against callsim's own arrival model (variance = m + v m^2), and the study at its quick size."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.core.rng import Streams
from sim.core.timetable import Timetable
from sim.fit.counts import dispersion_table, read_counts
from sim.fit.logs import LogError
from sim.queue.arrivals import ArrivalForecast

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "bank_calls" / "bank_calls_2003-03.csv.gz"
sys.path.insert(0, str(ROOT / "experiments"))

import arrival_counts  # noqa: E402


def test_read_sample() -> None:
    c = read_counts(SAMPLE)
    assert c.matrix.shape == (20, 169) and c.open_s == 7 * 3600 and c.interval_s == 300
    assert str(c.dates[0]) == "2003-03-03" and set(c.weekdays.tolist()) == {0, 1, 2, 3, 4}
    raw = pd.read_csv(SAMPLE)
    assert c.matrix.sum() == raw["Calls"].sum()
    assert c.matrix[0, 0] == raw["Calls"].iloc[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: empty file"),
        ("DateTime,Count\n2003-03-03 07:00:00,5\n", "line 1: missing column 'Calls'"),
        ("DateTime,Calls\n2003-03-03 07:00:00,5\n2003-03-03 7h05,4\n",
         "line 3, column DateTime: '2003-03-03 7h05' is not a date-time"),
        ("DateTime,Calls\n2003-03-03 07:00:00,2.5\n", "line 2, column Calls: '2.5' must be"),
    ],
)
def test_bad_counts(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "counts.csv"
    path.write_text(text)
    with pytest.raises(LogError) as info:
        read_counts(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_dispersion_of_callsims_model_follows_m_plus_v_m2() -> None:
    # 600 Mondays of callsim's arrival model, v = 0.01: per slot the variance over days is
    # m + v m^2; its sample estimate from 600 days has relative se sqrt(2/599) ~ 6%, and
    # averaging the ratio over 48 slots (correlated through the daily factor) leaves ~4%
    days, v = 600, 0.01
    tt = Timetable(0.0, 86_400.0, 1800.0, days * 7, 0)
    prof = np.full(48, 1 / 48)
    fc = ArrivalForecast(tt, 4800.0, tuple(prof), (1.0, 0, 0, 0, 0, 0, 0), v)
    streams = Streams(5, 0)
    busy = fc.busyness(streams["busyness"])
    rng = streams["arrivals"]
    mondays = range(0, days * 7, 7)
    m = np.stack([rng.poisson(fc.expected(d) * busy[d]) for d in mondays])
    table = dispersion_table(m, np.zeros(days, dtype=int))
    expected = 1 + v * 100.0  # m = 100 calls per slot
    assert table["ratio"].mean() == pytest.approx(expected, rel=0.12)
    assert (table["ratio"] > 1.2).all()  # clearly overdispersed (Poisson: 1)


def test_study_quick(tmp_path: Path) -> None:
    out = tmp_path / "ac"
    assert arrival_counts.main(["--quick", "--out", str(out), "--factor", "2"]) == 0
    fit = pd.read_csv(out / "arrival_counts_fit.csv").iloc[0]
    assert fit["days"] == 20 and fit["busyness_low"] <= fit["busyness_var"]
    assert fit["factor_sat"] == 0 and fit["factor_sun"] == 0  # weekdays only in the data
    disp = pd.read_parquet(out / "arrival_counts_dispersion.parquet")
    assert len(disp) == 5 * 169
    # callsim's simulated means follow the data's (same fitted profile and weekday levels):
    # per slot within 4 sd of the difference of the two means (data over 4 days of each
    # weekday, simulation over 2 x 5 weeks) in at least 95% of the slots
    se = np.sqrt(disp["var_sim"] / disp["days_sim"] + disp["var_data"] / disp["days_data"])
    assert (np.abs(disp["mean_sim"] - disp["mean_data"]) < 4 * se).mean() > 0.95
    assert (out / "arrival_counts.png").is_file()
    assert arrival_counts.main(["--data", str(tmp_path), "--out", str(tmp_path / "x")]) == 2
