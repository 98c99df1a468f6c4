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
   whole market; each message heard adds 1 to the listener's negative / positive
   messages held. An active listener leaves (state 3) with probability
   ``per_negative_message`` per negative message heard.
c. **background churn**: each active customer leaves (state 4) with the daily hazard.
d. **acquisition**: prospects adopt by the Bass rule (:mod:`sim.customers.acquisition`) given
   the active count after a-c; adopters are active from the next day (``join_day =
   day + 1``).
e. **decay**: bad counts fade by ``exp(-forgetting_per_day)``, messages held by
   ``exp(-1 / memory_days)``.

**Cost per event, not per person** (scale issue): no step touches every person of the
market each day.

* Steps c and d are independent Bernoulli trials, one per person, drawn sparsely
  (:func:`~sim.core.bernoulli.bernoulli_successes`: the positions of the successes of ``M``
  trials from geometric gaps). c: trials with the daily hazard over the market; the
  active ones among the successes leave (exactly each active customer independently
  with the hazard). d, by thinning: a prospect's probability ``P_i = min(1, base *
  exp(L_i))``, ``L_i = positive_effect * pos_i - negative_effect * neg_i``, is at most
  ``c = min(1, 2 base)`` unless ``L_i > ln 2``. The few prospects with ``L_i > ln 2``
  (they heard several positive messages lately; a set kept up to date from the
  listeners of each day, since ``L_i`` only shrinks between messages) draw one uniform
  each; every other person is a candidate with probability ``c`` (sparse trials over
  the market) and a candidate prospect adopts with probability ``P_i / c``. So each
  prospect adopts independently with probability ``P_i``, as the rule says. The set
  holds prospects only (a day's listeners join it if they are prospects above the
  bound, adopters leave it), so after the step's filter it is exactly the prospects
  with ``L_i > ln 2``: a candidate is in it iff its own ``L_i`` is above the bound.
* Decay is lazy: the arrays hold values in the units of a reference day, and one
  scale per quantity (``exp(-rate * days since then)``) turns them into today's; a
  message heard adds ``1 / scale``. When ``1 / scale`` passes ``2**64`` the arrays
  are rescaled once (every ~4,000 days of messages with the default 90-day memory).
* The active count, and the active customers by joining day (for the tenure uplift of
  the revenue), are counters updated by each change of state.
* :meth:`pick` draws uniform market ids and keeps the active ones (rejection), unless
  fewer than one person in :data:`PICK_REJECT_SHARE` is active.

Streams: ``initial_tenure`` (day-0 tenures), ``customer_pick``, ``churn``, ``wom``
(tellers, counts, listener ids), ``wom_churn``, ``background_churn``, ``acquisition``.
Memory: 17 bytes per person of the market (state, join day, bad count, messages held),
plus 8 per prospect holding many positive messages; no daily temporary grows with the
market.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.core.bernoulli import bernoulli_successes
from sim.core.rng import Streams
from sim.core.schema import CustomersConfig
from sim.customers.acquisition import BassAdoption
from sim.customers.churn import ChurnLaw
from sim.customers.id_arrays import distinct_sorted, merge_unique, stable_sort, unique_ids
from sim.customers.wom import WordOfMouth

__all__ = [
    "ACTIVE",
    "DAY_COLUMNS",
    "LOG_BOUND",
    "LOST_BACKGROUND",
    "LOST_SERVICE",
    "LOST_WOM",
    "PICK_REJECT_SHARE",
    "PROSPECT",
    "Population",
]

log = logging.getLogger(__name__)

PROSPECT, ACTIVE, LOST_SERVICE, LOST_WOM, LOST_BACKGROUND = 0, 1, 2, 3, 4  #: states

#: Acquisition thinning bound: prospects with a log-multiplier above it draw one by one.
LOG_BOUND = math.log(2.0)
#: :meth:`Population.pick` rejects non-active ids unless under 1 in this many is active.
PICK_REJECT_SHARE = 8
_RESCALE = 2.0**64  # lazy decay: rescale the stored values past this 1 / scale

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


