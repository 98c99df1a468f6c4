"""Reader of the "Anonymous Bank" call logs (Technion SEE Center, 1999).

Source: the Anonymous Bank data of the Technion SEE Center (Ilan Guedj and Avi Mandelbaum,
Technion, Haifa), analysed in Brown, Gans, Mandelbaum, Sakov, Shen, Zeltyn and Zhao (2005),
"Statistical analysis of a telephone call center: a queueing-science perspective", JASA
100:36-50. Tab-separated, one header row; clock times ``H:MM:SS``, durations in seconds;
columns described in ``../shared/data/README.md`` and ``docs/how-to/fit-a-call-log.md``.

How rows become :class:`~sim.fit.logs.CallLog` rows:

* ``PHANTOM`` calls (fate unknown) are dropped (counted as ``phantom``);
* a call that never queued (``q_start`` 0:00:00) and ``HANG`` hung up in the IVR: dropped
  (``abandoned_in_ivr``); one that never queued and was served went straight to an agent:
  arrival = ``ser_start``, wait 0;
* otherwise arrival = ``q_start``, wait = ``q_exit - q_start`` (a day is added when the exit
  is before the start: the wait ran past midnight; likewise for the service and for a
  ``q_start`` earlier in the day than ``vru_entry``);
* handle time = ``ser_exit - ser_start`` (with the same midnight rule) for served calls;
* ``customer_id`` 0 means unknown (""), ``server`` NO_SERVER means none;
* rows come sorted by line, not by arrival: the log is sorted by arrival.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from sim.fit.logs import DAY_S, CallLog, LogError, make_log

__all__ = ["BANK_COLUMNS", "read_bank_log", "sniff_bank"]

BANK_COLUMNS = (
    "vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
    "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time",
    "server",
)  # fmt: skip
_OUTCOMES = ("AGENT", "HANG", "PHANTOM")


def sniff_bank(path: str | Path) -> bool:
    """True if the first line of ``path`` is the Anonymous Bank header."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
    return first.rstrip("\r\n").split("\t")[:3] == list(BANK_COLUMNS[:3])


def _clock(path: Path, raw: pd.DataFrame, col: str) -> np.ndarray:
    """Seconds after midnight of a ``H:MM:SS`` column; LogError names the first bad cell."""
    parts = raw[col].str.strip().str.extract(r"^(\d{1,2}):(\d{2}):(\d{2})$")
    bad = parts.isna().any(axis=1).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise LogError(
            f"{path}, line {i + 2}, column {col}: {raw[col].iloc[i]!r} is not a time H:MM:SS"
        )
    h, m, s = (parts[k].astype(int).to_numpy() for k in range(3))
    if ((m > 59) | (s > 59) | (h > 23)).any():
        i = int(np.flatnonzero((m > 59) | (s > 59) | (h > 23))[0])
        raise LogError(
            f"{path}, line {i + 2}, column {col}: {raw[col].iloc[i]!r} is not a time H:MM:SS"
        )
    return (h * 3600 + m * 60 + s).astype(float)


def read_bank_log(path: str | Path) -> CallLog:
    """Read one Anonymous Bank file (e.g. ``january.txt``; ``.gz`` too) into a :class:`CallLog`.

    Extra columns kept: ``priority`` (0, 1 regular; 2 high) and ``vru_line``
    (with ``call_id`` it identifies a row). Raises :class:`LogError`
    naming the file, line and column on a missing column, a bad date, time or outcome, or
    an empty file.
    """
    path = Path(path)
    if not path.is_file():
        raise LogError(f"{path}: no such file")
    try:
        raw = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise LogError(f"{path}, line 1: empty file, expected the bank header row") from None
    raw.columns = [c.strip() for c in raw.columns]
    for col in BANK_COLUMNS:
        if col not in raw.columns:
            raise LogError(f"{path}, line 1: missing column {col!r} of the bank format")
    if raw.empty:
        raise LogError(f"{path}, line 2: no calls after the header row")
    raw = raw.apply(lambda c: c.str.strip())
    line = np.arange(len(raw)) + 2
    outcome = raw["outcome"].to_numpy()
    bad = ~np.isin(outcome, _OUTCOMES)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise LogError(f"{path}, line {line[i]}, column outcome: {outcome[i]!r} is not one of "
                       + ", ".join(_OUTCOMES))
    date = pd.to_datetime(raw["date"], format="%y%m%d", errors="coerce")
    if date.isna().any():
        i = int(np.flatnonzero(date.isna().to_numpy())[0])
        raise LogError(f"{path}, line {line[i]}, column date: {raw['date'].iloc[i]!r} is not "
                       "a date YYMMDD")
    times = {c: _clock(path, raw, c) for c in ("vru_entry", "q_start", "q_exit", "ser_start",
                                               "ser_exit")}
    phantom = outcome == "PHANTOM"
    queued = raw["q_start"].to_numpy() != "0:00:00"
    served = outcome == "AGENT"
    ivr = ~queued & ~served & ~phantom
    keep = ~phantom & ~ivr
    day0 = date.min()
    day_s = ((date - day0).dt.days.to_numpy() * DAY_S).astype(float)
    start = np.where(queued, times["q_start"], times["ser_start"])
    start = start + np.where(start < times["vru_entry"], DAY_S, 0.0)  # queued after midnight
    wait = np.where(queued, (times["q_exit"] - times["q_start"]) % DAY_S, 0.0)
    handle = (times["ser_exit"] - times["ser_start"]) % DAY_S
    cust = raw["customer_id"].to_numpy()
    server = raw["server"].to_numpy()
    log = make_log(
        (day_s + start)[keep],
        wait[keep],
        served[keep],
        handle[keep],
        start_date=day0.date(),
        call_type=raw["type"].to_numpy()[keep],
        customer_id=np.where(cust == "0", "", cust)[keep],
        agent_id=np.where(server == "NO_SERVER", "", server)[keep],
        call_id=raw["call_id"].to_numpy()[keep],
        source=str(path),
        dropped={"phantom": int(phantom.sum()), "abandoned_in_ivr": int(ivr.sum())},
        extra={"priority": raw["priority"].to_numpy()[keep],
               "vru_line": raw["vru+line"].to_numpy()[keep]},
    )
    return log
