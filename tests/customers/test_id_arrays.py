"""Tests of :mod:`sim.customers.id_arrays`: each set operation equals numpy's own."""

from __future__ import annotations

import numpy as np

from sim.customers.id_arrays import merge_unique, stable_sort, unique_ids


def test_sort_based_unique_equals_numpyunique_ids() -> None:
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 17, 5000):
        ids = rng.integers(0, 300, n)
        assert np.array_equal(unique_ids(ids), np.unique(ids))


def test_merged_unique_equals_numpyunique_ids() -> None:
    """The daily merge of the strong prospects (an ascending distinct set and the day's
    new ids) is the sorted set union, as ``np.unique`` of both."""
    rng = np.random.default_rng(4)
    for n, k in ((0, 0), (0, 3), (1, 0), (5, 5), (4000, 300), (300, 4000)):
        base = unique_ids(rng.integers(0, 2000, n))
        more = rng.integers(0, 2000, k)
        merged = merge_unique(base, more)
        assert np.array_equal(merged, np.unique(np.concatenate([base, more])))
        assert merged.dtype == np.int64


def test_stable_sort_equals_a_stable_argsort() -> None:
    """The service-churn step's sort (one sort of id-and-position keys) gives the ids
    ascending and the order of ``np.argsort(kind="stable")``: repeated ids keep the order
    of their issues, whose uniforms follow them."""
    rng = np.random.default_rng(5)
    for n in (0, 1, 2, 3, 100, 5000):
        for bound in (3, 1000, 7_000_000, 2**31 - 1, 2**40):
            ids = rng.integers(0, bound, n)
            got, order = stable_sort(ids, bound)
            expected = np.argsort(ids, kind="stable")
            assert np.array_equal(order, expected) and np.array_equal(got, ids[expected])
            assert got.dtype == np.int64
