"""The report's sections per call type and per agent group (issue 14), for
:func:`sim.report.html_report.run_report`, and their lines in the summary text.

Shown only when the run has several call types (several agent groups): a centre with
one queue and one pool of agents sees nothing more than before. Each section has a
table of the main KPIs per type (group) with their means and Student-t confidence
intervals over replications (``Replications.summary_by_type`` / ``summary_by_group``),
each type's service level against its own target, every KPI in a folded table, and a
figure of the average day (:mod:`sim.report.breakdown_plots`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.config.callbacks import CALLBACK_SUFFIX
from sim.model.runner import Replications
from sim.outputs.confidence import clipped
from sim.outputs.kpis import format_value
from sim.report.breakdown_plots import agent_groups_figure, call_types_figure
from sim.report.htmlkit import (
    Markup,
    esc,
    figure_png,
    format_kpi,
    img_figure,
    kpi_label,
    kpi_link,
    kpi_unit,
    target_verdict,
    verdict_text,
)
from sim.report.htmlkit import table as html_table

__all__ = [
    "GROUP_SHOWN",
    "TYPE_SHOWN",
    "bound_text",
    "breakdown_figure",
    "breakdown_figure_names",
    "breakdown_figures",
    "breakdown_lines",
    "breakdown_sections",
    "callback_type",
    "ci_text",
    "mean_ci",
    "outbound_type",
    "several",
    "type_targets",
    "wide_summary",
]

#: The KPIs of a call type in the report's table and the summary text, in order.
TYPE_SHOWN = ("offered", "service_level", "asa_s", "abandon_rate", "mean_handle_s")
#: The KPIs of an agent group in the report's table and the summary text, in order.
GROUP_SHOWN = ("answered", "answered_share", "occupancy", "present_hours", "mean_handle_s")


def several(table: pd.DataFrame, column: str) -> bool:
    """Whether ``table`` has more than one call type (agent group) in ``column``: the
    categories of a categorical column (types without calls count), else its values."""
    if column not in table.columns:
        return False
    col = table[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return len(col.cat.categories) > 1
    return col.nunique() > 1


def type_targets(reps: Replications) -> dict[str, tuple[float, float]]:
    """Each call type's (service-level threshold in seconds, target share), from the
    ``intervals_by_type`` table."""
    t = reps.intervals_by_type
    if t.empty:
        return {}
    first = t.drop_duplicates("call_type")
    return {
        str(r["call_type"]): (float(r["sl_threshold_s"]), float(r["sl_target"]))
        for r in first.to_dict("records")
    }


def callback_type(reps: Replications, name: str) -> bool:
    """Whether call type ``name`` is the callback type of a type that offers callbacks
    (:data:`sim.config.callbacks.CALLBACK_SUFFIX`)."""
    return bool(reps.config.callbacks.enabled) and name.endswith(CALLBACK_SUFFIX)


def outbound_type(reps: Replications, name: str) -> bool:
    """Whether call type ``name`` is an outbound campaign (``channel: outbound``)."""
    return any(t.name == name and t.channel == "outbound" for t in reps.config.call_types)


def mean_ci(row: pd.Series, kpi: str) -> str:
    """``mean ± half-width`` of a row of a long CI table, formatted as the KPI (the
    mean alone when either is not finite)."""
    mean, half = float(row["mean"]), float(row["half_width"])
    text = format_kpi(kpi, mean)
    if math.isfinite(half) and math.isfinite(mean):
        text += " ± " + format_kpi(kpi, half, like=mean)
    return text


def _verdict(row: pd.Series, target: float) -> Markup:
    """``met``/``missed`` by the mean, and whether the CI holds the target."""
    return target_verdict(float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]),
                          target, ">=", f">= {target:.0%}", missing="n/a")  # fmt: skip


def wide_summary(summary: pd.DataFrame, by: str) -> dict[str, dict[str, pd.Series]]:
    """name -> kpi -> row of the long CI table."""
    out: dict[str, dict[str, pd.Series]] = {}
    for _, r in summary.iterrows():
        out.setdefault(str(r[by]), {})[str(r["kpi"])] = r
    return out


def bound_text(r: pd.Series | Mapping[str, Any], kpi: str, col: str) -> tuple[str, bool]:
    """A confidence bound (``col``: ``ci_low`` or ``ci_high``) of KPI ``kpi``'s row of a
    CI table for reading, with `` *`` if it was clipped at the KPI's natural range
    (:func:`sim.outputs.confidence.clipped`); and whether it was."""
    mean, value = float(r["mean"]), float(r[col])
    cut = clipped(mean, float(r["half_width"]), value, col)
    return format_kpi(kpi, value, like=mean) + (" *" if cut else ""), cut


def ci_text(r: pd.Series | Mapping[str, Any], kpi: str, currency: str | None = None) -> str:
    """The confidence interval of a row of a CI table for the summary text: ``± half-width``
    or, when a bound was clipped at the KPI's natural range (a count below 0, a share
    above 100%), ``(CI low to high, clipped at b)``; ``""`` when the half-width is not
    finite (one replication)."""
    mean, half = float(r["mean"]), float(r["half_width"])
    if not (math.isfinite(half) and math.isfinite(mean)):
        return ""

    def text(v: float) -> str:
        return format_value(kpi, v, like=mean, currency=currency)

    low, high = float(r["ci_low"]), float(r["ci_high"])
    cut = [b for b, side in ((low, "ci_low"), (high, "ci_high")) if clipped(mean, half, b, side)]
    if not cut:
        return f"± {text(half)}"
    return f"(CI {text(low)} to {text(high)}, clipped at {' and '.join(map(text, cut))})"


def _every_kpi(summary: pd.DataFrame, by: str, what: str, table_id: str) -> str:
    rows, clipped = [], False
    for _, r in summary.iterrows():
        kpi = str(r["kpi"])
        (low, c_low), (high, c_high) = bound_text(r, kpi, "ci_low"), bound_text(r, kpi, "ci_high")
        clipped |= c_low or c_high
        rows.append([str(r[by]), kpi_link(str(r["kpi"])),
                     *(format_kpi(str(r["kpi"]), float(r[c]), like=float(r["mean"]))
                       for c in ("mean", "half_width")), low, high, f"{float(r['n']):.0f}"])  # fmt: skip
    note = ('<p class="note">* clipped at the natural bound (a count or a time is never '
            "below 0, a share never outside 0-100%): the Student-t interval, symmetric "
            "around the mean, reaches past it when replications vary a lot relative to "
            "the mean.</p>") if clipped else ""  # fmt: skip
    return "\n".join([
        f"<details><summary>Every KPI of every {esc(what)}</summary>",
        html_table([what, "KPI", "mean", "half-width", "CI low", "CI high", "n"], rows,
                   table_id, text_columns=(0, 1)),
        note,
        "</details>",
    ])  # fmt: skip


def _header(kpis: tuple[str, ...]) -> list[str]:
    return [f"{kpi_label(k)} ({kpi_unit(k)})" for k in kpis]


def breakdown_figure_names(reps: Replications) -> list[str]:
    """The names of :func:`breakdown_figures`, in order, without drawing them."""
    if not reps.config.output.figures:
        return []
    return [name for name, table, by in (("call_types", reps.intervals_by_type, "call_type"),
                                         ("agent_groups", reps.intervals_by_group, "agent_group"))
            if several(table, by)]  # fmt: skip


def breakdown_figure(reps: Replications, name: str) -> bytes:
    """Figure ``name`` (``call_types`` or ``agent_groups``) as PNG bytes."""
    cfg = reps.config
    if name == "call_types":
        names = reps.intervals_by_type["call_type"].astype(str).unique()
        callbacks = [n for n in names if callback_type(reps, n)] if cfg.callbacks.enabled else None
        return figure_png(call_types_figure(
            reps.intervals_by_type, title="average day per call type", scenario=cfg.run.name,
            callback_types=callbacks))  # fmt: skip
    if name == "agent_groups":
        return figure_png(agent_groups_figure(
            reps.intervals_by_group, title="average day per agent group", scenario=cfg.run.name))  # fmt: skip
    raise ValueError(f"no breakdown figure {name!r} (call_types, agent_groups)")


def breakdown_figures(reps: Replications) -> dict[str, bytes]:
    """The figures per call type (``call_types``) and per agent group (``agent_groups``)
    as PNG bytes, each only when there are several; none if ``output.figures`` is false."""
    return {name: breakdown_figure(reps, name) for name in breakdown_figure_names(reps)}


CAPTIONS = {
    "call_types": "The average day of each call type (averaged over days and "
    "replications): offered calls against the type's forecast; service level (answered "
    "within the type's own threshold / offered) against the type's target; abandonment.",
    "agent_groups": "The average day of each agent group: agents present (scheduled as "
    "thin steps); occupancy (busy / present agent time); calls the group answered, by "
    "interval of arrival.",
}


def breakdown_sections(reps: Replications, figures: Mapping[str, bytes]) -> list[str]:
    """The HTML of the "Call types" and "Agent groups" sections (empty with one type
    and one group); ``figures`` from :func:`breakdown_figures`."""
    cfg = reps.config
    n = len(reps.per_replication)
    conf = f"{cfg.metrics.confidence:.0%}"
    out: list[str] = []
    if several(reps.intervals_by_type, "call_type"):
        targets = type_targets(reps)
        wide = wide_summary(reps.summary_by_type, "call_type")
        rows = []
        for name, kpis in wide.items():
            threshold, target = targets.get(name, (math.nan, math.nan))
            see = (Markup('a callback type: see <a href="#callbacks">Callbacks</a>')
                   if callback_type(reps, name)
                   else Markup('an outbound campaign: see <a href="#channels">Channels</a>')
                   if outbound_type(reps, name) else None)  # fmt: skip
            rows.append([name, *((f"{threshold:g} s", f"{target:.0%}") if see is None
                                 else ("–", "–")),  # no threshold or target of its own
                         *(mean_ci(kpis[k], k) for k in TYPE_SHOWN),
                         _verdict(kpis["service_level"], target) if see is None else see])  # fmt: skip
        header = ["call type", "threshold", "target", *_header(TYPE_SHOWN), "against target"]
        out += [
            '<h2 id="call-types">Call types</h2>',
            f'<p class="note">Estimate ± half-width of the {conf} Student-t confidence '
            f"interval over {n} replication(s); shares and averages per call are pooled "
            "ratios, counts are means (estimator: see Key figures). Each type's service level counts the calls answered "
            "within that type's own threshold; the centre's line in Key figures uses "
            f"metrics.sl_threshold_s ({cfg.metrics.sl_threshold_s:g} s) for every call.</p>",
            html_table(header, rows, "call-types", text_columns=(0, len(header) - 1)),
            _every_kpi(reps.summary_by_type, "call_type", "call type", "call-types-all"),
        ]
        if "call_types" in figures:
            out.append(img_figure(figures["call_types"], alt=f"{cfg.run.name}: call types figure",
                                  caption=CAPTIONS["call_types"], fig_id="figure-call_types"))  # fmt: skip
    if several(reps.intervals_by_group, "agent_group"):
        wide = wide_summary(reps.summary_by_group, "agent_group")
        rows = [[name, *(mean_ci(kpis[k], k) for k in GROUP_SHOWN)] for name, kpis in wide.items()]
        out += [
            '<h2 id="agent-groups">Agent groups</h2>',
            f'<p class="note">Estimate ± half-width of the {conf} Student-t confidence '
            f"interval over {n} replication(s); shares and averages per call are pooled "
            "ratios, counts are means (estimator: see Key figures). A call counts for the group of the agent who answered "
            "it; agent time from the warm-up to the end of the run.</p>",
            html_table(["agent group", *_header(GROUP_SHOWN)], rows, "agent-groups"),
            _every_kpi(reps.summary_by_group, "agent_group", "agent group", "agent-groups-all"),
        ]
        if "agent_groups" in figures:
            out.append(img_figure(figures["agent_groups"],
                                  alt=f"{cfg.run.name}: agent groups figure",
                                  caption=CAPTIONS["agent_groups"], fig_id="figure-agent_groups"))  # fmt: skip
    return out


def _with_ci(r: pd.Series, kpi: str, multi: bool) -> str:
    """The mean of a row of a CI table and, over several replications, its :func:`ci_text`."""
    text = format_kpi(kpi, float(r["mean"]))
    ci = ci_text(r, kpi) if multi else ""
    return f"{text} {ci}" if ci else text


def breakdown_lines(reps: Replications) -> list[str]:
    """Lines of the summary text per call type and per agent group (none with one of
    each): service level against the type's target, ASA, abandonment; occupancy and
    share of the calls answered."""
    lines: list[str] = []
    multi = len(reps.per_replication) > 1
    if several(reps.intervals_by_type, "call_type"):
        targets = type_targets(reps)
        lines.append("  per call type:")
        for name, k in wide_summary(reps.summary_by_type, "call_type").items():
            if outbound_type(reps, name):  # no calls offered: see the channels lines
                continue
            if callback_type(reps, name):  # its service is the callbacks' (lines below)
                outcomes = ", ".join(f"{key} {format_kpi(key, float(k[key]['mean']))}"
                                     for key in ("answered", "unreached", "closed"))
                lines.append(f"    {name:<20}callback attempts "
                             f"{format_kpi('offered', float(k['offered']['mean']))}: "
                             f"{outcomes}; see callbacks")  # fmt: skip
                continue
            threshold, target = targets.get(name, (math.nan, math.nan))
            sl = k["service_level"]
            text = _with_ci(sl, "service_level", multi)
            low, high = ((float(sl["ci_low"]), float(sl["ci_high"])) if multi
                         else (math.nan, math.nan))  # fmt: skip
            verdict = verdict_text(float(sl["mean"]), low, high, target)
            lines.append(
                f"    {name:<20}service level ({threshold:g} s) {text} ({verdict}), "
                f"ASA {format_kpi('asa_s', float(k['asa_s']['mean']))}, abandoned "
                f"{format_kpi('abandon_rate', float(k['abandon_rate']['mean']))}"
            )
    if several(reps.intervals_by_group, "agent_group"):
        lines.append("  per agent group:")
        for name, k in wide_summary(reps.summary_by_group, "agent_group").items():
            occ = k["occupancy"]
            text = _with_ci(occ, "occupancy", multi)
            share = format_kpi("answered_share", float(k["answered_share"]["mean"]))
            lines.append(f"    {name:<20}occupancy {text}, answered {share} of the calls")
    return lines
