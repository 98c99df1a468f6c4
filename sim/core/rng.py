"""The one owner of random numbers: named numpy streams from one root seed.

Every source of randomness (arrival counts and times, the daily busyness factor,
patience, talk time, after-call work, redials, ...) draws from its own
``numpy.random.Generator``. A stream is identified by the replication index and a
stable hash of its name, so

* the same seed gives the same numbers, bit for bit, wherever the run happens;
* replications are independent (``SeedSequence`` spawn keys differ);
* adding a new stream never changes the numbers of existing ones;
* changing staffing does not move the arrival, patience or handle-time draws of the
  fresh calls (common random numbers across scenarios).

No code in callsim touches numpy's or Python's global random state.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

__all__ = ["STREAMS", "BlockDraws", "Streams", "stream_of"]

#: The named streams the core engine uses (others may be added without side effects).
STREAMS = (
    "busyness",
    "arrivals",
    "patience",
    "talk",
    "acw",
    "redial_decision",
    "redial_delay",
    "redial_patience",
    "redial_talk",
    "redial_acw",
)


def stream_of(base: str, call_type: str) -> str:
    """The name of stream ``base`` of one call type of a multi-type centre, e.g.
    ``arrivals/sales`` (the single-type model uses ``base`` itself)."""
    return f"{base}/{call_type}"


class Streams:
    """Named random streams of one replication of one run."""

    def __init__(self, seed: int, replication: int = 0) -> None:
        if seed < 0 or replication < 0:
            raise ValueError(f"seed and replication must be >= 0, got {seed}, {replication}")
        self.seed = seed
        self.replication = replication
        self._cache: dict[str, np.random.Generator] = {}

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        """The ``SeedSequence`` behind stream ``name`` (stable across versions)."""
        return np.random.SeedSequence(
            entropy=self.seed, spawn_key=(self.replication, zlib.crc32(name.encode("utf-8")))
        )

    def __getitem__(self, name: str) -> np.random.Generator:
        """The generator of stream ``name``, created on first use."""
        gen = self._cache.get(name)
        if gen is None:
            gen = np.random.Generator(np.random.PCG64(self.seed_sequence(name)))
            self._cache[name] = gen
        return gen

    def __repr__(self) -> str:
        return f"Streams(seed={self.seed}, replication={self.replication})"


class BlockDraws:
    """Variates of one law from one stream, drawn ``block`` at a time (reproducible).

    The event loop takes them one by one with :meth:`take`; numpy draws them in bulk.
    """

    def __init__(
        self,
        sample: Callable[[np.random.Generator, int], np.ndarray],
        rng: np.random.Generator,
        block: int = 1024,
    ) -> None:
        self.sample = sample
        self.rng = rng
        self.block = block
        self._buffer: list[float] = []

    @property
    def buffer(self) -> list[float]:
        """The variates drawn and not yet taken, the next one last: a hot loop may
        ``buffer.pop()`` it while the list is not empty and call :meth:`take` when it is
        (the list is refilled in place, so a reference to it stays valid)."""
        return self._buffer

    def take(self) -> float:
        """The next variate."""
        buf = self._buffer
        if not buf:
            buf.extend(self.sample(self.rng, self.block)[::-1].tolist())
        return buf.pop()

    def take_many(self, n: int) -> np.ndarray:
        """The next ``n`` variates, in order: float64, shape (n,); bit for bit what ``n``
        calls of :meth:`take` would return (the same blocks drawn, the rest kept)."""
        buf = self._buffer
        k = min(n, len(buf))
        parts = [np.array(buf[len(buf) - k :][::-1], dtype=np.float64)]
        del buf[len(buf) - k :]
        need = n - k
        while need > 0:
            block = np.asarray(self.sample(self.rng, self.block), dtype=np.float64)
            parts.append(block[:need])
            if need < block.size:
                buf.extend(block[need:][::-1].tolist())
            need -= min(need, block.size)
        return np.concatenate(parts)
