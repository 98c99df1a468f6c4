"""The report's "Channels" section and summary lines (issue 15): chat, e-mail, outbound.

Shown only when some call type is chat, e-mail or outbound (``call_types[].channel``):
per outbound campaign its dials, right-party contacts, contacts per agent-hour on
outbound work and list penetration; per chat or e-mail
type its deadline and service level against target, the backlog at the end of the run
and the age of its oldest contact; the backlog at each day's closing (mean over
replications, from ``intervals_by_type``); per agent group with chat sessions, the
sessions its agents hold at once and its occupancy (time holding at least one
session / time present). Means ± half-widths of Student-t intervals over
replications, as the other breakdowns (:mod:`sim.report.breakdown_report`).
"""

from __future__ import annotations

import math

import pandas as pd

from sim.model.runner import Replications
from sim.report.breakdown_report import mean_ci, type_targets, wide_summary
from sim.report.htmlkit import format_kpi
from sim.report.htmlkit import table as html_table

__all__ = ["channel_lines", "channel_sections", "has_channels"]


#: The columns of the Channels table.
HEADER = ["call type", "channel", "deadline", "target", "service level", "waiting at the end",
          "oldest at the end"]  # fmt: skip


def _channels(reps: Replications) -> dict[str, str]:
    """Call type name -> channel, for the chat and e-mail types."""
    return {t.name: t.channel for t in reps.config.call_types
            if t.channel not in ("voice", "outbound")}  # fmt: skip


def _campaigns(reps: Replications) -> list[str]:
    """The outbound call types."""
    return [t.name for t in reps.config.call_types if t.channel == "outbound"]


#: The columns of the Outbound table, and the KPIs shown.
OUTBOUND_HEADER = ["campaign", "dials", "right-party contacts", "contacts per agent-hour",
                   "list penetration"]  # fmt: skip
OUTBOUND_SHOWN = ("outbound_dials", "right_party_contacts", "contacts_per_outbound_hour",
                  "list_penetration")  # fmt: skip


def _outbound_section(reps: Replications) -> list[str]:
    """The outbound campaigns' table (empty without outbound types)."""
    wide = wide_summary(reps.summary_by_type, "call_type")
    rows = [[name, *(mean_ci(wide[name][k], k) for k in OUTBOUND_SHOWN)]
            for name in _campaigns(reps) if name in wide]  # fmt: skip
    if not rows:
        return []
    return [
        '<p class="note">Outbound campaigns, dialed by blended agents only when no call '
        "waits and more than their group's reserve_idle agents are idle: dials begun after "
        "the warm-up, those that reached the right party, right-party contacts per "
        "agent-hour spent dialing, and records dialed at least once / records put on the "
        "list (n/a for an endless list). Dials are not calls offered: the queue KPIs "
        "above are the inbound calls' (docs/background/channels.md).</p>",
        html_table(OUTBOUND_HEADER, rows, "outbound", text_columns=(0,)),
    ]


def _session_groups(reps: Replications) -> list[str]:
    return [g.name for g in reps.config.agent_groups if g.max_sessions > 1]


def has_channels(reps: Replications) -> bool:
    """Whether the run has chat, e-mail or outbound types (the section is shown)."""
    return bool(_channels(reps)) or bool(_campaigns(reps))


def _hours(seconds: float) -> str:
    return f"{seconds / 3600.0:,.1f} h"


def closing_backlog(reps: Replications) -> pd.DataFrame:
    """Backlog and age of the oldest contact at each day's last interval end, per chat
    or e-mail type: mean over replications (columns ``day``, ``call_type``,
    ``backlog``, ``oldest_age_s``)."""
    t = reps.intervals_by_type
    names = list(_channels(reps))
    if t.empty or not names:
        return pd.DataFrame(columns=["day", "call_type", "backlog", "oldest_age_s"])
    last = t[(t["interval"] == t["interval"].max()) & t["call_type"].isin(names)]
    out = last.groupby(["day", "call_type"], observed=True)[["backlog", "oldest_age_s"]].mean()
    return out.reset_index()


