"""The progress of long work (sim.model.progress): a bar on a terminal, throttled lines
in a log, nothing when the logger was silenced."""

from __future__ import annotations

import io
import logging

import pytest

from sim.model import progress as progress_module
from sim.model.progress import Progress, silenced

log = logging.getLogger("callsim.test_progress")


def line(k: int, n: int, name: str, elapsed: float) -> str:
    return f"{name or '-'} {k}/{n}"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_steps(p: Progress, names: list[str]) -> None:
    with p:
        for name in names:
            p.start(name)
            p.advance()


def test_without_a_terminal_lines_are_throttled(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=log.name):
        run_steps(Progress(3, "work", "step", log, line, every_s=0.0), ["a", "b", "c"])
    # every_s 0: a line as each step starts and as it ends
    assert caplog.messages == ["a 0/3", "- 1/3", "b 1/3", "- 2/3", "c 2/3", "- 3/3"]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=log.name):
        run_steps(Progress(3, "work", "step", log, line, every_s=3600.0), ["a", "b", "c"])
    assert caplog.messages == ["- 3/3"]  # only the last (last=True)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=log.name):
        run_steps(Progress(3, "work", "step", log, line, last=False, every_s=3600.0), ["a", "b"])
    assert caplog.messages == []


def test_the_default_interval_is_read_when_the_work_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Progress(1, "w", "s", log, line).every_s == progress_module.PROGRESS_EVERY_S == 10.0
    monkeypatch.setattr(progress_module, "PROGRESS_EVERY_S", 0.5)
    assert Progress(1, "w", "s", log, line).every_s == 0.5


def test_on_a_terminal_a_bar_on_stderr_and_no_lines(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    with caplog.at_level(logging.INFO, logger=log.name):
        run_steps(Progress(2, "writing", "file", log, line, every_s=0.0), ["x.csv", "y.png"])
    assert caplog.messages == []
    text = err.getvalue()
    assert "writing" in text and "1/2" in text and "y.png" in text  # tqdm may skip 2/2 (0.1 s)


def test_silenced_logger_is_quiet_bar_and_lines(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    parent = logging.getLogger("callsim.test_progress_parent")
    child = logging.getLogger("callsim.test_progress_parent.child")
    assert not silenced(child)  # nothing set below the root: Python's default setup
    parent.setLevel(logging.WARNING)  # as a sweep does for a point's own lines
    try:
        assert silenced(child)
        with caplog.at_level(logging.INFO):
            run_steps(Progress(2, "writing", "file", child, line, every_s=0.0), ["a", "b"])
        assert err.getvalue() == "" and caplog.messages == []
        child.setLevel(logging.INFO)  # the nearest level set decides
        assert not silenced(child)
    finally:
        parent.setLevel(logging.NOTSET)
        child.setLevel(logging.NOTSET)
