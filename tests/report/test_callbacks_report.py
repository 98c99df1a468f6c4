"""The report of a run with callbacks (issue 15): the figures count the service level
the way the summary does (the calls that stayed on the line,
docs/background/metrics.md), the per-type figure draws no forecast or target for a
callback type, and the summary text has no stop-gap line any more. The page itself
renders in headless Chromium in tests/report/test_report.py."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.config.validation import load_config
from sim.model.callcenter import simulate
from sim.model.runner import replicate
from sim.report.breakdown_plots import call_types_figure, profile_by
from sim.report.plots import intraday_profile, sl_base
from sim.report.writer import summary_text

CENTRE: dict[str, Any] = {
    "run": {"days": 1, "seed": 3, "warmup_s": 3600.0, "replications": 2},
    "center": {"open_time": "00:00", "close_time": "24:00", "interval_min": 60,
               "volume_per_day": 0.9 * 5 / 240.0 * 86400.0},
    "staffing": {"agents": 5},
    "service": {"talk": {"kind": "exponential", "mean_s": 240.0},
                "acw": {"kind": "deterministic", "value_s": 0.0}},
    "patience": {"kind": "exponential", "mean_s": 300.0},
    "callbacks": {"enabled": True, "threshold_s": 60.0, "accept_probability": 0.5},
}  # fmt: skip


def _on_line(calls: pd.DataFrame) -> pd.DataFrame:
    c = calls[~calls["warmup"]]
    return c[(c["source"] != "callback") & (c["outcome"] != "callback")]


def test_sl_base_is_the_count_of_calls_on_the_line() -> None:
    res = simulate(CENTRE)
    counted = _on_line(res.calls).groupby("interval").size()
    base = sl_base(res.intervals).set_axis(res.intervals["interval"])
    assert (res.intervals["offered"] > base).any()  # some callers took a callback
    assert res.intervals["answered_within_sl"].eq(0).any()  # the fallback is exercised
    np.testing.assert_array_equal(base[counted.index].to_numpy(), counted.to_numpy())
    p = intraday_profile(res.intervals, callbacks=True)
    assert np.isclose(
        (p["service_level"] * base.to_numpy()).sum() / base.sum(), res.summary["service_level"]
    )


def test_type_figure_draws_no_forecast_or_target_for_the_callback_type() -> None:
    reps = replicate(load_config({**CENTRE, "run": {**CENTRE["run"], "replications": 1}}),
                     workers=1)  # fmt: skip
    table = reps.intervals_by_type
    p = profile_by(table, "call_type", ["general_callback"]).set_index(["call_type", "interval"])
    assert reps.calls is not None
    on_line = _on_line(reps.calls)
    within = on_line["outcome"].eq("answered") & on_line["wait_s"].le(20.0)
    hand = within.groupby(on_line["interval"]).sum() / on_line.groupby("interval").size()
    np.testing.assert_allclose(p.loc["general", "service_level"].loc[hand.index], hand,
                               rtol=1e-12)  # fmt: skip
    cb = reps.calls[reps.calls["call_type"].eq("general_callback") & ~reps.calls["warmup"]]
    mine = cb["outcome"].eq("answered") & cb["wait_s"].le(20.0)
    hand = mine.groupby(cb["interval"]).sum() / cb.groupby("interval").size()
    np.testing.assert_allclose(p.loc["general_callback", "service_level"].loc[hand.index],
                               hand, rtol=1e-12)  # its own attempts  # fmt: skip
    fig = call_types_figure(table, "t", callback_types=["general_callback"])
    offered_ax, sl_ax = fig.axes[0], fig.axes[1]
    labels0 = [ln.get_label() for ln in offered_ax.get_lines()]
    labels1 = [ln.get_label() for ln in sl_ax.get_lines()]
    assert labels0 == ["general", "general: forecast", "general_callback"]
    assert labels1 == ["general", "general: target 80% in 20 s", "general_callback"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "general_callback: no forecast, no target (see callbacks)" in legend


def test_summary_text_has_the_headline_and_callbacks_on_time() -> None:
    reps = replicate(load_config(CENTRE), workers=1)
    text = summary_text(reps)
    assert "of calls on the line" not in text  # the stop-gap sub-line is gone
    assert "callbacks on time" in text
    assert "(with callbacks: of the calls that stayed on the line" in text
    sl = float(reps.summary.loc["service_level", "mean"])
    assert f"service level (20 s)          {100 * sl:.1f}%" in text
    # the delay's line says which way it counts, and the callback lines stay aligned
    after = text.split("\n  callbacks:\n", 1)[1].splitlines()
    lines = after[: next(i for i, ln in enumerate(after) if not ln.startswith("    "))]
    assert len(lines) == 5, lines
    delay = next(ln for ln in lines if "callback delay past the promise" in ln)
    assert "(< 0: early)" in delay
    assert len({len(ln) - len(ln[4:].split("  ", 1)[1].lstrip()) for ln in lines}) == 1, lines
