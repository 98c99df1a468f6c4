"""Shared test set-up: tests mirror the package (``tests/<sub-package>/test_<module>.py``);
the helpers beside this file (``textbook.py``, ``cli_run.py``, ``doc_snippets.py``) are
importable from every test folder."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
