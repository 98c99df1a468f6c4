"""Self-contained HTML reports: one run (``report.html`` of a results folder), one sweep.

A report is a single HTML file to open in any browser, offline: CSS inline, figures as
base64 PNG, no JavaScript, no network (:mod:`sim.report.htmlkit`). It shows

* :func:`run_report`: the run's metadata, the KPI table with means and Student-t
  confidence intervals over replications (``Replications.summary``, as
  ``summary.json``), the KPIs of each replication, the figures of the results folder,
  the metric definitions (:data:`sim.outputs.metrics.KPI_DEFINITIONS`), the resolved config as
  YAML and the command-line overrides;
* :func:`sweep_report`: for a collected sweep table (one row per point and
  replication), the KPI means with confidence intervals per point
  (:func:`sim.model.runner.confidence_table`), one figure per main KPI against the first swept
  key with CI error bars (one line per value of the other swept keys), and the
  definitions. Written atomically.

Units (the KPI registry, :mod:`sim.outputs.kpis`): shares in %, times in seconds, money in
``economics.currency``; the tables
say so in their headers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from omegaconf import OmegaConf

from sim.core.files import atomic_write_text
from sim.core.schema import Config
from sim.model.runner import Replications, confidence_table
from sim.outputs.metrics import SUMMARY_KEYS
from sim.report.breakdown_report import CAPTIONS as BREAKDOWN_CAPTIONS
from sim.report.breakdown_report import (
    bound_text,
    breakdown_figure,
    breakdown_figure_names,
    breakdown_sections,
)
from sim.report.channels_report import channel_sections
from sim.report.htmlkit import (
    Markup,
    callsim_version,
    definitions_section,
    figure_png,
    format_kpi,
    img_figure,
    kpi_label,
    kpi_link,
    kpi_unit,
    page,
    pre,
    target_verdict,
    utc_now,
)
from sim.report.htmlkit import table as html_table
from sim.report.plots import agents_figure, days_figure, interval_figure
from sim.report.style import figure_style, line_style, scenario_legend, scenario_title, unit_label

__all__ = [
    "SWEEP_KPIS",
    "figure_names",
    "run_figure",
    "run_figures",
    "run_report",
    "sweep_figure",
    "sweep_report",
    "sweep_summary",
]

#: The KPIs a sweep report draws against the swept key (each only if in the table).
SWEEP_KPIS = ("service_level", "asa_s", "abandon_rate", "occupancy", "profit")


def _targets(cfg: Config) -> dict[str, tuple[float, str]]:
    """KPIs with a target in the config: name -> (target, ">=" or "<=")."""
    return {"service_level": (cfg.metrics.sl_target, ">=")}


def _target_text(kpi: str, r: pd.Series, targets: Mapping[str, tuple[float, str]]) -> Markup:
    """``met``/``missed`` (by the mean) for a KPI with a target, ``""`` otherwise; says
    when the confidence interval still holds the target."""
    if kpi not in targets:
        return Markup("")
    target, sense = targets[kpi]
    return target_verdict(float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]), target,
                          sense, f"{sense} {format_kpi(kpi, target)}")  # fmt: skip


def _kpi_table(summary: pd.DataFrame, confidence: float, cfg: Config | None = None,
               table_id: str = "kpis",
               estimator: Callable[[str], str] | None = None) -> str:  # fmt: skip
    """The KPI table of ``summary``; ``estimator(kpi)`` (``"ratio"`` or ``"mean"``,
    :meth:`Replications.estimator`), if given, fills an ``estimator`` column."""
    currency = cfg.economics.currency if cfg is not None else "currency units"
    targets = _targets(cfg) if cfg is not None else {}
    rows = []
    any_clipped = False
    for kpi, r in summary.iterrows():
        k = str(kpi)
        mean, half = float(r["mean"]), float(r["half_width"])
        low, low_clipped = bound_text(r, k, "ci_low")
        high, high_clipped = bound_text(r, k, "ci_high")
        any_clipped |= low_clipped or high_clipped
        rows.append(
            [
                kpi_link(k),
                kpi_unit(k, currency),
                format_kpi(k, mean),
                "± " + format_kpi(k, half, like=mean) if math.isfinite(half) else "n/a",
                low,
                high,
                format_kpi(k, float(r["sd"]), like=mean),
                f"{float(r['n']):.0f}",
                *([_ESTIMATOR_TEXT[estimator(k)]] if estimator is not None else []),
                _target_text(k, r, targets),
            ]
        )
    ci = f"{confidence:.0%} CI"
    header = ["KPI", "unit", "estimate", "half-width", f"{ci} low", f"{ci} high", "sd", "n",
              *(["estimator"] if estimator is not None else []), "target"]  # fmt: skip
    note = ""
    if any_clipped:
        note = (
            '<p class="note">* clipped at the natural bound (a count is never below 0, a '
            "share never outside 0-100%): the Student-t interval, symmetric around the "
            "mean, reaches past it when replications vary a lot relative to the mean.</p>"
        )
    text = (0, 1, 8, 9) if estimator is not None else (0, 1, 8)
    return html_table(header, rows, table_id=table_id, text_columns=text) + note


def _callback_section(reps: Replications) -> list[str]:
    """The callbacks section (``callbacks.enabled`` only): the callback KPIs."""
    cfg = reps.config
    if not cfg.callbacks.enabled or not len(reps.summary_callbacks):
        return []
    c = cfg.callbacks
    how = ("keep their place in the line" if c.mode == "keep_place" else
           "are called back from the promised time")  # fmt: skip
    return [
        '<h2 id="callbacks">Callbacks</h2>',
        f'<p class="note">Offered when the predicted wait ({c.predictor} predictor) reaches '
        f"{c.threshold_s:g} s; callers who accept leave the line and {how}. Service levels "
        f"with T = {cfg.metrics.sl_threshold_s:g} s. Definitions: "
        "docs/background/callbacks.md.</p>",
        _kpi_table(reps.summary_callbacks, cfg.metrics.confidence, cfg, "callback-kpis",
                   reps.estimator),
    ]


def _with_callbacks(reps: Replications) -> bool:
    return bool(reps.config.callbacks.enabled and len(reps.summary_callbacks))


def _key_figures(reps: Replications) -> pd.DataFrame:
    """The Key figures table's rows: the summary, and with callbacks the callbacks'
    on-time rate (``callback_service_level``) right after the service level."""
    if not _with_callbacks(reps):
        return reps.summary
    s = reps.summary
    at = list(s.index).index("service_level") + 1
    extra = reps.summary_callbacks.loc[["callback_service_level"], list(s.columns)]
    return pd.concat([s.iloc[:at], extra, s.iloc[at:]])


def _callback_note(reps: Replications) -> list[str]:
    """One note under Key figures (callbacks only): what the service level counts."""
    if not _with_callbacks(reps):
        return []
    t = reps.config.metrics.sl_threshold_s
    return [
        '<p class="note">With callbacks, the queue figures count the inbound calls: the '
        "service level is that of the calls that stayed on the line (a caller who took a "
        "callback left it and is not in it), and callbacks on time are the callbacks "
        f"begun within {t:g} s of their promise / callbacks accepted. Callback attempts "
        "are outbound work (section Callbacks); occupancy counts every minute of it. "
        "Definitions: docs/background/metrics.md.</p>"
    ]


#: The ``estimator`` column of the KPI tables, by :meth:`Replications.estimator`.
_ESTIMATOR_TEXT = {"ratio": "pooled ratio", "mean": "mean"}


def _estimator_note(n: int, conf: float) -> str:
    """The note under Key figures: which estimate each row is (its ``estimator``)."""
    return (
        f'<p class="note">Estimator "pooled ratio" (service level, abandonment, ASA, '
        f"occupancy and the other shares and averages per call): all numerators over all "
        f"denominators of the {n} replication(s), with the {conf:.0%} delta-method "
        "Student-t confidence interval; it can differ from the average of the KPIs of "
        "each replication below, which weighs a quiet replication as much as a busy one "
        "(docs/background/metrics.md, section \"Ratios over replications\"). Estimator "
        f'"mean" (counts, money, customers, workforce): the mean over the {n} replication(s) and the '
        f"{conf:.0%} Student-t confidence interval of the mean. Half-width: estimate ± "
        "this. n/a: not defined (no calls of that kind, customers not tracked, or a single "
        "replication).</p>"
    )


# ------------------------------------------------------------------------------ one run
_CAPTIONS = {
    "intervals": "The average day, per planning interval (averaged over days and "
    "replications): offered calls against forecast and scheduled agents; service level "
    "against its target; average speed of answer; abandonment and agent occupancy. "
    "Shaded: the confidence interval over replications (with 2 replications or more).",
    "days": "Customers and money per day, means over replications (shaded: range of the "
    "replications): active customers; customers lost and won; revenue, profit and agent "
    "cost. Every axis starts at 0; the subtitles give the change from the first day.",
    "agents": "Agents per day, means over replications: headcount (shaded: range of the "
    "replications) and trainees; quits and hires since day 1; fatigue and the quit hazard "
    "it implies.",
}


def figure_names(reps: Replications) -> list[str]:
    """The names of the run's figures (:func:`run_figures`), in order, without drawing them."""
    cfg = reps.config
    if not cfg.output.figures:
        return []
    return ["intervals", *(["days"] if cfg.customers.enabled else []),
            *(["agents"] if cfg.workforce.enabled else []), *breakdown_figure_names(reps)]  # fmt: skip


