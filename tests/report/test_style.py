"""The figure style: lines stay distinguishable in grayscale, every axis has a unit,
the scenario is named, and the style leaves matplotlib's global state alone."""

from __future__ import annotations

import itertools
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest

from sim.model.runner import Replications, replicate
from sim.report.plots import agents_figure, days_figure, interval_figure
from sim.report.style import (
    CYCLE,
    RC,
    figure_style,
    has_unit,
    line_style,
    scenario_title,
    unit_label,
    unlabelled_axes,
)

# ------------------------------------------------------------------------------ grayscale


def gray_render(props: dict[str, Any]) -> np.ndarray:
    """One line with ``props`` over fixed data, drawn alone and returned as luminance in [0, 1].

    Same data, same axes, same size: two renders differ only by how the style looks.
    Luminance is ITU-R 601 (0.299 R + 0.587 G + 0.114 B), what a grayscale print keeps.
    """
    with figure_style():
        fig, ax = plt.subplots(figsize=(3, 2), dpi=80)
        x = np.linspace(0, 10, 12)
        ax.plot(x, np.sin(x), **props)
        ax.set_axis_off()
        ax.set_xlim(-0.5, 10.5)
        ax.set_ylim(-1.3, 1.3)
        fig.canvas.draw()
        rgba = np.asarray(fig.canvas.buffer_rgba(), dtype=float)[..., :3] / 255.0  # type: ignore[attr-defined]
        plt.close(fig)
    return rgba @ np.array([0.299, 0.587, 0.114])


