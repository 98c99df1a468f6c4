"""HTML reports of a run and of a sweep: content, escaping, self-containment, atomic
writing, the CI numbers of a sweep, and a real render in headless Chromium."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.model.runner import Replications, replicate
from sim.outputs.confidence import confidence_table
from sim.outputs.metrics import KPI_DEFINITIONS, SUMMARY_KEYS
from sim.report.html_report import (
    SWEEP_KPIS,
    run_figures,
    run_report,
    sweep_figure,
    sweep_report,
    sweep_summary,
)
from sim.report.htmlkit import format_kpi, kpi_unit
from sim.report.style import unlabelled_axes
from sim.report.writer import write_results

TINY = {
    "run": {"name": "tiny_scenario", "days": 1, "replications": 2},
    "center": {"volume_per_day": 400.0},
    "staffing": {"agents": 5},
    "customers": {"enabled": True, "initial": 3000, "market_size": 10000},
}


@pytest.fixture(scope="module")
def reps() -> Replications:
    return replicate(TINY)


@pytest.fixture(scope="module")
def figures(reps: Replications) -> dict[str, bytes]:
    return run_figures(reps)


@pytest.fixture(scope="module")
def run_html(reps: Replications, figures: dict[str, bytes]) -> str:
    overrides = ["staffing.agents=5", 'center.name=<b>"quoted" & co</b>']
    return run_report(reps, overrides, figures=figures)


def sweep_table(profit: bool = True, seed: int = 7) -> pd.DataFrame:
    """A synthetic collected sweep: agents 8, 10, 12 x SL threshold 20 s, 30 s; 3 replications."""
    rng = np.random.default_rng(seed)
    rows = []
    for point, (agents, thr) in enumerate([(a, t) for a in (8, 10, 12) for t in (20.0, 30.0)]):
        for r in range(3):
            sl = min(1.0, 0.5 + 0.04 * agents + 0.002 * thr + rng.normal(0, 0.02))
            row = {"point": point, "replication": r, "staffing.agents": agents,
                   "metrics.sl_threshold_s": thr, "offered": 1000 + rng.normal(0, 30),
                   "service_level": sl, "asa_s": 60 / agents + rng.normal(0, 1),
                   "abandon_rate": 0.2 / agents + rng.normal(0, 0.002),
                   "occupancy": 8 / agents + rng.normal(0, 0.01)}  # fmt: skip
            if profit:
                row["profit"] = 5000 - 150 * agents + rng.normal(0, 50)
            rows.append(row)
    return pd.DataFrame(rows)


PARAMS = ["staffing.agents", "metrics.sl_threshold_s"]

# ------------------------------------------------------------------------------ run report


def test_run_report_has_every_part(reps: Replications, run_html: str) -> None:
    assert run_html.startswith("<!DOCTYPE html>")
    assert "callsim report: tiny_scenario" in run_html
    kpi_table = re.search(r'<table id="kpis">(.*?)</table>', run_html, re.S)
    assert kpi_table is not None
    assert kpi_table.group(1).count("<tr>") == 1 + len(SUMMARY_KEYS)  # header + one per KPI
    sl = float(reps.summary.loc["service_level", "mean"])
    assert format_kpi("service_level", sl) in kpi_table.group(1)
    for kpi in KPI_DEFINITIONS:
        assert f'id="def-{kpi}"' in run_html
        assert html.escape(KPI_DEFINITIONS[kpi]) in run_html
    assert run_html.count("<img ") == 2  # intervals and days
    assert "staffing.agents=5" in run_html
    assert "volume_per_day: 400.0" in run_html  # the resolved config
    assert run_html.count("<tr>") > 2 * len(SUMMARY_KEYS)  # per-replication table too


def test_key_figures_say_which_kpis_are_pooled_ratios(
    reps: Replications, run_html: str, tmp_path: Path
) -> None:
    """The report and summary.json say per KPI whether it is a pooled ratio or a mean,
    and the report's note says what each means and where the background is."""
    table = re.search(r'<table id="kpis">(.*?)</table>', run_html, re.S)
    assert table is not None
    rows = {
        re.search(r'href="#def-([a-z_]+)"', r).group(1): r  # type: ignore[union-attr]
        for r in table.group(1).split("<tr>")[2:]
    }
    assert set(rows) == set(SUMMARY_KEYS)
    for kpi in ("service_level", "abandon_rate", "asa_s", "occupancy"):
        assert reps.estimator(kpi) == "ratio" and "pooled ratio" in rows[kpi]
    for kpi in ("offered", "profit", "customers_end"):
        assert reps.estimator(kpi) == "mean" and "pooled ratio" not in rows[kpi]
    assert ">estimator</th>" in table.group(1)
    note = re.search(r'id="kpi-section">Key figures</h2>\s*<p class="note">(.*?)</p>', run_html,
                     re.S)  # fmt: skip
    assert note is not None and "Ratios over replications" in note.group(1)
    assert "delta-method" in note.group(1) and "pooled ratio" in note.group(1)
    # summary.json: the same estimator per KPI, what each means
    folder = write_results(reps, tmp_path / "run", [])
    summary = json.loads((folder / "summary.json").read_text())
    assert {k: v["estimator"] for k, v in summary["kpis"].items()} == {
        k: reps.estimator(k) for k in SUMMARY_KEYS
    }
    assert set(summary["estimators"]) == {"ratio", "mean"}
    assert "Ratios over replications" in summary["estimators"]["ratio"]
    # the pooled service level is all answered within T over all offered
    parts = reps.ratio_parts.query("kpi == 'service_level'")
    pooled = parts["numerator"].sum() / parts["denominator"].sum()
    assert summary["kpis"]["service_level"]["mean"] == pytest.approx(pooled, rel=1e-12)


