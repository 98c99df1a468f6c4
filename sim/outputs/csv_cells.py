"""CSV files that are safe to open in a spreadsheet (no formula injection).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
run as a formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``); config
text such as ``center.call_type`` or a swept value lands in such cells. :func:`safe_frame`
prefixes those cells with an apostrophe, the spreadsheets' "this is text" mark (OWASP,
"CSV Injection"); numbers are left alone, so ``-3.5`` in a number column stays a number.
The Parquet files keep the text as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "escape_cell", "safe_frame", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """``value`` with a leading apostrophe if it is text starting like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _texty(series: pd.Series) -> bool:
    return bool(
        series.dtype == object
        or isinstance(series.dtype, pd.CategoricalDtype | pd.StringDtype)
    )


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and text index) are escaped for spreadsheets.

    Columns holding numbers only are not touched; the result is for writing CSV only.
    """
    out = df.copy()
    for col in out.columns:
        if _texty(out[col]):
            out[col] = out[col].astype(object).map(escape_cell)
    if _texty(out.index.to_series()):
        out.index = out.index.map(escape_cell)
    out.columns = [escape_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(df: pd.DataFrame, path: str | Path, index: bool = False) -> Path:
    """Write ``df`` as CSV to ``path`` with :func:`safe_frame`'s escaping; return ``path``."""
    safe_frame(df).to_csv(path, index=index)
    return Path(path)
