"""Formula requirements of a forecast with the configured patience law, whatever it is.

:func:`sim.planner.plan_intervals` does the work; this module only makes every patience
law of the config usable by every method:

* a law with an **infinite mean** (``never``, or ``genesys2020`` whose callers partly
  never hang up) has no Erlang A: Erlang A's exponential patience with an infinite mean
  is Erlang C, so the ``erlang_a`` columns are the Erlang C answer (exactly);
* ``mmng`` with ``never`` is Erlang C too (exactly); with another infinite-mean law it
  is found here by stepping down from the Erlang C answer with the exact M/M/n+G
  (:func:`sim.analytic.mmng`), because the planner's first guess is an Erlang A answer.

Sources: Erlang C and A and M/M/n+G as in :mod:`sim.analytic`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.laws.distributions import Distribution
from sim.planning.planner import PlanTarget, plan_intervals
from sim.theory import analytic

__all__ = ["formula_plan"]

_KPIS = ("service_level", "abandon_rate", "asa_s", "occupancy")


def _meets(r: analytic.MMnGResult, target: PlanTarget) -> bool:
    return (
        r.service_level(target.sl_threshold_s) >= target.sl_target
        and (target.max_abandon is None or r.p_abandon <= target.max_abandon)
        and (target.max_asa_s is None or r.asa_s <= target.max_asa_s)
        and (target.max_occupancy is None or r.occupancy <= target.max_occupancy)
    )


def _mmng_infinite_mean(
    rate: np.ndarray, aht: np.ndarray, target: PlanTarget, law: Distribution, erlang_c: np.ndarray
) -> pd.DataFrame:
    """M/M/n+G for a law with mass at infinity: step down from the Erlang C answer."""
    cache: dict[tuple[float, float], tuple[int, tuple[float, ...]]] = {}
    agents = np.zeros(len(rate), dtype=np.int64)
    kpis = np.full((len(rate), 4), np.nan)
    for i, (lam, h, c) in enumerate(
        zip(rate.tolist(), aht.tolist(), erlang_c.tolist(), strict=True)
    ):
        if lam <= 0:
            continue
        key = (lam, h)
        if key not in cache:
            floor = math.floor(lam * h * float(law.sf(math.inf))) + 1  # stability

            def result(n: int, lam: float = lam, h: float = h) -> analytic.MMnGResult:
                return analytic.mmng(lam, h, n, law)

            n = max(int(c), floor)
            while not _meets(result(n), target):
                n += 1
            while n - 1 >= floor and _meets(result(n - 1), target):
                n -= 1
            r = result(n)
            cache[key] = (n, (r.service_level(target.sl_threshold_s), r.p_abandon, r.asa_s,
                              r.occupancy))  # fmt: skip
        agents[i], kpis[i] = cache[key][0], cache[key][1]
    out = {"mmng_agents": agents, "mmng_scheduled": [target.gross(int(a)) for a in agents]}
    for j, name in enumerate(_KPIS):
        out[f"mmng_{name}"] = kpis[:, j]
    return pd.DataFrame(out)


def _renamed(table: pd.DataFrame, old: str, new: str) -> pd.DataFrame:
    return table.rename(
        columns={c: new + c[len(old) :] for c in table.columns if c.startswith(old)}
    )


def formula_plan(
    rate_per_s: np.ndarray,
    aht_s: np.ndarray,
    target: PlanTarget,
    methods: Sequence[str],
    patience: Distribution,
) -> pd.DataFrame:
    """Requirements per interval by each method, columns as :func:`sim.planner.plan_intervals`.

    ``rate_per_s``: calls per second per interval; ``aht_s``: mean handle time per
    interval, seconds; ``patience``: the configured law (any, including ``never``).
    """
    rate = np.asarray(rate_per_s, dtype=float)
    aht = np.asarray(aht_s, dtype=float)
    if math.isfinite(patience.mean):
        return plan_intervals(rate, aht, target, methods, patience)
    parts = []
    need_c = any(m in methods for m in ("erlang_c", "erlang_a", "mmng"))
    c = plan_intervals(rate, aht, target, ["erlang_c"], None) if need_c else None
    for m in methods:
        assert c is not None
        if m == "erlang_c":
            parts.append(c)
        elif m == "erlang_a" or (m == "mmng" and patience.is_never):
            parts.append(_renamed(c, "erlang_c_", f"{m}_"))
        else:
            parts.append(_mmng_infinite_mean(rate, aht, target, patience,
                                             c["erlang_c_agents"].to_numpy()))  # fmt: skip
    return pd.concat(parts, axis=1)
