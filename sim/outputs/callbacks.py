"""The ``callbacks`` table and the callback KPIs (issue 15: virtual hold).

One row per callback offer (:data:`CALLBACK_COLUMNS`), built from the engine's
:class:`sim.queue.callbacks.CallbackLog` and its call columns, vectorised; the KPIs of
:data:`CALLBACK_KEYS` are computed from it and from the ``calls`` table afterwards
(definitions in :data:`sim.outputs.kpis.CALLBACK_KPIS`, docs/background/callbacks.md).

The ``calls`` table holds the attempts themselves: an accepted offer ends its attempt
with outcome ``callback`` (wait 0), and each callback attempt is a row with ``source =
callback`` and the callback call type (``<type>_callback``), ending ``answered``,
``unreached`` (the agent's call did not reach the customer) or ``closed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.core.calls import Outcome, Source
from sim.core.timetable import Timetable
from sim.queue.engine import EngineLog

__all__ = ["CALLBACK_COLUMNS", "CALLBACK_KEYS", "callback_summary", "callback_summary_with_parts",
           "callbacks_table", "empty_callbacks_table"]  # fmt: skip

#: Columns of the ``callbacks`` table, in order (one row per offer).
CALLBACK_COLUMNS = (
    "call_id", "issue_id", "call_type", "day", "interval", "offer_s", "predicted_wait_s",
    "accepted", "promised_s", "tries", "reached", "start_s", "delay_s", "patience_s",
    "abandon_saved", "warmup",
)  # fmt: skip

#: Keys of the callback summary (:func:`callback_summary`), in order.
CALLBACK_KEYS = (
    "callback_offers", "callback_acceptances", "callback_offer_rate", "callback_accept_rate",
    "callback_reached_rate", "callback_mean_delay_s", "callback_service_level",
    "abandon_saved", "abandon_saved_rate",
)  # fmt: skip


def empty_callbacks_table() -> pd.DataFrame:
    """A ``callbacks`` table with no rows (a run without callbacks)."""
    return pd.DataFrame({c: pd.Series(dtype=_DTYPES[c]) for c in CALLBACK_COLUMNS})


_DTYPES = {
    "call_id": "int64", "issue_id": "int64", "call_type": "category", "day": "int64",
    "interval": "int64", "offer_s": "float64", "predicted_wait_s": "float64",
    "accepted": "bool", "promised_s": "float64", "tries": "int64", "reached": "bool",
    "start_s": "float64", "delay_s": "float64", "patience_s": "float64",
    "abandon_saved": "bool", "warmup": "bool",
}  # fmt: skip


def _call_ids(arrival: np.ndarray) -> np.ndarray:
    """The ``call_id`` of each engine index: its rank by arrival, ties in engine order
    (as :func:`sim.outputs.metrics.calls_table` numbers the calls)."""
    order = np.argsort(arrival, kind="stable")
    rank = np.empty(len(arrival), dtype=np.int64)
    rank[order] = np.arange(len(arrival), dtype=np.int64)
    return rank


def callbacks_table(
    log: EngineLog, timetable: Timetable, warmup_s: float, call_types: Sequence[str]
) -> pd.DataFrame:
    """The ``callbacks`` table of one replication (before the calls table takes the
    log's columns over). ``call_types`` names the codes of ``log.call_type``.

    ``start_s``: when the agent began the attempt that reached the customer (NaN if
    none did); ``delay_s`` = ``start_s`` - ``promised_s`` (negative: early);
    ``abandon_saved``: reached, and the caller's patience was shorter than the time
    from the offer to the callback (had they held, they would have hung up first).
    """
    cb = log.callbacks
    if cb is None:
        return empty_callbacks_table()
    c = cb.columns()
    call, origin, attempt = c["call"], c["origin"], c["attempt_call"]
    n = len(call)
    rank = _call_ids(log.arrival_s)
    tries = np.bincount(origin, minlength=n).astype(np.int64)
    reached_attempt = log.outcome[attempt] == Outcome.ANSWERED
    start = np.full(n, np.nan)
    start[origin[reached_attempt]] = (log.arrival_s[attempt] + log.wait_s[attempt])[reached_attempt]
    reached = ~np.isnan(start)
    patience = log.patience_s[call]
    day, interval = timetable.locate(c["offer_s"])
    kind = log.call_type[call] if len(log.call_type) else np.zeros(n, np.uint8)
    return pd.DataFrame(
        {
            "call_id": rank[call],
            "issue_id": rank[log.caller_id[call]],
            "call_type": pd.Categorical.from_codes(
                kind.astype(np.int64), dtype=pd.CategoricalDtype(list(call_types))),
            "day": np.asarray(day, dtype=np.int64),
            "interval": np.asarray(interval, dtype=np.int64),
            "offer_s": c["offer_s"],
            "predicted_wait_s": c["predicted_s"],
            "accepted": c["accepted"],
            "promised_s": c["promised_s"],
            "tries": tries,
            "reached": reached,
            "start_s": start,
            "delay_s": start - c["promised_s"],
            "patience_s": patience,
            "abandon_saved": reached & (patience < start - c["offer_s"]),
            "warmup": log.arrival_s[call] < warmup_s,
        },
        columns=list(CALLBACK_COLUMNS),
    ).sort_values("call_id", kind="stable", ignore_index=True)


def callback_summary(
    callbacks: pd.DataFrame, calls: pd.DataFrame, sl_threshold_s: float, enabled: bool = True
) -> dict[str, Any]:
    """The callback KPIs (:data:`CALLBACK_KEYS`) of one replication, warm-up excluded;
    NaN where a denominator is 0, and every one NaN if not ``enabled`` (no callbacks).

    ``sl_threshold_s``: T of ``callback_service_level`` (callbacks begun within T of
    their promise / accepted). The service level of the calls on the line is the
    centre's own ``service_level`` (:mod:`sim.outputs.tally`).
    """
    return callback_summary_with_parts(callbacks, calls, sl_threshold_s, enabled)[0]


def callback_summary_with_parts(
    callbacks: pd.DataFrame, calls: pd.DataFrame, sl_threshold_s: float, enabled: bool = True
) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    """:func:`callback_summary`, and the numerator and denominator of each of its ratio
    KPIs (the rates, and ``callback_mean_delay_s``: the delays summed over the reached
    callbacks), which the ratio estimator over replications pools
    (:func:`sim.outputs.confidence.ratio_estimate`); no parts if not ``enabled``."""
    if enabled is False:
        return dict.fromkeys(CALLBACK_KEYS, float("nan")), {}
    cb = callbacks[~callbacks["warmup"].to_numpy()]
    offers = len(cb)
    accepted = cb["accepted"].to_numpy()
    n_acc = int(accepted.sum())
    reached = cb["reached"].to_numpy()
    delay = cb["delay_s"].to_numpy()[reached]
    inbound = ~calls["warmup"].to_numpy() & (calls["source"].cat.codes.to_numpy() != Source.CALLBACK)
    saved = int(cb["abandon_saved"].to_numpy().sum())
    parts: dict[str, tuple[float, float]] = {
        "callback_offer_rate": (offers, int(inbound.sum())),
        "callback_accept_rate": (n_acc, offers),
        "callback_reached_rate": (int(reached.sum()), n_acc),
        "callback_mean_delay_s": (float(delay.sum()), int(delay.size)),
        "callback_service_level": (int((delay <= sl_threshold_s).sum()), n_acc),
        "abandon_saved_rate": (saved, n_acc),
    }

    def ratio(key: str) -> float:
        a, b = parts[key]
        return a / b if b > 0 else float("nan")

    summary = {
        "callback_offers": offers,
        "callback_acceptances": n_acc,
        "callback_offer_rate": ratio("callback_offer_rate"),
        "callback_accept_rate": ratio("callback_accept_rate"),
        "callback_reached_rate": ratio("callback_reached_rate"),
        "callback_mean_delay_s": float(delay.mean()) if delay.size else float("nan"),
        "callback_service_level": ratio("callback_service_level"),
        "abandon_saved": saved,
        "abandon_saved_rate": ratio("abandon_saved_rate"),
    }
    return summary, {k: (float(a), float(b)) for k, (a, b) in parts.items()}
