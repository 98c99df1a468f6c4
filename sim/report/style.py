"""One figure style for every figure of callsim: run figures, studies, sweep reports.

Why one style: figures end up side by side on slides, in reports and on paper printed
in black and white. So every figure of the project

* is drawn with the same fonts and sizes, large enough to read on a slide (12 pt text
  on a figure about 12 inches wide, 2 pt lines);
* tells its lines apart by colour AND marker AND line style (:data:`CYCLE`): the colours
  are the Okabe-Ito palette (safe for colour-blind readers), and no two entries share
  a marker or a line-style/marker pair, so a grayscale print still separates them;
* labels every axis with its unit, ``"quantity (unit)"`` (:func:`unit_label`);
  :func:`unlabelled_axes` finds the axes that break this rule;
* names its scenario: the figure title starts with the scenario name
  (:func:`scenario_title`), and a legend whose lines are scenarios or sweep values
  carries the name of what varies as its title (:func:`scenario_legend`).

Use it as a context manager around the drawing (``with figure_style(): ...``), or
:func:`apply_style` once at the top of a script. Nothing here needs a screen: the Agg
backend is selected on import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from cycler import Cycler, cycler
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

__all__ = [
    "COLORS",
    "CYCLE",
    "DPI",
    "LINESTYLES",
    "MARKERS",
    "RC",
    "REFERENCE",
    "apply_style",
    "figure_style",
    "has_unit",
    "legend_cover",
    "line_style",
    "place_legend",
    "scenario_legend",
    "scenario_title",
    "unit_label",
    "unlabelled_axes",
]

#: Okabe-Ito colours (black first), distinguishable with the common colour blindnesses;
#: every one dark enough to show on white when printed in gray.
COLORS = (
    "#000000",  # black
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#666666",  # dark grey (instead of Okabe-Ito's yellow, too faint on white and in gray)
)
#: One marker per cycle entry: in black and white the marker alone tells lines apart.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Line styles, solid and dashed patterns (dash, dot, dash-dot, long dash, dash-dot-dot).
LINESTYLES: tuple[Any, ...] = (
    "-",
    "--",
    ":",
    "-.",
    (0, (8, 3)),
    (0, (3, 1, 1, 1, 1, 1)),
    (0, (1, 3)),
    (0, (6, 2, 1, 2)),
)
#: The property cycle: colour, marker and line style change together (zipped, not
#: crossed), so entry i differs from entry j in all three.
CYCLE: Cycler[str, Any] = (
    cycler(color=list(COLORS)) + cycler(marker=list(MARKERS)) + cycler(linestyle=list(LINESTYLES))
)

#: Resolution of saved figures, dots per inch (a 12 x 7.5 inch figure is 1320 x 825 px).
DPI = 110

#: The rcParams of the style; sizes in points.
RC: dict[str, Any] = {
    "axes.prop_cycle": CYCLE,
    "font.size": 12.0,
    "axes.titlesize": 13.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 12.0,
    "xtick.labelsize": 11.0,
    "ytick.labelsize": 11.0,
    "legend.fontsize": 10.0,
    "legend.title_fontsize": 10.0,
    "legend.framealpha": 0.9,
    "figure.titlesize": 15.0,
    "figure.titleweight": "bold",
    "figure.dpi": 100.0,
    "savefig.dpi": float(DPI),
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "lines.linewidth": 2.0,
    "lines.markersize": 6.0,
    "errorbar.capsize": 4.0,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linestyle": "-",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "cividis",  # perceptually uniform and readable in grayscale
    "svg.fonttype": "none",
    # text is text: a scenario called "$\\foo$" must not go through math parsing (and crash)
    "text.parse_math": False,
}


def apply_style() -> None:
    """Set :data:`RC` globally (for scripts that only draw callsim figures)."""
    plt.rcParams.update(cast(Any, RC))  # RC's keys are valid rcParams


@contextmanager
def figure_style() -> Iterator[None]:
    """Draw (and save) inside this block with :data:`RC`; the old rcParams come back after."""
    with plt.rc_context(cast(Any, RC)):
        yield


def line_style(i: int, n_points: int | None = None) -> dict[str, Any]:
    """Colour, marker and line style of entry ``i`` of :data:`CYCLE` (wrapping around).

    For lines drawn on a twin axis or in a fixed role, so that they keep their own look
    instead of restarting the cycle. With ``n_points`` the markers are thinned to about
    24 per line (``markevery``), so long series stay readable.
    """
    props: dict[str, Any] = dict(list(CYCLE)[i % len(CYCLE)])
    if n_points is not None and n_points > 24:
        props["markevery"] = max(1, n_points // 24)
    return props


#: Reference lines (targets, thresholds): grey, dashed, no marker.
REFERENCE: dict[str, Any] = {"color": "0.35", "linestyle": "--", "marker": "", "linewidth": 1.5}


def unit_label(quantity: str, unit: str) -> str:
    """An axis label ``"quantity (unit)"``, e.g. ``unit_label("ASA", "s")`` -> ``"ASA (s)"``."""
    if not quantity.strip() or not unit.strip():
        raise ValueError(f"unit_label({quantity!r}, {unit!r}): quantity and unit must be non-empty")
    return f"{quantity} ({unit})"


_UNIT = re.compile(r"\(([^()]*\S[^()]*)\)\s*$")


def has_unit(label: str) -> bool:
    """Whether ``label`` ends with a unit in parentheses, as :func:`unit_label` writes it."""
    return bool(_UNIT.search(label))


def scenario_title(scenario: str, what: str) -> str:
    """A figure title that names its scenario first: ``"baseline: average day"``."""
    return f"{scenario}: {what}"


def scenario_legend(ax: Axes, title: str | None = None, **kwargs: Any) -> Legend:
    """A legend whose entries are scenarios (or values of a swept key) named by ``title``.

    The line labels should be the scenario names (or ``"key=value"``); ``title`` says
    what they are, e.g. the swept config key. Extra ``kwargs`` go to ``ax.legend``.
    """
    return ax.legend(title=title, **kwargs)


def unlabelled_axes(fig: Figure) -> list[str]:
    """Axes of ``fig`` that break the unit rule, as readable complaints (empty = fine).

    The figure is drawn first (tick labels exist only then). Every visible y axis needs a
    label with a unit; every x axis that shows tick labels needs one too (the upper
    panels of a shared x axis and the twin of a ``twinx`` show none, so need none).
    """
    fig.canvas.draw()
    problems = []
    for i, ax in enumerate(fig.axes):
        name = f"axes {i} ({ax.get_title() or 'untitled'})"
        for axis, letter in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if not axis.get_visible():
                continue
            shows_ticks = any(t.get_visible() and t.get_text() for t in axis.get_ticklabels())
            if letter == "x" and not shows_ticks:
                continue
            label = axis.get_label_text()
            if not has_unit(label):
                problems.append(f"{name}: {letter} label {label!r} has no unit '(...)'")
    return problems


#: Where :func:`place_legend` tries a legend, in order of preference.
LEGEND_PLACES = ("upper left", "upper right", "lower left", "lower right", "upper center",
                 "lower center", "center left", "center right", "center")  # fmt: skip


def _ink(ax: Axes) -> np.ndarray:
    """Display coordinates of what ``ax`` draws: the points of its lines (with 8 more
    along each segment, so a line crossing a box counts) and the outlines of its bands."""
    parts = []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = np.column_stack([np.asarray(line.get_xdata(), float),
                              np.asarray(line.get_ydata(), float)])  # fmt: skip
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) > 1:
            t = np.linspace(0.0, 1.0, 9)[:-1, None, None]
            xy = np.concatenate([(xy[:-1] + t * (xy[1:] - xy[:-1])).reshape(-1, 2), xy[-1:]])
        if len(xy):  # the line's own transform: axhline's x is in axes fractions
            parts.append(line.get_transform().transform(xy))
    for coll in ax.collections:
        if isinstance(coll, PolyCollection):
            for path in coll.get_paths():
                vertices = np.asarray(path.vertices, dtype=float)
                vertices = vertices[np.isfinite(vertices).all(axis=1)]
                if len(vertices):
                    parts.append(coll.get_transform().transform(vertices))
    return np.concatenate(parts) if parts else np.empty((0, 2))


def legend_cover(legend: Legend, axes: Sequence[Axes]) -> int:
    """How many drawn points of ``axes`` (lines, band outlines) fall under ``legend``.

    The figure must have been drawn (its layout done) for the box to be in place.
    """
    renderer = legend.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    box: Bbox = legend.get_window_extent(renderer)
    points = np.concatenate([_ink(ax) for ax in axes]) if axes else np.empty((0, 2))
    inside = ((points[:, 0] >= box.x0) & (points[:, 0] <= box.x1)
              & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1))  # fmt: skip
    return int(inside.sum())


def place_legend(
    ax: Axes,
    handles: Sequence[Any] | None = None,
    labels: Sequence[str] | None = None,
    also: Sequence[Axes] = (),
    headroom: int = 3,
    **kwargs: Any,
) -> Legend:
    """A legend on ``ax`` where it covers the fewest drawn points of ``ax`` and ``also``
    (a twin axis, whose lines matplotlib's ``loc="best"`` does not see), trying
    :data:`LEGEND_PLACES` in turn (the first free one wins). If every place covers
    something, the y axes of ``ax`` and ``also`` get 25% more room above the data, up to
    ``headroom`` times (fix the ticks beforehand if an axis must not show values past a
    bound, such as 100%). Draws the figure to fix its layout. ``handles``/``labels``
    default to those of ``ax`` and ``also``.
    """
    if handles is None or labels is None:
        found = [a.get_legend_handles_labels() for a in (ax, *also)]
        handles = [h for hs, _ in found for h in hs]
        labels = [label for _, ls in found for label in ls]
    best: tuple[int, str] | None = None
    for _ in range(headroom + 1):
        ax.figure.canvas.draw()
        for place in LEGEND_PLACES:
            legend = ax.legend(handles, labels, loc=cast(Any, place), **kwargs)
            cover = legend_cover(legend, (ax, *also))
            if best is None or cover < best[0]:
                best = (cover, place)
            if cover == 0:
                return legend
        for a in (ax, *also):  # no free place: more room above the data, and try again
            low, high = a.get_ylim()
            a.set_ylim(low, high + 0.25 * (high - low))
    assert best is not None
    return ax.legend(handles, labels, loc=cast(Any, best[1]), **kwargs)
