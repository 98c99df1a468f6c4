"""Run the ``callsim`` command in a subprocess (shared by the CLI and sweep tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def callsim(cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m sim.app.cli *args`` in ``cwd``; output captured as text, short Hydra errors."""
    return subprocess.run(
        [sys.executable, "-m", "sim.app.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "HYDRA_FULL_ERROR": ""},
    )
