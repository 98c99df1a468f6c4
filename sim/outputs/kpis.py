"""The KPI registry: every summary KPI's name, plain label, unit, format, definition and
group, in one place.

Used by the summary text (:func:`sim.writer.summary_text`), the reports
(:mod:`sim.report`, :mod:`sim.htmlkit`) and ``summary.json``'s definitions
(:data:`sim.metrics.KPI_DEFINITIONS`). Units:

* ``share``: a fraction in [0, 1], shown in %; ``share a year``: the same per year;
* ``s``: seconds; ``h``: hours;
* ``calls``, ``customers``, ``agents``: counts (natural lower bound 0);
* ``money``: the configured currency (``economics.currency``);
* ``0-1``: a score in [0, 1] (agent fatigue);
* ``sessions``: chat sessions an agent holds at once (a mean, >= 1);
* ``calls/h``: calls per agent-hour.

:func:`natural_bounds` gives the range a KPI cannot leave (a count is never negative, a
share never above 1): a confidence bound outside it is shown clipped, and said so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["CALLBACK_KPIS", "CHANNEL_KPIS", "GROUP_KPIS", "KPIS", "OUTBOUND_KPIS", "Kpi", "format_value", "kpi",
           "natural_bounds", "unit_text"]


@dataclass(frozen=True)
class Kpi:
    """One KPI: ``name`` (the column), ``label`` (plain words), ``unit`` (see the module),
    ``definition``, ``group`` (``queue``, ``customers``, ``money``, ``agents``)."""

    name: str
    label: str
    unit: str
    definition: str
    group: str


_TABLE: tuple[tuple[str, str, str, str, str], ...] = (
    ("offered", "calls offered", "calls", "queue",
     "call attempts (fresh, redials and repeats) that arrived after the warm-up; "
     "callback attempts are outbound work, counted in the callback KPIs"),
    ("answered", "calls answered", "calls", "queue", "offered calls an agent answered"),
    ("abandoned", "calls abandoned", "calls", "queue",
     "offered calls whose caller hung up while waiting"),
    ("blocked", "calls blocked", "calls", "queue",
     "offered calls refused because all lines or queue places were taken"),
    ("closed", "calls at closing", "calls", "queue",
     "offered calls that arrived while closed, or still waited at a 'cut' closing"),
    ("redials", "redials", "calls", "queue",
     "offered calls that were a repeat attempt after abandoning or being blocked"),
    ("repeats", "repeat contacts", "calls", "queue",
     "offered calls that were a repeat contact after an unresolved answered contact"),
    ("p_wait", "had to wait", "share", "queue",
     "share of offered calls that found no idle agent and were not blocked (a caller who "
     "accepted a callback found none)"),
    ("service_level", "service level", "share", "queue",
     "answered within the threshold / offered; with callbacks, of the calls that stayed on "
     "the line: a caller who accepted a callback is left out (callbacks on time: "
     "callback_service_level)"),
    ("service_level_answered", "service level of answered calls", "share", "queue",
     "answered within the threshold / answered"),
    ("service_level_excl_short_abandons", "service level without short abandons", "share",
     "queue", "answered within the threshold / (offered - abandoned within the threshold); "
     "with callbacks, of the calls that stayed on the line"),
    ("asa_s", "average speed of answer (ASA)", "s", "queue",
     "average speed of answer: mean wait of answered calls, seconds"),
    ("mean_wait_s", "mean wait", "s", "queue",
     "mean wait of answered and abandoned calls, seconds"),
    ("abandon_rate", "abandoned", "share", "queue", "abandoned / offered"),
    ("block_rate", "blocked", "share", "queue", "blocked / offered"),
    ("occupancy", "agent occupancy", "share", "queue",
     "busy agent-time / available agent-time (agents present)"),
    ("mean_handle_s", "handle time", "s", "queue",
     "mean handle time (talk + after-call work) of answered calls, seconds"),
    ("fcr", "first-contact resolution", "share", "queue",
     "issues resolved at their first answered contact / issues with an answered contact"),
    ("bad_experience_rate", "calls rated bad", "share", "queue",
     "offered calls rated bad / offered"),
    ("customers_end", "customers at the end", "customers", "customers",
     "active customers at the end of the run"),
    ("customers_lost_to_service", "customers lost to service", "customers", "customers",
     "customers who left after bad issues or negative word of mouth"),
    ("revenue", "revenue", "money", "money",
     "revenue of the active customers over the run, in economics.currency"),
    ("agent_cost", "agent cost", "money", "money",
     "paid agent-hours x economics.agent_cost_per_hour + hiring cost over the run, "
     "in economics.currency"),
    ("profit", "profit", "money", "money", "revenue - agent_cost, in economics.currency"),
    ("value_lost_to_service", "value lost to service", "money", "money",
     "customers lost to service x their lifetime value, in economics.currency"),
    ("value_won", "value won", "money", "money",
     "customers won x their lifetime value, in economics.currency"),
    ("headcount_end", "agents at the end", "agents", "agents",
     "agents employed and answering calls at the end of the run (workforce)"),
    ("quits", "agents who quit", "agents", "agents",
     "agents who quit over the run (workforce)"),
    ("hires", "agents hired", "agents", "agents",
     "agents who started training over the run (workforce)"),
    ("attrition_annual", "agent attrition", "share a year", "agents",
     "quits / agent-days employed x 365: annualised attrition (workforce)"),
    ("fatigue_mean", "agent fatigue", "0-1", "agents",
     "mean fatigue of the agent at the start of an answered call, in [0, 1]"),
    ("paid_hours", "paid agent-hours", "h", "agents",
     "agent-hours paid: present (no workforce) or rostered (workforce)"),
    ("hiring_cost", "hiring cost", "money", "agents",
     "hires x workforce.hiring.cost_per_hire, in economics.currency"),
)  # fmt: skip

#: Every summary KPI by name, in the order of :data:`sim.metrics.SUMMARY_KEYS`.
KPIS: dict[str, Kpi] = {
    name: Kpi(name, label, unit, definition, group)
    for name, label, unit, group, definition in _TABLE
}

#: KPIs of an agent group (``summary_by_group``, :mod:`sim.outputs.agent_groups`) that are
#: not centre KPIs; the group's ``answered``, ``mean_handle_s`` and ``occupancy`` are the
#: entries of :data:`KPIS`, counted over the group's calls and agents. A call type's KPIs
#: (``summary_by_type``) are all entries of :data:`KPIS`.
GROUP_KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi("answered_share", "share of the calls answered", "share",
            "calls answered by the group / calls answered by every group", "agent group"),
        Kpi("busy_hours", "busy agent-hours", "h",
            "agent-hours spent handling calls (talk + after-call work), from the warm-up "
            "to the end of the run", "agent group"),
        Kpi("present_hours", "agent-hours present", "h",
            "agent-hours present (on duty, or finishing a call after the shift), from the "
            "warm-up to the end of the run", "agent group"),
    )
}  # fmt: skip

#: KPIs of callbacks (virtual hold, ``callbacks.enabled``; the run's ``callback_summary``,
#: :mod:`sim.outputs.callbacks`): NaN without callbacks. T is ``metrics.sl_threshold_s``.
CALLBACK_KPIS: dict[str, Kpi] = {
    name: Kpi(name, label, unit, definition, "callbacks")
    for name, label, unit, definition in (
        ("callback_offers", "callbacks offered", "calls",
         "inbound attempts offered a callback (predicted wait >= callbacks.threshold_s)"),
        ("callback_acceptances", "callbacks accepted", "calls",
         "offers the caller accepted (the attempt left the line, outcome 'callback')"),
        ("callback_offer_rate", "offered a callback", "share",
         "callback offers / inbound attempts (source not 'callback')"),
        ("callback_accept_rate", "accepted the callback", "share", "acceptances / offers"),
        ("callback_reached_rate", "callbacks that reached the caller", "share",
         "accepted offers whose caller a callback attempt reached / acceptances"),
        ("callback_mean_delay_s", "callback delay past the promise (< 0: early)", "s",
         "mean of (start of the reaching callback - promised time) over reached "
         "callbacks, seconds (negative: early)"),
        ("callback_service_level", "callbacks on time", "share",
         "callbacks begun within T of their promise / acceptances"),
        ("abandon_saved", "abandonments saved", "calls",
         "reached callbacks whose caller's patience was shorter than the time from the "
         "offer to the callback (would have hung up had they held)"),
        ("abandon_saved_rate", "abandonments saved per acceptance", "share",
         "abandonments saved / acceptances"),
    )
}  # fmt: skip

#: KPIs of channels (issue 15) that are not centre KPIs: of a call type
#: (``summary_by_type``: the outcomes of callbacks and dials, so that its outcomes add up
#: to its ``offered``; its backlog at the end of the run's last interval) and of an agent
#: group (``summary_by_group``: chat sessions held at once).
CHANNEL_KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi("unreached", "callbacks not reaching the caller", "calls",
            "offered calls of the type that ended 'unreached': callback attempts that did "
            "not reach the customer (0 for an inbound type)", "call type"),
        Kpi("callback_accepted", "callers who took a callback", "calls",
            "offered calls of the type whose caller accepted a callback and left the line "
            "(outcome 'callback'; 0 without callbacks)", "call type"),
        Kpi("backlog_end", "backlog at the end", "calls",
            "contacts of the type waiting at the end of the last day's last interval "
            "(e-mail: the backlog carried over; voice and chat: the queue)", "call type"),
        Kpi("oldest_age_end_s", "age of the oldest waiting at the end", "s",
            "age of the oldest contact of the type waiting at the end of the last day's "
            "last interval (0 if none)", "call type"),
        Kpi("mean_sessions", "sessions held per busy agent", "sessions",
            "handle time summed over contacts / time agents held at least one (1 without "
            "chat concurrency), from the warm-up to the end of the run", "agent group"),
    )
}  # fmt: skip

#: KPIs of an outbound campaign (a call type with ``channel: outbound``, issue 15;
#: ``summary_by_type``, :mod:`sim.outputs.outbound`): NaN for any other type. A dial
#: counts from its start after the warm-up.
OUTBOUND_KPIS: dict[str, Kpi] = {
    name: Kpi(name, label, unit, definition, "outbound")
    for name, label, unit, definition in (
        ("outbound_dials", "outbound dials", "calls",
         "dials of the campaign's records begun after the warm-up (reached or not)"),
        ("right_party_contacts", "right-party contacts", "calls",
         "dials that reached the right party (outcome 'answered')"),
        ("contacts_per_outbound_hour", "contacts per agent-hour on outbound", "calls/h",
         "right-party contacts / agent-hours spent dialing (reached calls' handle time + "
         "unreached dials' unreached_s)"),
        ("list_penetration", "list penetration", "share",
         "records dialed at least once / records put on the list over the run (n/a for "
         "an endless list)"),
    )
}  # fmt: skip

_ALL: dict[str, Kpi] = {**KPIS, **GROUP_KPIS, **CALLBACK_KPIS, **CHANNEL_KPIS, **OUTBOUND_KPIS}


def kpi(name: str) -> Kpi | None:
    """The registry entry of ``name`` (None for a column that is not a KPI)."""
    return _ALL.get(name)


def unit_text(name: str, currency: str = "currency units") -> str:
    """The unit of ``name`` for a table header: ``%``, ``% a year``, ``s``, ``EUR``, ..."""
    k = _ALL.get(name)
    if k is None:
        return ""
    return {"share": "%", "share a year": "% a year", "money": currency}.get(k.unit, k.unit)


def natural_bounds(name: str) -> tuple[float, float]:
    """The range ``name`` cannot leave: counts, money costs and times >= 0, shares in
    [0, 1]; profit is unbounded."""
    k = _ALL.get(name)
    if k is None or name in {"profit", "callback_mean_delay_s"}:
        return (-math.inf, math.inf)
    if k.unit in {"share", "0-1"}:
        return (0.0, 1.0)
    return (0.0, math.inf)


def format_value(name: str, value: float, like: float | None = None,
                 currency: str | None = None) -> str:  # fmt: skip
    """``value`` of KPI ``name`` for reading: shares in %, seconds to 0.1 s, counts with
    thousands separators, money with the currency (if given).

    Counts get 1 decimal below 100 (means of counts), money 2; none above 100; ``like`` (e.g. the mean, when
    ``value`` is its half-width) sets that precision instead, so both read alike.
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    k = _ALL.get(name)
    unit = k.unit if k is not None else ""
    size = abs(value) if like is None or not math.isfinite(like) else abs(like)
    if unit in {"share", "share a year"}:
        return f"{100 * value:.1f}%"
    if unit == "s":
        return f"{value:,.1f} s"
    if unit == "0-1":
        return f"{value:.2f}"
    if unit in {"calls", "customers", "agents", "h"}:
        text = f"{value:,.0f}" if size >= 100 else f"{value:,.1f}"
    else:
        text = f"{value:,.0f}" if size >= 100 else f"{value:,.2f}"
    if unit == "money" and currency:
        text = f"{text} {currency}"
    return text
