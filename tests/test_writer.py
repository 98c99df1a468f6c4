"""The results folder is complete or absent, never half-written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sim.runner import replicate
from sim.writer import summary_text, write_results

CFG = {"run": {"days": 1, "replications": 2}, "center": {"volume_per_day": 500.0}}


def test_failure_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reps = replicate(CFG)

    def broken_figure(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C while figures were drawn

    monkeypatch.setattr("sim.writer.interval_figure", broken_figure)
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
