"""Redials and repeat contacts, from the customer ids of a log.

For each call of an identified customer, the customer's next call in the log (if any) is
looked up. A call that **abandoned** and is followed by another call of the same customer
within ``window_s`` of hanging up counts as redialled; an **answered** call so followed is a
repeat contact. Probabilities are shares with exact (Clopper-Pearson) intervals; the delay is
the mean gap from the end of the call (hang-up, or end of service) to the next call.

Limits, stated with every estimate: only calls with a known customer id count (a log whose ids
are mostly missing gives an estimate for identified customers, who may differ); a call whose
window runs past the end of the log is left out (its next call may be unseen); gaps longer than
the window are not counted (the delay mean is that of gaps within the window, biased low when
the window is short against the true delay); callers who hung up in the IVR are not in the log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import beta

from sim.fit.logs import CallLog

__all__ = ["RepeatFit", "clopper_pearson", "fit_repeats"]


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval of a share ``k / n``."""
    a = 1.0 - confidence
    low = 0.0 if k == 0 else float(beta.ppf(a / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - a / 2, k + 1, n - k))
    return low, high


@dataclass(frozen=True)
class RepeatFit:
    """Redial and repeat-contact estimates (shares, seconds) and the counts behind them."""

    window_s: float
    identified_share: float  # share of the log's calls with a known customer id
    abandoned: int  # abandoned calls of identified customers with their window inside the log
    redialled: int
    redial_probability: float
    redial_ci: tuple[float, float]
    redial_delay_mean_s: float
    answered: int
    repeated: int
    repeat_probability: float
    repeat_ci: tuple[float, float]
    repeat_delay_mean_s: float
    redial_share_of_calls: float  # share of identified calls that are redials


def fit_repeats(log: CallLog, window_s: float = 86_400.0, confidence: float = 0.95) -> RepeatFit:
    """Estimate redial and repeat-contact probabilities and delays from ``log``.

    Raises ValueError when no call has a customer id.
    """
    c = log.calls
    known = (c["customer_id"] != "").to_numpy()
    if not known.any():
        raise ValueError("no call has a customer id: redials cannot be estimated")
    k = c[known].sort_values(["customer_id", "arrival_s"], kind="stable")
    cust = k["customer_id"].to_numpy()
    arrival = k["arrival_s"].to_numpy(dtype=float)
    abandoned = (k["outcome"] == "abandoned").to_numpy()
    handle = np.nan_to_num(k["handle_s"].to_numpy(dtype=float))
    end = arrival + k["wait_s"].to_numpy(dtype=float) + np.where(abandoned, 0.0, handle)
    same_next = np.append(cust[1:] == cust[:-1], False)
    gap = np.full(arrival.size, np.inf)
    gap[:-1] = arrival[1:] - end[:-1]
    gap[~same_next] = np.inf
    follows = gap <= window_s
    inside = end + window_s <= float(c["arrival_s"].max())
    ab = abandoned & inside
    an = ~abandoned & inside
    r_ab, r_an = int((ab & follows).sum()), int((an & follows).sum())
    n_ab, n_an = int(ab.sum()), int(an.sum())
    prev_abandoned = np.zeros(arrival.size, dtype=bool)
    prev_abandoned[1:] = abandoned[:-1] & follows[:-1]

    def mean(mask: np.ndarray) -> float:
        return float(np.maximum(gap[mask], 0.0).mean()) if mask.any() else float("nan")

    return RepeatFit(
        window_s=window_s,
        identified_share=float(known.mean()),
        abandoned=n_ab,
        redialled=r_ab,
        redial_probability=r_ab / n_ab if n_ab else float("nan"),
        redial_ci=clopper_pearson(r_ab, n_ab, confidence) if n_ab else (0.0, 1.0),
        redial_delay_mean_s=mean(ab & follows),
        answered=n_an,
        repeated=r_an,
        repeat_probability=r_an / n_an if n_an else float("nan"),
        repeat_ci=clopper_pearson(r_an, n_an, confidence) if n_an else (0.0, 1.0),
        repeat_delay_mean_s=mean(an & follows),
        redial_share_of_calls=float(prev_abandoned.mean()),
    )
