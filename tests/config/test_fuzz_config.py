"""No traceback for any value of any key: a fuzzer over every leaf key of the composed
config (wrong types, NaN, infinities, negatives, zero, 1e12, empty strings).

Each case either is refused with one :class:`ConfigError` line, or runs (one day, one
replication, results written) within :data:`TIME_BOUND_S`. The fast test lets
Hypothesis pick cases; the slow one tries every key with every value. Both print their
counts (tried, refused cleanly, ran).
"""

from __future__ import annotations

import copy
import math
import signal
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from sim.config.compose import compose
from sim.config.validation import load_config
from sim.core.checks import ConfigError
from sim.model.runner import replicate
from sim.report.writer import summary_text, write_results

#: One run of a fuzzed config must end within this many seconds (a one-day run of the
#: base takes about 1 s; the size check refuses anything much larger).
TIME_BOUND_S = 60

BAD_VALUES: list[Any] = [
    "abc", "", None, True, [], {}, float("nan"), float("inf"), float("-inf"),
    -1, -1.5, 0, 0.0, 1e12, 10**12,
]  # fmt: skip


def base() -> dict[str, Any]:
    """The shipped baseline, one day and one replication, as a plain dict."""
    cfg = compose(["run.days=1", "run.replications=1", "output.figures=false"])
    data = OmegaConf.to_container(OmegaConf.structured(cfg), resolve=True)
    assert isinstance(data, dict)
    return data


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every leaf path of a plain config: mapping keys, list items, and lists themselves."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, (*path, k))
    elif isinstance(node, list):
        yield path
        for i, v in enumerate(node):
            yield from leaves(v, (*path, i))
    else:
        yield path


BASE = base()
LEAVES = sorted(leaves(BASE), key=str)


def dotted(path: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def with_value(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = copy.deepcopy(value)
    return data


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def try_case(path: tuple[Any, ...], value: Any, out: Path) -> str:
    """``"refused"`` or ``"ran"``; raises AssertionError for anything else."""
    case = f"{dotted(path)} = {value!r}"
    try:
        cfg = load_config(with_value(path, value))
    except ConfigError as exc:
        text = str(exc)
        assert text and "\n" not in text, f"{case}: refusal is not one line: {text!r}"
        return "refused"
    except Exception as exc:  # the defect this test hunts
        raise AssertionError(f"{case}: {type(exc).__name__}: {exc}") from exc
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_BOUND_S)
    t0 = time.perf_counter()
    try:
        reps = replicate(cfg)
        summary_text(reps)
        write_results(reps, out / f"case-{time.monotonic_ns()}")
    except _Timeout:
        raise AssertionError(f"{case}: ran longer than {TIME_BOUND_S} s") from None
    except Exception as exc:
        raise AssertionError(f"{case}: accepted, then {type(exc).__name__}: {exc}") from exc
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert math.isfinite(time.perf_counter() - t0)
    return "ran"


def report(what: str, counts: dict[str, int], failed: int = 0) -> str:
    tried = sum(counts.values()) + failed
    text = (f"config fuzzer ({what}): tried {tried}, refused cleanly "
            f"{counts.get('refused', 0)}, ran {counts.get('ran', 0)}, failed {failed}")  # fmt: skip
    print(text)
    # as a warning too: pytest-xdist shows its workers' warnings in the summary, while
    # their printed output is dropped (a built-in category: xdist must unpickle it)
    warnings.warn(text, UserWarning, stacklevel=2)
    return text


def test_fuzz_a_sample_of_keys(tmp_path: Path) -> None:
    """40 cases Hypothesis draws (derandomised: the same 40 every run)."""
    counts: dict[str, int] = {}

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(path=st.sampled_from(LEAVES), value=st.sampled_from(BAD_VALUES))
    def case(path: tuple[Any, ...], value: Any) -> None:
        outcome = try_case(path, value, tmp_path)
        counts[outcome] = counts.get(outcome, 0) + 1

    case()
    report("sample", counts)
    assert sum(counts.values()) >= 20  # Hypothesis may merge duplicates, not skip the test


@pytest.mark.slow
def test_fuzz_every_key_with_every_value(tmp_path: Path) -> None:
    counts = {"refused": 0, "ran": 0}
    failures: list[str] = []
    for path in LEAVES:
        for value in BAD_VALUES:
            try:
                counts[try_case(path, value, tmp_path)] += 1
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0])
    report(f"{len(LEAVES)} keys x {len(BAD_VALUES)} values", counts, len(failures))
    assert not failures, "\n".join(failures)