def gray_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the inked pixels (of either render) whose gray level differs by > 0.25.

    0 for identical looks; a difference of marker, dash pattern or gray level gives a
    clear share. 0.25 is a quarter of the black-to-white range, well above the
    anti-aliasing noise of two renders of the same line (exactly 0 here: Agg is
    deterministic).
    """
    ink = (a < 0.9) | (b < 0.9)
    return float(np.mean(np.abs(a - b)[ink] > 0.25))


ENTRIES = [line_style(i) for i in range(len(CYCLE))]
RENDERS = [gray_render(p) for p in ENTRIES]


def test_cycle_varies_colour_marker_and_linestyle_together() -> None:
    markers = [e["marker"] for e in ENTRIES]
    styles = [str(e["linestyle"]) for e in ENTRIES]
    colours = [e["color"] for e in ENTRIES]
    assert len(ENTRIES) >= 6
    assert len(set(markers)) == len(ENTRIES), "two cycle entries share a marker"
    assert len(set(styles)) == len(ENTRIES), "two cycle entries share a line style"
    assert len(set(colours)) == len(ENTRIES), "two cycle entries share a colour"


def test_the_measure_can_fail() -> None:
    """Controls: the same look gives 0; colour alone (same luminance) gives about 0."""
    assert gray_difference(RENDERS[0], gray_render(ENTRIES[0])) == 0.0
    # Okabe-Ito vermillion and a gray of the same luminance: different in colour only
    vermillion = {"color": "#D55E00", "marker": "o", "linestyle": "-"}
    lum = np.array([0xD5, 0x5E, 0x00]) @ np.array([0.299, 0.587, 0.114]) / 255.0
    gray = {"color": str(round(float(lum), 3)), "marker": "o", "linestyle": "-"}
    assert gray_difference(gray_render(vermillion), gray_render(gray)) < 0.02  # measured 0


@pytest.mark.parametrize(
    ("i", "j"), list(itertools.combinations(range(len(ENTRIES)), 2)), ids=lambda v: str(v)
)
def test_every_pair_of_lines_differs_in_grayscale(i: int, j: int) -> None:
    # 0.10: at least a tenth of the inked pixels change; a marker or dash difference
    # gives 0.24-0.86 here; colour only (the control above) gives 0
    diff = gray_difference(RENDERS[i], RENDERS[j])
    assert diff > 0.10, f"entries {i} {ENTRIES[i]} and {j} {ENTRIES[j]} look alike in gray"


@pytest.mark.parametrize("i", range(len(ENTRIES)))
def test_every_line_shows_on_white_in_grayscale(i: int) -> None:
    # the darkest pixel of the line at most 0.7 gray: a clear contrast with white paper
    assert RENDERS[i].min() <= 0.7, f"entry {i} {ENTRIES[i]} is too faint in gray"


# ------------------------------------------------------------------------------ labels


@pytest.fixture(scope="module")
def reps() -> Replications:
    return replicate(
        {
            "run": {"name": "tiny_scenario", "days": 2, "replications": 2},
            "center": {"volume_per_day": 500.0},
            "staffing": {"agents": 6},
            "customers": {"enabled": True, "initial": 5000, "market_size": 20000},
            "workforce": {"enabled": True, "fatigue": {"enabled": True}},
        }
    )


def test_unit_helpers() -> None:
    assert unit_label("ASA", "s") == "ASA (s)"
    assert has_unit("ASA (s)") and has_unit("interval start (time of day, HH:MM)")
    assert not has_unit("ASA") and not has_unit("ASA ()") and not has_unit("")
    with pytest.raises(ValueError, match="non-empty"):
        unit_label("ASA", "")
    assert scenario_title("baseline", "average day") == "baseline: average day"


def test_unlabelled_axes_finds_a_missing_unit() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("day")  # no unit, and no y label at all
    problems = unlabelled_axes(fig)
    plt.close(fig)
    assert len(problems) == 2 and "x label 'day'" in problems[0]


def test_every_axis_of_the_run_figures_has_a_unit(reps: Replications) -> None:
    cfg = reps.config
    figs = [
        interval_figure(reps.intervals, "average day", cfg.metrics.sl_target,
                        cfg.metrics.sl_threshold_s, scenario=cfg.run.name),
        days_figure(reps.days, "customers and money", scenario=cfg.run.name),
        agents_figure(reps.days, "agents", scenario=cfg.run.name),
    ]  # fmt: skip
    for fig in figs:
        assert unlabelled_axes(fig) == []
        # both twin axes are checked too: 4 panels + 1 twin, 3 panels + 1 twin
        assert len(fig.axes) in (5, 4)
        title = fig.get_suptitle()
        assert title.startswith("tiny_scenario: "), title
        plt.close(fig)


def test_style_is_scoped() -> None:
    before = plt.rcParams["font.size"]
    with figure_style():
        assert plt.rcParams["font.size"] == RC["font.size"]
    assert plt.rcParams["font.size"] == before


# ------------------------------------------------------------- bands, axes and legends


def test_interval_bands_are_student_t_over_replications(reps: Replications) -> None:
    """The band of one interval is t(0.975, R-1) sd / sqrt(R) of the replications' own
    average days, computed here by hand for the service level of the first interval."""
    from scipy import stats

    from sim.report.plots import intraday_bands, intraday_profile

    iv = reps.intervals
    bands = intraday_bands(iv, 0.95)
    assert bands is not None and bands.attrs["replications"] == iv["replication"].nunique()
    first = iv[iv["interval"] == iv["interval"].min()]
    per_rep = [g["answered_within_sl"].sum() / g["offered"].sum()
               for _, g in first.groupby("replication")]  # fmt: skip
    r = len(per_rep)
    half = stats.t.ppf(0.975, r - 1) * np.std(per_rep, ddof=1) / np.sqrt(r)
    assert bands["service_level"].iloc[0] == pytest.approx(half, rel=1e-12)
    assert len(bands) == len(intraday_profile(iv))
    one = iv[iv["replication"] == iv["replication"].min()]
    assert intraday_bands(one) is None  # one replication: no band


def test_interval_figure_has_bands_only_with_replications(reps: Replications) -> None:
    from matplotlib.collections import PolyCollection

    cfg = reps.config
    iv = reps.intervals

    def banded(intervals: Any) -> list[int]:
        fig = interval_figure(intervals, "average day", cfg.metrics.sl_target,
                              cfg.metrics.sl_threshold_s)  # fmt: skip
        counts = [sum(isinstance(c, PolyCollection) for c in ax.collections)
                  for ax in fig.axes[:4] if ax.get_ylabel()]  # fmt: skip
        plt.close(fig)
        return counts

    assert all(n >= 1 for n in banded(iv)), banded(iv)
    assert sum(banded(iv[iv["replication"] == 0])) == 0


def test_days_axes_start_at_zero_and_hold_the_data(reps: Replications) -> None:
    """A cut axis made a 0.4% change of the customer base look steep."""
    fig = days_figure(reps.days, "customers and money", currency="EUR")
    for ax in fig.axes:
        low, high = ax.get_ylim()
        assert low <= 0.0, (ax.get_ylabel(), low)
        for line in ax.get_lines():
            y = np.asarray(line.get_ydata(), float)
            assert low <= np.nanmin(y) and np.nanmax(y) <= high, ax.get_ylabel()
    assert "day 1 to" in fig.axes[0].get_title() and "%" in fig.axes[0].get_title()
    plt.close(fig)


def test_legends_cover_no_line(reps: Replications) -> None:
    """Every legend of the run figures sits where it covers none of its panel's points
    (the twin axis's line included): the agents figure's covered its quit-hazard line."""
    from sim.report.style import legend_cover

    cfg = reps.config
    figs = [
        interval_figure(reps.intervals, "average day", cfg.metrics.sl_target,
                        cfg.metrics.sl_threshold_s),
        days_figure(reps.days, "customers and money"),
        agents_figure(reps.days, "agents"),
    ]
    for fig in figs:
        fig.canvas.draw()
        for ax in fig.axes:
            legend = ax.get_legend()
            if legend is None:
                continue
            twins = [o for o in fig.axes if o is not ax and o.bbox.bounds == ax.bbox.bounds]
            assert legend_cover(legend, [ax, *twins]) == 0, (fig.get_suptitle(), ax.get_title())
        plt.close(fig)


def test_legend_cover_counts_covered_points() -> None:
    """The measure itself: a legend over the data covers points, one in a corner does not."""
    from sim.report.style import legend_cover

    with figure_style():
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot([0, 1], [0.9, 0.9], label="high line")
        ax.set_ylim(0, 1)
        fig.canvas.draw()
        assert legend_cover(ax.legend(loc="upper left"), [ax]) > 0
        assert legend_cover(ax.legend(loc="lower left"), [ax]) == 0
        plt.close(fig)