def run_figure(reps: Replications, name: str) -> bytes:
    """The run's figure ``name`` (one of :func:`figure_names`) as PNG bytes."""
    cfg = reps.config
    if name == "intervals":
        return figure_png(
            interval_figure(
                reps.intervals,
                title=f"average day ({cfg.center.name})",
                sl_target=cfg.metrics.sl_target,
                sl_threshold_s=cfg.metrics.sl_threshold_s,
                scenario=cfg.run.name,
                confidence=cfg.metrics.confidence,
                callbacks=cfg.callbacks.enabled,
            )
        )
    if name == "days":
        return figure_png(
            days_figure(
                reps.days,
                title="customers and money",
                scenario=cfg.run.name,
                currency=cfg.economics.currency,
            )
        )
    if name == "agents":
        return figure_png(agents_figure(reps.days, title="agents", scenario=cfg.run.name))
    return breakdown_figure(reps, name)  # several call types or agent groups only


def run_figures(
    reps: Replications, on_figure: Callable[[str], None] | None = None
) -> dict[str, bytes]:
    """The run's figures as PNG bytes, by name (``intervals``, ``days``, ``agents``,
    ``call_types``, ``agent_groups``).

    Empty when ``output.figures`` is false; ``days`` only when customers are tracked,
    ``agents`` only with ``workforce.enabled``, ``call_types`` (``agent_groups``) only
    with several call types (agent groups).
    The same bytes go to ``figures/<name>.png`` and into ``report.html``.
    ``on_figure(name)``, if given, is called before each figure is drawn (progress).
    """
    figs = {}
    for name in figure_names(reps):
        if on_figure is not None:
            on_figure(name)
        figs[name] = run_figure(reps, name)
    return figs


