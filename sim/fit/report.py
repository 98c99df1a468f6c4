"""The fit report: ``report.html``, one self-contained page (figures embedded) saying what
was fitted from the log, with confidence intervals, the choices made and their limits."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.core.files import atomic_write_text
from sim.fit.figures import fit_figures
from sim.fit.model import LogFit
from sim.report.htmlkit import figure_png, img_figure, page, table, utc_now

__all__ = ["fit_report", "write_report"]


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _ci(lo: float, hi: float, fmt: str = "{:.3g}") -> str:
    return f"[{fmt.format(lo)}, {fmt.format(hi)}]"


def fit_report(fit: LogFit, scenario_path: str = "") -> str:
    """The report's HTML text."""
    c = fit.log.calls
    n = len(c)
    ab = int((c["outcome"] == "abandoned").sum())
    a, h, p, r = fit.arrivals, fit.handle, fit.patience, fit.repeats
    figs = {name: figure_png(f) for name, f in fit_figures(fit).items()}
    sec = [
        "<h2>The log</h2>",
        table(["what", "value"], [
            ["source", fit.log.source], ["call type", fit.call_type or "all"],
            ["first day", str(fit.log.start_date)], ["days with calls", a.days],
            ["calls that reached the queue", n], ["abandoned", f"{ab} ({_pct(ab / n)})"],
            ["opening hours fitted",
             f"{fit.open_s / 3600:05.2f} h - {fit.close_s / 3600:05.2f} h, "
             f"{fit.interval_s / 60:.0f}-minute intervals"],
        ]),
        "<ul>" + "".join(f"<li>{note}</li>" for note in fit.notes) + "</ul>",
        "<h2>Arrivals</h2>",
        "<p>Profile = each interval's share of all calls (multinomial MLE); weekday levels = "
        "mean calls of that weekday's days; busyness = variance of callsim's gamma daily "
        "factor, by maximum likelihood on the daily totals (negative binomial), with its "
        "likelihood-ratio interval.</p>",
        table(["parameter", "estimate", f"{a.confidence:.0%} interval"], [
            ["volume_per_day (calls)", f"{a.volume_per_day:.1f}", ""],
            ["busyness_var", f"{a.busyness_var:.4f}", _ci(*a.busyness_ci, "{:.4f}")],
            *[[f"day factor {d}", f"{f:.3f}", f"{a.weekday_days[i]} days"] for i, (d, f) in
              enumerate(zip(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
                            a.day_of_week_factors, strict=True))],
        ]),
        img_figure(figs["arrivals"], "arrival profile and daily totals",
                   "Intraday profile and daily totals against the fitted weekday level.",
                   "fig-arrivals"),
        "<h2>Handle time</h2>",
        f"<p>{h.n} answered calls with a handle time (> 0 s; {h.zeros} of 0 s left out); "
        f"mean {h.mean_s:.1f} s, cv {h.cv:.2f}. Chosen: <b>{h.chosen}</b> (least AIC among "
        "the parametric laws, unless its Kolmogorov-Smirnov distance exceeds 0.03: then "
        "the empirical law).</p>",
        table(["law", "log-likelihood", "AIC", "KS distance", "mean (s)", "cv"],
              [[row.law, f"{row.loglik:.1f}", f"{row.aic:.1f}", f"{row.ks:.4f}",
                f"{row.mean_s:.1f}", f"{row.cv:.3f}"] for row in h.table.itertuples()]),
        img_figure(figs["handle"], "handle time histogram", "Handle times against the "
                   "fitted densities.", "fig-handle"),
        "<h2>Patience (censored)</h2>",
        f"<p>{p.n} calls waited; {p.abandons} abandoned. An answered call says only that "
        "its patience exceeded its wait. Exponential MLE (abandons / total time at risk "
        f"{p.exposure_s:.0f} s): mean patience <b>{p.exp_mean_s:.0f} s</b>, "
        f"{p.confidence:.0%} interval {_ci(1 / p.exp_rate_ci[1], 1 / p.exp_rate_ci[0], '{:.0f}')}"
        " s. Piecewise-constant hazard (lifelines) per segment:</p>",
        table(["from (s)", "abandons", "time at risk (s)", "hazard (per 1000 s)",
               f"{p.confidence:.0%} interval"],
              [[f"{e:g}", ev, f"{x:.0f}", f"{rt * 1000:.3f}",
                _ci(lo * 1000, hi * 1000)] for e, ev, x, rt, lo, hi in
               zip(p.edges_s, p.events, p.segment_exposure_s, p.rates_per_s, p.rates_low,
                   p.rates_high, strict=True)]),
        img_figure(figs["patience"], "Kaplan-Meier curve and hazard",
                   "Kaplan-Meier survival of patience with its band, the fitted laws, "
                   "and the hazard per segment.", "fig-patience"),
        "<h2>Redials and repeat contacts</h2>",
    ]
    if r is None:
        sec.append("<p>The log has no customer ids: not estimated.</p>")
    else:
        sec += [
            f"<p>From the {_pct(r.identified_share)} of calls with a customer id; a next "
            f"call within {r.window_s / 3600:g} h counts. Limits: only identified customers; "
            "calls whose window runs past the log's end are left out; longer gaps are not "
            "counted; IVR hang-ups are not in the log.</p>",
            table(["estimate", "value", "interval", "based on", "mean delay (s)"], [
                ["P(redial after abandoning)", _pct(r.redial_probability),
                 _ci(*r.redial_ci, "{:.3f}"), f"{r.abandoned} abandoned calls",
                 f"{r.redial_delay_mean_s:.0f}"],
                ["P(another call after an answer)", _pct(r.repeat_probability),
                 _ci(*r.repeat_ci, "{:.3f}"), f"{r.answered} answered calls",
                 f"{r.repeat_delay_mean_s:.0f}"],
                ["share of calls that are redials", _pct(r.redial_share_of_calls), "", "", ""],
            ]),
        ]
    sec.append("<h2>Agents on duty</h2>")
    if "agents" in figs:
        sec += [
            "<p>Rebuilt from the agent of each answered call: an agent is on duty from the "
            "start of a service to the end of the last service before a pause of more than "
            f"{fit.max_gap_s / 60:g} minutes; time before the first and after the last call "
            "of a shift is "
            f"missed. Mean agents on duty in open intervals: "
            f"{float(np.mean(fit.on_duty[fit.counts.sum(axis=1) > 0])):.1f}.</p>",  # type: ignore[index]
            img_figure(figs["agents"], "agents on duty", "Mean agents on duty per interval, "
                       "by weekday.", "fig-agents"),
        ]
    else:
        sec.append("<p>The log has no agent ids: not rebuilt.</p>")
    if scenario_path:
        sec += ["<h2>Scenario</h2>", f"<p>Written to <code>{scenario_path}</code>.</p>"]
    return page(f"Fit of {Path(fit.log.source).name or 'a call log'}",
                f"callsim fit, {utc_now()}", sec)


def write_report(fit: LogFit, folder: str | Path, scenario_path: str = "") -> Path:
    """Write ``<folder>/report.html``; returns its path."""
    return atomic_write_text(Path(folder) / "report.html", fit_report(fit, scenario_path))
