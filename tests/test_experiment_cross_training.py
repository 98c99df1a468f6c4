"""The cross-training study (experiments/cross_training.py) at a small size.

Runs the study end to end at ``--quick`` (tables, figure, gain table), then checks its
content with 10 replications: the endpoints against their exact Erlang A anchors and
the direction (more cross-training, better service) with common random numbers.
"""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "experiments"))

import common  # noqa: E402
import cross_training  # noqa: E402

import sim  # noqa: E402

REPLICATIONS = 10


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("studies") / "cross_training"
    cross_training.main(["--quick", "--out", str(folder), "--workers", "1"])
    return folder


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    args = common.StudyArgs(
        name="cross_training",
        quick=True,
        out=Path("unused"),
        replications=REPLICATIONS,
        workers=1,
        overrides=(),
    )
    return cross_training.run(args)


def test_groups_keep_the_headcount_and_refuse_bad_shares() -> None:
    for share in cross_training.SHARES:
        g = cross_training.groups(20, share)
        assert sum(x["agents"] for x in g) == 40
        flex = [x for x in g if x["name"].endswith("_flex")]
        assert sum(x["agents"] for x in flex) == 2 * round(share * 20)
        for x in flex:
            assert sorted(x["skills"].values()) == [1, 2]
    with pytest.raises(ValueError, match=r"share = 1\.5"):
        cross_training.groups(20, 1.5)


def test_quick_run_writes_tables_and_figure(quick: Path) -> None:
    t = pd.read_csv(quick / "cross_training.csv")
    size = cross_training.QUICK
    assert len(t) == len(size.shares) * 3 * len(cross_training.KPIS)  # all, a, b
    assert set(t["call_type"]) == {"all", "a", "b"}
    assert (t["n"] == size.replications).all()
    # anchors only at the two ends
    assert t.loc[t["share"].isin([0.0, 1.0]), "erlang_a"].notna().all()
    assert t.loc[~t["share"].isin([0.0, 1.0]), "erlang_a"].isna().all()
    g = pd.read_csv(quick / "gain.csv")
    ends = g[g["share"].isin([0.0, 1.0])].sort_values(["kpi", "share"])
    assert ends["gain_fraction"].round(12).tolist() == [0.0, 1.0] * 3
    assert (quick / "cross_training.png").read_bytes()[:4] == b"\x89PNG"


def test_endpoints_match_erlang_a(table: pd.DataFrame) -> None:
    # s = 0 is two M/M/10+M queues, s = 1 one M/M/20+M queue: the simulated means must
    # lie within a 99.9% Student-t interval of the exact values (18 checks: at 95% one
    # would fail by chance about 60% of the time; at 99.9% about 2%; seed fixed).
    ends = table[table["share"].isin([0.0, 1.0])]
    t999 = stats.t.ppf(0.9995, REPLICATIONS - 1)
    tol = t999 * ends["sd"] / math.sqrt(REPLICATIONS)
    off = (ends["mean"] - ends["erlang_a"]).abs()
    bad = ends[off > tol]
    assert bad.empty, bad[["share", "call_type", "kpi", "mean", "erlang_a", "sd"]]
    # the two anchors are more than two tolerances apart: a simulation that gave the
    # pooled values at s = 0 (or the separate ones at s = 1) would fail the check above
    sl = ends[(ends["call_type"] == "all") & (ends["kpi"] == "service_level")]
    assert sl["erlang_a"].diff().abs().iloc[-1] > 2 * tol[sl.index].max()


def test_service_improves_with_cross_training(table: pd.DataFrame) -> None:
    # Common random numbers: each share runs with the same seed, so the step between two
    # shares is measured on paired replications. Service level rises and ASA and
    # abandonment fall from each share to the next (no step worse than its paired 95%
    # half-width), and from s = 0 to s = 1 significantly (the paired interval excludes 0).
    d = table[table["call_type"] == "all"].pivot(index="share", columns="kpi", values="mean")
    half = table[table["call_type"] == "all"].pivot(index="share", columns="kpi", values="half_width")
    shares = list(d.index)
    for lo, hi in itertools.pairwise(shares):
        assert d.loc[hi, "service_level"] > d.loc[lo, "service_level"] - half.loc[hi, "service_level"]
        assert d.loc[hi, "asa_s"] < d.loc[lo, "asa_s"] + half.loc[hi, "asa_s"]
    gain = d.loc[1.0] - d.loc[0.0]
    assert gain["service_level"] > 0 and gain["asa_s"] < 0 and gain["abandon_rate"] < 0


def test_crn_paired_gain_is_significant() -> None:
    base = sim.compose(["scenario=steady_erlang_a", "run.days=1"])
    per = {}
    for share in (0.0, 1.0):
        cfg = cross_training.config(base, 10, share, REPLICATIONS)
        per[share] = sim.replicate(cfg, replications=REPLICATIONS, workers=1).per_replication
    diff = common.paired_differences(per[0.0], per[1.0], cross_training.KPIS, 0.95).set_index("kpi")
    assert diff.loc["service_level", "ci_low"] > 0
    assert diff.loc["asa_s", "ci_high"] < 0
    assert diff.loc["abandon_rate", "ci_high"] < 0
    # common random numbers make the paired interval narrower than the unpaired one
    assert diff.loc["service_level", "half_width"] < diff.loc["service_level", "unpaired_half_width"]
