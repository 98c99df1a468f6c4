"""The fitted model as a callsim scenario: a YAML file that ``callsim`` runs as it is.

:func:`scenario_dict` turns a :class:`~sim.fit.model.LogFit` into the keys of a scenario;
:func:`write_scenario` writes ``<out>/scenario/<name>.yaml`` (first line
``# @package _global_``), run by ``callsim --config-dir <out> scenario=<name>``.

What goes in, and how:

* ``center``: the opening hours and intervals of the fit, the profile, weekday factors and
  busyness variance; ``volume_per_day`` is the fitted mean daily volume less the share of
  calls that are redials (callsim adds its redials on top of the fresh calls);
* ``patience``: the piecewise-constant hazard (censored MLE);
* ``service.talk``: the chosen handle-time law; ``service.acw``: 0 (a log's service time
  is the whole handle time); the scenario deselects the ``service`` group
  (``override /service: null``), so no key of the default lognormal is merged under them;
* ``redials``: the estimated probability and an exponential delay of the estimated mean;
* ``staffing.agents``: the agents on duty rebuilt from the log, averaged per weekday and
  rounded, one list per day of a 7-day run that starts on the log's first weekday;
* no customer journey, no repeat contacts (``resolution: none``), no workforce: the log
  carries no evidence for them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.core.files import atomic_write_text
from sim.core.law_schema import law_config, law_dict
from sim.fit.model import LogFit

__all__ = ["full_law", "scenario_dict", "weekly_staffing", "write_scenario"]


def full_law(spec: dict[str, Any]) -> dict[str, Any]:
    """A fitted law as a config node: its ``kind`` and exactly that kind's keys
    (checked by :func:`sim.core.law_schema.law_config`)."""
    return law_dict(law_config(spec, "fitted law"))


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def weekly_staffing(fit: LogFit, start_weekday: int) -> list[list[int]]:
    """Agents per interval for 7 days from ``start_weekday``: the mean of the log's days of
    each weekday, rounded; a weekday missing from the log gets the mean of all days."""
    if fit.on_duty is None:
        raise ValueError("the log has no agent ids: no staffing to write")
    duty = fit.on_duty
    seen = fit.counts.sum(axis=1) > 0
    overall = duty[seen].mean(axis=0) if seen.any() else duty.mean(axis=0)
    rows = []
    for d in range(7):
        w = (start_weekday + d) % 7
        pick = seen & (fit.weekdays == w)
        mean = duty[pick].mean(axis=0) if pick.any() else overall
        rows.append([int(x) for x in np.rint(mean)])
    if not any(any(r) for r in rows):
        rows[0][0] = 1
    return rows


def scenario_dict(fit: LogFit, name: str = "fitted") -> dict[str, Any]:
    """The scenario's keys (a nested dict; see the module docstring)."""
    a = fit.arrivals
    redial_share = fit.repeats.redial_share_of_calls if fit.repeats is not None else 0.0
    start_weekday = int(fit.weekdays[0])
    out: dict[str, Any] = {
        "defaults": [{"override /resolution": "none"}, {"override /workforce": "none"},
                     {"override /redials": "none"}, {"override /service": None}],
        "center": {
            "name": name,
            "open_time": _clock(fit.open_s),
            "close_time": _clock(fit.close_s),
            "interval_min": round(fit.interval_s / 60),
            "volume_per_day": round(a.volume_per_day * (1.0 - redial_share), 3),
            "profile": _shares(a.profile),
            "day_of_week_factors": [round(f, 6) for f in a.day_of_week_factors],
            "start_weekday": start_weekday,
            "busyness_var": round(a.busyness_var, 6),
            "call_type": fit.call_type or "all",
            "expected_calls": None,
        },
        "patience": full_law(fit.patience.distribution()),
        "service": {"talk": full_law(fit.handle.distribution()),
                    "acw": full_law({"kind": "deterministic", "value_s": 0.0})},
        "customers": {"enabled": False},
        "run": {"name": name, "days": 7, "replications": 5},
    }
    if fit.on_duty is not None:
        out["staffing"] = {"agents": weekly_staffing(fit, start_weekday), "shifts": None,
                           "roster": None}
    r = fit.repeats
    if r is not None and r.abandoned > 0 and np.isfinite(r.redial_delay_mean_s):
        out["redials"] = {
            "probability": round(r.redial_probability, 6),
            "blocked_probability": 0.0,
            "delay": full_law({"kind": "exponential",
                           "mean_s": round(max(r.redial_delay_mean_s, 1.0), 3)}),
            "max_attempts": 3,
        }
    return out


def _shares(profile: tuple[float, ...]) -> list[float]:
    """Rounded shares that still sum to 1 within callsim's tolerance (the rest on the max)."""
    p = [round(x, 9) for x in profile]
    i = int(np.argmax(p))
    p[i] = round(p[i] + 1.0 - sum(p), 9)
    return p


def write_scenario(fit: LogFit, out: str | Path, name: str = "fitted") -> Path:
    """Write ``<out>/scenario/<name>.yaml``; returns its path."""
    path = Path(out) / "scenario" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = scenario_dict(fit, name)
    head = [
        "# @package _global_",
        f"# Fitted by `callsim fit` from {fit.log.source or 'a call log'}"
        + (f" (call type {fit.call_type})" if fit.call_type else "")
        + f", {fit.log.start_date} + {fit.counts.shape[0]} days, on {dt.date.today()}.",
        f"# Run it: callsim --config-dir {Path(out)} scenario={name}",
        "# Times in seconds; what each value is and its confidence interval: report.html.",
        "# The fresh volume excludes the calls identified as redials (callsim adds redials).",
    ]
    body = yaml.safe_dump(keys, sort_keys=False, default_flow_style=None, width=100)
    return atomic_write_text(path, "\n".join(head) + "\n" + body)
