"""The call vocabulary shared by the queue, the customers, the workforce and the
outputs: how an attempt ended (:class:`Outcome`), why it was made (:class:`Source`),
how the caller rated it (``BAD``, ``NEUTRAL``, ``GOOD``) and which agents are empowered
(:func:`is_empowered`, one rule for the journey and the workforce)."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["BAD", "GOLDEN", "GOOD", "NEUTRAL", "RATINGS", "Outcome", "Source", "is_empowered"]


class Outcome(IntEnum):
    """How a call attempt ended (``WAITING`` only while the run is in progress)."""

    WAITING = 0
    ANSWERED = 1
    ABANDONED = 2
    BLOCKED = 3
    CLOSED = 4
    CALLBACK = 5  # the caller accepted a callback offer and left the line (sim.queue.callbacks)
    UNREACHED = 6  # a callback attempt or an outbound dial: the agent called and did not
    # reach the customer (the right party)


class Source(IntEnum):
    """Why a call attempt was made."""

    FRESH = 0  # a new issue
    REDIAL = 1  # again after abandoning or being blocked (same contact)
    REPEAT = 2  # again after an answered contact that did not resolve the issue
    CALLBACK = 3  # the centre calls back a caller who accepted a callback (virtual hold)
    OUTBOUND = 4  # a dial of an outbound campaign's record (sim.queue.outbound)


#: A contact's rating: bad, neutral, good.
BAD, NEUTRAL, GOOD = -1, 0, 1
#: Category labels of the ``experience`` column, in code order (code = rating + 1).
RATINGS = ("bad", "neutral", "good")

#: The golden-ratio conjugate: its multiples modulo 1 spread evenly over [0, 1).
GOLDEN = 0.6180339887498949


def is_empowered(agent: int, share: float) -> bool:
    """Whether ``agent`` may fix issues on the spot: a fixed, evenly spread share of the
    agent ids (golden-ratio sequence), so hires keep the share."""
    return ((agent + 1) * GOLDEN) % 1.0 < share
