"""Writing files so that an interrupted run leaves nothing that looks whole: every
file and every results folder is written under a temporary sibling name and renamed
into place (an atomic rename on one file system)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_folder", "atomic_write", "atomic_write_text"]


def atomic_write(target: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(partial)`` on a temporary sibling of ``target``, then rename it into
    place; on any failure (or Ctrl-C) the partial file is removed and ``target`` is left
    as it was. Returns ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        write(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (:func:`atomic_write`)."""
    return atomic_write(Path(path), lambda p: p.write_text(text, encoding="utf-8"))


@contextmanager
def atomic_folder(folder: Path) -> Iterator[Path]:
    """Fill a folder atomically: yields a fresh ``<folder>.partial-<pid>`` sibling, which
    becomes ``folder`` when the block ends without an error and is removed otherwise.

    ``folder`` must not exist or be empty (an empty one is replaced); a non-empty one
    raises :class:`FileExistsError` before anything is written.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder}: exists and is not empty")
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    partial.mkdir()
    try:
        yield partial
        if folder.exists():
            folder.rmdir()
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
