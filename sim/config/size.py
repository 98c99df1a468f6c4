"""The size of a run before it starts: calls, peak memory and time, refused if it cannot fit.

:func:`estimate` gives a rough, deliberately simple estimate from the config alone (its
calls: the fresh calls, the redials of those that fail and the repeat contacts that fall
inside the run; within 10% of the attempts simulated for the shipped scenarios); :func:`check_size` (called by :func:`sim.validation.validate`, so before any
simulation and before a sweep starts) refuses a run whose memory would not fit this
machine or that would run for more than :data:`MAX_SECONDS`, with the estimate and the
key that drives it. ``run.force: true`` (``callsim --force``) runs it anyway.

The per-call, per-customer and per-agent costs below were measured on the reference
machine (2 cores, Python 3.11; ``tracemalloc`` peak and wall time of the baseline and
``steady_erlang_c`` scenarios, 2,000-140,000 calls): about 18 µs and 140 bytes a call for
the plain queue, about 85 µs a call with customers and agents tracked, 23 bytes a market
customer. They are rounded up; the estimate is an order of magnitude, not a promise.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.config.laws import build_distribution
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.core.timetable import DAY_S

__all__ = ["MAX_SECONDS", "SizeEstimate", "available_memory", "check_size", "estimate"]

#: Longest run allowed without ``run.force``: one week of computing, seconds.
MAX_SECONDS = 7 * 86400.0
#: Share of the available memory a run may plan to use without ``run.force``.
MEMORY_SHARE = 0.8

_S_PER_CALL = 20e-6  # plain queue, seconds per call attempt
_S_PER_CALL_TRACKED = 90e-6  # customers or workforce tracked
_S_PER_MESSAGE = 1e-7  # word of mouth, seconds per message heard
_S_PER_CUSTOMER_DAY = 2e-8  # daily churn and acquisition, vectorised
_S_PER_AGENT_DAY = 2e-6
_B_PER_CALL = 150  # engine arrays while running
_B_PER_CALL_KEPT = 80  # the calls table of replication 0
_B_PER_MESSAGE = 24
_B_PER_CUSTOMER = 25
_B_PER_AGENT = 400
_B_PER_AGENT_DAY = 120
_B_PER_INTERVAL = 300
_B_PROCESS = 150e6  # Python, numpy, pandas, matplotlib in each process
#: Least share of attempts taken to fail (abandon or be blocked) for the redials: the
#: shipped scenarios without overload lose 1-10% of their calls (baseline 2-3%).
_MIN_FAILED = 0.1
_GRID = 256  # points of the integral of a delay's CDF over the run


@dataclass(frozen=True)
class SizeEstimate:
    """A run's size: ``calls`` attempts per replication, ``memory_bytes`` at peak (all
    processes), ``seconds`` of wall time; ``drivers`` maps each to the key behind it."""

    calls: float
    memory_bytes: float
    seconds: float
    memory_key: str
    time_key: str

    def text(self) -> str:
        """One line: ``about 17,150 calls a replication, 180 MB, 2 s``."""
        return (
            f"about {_count(self.calls)} calls a replication, peak memory "
            f"{_bytes(self.memory_bytes)}, {_duration(self.seconds)}"
        )


def _count(x: float) -> str:
    return f"{x:,.0f}" if x < 1e9 else f"{x:.2g}"


def _bytes(x: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if x >= size:
            return f"{x / size:.3g} {unit}"
    return f"{x / 1e3:.3g} kB"


def _duration(s: float) -> str:
    for unit, size in (("years", 365 * 86400.0), ("days", 86400.0), ("h", 3600.0),
                       ("min", 60.0)):  # fmt: skip
        if s >= size:
            return f"{s / size:.3g} {unit}"
    return f"{s:.2g} s"


def _max_agents(agents: Any) -> float:
    if isinstance(agents, list | tuple):
        flat = [a for row in agents for a in (row if isinstance(row, list | tuple) else [row])]
        return float(max(flat, default=0))
    return float(agents)


def _rostered(roster: Any) -> float:
    """Most agents a roster ever has on its shifts in one day (all shifts at once)."""
    if not isinstance(roster, Mapping):
        return 0.0
    return math.fsum(_max_agents(v) for v in roster.values())


def _agents(g: Any) -> float:
    """Most agents of a group (or of ``staffing``) at once: its counts or its roster."""
    return _rostered(g.roster) if g.shifts is not None else _max_agents(g.agents)


def _centre_per_day(cfg: Config) -> float:
    c = cfg.center
    if c.expected_calls is not None:
        total = math.fsum(math.fsum(row) for row in c.expected_calls)
        return total / max(cfg.run.days, 1)
    return float(c.volume_per_day) * math.fsum(c.day_of_week_factors) / 7.0


def _fresh_per_day(cfg: Config) -> tuple[float, str]:
    """Expected fresh calls a day, and the key that sets most of them: the centre's
    volume (shared by the call types with a ``share``) plus the call types' own
    ``expected_calls``."""
    own = [(math.fsum(math.fsum(row) for row in t.expected_calls) / max(cfg.run.days, 1),
            f"call_types[{j}].expected_calls")
           for j, t in enumerate(cfg.call_types) if t.expected_calls is not None]  # fmt: skip
    parts = list(own)
    if not cfg.call_types or any(t.expected_calls is None for t in cfg.call_types):
        key = "center.expected_calls" if cfg.center.expected_calls is not None else (
            "center.volume_per_day")  # fmt: skip
        parts.append((_centre_per_day(cfg), key))
    return math.fsum(p for p, _ in parts), max(parts)[1]


def _headcount(wf: Any, override: Any) -> float | None:
    """A group's ``workforce.headcount`` (its override, else the centre's), or None."""
    if isinstance(override, Mapping) and override.get("headcount") is not None:
        return float(override["headcount"])
    return None if wf.headcount is None else float(wf.headcount)


def _within(law: Any, key: str, horizon_s: float) -> float:
    """Share of the follow-ups a delay of ``law`` puts after an event at a uniform time in
    the run's ``horizon_s`` seconds that arrive before its end: (1/H) ∫_0^H F(s) ds (a
    repeat contact a day after a call of the run's last day falls outside it)."""
    if horizon_s <= 0:
        return 0.0
    grid = (np.arange(_GRID) + 0.5) * (horizon_s / _GRID)  # midpoints
    return float(np.mean(build_distribution(law, key).cdf(grid)))