def _bass(base: float, log_mult: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """P(adopt today) by the Bass rule, ``min(1, base * exp(log_mult))`` (in place)."""
    out = np.exp(log_mult)
    np.multiply(out, base, out=out)
    return np.minimum(out, 1.0, out=out)


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
        np.negative(tenure, out=self.join_day[:n0], casting="unsafe")  # no temporary
        # remembered bad issues and messages held, in reference-day units (lazy decay)
        self._bad = np.zeros(m, dtype=np.float32)
        self._pos = np.zeros(m, dtype=np.float32)
        self._neg = np.zeros(m, dtype=np.float32)
        self._bad_scale = 1.0  # today's value = stored * scale
        self._msg_scale = 1.0
        self._rows: list[dict[str, Any]] = []
        self._active: npt.NDArray[np.int32] | None = None
        # the counters of recount(), known without scanning the market: the first n0
        # are active, with join days -tenure >= -initial_tenure_max_days; nobody holds
        # messages yet
        self._n_active = n0
        self._offset = off = cfg.initial_tenure_max_days
        # active customers by joining day + offset: bincount(off - tenure), from the
        # counts of the tenures read backwards (no market-sized temporary)
        joined = np.bincount(tenure, minlength=off + 1)[::-1]
        self._joined = joined[: off - int(tenure.min()) + 1 if n0 else 0].astype(np.int64)
        self._strong = np.empty(0, dtype=np.intp)

    # -- state kept by counters --------------------------------------------------------

    def recount(self) -> None:
        """Rebuild the counters from the arrays (after editing ``state``, ``join_day``
        or the messages directly, as tests do)."""
        active = self.state == ACTIVE
        self._n_active = int(np.count_nonzero(active))
        self._offset = max(self.cfg.initial_tenure_max_days, -int(self.join_day.min()))
        self._joined = np.bincount(self.join_day[active] + self._offset).astype(np.int64)
        self._active = None
        self._rebuild_strong()

    def _rebuild_strong(self) -> None:
        """The strong set from the arrays: every prospect with ``L > ln 2`` (a
        market-sized scan)."""
        held = np.flatnonzero(self._pos)  # prospects with L > ln 2 hold positive messages
        held = held[self.state[held] == PROSPECT]
        self._strong = held[self._log_multiplier(held) > LOG_BOUND]

    @property
    def n_active(self) -> int:
        """Active customers now."""
        return self._n_active

    def active_ids(self) -> npt.NDArray[np.int32]:
        """Ids of the active customers, ascending (a market-sized scan, cached until the
        next change of state; the daily step does not need it)."""
        if self._active is None:
            self._active = np.flatnonzero(self.state == ACTIVE).astype(np.int32)
        return self._active

    @property
    def bad_count(self) -> npt.NDArray[np.float32]:
        """Remembered bad issues per person, today (a copy)."""
        return (self._bad * np.float32(self._bad_scale)).astype(np.float32)

    @property
    def pos_held(self) -> npt.NDArray[np.float32]:
        """Positive messages held per person, today (a copy)."""
        return (self._pos * np.float32(self._msg_scale)).astype(np.float32)

    @property
    def neg_held(self) -> npt.NDArray[np.float32]:
        """Negative messages held per person, today (a copy)."""
        return (self._neg * np.float32(self._msg_scale)).astype(np.float32)

    def set_messages(self, ids: Any, pos: float, neg: float) -> None:
        """Set the messages held today by persons ``ids`` (index or slice): tests."""
        self._pos[ids] = pos / self._msg_scale
        self._neg[ids] = neg / self._msg_scale
        self.recount()

    def _log_multiplier(self, ids: Any) -> npt.NDArray[np.float64]:
        """``positive_effect * pos - negative_effect * neg`` of persons ``ids``, today."""
        b = self.bass
        s = self._msg_scale
        out = np.multiply(self._pos[ids], b.positive_effect * s, dtype=np.float64)
        neg = np.multiply(self._neg[ids], b.negative_effect * s, dtype=np.float64)
        return np.subtract(out, neg, out=out)

    def _set_state(self, ids: npt.NDArray[np.int64], state: int, day: int | None = None) -> None:
        """Move ``ids`` (distinct) from active to ``state``, or (``day`` given) from
        prospect to active from ``day``; keep the counters."""
        if ids.size == 0:
            return
        if day is None:
            self._n_active -= ids.size
            np.subtract.at(self._joined, self.join_day[ids] + self._offset, 1)
        else:
            self._n_active += ids.size
            self.join_day[ids] = day
            need = day + self._offset + 1
            if need > self._joined.size:
                self._joined = np.concatenate(
                    [self._joined, np.zeros(need - self._joined.size, np.int64)]
                )
            self._joined[day + self._offset] += ids.size
        self.state[ids] = state
        self._active = None

    def release_people(self) -> None:
        """Drop the per-person arrays once the run is over (a market of millions: about
        17 bytes a person). :meth:`days_table`, :meth:`revenue_today`,
        :meth:`lifetime_value` and :attr:`n_active` keep working from the counters;
        :meth:`pick` and :meth:`end_of_day` raise ``RuntimeError`` afterwards."""
        self._released = True
        self.state = np.empty(0, dtype=np.int8)
        self.join_day = np.empty(0, dtype=np.int32)
        self._bad = self._pos = self._neg = np.empty(0, dtype=np.float32)
        self._active = None
        self._strong = np.empty(0, dtype=np.int64)

    def _check_people(self) -> None:
        if getattr(self, "_released", False):
            raise RuntimeError("the population's people were released (release_people)")

    # -- the calls' side ---------------------------------------------------------------

    def pick(self, n: int) -> npt.NDArray[np.int64]:
        """The customers raising ``n`` fresh issues: uniform, with replacement, among the
        active ones (stream ``customer_pick``; uniform market ids, non-active ones
        rejected, or uniform among :meth:`active_ids` when few are active)."""
        self._check_people()
        a, m = self._n_active, self.market_size
        if n < 0 or (n > 0 and a == 0):
            raise ValueError(f"cannot pick {n} customers among {a} active")
        rng = self.streams["customer_pick"]
        if a * PICK_REJECT_SHARE < m:
            active = self.active_ids()
            return active[rng.integers(0, active.size, n)].astype(np.int64)
        parts, need = [], n
        while need > 0:
            size = int(need * m / a * 1.1) + 16
            ids = rng.integers(0, m, size)
            ids = ids[self.state[ids] == ACTIVE][:need]
            parts.append(ids)
            need -= ids.size
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def revenue_today(self, day: int) -> float:
        """Revenue of the customers active now on ``day``, currency units.

        ``value_per_day`` each, times ``1 + tenure_uplift`` for tenure
        ``day - join_day >= loyal_after_days`` (repeat customers spend 67% more, seed 002).
        """
        cfg = self.cfg
        last = day - cfg.loyal_after_days + self._offset  # latest loyal joining day's slot
        loyal = int(self._joined[: max(0, last + 1)].sum())
        return cfg.value_per_day * (self._n_active + cfg.tenure_uplift * loyal)

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

    # -- the day's step ----------------------------------------------------------------

    def end_of_day(self, day: int, customer: npt.ArrayLike, memory: npt.ArrayLike) -> None:
        """Apply the issues that ended on ``day`` (customer ids, memories -1/0/+1), then
        churn, word of mouth, acquisition and decay, in the order of the module docstring;
        append one row to :meth:`days_table`."""
        self._check_people()
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

    def _leave(self, ids: npt.NDArray[np.int64], state: int, distinct: bool = False) -> int:
        """Move the active ones among ``ids`` (may repeat unless ``distinct``) to
        ``state``; how many moved."""
        if not distinct:
            ids = unique_ids(ids)
        ids = ids[self.state[ids] == ACTIVE]
        self._set_state(ids, state)
        return int(ids.size)

    def _service_churn(self, bad_customers: npt.NDArray[np.int64]) -> int:
        """Step a: bad issues raise bad counts; customers leave with the churn hazard."""
        u = self.streams["churn"].random(bad_customers.size)  # one per bad issue
        if bad_customers.size == 0:
            return 0
        ids, order = stable_sort(bad_customers, self.market_size)
        u = u[order]
        first = np.empty(ids.size, dtype=bool)
        first[0] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        rank = np.arange(1, ids.size + 1) - starts[np.cumsum(first) - 1]  # 1, 2, ... per id
        now = self._bad[ids] * np.float32(self._bad_scale)
        k = np.rint(now).astype(np.int64) + rank
        leaving = distinct_sorted(ids[u < self.law.hazard(k)])  # ids ascending
        # only customers active now can leave
        lost = self._leave(leaving, LOST_SERVICE, distinct=True)
        counts = np.diff(starts, append=ids.size)
        self._bad[ids[starts]] += (counts / self._bad_scale).astype(np.float32)
        return lost

    def _word_of_mouth(self, mem: npt.NDArray[np.int8]) -> dict[str, int]:
        """Step b: spread the day's stories; negative messages may make customers leave."""
        rng = self.streams["wom"]
        told = self.wom.tell(mem, rng)
        m = self.market_size
        n_bad, n_good = told.messages_bad, told.messages_good
        heard_bad = rng.integers(0, m, n_bad)
        heard_good = rng.integers(0, m, n_good)
        one = np.float32(1.0 / self._msg_scale)
        np.add.at(self._neg, heard_bad, one)  # no market-sized temporary
        np.add.at(self._pos, heard_good, one)
        if n_good and self.bass.positive_effect > 0.0:
            self._add_strong(heard_good)
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

    def _background_churn(self) -> int:
        """Step c: each active customer leaves with the daily background hazard (one
        sparse Bernoulli trial per person of the market)."""
        hazard = self.law.background_daily
        if hazard == 0.0:
            return 0
        hit = bernoulli_successes(self.streams["background_churn"], self.market_size, hazard)
        return self._leave(hit, LOST_BACKGROUND, distinct=True)  # ascending, distinct

    def _add_strong(self, heard: npt.NDArray[np.int64]) -> None:
        """Add the prospects among ``heard`` (listeners of today's good messages, may
        repeat) whose log-multiplier is now above :data:`LOG_BOUND` to the strong set.

        Called after all of today's messages are held, so the multiplier is the one
        :meth:`_acquire` sees (nothing else changes prospects' messages in between);
        filtering first leaves few ids to sort. The positive part of the multiplier
        alone goes first (those slots were just written: in cache), as
        ``L = pe * pos - ne * neg <= pe * pos`` when ``ne >= 0`` (also in floating point)."""
        b = self.bass
        if b.negative_effect >= 0.0:
            first = np.multiply(
                self._pos[heard], b.positive_effect * self._msg_scale, dtype=np.float64
            )
            heard = heard[first > LOG_BOUND]  # the term as _log_multiplier computes it
        heard = heard[self.state[heard] == PROSPECT]
        heard = heard[self._log_multiplier(heard) > LOG_BOUND]
        if heard.size:
            self._strong = merge_unique(self._strong, heard)

    def _acquire(self, day: int) -> int:
        """Step d: prospects adopt by the Bass rule (by thinning, see the module
        docstring); active from ``day + 1``.

        The strong set holds prospects only (only this step turns prospects into
        customers; it drops its adopters), and after its filter exactly the prospects
        with a log-multiplier above :data:`LOG_BOUND`: so a candidate prospect is in it
        iff its own multiplier is above the bound (no search of the set)."""
        if self.bass.inactive:
            return 0
        rng = self.streams["acquisition"]
        base = self.bass.base_rate(self.n_active, self.market_size)
        strong = self._strong
        log_mult = self._log_multiplier(strong)
        keep = log_mult > LOG_BOUND
        strong, log_mult = strong[keep], log_mult[keep]
        cap = min(1.0, 2.0 * base)  # = exp(LOG_BOUND) * base
        cand = bernoulli_successes(rng, self.market_size, cap)
        cand = cand[self.state[cand] == PROSPECT]
        cand_mult = self._log_multiplier(cand)
        weak = ~(cand_mult > LOG_BOUND)  # the others are in the strong set
        cand, cand_mult = cand[weak], cand_mult[weak]
        new = [cand[rng.random(cand.size) * cap < _bass(base, cand_mult)]]
        if strong.size:
            won = rng.random(strong.size) < _bass(base, log_mult)
            new.append(strong[won])
            strong = strong[~won]
        self._strong = strong
        adopters = np.concatenate(new)
        self._set_state(adopters, ACTIVE, day=day + 1)
        return int(adopters.size)

    def _decay(self) -> None:
        """Step e: remembered bad issues and held messages fade (one scale each)."""
        forget = self.cfg.churn.forgetting_per_day
        if forget > 0.0:
            self._bad_scale *= math.exp(-forget)
            if self._bad_scale < 1.0 / _RESCALE:
                self._bad *= np.float32(self._bad_scale)
                self._bad_scale = 1.0
        self._msg_scale *= math.exp(-1.0 / self.cfg.wom.memory_days)
        if self._msg_scale < 1.0 / _RESCALE:
            for held in (self._pos, self._neg):
                held *= np.float32(self._msg_scale)
            self._msg_scale = 1.0
            self._rebuild_strong()  # rounding may move a multiplier across the bound
