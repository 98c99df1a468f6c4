"""Cross-training: how much of the pooling gain a share of two-skill agents buys.

Usage: ``python experiments/cross_training.py [--quick] [--out DIR] [--replications N]
[--workers N] [key=value ...]``.

A two-type centre (types ``a`` and ``b``, say two languages) with equal load, all
exponential (talk 240 s, patience 180 s: ``scenario=steady_erlang_a``) at 0.9 Erlangs
offered per agent, and two groups of ``n`` specialists. A share ``s`` of each group
also takes the other type at rank 2: groups ``a`` ({a: 1}) and ``b`` ({b: 1}) of
``n - k`` agents and ``a_flex`` ({a: 1, b: 2}) and ``b_flex`` ({b: 1, a: 2}) of
``k = round(s n)`` agents; the headcount ``2 n`` is the same for every ``s``. Routing
``call_choice: longest_wait`` (a free agent takes the longest-waiting call it may take),
so that ``s = 1`` is exactly one first-come-first-served pool.

Exact anchors: ``s = 0`` is two separate M/M/n+M queues (Erlang A per type,
``sim.theory.analytic.erlang_a``), ``s = 1`` one M/M/2n+M queue of the merged calls
(Erlang A of the merged queue). Every ``s`` runs with the same seed (common random
numbers), so differences between shares are paired replication by replication.

Published finding to compare with: a small share of flexible agents gets most of the
pooling gain (Wallace & Whitt 2005, M&SOM 7(4):276-294; Chevalier, Shumsky & Tabordon
2004). The study prints, and writes to ``gain.csv``, the share of the ``s = 0 -> 1``
gain reached at each ``s`` (overall service level and ASA), and the cost side: the
agents two separate queues need (Erlang A) to reach the fully cross-trained service level.

Writes ``cross_training.csv``/``.parquet`` (share x call type x KPI: simulated mean and
interval, Erlang A anchor at s = 0 and s = 1), ``gain.csv``/``.parquet`` and
``cross_training.png``.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from common import (
    DAY_S,
    StudyArgs,
    atomic_folder,
    kpi_rows,
    parse_args,
    replicate,
    save_figure,
    series,
    styled,
    write_table,
)
from matplotlib.figure import Figure

import sim

__all__ = ["KPIS", "SHARES", "exact", "gain_table", "main", "run", "separate_agents_needed"]

log = logging.getLogger("studies")

KPIS = ("service_level", "asa_s", "abandon_rate")
#: Share of each group's agents that also take the other type (rank 2).
SHARES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
#: Offered load per agent, Erlangs (both types together over the whole headcount).
LOAD_PER_AGENT = 0.9
TYPES = ("a", "b")


@dataclass(frozen=True)
class Size:
    """Agents per specialist group, shares, replications, measured days."""

    per_group: int
    shares: tuple[float, ...]
    replications: int
    days: int


FULL = Size(per_group=20, shares=SHARES, replications=20, days=2)
QUICK = Size(per_group=10, shares=(0.0, 0.3, 1.0), replications=3, days=1)


def _handle(cfg: sim.Config) -> float:
    return float(getattr(cfg.service.talk, "mean_s", None) or math.nan) + float(
        getattr(cfg.service.acw, "value_s", None) or 0.0
    )


def groups(per_group: int, share: float) -> list[dict[str, Any]]:
    """The ``agent_groups`` of share ``share``: specialists and flexible agents of each type.

    Groups without agents are left out. Raises ``ValueError`` for a share outside [0, 1].
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share = {share}: must be in [0, 1]")
    k = round(share * per_group)
    out: list[dict[str, Any]] = []
    for own, other in (("a", "b"), ("b", "a")):
        if per_group - k:
            out.append({"name": own, "agents": per_group - k, "skills": {own: 1}})
        if k:
            out.append({"name": f"{own}_flex", "agents": k, "skills": {own: 1, other: 2}})
    return out


def config(base: sim.Config, per_group: int, share: float, replications: int) -> sim.Config:
    """The two-type centre of ``base`` (Erlang A scenario) at ``share`` cross-trained."""
    total = 2 * per_group
    volume = LOAD_PER_AGENT * total * DAY_S / _handle(base)
    return sim.load_config(
        base,
        center__volume_per_day=volume,
        staffing__agents=total,
        call_types=[{"name": t, "share": 0.5} for t in TYPES],
        agent_groups=groups(per_group, share),
        routing={"agent_choice": "longest_idle", "call_choice": "longest_wait"},
        run__replications=replications,
    )


def exact(cfg: sim.Config, per_group: int) -> dict[str, dict[str, float]]:
    """Erlang A values of :data:`KPIS`: ``separate`` (one type, ``n`` agents, half the
    calls; s = 0) and ``pooled`` (all calls, ``2 n`` agents; s = 1)."""
    lam = cfg.center.volume_per_day / DAY_S
    h, t = _handle(cfg), cfg.metrics.sl_threshold_s
    patience = float(getattr(cfg.patience, "mean_s", None) or math.nan)
    out = {}
    for name, rate, n in (("separate", lam / 2, per_group), ("pooled", lam, 2 * per_group)):
        a = sim.theory.analytic.erlang_a(rate, h, n, patience)
        out[name] = {
            "service_level": a.service_level(t),
            "asa_s": a.asa_s,
            "abandon_rate": a.p_abandon,
        }
    return out