def _failed_share(cfg: Config, fresh: float, agents: float, n_intervals: int) -> float:
    """Share of the attempts that abandon or are blocked, for their redials: the
    overload of a fluid model (calls beyond what ``agents`` at once, the most the config
    has, can handle in the open hours at the mean handle time), at least
    :data:`_MIN_FAILED` (random peaks lose calls even without overload)."""
    handle = (build_distribution(cfg.service.talk, "service.talk").mean
              + build_distribution(cfg.service.acw, "service.acw").mean)  # fmt: skip
    capacity = agents * n_intervals * cfg.center.interval_min * 60.0 / max(handle, 1e-9)
    overload = 1.0 - capacity / fresh if fresh > 0 else 0.0
    return min(1.0, max(_MIN_FAILED, overload))


def _attempts_factor(cfg: Config, failed: float) -> float:
    """Attempts per fresh call: redials of the ``failed`` share (at most
    ``redials.max_attempts`` attempts an issue), times the contacts of an issue (repeat
    contacts after unresolved answered ones), each counted only for the share of its
    delays that ends inside the run (:func:`_within`)."""
    horizon = cfg.run.days * DAY_S
    red = failed * max(cfg.redials.probability, cfg.redials.blocked_probability)
    red *= _within(cfg.redials.delay, "redials.delay", horizon)
    redial = math.fsum(red**k for k in range(min(cfg.redials.max_attempts, 1000)))
    res = cfg.resolution
    fcr = min(1.0, res.fcr + res.empowered_share * res.empowerment_uplift)
    repeat = (1.0 - fcr) * res.recontact_probability
    if repeat > 0:
        repeat *= _within(res.recontact_delay, "resolution.recontact_delay", horizon)
    contacts = math.fsum(repeat**k for k in range(min(res.max_contacts, 1000)))
    return redial * contacts


def _driver(candidates: list[tuple[str, float, float]]) -> str:
    """The key whose value is largest against its default: ``key = value``."""
    key, value, _ = max(candidates, key=lambda c: math.log(max(c[1], 1e-300) / c[2]))
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{key} = {shown}"


