"""Figures per call type and per agent group (issue 14): the average day of each type
(offered calls, service level against the type's own target, abandonment) and of each
group (agents scheduled and present, occupancy, calls answered).

Drawn from the tidy ``intervals_by_type`` / ``intervals_by_group`` tables of all
replications, in the project's style (:mod:`sim.report.style`): one line per type or
group, told apart by colour, marker and line style; axes with units; the scenario
first in the title. Each interval of the day is averaged over days and replications,
counts as means per day and rates as ratios of sums, as
:func:`sim.report.plots.intraday_profile` does for the centre. The figures are
returned open; the caller saves and closes them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, TypeAlias

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.report.plots import sl_base
from sim.report.style import (
    COLORS,
    LINESTYLES,
    figure_style,
    line_style,
    scenario_title,
    unit_label,
)

__all__ = ["agent_groups_figure", "call_types_figure", "profile_by"]

_CLOCK_AXIS = unit_label("interval start", "time of day, HH:MM")
#: One type (group) of a figure: index, name, rows of its average day, x positions.
_Entry: TypeAlias = tuple[int, str, pd.DataFrame, npt.NDArray[Any]]
#: One panel: (y name, y unit), (y bottom, y top or None), title.
_Panel: TypeAlias = tuple[tuple[str, str], tuple[float, float | None], str]


def profile_by(table: pd.DataFrame, by: str,
               callback_types: Collection[str] | None = None) -> pd.DataFrame:  # fmt: skip
    """The average day of each value of ``by`` (``call_type`` or ``agent_group``): one
    row per value and interval of the day, sorted by value (config order) and interval.

    Counts (``offered``, ``answered``, ``expected_calls``, agents) are means per day;
    ``service_level``, ``abandon_rate``, ``asa_s`` and ``occupancy`` ratios of sums over
    days and replications (columns the table lacks are left out). ``callback_types``
    (a run with callbacks; None: without): the service level of every other type leaves
    out the callers who took a callback (:func:`sim.report.plots.sl_base`).
    """
    base = "offered"
    if callback_types is not None and "answered_within_sl" in table:
        inbound = ~table[by].astype(str).isin(list(callback_types)).to_numpy()
        table = table.assign(sl_base=np.where(inbound, sl_base(table), table["offered"]))
        base = "sl_base"
    keys = [by, "interval", "clock"]
    g = table.groupby(keys, sort=True, observed=True)
    out = g.size().rename("n").to_frame()
    means = [c for c in ("offered", "answered", "expected_calls", "scheduled_agents",
                         "agents_present", "sl_target", "sl_threshold_s") if c in table]  # fmt: skip
    out = out.join(g[means].mean())
    sums = [c for c in ("offered", "answered", "abandoned", "answered_within_sl",
                        "busy_agent_s", "available_agent_s", "sl_base") if c in table]  # fmt: skip
    total = g[sums].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        if "answered_within_sl" in total:
            out["service_level"] = total["answered_within_sl"] / total[base]
            out["abandon_rate"] = total["abandoned"] / total["offered"]
            wait = (
                (table["asa_s"].fillna(0) * table["answered"])
                .groupby([table[k] for k in keys], sort=True, observed=True)
                .sum()
            )
            out["asa_s"] = wait / total["answered"]
        if "busy_agent_s" in total:
            out["occupancy"] = total["busy_agent_s"] / total["available_agent_s"]
    return out.reset_index()


def _clock_axis(ax: Axes, clocks: list[str]) -> None:
    x = np.arange(len(clocks))
    step = max(1, len(clocks) // 12)
    ax.set_xticks(x[::step], clocks[::step], rotation=45)
    ax.set_xlabel(_CLOCK_AXIS)


def _reference(i: int) -> dict[str, object]:
    """A flat reference line (a type's target, a group's schedule) in entry ``i``'s
    colour and line style, thin and without markers."""
    return {"color": COLORS[i % len(COLORS)], "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": "", "linewidth": 1.3, "alpha": 0.8, "zorder": 3}  # fmt: skip


def _legend(fig: Figure, handles: list[Artist], title: str, per_row: int) -> None:
    """One legend for the three panels, under them: a row per type (group)."""
    order = [h for j in range(per_row) for h in handles[j::per_row]]  # column-major fill
    fig.legend(handles=order, title=title, loc="outside lower center", ncol=per_row)


def _entries(table: pd.DataFrame, by: str, callback_types: Collection[str] | None = None
             ) -> tuple[pd.DataFrame, list[str], list[_Entry]]:  # fmt: skip
    """The average day of each value of ``by`` (:func:`profile_by`, with
    ``callback_types``), the clock labels of its intervals, and per value (config
    order): its index, name, rows and their x positions on the clock axis."""
    p = profile_by(table, by, callback_types)
    clocks = list(dict.fromkeys(p.sort_values("interval")["clock"]))
    x_of = {c: i for i, c in enumerate(clocks)}
    names = list(p[by].cat.categories) if isinstance(p[by].dtype, pd.CategoricalDtype) else \
        list(dict.fromkeys(p[by]))  # fmt: skip
    entries = []
    for i, name in enumerate(names):
        rows = p[p[by] == name]
        entries.append((i, str(name), rows, rows["clock"].map(x_of).to_numpy()))
    return p, clocks, entries


def _three_panels() -> tuple[Figure, npt.NDArray[Any]]:
    """The figure of three panels side by side, sharing the clock axis."""
    return plt.subplots(1, 3, figsize=(13, 5.2), sharex=True, layout="constrained")


def _label_panels(axes: npt.NDArray[Any], clocks: list[str], panels: Sequence[_Panel]) -> None:
    """Each panel's y label (name, unit), y range (bottom, top; None: matplotlib's) and
    title; then the clock axis under each."""
    for ax, ((name, unit), (bottom, top), title) in zip(axes, panels, strict=True):
        ax.set_ylabel(unit_label(name, unit))
        ax.set_ylim(bottom, top)
        ax.set_title(title)
    for ax in axes:
        _clock_axis(ax, clocks)


def _finish(fig: Figure, handles: list[Artist], legend: str, per_row: int, title: str,
            scenario: str | None) -> Figure:  # fmt: skip
    """The legend under the panels and the title, the scenario first."""
    _legend(fig, handles, legend, per_row)
    fig.suptitle(scenario_title(scenario, title) if scenario else title)
    return fig


def call_types_figure(intervals_by_type: pd.DataFrame, title: str,
                      scenario: str | None = None,
                      callback_types: Collection[str] | None = None) -> Figure:  # fmt: skip
    """Three panels over the day, one line per call type: offered calls (forecast
    thin), service level against the type's own target (thin, flat), abandonment;
    one legend under the panels. 13 x 5.2 inches.

    ``callback_types`` (a run with callbacks, :func:`profile_by`): those types have no
    forecast and no target of their own (their callers are the parent type's; their
    service is in the report's callbacks section), so neither line is drawn for them.
    """
    _, clocks, entries = _entries(intervals_by_type, "call_type", callback_types)
    skip = set(callback_types or ())
    with figure_style():
        fig, axes = _three_panels()
        handles: list[Artist] = []
        for i, name, rows, x in entries:
            n = len(x)
            handles += axes[0].plot(x, rows["offered"], label=name, **line_style(i, n))
            axes[1].plot(x, 100 * rows["service_level"], label=name, **line_style(i, n))
            if name in skip:  # keeps the legend's rows: one per type, three entries each
                handles += [Line2D([], [], linestyle="none", label=f"{name}: no forecast, "
                                   "no target (see callbacks)"), Line2D([], [], linestyle="none",
                                                                        label=" ")]  # fmt: skip
                axes[2].plot(x, 100 * rows["abandon_rate"], label=name, **line_style(i, n))
                continue
            if rows["expected_calls"].notna().any():
                handles += axes[0].plot(x, rows["expected_calls"], label=f"{name}: forecast",
                                        **_reference(i))  # fmt: skip
            target = float(rows["sl_target"].iloc[0])
            threshold = float(rows["sl_threshold_s"].iloc[0])
            handles.append(axes[1].axhline(100 * target, label=f"{name}: target "
                           f"{100 * target:.0f}% in {threshold:g} s", **_reference(i)))  # fmt: skip
            axes[2].plot(x, 100 * rows["abandon_rate"], label=name, **line_style(i, n))
        _label_panels(axes, clocks, [
            (("offered calls", "calls per interval"), (0, None), "Offered calls and forecast"),
            (("service level", "% of offered"), (0, 105), "Service level against target"),
            (("abandoned", "% of offered"), (0, None), "Abandonment"),
        ])  # fmt: skip
        return _finish(fig, handles, "call type (service level: answered within the type's "
                       "own threshold)", len(handles) // len(entries), title, scenario)  # fmt: skip


def agent_groups_figure(intervals_by_group: pd.DataFrame, title: str,
                        scenario: str | None = None) -> Figure:  # fmt: skip
    """Three panels over the day, one line per agent group: agents present (scheduled
    thin, as steps), occupancy, calls answered; one legend under the panels.
    13 x 5.2 inches."""
    p, clocks, entries = _entries(intervals_by_group, "agent_group")
    with figure_style():
        fig, axes = _three_panels()
        handles: list[Artist] = []
        for i, name, rows, x in entries:
            n = len(x)
            handles += axes[0].plot(x, rows["agents_present"], label=f"{name}: present",
                                    **line_style(i, n))  # fmt: skip
            handles += axes[0].step(x, rows["scheduled_agents"], where="mid",
                                    label=f"{name}: scheduled", **_reference(i))  # fmt: skip
            axes[1].plot(x, 100 * rows["occupancy"], label=name, **line_style(i, n))
            axes[2].plot(x, rows["answered"], label=name, **line_style(i, n))
        top = np.nanmax(p[["agents_present", "scheduled_agents"]].to_numpy(dtype=float))
        _label_panels(axes, clocks, [
            (("agents on the phones", "agents"),
             (0, 1.15 * top if np.isfinite(top) and top > 0 else None),
             "Agents present and scheduled"),
            (("occupancy", "% of agent time present"), (0, 105), "Occupancy"),
            (("calls answered", "calls per interval"), (0, None), "Calls answered (by arrival)"),
        ])  # fmt: skip
        return _finish(fig, handles, "agent group", 2, title, scenario)
