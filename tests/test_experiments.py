"""The five studies of ``experiments/`` run end to end at their ``--quick`` size.

Each study runs once per module, in-process (its ``main(argv)``), into a temporary
folder; the tests check the tables' rows and columns, that the figures exist, the exact
curves against ``sim.theory.analytic``, and common random numbers where they must show. The
statistical content of the simulated points is tested elsewhere (tests/theory/test_exact.py);
here the sizes are tiny (a few simulated days, a few replications).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "experiments"))

import common  # noqa: E402
import long_horizon  # noqa: E402
import pooling  # noqa: E402
import scenarios  # noqa: E402
import sensitivity  # noqa: E402
import staffing_curve  # noqa: E402


def run_quick(module: ModuleType, folder: Path) -> Path:
    """Run a study at its quick size into ``folder`` (one process: no pool start-up)."""
    module.main(["--quick", "--out", str(folder), "--workers", "1"])
    return folder


def read(folder: Path, name: str) -> pd.DataFrame:
    """A table of a study, checking that its CSV and Parquet copies agree."""
    csv = pd.read_csv(folder / f"{name}.csv")
    parquet = pd.read_parquet(folder / f"{name}.parquet")
    assert list(csv.columns) == list(parquet.columns)
    assert len(csv) == len(parquet)
    return parquet


def assert_png(path: Path) -> None:
    assert path.is_file(), path
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def leftovers(folder: Path) -> list[Path]:
    """Partial or old folders left beside a study's folder."""
    return [p for p in folder.parent.iterdir() if ".partial-" in p.name or ".old-" in p.name]


