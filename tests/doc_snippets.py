"""Find and run the code blocks of the docs, so the docs cannot rot (used by
tests/test_doc_snippets.py; the syntax is explained in docs/how-to/write-docs.md).

Every fenced block of a page is one of:

- ``python``: executed, blocks of one page in order in one namespace, in a temporary
  working directory;
- ``console`` (lines starting with ``$ `` are commands, the others their output) or
  ``sh`` / ``bash`` (every line a command): each command is executed in the same
  temporary directory. Runnable commands are ``callsim ...``, ``make run ARGS="..."``,
  ``make validate ARGS="..."`` and ``python <script> ...``; a block with any other
  command must be marked ``skip``;
- ``text``, ``yaml``, ``csv``, ``json``, ``ini``: shown output or file contents, not run.

A block is configured by an HTML comment on the nearest non-blank line above its fence,
visible in the page source and invisible on the site::

    <!-- docs-test: set run.days=1 run.replications=2 -->
    <!-- docs-test: skip needs a SLURM cluster -->
    <!-- docs-test: exit 2 -->
    <!-- docs-test: append --methods erlang_c; needs-shell -->

- ``skip REASON``: not run; the reason is required.
- ``set K=V ...``: small sizes: each Hydra override replaces the command's own value of
  the same key, or is added (for ``callsim plan``: as ``--set K=V``).
- ``append TOKENS``: appended to every command of the block.
- ``exit N``: every command must exit with status N, and every output line shown under
  it must appear in what it prints (for error messages; other output is not compared,
  numbers vary with the sizes).
- ``needs-shell``: a python block that reads what the commands above it wrote; it runs
  only in the full page run (marked slow), not in the fast python-only run.
- ``file PATH``: the block (say ``yaml`` or ``csv``) is a file the reader writes; it is
  written to PATH in the temporary directory before the blocks after it run.
- ``output``: the printed numbers are compared. On a ``text`` block: it is what the
  block just above it prints: a python block's stdout, or a console block's last
  command, run once more as written (without the block's ``set``/``append``, so that
  the sizes are the page's; slow run only). On a ``console`` block: the lines under
  each ``$ `` command are what that command prints. The comparison is exact: a run
  with a fixed seed is bit-identical, so its numbers must be the page's, digit for
  digit (:func:`compare_output`; runs of blanks count as one). Only wall-clock values
  are let go (log timestamps,
  ``done in 7.7 s``, ``elapsed 0.6 s``, results-folder stamps, the workers a machine's
  cores give and the size estimate made with them); a line ``...`` stands
  for printed lines the page leaves out. Not with ``set``/``append``: the sizes shown
  must be the sizes run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "PYTHON",
    "SHELL",
    "SHOWN",
    "Block",
    "Command",
    "blocks",
    "check_block",
    "command_argv",
    "compare_output",
    "run_command",
    "run_python",
    "write_file",
]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYTHON = {"python", "py"}
SHELL = {"console", "sh", "bash", "shell"}
SHOWN = {"text", "yaml", "csv", "json", "ini", "toml"}
DIRECTIVES = {"skip", "set", "append", "exit", "needs-shell", "file", "output"}
FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)\s*$")
MARKER = re.compile(r"^<!--\s*docs-test:\s*(.*?)\s*-->$")


@dataclass
class Command:
    """One shell command of a block: its text (continuations joined) and shown output."""

    text: str
    line: int
    output: list[str] = field(default_factory=list)


@dataclass
class Block:
    """A fenced code block of a page and the directives of its marker comment."""

    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    directives: dict[str, str]

    @property
    def where(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.line}"

    def commands(self) -> list[Command]:
        """The commands of a shell block, continuation lines (``\\``) joined."""
        out: list[Command] = []
        pending: Command | None = None
        for k, raw in enumerate(self.code.splitlines(), start=self.line + 1):
            line = raw.rstrip()
            if pending is not None:  # continuation of the previous line
                pending.text += " " + line.strip().rstrip("\\").strip()
                if not line.endswith("\\"):
                    pending = None
                continue
            if self.lang == "console":
                if not line.startswith("$ "):
                    if out and line.strip():
                        out[-1].output.append(line.strip())
                    continue
                line = line[2:]
            elif not line.strip() or line.lstrip().startswith("#"):
                continue
            cmd = Command(line.rstrip("\\").strip(), k)
            out.append(cmd)
            if line.endswith("\\"):
                pending = cmd
        return out


def _directives(marker: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if marker.startswith("skip"):  # the rest of the line is the reason
        return {"skip": marker[len("skip") :].strip()}
    for part in filter(None, (p.strip() for p in marker.split(";"))):
        name, _, arg = part.partition(" ")
        found[name] = arg.strip()
    return found


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a markdown file, with the directives above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2).lower()
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        marker = MARKER.match(lines[k].strip()) if k >= 0 else None
        directives = _directives(marker.group(1)) if marker else {}
        found.append(Block(path, i + 1, lang, "\n".join(lines[i + 1 : j]), directives))
        i = j + 1
    return found


def command_argv(text: str) -> list[str] | None:
    """The argv a documented command runs here, or None when it cannot run in a test.

    ``callsim`` is the virtual environment's script; ``make run ARGS="..."`` is
    ``callsim ...`` (what the Makefile runs) and ``make validate`` ``callsim validate``.
    """
    words = shlex.split(text, comments=True)
    if not words:
        return None
    head, rest = words[0], words[1:]
    if head in ("callsim", ".venv/bin/callsim"):
        return [str(BIN / "callsim"), *rest]
    if head == "make" and rest and rest[0] in ("run", "validate"):
        args: list[str] = []
        for word in rest[1:]:
            if not word.startswith("ARGS="):
                return None
            args += shlex.split(word[len("ARGS=") :])
        return [str(BIN / "callsim"), *(["validate"] if rest[0] == "validate" else []), *args]
    if head in ("python", "python3", ".venv/bin/python") and rest and rest[0].endswith(".py"):
        return [sys.executable, str(ROOT / rest[0]), *rest[1:]]
    return None


def check_block(block: Block) -> list[str]:
    """Why a block cannot be run as documented (empty when it is runnable or shown)."""
    problems = [f"unknown directive {d!r}" for d in block.directives if d not in DIRECTIVES]
    if "skip" in block.directives:
        if not block.directives["skip"]:
            problems.append("'skip' needs a reason")
        return problems
    if "file" in block.directives:
        target = block.directives["file"]
        if not target or Path(target).is_absolute() or ".." in Path(target).parts:
            problems.append(f"'file' needs a relative path inside the scratch folder: {target!r}")
        return problems
    if "output" in block.directives:
        if block.lang not in {"text", "console"}:
            problems.append("'output' goes on a text block (a python block's output) or a "
                            "console block")  # fmt: skip
        if {"set", "append"} & set(block.directives):
            problems.append("'output' with 'set'/'append': the numbers shown must come from "
                            "the command as written")  # fmt: skip
    if block.lang in PYTHON or block.lang in SHOWN:
        return problems
    if block.lang not in SHELL:
        return [*problems, f"language {block.lang or '(none)'!r}: say python, console, sh or text"]
    commands = block.commands()
    if not commands:
        problems.append("a shell block without commands")
    for cmd in commands:
        if command_argv(cmd.text) is None:
            problems.append(f"line {cmd.line}: cannot run {cmd.text!r} here: mark it skip")
    return problems


def _apply(argv: list[str], directives: dict[str, str]) -> list[str]:
    """The argv with the block's ``set`` overrides and ``append`` tokens applied."""
    argv = list(argv)
    plan = len(argv) > 1 and argv[1] == "plan"
    for item in shlex.split(directives.get("set", "")):
        key = item.split("=", 1)[0]
        if plan:
            keep, skip_next = [], False
            for k, word in enumerate(argv):
                if skip_next:
                    skip_next = False
                    continue
                if word == "--set" and k + 1 < len(argv) and argv[k + 1].startswith(key + "="):
                    skip_next = True
                    continue
                keep.append(word)
            argv = [*keep, "--set", item]
        else:
            argv = [w for w in argv if w.lstrip("+").split("=", 1)[0] != key] + [item]
    return argv + shlex.split(directives.get("append", ""))


