"""What a check of a plan (``simulate-plan``, ``marginal``) can change, and its target.

* :func:`refuse_no_effect`: a plan of one queue is simulated on the forecast of
  ``plan.csv`` (or ``--forecast FILE``) with the plan's agents, so a ``--set`` of the
  volume (``center.volume_per_day``, ``center.profile``, ``center.day_of_week_factors``,
  ``center.expected_calls``), of ``run.days`` or of ``staffing.*`` cannot change what it
  simulates; a centre with callbacks is simulated on its own forecast (those keys are
  then the plan's centre: changing them is refused by the forecast check) with the
  plan's agents (``staffing.*`` has no effect). Such a key is refused in one line
  (exit 2), with or without ``--change-centre``, rather than logged as a change and
  ignored.
* :func:`plan_target`: the service-level target and caps are the plan's, recorded in
  its ``centre.json`` (:data:`~sim.app.plan_centre.TARGET_DEFAULTS`); a contradicting
  option is refused like a contradicting ``--set`` unless ``--change-centre``.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from sim.app.plan_centre import TARGET_DEFAULTS, PlanCentre
from sim.app.plan_inputs import config_dir_overrides
from sim.config.compose import compose
from sim.config.validation import load_scenario
from sim.core.checks import ConfigError
from sim.planning.callbackmodel import is_callback_queue
from sim.planning.planner import PlanTarget

__all__ = ["FORECAST_KEYS", "STAFFING_KEYS", "no_effect_keys", "plan_target", "refuse_no_effect"]

log = logging.getLogger("callsim")

#: Keys that make the centre's own forecast; a plan of one queue is checked on its own.
FORECAST_KEYS = ("center.volume_per_day", "center.profile", "center.day_of_week_factors",
                 "center.expected_calls", "run.days")  # fmt: skip

#: Keys of the centre's agents; a check simulates the plan's.
STAFFING_KEYS = ("staffing",)


def _key(override: str) -> str:
    return override.partition("=")[0].lstrip("+~")


def _under(key: str, roots: Sequence[str]) -> bool:
    return any(key == r or key.startswith(r + ".") for r in roots)


def no_effect_keys(given: Sequence[str], callbacks: bool) -> tuple[list[str], list[str]]:
    """The overrides of ``given`` without effect on a check: ``(forecast ones, staffing
    ones)``; the forecast ones only for a plan of one queue (``callbacks`` False)."""
    forecast = [] if callbacks else [o for o in given if _under(_key(o), FORECAST_KEYS)]
    return forecast, [o for o in given if _under(_key(o), STAFFING_KEYS)]


def refuse_no_effect(args: argparse.Namespace, overrides: Sequence[str],
                     centre: PlanCentre | None) -> None:  # fmt: skip
    """Refuse (ConfigError, one line) each ``--set`` of ``args`` that cannot change the
    check of the centre ``overrides`` compose (see the module). Composes the centre
    only when a ``--set`` names such a key."""
    if not any(_under(_key(o), (*FORECAST_KEYS, *STAFFING_KEYS)) for o in args.set):
        return
    sets = list(overrides)
    if not any(_key(o) == "model" for o in sets):
        sets.insert(0, "model=planning")
    callbacks = is_callback_queue(load_scenario(compose([*config_dir_overrides(args), *sets])))
    forecast, staffing = no_effect_keys(args.set, callbacks)
    why = []
    if forecast:
        replan = " ".join(f"--set {o}" for o in forecast)
        why.append(f"{' '.join(forecast)}: no effect on this check: a plan of one queue is "
                   "simulated on its own forecast (plan.csv's columns, or --forecast FILE), "
                   "not the centre's; give --forecast FILE to check the plan on another "
                   f"forecast, or re-plan that centre (callsim plan ... {replan})")  # fmt: skip
    if staffing:
        why.append(f"{' '.join(staffing)}: no effect on this check: the agents simulated are "
                   "the plan's (--column chooses a method's, a roster.csv its agents); edit "
                   "the plan or give another --column to check other agents")  # fmt: skip
    if why:
        raise ConfigError("; ".join(why), "set")


def _show(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def plan_target(args: argparse.Namespace, centre: PlanCentre | None) -> PlanTarget:
    """The target of a check: each of ``--sl-target``, ``--sl-threshold-s``,
    ``--max-abandon``, ``--max-asa-s``, ``--max-occupancy`` given, else the plan's (its
    ``centre.json``), else the default. A given value other than the plan's is refused
    (ConfigError, one line with both values) unless ``args.change_centre``; a record
    from before callsim recorded the target means the defaults, said once."""
    recorded = None if centre is None else centre.targets
    if centre is not None and recorded is None:
        log.warning("%s records no service-level target (a plan folder of an older callsim): "
                    "checking against the defaults, 80%% answered within 20 s, no caps; give "
                    "--sl-target/--sl-threshold-s to check another", centre.path)  # fmt: skip
    values: dict[str, float | None] = {}
    bad: list[tuple[str, float | None, float]] = []
    for name, default in TARGET_DEFAULTS.items():
        planned = default if recorded is None else recorded[name]
        given = getattr(args, name)
        values[name] = planned if given is None else float(given)
        if given is not None and recorded is not None and planned != float(given):
            bad.append((name, planned, float(given)))
    if bad and not getattr(args, "change_centre", False):
        assert centre is not None  # bad needs a record
        yours = " ".join(f"--{n.replace('_', '-')} {_show(v)}" for n, _, v in bad)
        theirs = ", ".join(f"--{n.replace('_', '-')} {_show(p)}" for n, p, _ in bad)
        raise ConfigError(f"{yours}: not the target the plan was made for ({centre.path}: "
                          f"{theirs}); leave it out to check the plan's target, or give "
                          "--change-centre to check the plan against another", bad[0][0])  # fmt: skip
    try:
        return PlanTarget(values["sl_threshold_s"] or 0.0, values["sl_target"] or 0.0,
                          values["max_abandon"], values["max_asa_s"], values["max_occupancy"],
                          0.0)  # fmt: skip
    except ValueError as exc:
        raise ConfigError(f"plan target: {exc}") from None