# ------------------------------------------------------------------------ staffing curve
@pytest.fixture(scope="module")
def curve(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_quick(staffing_curve, tmp_path_factory.mktemp("studies") / "staffing_curve")


def test_staffing_curve_tables_and_figure(curve: Path) -> None:
    t = read(curve, "staffing_curve")
    size = staffing_curve.QUICK
    points = sum(len(r) for r in size.agents.values())
    assert len(t) == points * len(staffing_curve.KPIS)
    for col in ("model", "agents", "kpi", "mean", "half_width", "ci_low", "ci_high", "exact"):
        assert col in t.columns
    assert set(t["model"]) == set(staffing_curve.MODELS)
    assert (t["n"] == size.replications).all()
    assert_png(curve / "staffing_curve.png")
    assert not leftovers(curve)


def test_staffing_curve_exact_columns_are_sim_analytic(curve: Path) -> None:
    t = read(curve, "staffing_curve")
    # the quick size: a tenth of the scenarios' 34,200 calls a day, 240 s exponential talk
    lam, h, patience, threshold = 3420.0 / 86400, 240.0, 180.0, 20.0
    for r in t.itertuples():
        n = int(r.agents)
        if r.model == "erlang_c":
            c = sim.theory.analytic.erlang_c(lam, h, n)
            want = {"service_level": c.service_level(threshold), "asa_s": c.asa_s,
                    "abandon_rate": 0.0, "p_wait": c.p_wait, "mean_wait_s": c.mean_wait_s,
                    "occupancy": c.occupancy}  # fmt: skip
        else:
            a = sim.theory.analytic.erlang_a(lam, h, n, patience)
            want = {"service_level": a.service_level(threshold), "asa_s": a.asa_s,
                    "abandon_rate": a.p_abandon, "p_wait": a.p_wait,
                    "mean_wait_s": a.mean_wait_s, "occupancy": a.occupancy}  # fmt: skip
        assert r.exact == pytest.approx(want[r.kpi], rel=1e-12, abs=1e-15), (r.model, n, r.kpi)
    # the hockey stick: exact waiting falls as agents are added
    for model in staffing_curve.MODELS:
        asa = t[(t["model"] == model) & (t["kpi"] == "asa_s")].sort_values("agents")["exact"]
        assert np.all(np.diff(asa.to_numpy()) < 0)


def test_staffing_curve_warmup_covers_ten_relaxation_times(curve: Path) -> None:
    from sim.theory.oracle import relaxation_time_s

    t = read(curve, "staffing_curve")
    c = t[(t["model"] == "erlang_c") & (t["kpi"] == "asa_s")]
    for r in c.itertuples():
        assert r.warmup_s >= 10 * relaxation_time_s(int(r.agents), 3420.0 / 86400, 240.0)
        # whole days: the measured time is at least the quick size's one day minus the
        # scenario's warm-up, and less than a day more
        assert 86400 - 40000.0 <= r.days * 86400 - r.warmup_s < 2 * 86400 - 40000.0


# ------------------------------------------------------------------------------ scenarios
@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_quick(scenarios, tmp_path_factory.mktemp("studies") / "scenarios")


def test_scenarios_tables_and_figures(compared: Path) -> None:
    names = scenarios.scenario_names()
    assert names[0] == "baseline"
    assert {"understaffed", "empowered_agents", "poor_resolution"} <= set(names)
    assert not any(n.startswith("steady_") for n in names)
    s = read(compared, "scenarios")
    assert len(s) == len(names) * len(scenarios.KPIS)
    assert set(s["scenario"]) == set(names)
    d = read(compared, "differences")
    assert len(d) == (len(names) - 1) * len(scenarios.KPIS)
    assert "baseline" not in set(d["scenario"])
    reps = read(compared, "replications")
    assert len(reps) == len(names) * scenarios.QUICK.replications
    for fig in ("scenarios.png", "differences.png"):
        assert_png(compared / fig)


def test_scenario_differences_are_paired_and_crn_narrows_them(compared: Path) -> None:
    s = read(compared, "scenarios").set_index(["scenario", "kpi"])
    d = read(compared, "differences")
    for r in d.itertuples():
        want = s.loc[(r.scenario, r.kpi), "mean"] - s.loc[("baseline", r.kpi), "mean"]
        if want != want:  # a KPI one of them does not have (e.g. no agent layer): NaN both
            assert r.diff != r.diff, r
            continue
        assert r.diff == pytest.approx(want, rel=1e-9, abs=1e-9)
    # Profit is mostly the revenue of ~400,000 customers, whose background churn, issues
    # and acquisition share their random numbers across scenarios: its replication-to-
    # replication spread (~1,400 a replication here) cancels in the paired difference
    # (~50). A factor of 5 leaves a wide margin at 4 replications. Checked on the three
    # scenarios that change only staffing or resolution (a scenario that changes how
    # agents are drawn shares fewer random numbers with the baseline).
    crn = ["understaffed", "empowered_agents", "poor_resolution"]
    profit = d[(d["kpi"] == "profit") & d["scenario"].isin(crn)]
    assert len(profit) == len(crn)
    assert (profit["half_width"] * 5 < profit["unpaired_half_width"]).all(), profit


# ---------------------------------------------------------------------------- sensitivity
@pytest.fixture(scope="module")
def tornado(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_quick(sensitivity, tmp_path_factory.mktemp("studies") / "sensitivity")


def test_sensitivity_tables_and_figure(tornado: Path) -> None:
    p = read(tornado, "parameters")
    keys = set(p["key"])
    for key in ("staffing.agents", "resolution.fcr", "service.talk.mean_s",
                "center.volume_per_day", "customers.churn.after_one", "customers.wom.tell_bad",
                "customers.value_per_day"):  # fmt: skip
        assert key in keys
    assert (p["low"] < p["base"]).all() and (p["base"] < p["high"]).all()
    s = read(tornado, "sensitivity")
    assert len(s) == len(p) * 2 * len(sensitivity.KPIS)
    assert set(s["level"]) == {"low", "high"}
    assert len(read(tornado, "base")) == len(sensitivity.KPIS)
    assert_png(tornado / "tornado.png")


def test_sensitivity_money_only_inputs_scale_exactly(tornado: Path) -> None:
    """Value per customer-day and agent cost change no random draw, so on common random
    numbers revenue and agent cost move by exactly -10 % / +10 % in every replication:
    the mean difference is 10 % of the base mean and its interval 10 % of the base's."""
    s = read(tornado, "sensitivity").set_index(["parameter", "level", "kpi"])
    base = read(tornado, "base").set_index("kpi")["mean"]
    half = read(tornado, "base").set_index("kpi")["half_width"]
    for name, kpi in (("value per customer-day", "revenue"), ("agent cost per hour", "agent_cost")):
        for level, sign in (("low", -1), ("high", 1)):
            row = s.loc[(name, level, kpi)]
            assert row["diff"] == pytest.approx(sign * 0.1 * base[kpi], rel=1e-9)
            assert row["half_width"] == pytest.approx(0.1 * half[kpi], rel=1e-6)
            assert s.loc[(name, level, "customers_lost_to_service"), "diff"] == 0


def test_sensitivity_parameters_follow_the_patience_law() -> None:
    base = sim.compose(["scenario=baseline"])
    assert not any(p.key.startswith("patience.") for p in sensitivity.parameters(base))
    expo = sim.compose(["scenario=baseline", "patience=exponential"])
    p = {q.key: q for q in sensitivity.parameters(expo)}["patience.mean_s"]
    assert (p.low, p.base, p.high) == pytest.approx((162.0, 180.0, 198.0))
    agents = {q.key: q for q in sensitivity.parameters(base)}["staffing.agents"]
    assert agents.low == [round(a * 0.9) for a in base.staffing.agents]


# --------------------------------------------------------------------------- long horizon
@pytest.fixture(scope="module")
def spiral(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_quick(long_horizon, tmp_path_factory.mktemp("studies") / "long_horizon")


def test_long_horizon_tables_and_figure(spiral: Path) -> None:
    days = read(spiral, "days")
    assert len(days) == 7 * len(long_horizon.SCENARIOS)
    for col in ("scenario", "day", "active_end", "active_end_half_width", "service_level",
                "cum_lost_to_service", "cum_profit"):  # fmt: skip
        assert col in days.columns
    # the running total of customers lost ends at the run's KPI (means over replications)
    summary = read(spiral, "summary").set_index(["scenario", "kpi"])
    for name in long_horizon.SCENARIOS:
        last = days[days["scenario"] == name].sort_values("day").iloc[-1]
        kpi = summary.loc[(name, "customers_lost_to_service"), "mean"]
        assert last["cum_lost_to_service"] == pytest.approx(kpi, rel=1e-12)
    under = days[days["scenario"] == "understaffed"]
    assert under["active_vs_baseline"].notna().all()
    assert days[days["scenario"] == "baseline"]["active_vs_baseline"].isna().all()
    assert len(read(spiral, "summary")) == 2 * len(long_horizon.KPIS)
    assert len(read(spiral, "differences")) == len(long_horizon.KPIS)
    assert_png(spiral / "long_horizon.png")


def test_long_horizon_draws_agent_panels_only_when_present() -> None:
    day = np.arange(5)
    frames = []
    for name in long_horizon.SCENARIOS:
        cols = {c: np.linspace(1, 2, 5) for c in ("active_end", "service_level")}
        cols |= {f"{c}_half_width": np.full(5, 0.1) for c in list(cols)}
        frames.append(pd.DataFrame({"scenario": name, "day": day, **cols}))
    days = pd.concat(frames, ignore_index=True)
    without = long_horizon.figure(days, ())
    visible = [ax for ax in without.axes if ax.get_visible()]
    assert len(visible) == 6
    for c in long_horizon.AGENT_COLUMNS:
        days[c] = 1.0
        days[f"{c}_half_width"] = 0.0
    with_agents = long_horizon.figure(days, long_horizon.AGENT_COLUMNS)
    labels = [ax.get_ylabel() for ax in with_agents.axes if ax.get_visible()]
    assert len(labels) == 10 and "agents employed at the end of the day" in labels


# -------------------------------------------------------------------------------- pooling
@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_quick(pooling, tmp_path_factory.mktemp("studies") / "pooling")


def test_pooling_tables_exact_and_figure(pooled: Path) -> None:
    t = read(pooled, "pooling")
    totals = pooling.QUICK.totals
    assert len(t) == len(totals) * len(pooling.DESIGNS) * len(pooling.KPIS)
    assert (t["n"] == pooling.QUICK.replications).all()
    for r in t.itertuples():
        n = int(r.agents_per_centre)
        assert n == (r.total_agents if r.design == "one_centre" else r.total_agents // 2)
        lam = pooling.LOAD_PER_AGENT * n / 240.0
        a = sim.theory.analytic.erlang_a(lam, 240.0, n, 180.0)
        c = sim.theory.analytic.erlang_c(lam, 240.0, n)
        ex_a = {"service_level": a.service_level(20.0), "asa_s": a.asa_s,
                "abandon_rate": a.p_abandon, "occupancy": a.occupancy, "p_wait": a.p_wait}  # fmt: skip
        ex_c = {"service_level": c.service_level(20.0), "asa_s": c.asa_s, "abandon_rate": 0.0,
                "occupancy": c.occupancy, "p_wait": c.p_wait}  # fmt: skip
        assert r.erlang_a == pytest.approx(ex_a[r.kpi], rel=1e-9)
        assert r.erlang_c == pytest.approx(ex_c[r.kpi], rel=1e-9, abs=1e-15)
    # pooling helps in the exact model: the one centre answers more within 20 s
    sl = t[t["kpi"] == "service_level"].pivot(index="total_agents", columns="design")
    assert (sl[("erlang_a", "one_centre")] > sl[("erlang_a", "two_centres")]).all()
    assert_png(pooled / "pooling.png")


def test_pooling_is_reproducible_whatever_the_workers(pooled: Path, tmp_path: Path) -> None:
    """Same seed, same numbers bit for bit, with 2 processes as with 1."""
    again = tmp_path / "pooling"
    pooling.main(["--quick", "--out", str(again), "--workers", "2"])
    pd.testing.assert_frame_equal(read(again, "pooling"), read(pooled, "pooling"), check_exact=True)


def test_combine_pairs_is_a_ratio_of_sums() -> None:
    per = pd.DataFrame(
        {
            "replication": [0, 1, 2, 3],
            "offered": [100, 300, 200, 200],
            "answered": [90, 240, 150, 150],
            "abandoned": [10, 60, 50, 50],
            "service_level": [0.8, 0.4, 0.5, 0.7],
            "asa_s": [10.0, 30.0, 20.0, 40.0],
            "abandon_rate": [0.1, 0.2, 0.25, 0.25],
            "occupancy": [0.7, 0.9, 0.8, 0.6],
            "p_wait": [0.5, 0.1, 0.2, 0.4],
        }
    )
    out = pooling.combine_pairs(per)
    assert list(out["replication"]) == [0, 1]
    assert out["service_level"].tolist() == pytest.approx([(80 + 120) / 400, (100 + 140) / 400])
    assert out["asa_s"].tolist() == pytest.approx([(900 + 7200) / 330, (3000 + 6000) / 300])
    assert out["abandon_rate"].tolist() == pytest.approx([70 / 400, 100 / 400])
    assert out["occupancy"].tolist() == pytest.approx([0.8, 0.7])
    assert out["p_wait"].tolist() == pytest.approx([(50 + 30) / 400, (40 + 80) / 400])
    with pytest.raises(ValueError, match="even number"):
        pooling.combine_pairs(per.iloc[:3])


# --------------------------------------------------------------------------------- common
def test_atomic_folder_replaces_only_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "study"
    with common.atomic_folder(out) as f:
        (f / "a.csv").write_text("old\n")
    with pytest.raises(RuntimeError), common.atomic_folder(out) as f:
        (f / "a.csv").write_text("half")
        raise RuntimeError("interrupted")
    assert (out / "a.csv").read_text() == "old\n"  # the complete folder is untouched
    assert not leftovers(out)
    with common.atomic_folder(out) as f:
        (f / "b.csv").write_text("new\n")
    assert sorted(p.name for p in out.iterdir()) == ["b.csv"]
    assert not leftovers(out)


def test_paired_differences_against_hand_computation() -> None:
    base = pd.DataFrame({"replication": [0, 1, 2], "x": [10.0, 20.0, 30.0]})
    other = pd.DataFrame({"replication": [2, 0, 1], "x": [33.0, 11.0, 22.0]})
    d = common.paired_differences(base, other, ["x"], 0.95).iloc[0]
    # differences 1, 2, 3: mean 2, sd 1, t(0.975, 2) = 4.302653
    assert d["diff"] == pytest.approx(2.0)
    assert d["half_width"] == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)
    # Welch: sd 10 and 11 over 3 each, about 2.1 degrees of freedom: 9.6 x the paired one
    assert d["unpaired_half_width"] > 5 * d["half_width"]


def test_study_arguments_are_checked() -> None:
    with pytest.raises(SystemExit):
        common.parse_args("x", "doc", ["--replications", "1"])
    with pytest.raises(SystemExit):
        common.parse_args("x", "doc", ["--workers", "0"])
    args = common.parse_args("x", "doc", ["--quick", "run.days=3"])
    assert args.quick and args.overrides == ("run.days=3",) and args.out.name == "x"


def test_a_bad_override_fails_before_anything_runs(tmp_path: Path) -> None:
    out = tmp_path / "pooling"
    with pytest.raises(sim.ConfigError, match=r"patience\.kind"):
        pooling.main(["--quick", "--out", str(out), "patience=genesys"])
    assert not out.exists() and not leftovers(out)
