"""The back-test study (experiments/backtest.py) at its quick size on the committed samples
of the Anonymous Bank logs: reproducible bit for bit, observed values equal to the sample's
own counts, and a clear error when the full data is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "experiments"))

import backtest  # noqa: E402

from sim.fit.bank import read_bank_log  # noqa: E402


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bt") / "backtest"
    assert backtest.main(["--quick", "--out", str(out)]) == 0
    return out


def test_tables_figure_and_report(quick: Path) -> None:
    for name in ("backtest_hourly", "backtest_daily", "backtest_month"):
        t = pd.read_parquet(quick / f"{name}.parquet")
        assert set(t["kpi"]) == set(backtest.KPIS)
        assert ((t["n"] == 3) | t["sim_mean"].isna()).all()  # ASA: NaN in an hour without answers
        rates = t[t["kpi"] != "asa_s"]
        assert rates[["observed", "sim_mean"]].stack().between(0, 1).all()
    assert (quick / "backtest.png").stat().st_size < 150_000
    assert "fig-patience" in (quick / "fit_january" / "report.html").read_text()


def test_observed_values_are_the_samples(quick: Path) -> None:
    feb = read_bank_log(backtest.SAMPLES / "february_1-2.txt.gz").calls
    tod = np.mod(feb["arrival_s"], 86_400.0)
    feb = feb[(tod >= 7 * 3600) & (tod < 24 * 3600)]  # the January fit's hours, 07:00-24:00
    month = pd.read_csv(quick / "backtest_month.csv").set_index("kpi")
    assert month.loc["abandon_rate", "offered_observed"] == len(feb)
    assert month.loc["abandon_rate", "observed"] == pytest.approx(
        (feb["outcome"] == "abandoned").mean(), rel=1e-12)
    answered = feb[feb["outcome"] == "answered"]
    assert month.loc["asa_s", "observed"] == pytest.approx(answered["wait_s"].mean(), rel=1e-12)
    assert month.loc["sl_20", "observed"] == pytest.approx(
        (answered["wait_s"] <= 20).sum() / len(feb), rel=1e-12)


def test_reproducible(quick: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert backtest.main(["--quick", "--out", str(again)]) == 0
    for name in ("backtest_hourly", "backtest_daily", "backtest_month"):
        pd.testing.assert_frame_equal(pd.read_parquet(quick / f"{name}.parquet"),
                                      pd.read_parquet(again / f"{name}.parquet"))


def test_missing_data_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert backtest.main(["--data", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "january.txt is missing" in err and "--data DIR" in err
    assert not (tmp_path / "o").exists()
