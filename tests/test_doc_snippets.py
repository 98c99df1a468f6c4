"""Every code block of the docs and the README runs (tests/doc_snippets.py explains how
blocks are marked). Fast: every block is runnable or marked skip with a reason, and the
python blocks of each page run in order. Slow (`make test-slow`, CI): every page runs
whole, commands included, in a temporary directory, on the sizes its markers give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import pytest
from doc_snippets import (
    PYTHON,
    ROOT,
    SHELL,
    Block,
    blocks,
    check_block,
    command_argv,
    compare_output,
    run_command,
    run_python,
    write_file,
)

matplotlib.use("Agg")

PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
IDS = [str(p.relative_to(ROOT)) for p in PAGES]


def _runnable(page: Path) -> list[Block]:
    return [b for b in blocks(page) if "skip" not in b.directives]


def _workdir(tmp_path: Path) -> Path:
    """A scratch project root: the configs and experiments are linked, results land here."""
    for name in ("sim", "experiments"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    return tmp_path


@pytest.fixture(autouse=True)
def _quiet_matplotlib() -> Any:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def test_the_runner_sees_blocks_and_markers() -> None:
    page = ROOT / "docs" / "how-to" / "run-a-scenario.md"
    found = blocks(page)
    assert any(b.lang == "python" for b in found)
    assert any(b.lang == "console" and "exit" in b.directives for b in found)
    assert command_argv('make run ARGS="run.days=1 scenario=understaffed"')[1:] == [
        "run.days=1",
        "scenario=understaffed",
    ]
    assert command_argv("make test") is None and command_argv("git clone x") is None


def test_a_bad_block_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```console\n$ make test\n```\n\n<!-- docs-test: skip -->\n```sh\nls\n```\n"
        "```\nplain\n```\n",
        encoding="utf-8",
    )
    problems = [check_block(b) for b in blocks(page)]
    assert "cannot run 'make test'" in problems[0][0]
    assert problems[1] == ["'skip' needs a reason"]
    assert "language '(none)'" in problems[2][0]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_block_is_runnable_or_marked(page: Path) -> None:
    problems = [f"{b.where}: {p}" for b in blocks(page) for p in check_block(b)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_python_blocks_run(page: Path, tmp_path: Path) -> None:
    """The page's python blocks in order, in one namespace (those reading the output of
    the page's commands run in the full page test below)."""
    todo = [
        b
        for b in _runnable(page)
        if "file" in b.directives
        or (b.lang in PYTHON and "needs-shell" not in b.directives)
        or (b.lang == "text" and "output" in b.directives)
    ]
    if not any(b.lang in PYTHON for b in todo):
        pytest.skip("no python block")
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    cwd = _workdir(tmp_path)
    printed: str | None = None  # by the last python block run
    for block in todo:
        if "file" in block.directives:
            write_file(block, cwd)
        elif block.lang in PYTHON:
            printed = run_python(block, namespace, cwd)
        else:  # shown output: of the python block just run (a command's: slow run)
            before = _block_before(page, block)
            if before is not None and before.lang in PYTHON and printed is not None:
                compare_output(block.code, printed, block.where)
            printed = None


def _block_before(page: Path, block: Block) -> Block | None:
    found = blocks(page)
    k = next(i for i, b in enumerate(found) if b.line == block.line)
    return found[k - 1] if k and found[k - 1].lang in PYTHON | SHELL else None


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_output_blocks_follow_what_prints_them(page: Path) -> None:
    """A text block marked ``output`` comes right after the python block that prints it."""
    for block in blocks(page):
        if block.lang == "text" and "output" in block.directives:
            before = _block_before(page, block)
            assert before is not None and "skip" not in before.directives, (
                f"{block.where}: 'output' block without a runnable python or console "
                "block above it"
            )


def test_shown_numbers_are_compared(tmp_path: Path) -> None:
    """The comparison itself: a changed digit fails, wall-clock values and '...' pass."""
    page = tmp_path / "page.md"
    page.write_text(
        "```python\nprint('abandoned 13.2%')\nprint('done in 0.4 s')\n```\n\n"
        "<!-- docs-test: output -->\n```text\nabandoned 14.2%\ndone in 9.9 s\n```\n",
        encoding="utf-8",
    )
    python, shown = blocks(page)
    printed = run_python(python, {}, tmp_path)
    with pytest.raises(AssertionError, match=r"shown:   'abandoned 14.2%'"):
        compare_output(shown.code, printed, shown.where)
    compare_output("abandoned 13.2%\ndone in 9.9 s", printed, "here")  # times let go
    compare_output("...\ndone in 1 s", printed, "here")
    compare_output("abandoned 13.2%\n...", printed, "here")
    with pytest.raises(AssertionError):
        compare_output("abandoned 13.2%", printed, "here")  # a line left out without '...'
    with pytest.raises(AssertionError):
        compare_output("done in 1 s\n...\nabandoned 13.2%", printed, "here")  # order
    assert check_block(shown) == []
    bad = tmp_path / "bad.md"
    bad.write_text("<!-- docs-test: output; set run.days=1 -->\n```console\n$ callsim\n```\n")
    assert "the numbers shown must come from the command as written" in check_block(
        blocks(bad)[0]
    )[0]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_whole_page_runs(page: Path, tmp_path: Path) -> None:
    """Every command and python block of the page, in order, in one scratch directory."""
    todo = [
        b for b in _runnable(page)
        if b.lang in PYTHON | SHELL or "file" in b.directives
        or (b.lang == "text" and "output" in b.directives)
    ]  # fmt: skip
    if not any(b.lang in SHELL for b in todo):
        pytest.skip("no command (its python blocks run in the fast test)")
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    printed = ""
    cwd = _workdir(tmp_path)
    last: Block | None = None  # the block before, for an output block
    for block in todo:
        if "file" in block.directives:
            write_file(block, cwd)
        elif block.lang in PYTHON:
            printed = run_python(block, namespace, cwd)
        elif block.lang == "text":
            if last is not None and last.lang in SHELL and (
                "set" in last.directives or "append" in last.directives
            ):  # the output of the command as written, at the page's sizes
                printed = run_command(last, last.commands()[-1], cwd, as_written=True)
            compare_output(block.code, printed, block.where)
        else:
            for cmd in block.commands():
                printed = run_command(block, cmd, cwd)
        last = block
