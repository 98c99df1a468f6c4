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
