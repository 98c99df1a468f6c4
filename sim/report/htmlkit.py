"""Building blocks of callsim's self-contained HTML reports (:mod:`sim.report.html_report`), KPI formats.

A report is one file that opens anywhere, offline, for years: CSS inline, figures
embedded as base64 PNG, no JavaScript and no network. The page says so to the browser
too: its Content-Security-Policy allows nothing but inline styles and ``data:`` images,
so a stray external link or script would be refused (and show up as a console error in
the browser test) instead of silently phoning home.

Every text that goes into the page passes through :func:`esc` (``html.escape``), except
:class:`Markup`, which marks strings built here from escaped parts.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import metadata

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from sim.outputs.kpis import format_value, unit_text
from sim.outputs.kpis import kpi as kpi_registry
from sim.outputs.metrics import KPI_DEFINITIONS
from sim.report.style import DPI

__all__ = [
    "Markup",
    "callsim_version",
    "definition_list",
    "definitions_section",
    "esc",
    "figure_png",
    "format_kpi",
    "img_figure",
    "kpi_label",
    "kpi_link",
    "kpi_unit",
    "page",
    "pre",
    "table",
    "target_verdict",
    "utc_now",
    "verdict_text",
    "verdict_words",
]


class Markup(str):
    """A string that is already HTML (built from escaped parts); :func:`esc` keeps it."""


def esc(value: object) -> str:
    """``value`` as HTML text: ``&``, ``<``, ``>``, quotes escaped; :class:`Markup` kept."""
    if isinstance(value, Markup):
        return value
    return html.escape(str(value), quote=True)


_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  margin: 0 auto; max-width: 1240px; padding: 1.5rem 2rem 3rem; color: #111;
  background: #fff; line-height: 1.45; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; border-bottom: 2px solid #222;
  padding-bottom: .2rem; }
.subtitle { color: #444; margin: 0 0 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .95rem; }
th, td { border: 1px solid #bbb; padding: .25rem .6rem; text-align: right;
  vertical-align: top; }
th { background: #eee; }
td:first-child, th:first-child { text-align: left; }
td { white-space: nowrap; }
td.text, th.text { text-align: left; white-space: normal; overflow-wrap: break-word; }
.code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .8rem;
  color: #555; font-weight: normal; }
.met { color: #006d2c; font-weight: bold; }
.missed { color: #b30000; font-weight: bold; }
tbody tr:nth-child(even) { background: #f7f7f7; }
.scroll { overflow-x: auto; max-width: 100%; }
figure { margin: 1rem 0 1.5rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #333; font-size: .95rem; margin-top: .3rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr));
  gap: 0 1.5rem; }
pre { background: #f4f4f4; border: 1px solid #ddd; padding: .7rem; overflow-x: auto;
  font-size: .85rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: bold; }
dd { margin: 0; }
.note { color: #444; font-size: .92rem; }
details summary { cursor: pointer; font-weight: bold; margin: .5rem 0; }
@media print { body { max-width: none; padding: 0; } details { display: block; } }
"""

# no scripts, no fonts, no frames, no network: inline style and data: images only
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


def page(title: str, subtitle: str, sections: Sequence[str]) -> str:
    """A whole HTML document: ``title`` (text), ``subtitle`` (text), ``sections`` (HTML)."""
    body = "\n".join(sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_CSP)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="callsim">\n'
        '<link rel="icon" href="data:,">\n'  # no favicon request
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<h1>{esc(title)}</h1>\n<p class="subtitle">{esc(subtitle)}</p>\n'
        f"{body}\n</body>\n</html>\n"
    )


