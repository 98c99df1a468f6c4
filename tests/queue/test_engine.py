"""Tests of the event loop (``sim.queue.engine``) through the library API.

* The fast engine against the textbook SimPy model (``tests/textbook.py``) fed the same
  random numbers: identical outcomes, and arrival times and waits equal to the last bit
  (both do the same float arithmetic: ``t_next - now`` between arrivals, ``now +
  patience`` for abandonment, ``now - arrival`` for a wait).
* Identities that hold on every finite sample: Little's law for the queue, work
  conservation (no one waits while an agent is idle), FCFS, conservation of calls.
* Invariants: waits, patience, capacity, closing, staffing drops without pre-emption.
* Random numbers: reproducibility, seeds, replications, common random numbers, redials.

Every test here is deterministic (fixed seeds) and the whole file runs in a few seconds.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from textbook import run_textbook, textbook_for

from sim.core.calls import Outcome
from sim.core.rng import Streams
from sim.core.timetable import DAY_S, Timetable
from sim.laws.distributions import Exponential
from sim.model.callcenter import CallCenter
from sim.queue.arrivals import DayCalls
from sim.queue.engine import Engine
from sim.queue.redials import RedialPolicy

# Reconstructed event times (start = arrival + wait, end = start + handle) may differ
# from the engine's own clock by a few ulps (~1e-11 s at t ~ 1e5 s); continuous laws
# never put two distinct events this close, so a microsecond separates them safely.
TOL_S = 1e-6


def exp(mean_s: float) -> dict[str, Any]:
    """An exponential law spec."""
    return {"kind": "exponential", "mean_s": mean_s}


def center(
    agents: int | list[int],
    load: float,
    talk: Mapping[str, Any],
    patience: Mapping[str, Any],
    *,
    days: int = 1,
    acw_s: float = 0.0,
    hours: tuple[str, str] = ("00:00", "24:00"),
    after_close: str = "drain",
    interval_min: int = 60,
    **sections: Any,
) -> dict[str, Any]:
    """A config dict with offered load ``load`` (Erlangs per agent of max staffing)."""
    open_h, close_h = (int(h[:2]) for h in hours)
    n = max(agents) if isinstance(agents, list) else agents
    volume = load * n * (close_h - open_h) * 3600.0 / (float(talk["mean_s"]) + acw_s)
    cfg: dict[str, Any] = {
        "center": {
            "open_time": hours[0],
            "close_time": hours[1],
            "interval_min": interval_min,
            "volume_per_day": volume,
            "after_close": after_close,
        },
        "staffing": {"agents": agents},
        "service": {"talk": dict(talk), "acw": {"kind": "deterministic", "value_s": acw_s}},
        "patience": dict(patience),
        "run": {"days": days},
    }
    for key, value in sections.items():
        cfg.setdefault(key, {}).update(value)
    return cfg


def codes(calls: pd.DataFrame) -> np.ndarray:
    """Outcome codes of the calls table as :class:`sim.queue.engine.Outcome` values."""
    return calls["outcome"].cat.codes.to_numpy().astype(np.int64) + 1


def spans(calls: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and agent of every answered call."""
    ans = codes(calls) == Outcome.ANSWERED
    start = calls["arrival_s"].to_numpy()[ans] + calls["wait_s"].to_numpy()[ans]
    return start, start + calls["handle_s"].to_numpy()[ans], calls["agent_id"].to_numpy()[ans]


