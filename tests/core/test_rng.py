"""Named streams: stable, independent, never global."""

from __future__ import annotations

import random

import numpy as np
import pytest

import sim
from sim.core.rng import Streams


def test_same_seed_same_numbers_and_streams_differ() -> None:
    a, b = Streams(42), Streams(42)
    assert np.array_equal(a["arrivals"].random(5), b["arrivals"].random(5))
    assert not np.array_equal(Streams(42)["arrivals"].random(5), Streams(42)["patience"].random(5))
    assert not np.array_equal(Streams(42, 0)["talk"].random(5), Streams(42, 1)["talk"].random(5))
    assert not np.array_equal(Streams(42)["talk"].random(5), Streams(43)["talk"].random(5))


def test_a_stream_is_created_once_and_continues() -> None:
    s = Streams(1)
    first = s["acw"].random(3)
    again = s["acw"].random(3)
    assert not np.array_equal(first, again)
    assert np.array_equal(np.concatenate([first, again]), Streams(1)["acw"].random(6))


def test_using_a_new_stream_does_not_move_the_others() -> None:
    s = Streams(5)
    s["something_new"].random(100)
    assert np.array_equal(s["arrivals"].random(4), Streams(5)["arrivals"].random(4))


def test_global_state_untouched() -> None:
    """A whole simulation (with redials) never touches numpy's or Python's global RNG."""
    np.random.seed(0)  # noqa: NPY002 (the legacy global state is what we watch)
    before = np.random.get_state()[1].copy()  # type: ignore[index]  # noqa: NPY002
    py_before = random.getstate()
    Streams(3)["arrivals"].random(10)
    sim.simulate({"redials": {"probability": 0.5}, "staffing": {"agents": 6}})
    assert np.array_equal(before, np.random.get_state()[1])  # type: ignore[index]  # noqa: NPY002
    assert random.getstate() == py_before


def test_negative_seed_refused() -> None:
    with pytest.raises(ValueError, match="seed"):
        Streams(-1)


def test_block_draws_buffer_pops_the_same_sequence_as_take() -> None:
    """A hot loop may pop ``BlockDraws.buffer`` and call ``take`` when it is empty: the
    variates are the same, in the same order, as ``take`` alone (and as one bulk draw)."""
    from sim.core.rng import BlockDraws

    def law(rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(2.0, n)

    a = BlockDraws(law, Streams(5)["x"], block=7)
    b = BlockDraws(law, Streams(5)["x"], block=7)
    buf, take = b.buffer, b.take
    taken = [a.take() for _ in range(30)]
    popped = [buf.pop() if buf else take() for _ in range(30)]
    assert taken == popped
    assert taken == Streams(5)["x"].exponential(2.0, 35)[:30].tolist()


def test_block_draws_take_many_continues_the_same_sequence() -> None:
    """``take_many(n)`` gives bit for bit the next ``n`` variates of ``take``, whatever is
    left in the buffer, across block boundaries and for n = 0, and ``take`` carries on
    after it where ``n`` takes would have left it (the journey rates a day's attempts in
    bulk with it)."""
    from sim.core.rng import BlockDraws

    def law(rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.random(n)

    a = BlockDraws(law, Streams(6)["x"], block=7)
    b = BlockDraws(law, Streams(6)["x"], block=7)
    got: list[float] = []
    for n in (0, 3, 4, 0, 1, 16, 7, 2, 0, 9):
        many = b.take_many(n)
        assert many.dtype == np.float64 and many.shape == (n,)
        got += many.tolist()
        got.append(b.take())
    assert got == [a.take() for _ in range(len(got))]
