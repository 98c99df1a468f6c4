"""Issues, resolution and repeat contacts inside the event loop (``sim.customers.journey``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.core.timetable import DAY_S
from sim.customers.experience import ExperienceRule
from sim.model.callcenter import CallCenter


def centre(days: int = 3, **sections: Any) -> dict[str, Any]:
    """An 08:00-20:00 centre at load ~0.95 with redials (a queue that abandons)."""
    cfg: dict[str, Any] = {
        "center": {"open_time": "08:00", "close_time": "20:00", "interval_min": 60,
                   "volume_per_day": 1900.0},
        "staffing": {"agents": 12},
        "service": {"talk": {"kind": "exponential", "mean_s": 200.0},
                    "acw": {"kind": "deterministic", "value_s": 10.0}},
        "redials": {"probability": 0.5, "max_attempts": 3},
        "run": {"days": days},
    }  # fmt: skip
    for key, value in sections.items():
        cfg[key] = {**cfg.get(key, {}), **value}
    return cfg


class FakePopulation:
    """Records what the journey hands over; every fresh call is a new customer."""

    def __init__(self) -> None:
        self.next_id = 0
        self.ended: list[tuple[int, np.ndarray, np.ndarray]] = []

    @property
    def n_active(self) -> int:
        return 1000

    def pick(self, n: int) -> np.ndarray:
        ids = np.arange(self.next_id, self.next_id + n)
        self.next_id += n
        return ids

    def end_of_day(self, day: int, customer: np.ndarray, memory: np.ndarray) -> None:
        self.ended.append((day, customer.copy(), memory.copy()))


def run_with_fake(cfg: dict[str, Any]) -> tuple[pd.DataFrame, FakePopulation]:
    cc = CallCenter(cfg)
    engine = cc.engine(0)
    fake = FakePopulation()
    assert engine.journey is not None
    engine.journey.population = fake
    log = engine.run()
    return cc.tabulate(log, 0, cc.expected_calls(engine.fresh)).calls, fake


def test_active_journey_with_full_resolution_changes_nothing() -> None:
    """A journey that is active but resolves everything and is never rude: same queue,
    and the engine's scalar ratings equal the calls table's vectorised ones."""
    base = CallCenter(centre()).run(0).calls
    cfg = centre(experience={"discourtesy_probability": 1e-300})  # active, never happens
    cc = CallCenter(cfg)
    assert cc.engine(0).journey.active  # type: ignore[union-attr]
    active = cc.run(0).calls
    for col in ("arrival_s", "wait_s", "patience_s", "agent_id", "issue_id", "attempt"):
        assert np.array_equal(active[col].to_numpy(), base[col].to_numpy()), col
    assert active["outcome"].equals(base["outcome"])
    assert active["experience"].equals(base["experience"])
    assert active["resolved"].equals(base["resolved"])


def test_repeat_contacts_follow_unresolved_answers() -> None:
    """fcr 0.5, recontact 1, 3 contacts: each unresolved answer before the last contact is
    followed by one repeat of the same issue and customer, in opening hours, later."""
    cfg = centre(resolution={"fcr": 0.5, "recontact_probability": 1.0, "max_contacts": 3,
                             "recontact_delay": {"kind": "exponential", "mean_s": 3600.0}})  # fmt: skip
    calls, _ = run_with_fake(cfg)
    ans = calls[calls["outcome"] == "answered"]
    end = ans["arrival_s"] + ans["wait_s"] + ans["handle_s"]
    unresolved = ans[~ans["resolved"].astype(bool)]
    repeats = calls[calls["source"] == "repeat"]
    assert len(repeats) > 200
    assert (repeats["attempt"] == 1).all() and (repeats["contact"] >= 2).all()
    assert (calls["contact"] <= 3).all() and (repeats["interval"] >= 0).all()  # open hours
    # Every repeat's previous contact: the last answered, unresolved call of the issue.
    prev = unresolved.set_index("issue_id")
    for _, r in repeats.iterrows():
        before = prev.loc[[r["issue_id"]]]
        before = before[before["contact"] == r["contact"] - 1]
        assert len(before) == 1
        b = before.iloc[0]
        assert r["customer_id"] == b["customer_id"]
        assert r["arrival_s"] > b["arrival_s"] + b["wait_s"] + b["handle_s"]
    # Every unresolved answer below contact 3 got its repeat, unless the repeat would
    # have come after the last day: those are all answered on the last day.
    expected = unresolved[unresolved["contact"] < 3]
    followed = set(zip(repeats["issue_id"], repeats["contact"] - 1, strict=True))
    missing = expected[
        [p not in followed for p in zip(expected["issue_id"], expected["contact"], strict=True)]
    ]
    assert len(missing) < 0.1 * len(expected) and (missing["day"] == 2).all()
    assert end.max() < 3 * DAY_S


def test_fcr_is_estimated_within_its_standard_error() -> None:
    """Summary fcr ~ resolution.fcr: resolution is a Bernoulli(fcr) per answered contact.

    n ~ 5,000 issues with an answered contact: SE = sqrt(0.7 x 0.3 / n) ~ 0.0065; we
    allow 4 SE (two-sided 6e-5 false-alarm probability)."""
    cc = CallCenter(centre(resolution={"fcr": 0.7, "recontact_probability": 0.49}))
    s = cc.run(0).summary
    n = s["answered"] - s["repeats"]  # roughly the issues with an answered contact
    se = math.sqrt(0.7 * 0.3 / n)
    assert abs(s["fcr"] - 0.7) < 4 * se
    assert s["repeats"] > 0


def test_fresh_calls_do_not_move_with_resolution() -> None:
    """Common random numbers: repeats draw from their own streams."""
    a = CallCenter(centre()).run(0).calls
    b = CallCenter(centre(resolution={"fcr": 0.6, "recontact_probability": 0.5})).run(0).calls
    fa, fb = a[a["source"] == "fresh"], b[b["source"] == "fresh"]
    for col in ("arrival_s", "patience_s"):
        assert np.array_equal(fa[col].to_numpy(), fb[col].to_numpy())


def test_every_issue_ends_once_with_its_peak_end_memory() -> None:
    """The population hears of each finished issue exactly once, with the memory the
    peak-end rule gives over the issue's rated attempts (recomputed here from the table)."""
    cfg = centre(resolution={"fcr": 0.6, "recontact_probability": 0.6,
                             "recontact_delay": {"kind": "exponential", "mean_s": 7200.0}})  # fmt: skip
    calls, fake = run_with_fake(cfg)
    days = [d for d, _, _ in fake.ended]
    assert days == [0, 1, 2]
    customer = np.concatenate([c for _, c, _ in fake.ended])
    memory = np.concatenate([m for _, _, m in fake.ended])
    assert len(np.unique(customer)) == len(customer)  # one issue per fake customer
    rule = ExperienceRule(CallCenter(cfg).config.experience)
    code = calls["experience"].cat.codes.to_numpy() - 1
    by_issue = pd.DataFrame({"issue": calls["issue_id"], "customer": calls["customer_id"],
                             "r": code}).groupby("issue", sort=False)  # fmt: skip
    want: dict[int, int] = {}
    for _, g in by_issue:
        r = g["r"].tolist()
        peak = -1 if -1 in r else max(r)
        want[int(g["customer"].iloc[0])] = rule.remember(peak, r[-1])
    got = dict(zip(customer.tolist(), memory.tolist(), strict=True))
    open_issues = set(want) - set(got)  # repeats or redials pending past the horizon
    assert len(open_issues) < 0.02 * len(want)
    assert all(got[c] == want[c] for c in got)
    assert set(got.values()) == {-1, 0, 1}


@pytest.mark.parametrize("hours", [("08:00", "20:00"), ("00:00", "24:00")])
def test_held_repeats_change_nothing(monkeypatch: Any, hours: tuple[str, str]) -> None:
    """Repeat contacts of later windows wait in the journey and go onto the calendar at
    their exact time (a short calendar, for speed), and those due after closing are
    timed and held in bulk when the next day opens: the run is the same, bit for bit,
    as with every repeat timed and put on the calendar when it is decided (a release
    window longer than the run). Round the clock (no closing), every repeat is timed
    as it is decided."""
    import sim.customers.repeats as repeats

    cfg = centre(days=5, resolution={"fcr": 0.5, "recontact_probability": 0.9,
                                     "recontact_delay": {"kind": "exponential", "mean_s": 5e4}},
                 center={"open_time": hours[0], "close_time": hours[1]})  # fmt: skip
    held = CallCenter(cfg).run(0).calls
    monkeypatch.setattr(repeats, "RELEASE_S", 1e15)
    direct = CallCenter(cfg).run(0).calls
    assert (held["source"] == "repeat").sum() > 500
    pd.testing.assert_frame_equal(held, direct)