def active_at(t: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """How many spans [begin, end) contain each time in ``t``."""
    b, e = np.sort(begin), np.sort(end)
    return np.searchsorted(b, t, side="right") - np.searchsorted(e, t, side="right")


def max_concurrent(begin: np.ndarray, end: np.ndarray) -> int:
    """Largest number of spans [begin, end) open at once (ends first at near-ties)."""
    t = np.concatenate([begin, end - TOL_S])
    step = np.concatenate([np.ones(len(begin)), -np.ones(len(end))])
    order = np.lexsort((step, t))
    return int(np.cumsum(step[order]).max(initial=0))


def table_digest(df: pd.DataFrame) -> str:
    """sha256 over the bytes of every column (categoricals by their codes, text as UTF-8)."""
    h = hashlib.sha256()
    for name in df.columns:
        col = df[name]
        h.update(name.encode())
        if isinstance(col.dtype, pd.CategoricalDtype):
            h.update(col.cat.codes.to_numpy().tobytes())
        elif pd.api.types.is_numeric_dtype(col.dtype):
            h.update(np.ascontiguousarray(col.to_numpy()).tobytes())
        else:  # object/string columns: hash the text, not the pointers
            h.update("\x1f".join(map(str, col)).encode())
    return h.hexdigest()


# --------------------------------------------------------------------- engine == textbook
LN = {"kind": "lognormal", "mean_s": 100.0, "cv": 1.5}
ATOM0 = {
    "kind": "mixture",
    "components": [
        {"weight": 0.3, "kind": "deterministic", "value_s": 0.0},
        {"weight": 0.7, "kind": "exponential", "mean_s": 80.0},
    ],
}
NEVER = {"kind": "never"}
HOURS = ("08:00", "20:00")

CASES: dict[str, dict[str, Any]] = {
    "1-agent-exp-load0.8": center(1, 0.8, exp(100), exp(60)),
    "1-agent-exp-load1.5": center(1, 1.5, exp(100), exp(60)),
    "3-agents-lognormal-genesys-load1.3": center(3, 1.3, LN, {"kind": "genesys"}),
    "10-agents-lognormal-acw-2days": center(10, 0.95, LN, exp(120), days=2, acw_s=20.0),
    "10-agents-exp-load1.2": center(10, 1.2, exp(100), exp(100)),
    "3-agents-atom-at-zero": center(3, 1.1, exp(100), ATOM0),
    "3-agents-genesys2020-atom0-and-inf": center(3, 1.2, exp(100), {"kind": "genesys2020"}),
    "10-agents-never-abandon": center(10, 0.9, exp(100), NEVER),
    "erlang-b-lines=agents": center(5, 1.2, exp(100), NEVER, queue={"lines": 5}),
    "lines-cap-above-agents": center(5, 1.2, exp(100), exp(100), queue={"lines": 8}),
    "always-open-cut-at-horizon": center(3, 1.3, exp(100), NEVER, after_close="cut"),
    "hours-drain-2days": center(3, 1.1, exp(100), exp(200), days=2, hours=HOURS),
    "hours-cut-2days": center(3, 1.3, exp(100), NEVER, days=2, hours=HOURS, after_close="cut"),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("replication", [0, 1])
def test_engine_equals_textbook(name: str, replication: int) -> None:
    """Per call: same arrival time and wait to the last bit, same outcome (and agent)."""
    cc = CallCenter(CASES[name])
    calls = cc.run(replication).calls
    ref = textbook_for(cc, replication)
    assert len(calls) == len(ref["arrival"]) > 300
    assert np.array_equal(calls["arrival_s"].to_numpy(), ref["arrival"])
    assert np.array_equal(codes(calls), ref["outcome"])
    assert np.array_equal(calls["wait_s"].to_numpy(), ref["wait"])
    if cc.timetable.always_open:  # agents leave and come back in another order at night
        assert np.array_equal(calls["agent_id"].to_numpy(), ref["agent_id"])
    # the case exercises the queue (or, with lines = agents, the blocking)
    assert int(((calls["wait_s"] > 0) | (calls["outcome"] == "blocked")).sum()) > 10


def test_textbook_and_engine_hand_case() -> None:
    """A case worked out by hand, run through the textbook model and the bare engine."""
    arrival = np.array([1.0, 2.0, 3.0, 4.0, 20.0])
    patience = np.array([math.inf, 5.0, 0.5, 100.0, 0.0])
    handle = np.array([10.0, 1.0, 1.0, 2.5, 1.0])
    # call 0 talks 1-11; call 1 abandons at 7; call 2 at 3.5; call 3 waits 4-11 and talks
    # 11-13.5; call 4 has patience 0 but finds the agent idle.
    want_wait = [0.0, 5.0, 0.5, 7.0, 0.0]
    want = [Outcome.ANSWERED, Outcome.ABANDONED, Outcome.ABANDONED, Outcome.ANSWERED]
    want.append(Outcome.ANSWERED)
    ref = run_textbook(arrival, patience, handle, agents=1)
    assert ref["wait"].tolist() == want_wait and ref["outcome"].tolist() == want

    class Fresh:
        busyness = np.ones(1)

        def day(self, day: int) -> DayCalls:
            return DayCalls(arrival, patience, handle)

    tt = Timetable(open_s=0.0, close_s=DAY_S, interval_s=3600.0, days=1)
    never = RedialPolicy(0.0, 0.0, 1, *[Exponential(1.0)] * 4, streams=Streams(1))
    for lines, outcomes in ((None, want), (1, [1, 3, 3, 3, 1])):
        log = Engine(tt, np.ones(24, int), Fresh(), never, lines, None, True).run()  # type: ignore[arg-type]
        assert log.outcome.tolist() == outcomes
        ref = run_textbook(arrival, patience, handle, agents=1, lines=lines)
        assert ref["outcome"].tolist() == outcomes
        assert np.array_equal(log.wait_s, ref["wait"])


# ----------------------------------------------------------------- Little's law and queue
def test_littles_law_for_the_queue() -> None:
    """Time-average queue length = arrival rate x mean wait, on the sample.

    The number waiting Q(t) is built by an event sweep (+1 at arrival, -1 when the call
    leaves the queue at arrival + wait) and integrated segment by segment. Over a window
    that contains every stay in the queue of the calls counted, the integral equals the
    sum of their waits, so L = integral / T equals lambda * W with lambda = N / T and W
    the mean wait of the N calls that joined the queue (answered at once: wait 0). We
    check it for the whole run and for the calls of a mid-run window, to 1e-9 relative
    (the sweep sums the areas in another order than the per-call sum).
    """
    calls = CallCenter(center(3, 1.1, exp(100), exp(150), days=2)).run(0).calls
    joined = codes(calls) != Outcome.BLOCKED
    arr = calls["arrival_s"].to_numpy()[joined]
    wait = calls["wait_s"].to_numpy()[joined]
    leave = arr + wait

    def sweep_area(enter: np.ndarray, exit_: np.ndarray, t0: float, t1: float) -> float:
        t = np.concatenate([enter, exit_, [t0, t1]])
        step = np.concatenate([np.ones(len(enter)), -np.ones(len(exit_)), [0.0, 0.0]])
        order = np.lexsort((-step, t))  # arrivals before departures at equal times
        q = np.cumsum(step[order])
        assert q.min() >= 0  # no one leaves a queue they never joined
        return float(np.sum(q[:-1] * np.diff(t[order])))

    windows = [(0.0, float(leave.max())), (0.4 * 2 * DAY_S, 0.7 * 2 * DAY_S)]
    for t0, t1 in windows:
        inside = (arr >= t0) & (leave <= t1)
        n, w = int(inside.sum()), wait[inside]
        area = sweep_area(arr[inside], leave[inside], t0, t1)
        lam, mean_wait = n / (t1 - t0), float(w.mean())
        assert n > 1000 and mean_wait > 1.0
        assert area / (t1 - t0) == pytest.approx(lam * mean_wait, rel=1e-9)


def test_work_conservation_and_fcfs() -> None:
    """No call waits while an agent is idle, and calls are answered in arrival order."""
    agents = 4
    calls = CallCenter(center(agents, 1.05, LN, exp(150))).run(0).calls
    arr, wait = calls["arrival_s"].to_numpy(), calls["wait_s"].to_numpy()
    start, end, _ = spans(calls)
    assert np.all(np.diff(start) >= -TOL_S)  # FCFS: answer times follow arrival order
    events = np.unique(np.concatenate([arr, arr + wait, start, end]))
    gap = np.diff(events) > TOL_S
    mid = (events[:-1] + events[1:])[gap] / 2  # the state is constant around these
    waiting = active_at(mid, arr, arr + wait)
    busy = active_at(mid, start, end)
    assert waiting.max() > 5 and np.all(busy <= agents)
    assert np.all(busy[waiting > 0] == agents)


# ------------------------------------------------------------------------ conservation
CONSERVATION: dict[str, dict[str, Any]] = {
    "open-lines-redials": center(
        4, 1.2, exp(100), {"kind": "genesys2020"}, interval_min=30, queue={"lines": 7},
        redials={"probability": 0.5, "blocked_probability": 0.5, "max_attempts": 3},
    ),
    "hours-cut-max-waiting-redials": center(
        3, 1.2, LN, exp(120), days=2, hours=HOURS, after_close="cut",
        queue={"max_waiting": 5}, redials={"probability": 0.3, "max_attempts": 2},
    ),
    "hours-drain-staff-vector": center(
        [2, 2, 4, 6, 6, 6, 3, 3, 5, 5, 1, 1], 1.0, exp(100), ATOM0, days=2, hours=HOURS,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CONSERVATION))
def test_conservation_and_invariants(name: str) -> None:
    """Every call ends once; waits, patience and capacity are respected."""
    cc = CallCenter(CONSERVATION[name])
    res = cc.run(0)
    calls = res.calls
    code = codes(calls)
    assert not calls["outcome"].isna().any()  # no call left 'waiting'
    counts = {o: int((code == o).sum()) for o in Outcome if o != Outcome.WAITING}
    assert sum(counts.values()) == len(calls) and calls["call_id"].is_unique
    arr, wait, pat = (calls[c].to_numpy() for c in ("arrival_s", "wait_s", "patience_s"))
    scale = 1e-9 * np.maximum(arr, 1.0)  # wait = (arrival + patience) - arrival in floats
    assert np.all(wait >= 0) and np.all(wait[code == Outcome.BLOCKED] == 0)
    abd, ans = code == Outcome.ABANDONED, code == Outcome.ANSWERED
    assert np.all(np.abs(wait[abd] - pat[abd]) <= scale[abd])
    assert np.all(wait[ans] <= pat[ans] + scale[ans])
    start, end, agent = spans(calls)
    assert max_concurrent(start, end) <= int(cc.staffing.max())
    for a in np.unique(agent):  # an agent handles one call at a time
        mine = agent == a
        assert np.all(start[mine][1:] >= end[mine][:-1] - TOL_S)
    if cc.config.center.after_close == "cut":
        tt = cc.timetable
        closing = np.array([tt.closing(int(d)) for d in calls["day"]])
        open_ = calls["interval"].to_numpy() >= 0  # redials while closed end at once
        assert np.all((arr + wait)[open_] <= closing[open_] + TOL_S)  # none waits past closing
        cut = open_ & (code == Outcome.CLOSED)
        assert cut.sum() > 0 and np.all(np.abs((arr + wait - closing)[cut]) <= TOL_S)
        assert np.all(wait[~open_] == 0) and np.all(code[~open_] == Outcome.CLOSED)


@pytest.mark.parametrize(
    "name",
    [
        "hours-cut-max-waiting-redials",
        "hours-drain-staff-vector",
        "open-lines-redials",  # redials after the horizon of an always-open centre
    ],
)
def test_summary_counts_match_calls_table(name: str) -> None:
    """answered + abandoned + blocked + closed = offered = rows of the calls table."""
    res = CallCenter(CONSERVATION[name]).run(0)
    s, code = res.summary, codes(res.calls)
    assert s["answered"] + s["abandoned"] + s["blocked"] + s["closed"] == s["offered"]
    assert s["offered"] == len(res.calls)
    for key in ("answered", "abandoned", "blocked", "closed"):
        assert s[key] == int((code == Outcome[key.upper()]).sum()), key


def test_staffing_drop_lets_busy_agents_finish() -> None:
    """When staffing drops, calls in service are not cut and no new call starts beyond it."""
    staffing = [10] * 12 + [3] * 6 + [10] * 6
    cfg = center(staffing, 1.0, exp(300), exp(200), acw_s=30.0)
    cc = CallCenter(cfg)
    calls = cc.run(0).calls
    fresh = cc.fresh_calls(cc.streams(0)).day(0)
    ans = codes(calls) == Outcome.ANSWERED
    assert np.array_equal(calls["handle_s"].to_numpy()[ans], fresh.handle_s[ans])
    start, end, agent = spans(calls)
    assert max_concurrent(start, end) <= max(staffing)
    drop = 12 * 3600.0
    assert active_at(np.array([drop]), start, end)[0] > 3  # calls ran on past the drop
    # At each start (away from interval boundaries), in service <= agents scheduled.
    k = np.floor(start / 3600.0).astype(int)
    clear = np.abs(start - np.round(start / 3600.0) * 3600.0) > TOL_S
    busy_after = active_at(start + TOL_S, start, end)
    assert np.all(busy_after[clear] <= np.asarray(staffing)[k[clear]])
    for a in np.unique(agent):
        mine = agent == a
        assert np.all(start[mine][1:] >= end[mine][:-1] - TOL_S)
    # Idle agents leave at the drop; the busy ones one by one, each as their call ends.
    log = cc.engine(0).run()
    after = (log.staff_time_s > drop) & (log.staff_time_s < 18 * 3600.0)
    present, leaves = log.staff_present[after], log.staff_time_s[after]
    assert len(present) > 1 and present[-1] == 3
    assert np.all(np.diff(present) == -1) and present[0] < 10
    assert np.all(np.min(np.abs(end[:, None] - leaves[None, :]), axis=0) <= TOL_S)


# ---------------------------------------------------------------------- random numbers
BASE = center(4, 1.1, LN, {"kind": "genesys"}, redials={"probability": 0.4, "max_attempts": 3})


def test_same_seed_same_tables() -> None:
    """Same config, seed and replication: identical calls and intervals tables."""
    a, b = CallCenter(BASE).run(3), CallCenter(BASE).run(3)
    assert table_digest(a.calls) == table_digest(b.calls)
    assert table_digest(a.intervals) == table_digest(b.intervals)
    h = pd.util.hash_pandas_object
    assert int(h(a.calls, index=True).sum()) == int(h(b.calls, index=True).sum())


def test_seed_and_replication_change_the_numbers() -> None:
    """Another ``run.seed`` or another replication index gives other draws."""
    base = CallCenter(BASE).run(0).calls
    other_seed = CallCenter({**BASE, "run": {"days": 1, "seed": 12345}}).run(0).calls
    other_rep = CallCenter(BASE).run(1).calls
    for other in (other_seed, other_rep):
        assert table_digest(other) != table_digest(base)
        m = min(len(base), len(other))
        for col in ("arrival_s", "patience_s"):
            assert not np.any(base[col].to_numpy()[:m] == other[col].to_numpy()[:m])


def test_common_random_numbers_across_staffing() -> None:
    """Changing only the agents keeps every fresh call's arrival, patience and handle time."""
    no_redials = center(4, 1.1, LN, {"kind": "genesys"}, days=2)
    runs = {n: CallCenter({**no_redials, "staffing": {"agents": n}}) for n in (3, 4, 6)}
    tables = {n: cc.run(0).calls for n, cc in runs.items()}
    logs = {n: cc.engine(0).run() for n, cc in runs.items()}
    ref = tables[3]
    for n in (4, 6):
        for col in ("arrival_s", "patience_s"):
            assert np.array_equal(tables[n][col].to_numpy(), ref[col].to_numpy())
        assert np.array_equal(logs[n].handle_s, logs[3].handle_s)
        assert not np.array_equal(tables[n]["wait_s"].to_numpy(), ref["wait_s"].to_numpy())


def test_redials_follow_every_abandonment() -> None:
    """p = 1, 3 attempts: each abandoned attempt < 3 is followed by exactly one redial."""
    cfg = center(3, 1.3, exp(100), exp(60), redials={"probability": 1.0, "max_attempts": 3})
    calls = CallCenter(cfg).run(0).calls
    code = codes(calls)
    assert np.all(calls["arrival_s"].diff().dropna() >= 0)  # the table is in arrival order
    df = pd.DataFrame(
        {
            "caller": calls["issue_id"].to_numpy(),
            "attempt": calls["attempt"].to_numpy().astype(int),
            "arrival": calls["arrival_s"].to_numpy(),
            "left": calls["arrival_s"].to_numpy() + calls["wait_s"].to_numpy(),
            "code": code,
            "redial": calls["source"].to_numpy() == "redial",
        }
    ).sort_values(["caller", "attempt"], kind="stable")
    first = df.groupby("caller").head(1)
    assert np.all(first["attempt"] == 1) and not first["redial"].any()
    assert np.array_equal(first["caller"].to_numpy(), first.index.to_numpy())
    nxt = df.groupby("caller").shift(-1)
    has_next = nxt["attempt"].notna().to_numpy()
    assert np.all(nxt["attempt"].to_numpy()[has_next] == df["attempt"].to_numpy()[has_next] + 1)
    assert np.all(df["redial"].to_numpy()[df["attempt"].to_numpy() > 1])
    abandoned = df["code"].to_numpy() == Outcome.ABANDONED
    should = abandoned & (df["attempt"].to_numpy() < 3)
    assert should.sum() > 50 and np.array_equal(has_next, should)
    assert np.all(nxt["arrival"].to_numpy()[has_next] > df["left"].to_numpy()[has_next])
    assert df["attempt"].max() == 3


def test_staffing_per_day() -> None:
    """A list per day: the same list every day is the flat vector, bit for bit; a plan
    that differs by day is followed day by day (and no call is cut when it drops)."""
    flat = center([3, 4, 5] * 8, 1.0, exp(300), exp(200), days=2)
    same = {**flat, "staffing": {"agents": [[3, 4, 5] * 8] * 2}}
    a, b = CallCenter(flat).run(0), CallCenter(same).run(0)
    assert table_digest(a.calls) == table_digest(b.calls)
    assert table_digest(a.intervals) == table_digest(b.intervals)
    week = {**flat, "staffing": {"agents": [[3, 4, 5] * 8, [6] * 24]}}
    res = CallCenter(week).run(0)
    iv = res.intervals
    assert iv.loc[iv["day"] == 1, "scheduled_agents"].eq(6).all()
    assert iv.loc[iv["day"] == 0, "scheduled_agents"].tolist() == [3, 4, 5] * 8
    assert iv["agents_present"].round(9).ge(iv["scheduled_agents"] - 1e-9).all()
    start, end, _ = spans(res.calls)
    assert max_concurrent(start, end) <= 6
