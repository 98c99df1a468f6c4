"""The customer base behind the calls: a whole market held in numpy arrays.

Every person of the market (``market_size`` of them: customers, prospects and lost
customers) has a slot in each array; person ids are array indices. Time unit: days.

The call engine asks :meth:`Population.pick` for the customers raising each day's fresh
issues, and once per simulated day calls :meth:`Population.end_of_day` with the issues
that ended that day and how they are remembered (-1 bad, 0 neutral, +1 good).
``end_of_day`` then runs, in this order:

a. **service churn**: each bad issue of an active customer raises their bad count by
   1; the customer leaves (state 2) with ``ChurnLaw.hazard(k)``, ``k = round(count
   before) + 1`` (a bad issue counts until it has faded below one half). Several bad
   issues of one customer on one day are taken in sequence (ranks ``round(count) + 1,
   + 2, ...``; the first "leave" draw wins).
b. **word of mouth**: tellers and listener counts from :class:`~sim.customers.wom.WordOfMouth`
   (lost customers tell too); listeners are drawn uniformly, with replacement, from the
   whole market; each message heard adds 1 to the listener's ``neg_held`` /
   ``pos_held``. An active listener leaves (state 3) with probability
   ``per_negative_message`` per negative message heard.
c. **background churn**: each active customer leaves (state 4) with the daily hazard.
d. **acquisition**: prospects adopt by the Bass rule (:mod:`sim.customers.acquisition`) given
   the active count after a-c; adopters are active from the next day (``join_day =
   day + 1``).
e. **decay**: ``bad_count *= exp(-forgetting_per_day)``, messages held
   ``*= exp(-1 / memory_days)``.

Streams: ``initial_tenure`` (day-0 tenures), ``customer_pick``, ``churn``, ``wom``
(tellers, counts, listener ids), ``wom_churn``, ``background_churn``, ``acquisition``.
Background churn and acquisition draw one uniform (float32) per person of the market each
day, in blocks of :data:`CHUNK` people, so scenarios with the same seed share random
numbers person by person and no temporary is as large as the market. Memory: 17 bytes
per person of the market (state, join day, bad count, messages held) plus 4 per active
customer (the cached ids).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.core.rng import Streams
from sim.core.schema import CustomersConfig
from sim.customers.acquisition import BassAdoption
from sim.customers.churn import ChurnLaw
from sim.customers.wom import WordOfMouth

__all__ = [
    "ACTIVE",
    "DAY_COLUMNS",
    "LOST_BACKGROUND",
    "LOST_SERVICE",
    "LOST_WOM",
    "PROSPECT",
    "Population",
]

log = logging.getLogger(__name__)

#: People per block of the daily per-person draws (bounds the temporaries' size).
CHUNK = 1 << 16

PROSPECT, ACTIVE, LOST_SERVICE, LOST_WOM, LOST_BACKGROUND = 0, 1, 2, 3, 4  #: states

#: Columns of :meth:`Population.days_table`, one row per simulated day.
DAY_COLUMNS = (
    "day",
    "active_start",
    "active_end",
    "new_customers",
    "lost_service",
    "lost_wom",
    "lost_background",
    "issues_bad",
    "issues_neutral",
    "issues_good",
    "tellers_bad",
    "tellers_good",
    "messages_bad",
    "messages_good",
    "revenue",
)


class Population:
    """Prospects, active and lost customers of one market (see the module docstring)."""

    def __init__(self, cfg: CustomersConfig, streams: Streams) -> None:
        m, n0 = cfg.market_size, cfg.initial
        if m < 1 or not 0 <= n0 <= m:
            raise ValueError(f"need 0 <= initial <= market_size, market >= 1; got {n0}, {m}")
        if cfg.initial_tenure_max_days < 0 or cfg.wom.memory_days <= 0:
            raise ValueError("initial_tenure_max_days must be >= 0 and memory_days > 0")
        self.cfg = cfg
        self.streams = streams
        self.law = ChurnLaw.from_config(cfg.churn)
        self.wom = WordOfMouth.from_config(cfg.wom)
        self.bass = BassAdoption.from_config(cfg.acquisition)
        self.market_size = m
        self.state = np.zeros(m, dtype=np.int8)  # PROSPECT .. LOST_BACKGROUND
        self.state[:n0] = ACTIVE
        self.join_day = np.zeros(m, dtype=np.int32)  # first active day (<= 0 for day-0 base)
        tenure = streams["initial_tenure"].integers(0, cfg.initial_tenure_max_days + 1, n0)
        self.join_day[:n0] = -tenure
        self.bad_count = np.zeros(m, dtype=np.float32)  # remembered bad issues (decaying)
        self.pos_held = np.zeros(m, dtype=np.float32)  # positive messages held (decaying)
        self.neg_held = np.zeros(m, dtype=np.float32)  # negative messages held (decaying)
        self._rows: list[dict[str, Any]] = []
        self._active: npt.NDArray[np.int32] | None = None

    @property
    def n_active(self) -> int:
        """Active customers now."""
        return int(self.active_ids().size)

    def active_ids(self) -> npt.NDArray[np.int32]:
        """Ids of the active customers, ascending (cached until the next state change)."""
        if self._active is None:
            self._active = np.flatnonzero(self.state == ACTIVE).astype(np.int32)
        return self._active

    def pick(self, n: int) -> npt.NDArray[np.int64]:
        """The customers raising ``n`` fresh issues: uniform, with replacement, among the
        active ones (stream ``customer_pick``)."""
        active = self.active_ids()
        if n < 0 or (n > 0 and active.size == 0):
            raise ValueError(f"cannot pick {n} customers among {active.size} active")
        return active[self.streams["customer_pick"].integers(0, active.size, n)].astype(np.int64)

    def revenue_today(self, day: int) -> float:
        """Revenue of the customers active now on ``day``, currency units.

        ``value_per_day`` each, times ``1 + tenure_uplift`` for tenure
        ``day - join_day >= loyal_after_days`` (repeat customers spend 67% more, seed 002).
        """
        cfg = self.cfg
        tenure = day - self.join_day[self.active_ids()]
        loyal = int(np.count_nonzero(tenure >= cfg.loyal_after_days))
        return cfg.value_per_day * (tenure.size + cfg.tenure_uplift * loyal)

    def lifetime_value(self, day: int) -> float:
        """Expected remaining revenue of a customer who stays until background churn.

        The average revenue per active customer on ``day`` divided by the daily
        background hazard (``1 / h`` = expected remaining days of a geometric lifetime).
        Simplifications: no discounting; the current average value is kept for life
        (customers who are not yet loyal will become so, hence this under-states the
        value of young customers); service churn is ignored (this is the value lost when
        service makes a customer leave who would otherwise have stayed). Infinite when
        there is no background churn.
        """
        n = self.n_active
        value = self.revenue_today(day) / n if n else self.cfg.value_per_day
        hazard = self.law.background_daily
        return math.inf if hazard == 0.0 else value / hazard

    def end_of_day(self, day: int, customer: npt.ArrayLike, memory: npt.ArrayLike) -> None:
        """Apply the issues that ended on ``day`` (customer ids, memories -1/0/+1), then
        churn, word of mouth, acquisition and decay, in the order of the module docstring;
        append one row to :meth:`days_table`."""
        cust = np.asarray(customer, dtype=np.int64)
        mem = np.asarray(memory, dtype=np.int8)
        if cust.shape != mem.shape or cust.ndim != 1:
            raise ValueError("customer and memory must be 1-d arrays of the same length")
        if cust.size and (int(cust.min()) < 0 or int(cust.max()) >= self.market_size):
            raise ValueError("customer ids out of the market")
        row: dict[str, Any] = {
            "day": day,
            "active_start": self.n_active,
            "revenue": self.revenue_today(day),
            "issues_bad": int(np.count_nonzero(mem == -1)),
            "issues_neutral": int(np.count_nonzero(mem == 0)),
            "issues_good": int(np.count_nonzero(mem == 1)),
        }
        row["lost_service"] = self._service_churn(cust[mem == -1])
        row.update(self._word_of_mouth(mem))
        row["lost_background"] = self._background_churn()
        row["new_customers"] = self._acquire(day)
        self._decay()
        row["active_end"] = self.n_active
        self._rows.append({c: row[c] for c in DAY_COLUMNS})
        log.debug("customers day %d: %s", day, row)

    def days_table(self) -> pd.DataFrame:
        """One row per :meth:`end_of_day` call, columns :data:`DAY_COLUMNS`."""
        return pd.DataFrame(self._rows, columns=list(DAY_COLUMNS))

    # -- the steps of end_of_day ------------------------------------------------------

    def _leave(self, ids: npt.NDArray[np.int64], state: int) -> int:
        """Move the active ones among ``ids`` (may repeat) to ``state``; how many moved."""
        ids = np.unique(ids)
        ids = ids[self.state[ids] == ACTIVE]
        if ids.size:
            self.state[ids] = state
            self._active = None
        return int(ids.size)

    def _service_churn(self, bad_customers: npt.NDArray[np.int64]) -> int:
        """Step a: bad issues raise bad counts; customers leave with the churn hazard."""
        u = self.streams["churn"].random(bad_customers.size)  # one per bad issue
        if bad_customers.size == 0:
            return 0
        order = np.argsort(bad_customers, kind="stable")
        ids, u = bad_customers[order], u[order]
        first = np.r_[True, ids[1:] != ids[:-1]]
        starts = np.flatnonzero(first)
        rank = np.arange(ids.size) - starts[np.cumsum(first) - 1] + 1  # 1, 2, ... per id
        k = np.rint(self.bad_count[ids]).astype(np.int64) + rank
        leaving = ids[u < self.law.hazard(k)]
        lost = self._leave(leaving, LOST_SERVICE)  # only customers active now can leave
        counts = np.diff(np.r_[starts, ids.size])
        self.bad_count[ids[starts]] += counts.astype(np.float32)
        return lost

    def _word_of_mouth(self, mem: npt.NDArray[np.int8]) -> dict[str, int]:
        """Step b: spread the day's stories; negative messages may make customers leave."""
        rng = self.streams["wom"]
        told = self.wom.tell(mem, rng)
        m = self.market_size
        n_bad, n_good = told.messages_bad, told.messages_good
        heard_bad = rng.integers(0, m, n_bad)
        heard_good = rng.integers(0, m, n_good)
        np.add.at(self.neg_held, heard_bad, np.float32(1.0))  # no market-sized temporary
        np.add.at(self.pos_held, heard_good, np.float32(1.0))
        p = self.cfg.churn.per_negative_message
        lost = 0
        if n_bad and p > 0.0:
            hit = self.streams["wom_churn"].random(n_bad) < p  # one draw per message
            lost = self._leave(heard_bad[hit], LOST_WOM)
        return {
            "tellers_bad": int(told.tellers_bad.sum()),
            "tellers_good": int(told.tellers_good.sum()),
            "messages_bad": n_bad,
            "messages_good": n_good,
            "lost_wom": lost,
        }

    def _chunks(self, stream: str) -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
        """One float32 uniform per person of the market from ``stream``, a block of
        :data:`CHUNK` people at a time (so no temporary is as large as the market)."""
        rng = self.streams[stream]
        for lo in range(0, self.market_size, CHUNK):
            yield lo, rng.random(min(CHUNK, self.market_size - lo), dtype=np.float32)

    def _background_churn(self) -> int:
        """Step c: each active customer leaves with the daily background hazard."""
        hazard = self.law.background_daily
        if hazard == 0.0:
            return 0
        leaving = [
            lo + np.flatnonzero((u < hazard) & (self.state[lo : lo + u.size] == ACTIVE))
            for lo, u in self._chunks("background_churn")
        ]
        return self._leave(np.concatenate(leaving), LOST_BACKGROUND)

    def _acquire(self, day: int) -> int:
        """Step d: prospects adopt by the Bass rule; active from ``day + 1``."""
        if self.bass.inactive:
            return 0
        n_active, adopters = self.n_active, []
        for lo, u in self._chunks("acquisition"):
            prospects = lo + np.flatnonzero(self.state[lo : lo + u.size] == PROSPECT)
            adopt = self.bass.adopt(
                n_active,
                self.market_size,
                self.pos_held[prospects],
                self.neg_held[prospects],
                u[prospects - lo],
            )
            adopters.append(prospects[adopt])
        new = np.concatenate(adopters)
        if new.size:
            self.state[new] = ACTIVE
            self.join_day[new] = day + 1
            self._active = None
        return int(new.size)

    def _decay(self) -> None:
        """Step e: remembered bad issues and held messages fade."""
        forget = self.cfg.churn.forgetting_per_day
        if forget > 0.0:
            self.bad_count *= np.float32(math.exp(-forget))
        fade = np.float32(math.exp(-1.0 / self.cfg.wom.memory_days))
        self.pos_held *= fade
        self.neg_held *= fade
