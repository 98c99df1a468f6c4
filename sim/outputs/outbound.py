"""The KPIs of outbound campaigns (issue 15), per call type: dials, right-party
contacts, contacts per agent-hour on outbound work, list penetration.

Every dial of a campaign is a row of the ``calls`` table with ``source = outbound``
(:mod:`sim.queue.outbound`): outcome ``answered`` (a right-party contact), ``unreached``
or ``closed`` (a record still waiting to be dialed when the run was over, not a dial).
A dial counts from its start (``arrival_s + wait_s``) after the warm-up: a record's
``arrival_s`` is when it joined the list (or fell due for a retry), not a customer's
call. Definitions in :data:`sim.outputs.kpis.OUTBOUND_KPIS`; vectorised, one
``np.bincount`` per quantity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core.calls import Outcome, Source

__all__ = ["OUTBOUND_KEYS", "outbound_kpis", "outbound_rows"]

#: The outbound KPIs of a call type (NaN for a type that is not outbound).
OUTBOUND_KEYS = ("outbound_dials", "right_party_contacts", "contacts_per_outbound_hour",
                 "list_penetration")  # fmt: skip


def outbound_rows(calls: pd.DataFrame) -> np.ndarray:
    """Bool per row of the ``calls`` table: a row of an outbound campaign (all False
    for a table without the ``outbound`` source, or without a ``source`` column)."""
    source = calls["source"] if "source" in calls else None
    if source is None or len(source.cat.categories) <= Source.OUTBOUND:
        return np.zeros(len(calls), dtype=bool)
    return np.asarray(source.cat.codes.to_numpy() == Source.OUTBOUND)


def outbound_kpis(
    calls: pd.DataFrame, codes: np.ndarray, n_types: int, warmup_s: float,
    records: Sequence[float],
) -> dict[str, np.ndarray]:  # fmt: skip
    """:data:`OUTBOUND_KEYS` per call type, each shape (n_types,).

    ``codes``: each row's call type; ``records``: per type the records put on its list
    over the run (inf: an endless list; NaN: not an outbound type).
    """
    rec = np.asarray(records, dtype=np.float64)
    if rec.shape != (n_types,):
        raise ValueError(f"records: need one value per call type ({n_types}), got {rec.shape}")
    is_outbound = np.isfinite(rec) | np.isinf(rec)
    if not is_outbound.any():  # NaN for every type, without reading the table
        return {key: np.full(n_types, np.nan) for key in OUTBOUND_KEYS}
    outcome = calls["outcome"].cat.codes.to_numpy() + 1
    reached = outcome == Outcome.ANSWERED
    dialed = outbound_rows(calls) & (reached | (outcome == Outcome.UNREACHED))
    start = calls["arrival_s"].to_numpy() + calls["wait_s"].to_numpy()
    counted = dialed & (start >= warmup_s)
    k = np.asarray(codes).astype(np.int64)

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(k[mask], weights=w, minlength=n_types).astype(float)

    dials = count(counted)
    contacts = count(counted & reached)
    hours = count(counted, np.nan_to_num(calls["handle_s"].to_numpy())) / 3600.0
    first = count(dialed & (calls["attempt"].to_numpy() == 1))  # over the whole run
    with np.errstate(invalid="ignore", divide="ignore"):
        per_hour = contacts / hours
        penetration = np.where(np.isfinite(rec), first / rec, np.nan)
    nan = np.full(n_types, np.nan)
    return {
        "outbound_dials": np.where(is_outbound, dials, nan),
        "right_party_contacts": np.where(is_outbound, contacts, nan),
        "contacts_per_outbound_hour": np.where(is_outbound, per_hour, nan),
        "list_penetration": np.where(is_outbound, penetration, nan),
    }
