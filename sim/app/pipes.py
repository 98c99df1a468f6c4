"""A closed standard output (``callsim ... | head``) ends the command quietly.

When the reader of a pipe goes away, the next write to standard output raises
``BrokenPipeError``. Left alone, a log line then prints logging's "--- Logging error ---"
traceback to stderr (the handler swallows the error and the command runs on), and the
interpreter prints "Exception ignored ... BrokenPipeError" at exit. :func:`pipe_safe_stdout`
wraps ``sys.stdout`` for the duration of a command: on the first broken write it points
file descriptor 1 at ``os.devnull`` (so no later flush fails) and raises
``SystemExit(1)``, as click and the Python documentation do ("Note on SIGPIPE", module
:mod:`signal`). Every command's output goes through ``sys.stdout`` (print, click,
logging handlers made while the command runs), so the wrapper covers them all.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = ["PipeSafeStream", "pipe_safe_stdout"]


class PipeSafeStream:
    """``stream`` (a text stream), whose ``write`` and ``flush`` end the program quietly
    with ``SystemExit(1)`` when the reader has closed the pipe; everything else is the
    stream's own."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._closed()
        return 0  # pragma: no cover - _closed raises

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._closed()

    def _closed(self) -> None:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())  # what is still buffered goes nowhere
            os.close(devnull)
        except (OSError, ValueError):  # no file descriptor (a test's capture)
            pass
        raise SystemExit(1)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def pipe_safe_stdout() -> Iterator[None]:
    """Within this block ``sys.stdout`` is a :class:`PipeSafeStream` (flushed at the end,
    then the stream before it is put back)."""
    before = sys.stdout
    if isinstance(before, PipeSafeStream) or before is None:
        yield
        return
    safe = PipeSafeStream(before)
    sys.stdout = safe
    try:
        yield
    finally:  # typer ends every command with SystemExit: flush here, not after the yield
        try:
            safe.flush()
        finally:
            sys.stdout = before
