"""The callbacks study (experiments/callbacks.py, the HBR contrast) at its quick size.

Runs the study end to end (tables, differences, figure), then checks what the arms
are: callbacks only where they should be, the deferral rating only in ``callback_hbr``,
the fixing arm's resolution and handle-time factor; and that the differences are paired on
common random numbers: arms that differ only in how the deferral is rated have the
same queue, call for call, so their queue KPIs' paired differences from ``hold`` are
equal to the last digit and the customers' differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "experiments"))

import callbacks  # noqa: E402
import common  # noqa: E402

import sim  # noqa: E402


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("studies") / "callbacks"
    callbacks.main(["--quick", "--out", str(folder), "--workers", "1"])
    return folder


def test_tables_and_figure(quick: Path) -> None:
    for name in ("callbacks.csv", "callbacks.parquet", "differences.csv",
                 "differences.parquet", "callbacks.png"):  # fmt: skip
        assert (quick / name).is_file(), name
    table = pd.read_parquet(quick / "callbacks.parquet")
    assert set(table["arm"]) == set(callbacks.ARMS)
    with_cb = set(table.loc[table["kpi"] == "callback_offer_rate", "arm"])
    assert with_cb == {"callback", "callback_hbr", "both"}
    diffs = pd.read_parquet(quick / "differences.parquet")
    assert set(diffs["arm"]) == set(callbacks.ARMS[1:])
    d = diffs.set_index(["arm", "kpi"])["diff"]
    for kpi in ("abandon_rate", "occupancy"):  # the deferral's rating changes no call
        assert d[("callback", kpi)] == d[("callback_hbr", kpi)]
    assert d[("callback_hbr", "bad_experience_rate")] > d[("callback", "bad_experience_rate")]
    assert (diffs["half_width"] >= 0).all() and (diffs["n"] == 2).all()


def test_arms_are_what_they_say() -> None:
    args = common.StudyArgs("callbacks", True, Path("unused"), None, 1, ())
    base = callbacks.base_config(args)
    arms = {a: callbacks.arm_config(base, a) for a in callbacks.ARMS}
    assert [a for a, c in arms.items() if c.callbacks.enabled] == ["callback", "callback_hbr", "both"]
    assert arms["callback_hbr"].callbacks.deferral_rating == "bad"
    assert arms["callback"].callbacks.deferral_rating == "neutral"
    fix = arms["fix_on_spot"]
    assert fix.resolution.empowered_share == 1.0
    assert fix.resolution.empowerment_uplift == callbacks.UPLIFT
    assert fix.workforce.empowered_handle_factor == callbacks.HANDLE_FACTOR
    assert fix.workforce.empowered_fatigue_factor == callbacks.FATIGUE_FACTOR
    assert fix.service.talk == base.service.talk
    assert all(c.workforce.enabled for c in arms.values())  # the baseline's agent layer
    assert {c.run.seed for c in arms.values()} == {base.run.seed}  # common random numbers
    with pytest.raises(ValueError, match="arm = 'nope'"):
        callbacks.arm_config(base, "nope")
    assert base.center.volume_per_day == pytest.approx(
        sim.compose(["scenario=callback_offered"]).center.volume_per_day * callbacks.LOAD
    )