def run_report(
    reps: Replications,
    overrides: list[str] | None = None,
    *,
    figures: Mapping[str, bytes] | None = None,
) -> str:
    """The HTML report of one run: metadata, KPI table, figures, definitions, config.

    ``overrides`` are the command-line overrides (``None``: not a command-line run).
    ``figures`` (name -> PNG bytes) are embedded as given; by default they are drawn
    with :func:`run_figures` (none if ``output.figures`` is false).
    """
    cfg = reps.config
    figs = run_figures(reps) if figures is None else dict(figures)
    n = len(reps.per_replication)
    conf = cfg.metrics.confidence
    meta = [
        ("scenario (run.name)", cfg.run.name),
        ("centre (center.name)", cfg.center.name),
        ("created (UTC)", utc_now()),
        ("callsim version", callsim_version()),
        ("simulated days (run.days)", cfg.run.days),
        ("replications", n),
        ("opening hours", f"{cfg.center.open_time}-{cfg.center.close_time}"),
        ("planning interval (center.interval_min)", f"{cfg.center.interval_min} min"),
        ("warm-up (run.warmup_s)", f"{cfg.run.warmup_s:g} s"),
        ("root seed (run.seed)", cfg.run.seed),
        ("service level threshold (metrics.sl_threshold_s)", f"{cfg.metrics.sl_threshold_s:g} s"),
        ("service level target (metrics.sl_target)", f"{cfg.metrics.sl_target:.0%}"),
        ("confidence level (metrics.confidence)", f"{conf:.0%}"),
        ("customers tracked (customers.enabled)", "yes" if cfg.customers.enabled else "no"),
    ]
    sections = [
        '<h2 id="run">Run</h2>',
        html_table(["", "value"], meta, table_id="metadata", text_columns=(0, 1)),
        '<h2 id="kpi-section">Key figures</h2>',
        _estimator_note(n, conf),
        *_callback_note(reps),
        _kpi_table(_key_figures(reps), conf, cfg, estimator=reps.estimator),
    ]
    per = reps.per_replication.set_index("replication").T
    rows = [
        [kpi_link(str(k)), *(format_kpi(str(k), float(v)) for v in per.loc[k])] for k in per.index
    ]
    sections += [
        "<details><summary>KPIs of each replication</summary>",
        html_table(["KPI", *(f"replication {r}" for r in per.columns)], rows, "replications"),
        "</details>",
        *breakdown_sections(reps, figs),  # several call types or agent groups only
        *_callback_section(reps),
        *channel_sections(reps),  # chat or e-mail types only
        '<h2 id="figures">Figures</h2>',
    ]
    figs = {name: png for name, png in figs.items() if name not in BREAKDOWN_CAPTIONS}
    if figs:
        sections += [
            img_figure(
                png,
                alt=f"{cfg.run.name}: {name} figure",
                caption=_CAPTIONS.get(name, name),
                fig_id=f"figure-{name}",
            )
            for name, png in figs.items()
        ]
    else:
        sections.append('<p class="note">No figures: output.figures is false.</p>')
    sections.append(definitions_section(list(reps.summary.index)))
    if overrides is None:
        over = "(not a command-line run)"
    else:
        over = "\n".join(overrides) if overrides else "(none)"
    sections += [
        '<h2 id="overrides">Overrides</h2>',
        pre(over),
        '<h2 id="config">Resolved configuration</h2>',
        "<details><summary>The whole configuration of the run (YAML)</summary>",
        pre(OmegaConf.to_yaml(OmegaConf.structured(cfg))),
        "</details>",
    ]
    subtitle = (
        f"{cfg.run.days} day(s) x {n} replication(s), "
        f"{cfg.center.open_time}-{cfg.center.close_time}, seed {cfg.run.seed}"
    )
    return page(f"callsim report: {cfg.run.name}", subtitle, sections)


