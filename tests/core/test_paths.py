"""Config values that become parts of paths never write or delete outside the run's folder
(sim.core.paths, sim.sweep): ``../``, absolute paths, quotes, very long and unicode names for
every key that names a folder (``run.name``) or a sweep point (any swept key; the issue
names ``staffing.group`` and ``center.call_type``)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from cli_run import callsim

from sim.app.sweep import run_point
from sim.config.validation import load_config
from sim.core.checks import ConfigError
from sim.core.paths import MAX_COMPONENT_BYTES, MAX_NAME_CHARS, check_folder_name, point_dirname

#: Hostile names: traversal, absolute, quotes, a formula, very long, unicode, control chars.
NASTY = [
    "../../victim",
    "../..",
    "/tmp/abs/victim",
    "a\\..\\..\\b",
    "it's \"quoted\"",
    "=HYPERLINK(\"http://x\")",
    "x" * 300,
    "Zürich ☎ 東京 " + "é" * 150,
    "tab\there\nnewline\x00nul",
    ".hidden",
    "",
]


@pytest.mark.parametrize("name", NASTY)
def test_point_dirname_is_one_safe_component(name: str) -> None:
    text = f"staffing.group={name}"
    safe = point_dirname(text)
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert safe not in {"", ".", ".."} and not safe.startswith(".")
    assert len(safe.encode("utf-8")) <= MAX_COMPONENT_BYTES
    assert all(ch.isprintable() for ch in safe)
    assert point_dirname(text) == safe  # deterministic: a re-run finds the same point


def test_point_dirname_keeps_safe_names_and_never_merges_two_points() -> None:
    for plain in ["staffing.agents=20", "center.name=Zürich,staffing.agents=[10,12]"]:
        assert point_dirname(plain) == plain
    # the same sanitised text from different originals: the hash tells them apart
    assert point_dirname("g=a/b") != point_dirname("g=a\\b")
    assert point_dirname("g=a/b") != "g=a_b"


@pytest.mark.parametrize("name", [*NASTY, "a" * (MAX_NAME_CHARS + 1)])
def test_run_name_must_be_a_plain_folder_name(name: str) -> None:
    assert check_folder_name(name) is not None
    with pytest.raises(ConfigError, match=r"^run\.name = ") as err:
        load_config({"run": {"name": name}})
    assert err.value.key == "run.name" and "\n" not in str(err.value).replace(repr(name), "")


def test_run_name_allows_ordinary_names() -> None:
    for name in ["baseline", "lunch_rush-2.v3", "a" * MAX_NAME_CHARS]:
        assert load_config({"run": {"name": name}}).run.name == name


def test_run_name_traversal_refused_by_the_command(tmp_path: Path) -> None:
    for name in ["../../victim", "/tmp/abs", "x" * 300]:
        out = callsim(tmp_path, f"run.name='{name}'", "run.days=1")
        assert out.returncode == 2, out.stdout + out.stderr
        lines = (out.stdout + out.stderr).strip().splitlines()
        assert len(lines) == 1 and "run.name" in lines[0], lines
    assert not any(tmp_path.iterdir())  # nothing written at all


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _quoted(values: list[str]) -> str:
    """Hydra's grammar: single-quoted strings, ``\\`` and ``'`` escaped."""
    return ",".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values)


#: One sweep per key; the values Hydra's override grammar can carry (no NUL/newline).
SWEPT = ["../../victim", "/tmp/abs/victim", "it's \"q\"", '=HYPERLINK("http://x")',
         "y" * 300, "Zürich ☎ 東京"]  # fmt: skip


@pytest.mark.parametrize(
    "key",
    [
        "staffing.group",
        # the same path, other keys: about a minute each, so with the slow tests
        pytest.param("center.call_type", marks=pytest.mark.slow),
        pytest.param("center.name", marks=pytest.mark.slow),
    ],
)
def test_swept_values_stay_inside_the_sweep_folder(tmp_path: Path, key: str) -> None:
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    out = callsim(
        work, "-m", f"{key}={_quoted(SWEPT)}", "run.name=trav", "run.days=1",
        "center.volume_per_day=200", "staffing.agents=3", "output.figures=false",
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    sweep = work / "results" / "trav" / "sweep"
    points = [p for p in sweep.iterdir() if p.is_dir()]
    assert len(points) == len(SWEPT)
    for path in _files(tmp_path):
        rel = path.relative_to(sweep)  # raises if anything was written elsewhere
        assert len(rel.parts) <= 3, rel  # point/file or point/figures/file
    assert not (tmp_path / "victim").exists() and not Path("/tmp/abs/victim").exists()
    # the point's config holds the value as given; its folder name is safe
    texts = {(p / "config.yaml").read_text(encoding="utf-8") for p in points}
    assert any("../../victim" in t for t in texts)
    if key != "center.name":  # the call type and group land in calls.csv: formula-escaped
        calls = pd.concat(pd.read_csv(p / "calls.csv") for p in points)
        column = "call_type" if key == "center.call_type" else None
        if column is not None:
            assert "'=HYPERLINK(\"http://x\")" in set(calls[column])
            assert not any(str(v).startswith("=") for v in calls[column])
    done = callsim(work, "collect", str(sweep))
    assert done.returncode == 0, done.stdout + done.stderr
    table = pd.read_csv(sweep / "sweep.csv")
    assert not table[key].astype(str).str.startswith(("=", "+", "-", "@")).any()
    again = callsim(
        work, "-m", f"{key}={_quoted(SWEPT)}", "run.name=trav", "run.days=1",
        "center.volume_per_day=200", "staffing.agents=3", "output.figures=false",
    )  # fmt: skip
    assert again.stdout.count("skipped (done)") == len(SWEPT), again.stdout  # resumes


def test_stale_point_with_foreign_files_is_never_deleted(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "thesis.tex").write_text("years of work")
    cfg = load_config({"run": {"days": 1}, "staffing": {"agents": 3},
                       "center": {"volume_per_day": 100.0}, "output": {"figures": False}})  # fmt: skip
    with pytest.raises(ConfigError, match=r"thesis\.tex"):
        run_point(cfg, victim, [])
    assert (victim / "thesis.tex").read_text() == "years of work"
    link = tmp_path / "p"
    link.mkdir()
    os.symlink(victim, link / "figures")
    with pytest.raises(ConfigError, match="figures"):
        run_point(cfg, link, [])
    assert (victim / "thesis.tex").is_file()