def estimate(cfg: Config, n_intervals: int) -> SizeEstimate:
    """The size of ``cfg``'s run (``n_intervals`` planning intervals a day)."""
    r, cu, wf = cfg.run, cfg.customers, cfg.workforce
    days, n = float(r.days), float(r.replications)
    workers = r.workers if r.workers >= 1 else (os.cpu_count() or 1)  # 0: chosen at run time
    w = float(max(1, min(workers, r.replications)))
    fresh, fresh_key = _fresh_per_day(cfg)
    groups: list[Any] = list(cfg.agent_groups) or [cfg.staffing]  # issue 14: own ids
    agents = math.fsum(_agents(g) for g in groups)
    calls = fresh * days * _attempts_factor(cfg, _failed_share(cfg, fresh, agents, n_intervals))
    headcount = 0.0
    if wf.enabled:
        counts = [_headcount(wf, getattr(g, "workforce", None)) for g in groups]
        headcount = math.fsum(1.5 * _agents(g) if h is None else h
                              for g, h in zip(groups, counts, strict=True))  # fmt: skip
    tracked = cu.enabled or wf.enabled
    messages = 0.0
    market = 0.0
    if cu.enabled:
        wom = cu.wom
        messages = calls * (
            wom.tell_bad * wom.listeners_bad_mean + wom.tell_good * wom.listeners_good_mean
        )
        market = float(cu.market_size)
    agent_days = headcount * days if wf.enabled else 0.0
    rows = days * n_intervals
    per_rep = (
        _B_PER_CALL * calls + _B_PER_MESSAGE * messages + _B_PER_CUSTOMER * market
        + _B_PER_AGENT * max(agents, headcount)
        + _B_PER_AGENT_DAY * agent_days + _B_PER_INTERVAL * rows + _B_PROCESS
    )  # fmt: skip
    kept = _B_PER_CALL_KEPT * calls + n * (_B_PER_INTERVAL * rows + _B_PER_AGENT_DAY * agent_days)
    memory = w * per_rep + kept
    seconds = n / w * (
        calls * (_S_PER_CALL_TRACKED if tracked else _S_PER_CALL)
        + _S_PER_MESSAGE * messages + _S_PER_CUSTOMER_DAY * market * days
        + _S_PER_AGENT_DAY * agent_days
    )  # fmt: skip
    volume = (fresh_key, fresh, 2400.0)
    common = [("run.days", days, 365.0), volume]
    memory_key = _driver([
        *common, ("run.replications", n, 1000.0), ("staffing.agents", agents, 1000.0),
        ("workforce.headcount", float(wf.headcount or 0), 1000.0),
        ("customers.wom.listeners_bad_mean", cu.wom.listeners_bad_mean, 12.77),
        ("customers.wom.listeners_good_mean", cu.wom.listeners_good_mean, 6.64),
    ])  # fmt: skip
    time_key = _driver([*common, ("run.replications", n, 100.0), ("staffing.agents", agents, 1e4),
                        ("workforce.headcount", float(wf.headcount or 0), 1e4),
                        ("customers.wom.listeners_bad_mean", cu.wom.listeners_bad_mean, 12.77)])  # fmt: skip
    return SizeEstimate(calls, memory, seconds, memory_key, time_key)


def available_memory() -> float:
    """Bytes of memory available to a new process (``MemAvailable``; else all of it)."""
    meminfo = Path("/proc/meminfo")
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1]) * 1024.0
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return math.inf


def check_size(cfg: Config, n_intervals: int) -> SizeEstimate:
    """Refuse (:class:`ConfigError`) a run that cannot fit, unless ``run.force``.

    Too big: peak memory above :data:`MEMORY_SHARE` of :func:`available_memory`, or
    more than :data:`MAX_SECONDS`. The message gives the estimate and the key that
    drives it. Returns the estimate.
    """
    size = estimate(cfg, n_intervals)
    if cfg.run.force:
        return size
    room = MEMORY_SHARE * available_memory()
    hint = "set run.force=true (callsim --force) to run it anyway"
    if not size.memory_bytes <= room:
        raise ConfigError(
            f"{size.memory_key}: too big for this machine: {size.text()}, but "
            f"{_bytes(room)} of memory is available; {hint}",
            size.memory_key.partition(" ")[0],
        )
    if not size.seconds <= MAX_SECONDS:
        raise ConfigError(
            f"{size.time_key}: too long: {size.text()} (more than "
            f"{_duration(MAX_SECONDS)}); {hint}",
            size.time_key.partition(" ")[0],
        )
    return size
