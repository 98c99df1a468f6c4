"""The results folder is complete or absent, never half-written."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.model.runner import replicate
from sim.report.writer import summary_text, write_results

CFG = {"run": {"days": 1, "replications": 2}, "center": {"volume_per_day": 500.0}}


def test_failure_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reps = replicate(CFG)

    def broken_figure(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C while figures were drawn

    monkeypatch.setattr("sim.report.html_report.interval_figure", broken_figure)
    target = tmp_path / "results" / "run"
    with pytest.raises(KeyboardInterrupt):
        write_results(reps, target)
    assert not target.exists()
    assert list((tmp_path / "results").iterdir()) == []


def test_writes_into_an_empty_folder_made_by_hydra(tmp_path: Path) -> None:
    reps = replicate(CFG)
    target = tmp_path / "0"
    target.mkdir()
    write_results(reps, target)
    summary = json.loads((target / "summary.json").read_text())
    assert summary["kpis"]["offered"]["n"] == 2
    assert summary["kpis"]["service_level"]["ci_low"] <= summary["kpis"]["service_level"]["mean"]


def test_summary_text_names_the_definition() -> None:
    text = summary_text(replicate(CFG))
    assert "answered within the threshold / offered" in text
    assert "95% confidence interval" in text


def test_every_folder_has_a_report_with_the_same_figures(tmp_path: Path) -> None:
    reps = replicate(CFG)
    folder = write_results(reps, tmp_path / "run", ["run.days=1"])
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="kpis"' in html and "run.days=1" in html
    png = (folder / "figures" / "intervals.png").read_bytes()
    assert base64.b64encode(png).decode() in html  # the very bytes of the figure file


def test_report_without_figures(tmp_path: Path) -> None:
    reps = replicate({**CFG, "output": {"figures": False}})
    folder = write_results(reps, tmp_path / "run")
    assert not (folder / "figures").exists()
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<img" not in html and "output.figures is false" in html
    assert "(not a command-line run)" in html


def test_failure_while_writing_the_report_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reps = replicate(CFG)

    def broken_report(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("report failed")

    monkeypatch.setattr("sim.report.writer.run_report", broken_report)
    with pytest.raises(RuntimeError, match="report failed"):
        write_results(reps, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_parquet_by_row_groups_reads_back_the_same_table(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    import sim
    from sim.report.writer import write_parquet

    calls = sim.simulate({"run": {"days": 2}, "staffing": {"agents": 12}}).calls
    whole, groups = tmp_path / "whole.parquet", tmp_path / "groups.parquet"
    calls.to_parquet(whole, index=False)
    write_parquet(calls, groups, rows=1000)
    assert pq.ParquetFile(groups).num_row_groups == -(-len(calls) // 1000) > 1
    pd.testing.assert_frame_equal(pd.read_parquet(groups), pd.read_parquet(whole))
    pd.testing.assert_frame_equal(pd.read_parquet(groups), calls)


def test_config_yaml_lists_only_the_keys_of_each_laws_kind(tmp_path: Path) -> None:
    """The stored config.yaml: each law its kind and that kind's keys, no nulls of other
    kinds; read back, it is the same config."""
    import yaml

    from sim.config.validation import load_config
    from sim.core.law_schema import allowed_keys

    cfg = {**CFG, "patience": {"kind": "gamma", "mean_s": 90.0, "cv": 1.5},
           "service": {"talk": {"kind": "weibull", "shape": 0.9, "scale_s": 230.0}}}  # fmt: skip
    reps = replicate(cfg)
    folder = write_results(reps, tmp_path / "run")
    stored = yaml.safe_load((folder / "config.yaml").read_text())
    laws = {"service.talk": stored["service"]["talk"], "service.acw": stored["service"]["acw"],
            "patience": stored["patience"], "redials.delay": stored["redials"]["delay"],
            "resolution.recontact_delay": stored["resolution"]["recontact_delay"]}  # fmt: skip
    assert laws["patience"] == {"kind": "gamma", "mean_s": 90.0, "cv": 1.5}
    assert laws["service.talk"] == {"kind": "weibull", "shape": 0.9, "scale_s": 230.0}
    for path, law in laws.items():
        assert set(law) == {"kind", *allowed_keys(law["kind"])}, path
        assert None not in law.values(), path
    assert load_config(folder / "config.yaml") == reps.config


def test_writing_shows_progress_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The trial of issue 15: writing results took 8.5 s with nothing shown. In a log
    (no terminal) a line names the file under way, at most every PROGRESS_EVERY_S (0
    here: every file); every file of the folder and every figure is a step, and the
    report is the last."""
    import logging

    from sim.model import progress

    reps = replicate(CFG)
    monkeypatch.setattr(progress, "PROGRESS_EVERY_S", 0.0)
    with caplog.at_level(logging.INFO, logger="callsim"):
        write_results(reps, tmp_path / "run")
    lines = [m for m in caplog.messages if m.startswith("writing results: ")]
    started = [m.split(" ")[2] for m in lines if " of " in m and "done" not in m]
    assert started[0] == "config.yaml" and started[-1] == "report.html"
    n = len(started)
    assert lines[-1].startswith(f"writing results: {n} of {n} done, elapsed ")
    assert [f"({k} of {n})," in m for m, k in zip(
        [m for m in lines if "done" not in m], range(1, n + 1), strict=True)] == [True] * n  # fmt: skip
    written = {p.name for p in (tmp_path / "run").iterdir()} | {
        f"figures/{p.name}" for p in (tmp_path / "run" / "figures").iterdir()
    }
    assert set(started) - {"config.yaml"} <= written  # each step names a file it wrote
    assert {"figures/intervals.png", "report.html"} <= set(started)


def test_writing_is_quiet_when_the_run_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A sweep point (its own lines at debug) or a caller who silenced ``callsim``:
    no progress lines, and no bar on a terminal either."""
    import io
    import logging

    from sim.model import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    reps = replicate(CFG)
    monkeypatch.setattr(progress, "PROGRESS_EVERY_S", 0.0)
    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    callsim_log = logging.getLogger("callsim")
    level = callsim_log.level
    callsim_log.setLevel(logging.WARNING)
    try:
        with caplog.at_level(logging.INFO):
            write_results(reps, tmp_path / "quiet")
    finally:
        callsim_log.setLevel(level)
    assert not [m for m in caplog.messages if "writing results" in m]
    assert err.getvalue() == ""
    assert (tmp_path / "quiet" / "summary.json").exists()
    callsim_log.setLevel(logging.INFO)  # not quiet, on a terminal: the bar, no lines
    try:
        caplog.clear()
        write_results(reps, tmp_path / "bar")
    finally:
        callsim_log.setLevel(level)
    assert "writing results:" in err.getvalue() and "report.html" in err.getvalue()
    assert [m for m in caplog.messages if "writing results" in m] == [
        f"writing results into {tmp_path / 'bar'}"
    ]
