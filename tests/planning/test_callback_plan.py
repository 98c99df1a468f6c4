"""Planning a centre with callbacks (issue 15): the callback types (``<type>_callback``)
are not planned as call types (sim.planning.skillformulas, docs/background/plan-groups.md).

A callback caller is a fresh call of the parent type who left the line, so the parent's
forecast already holds the callback's work: the formulas of the centre with callbacks
are exactly those of the same centre without them (no second count, no target of the
callback type's own, no NaN from its zero forecast and infinite patience), and the
simulation search ignores the callback type's service level.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.app.plan_groups import write_planned_yaml
from sim.config.compose import compose
from sim.config.validation import load_scenario
from sim.planning.groupmodel import group_model
from sim.planning.groupsearch import _margins
from sim.planning.skillformulas import (
    inbound_index,
    pooled_requirements,
    type_requirements,
    type_targets,
)

CB = ["model=planning", "scenario=callback_offered", "run.days=1"]


def test_formulas_plan_the_inbound_types_as_without_callbacks() -> None:
    with_cb = load_scenario(compose(CB))
    without = load_scenario(compose([*CB, "callbacks.enabled=false"]))
    assert [t.name for t in with_cb.call_types] == ["general", "general_callback"]
    assert inbound_index(with_cb).tolist() == [0]
    methods = ["erlang_c", "erlang_a", "mmng"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was: RuntimeWarning, invalid value in multiply
        req = type_requirements(with_cb, type_targets(with_cb), methods)
        pooled = pooled_requirements(with_cb, type_targets(with_cb))
    ref = type_requirements(without, type_targets(without), methods)
    assert list(req["call_type"].cat.categories) == ["general"]
    pd.testing.assert_frame_equal(req.astype({"call_type": str}), ref.astype({"call_type": str}))
    np.testing.assert_array_equal(pooled, pooled_requirements(without, type_targets(without)))
    assert pooled.sum() > 0


def test_search_margins_ignore_the_callback_type() -> None:
    model = group_model(load_scenario(compose(CB)))
    assert model.planned == (True, False)
    targets = type_targets(model.scenario)
    kp = pd.DataFrame({"service_level": [0.5, 0.9], "abandon_rate": [0.0, 0.0],
                       "asa_s": [5.0, 5.0], "offered": [10.0, 10.0]})  # fmt: skip
    m = _margins([kp, kp], targets, model.planned)
    np.testing.assert_allclose(m[0], kp["service_level"] - targets[0].sl_target)
    assert np.isinf(m[1]).all() and (m[1] > 0).all()  # never a reason to add agents


def test_planned_yaml_staffs_the_centre_without_agent_groups(tmp_path: Path) -> None:
    """callback_offered has no ``agent_groups`` (its one group is ``staffing.*``): the
    plan goes back as ``staffing.agents`` (it was an empty ``agent_groups`` list, and the
    simulation silently ran the scenario's own staffing)."""
    model = group_model(load_scenario(compose(CB)))
    tt = model.scenario.timetable
    plan = np.arange(1, 1 + tt.n_intervals, dtype=np.int64)[None, :] % 7 + 3
    write_planned_yaml(model, plan, tmp_path / "plan" / "planned.yaml")
    written = yaml.safe_load((tmp_path / "plan" / "planned.yaml").read_text())
    assert written == {"staffing": {"agents": [plan[0].tolist()]}}
    # what +plan=planned merges (the group-plan feedback itself: test_groupplan.py, slow)
    agents = written["staffing"]["agents"]
    fed = load_scenario(compose([*CB, f"staffing.agents={agents}".replace(" ", "")]))
    np.testing.assert_array_equal(fed.agent_groups[0].staffing, plan.reshape(1, -1))
