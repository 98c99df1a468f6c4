"""The HBR contrast: offering callbacks against fixing the problem on the first contact.

Usage: ``python experiments/callbacks.py [--quick] [--out DIR] [--replications N]
[--workers N] [key=value ...]``.

HBR's advice (seed 004 via ``seed-facts.md``) is to fix a problem on the spot, as soon
as it is reported, rather than defer it with "we will call you back". Virtual hold is
the phone platforms' answer to long queues. This study puts both on the same
understaffed centre and lets the customer loop (rating, peak-end memory, churn, word
of mouth, money) say what each does:

* ``hold``: ``scenario=callback_offered`` with callbacks off: the baseline's centre
  (agents as individuals: fatigue, learning, attrition) at ``LOAD`` times its volume,
  callers hold or hang up;
* ``callback``: the scenario as shipped: a callback offered past a predicted two
  minutes, half accept, the caller keeps their place; being deferred is rated neutral;
* ``callback_hbr``: the same, but the deferral itself is rated bad (the HBR reading:
  "we will call you back" is a bad experience, whatever comes after);
* ``fix_on_spot``: no callbacks; every agent empowered to fix issues on the spot (the
  ``empowered_agents`` scenario's values: FCR +15 points, handle times x 1.10 per
  empowered agent, fatigue building 20% slower);
* ``both``: callbacks and fixing on the spot.

Every arm runs with the same seed (common random numbers: the same callers, patience
and talk draws), so each arm's difference from ``hold`` is paired replication by
replication (``common.paired_differences``); the unpaired half-width shows what
independent runs would have needed.

Writes ``callbacks.csv``/``.parquet`` (arm x KPI: mean and interval),
``differences.csv``/``.parquet`` (arm x KPI: paired difference from ``hold``, interval,
unpaired half-width) and ``callbacks.png``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from common import (
    StudyArgs,
    atomic_folder,
    kpi_rows,
    paired_differences,
    parse_args,
    replicate,
    save_figure,
    series,
    styled,
    write_table,
)
from matplotlib.figure import Figure

import sim

__all__ = ["ARMS", "KPIS", "arm_config", "main", "run"]

log = logging.getLogger("studies")

#: Offered load against the baseline's volume: an understaffed centre, where callbacks matter.
LOAD = 1.3
ARMS = ("hold", "callback", "callback_hbr", "fix_on_spot", "both")
#: Queue and customer KPIs compared (the summary's), then the callback KPIs.
KPIS = ("abandon_rate", "occupancy", "fcr", "bad_experience_rate",
        "customers_lost_to_service", "value_lost_to_service", "profit")  # fmt: skip
CALLBACK_KPIS = ("callback_offer_rate", "callback_accept_rate", "callback_mean_delay_s",
                 "inbound_service_level", "abandon_saved")  # fmt: skip
#: From the empowered_agents scenario: FCR uplift, the longer handle time of fixing on the
#: spot and the slower fatigue of an empowered agent.
UPLIFT, HANDLE_FACTOR, FATIGUE_FACTOR = 0.15, 1.10, 0.80


@dataclass(frozen=True)
class Size:
    days: int
    replications: int


FULL = Size(days=28, replications=10)
QUICK = Size(days=2, replications=2)


def arm_config(base: sim.Config, arm: str) -> sim.Config:
    """The config of ``arm`` (see the module docstring) from the study's base. Raises
    ValueError for an unknown arm."""
    if arm not in ARMS:
        raise ValueError(f"arm = {arm!r}: must be one of {', '.join(ARMS)}")
    callbacks = arm in ("callback", "callback_hbr", "both")
    fix = arm in ("fix_on_spot", "both")
    changes: dict[str, object] = {
        "callbacks__enabled": callbacks,
        "callbacks__deferral_rating": "bad" if arm == "callback_hbr" else "neutral",
        "run__name": f"callbacks_{arm}",
    }
    if fix:
        changes["resolution__empowered_share"] = 1.0
        changes["resolution__empowerment_uplift"] = UPLIFT
        changes["workforce__empowered_handle_factor"] = HANDLE_FACTOR
        changes["workforce__empowered_fatigue_factor"] = FATIGUE_FACTOR
    return sim.load_config(base, **changes)


def base_config(args: StudyArgs) -> sim.Config:
    size = QUICK if args.quick else FULL
    base = sim.compose(["scenario=callback_offered", f"run.days={size.days}",
                        f"run.replications={size.replications}", *args.overrides])  # fmt: skip
    return sim.load_config(base, center__volume_per_day=base.center.volume_per_day * LOAD)


def run(args: StudyArgs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every arm: KPI means with intervals, and paired differences from ``hold``."""
    base = base_config(args)
    conf = base.metrics.confidence
    per: dict[str, pd.DataFrame] = {}
    rows = []
    for arm in ARMS:
        r = replicate(arm_config(base, arm), args, arm)
        table = r.per_replication
        if len(r.per_replication_callbacks):
            table = table.merge(r.per_replication_callbacks, on="replication")
        per[arm] = table
        kpis = [*KPIS, *(k for k in CALLBACK_KPIS if k in table.columns)]
        rows.append(kpi_rows(table, kpis, conf, arm=arm))
    diffs = []
    for arm in ARMS[1:]:
        d = paired_differences(per["hold"], per[arm], KPIS, conf)
        d.insert(0, "arm", arm)
        diffs.append(d)
    return pd.concat(rows, ignore_index=True), pd.concat(diffs, ignore_index=True)


_PANELS = (
    ("abandon_rate", "abandoned (points of %)", 100.0),
    ("customers_lost_to_service", "customers lost to service", 1.0),
    ("profit", "profit (currency)", 1.0),
)


def figure(diffs: pd.DataFrame, days: int) -> Figure:
    """Paired differences from ``hold`` of three KPIs, one bar per arm, with intervals."""
    with styled():
        fig, axes = plt.subplots(1, 3, figsize=(11, 4.0))
        arms = list(ARMS[1:])
        x = np.arange(len(arms))
        for ax, (kpi, label, scale) in zip(axes.flat, _PANELS, strict=True):
            d = diffs[diffs["kpi"] == kpi].set_index("arm").loc[arms]
            ax.bar(x, d["diff"] * scale, yerr=d["half_width"] * scale, capsize=3,
                   color=[series(i)["color"] for i in range(len(arms))])  # fmt: skip
            ax.axhline(0.0, color="black", linewidth=0.8)
            ax.set_xticks(x, [a.replace("_", "\n") for a in arms], fontsize=8)
            ax.set_ylabel(f"{label}, vs hold")
        fig.suptitle(f"Callbacks or fixing it on the spot: differences from holding "
                     f"({days} days, {LOAD:g} x the baseline's volume, 95% paired CI)")  # fmt: skip
    return fig


def main(argv: Sequence[str] | None = None) -> None:
    """Run the study from the command line (see the module docstring)."""
    args = parse_args("callbacks", __doc__, argv)
    table, diffs = run(args)
    with atomic_folder(args.out) as folder:
        write_table(table, folder, "callbacks")
        write_table(diffs, folder, "differences")
        save_figure(figure(diffs, (QUICK if args.quick else FULL).days), folder, "callbacks")
    for arm in ARMS[1:]:
        d = diffs[diffs["arm"] == arm].set_index("kpi")
        log.info("%s vs hold: abandoned %+.2f points, customers lost %+.1f, profit %+.0f",
                 arm, 100 * d.loc["abandon_rate", "diff"],
                 d.loc["customers_lost_to_service", "diff"], d.loc["profit", "diff"])  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
