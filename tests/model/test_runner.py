"""Replications: confidence intervals, and the same numbers on any number of workers."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.model.runner import confidence_table, replicate

CFG = {"run": {"days": 1, "replications": 4}, "center": {"volume_per_day": 800.0}}


def test_confidence_table_is_the_student_t_interval() -> None:
    per = pd.DataFrame({"replication": [0, 1, 2, 3], "x": [1.0, 2.0, 3.0, 6.0]})
    row = confidence_table(per, 0.9).loc["x"]
    half = stats.t.ppf(0.95, 3) * np.std([1, 2, 3, 6], ddof=1) / 2
    assert row["mean"] == 3.0
    assert np.isclose(row["half_width"], half)
    assert np.isclose(row["ci_low"], 3.0 - half) and np.isclose(row["ci_high"], 3.0 + half)


def test_workers_do_not_change_the_numbers() -> None:
    serial = replicate(CFG, workers=1)
    parallel = replicate(CFG, workers=2)
    pd.testing.assert_frame_equal(serial.per_replication, parallel.per_replication)
    pd.testing.assert_frame_equal(serial.intervals, parallel.intervals)
    pd.testing.assert_frame_equal(serial.calls, parallel.calls)


def test_replications_are_independent_and_tables_are_tidy() -> None:
    reps = replicate(CFG)
    per = reps.per_replication
    assert per["replication"].tolist() == [0, 1, 2, 3]
    assert per["offered"].nunique() > 1
    assert sorted(reps.intervals["replication"].unique()) == [0, 1, 2, 3]
    assert reps.summary.loc["offered", "n"] == 4


def test_auto_workers() -> None:
    from sim.config.validation import load_config
    from sim.model.runner import MIN_PARALLEL_CALLS, auto_workers

    cores = len(os.sched_getaffinity(0))
    long = load_config({"run": {"days": 10}, "center": {"volume_per_day": MIN_PARALLEL_CALLS}})
    short = load_config({"run": {"days": 1}, "center": {"volume_per_day": 100.0}})
    assert auto_workers(long, 1) == 1  # one replication: no process
    assert auto_workers(long, 30) == cores
    assert auto_workers(long, 2) == min(cores, 2)
    assert auto_workers(short, 30) == 1  # too short to pay for a process
    assert load_config({}).run.workers == 0
    with pytest.raises(ValueError, match="workers"):
        replicate(short, replications=2, workers=-1)


def test_the_callbacks_table_keeps_every_replication() -> None:
    """The callbacks table of every replication, stacked with a ``replication`` column
    (it kept replication 0 only): each replication's rows are that replication's own
    table, bit for bit, serial or in worker processes, and the callback KPIs of each
    replication are counted from its rows."""
    import sim
    from sim.model.callcenter import CallCenter
    from sim.outputs.callbacks import CALLBACK_COLUMNS

    cfg = sim.compose(["scenario=callback_offered", "run.days=2", "run.replications=3",
                       "center.volume_per_day=2600"])  # fmt: skip
    serial, parallel = replicate(cfg, workers=1), replicate(cfg, workers=2)
    cb = serial.callbacks
    assert list(cb.columns) == [*CALLBACK_COLUMNS, "replication"]
    assert sorted(cb["replication"].unique()) == [0, 1, 2]
    pd.testing.assert_frame_equal(cb, parallel.callbacks)
    model = CallCenter(cfg)
    per = serial.per_replication_callbacks.set_index("replication")
    for r in range(3):
        own = cb[cb["replication"] == r].drop(columns="replication").reset_index(drop=True)
        pd.testing.assert_frame_equal(own, model.run(r).callbacks)
        assert per.loc[r, "callback_offers"] == (~own["warmup"]).sum() > 0
    # without callbacks: the empty table, as before
    plain = replicate(CFG)
    assert plain.callbacks.empty and "replication" not in plain.callbacks.columns
