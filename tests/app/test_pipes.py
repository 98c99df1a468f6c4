"""``callsim ... | head``: a closed standard output ends the command quietly (exit 1,
nothing on stderr), not with logging's BrokenPipeError traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.app.pipes import PipeSafeStream, pipe_safe_stdout


def test_a_write_to_a_closed_pipe_exits_quietly() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone, as after `| head`
    stream = io.TextIOWrapper(os.fdopen(write, "wb"), write_through=True)
    safe = PipeSafeStream(stream)  # type: ignore[arg-type]
    with pytest.raises(SystemExit) as stop:
        safe.write("a line\n")
        safe.flush()  # through the buffer to the pipe
    assert stop.value.code == 1
    safe.write("more\n")  # the descriptor now points at os.devnull: no error any more
    safe.flush()
    stream.close()


def test_stdout_is_wrapped_only_inside_the_block() -> None:
    before = sys.stdout
    with pipe_safe_stdout():
        assert isinstance(sys.stdout, PipeSafeStream)
        with pipe_safe_stdout():  # not wrapped twice
            assert not isinstance(sys.stdout._stream, PipeSafeStream)  # type: ignore[union-attr]
    assert sys.stdout is before


def test_callsim_piped_into_head_says_nothing_on_stderr(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim.app.cli",
            "run.days=1",
            "run.replications=2",
            "run.name=pipe",
            "output.figures=false",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "HYDRA_FULL_ERROR": ""},
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # `head -1`: one line, then the reader goes away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 1
    assert first.startswith(b"simulating pipe")
    assert err == "", err  # no "Logging error", no BrokenPipeError, no "Exception ignored"