def test_figures_are_reproducible(reps: Replications, figures: dict[str, bytes]) -> None:
    assert set(figures) == {"intervals", "days"}
    assert figures == run_figures(reps)  # same run -> same PNG bytes


def test_run_report_escapes_and_is_self_contained(run_html: str) -> None:
    assert "<b>" not in run_html
    assert "center.name=&lt;b&gt;&quot;quoted&quot; &amp; co&lt;/b&gt;" in run_html
    assert "<script" not in run_html.lower()
    links = re.findall(r'(?:src|href)="([^"]*)"', run_html)
    assert links and all(u.startswith(("data:", "#")) for u in links), links
    assert "Content-Security-Policy" in run_html


def test_kpi_formats() -> None:
    assert format_kpi("service_level", 0.8234) == "82.3%"
    assert format_kpi("asa_s", 12.345) == "12.3 s"
    assert format_kpi("offered", 17613.4) == "17,613"
    assert format_kpi("profit", float("nan")) == "n/a"
    assert kpi_unit("revenue") == "currency units" and kpi_unit("customers_end") == "customers"
    assert kpi_unit("block_rate") == "%" and kpi_unit("answered") == "calls"


# ------------------------------------------------------------------------------ sweep report


def test_sweep_summary_matches_a_student_t_interval() -> None:
    table = sweep_table()
    s = sweep_summary(table, PARAMS, confidence=0.9)
    assert len(s) == 6 * 6  # 6 points x 6 KPI columns
    rows = table[table["point"] == 4]
    x = rows["service_level"].to_numpy()
    half = stats.t.ppf(0.95, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    got = s[(s["point"] == 4) & (s["kpi"] == "service_level")].iloc[0]
    assert got["mean"] == pytest.approx(x.mean(), rel=1e-12)
    assert got["half_width"] == pytest.approx(half, rel=1e-12)
    assert got["staffing.agents"] == 12 and got["metrics.sl_threshold_s"] == 20.0


@pytest.fixture(scope="module")
def sweep_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("sweep") / "out" / "sweep.html"
    path = sweep_report(sweep_table(), PARAMS, target, "agents & <sla>")
    assert path == target
    return path


def test_sweep_report_writes_table_and_figures(sweep_path: Path, tmp_path: Path) -> None:
    path = sweep_path
    text = path.read_text(encoding="utf-8")
    assert "agents &amp; &lt;sla&gt;" in text and "<sla>" not in text
    kpis = re.search(r'<table id="kpis">(.*?)</table>', text, re.S)
    assert kpis is not None and kpis.group(1).count("<tr>") == 1 + 6
    assert text.count("<img ") == len(SWEEP_KPIS)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left

    no_profit = sweep_report(sweep_table(profit=False), PARAMS[:1], tmp_path / "b.html", "t")
    assert no_profit.read_text(encoding="utf-8").count("<img ") == len(SWEEP_KPIS) - 1


def test_sweep_report_shows_the_currency(tmp_path: Path) -> None:
    text = sweep_report(sweep_table(), PARAMS, tmp_path / "m.html", "t", currency="USD")
    html = text.read_text(encoding="utf-8")
    assert "profit (USD)" in html and "currency units" not in html
    summary = sweep_summary(sweep_table(), PARAMS)
    fig = sweep_figure(summary, PARAMS, "profit", "t", currency="USD")
    assert fig.axes[0].get_ylabel() == "profit (USD)"


def test_sweep_figures_follow_the_style() -> None:
    import matplotlib.pyplot as plt

    summary = sweep_summary(sweep_table(), PARAMS)
    fig = sweep_figure(summary, PARAMS, "asa_s", "agents sweep")
    assert unlabelled_axes(fig) == []
    assert fig.get_suptitle() == "agents sweep: average speed of answer (ASA)"  # plain label
    legend = fig.axes[0].get_legend()
    assert legend.get_title().get_text() == "metrics.sl_threshold_s"
    assert [t.get_text() for t in legend.get_texts()] == ["20.0", "30.0"]
    plt.close(fig)


def test_sweep_report_with_a_categorical_key(tmp_path: Path) -> None:
    table = sweep_table()
    table["scenario"] = table["point"].map(lambda p: f"s{p % 3}")
    table["point"] = table["point"] % 3  # scenario s0/s1/s2, three points
    table = table.drop(columns=PARAMS)
    text = sweep_report(table, ["scenario"], tmp_path / "c.html", "by scenario").read_text()
    assert text.count("<img ") == len(SWEEP_KPIS)


def test_sweep_report_failure_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sweep.html"
    target.write_text("old report")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.report.html_report.sweep_figure", broken)
    with pytest.raises(KeyboardInterrupt):
        sweep_report(sweep_table(), PARAMS, target, "t")
    assert target.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.html"]


def test_sweep_report_rejects_bad_tables(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\['staffing.agent'\] missing"):
        sweep_report(sweep_table(), ["staffing.agent"], tmp_path / "x.html", "t")
    bad = sweep_table()
    bad.loc[0, "staffing.agents"] = 99
    with pytest.raises(ValueError, match="several values within one point"):
        sweep_report(bad, PARAMS, tmp_path / "x.html", "t")
    with pytest.raises(ValueError, match="no KPI column"):
        sweep_report(sweep_table()[["point", *PARAMS]], PARAMS, tmp_path / "x.html", "t")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ browser
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through Debian's chromedriver (no browser download, no network)."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
    from selenium.webdriver.chrome.service import Service

    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.skip(f"{missing} missing: apt-get install chromium chromium-driver (.ci/run does)")
    profile = tempfile.mkdtemp(prefix="callsim-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                "--window-size=1280,1600", "--hide-scrollbars"):  # fmt: skip
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


#: Screenshots of the reports (whole pages, 1,400 px wide) for people to look at: CI keeps
#: this folder as a test artefact.
ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artefacts"


def save_screenshot(driver: Any, name: str, width: int = 1400) -> Path:
    """The whole page at ``width`` px as ``test-artefacts/<name>.png``."""
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(width, min(max(height, 800), 16000))
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1600)
    return path


def check_page(
    driver: Any, path: Path, figures: int, kpi_rows: int, shot: str | None = None
) -> None:
    """Open ``path`` and check what a reader would: text, pixels, figures, table, console."""
    import matplotlib.image

    driver.get_log("browser")  # drop anything logged before this page
    driver.get(path.as_uri())
    if shot is not None:
        save_screenshot(driver, shot)
    text = driver.execute_script("return document.body.innerText")
    assert len(text) > 500 and "Key figures" in text and "Metric definitions" in text
    # a screenshot that is not blank: some pixels are clearly darker than white
    shot = matplotlib.image.imread(io.BytesIO(driver.get_screenshot_as_png()), format="png")
    dark = float(np.mean(shot[..., :3].mean(axis=-1) < 0.8))
    assert dark > 0.01, f"screenshot {dark:.1%} non-white: blank page?"
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])"
    )
    assert len(images) == figures
    for complete, width, alt in images:
        assert complete and width > 0, f"figure {alt!r} not decoded"
    rows = driver.execute_script("return document.querySelectorAll('#kpis tbody tr').length")
    assert rows == kpi_rows
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def test_reports_render_in_chromium(
    browser: Any, reps: Replications, sweep_path: Path, tmp_path: Path
) -> None:
    folder = write_results(reps, tmp_path / "run", ["staffing.agents=5"])
    check_page(browser, folder / "report.html", figures=2, kpi_rows=len(SUMMARY_KEYS),
               shot="report-run")  # fmt: skip
    widths = browser.execute_script("return Array.from(document.images).map(i => i.naturalWidth)")
    assert widths == [1320, 1430]  # the PNGs of figures/, 12 and 13 in at 110 dpi

    check_page(browser, sweep_path, figures=len(SWEEP_KPIS), kpi_rows=6, shot="report-sweep")
    # at 1,400 px the sweep's KPI table fits without scrolling sideways
    browser.set_window_size(1400, 1600)
    overflow = browser.execute_script(
        "const b = document.querySelector('#kpis').parentElement;"
        "return b.scrollWidth - b.clientWidth;"
    )
    assert overflow <= 0, f"sweep KPI table is {overflow} px wider than its box at 1,400 px"