def separate_agents_needed(cfg: sim.Config, per_group: int) -> int:
    """Fewest agents per type for two separate queues (Erlang A) to reach the fully
    cross-trained (one pool of ``2 n``) service level."""
    target = exact(cfg, per_group)["pooled"]["service_level"]
    lam = cfg.center.volume_per_day / DAY_S / 2
    patience = float(getattr(cfg.patience, "mean_s", None) or math.nan)
    n = per_group
    while (
        sim.theory.analytic.erlang_a(lam, _handle(cfg), n, patience).service_level(
            cfg.metrics.sl_threshold_s
        )
        < target
    ):
        n += 1
    return n


def run(args: StudyArgs) -> pd.DataFrame:
    """Each share: per-type and overall KPIs with intervals, and the Erlang A anchors."""
    size = QUICK if args.quick else FULL
    base = sim.compose(["scenario=steady_erlang_a", f"run.days={size.days}", *args.overrides])
    if base.patience.kind != "exponential" or base.service.talk.kind != "exponential":
        raise sim.ConfigError("patience.kind and service.talk.kind must be 'exponential' (Erlang A)")
    frames = []
    for share in size.shares:
        cfg = config(base, size.per_group, share, size.replications)
        r = replicate(cfg, args, f"share {share:g}")
        ex = exact(cfg, size.per_group)
        anchor = ex["separate"] if share == 0.0 else ex["pooled"] if share == 1.0 else {}
        parts = [("all", r.per_replication)]
        by_type = r.per_replication_by_type
        parts += [(t, by_type[by_type["call_type"] == t]) for t in TYPES]
        for call_type, per in parts:
            table = kpi_rows(
                per,
                KPIS,
                cfg.metrics.confidence,
                share=share,
                flexible_per_group=round(share * size.per_group),
                agents=2 * size.per_group,
                call_type=call_type,
            )
            table["erlang_a"] = [anchor.get(k, math.nan) for k in table["kpi"]]
            frames.append(table)
    return pd.concat(frames, ignore_index=True)


def gain_table(table: pd.DataFrame) -> pd.DataFrame:
    """Share of the ``s = 0 -> 1`` gain reached at each ``s``: overall service level and ASA."""
    rows = []
    for kpi in ("service_level", "asa_s", "abandon_rate"):
        d = table[(table["call_type"] == "all") & (table["kpi"] == kpi)].set_index("share")["mean"]
        lo, hi = d.loc[0.0], d.loc[1.0]
        for share, v in d.items():
            rows.append(
                {"kpi": kpi, "share": share, "mean": v, "gain_fraction": (v - lo) / (hi - lo)}
            )
    return pd.DataFrame(rows)


_PANELS = (
    ("service_level", "service level (answered within 20 s, %)", 100.0),
    ("asa_s", "ASA (s)", 1.0),
    ("abandon_rate", "abandoned / offered (%)", 100.0),
)


def figure(table: pd.DataFrame) -> Figure:
    """Overall KPIs against the cross-trained share, with the Erlang A anchors."""
    with styled():
        fig, axes = plt.subplots(1, 3, figsize=(11, 4.2))
        d = table[table["call_type"] == "all"]
        for ax, (kpi, label, scale) in zip(axes.flat, _PANELS, strict=True):
            k = d[d["kpi"] == kpi]
            st = series(0)
            ax.errorbar(
                k["share"] * 100,
                k["mean"] * scale,
                yerr=k["half_width"] * scale,
                fmt=st["marker"] + "-",
                color=st["color"],
                mfc="white",
                label="simulated (95% CI)",
            )
            a = k.dropna(subset=["erlang_a"])
            ax.plot(
                a["share"] * 100,
                a["erlang_a"] * scale,
                "x",
                color=series(1)["color"],
                markersize=10,
                label="Erlang A: separate (0%), one pool (100%)",
            )
            ax.set_xlabel("agents with both skills (%)")
            ax.set_ylabel(label)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8)
        agents = int(table["agents"].iloc[0])
        fig.suptitle(f"Cross-training, two types, {agents} agents at {LOAD_PER_AGENT} Erlangs per agent")
    return fig


def main(argv: Sequence[str] | None = None) -> None:
    """Run the study from the command line (see the module docstring)."""
    args = parse_args("cross_training", __doc__, argv)
    size = QUICK if args.quick else FULL
    table = run(args)
    gains = gain_table(table)
    base = sim.compose(["scenario=steady_erlang_a", f"run.days={size.days}", *args.overrides])
    cfg = config(base, size.per_group, 0.0, size.replications)
    needed = separate_agents_needed(cfg, size.per_group)
    with atomic_folder(args.out) as folder:
        write_table(table, folder, "cross_training")
        write_table(gains, folder, "gain")
        save_figure(figure(table), folder, "cross_training")
    for kpi in ("service_level", "asa_s"):
        g = gains[gains["kpi"] == kpi].set_index("share")["gain_fraction"]
        reached = ", ".join(f"s={s:g}: {v:.0%}" for s, v in g.items())
        log.info("%s: share of the s=0 -> s=1 gain reached: %s", kpi, reached)
    log.info(
        "cost: two separate queues need %d agents (%d per type) for the one-pool service "
        "level of %d agents, %d more (Erlang A)",
        2 * needed,
        needed,
        2 * size.per_group,
        2 * (needed - size.per_group),
    )


if __name__ == "__main__":
    main(sys.argv[1:])