# ------------------------------------------------------------------------------ a sweep
def _check_sweep(table_: pd.DataFrame, params: Sequence[str]) -> list[str]:
    missing = [c for c in ("point", *params) if c not in table_.columns]
    if missing:
        raise ValueError(
            f"sweep table: column(s) {missing} missing; it has {list(table_.columns)} "
            "(needs 'point', the swept keys given as params, and KPI columns)"
        )
    if not params:
        raise ValueError("sweep report: params = []: name at least one swept config key")
    kpis = [k for k in SUMMARY_KEYS if k in table_.columns]
    if not kpis:
        raise ValueError(
            f"sweep table: no KPI column of sim.outputs.metrics.SUMMARY_KEYS in {list(table_.columns)}"
        )
    varying = table_.groupby("point")[list(params)].nunique(dropna=False).max()
    bad = [p for p in params if varying[p] > 1]
    if bad:
        raise ValueError(f"sweep table: swept key(s) {bad} take several values within one point")
    return kpis


def sweep_summary(
    table: pd.DataFrame, params: Sequence[str], confidence: float = 0.95
) -> pd.DataFrame:
    """KPI means with Student-t CIs per sweep point, long form.

    One row per point and KPI: ``point``, the ``params``, ``kpi``, then the columns of
    :func:`sim.model.runner.confidence_table` (``mean``, ``sd``, ``n``, ``half_width``,
    ``ci_low``, ``ci_high``) over that point's replications.
    """
    kpis = _check_sweep(table, params)
    frames = []
    for point, rows in table.groupby("point", sort=True):
        ci = confidence_table(rows[kpis], confidence).reset_index()
        for p in params:
            ci.insert(0, p, rows[p].iloc[0])
        ci.insert(0, "point", point)
        frames.append(ci)
    return pd.concat(frames, ignore_index=True)