def test_the_browser_check_sees_errors(browser: Any, tmp_path: Path) -> None:
    """Controls: a broken image, a console error and a blank page fail the check."""
    page = tmp_path / "broken.html"
    body = "<h1>Key figures</h1><p>Metric definitions</p>" + "x " * 300
    body += "<div style='background:#000;height:300px'></div>"  # not blank
    page.write_text(f"<html><body>{body}<img src='data:image/png;base64,AAAA'></body></html>")
    with pytest.raises(AssertionError, match="not decoded"):
        check_page(browser, page, figures=1, kpi_rows=0)
    page.write_text(f"<html><body>{body}<script>console.error('boom')</script></body></html>")
    with pytest.raises(AssertionError, match="boom"):
        check_page(browser, page, figures=0, kpi_rows=0)
    page.write_text("<html><body></body></html>")
    with pytest.raises(AssertionError, match="len"):
        check_page(browser, page, figures=0, kpi_rows=0)


# ------------------------------------------------------------------------------ for a manager
def test_kpi_registry_covers_every_summary_kpi() -> None:
    from sim.outputs.kpis import KPIS, natural_bounds

    assert list(KPIS) == list(SUMMARY_KEYS)  # one place, the summary's order
    assert KPI_DEFINITIONS == {k: v.definition for k, v in KPIS.items()}
    assert all(k.label and k.label != k.name for k in KPIS.values() if "_" in k.name)
    assert {k.unit for k in KPIS.values()} <= {"share", "share a year", "s", "h", "calls",
                                               "customers", "agents", "money", "0-1"}  # fmt: skip
    assert kpi_unit("attrition_annual") == "% a year" and kpi_unit("revenue", "EUR") == "EUR"
    assert natural_bounds("quits") == (0.0, np.inf) and natural_bounds("fcr") == (0.0, 1.0)
    assert natural_bounds("profit") == (-np.inf, np.inf)
    assert format_kpi("attrition_annual", 0.71) == "71.0%"  # not 0.71 "value"
    assert not any(kpi_unit(k) == "value" for k in SUMMARY_KEYS)