def channel_sections(reps: Replications) -> list[str]:
    """The HTML of the "Channels" section (empty without chat, e-mail or outbound types)."""
    channels = _channels(reps)
    if not channels:
        outbound = _outbound_section(reps)
        return ['<h2 id="channels">Channels</h2>', *outbound] if outbound else []
    targets = type_targets(reps)
    wide = wide_summary(reps.summary_by_type, "call_type")
    rows = []
    for name, channel in channels.items():
        k = wide.get(name)
        if k is None:
            continue
        threshold, target = targets.get(name, (math.nan, math.nan))
        deadline = _hours(threshold) if channel == "email" else f"{threshold:g} s"
        rows.append([name, channel, deadline, f"{target:.0%}",
                     mean_ci(k["service_level"], "service_level"),
                     mean_ci(k["backlog_end"], "backlog_end"),
                     _hours(float(k["oldest_age_end_s"]["mean"]))])  # fmt: skip
    out = [
        '<h2 id="channels">Channels</h2>',
        '<p class="note">Chat and e-mail types: service level within the type\'s deadline '
        "(answered within it / offered), the contacts still waiting at the end of the run "
        "(e-mail: the backlog carried over closing and days) and the age of the oldest of "
        "them (mean over replications).</p>",
        html_table(HEADER, rows, "channels", text_columns=(0, 1)),
    ]
    days = closing_backlog(reps)
    if not days.empty:
        wide_days = days.pivot(index="day", columns="call_type", values="backlog")
        age = days.pivot(index="day", columns="call_type", values="oldest_age_s")
        names = [str(c) for c in wide_days.columns]
        rows = [[str(d), *(f"{wide_days.loc[d, c]:,.1f} ({_hours(age.loc[d, c])})"
                           for c in wide_days.columns)] for d in wide_days.index]  # fmt: skip
        out += [
            "<details><summary>Backlog at each day's closing (oldest contact's age)</summary>",
            html_table(["day", *names], rows, "channels-backlog", text_columns=()),
            "</details>",
        ]
    groups = _session_groups(reps)
    gwide = wide_summary(reps.summary_by_group, "agent_group")
    grows = [
        [g, mean_ci(gwide[g]["mean_sessions"], "mean_sessions"),
         mean_ci(gwide[g]["occupancy"], "occupancy")]
        for g in groups if g in gwide
    ]  # fmt: skip
    if grows:
        out += [
            '<p class="note">Agent groups holding several chats at once: sessions held per '
            "busy agent (handle time / time holding at least one) and occupancy (time "
            "holding at least one / time present).</p>",
            html_table(["agent group", "sessions held", "occupancy"], grows, "channel-groups"),
        ]
    return out + _outbound_section(reps)


def channel_lines(reps: Replications) -> list[str]:
    """Summary-text lines: per chat or e-mail type the contacts waiting at the end and
    the oldest one's age; per group with chat sessions the sessions held; per outbound
    campaign its dials, right-party contacts, contacts per agent-hour and penetration."""
    channels = _channels(reps)
    if not channels and not _campaigns(reps):
        return []
    lines = ["  channels:"]
    wide = wide_summary(reps.summary_by_type, "call_type")
    for name in _campaigns(reps):
        k = wide.get(name)
        if k is None:
            continue
        mean = {key: float(k[key]["mean"]) for key in OUTBOUND_SHOWN}
        lines.append(f"    {name:<20}outbound: {format_kpi('outbound_dials', mean['outbound_dials'])} "
                     f"dials, {format_kpi('right_party_contacts', mean['right_party_contacts'])} "
                     f"right-party contacts "
                     f"({format_kpi('contacts_per_outbound_hour', mean['contacts_per_outbound_hour'])} "
                     f"per agent-hour), list penetration "
                     f"{format_kpi('list_penetration', mean['list_penetration'])}")  # fmt: skip
    for name, channel in channels.items():
        k = wide.get(name)
        if k is None:
            continue
        lines.append(f"    {name:<20}{channel}: waiting at the end "
                     f"{format_kpi('backlog_end', float(k['backlog_end']['mean']))}, oldest "
                     f"{_hours(float(k['oldest_age_end_s']['mean']))}")  # fmt: skip
    gwide = wide_summary(reps.summary_by_group, "agent_group")
    for g in _session_groups(reps):
        if g in gwide:
            held = format_kpi("mean_sessions", float(gwide[g]["mean_sessions"]["mean"]))
            lines.append(f"    {g:<20}chat sessions held per busy agent {held}")
    return lines
