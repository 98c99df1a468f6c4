"""Every call type's outcomes add up to its ``offered`` in the per-replication table
(``per_replication_by_type``, ``replications_by_type.csv``): ``answered`` + ``abandoned``
+ ``blocked`` + ``closed`` + ``unreached`` (callback attempts that did not reach the
customer) + ``callback_accepted`` (callers who accepted a callback and left the line).

Found by the new-user trial of issue 15: without the last two, a callback type's offered
was more than the outcomes shown, and so was its parent's. The counts are also checked
against a hand count of the calls table (replication 0), so neither column can be a
filler that only closes the sum."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

import sim
from sim.model.runner import Replications
from sim.report.breakdown_report import breakdown_lines

OUTCOMES = ("answered", "abandoned", "blocked", "closed", "unreached", "callback_accepted")
#: 3 short days, 2 replications; callback_offered at 1.15x its volume and half its
#: callbacks reaching the caller, so that there are offers, unreached attempts and a
#: queue on every day.
RUNS = {
    "callback_offered": ["center.volume_per_day=2415", "callbacks.reach_probability=0.5"],
    "blended_outbound": [],
}


@cache
def replications(scenario: str) -> Replications:
    return sim.replicate(sim.compose([f"scenario={scenario}", "run.days=3", "run.warmup_s=3600",
                                      "run.replications=2", "run.workers=1",
                                      *RUNS[scenario]]))  # fmt: skip


def hand_count(calls: pd.DataFrame) -> pd.DataFrame:
    """Calls offered per type and outcome, counted from the calls table: after the
    warm-up, outbound dials left out (they are not calls offered)."""
    offered = calls[~calls["warmup"] & (calls["source"] != "outbound")]
    return pd.crosstab(offered["call_type"], offered["outcome"]).reindex(
        index=list(calls["call_type"].cat.categories),
        columns=["answered", "abandoned", "blocked", "closed", "unreached", "callback"],
        fill_value=0,
    ).rename(columns={"callback": "callback_accepted"})


@pytest.mark.parametrize("scenario", sorted(RUNS))
def test_outcomes_add_up_to_offered_for_every_type(scenario: str) -> None:
    per = replications(scenario).per_replication_by_type
    assert set(OUTCOMES) <= set(per.columns)
    assert len(per) == 2 * per["call_type"].nunique()
    total = per[list(OUTCOMES)].sum(axis=1)
    bad = per.loc[total != per["offered"], ["replication", "call_type", "offered", *OUTCOMES]]
    assert bad.empty, f"outcomes do not add up to offered:\n{bad}"


@pytest.mark.parametrize("scenario", sorted(RUNS))
def test_outcome_columns_equal_a_hand_count_of_the_calls(scenario: str) -> None:
    reps = replications(scenario)
    first = reps.per_replication_by_type
    first = first[first["replication"] == 0].set_index("call_type")
    expected = hand_count(reps.calls)
    for key in OUTCOMES:
        assert first[key].astype(int).to_dict() == expected[key].to_dict(), key
    assert (first["offered"] == expected.sum(axis=1)).all()


def test_callback_types_have_unreached_attempts_and_acceptances() -> None:
    """The case the trial found: the callback type's unreached attempts and the parent's
    acceptances are there, and they are what the sum was missing."""
    per = replications("callback_offered").per_replication_by_type.set_index(
        ["replication", "call_type"]
    )
    for r in (0, 1):
        parent, cb = per.loc[(r, "general")], per.loc[(r, "general_callback")]
        assert cb["unreached"] > 0 and cb["callback_accepted"] == 0
        assert parent["callback_accepted"] > 0 and parent["unreached"] == 0
        assert cb["offered"] > cb["answered"] + cb["closed"]  # what the table used to show


def test_blended_outbound_dials_are_no_outcomes_of_the_campaign() -> None:
    """Dials are not calls offered (docs/reference/outputs.md): the campaign's row is all
    0, though the calls table has unreached dials."""
    reps = replications("blended_outbound")
    per = reps.per_replication_by_type.set_index(["replication", "call_type"])
    for r in (0, 1):
        assert (per.loc[(r, "retention"), ["offered", *OUTCOMES]] == 0).all()
    assert (reps.calls["outcome"] == "unreached").any()


def test_summary_line_of_a_callback_type_names_its_outcomes() -> None:
    reps = replications("callback_offered")
    s = reps.summary_by_type.set_index(["call_type", "kpi"])["mean"]
    (line,) = [x for x in breakdown_lines(reps) if "general_callback" in x]
    assert "see callbacks" in line
    for key in ("answered", "unreached", "closed"):
        value = float(s[("general_callback", key)])
        assert f"{key} {value:,.1f}" in line or f"{key} {value:,.0f}" in line, (key, line)