def _key_unit(key: str) -> str:
    """The unit of a config key, from its name (config keys state their unit there)."""
    for suffix, unit in (("_s", "s"), ("_min", "min"), ("_days", "days"), ("agents", "agents")):
        if key.endswith(suffix):
            return unit
    return "value of the key"


def sweep_figure(
    summary: pd.DataFrame,
    params: Sequence[str],
    kpi: str,
    title: str,
    currency: str = "currency units",
) -> Figure:
    """``kpi`` (mean, CI error bars) against ``params[0]``; a line per value of the rest.
    Money is labelled in ``currency`` (``economics.currency``)."""
    s = summary[summary["kpi"] == kpi]
    x_key, rest = params[0], list(params[1:])
    numeric = pd.api.types.is_numeric_dtype(s[x_key])
    cats = list(dict.fromkeys(s[x_key].sort_values().tolist()))  # categorical positions
    scale = 100.0 if kpi_unit(kpi) == "%" else 1.0
    groups = s.groupby(rest, sort=True, dropna=False) if rest else [((), s)]
    with figure_style():
        fig, ax = plt.subplots(figsize=(7, 4.6), layout="constrained")
        for i, (values, g) in enumerate(groups):
            g = g.sort_values(x_key)
            xs = (
                g[x_key].to_numpy(float) if numeric else np.array([cats.index(v) for v in g[x_key]])
            )
            vals = values if isinstance(values, tuple) else (values,)
            # the legend's title names the keys: one key -> just its value
            pairs = zip(rest, vals, strict=True)
            label = str(vals[0]) if len(rest) == 1 else ", ".join(f"{k}={v}" for k, v in pairs)
            ax.errorbar(
                xs,
                scale * g["mean"].to_numpy(float),
                yerr=scale * g["half_width"].fillna(0.0).to_numpy(float),
                label=label,
                **line_style(i),
            )
        if not numeric:
            ax.set_xticks(range(len(cats)), [str(c) for c in cats])
        elif pd.api.types.is_integer_dtype(s[x_key]):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(unit_label(x_key, _key_unit(x_key)))
        ax.set_ylabel(unit_label(kpi_label(kpi), kpi_unit(kpi, currency)))
        if rest:
            scenario_legend(ax, title=", ".join(rest))
        ax.set_title("mean and confidence interval over replications", fontsize=11, weight="normal")
        fig.suptitle(scenario_title(title, kpi_label(kpi)))
    return fig