def table(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    table_id: str | None = None,
    text_columns: Sequence[int] = (0,),
) -> str:
    """An HTML table; every cell escaped unless it is :class:`Markup`.

    Columns in ``text_columns`` are left-aligned (names); the others right-aligned (numbers).
    """
    ident = f' id="{esc(table_id)}"' if table_id else ""
    head = "".join(
        f'<th class="text">{esc(h)}</th>' if j in text_columns else f"<th>{esc(h)}</th>"
        for j, h in enumerate(header)
    )

    def row(cells: Sequence[object]) -> str:
        return "".join(
            f'<td class="text">{esc(c)}</td>' if j in text_columns else f"<td>{esc(c)}</td>"
            for j, c in enumerate(cells)
        )

    body = "\n".join(f"<tr>{row(r)}</tr>" for r in rows)
    return (  # in a scrolling box: a wide table never widens the page
        f'<div class="scroll"><table{ident}>\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def figure_png(fig: Figure, dpi: float = DPI) -> bytes:
    """``fig`` as a 256-colour PNG at ``dpi`` (:data:`sim.report.style.DPI`); the figure is closed.

    Line figures use a few colours plus their anti-aliasing shades, so a 256-colour
    palette looks the same as full RGBA at about 40% of the bytes (measured on the
    baseline figures: 193 KB -> 78 KB, 131 KB -> 52 KB), which keeps reports small.
    Deterministic: the same figure gives the same bytes.
    """
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        plt.close(fig)
    buf.seek(0)
    with Image.open(buf) as im:
        palette = im.convert("RGB").quantize(colors=256)
    out = io.BytesIO()
    palette.save(out, format="png", pnginfo=_PNG_INFO)
    return out.getvalue()


_PNG_INFO = PngInfo()
_PNG_INFO.add_text("Software", "callsim")


def img_figure(png: bytes, alt: str, caption: str, fig_id: str) -> str:
    """A ``<figure>`` with ``png`` embedded as a base64 ``data:`` URI and its caption."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="{esc(fig_id)}">'
        f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def pre(text: str) -> str:
    """Preformatted text (configs, overrides), escaped."""
    return f"<pre>{esc(text)}</pre>"


def definition_list(items: Sequence[tuple[str, str]], id_prefix: str = "def-") -> str:
    """A ``<dl>`` of (term, definition); each term gets the anchor ``id_prefix + term``."""
    rows = "\n".join(
        f'<dt id="{esc(id_prefix + term)}">{esc(term)}</dt><dd>{esc(text)}</dd>'
        for term, text in items
    )
    return f"<dl>\n{rows}\n</dl>"


# ------------------------------------------------------------------------------ KPIs
_SHARES = {
    "p_wait", "service_level", "service_level_answered", "service_level_excl_short_abandons",
    "abandon_rate", "block_rate", "occupancy", "fcr", "bad_experience_rate",
}  # fmt: skip
_MONEY = {"revenue", "agent_cost", "profit", "value_lost_to_service", "value_won"}
_CALLS = {"offered", "answered", "abandoned", "blocked", "closed", "redials", "repeats"}


def kpi_unit(kpi: str, currency: str = "currency units") -> str:
    """The unit a KPI is shown in, from the KPI registry (:mod:`sim.outputs.kpis`): ``%`` for
    shares, ``s``, ``calls``, the currency for money...; for other columns a guess from
    the name (``value`` if none fits)."""
    known = unit_text(kpi, currency)
    if known:
        return known
    if kpi in _SHARES or kpi.endswith("_rate"):
        return "%"
    if kpi.endswith("_s"):
        return "s"
    if kpi in _MONEY or kpi.startswith("value_"):
        return currency
    if kpi.startswith("customers"):
        return "customers"
    if kpi in _CALLS:
        return "calls"
    return "value"


def format_kpi(kpi: str, value: float, like: float | None = None) -> str:
    """``value`` of ``kpi`` for reading (:func:`sim.outputs.kpis.format_value`): shares in %,
    seconds to 0.1 s, counts with commas.

    Counts and money get 2 decimals below 100, none above; ``like`` (e.g. the mean, when
    ``value`` is its half-width) sets that precision instead, so both read alike.
    """
    if kpi_registry(kpi) is not None:
        return format_value(kpi, value, like)
    if value is None or not math.isfinite(value):
        return "n/a"
    size = abs(value) if like is None or not math.isfinite(like) else abs(like)
    unit = kpi_unit(kpi)
    if unit == "%":
        return f"{100 * value:.1f}%"
    if unit == "s":
        return f"{value:,.1f} s"
    return f"{value:,.0f}" if size >= 100 else f"{value:,.2f}"


def kpi_label(kpi: str) -> str:
    """The plain label of a KPI (``service level``), or its name if it has none."""
    entry = kpi_registry(kpi)
    return entry.label if entry is not None else kpi


def kpi_link(kpi: str) -> Markup:
    """The KPI's plain label, linked to its definition (:func:`definitions_section`) if
    it has one; the code name (the column of the tables) shown small after it."""
    label = kpi_label(kpi)
    name = f' <span class="code">{esc(kpi)}</span>' if label != kpi else ""
    if kpi in KPI_DEFINITIONS:
        return Markup(f'<a href="#def-{esc(kpi)}">{esc(label)}</a>{name}')
    return Markup(esc(label) + name)


def definitions_section(kpis: Sequence[str]) -> str:
    """The "Metric definitions" section: one anchored entry per KPI of ``kpis``."""
    rows = "\n".join(
        f'<dt id="def-{esc(k)}">{esc(kpi_label(k))} <span class="code">{esc(k)}</span></dt>'
        f"<dd>{esc(KPI_DEFINITIONS[k])}</dd>"
        for k in kpis
        if k in KPI_DEFINITIONS
    )
    return (
        '<h2 id="definitions">Metric definitions</h2>\n'
        '<p class="note">Rates and shares are over the calls offered after the warm-up; '
        "confidence intervals are Student-t intervals over independent replications "
        f"(docs/background/metrics.md).</p>\n<dl>\n{rows}\n</dl>"
    )


def callsim_version() -> str:
    """The installed callsim version ("unknown" when run from a bare source tree)."""
    try:
        return metadata.version("callsim")
    except metadata.PackageNotFoundError:
        return "unknown"


def utc_now() -> str:
    """The time of writing, ISO 8601, UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def target_verdict(
    mean: float, low: float, high: float, target: float, sense: str, goal: str, missing: str = ""
) -> Markup:
    """``met`` or ``missed`` (by the mean, ``sense`` ``">="`` or ``"<="`` the ``target``),
    with the ``goal`` text, and a warning when the confidence interval ``[low, high]``
    holds the target; ``missing`` when the mean is not finite."""
    if not math.isfinite(mean):
        return Markup(missing)
    word, unsure = verdict_words(mean, low, high, target, sense)
    sure = " (by the mean; not sure: the confidence interval holds the target)" if unsure else ""
    return Markup(f'<span class="{word}">{word}</span> ({esc(goal)}){esc(sure)}')


def verdict_words(
    mean: float, low: float, high: float, target: float, sense: str = ">="
) -> tuple[str, bool]:
    """``("met" | "missed" | "n/a", unsure)``: the mean against the ``target`` (``sense``
    ``">="`` or ``"<="``; "n/a" for a mean that is not finite), and whether the
    confidence interval ``[low, high]`` holds the target (the verdict is then the mean's
    only). The one rule of the report and the summary text."""
    if not math.isfinite(mean):
        return "n/a", False
    met = mean >= target if sense == ">=" else mean <= target
    unsure = math.isfinite(low) and math.isfinite(high) and low <= target <= high
    return ("met" if met else "missed"), unsure


def verdict_text(mean: float, low: float, high: float, target: float) -> str:
    """The plain-text verdict of a service level against its ``target``:
    ``target 80%: met``, ``target 80%: missed, not sure`` (the interval holds the
    target), ``target 80%: n/a``."""
    word, unsure = verdict_words(mean, low, high, target)
    return f"target {target:.0%}: {word}{', not sure' if unsure else ''}"