def run_command(block: Block, cmd: Command, cwd: Path, as_written: bool = False) -> str:
    """Run one command of a block in ``cwd``; fail with its output when it misbehaves.
    Returns what it printed. ``as_written``: without the block's ``set``/``append``."""
    argv = command_argv(cmd.text)
    assert argv is not None, f"{block.where}: cannot run {cmd.text!r}"
    if not as_written:
        argv = _apply(argv, block.directives)
    env = {**os.environ, "MPLBACKEND": "Agg", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    expected = int(block.directives.get("exit", "0"))
    printed = done.stdout + done.stderr
    assert done.returncode == expected, (
        f"{block.where} line {cmd.line}: {shlex.join(argv)} exited {done.returncode}, "
        f"expected {expected}\n{printed[-3000:]}"
    )
    if "output" in block.directives:
        compare_output("\n".join(cmd.output), printed, f"{block.where} line {cmd.line}")
    elif "exit" in block.directives:  # error messages are compared line by line
        missing = [line for line in cmd.output if line not in printed]
        assert not missing, f"{block.where} line {cmd.line}: not printed: {missing}\n{printed}"
    return printed


def run_python(block: Block, namespace: dict[str, Any], cwd: Path) -> str:
    """Execute a python block in ``namespace`` with ``cwd`` as working directory; return
    what it printed (also passed on to the real stdout)."""
    code = compile(block.code, block.where, "exec")
    before = Path.cwd()
    os.chdir(cwd)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(code, namespace)
    finally:
        os.chdir(before)
        sys.stdout.write(out.getvalue())
    return out.getvalue()


#: Wall-clock values that differ between two runs of the same seed, and their stand-ins.
VOLATILE = (
    (re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\]"), "[<time>]"),
    (re.compile(r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d(_\d+)?"), "<stamp>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?"), "<time>"),
    (re.compile(r"\b(done in|checked in|finished in|solved in|elapsed) \d+(\.\d+)? s\b"),
     r"\1 <t> s"),
    # the machine's cores choose the workers (run.workers=0), and with them the estimate
    (re.compile(r"on \d+ worker\(s\); size: .*$"), "on <n> worker(s); size: <estimate>"),
)


def _stable(line: str) -> str:
    line = " ".join(line.split())  # runs of blanks are layout, not numbers
    for pattern, stand_in in VOLATILE:
        line = pattern.sub(stand_in, line)
    return line


def compare_output(shown: str, printed: str, where: str) -> None:
    """Assert that ``printed`` is the output a page shows (see ``output`` in the module).

    Without a ``...`` line the shown lines must be the printed ones, all and in order;
    ``...`` stands for any number of printed lines. Lines are compared after runs of
    blanks are made one (alignment is layout) and the wall-clock values of
    :data:`VOLATILE` replaced, so every number of the simulation itself must match
    exactly. Blank lines are ignored.
    """
    want = [_stable(x) for x in shown.splitlines() if x.strip()]
    got = [_stable(x) for x in printed.splitlines() if x.strip()]
    if "..." not in want:
        if want != got:
            diff = "\n".join(
                f"  shown:   {w!r}\n  printed: {g!r}"
                for w, g in zip([*want, *[""] * len(got)], [*got, *[""] * len(want)], strict=False)
                if w != g
            )
            raise AssertionError(f"{where}: the page shows other output than the code prints\n"
                                 f"{diff}\n--- printed:\n{printed}")  # fmt: skip
        return
    segments: list[list[str]] = [[]]
    for w in want:
        if w == "...":
            segments.append([])
        else:
            segments[-1].append(w)
    k = 0
    for i, seg in enumerate(segments):
        anywhere = i > 0  # after a "...": anywhere further on
        if i == len(segments) - 1 and seg and len(segments) > 1:  # the output's last lines
            at = len(got) - len(seg) if len(got) - len(seg) >= k else None
            at = at if at is not None and got[at:] == seg else None
        else:
            at = _find(got, seg, k, anywhere)
        if at is None:
            raise AssertionError(f"{where}: shown lines not printed (in this order): {seg!r}\n"
                                 f"--- printed:\n{printed}")  # fmt: skip
        k = at + len(seg)


def _find(got: list[str], seg: list[str], start: int, anywhere: bool) -> int | None:
    """Where ``seg`` is in ``got`` at ``start`` (or, if ``anywhere``, from there on)."""
    last = len(got) - len(seg) if anywhere else start
    for at in range(start, last + 1):
        if got[at : at + len(seg)] == seg:
            return at
    return None


def write_file(block: Block, cwd: Path) -> None:
    """Write a ``file`` block to its path under ``cwd``."""
    target = cwd / block.directives["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(block.code + "\n", encoding="utf-8")