def test_run_report_reads_like_a_report(reps: Replications, run_html: str) -> None:
    # plain labels first, the code names small after them
    assert ">had to wait</a>" in run_html and '<span class="code">p_wait</span>' in run_html
    assert ">first-contact resolution</a>" in run_html
    # money in the configured currency; the service level against its target
    assert '<td class="text">EUR</td>' in run_html and "currency units" not in run_html
    assert re.search(r'class="(met|missed)">(met|missed)</span> \(&gt;= 80.0%\)', run_html)
    # the config at the end, collapsed
    config_at = run_html.index('id="config"')
    assert run_html.index("<details>", config_at) < run_html.index("<pre>", config_at)
    assert config_at > run_html.index('id="definitions"')


def test_confidence_bounds_are_clipped_at_natural_bounds() -> None:
    """The table shows the bounds of ``confidence_table`` (clipped there, one rule) and
    marks the clipped ones."""
    from sim.report.html_report import _kpi_table

    per = pd.DataFrame({"quits": [0.0, 0.0, 1.2], "fcr": [1.0, 0.97, 1.0],
                        "offered": [100.0, 110.0, 120.0]})  # fmt: skip
    summary = confidence_table(per)
    assert summary.loc["quits", "ci_low"] == 0.0 and summary.loc["fcr", "ci_high"] == 1.0
    text = _kpi_table(summary, 0.95)
    assert "<td>0.0 *</td>" in text and "<td>100.0% *</td>" in text
    assert "<td>85</td><td>135</td>" in text  # offered: not clipped, no mark
    assert "clipped at the natural bound" in text
    assert "clipped at" not in _kpi_table(summary.loc[["offered"]], 0.95)