def sweep_report(
    table: pd.DataFrame,
    params: list[str],
    path: Path,
    title: str,
    confidence: float = 0.95,
    currency: str = "currency units",
) -> Path:
    """Write the HTML report of a collected sweep ``table`` to ``path`` atomically.

    ``table`` has one row per point and replication: ``point``, ``replication``, the
    swept ``params`` (dotted config keys) and KPI columns (:data:`SUMMARY_KEYS`);
    money columns and figures are labelled in ``currency`` (``economics.currency``).
    Returns ``path``; on any error nothing is left at ``path`` (nor a temporary file).
    """
    summary = sweep_summary(table, params, confidence)
    kpis = list(dict.fromkeys(summary["kpi"]))
    points = summary.drop_duplicates("point")[["point", *params]]
    try:  # numeric order of the swept values (95 before 100), not the folder names'
        points = points.sort_values(list(params), kind="stable")
    except TypeError:  # a key mixes types: keep the folders' order
        pass
    n_rep = table.groupby("point").size()
    shown = [k for k in (*SWEEP_KPIS, "offered", "fcr") if k in kpis]
    wide = summary.set_index(["point", "kpi"])
    rows = []
    for pt in points.to_dict("records"):  # records keep each column's type (ints)
        cells: list[object] = [*(pt[p] for p in params), int(n_rep[pt["point"]])]
        for k in shown:
            r = wide.loc[(pt["point"], k)]
            mean = float(r["mean"])
            text = format_kpi(k, mean)
            if math.isfinite(float(r["half_width"])):
                text += " ± " + format_kpi(k, float(r["half_width"]), like=mean)
            cells.append(text)
        rows.append(cells)
    header = [
        *params,
        "replications",
        *(f"{kpi_label(k)} ({kpi_unit(k, currency)})" for k in shown),
    ]
    sections = [
        '<h2 id="kpi-section">Key figures per point</h2>',
        f'<p class="note">Mean ± half-width of the {confidence:.0%} Student-t confidence '
        "interval over the point's replications.</p>",
        html_table(header, rows, table_id="kpis", text_columns=tuple(range(len(params)))),
        '<h2 id="figures">Figures</h2>\n<div class="grid">',
    ]
    for k in SWEEP_KPIS:
        if k in kpis and summary.loc[summary["kpi"] == k, "mean"].notna().any():
            png = figure_png(sweep_figure(summary, params, k, title, currency))
            sections.append(
                img_figure(
                    png,
                    alt=f"{title}: {k} against {params[0]}",
                    caption=f"{kpi_label(k)} ({k}) against {params[0]}: mean and {confidence:.0%} "
                    "confidence interval (error bars) over replications.",
                    fig_id=f"figure-{k}",
                )
            )
    sections.append("</div>")
    long_rows = [
        [r["point"], *(r[p] for p in params), kpi_link(str(r["kpi"])),
         kpi_unit(str(r["kpi"]), currency),
         *(format_kpi(str(r["kpi"]), float(r[c]), like=float(r["mean"]))
           for c in ("mean", "half_width", "ci_low", "ci_high")),
         f"{float(r['n']):.0f}"]
        for r in summary.to_dict("records")
    ]  # fmt: skip
    sections += [
        "<details><summary>Every KPI of every point</summary>",
        html_table(
            ["point", *params, "KPI", "unit", "mean", "half-width", "CI low", "CI high", "n"],
            long_rows,
            "all-kpis",
            text_columns=tuple(range(3 + len(params))),
        ),
        "</details>",
        definitions_section(kpis),
    ]
    subtitle = (
        f"sweep over {', '.join(params)}: {len(points)} point(s), "
        f"{int(n_rep.min())}-{int(n_rep.max())} replication(s) each; created {utc_now()} "
        f"by callsim {callsim_version()}"
    )
    return atomic_write_text(Path(path), page(title, subtitle, sections))
