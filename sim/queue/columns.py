"""The engine's per-call columns: one entry per call attempt, indexed by engine index.

Why plain :class:`array.array` and :class:`bytearray` rather than numpy arrays or one
object per call: the event handlers read and write single entries hundreds of
thousands of times per run (an indexed ``array`` access is a few nanoseconds, a numpy
scalar access ten times that), the columns grow a day at a time (bulk ``frombytes``)
and by one per redial or repeat contact (``append``), and at the end the log views
them as numpy arrays without a copy (``np.frombuffer``). Sixty bytes per call.

A day's fresh calls are appended in bulk when the day opens
(:meth:`CallColumns.add_day`); redials and repeat contacts one by one by the engine's
handlers (:func:`sim.queue.flow.attempts`), so the engine index is not in order of
arrival when there are redials.
"""

from __future__ import annotations

from array import array
from typing import Protocol

import numpy as np
import numpy.typing as npt

from sim.queue.arrivals import DayCalls

__all__ = ["AddAttempt", "CallColumns"]


class AddAttempt(Protocol):
    """The signature of :attr:`CallColumns.add_attempt`."""

    def __call__(
        self, prev: int, now: float, pat: float, hnd: float, kind: int, tries: int,
        call_type: int = -1,
    ) -> int: ...  # fmt: skip


class CallColumns:
    """The per-call columns of one run (see the fields of
    :class:`sim.queue.engine.EngineLog` for units and codes)."""

    __slots__ = (
        "add_attempt",
        "agent_of",
        "arrival",
        "attempt",
        "base_of",
        "caller",
        "ctype",
        "handle",
        "patience",
        "source",
        "status",
        "wait",
    )

    def __init__(self) -> None:
        self.arrival, self.patience = array("d"), array("d")  # seconds
        self.handle, self.wait = array("d"), array("d")  # seconds
        self.agent_of, self.caller = array("i"), array("q")
        self.status, self.source = bytearray(), bytearray()  # Outcome, Source codes
        self.attempt, self.ctype = bytearray(), bytearray()
        #: with callbacks, the inbound type of each call type (a redial or repeat
        #: contact of a callback attempt is of its caller's inbound type); else None
        self.base_of: list[int] | None = None
        self.add_attempt = self._adder()

    #: ``add_attempt(prev, now, pat, hnd, kind, tries, call_type=-1) -> index``: append
    #: a new attempt (a redial, repeat contact or callback, ``kind``: a ``Source`` code)
    #: of the issue of call ``prev``, arriving at ``now``, waiting, with patience ``pat``
    #: and handle time ``hnd`` (seconds), of ``call_type`` (-1: prev's inbound type);
    #: returns its engine index. A closure over the columns' ``append`` methods (one
    #: per redial and repeat contact: cheaper than a method reading eleven attributes).
    add_attempt: AddAttempt

    def _adder(self) -> AddAttempt:
        """Build :attr:`add_attempt`."""
        status, ctype, caller = self.status, self.ctype, self.caller
        arrival, patience, handle = self.arrival.append, self.patience.append, self.handle.append
        wait, agent_of, caller_add = self.wait.append, self.agent_of.append, caller.append
        ctype_add, status_add = ctype.append, status.append
        source, attempt = self.source.append, self.attempt.append
        cols = self

        def add_attempt(
            prev: int, now: float, pat: float, hnd: float, kind: int, tries: int,
            call_type: int = -1,
        ) -> int:  # fmt: skip
            i = len(status)
            arrival(now)
            patience(pat)
            handle(hnd)
            wait(0.0)
            agent_of(-1)
            caller_add(caller[prev])
            if call_type < 0:
                base = cols.base_of
                call_type = ctype[prev] if base is None else base[ctype[prev]]
            ctype_add(call_type)
            status_add(0)  # Outcome.WAITING
            source(kind)
            attempt(tries)
            return i

        return add_attempt

    def add_day(self, calls: DayCalls) -> int:
        """Append a day's fresh calls (waiting, first attempts, each its own caller);
        returns the engine index of the first. (Each column takes its numpy array as a
        byte view: one copy, none through ``bytes``.)"""
        n = len(calls.arrival_s)
        base = len(self.status)
        zeros = bytes(8 * n)
        self.arrival.frombytes(_raw(calls.arrival_s, np.float64))
        self.patience.frombytes(_raw(calls.patience_s, np.float64))
        self.handle.frombytes(_raw(calls.handle_s, np.float64))
        self.wait.frombytes(zeros)
        self.agent_of.frombytes(_raw(np.full(n, -1, dtype=np.int32), np.int32))
        self.caller.frombytes(_raw(np.arange(base, base + n, dtype=np.int64), np.int64))
        self.status.extend(memoryview(zeros)[:n])
        self.source.extend(memoryview(zeros)[:n])
        self.attempt.extend(b"\x01" * n)
        types = calls.call_type
        self.ctype.extend(memoryview(zeros)[:n] if types is None else _raw(types, np.uint8))
        return base

    def add_record(
        self, at: float, pat: float, hnd: float, kind: int, tries: int, call_type: int
    ) -> int:
        """Append a row that starts an issue of its own (an outbound campaign's record,
        ``kind``: a ``Source`` code), joining at ``at``, waiting, with patience ``pat`` and
        handle time ``hnd`` (seconds); returns its engine index (its own caller id)."""
        i = len(self.status)
        self.arrival.append(at)
        self.patience.append(pat)
        self.handle.append(hnd)
        self.wait.append(0.0)
        self.agent_of.append(-1)
        self.caller.append(i)
        self.ctype.append(call_type)
        self.status.append(0)  # Outcome.WAITING
        self.source.append(kind)
        self.attempt.append(tries)
        return i

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns as numpy arrays (views, no copy), keyed by their
        :class:`sim.queue.engine.EngineLog` field names."""
        return {
            "arrival_s": np.frombuffer(self.arrival, dtype=np.float64),
            "patience_s": np.frombuffer(self.patience, dtype=np.float64),
            "handle_s": np.frombuffer(self.handle, dtype=np.float64),
            "wait_s": np.frombuffer(self.wait, dtype=np.float64),
            "outcome": np.frombuffer(self.status, dtype=np.uint8),
            "agent_id": np.frombuffer(self.agent_of, dtype=np.int32),
            "source": np.frombuffer(self.source, dtype=np.uint8),
            "attempt": np.frombuffer(self.attempt, dtype=np.uint8),
            "caller_id": np.frombuffer(self.caller, dtype=np.int64),
            "call_type": np.frombuffer(self.ctype, dtype=np.uint8),
        }


def _raw(values: np.ndarray, dtype: npt.DTypeLike) -> memoryview:
    """``values`` as ``dtype``, C-contiguous, viewed as bytes (no copy if it is one)."""
    return np.ascontiguousarray(values, dtype=dtype).data.cast("B")