def test_summary_text_plain_and_only_what_applies() -> None:
    from sim.report.writer import summary_text

    pure = replicate({"run": {"days": 1}, "staffing": {"agents": 5},
                      "center": {"volume_per_day": 400.0}})  # fmt: skip
    text = summary_text(pure)
    assert "first-contact resolution" not in text  # 100% by construction: no repeats
    assert "blocked" not in text  # no capacity limit
    assert "average speed of answer (ASA)" in text and re.search(r"target 80%: (met|missed)", text)
    money = replicate({**TINY, "economics": {"currency": "CHF"}, "run": {"days": 1}})
    assert re.search(r"revenue +[\d,]+ CHF", summary_text(money))


def test_sweep_table_orders_points_by_value_not_by_name(tmp_path: Path) -> None:
    rows = []
    for _point, agents in enumerate([95, 100, 105, 110]):
        for r in range(2):
            rows.append({"point": f"staffing.agents={agents}", "replication": r,
                         "staffing.agents": agents, "service_level": 0.5 + agents / 1000,
                         "offered": 1000.0 + r})  # fmt: skip
    table = pd.DataFrame(rows).sample(frac=1.0, random_state=1)
    path = sweep_report(table, ["staffing.agents"], tmp_path / "s.html", "t")
    text = path.read_text(encoding="utf-8")
    kpis = text[text.index('id="kpis"'):text.index("</table>", text.index('id="kpis"'))]
    order = [int(m) for m in re.findall(r'<td class="text">(\d+)</td>', kpis)]
    assert order == [95, 100, 105, 110]
    assert "staffing.agents=95" not in kpis  # no column of point names in the main table
    assert ">service level (%)</th>" in kpis


def test_multi_skill_report_renders_in_chromium(browser: Any, tmp_path: Path) -> None:
    """Two call types and two agent groups (synthetic, tests/multiskill.py): the sections
    per type and group render, their figures decode, their tables fit the page."""
    from multiskill import synthetic_replications

    reps = synthetic_replications({"run": {"name": "two_queues", "days": 1, "replications": 2},
                                   "center": {"volume_per_day": 1200.0},
                                   "staffing": {"agents": 9}}, 2)  # fmt: skip
    folder = write_results(reps, tmp_path / "run", [])
    check_page(browser, folder / "report.html", figures=3, kpi_rows=len(SUMMARY_KEYS),
               shot="report-multi-skill")  # fmt: skip
    for ident in ("call-types", "agent-groups"):
        rows = browser.execute_script(f"return document.querySelectorAll('#{ident} tbody tr').length")
        assert rows == 2, ident
        overflow = browser.execute_script(
            f"const b = document.querySelector('#{ident}').parentElement;"
            "return b.scrollWidth - b.clientWidth;"
        )
        assert overflow <= 0, f"{ident} table is {overflow} px wider than its box"
    widths = browser.execute_script("return Array.from(document.images).map(i => i.naturalWidth)")
    assert sorted(widths) == [1320, 1430, 1430]


def test_callbacks_report_renders_in_chromium(browser: Any, tmp_path: Path) -> None:
    """A run with callbacks (issue 15): Key figures show the headline service level of
    the calls on the line and the callbacks on time right after it, with the one note
    that says what they count; the callbacks section and the per-type figure render."""
    from sim.config.validation import load_config

    cfg = load_config({
        "run": {"name": "with_callbacks", "days": 1, "replications": 2, "seed": 3},
        "center": {"volume_per_day": 1600.0}, "staffing": {"agents": 9},
        "callbacks": {"enabled": True, "threshold_s": 60.0, "accept_probability": 0.5},
    })  # fmt: skip
    reps = replicate(cfg, workers=1)
    assert reps.summary_callbacks.loc["callback_acceptances", "mean"] > 5
    folder = write_results(reps, tmp_path / "run", [])
    check_page(browser, folder / "report.html", figures=2, kpi_rows=len(SUMMARY_KEYS) + 1,
               shot="report-callbacks")  # fmt: skip
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('#kpis tbody tr td:first-child'))"
        ".map(td => td.innerText)"
    )
    at = next(i for i, n in enumerate(names) if n.endswith(" service_level"))
    assert names[at + 1] == "callbacks on time callback_service_level"
    text = browser.execute_script("return document.body.innerText")
    assert "the service level is that of the calls that stayed on the line" in text
    shown = browser.execute_script(
        f"return document.querySelectorAll('#kpis tbody tr')[{at}].children[2].innerText"
    )
    assert shown == format_kpi("service_level", float(reps.summary.loc["service_level", "mean"]))
    assert browser.execute_script("return document.querySelectorAll('#callback-kpis tbody tr')"
                                  ".length") == len(reps.summary_callbacks)  # fmt: skip
