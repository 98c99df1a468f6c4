"""The outbound KPIs (sim.outputs.outbound) and the calls table of a run with a
campaign: dials are rows with source outbound, counted by the campaign's KPIs and not
as calls offered; the KPIs equal counts made by hand from the calls table."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

import sim
from sim.outputs.kpis import OUTBOUND_KPIS, kpi
from sim.outputs.outbound import OUTBOUND_KEYS
from sim.outputs.results import Results


@cache
def results() -> Results:
    return sim.CallCenter(sim.compose(["scenario=blended_outbound", "run.days=3",
                                       "run.warmup_s=3600"])).run(0)  # fmt: skip


def test_dials_are_rows_of_their_own_source_and_outcome() -> None:
    calls = results().calls
    assert list(calls["source"].cat.categories) == ["fresh", "redial", "repeat", "callback",
                                                    "outbound"]  # fmt: skip
    dial = (calls["source"] == "outbound").to_numpy()
    assert (calls.loc[dial, "call_type"] == "retention").all()
    assert set(calls.loc[dial, "outcome"]) == {"answered", "unreached", "closed"}
    assert calls.loc[dial, "resolved"].isna().all()  # a dial is not an issue
    assert calls.loc[dial, "experience"].isna().all()
    assert calls.loc[~dial, "experience"].notna().all()
    unreached = dial & (calls["outcome"] == "unreached").to_numpy()
    assert (calls.loc[unreached, "handle_s"] == 25.0).all()


def test_dials_are_not_calls_offered() -> None:
    res = results()
    calls = res.calls
    inbound = ~calls["warmup"].to_numpy() & (calls["source"] != "outbound").to_numpy()
    assert res.summary["offered"] == int(inbound.sum())
    assert res.summary["answered"] == int((inbound & (calls["outcome"] == "answered").to_numpy()).sum())
    by_type = res.summary_by_type.set_index("call_type")
    assert by_type.loc["retention", "offered"] == 0
    assert by_type.loc["calls", "offered"] == res.summary["offered"]
    assert by_type.loc["retention", "backlog_end"] == 0


def test_outbound_kpis_are_the_counts_of_the_calls_table() -> None:
    res = results()
    calls = res.calls
    dial = (calls["source"] == "outbound").to_numpy()
    start = calls["arrival_s"].to_numpy() + calls["wait_s"].to_numpy()
    made = dial & calls["outcome"].isin(["answered", "unreached"]).to_numpy()
    counted = made & (start >= 3600.0)
    reached = counted & (calls["outcome"] == "answered").to_numpy()
    hours = calls.loc[counted, "handle_s"].sum() / 3600.0
    first = made & (calls["attempt"].to_numpy() == 1)
    row = res.summary_by_type.set_index("call_type").loc["retention"]
    assert row["outbound_dials"] == counted.sum()
    assert row["right_party_contacts"] == reached.sum()
    assert np.isclose(row["contacts_per_outbound_hour"], reached.sum() / hours)
    assert np.isclose(row["list_penetration"], first.sum() / (900 * 3))
    assert 0 < row["list_penetration"] <= 1
    other = res.summary_by_type.set_index("call_type").loc["calls"]
    assert pd.isna(other[list(OUTBOUND_KEYS)]).all()


def test_outbound_kpis_are_in_the_registry() -> None:
    for key in OUTBOUND_KEYS:
        entry = kpi(key)
        assert entry is not None and entry is OUTBOUND_KPIS[key] and entry.definition
