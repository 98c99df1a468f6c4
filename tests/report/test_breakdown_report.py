"""Outputs per call type and agent group in the results folder, summary.json, the
summary text and report.html (``sim.report.breakdown_report``, ``breakdown_plots``):
written with several types or groups, absent with one queue (no clutter)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from multiskill import GROUPS, TYPES, synthetic_replications

from sim.model.runner import Replications, replicate
from sim.outputs.agent_groups import GROUP_INTERVAL_COLUMNS, GROUP_KEYS, GROUP_SUMMARY_COLUMNS
from sim.outputs.call_types import TYPE_INTERVAL_COLUMNS, TYPE_KEYS, TYPE_SUMMARY_COLUMNS
from sim.outputs.kpis import CHANNEL_KPIS, GROUP_KPIS, KPIS, OUTBOUND_KPIS, kpi, unit_text
from sim.report.breakdown_plots import agent_groups_figure, call_types_figure, profile_by
from sim.report.html_report import run_report
from sim.report.style import unlabelled_axes
from sim.report.writer import summary_text, write_results

#: constant staffing: agent ids 0..8 all day, so the relabelled groups' busy time fits
#: their presence (tests/multiskill.py)
CONFIG = {"run": {"name": "two_queues", "days": 2, "replications": 3},
          "center": {"volume_per_day": 1200.0}, "staffing": {"agents": 9}}  # fmt: skip

BREAKDOWN_FILES = [f"{stem}_by_{what}.{ext}" for what in ("type", "group")
                   for stem, ext in (("intervals", "parquet"), ("intervals", "csv"),
                                     ("summary", "csv"), ("replications", "csv"))]  # fmt: skip


@pytest.fixture(scope="module")
def reps() -> Replications:
    return synthetic_replications(CONFIG, 3)


@pytest.fixture(scope="module")
def folder(reps: Replications, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_results(reps, tmp_path_factory.mktemp("multi") / "run", [])


def test_folder_has_the_tables_per_type_and_group(reps: Replications, folder: Path) -> None:
    for name in BREAKDOWN_FILES:
        assert (folder / name).is_file(), name
    t = pd.read_parquet(folder / "intervals_by_type.parquet")
    assert list(t.columns) == [*TYPE_INTERVAL_COLUMNS, "replication"]
    assert list(t["call_type"].cat.categories) == list(TYPES)
    g = pd.read_parquet(folder / "intervals_by_group.parquet")
    assert list(g.columns) == [*GROUP_INTERVAL_COLUMNS, "replication"]
    per = pd.read_csv(folder / "replications_by_type.csv")
    assert list(per.columns) == ["replication", *TYPE_SUMMARY_COLUMNS] and len(per) == 6
    per_g = pd.read_csv(folder / "replications_by_group.csv")
    assert list(per_g.columns) == ["replication", *GROUP_SUMMARY_COLUMNS]
    s = pd.read_csv(folder / "summary_by_group.csv")
    assert list(s.columns[:2]) == ["agent_group", "kpi"] and set(s["agent_group"]) == set(GROUPS)
    assert (folder / "figures" / "call_types.png").is_file()
    assert (folder / "figures" / "agent_groups.png").is_file()


def test_summary_json_per_type_and_group(reps: Replications, folder: Path) -> None:
    d = json.loads((folder / "summary.json").read_text())
    assert list(d["call_types"]) == list(TYPES) and list(d["agent_groups"]) == list(GROUPS)
    sales = d["call_types"]["sales"]
    assert (sales["sl_threshold_s"], sales["sl_target"]) == (20.0, 0.8)
    mine = reps.summary_by_type.set_index(["call_type", "kpi"]).loc[("sales", "service_level")]
    assert sales["kpis"]["service_level"]["mean"] == pytest.approx(float(mine["mean"]))
    total = sum(d["call_types"][t]["kpis"]["offered"]["mean"] for t in TYPES)
    assert total == pytest.approx(d["kpis"]["offered"]["mean"])
    assert set(d["agent_groups"]["english"]["kpis"]) >= {"occupancy", "answered_share"}


def test_summary_text_and_report_per_type_and_group(reps: Replications) -> None:
    text = summary_text(reps)
    assert "per call type:" in text and "per agent group:" in text
    assert re.search(r"sales +service level \(20 s\) .*target 80%", text)
    assert re.search(r"service +service level \(60 s\) .*target 70%", text)
    page = run_report(reps, [])
    for ident in ("call-types", "agent-groups", "figure-call_types", "figure-agent_groups"):
        assert f'id="{ident}"' in page, ident
    body = page.split('id="call-types"')[2].split("</table>")[0]
    assert body.count("<tr>") == 1 + len(TYPES)  # header + a row per type
    assert page.count("<img ") == 3  # intervals + the two breakdown figures, each once


def test_one_queue_sees_no_breakdowns(tmp_path: Path) -> None:
    """A single type and group: the same folder, report and summary text as before."""
    reps = replicate({"run": {"days": 1, "replications": 2}, "staffing": {"agents": 5},
                      "center": {"volume_per_day": 300.0}})  # fmt: skip
    folder = write_results(reps, tmp_path / "run", [])
    assert not [n for n in BREAKDOWN_FILES if (folder / n).exists()]
    assert sorted(p.name for p in (folder / "figures").iterdir()) == ["intervals.png"]
    d = json.loads((folder / "summary.json").read_text())
    assert "call_types" not in d and "agent_groups" not in d
    assert "per call type" not in summary_text(reps)
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="call-types"' not in page and 'id="agent-groups"' not in page


def test_figures_per_type_and_group(reps: Replications) -> None:
    p = profile_by(reps.intervals_by_type, "call_type")
    assert len(p) == len(TYPES) * reps.intervals["interval"].nunique()
    # ratio of sums over days and replications, the centre's intraday rule
    t = reps.intervals_by_type
    sales0 = t[(t["call_type"] == "sales") & (t["interval"] == 0)]
    want = sales0["answered_within_sl"].sum() / sales0["offered"].sum()
    got = p[(p["call_type"] == "sales") & (p["interval"] == 0)]["service_level"].iloc[0]
    assert got == pytest.approx(want)
    for fig in (call_types_figure(reps.intervals_by_type, "t", scenario="s"),
                agent_groups_figure(reps.intervals_by_group, "t", scenario="s")):  # fmt: skip
        assert unlabelled_axes(fig) == []
        legend = fig.legends[0]
        labels = [t.get_text() for t in legend.get_texts()]
        assert any("sales" in x for x in labels) or any("english" in x for x in labels)


def test_figure_panels_keep_their_titles_labels_and_ranges(reps: Replications) -> None:
    """The two figures share their set-up (sim.report.breakdown_plots): each panel keeps
    its title, y label, y range and clock axis, and the legend its title (the PNGs were
    byte for byte the same before and after the set-up was factored out)."""
    types = call_types_figure(reps.intervals_by_type, "t", scenario="s")
    groups = agent_groups_figure(reps.intervals_by_group, "t", scenario="s")
    want = {
        types: [("Offered calls and forecast", "offered calls (calls per interval)", 0.0),
                ("Service level against target", "service level (% of offered)", 0.0),
                ("Abandonment", "abandoned (% of offered)", 0.0)],
        groups: [("Agents present and scheduled", "agents on the phones (agents)", 0.0),
                 ("Occupancy", "occupancy (% of agent time present)", 0.0),
                 ("Calls answered (by arrival)", "calls answered (calls per interval)", 0.0)],
    }  # fmt: skip
    for fig, panels in want.items():
        assert [(ax.get_title(), ax.get_ylabel(), ax.get_ylim()[0]) for ax in fig.axes] == panels
        assert all(ax.get_xlabel() == "interval start (time of day, HH:MM)" for ax in fig.axes)
        assert fig.get_suptitle().startswith("s")
    assert types.axes[1].get_ylim() == (0.0, 105.0) and groups.axes[1].get_ylim() == (0.0, 105.0)
    present = np.nanmax(profile_by(reps.intervals_by_group, "agent_group")[
        ["agents_present", "scheduled_agents"]].to_numpy(dtype=float))  # fmt: skip
    assert groups.axes[0].get_ylim()[1] == pytest.approx(1.15 * present)
    assert types.legends[0].get_title().get_text().startswith("call type (service level")
    assert groups.legends[0].get_title().get_text() == "agent group"
    assert len(groups.legends[0].get_texts()) == 2 * len(reps.summary_by_group["agent_group"].unique())


def test_every_breakdown_kpi_is_in_the_registry() -> None:
    """Names, labels and units of the per-type and per-group KPIs come from the one
    registry (sim.outputs.kpis), like the summary's."""
    # the centre's, the backlog and an outbound campaign's
    assert set(TYPE_KEYS) <= set(KPIS) | set(CHANNEL_KPIS) | set(OUTBOUND_KPIS)
    assert set(GROUP_KEYS) <= set(KPIS) | set(GROUP_KPIS) | set(CHANNEL_KPIS)
    assert not set(GROUP_KPIS) & set(KPIS)
    for key in (*TYPE_KEYS, *GROUP_KEYS):
        entry = kpi(key)
        assert entry is not None and entry.label and unit_text(key), key
    assert unit_text("answered_share") == "%" and unit_text("present_hours") == "h"
