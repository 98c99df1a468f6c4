"""Your own SimPy processes with several agent groups (issue 14): ``Control.group`` and
``Control.move`` (``sim.queue.control``).

* A process that only reads each group changes nothing, bit for bit, and what it reads
  adds up to the centre's (present, busy) and agrees with the staff log.
* Moving agents from one group to another changes each group's agents present exactly
  by the number moved (the receiving group has reserve agents in that interval).
* Bad use: one line, a ValueError.
Deterministic (fixed seeds); a few seconds.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import pytest
import simpy

import sim
from sim.queue.control import Control

OPEN = {"open_time": "08:00", "close_time": "12:00", "interval_min": 60,
        "volume_per_day": 700.0, "after_close": "drain"}  # fmt: skip
TYPES = [{"name": "x", "share": 0.6}, {"name": "y", "share": 0.4}]
#: group b has 5 agents in the first two hours and 8 after: 3 in reserve early on
GROUPS = [
    {"name": "a", "agents": 8, "skills": {"x": 1}},
    {"name": "b", "agents": [5, 5, 8, 8], "skills": {"y": 1, "x": 2}},
]


def config(**extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {"run": {"days": 2, "seed": 3}, "center": OPEN,
                           "call_types": TYPES, "agent_groups": GROUPS}  # fmt: skip
    cfg.update(extra)
    return cfg


def present_at(log: Any, group: int, t: float) -> int:
    """Agents of ``group`` present at engine time ``t`` (after the changes at t)."""
    mine = log.staff_group == group
    times, counts = log.staff_time_s[mine], log.staff_present[mine]
    k = np.searchsorted(times, t, side="right") - 1
    return int(counts[k]) if k >= 0 else 0


def test_reading_groups_changes_nothing_and_adds_up() -> None:
    seen: list[tuple[float, list[int], list[int], int, int]] = []

    def watcher(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        while True:
            yield env.timeout(97.0)
            groups = [control.group(g) for g in range(control.n_groups)]
            assert sum(g.present for g in groups) == control.present
            assert sum(g.busy for g in groups) == control.busy
            assert all(g.idle + g.busy == g.present for g in groups)
            assert groups[1].waiting == control.waiting  # b takes both types
            seen.append((control.now, [g.present for g in groups], [g.busy for g in groups],
                         groups[0].waiting, control.waiting))  # fmt: skip

    cc = sim.CallCenter(config())
    plain, watched = cc.run(0), cc.run(0, processes=[watcher])
    assert cc.engine(0).skills is not None and len(seen) > 100
    for name in ("calls", "intervals", "summary_by_group", "intervals_by_group"):
        a, b = getattr(plain, name), getattr(watched, name)
        assert a.equals(b), name
    log = cc.engine(0).run()
    for now, present, _, _, _ in seen:  # the staff log says the same, per group
        assert present == [present_at(log, g, now) for g in range(2)]


def test_move_changes_each_group_by_the_number_moved() -> None:
    """At 09:00 (an hour after opening) two agents go from group a to group b; group b
    has three agents in reserve until 10:00, when its plan rises to 8."""
    t_move = 9 * 3600.0

    def supervisor(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(t_move)
        control.move(0, 1, 2)
        assert (control.group(0).extra, control.group(1).extra) == (-2, 2)
        assert control.group(1).target == 7 and control.group(0).target == 6

    cc = sim.CallCenter(config(run={"days": 1, "seed": 3}))
    plain = cc.engine(0).run()
    moved = cc.engine(0, processes=[supervisor]).run()
    assert present_at(plain, 1, t_move) == 5 and present_at(moved, 1, t_move) == 7
    # group a: 8 until its agents are idle; by 09:30 the two have finished their calls
    assert present_at(plain, 0, t_move + 1800) == 8
    assert present_at(moved, 0, t_move + 1800) == 6
    # from 10:00 group b's plan is 8: + 2 extra, but b has 8 agents in all
    assert present_at(moved, 1, 10 * 3600.0 + 1) == 8
    # the agents b took were b's own (its ids), and calls were answered by them
    ans = moved.agent_id[(moved.agent_id >= 0)]
    assert set(moved.group_of_agent[ans].tolist()) == {0, 1}


def test_bad_use_is_a_clear_error() -> None:
    errors: list[str] = []

    def misuse(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(9 * 3600.0)
        for act in (lambda: control.set_extra(1), lambda: control.group(2),
                    lambda: control.move(0, 1, -1)):  # fmt: skip
            try:
                act()
            except ValueError as exc:
                errors.append(str(exc))

    sim.CallCenter(config(run={"days": 1})).run(0, processes=[misuse])
    assert len(errors) == 3
    assert "control.group(g).set_extra(k)" in errors[0]
    assert "groups 0..1" in errors[1]
    assert ">= 0" in errors[2]

    one: list[str] = []

    def single(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(1.0)
        assert control.n_groups == 1
        with pytest.raises(ValueError, match="one agent group"):
            control.group(0)
        one.append("ok")

    sim.CallCenter({"run": {"days": 1}}).run(0, processes=[single])
    assert one == ["ok"]


def test_a_group_on_shifts_refuses_extra_agents() -> None:
    shifts = [{"name": "m", "start": "08:00", "length_h": 4}]
    groups = [dict(GROUPS[0], shifts=shifts, roster={"m": 8}), GROUPS[1]]
    errors: list[str] = []

    def supervisor(env: simpy.Environment, control: Control) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(9 * 3600.0)
        try:
            control.move(0, 1, 1)
        except ValueError as exc:
            errors.append(str(exc))
        control.group(1).set_extra(1)  # counts: fine

    cfg = config(run={"days": 1}, agent_groups=groups, workforce={"enabled": True})
    sim.CallCenter(cfg).run(0, processes=[supervisor])
    assert errors == ["extra agents need staffing by counts; this run uses shifts"]
