"""The centre a plan was made for, recorded in its folder, and used when it is checked.

``callsim plan`` writes ``centre.json`` into its output folder
(:func:`record_centre`): the scenario (the ``--set scenario=`` given, else the default
of ``config.yaml``), the ``--set`` overrides in their order, ``--patience``, ``--model``,
``--config-dir`` (absolute) and the service-level target and caps (``targets``, checked by
:func:`sim.app.plan_effect.plan_target`). ``callsim simulate-plan`` and ``callsim marginal``
read the file beside their ``--plan`` (``plan.csv`` and ``roster.csv`` sit in the plan
folder) and simulate that centre (:func:`apply_plan_centre`):

* a ``--set`` (or ``--patience``) that gives a key another value than the plan's centre
  has is refused in one line naming each key and both values (exit 2), unless
  ``--change-centre`` asks for it (a what-if: the plan on another centre, the user's
  values over the plan's);
* ``run.seed`` (:data:`FREE_KEYS`) is not the centre: ``--set run.seed=7`` checks the
  plan on fresh replications;
* a value equal to the plan's is accepted (it changes nothing);
* ``--config-dir`` given wins (the folder may have moved); without it the recorded one.

A ``--plan`` without ``centre.json`` beside it (a folder from before the record, or a
file moved out of its folder) falls back to the centre of the user's own ``--set``, as
before, with one warning line saying so.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from sim.app.plan_inputs import config_dir_overrides, patience_overrides
from sim.config.compose import CONFIG_DIR, compose
from sim.core.checks import ConfigError
from sim.core.schema import Config

__all__ = [
    "CENTRE_FILE",
    "FREE_KEYS",
    "TARGET_DEFAULTS",
    "PlanCentre",
    "add_change_centre_option",
    "apply_plan_centre",
    "centre_contradictions",
    "default_scenario",
    "read_centre",
    "record_centre",
]

log = logging.getLogger("callsim")

#: The file of a plan folder that records the centre the plan was made for.
CENTRE_FILE = "centre.json"

#: Keys a check may set freely: they choose random numbers, not the centre.
FREE_KEYS = ("run.seed",)

_FORMAT = 1

#: The planning targets and caps a plan is made for (``callsim plan`` options, with
#: ``_`` for ``-``) and their defaults when neither the plan nor the user gives them.
TARGET_DEFAULTS: dict[str, float | None] = {
    "sl_target": 0.80, "sl_threshold_s": 20.0, "max_abandon": None, "max_asa_s": None,
    "max_occupancy": None,
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class PlanCentre:
    """The centre of a plan: ``overrides`` (``scenario=NAME`` first, then the plan's
    ``--set`` in order), ``patience`` (``--patience`` text or None), ``model``
    (``planning``/``research``), ``config_dir`` (absolute path or None) and ``path``
    (the ``centre.json`` it was read from); ``targets``: the plan's service-level target
    and caps (keys of :data:`TARGET_DEFAULTS`, a cap None when the plan had none), or
    None in a record from before callsim recorded them."""

    overrides: tuple[str, ...]
    patience: str | None
    model: str
    config_dir: str | None
    path: Path
    targets: dict[str, float | None] | None = None

    @property
    def scenario(self) -> str:
        """The scenario the plan was made for."""
        return _values(self.overrides)["scenario"]

    def all_overrides(self) -> list[str]:
        """The overrides that compose the centre: ``overrides`` then ``--patience``'s."""
        return [*self.overrides, *patience_overrides(self.patience)]


@cache
def default_scenario() -> str:
    """The scenario ``config.yaml``'s defaults list chooses (``baseline``)."""
    text = (Path(CONFIG_DIR) / "config.yaml").read_text(encoding="utf-8")
    for entry in yaml.safe_load(text)["defaults"]:
        if isinstance(entry, dict) and "scenario" in entry:
            return str(entry["scenario"])
    raise RuntimeError("config.yaml chooses no scenario")  # pragma: no cover - shipped file


def _key(override: str) -> str:
    return override.partition("=")[0].lstrip("+~")


def _values(overrides: Sequence[str]) -> dict[str, str]:
    """Key -> value text of ``overrides`` (the last one wins, as in Hydra)."""
    return {_key(o): o.partition("=")[2] for o in overrides}


def _with_scenario(overrides: Sequence[str]) -> list[str]:
    """``overrides`` with ``scenario=<default>`` first when none chooses a scenario."""
    if "scenario" in _values(overrides):
        return list(overrides)
    return [f"scenario={default_scenario()}", *overrides]


def record_centre(folder: Path, args: argparse.Namespace, targets: bool = True) -> None:
    """Write ``folder/centre.json``: the centre of ``callsim plan``'s parsed ``args``,
    with its target and caps (``targets``; a plan of several groups takes each call
    type's from the config instead)."""
    config_dir = getattr(args, "config_dir", None)
    record: dict[str, Any] = {
        "format": _FORMAT,
        "what": "the centre this plan was made for (callsim plan); callsim simulate-plan and "
        "callsim marginal on this folder simulate it",
        "scenario": _values(_with_scenario(args.set))["scenario"],
        "set": _with_scenario(args.set),
        "patience": args.patience,
        "model": args.model,
        "config_dir": None if config_dir is None else str(Path(config_dir).resolve()),
    }
    if targets:
        record["targets"] = {k: d if getattr(args, k, None) is None else float(getattr(args, k))
                             for k, d in TARGET_DEFAULTS.items()}  # fmt: skip
    (folder / CENTRE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def read_centre(plan: Path) -> PlanCentre | None:
    """The centre recorded beside the file ``plan`` (None without ``centre.json``).
    Raises ConfigError naming the file when it cannot be read."""
    path = plan.parent / CENTRE_FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        overrides = tuple(str(o) for o in record["set"])
        patience = record.get("patience")
        targets = record.get("targets")
        if targets is not None:
            targets = {k: None if targets[k] is None else float(targets[k])
                       for k in TARGET_DEFAULTS}  # fmt: skip
        centre = PlanCentre(overrides, None if patience is None else str(patience),
                            str(record.get("model", "planning")), record.get("config_dir"),
                            path, targets)  # fmt: skip
        centre.scenario  # noqa: B018 - a record without its scenario is refused here
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: cannot read it as the plan's centre ({exc!r}); move it "
                          "away to use your --set overrides only", "plan") from None  # fmt: skip
    return centre


def _at(cfg: Config, key: str) -> Any:
    """The value of ``cfg`` at the dotted ``key`` (``agent_groups.0.skills``), or
    :data:`_UNKNOWN` when the key does not name a field."""
    obj: Any = cfg
    try:
        for part in key.split("."):
            if isinstance(obj, (list, tuple)):
                obj = obj[int(part)]
            elif isinstance(obj, Mapping):
                obj = obj[part]
            else:
                obj = getattr(obj, part)
    except (AttributeError, KeyError, IndexError, ValueError):
        return _UNKNOWN
    return obj


_UNKNOWN = object()


def _same_text(a: str, b: str) -> bool:
    """Two override values alike as YAML values (``30`` and ``30.0``), else as text."""
    try:
        return bool(yaml.safe_load(a) == yaml.safe_load(b))
    except yaml.YAMLError:
        return a == b


def _show(value: Any) -> str:
    """A config value as an override would give it: ``true``, ``30.0``, ``genesys``,
    ``exponential(mean_s=30.0)`` (a time law by its kind and keys)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.asdict(value)
        kind = fields.pop("kind", None)
        inner = ", ".join(f"{k}={v}" for k, v in fields.items())
        text = f"{kind}({inner})" if kind is not None and inner else str(kind or inner)
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def merged_overrides(planned: Sequence[str], given: Sequence[str]) -> list[str]:
    """The plan's overrides with ``given``'s on top: a given key drops the plan's entries
    of that key and below it (``patience`` drops ``patience.mean_s``)."""
    keys = {_key(o) for o in given}
    kept = [o for o in planned
            if not any(_key(o) == k or _key(o).startswith(k + ".") for k in keys)]  # fmt: skip
    return [*kept, *given]


def centre_contradictions(centre: PlanCentre, given: Sequence[str],
                          searchpath: Sequence[str] = ()) -> list[tuple[str, str, str]]:  # fmt: skip
    """``(key, plan's value, given value)`` for each override of ``given`` that changes
    the plan's centre (keys of :data:`FREE_KEYS` aside). Composes the plan's centre and
    the merged one (``searchpath``: the ``--config-dir`` override, if any) and compares
    the value at each key; ``scenario`` (no field) and keys that name no field compare
    as text. Raises ConfigError for a bad override."""
    planned = centre.all_overrides()
    ours = _values(planned)
    checked = [o for o in given if _key(o) not in FREE_KEYS]
    if not checked:
        return []
    before = compose(_modelled([*searchpath, *planned]))
    after = compose(_modelled([*searchpath, *merged_overrides(planned, given)]))
    found: list[tuple[str, str, str]] = []
    for key, value in _values(checked).items():
        old, new = _at(before, key), _at(after, key)
        if old is _UNKNOWN or new is _UNKNOWN:  # scenario (always recorded), model, ...
            if key in ours and not _same_text(ours[key], value):
                found.append((key, ours[key], value))
        elif old != new:
            found.append((key, ours.get(key, _show(old)), value))
    return found


def add_change_centre_option(p: argparse.ArgumentParser) -> None:
    """``--change-centre`` of ``simulate-plan`` and ``marginal``."""
    p.add_argument("--change-centre", action="store_true", help="let --set/--patience change "
                   f"the centre the plan was made for (recorded in the plan folder's "
                   f"{CENTRE_FILE}): a what-if, the plan on another centre; without it a "
                   "contradicting --set is refused (run.seed is always free)")  # fmt: skip


def apply_plan_centre(args: argparse.Namespace,
                      first: Callable[[list[str], PlanCentre | None], None] | None = None,
                      ) -> PlanCentre | None:  # fmt: skip
    """Put the centre recorded beside ``args.plan`` into ``args`` (``set``, ``patience``,
    ``config_dir``), after refusing a ``--set``/``--patience`` that contradicts it
    (ConfigError, one line naming each key and both values) unless
    ``args.change_centre``. Without a record, ``args`` stay as given, with a warning.
    Returns the centre used (None without a record). ``first`` is called before the
    contradictions are refused, with the overrides of the centre to simulate and the
    record (a check that refuses a key whatever the centre, e.g. one without effect)."""
    centre = read_centre(args.plan)
    change = getattr(args, "change_centre", False)
    if centre is None:
        if first is not None:
            first(list(args.set), None)
        if change:
            raise ConfigError(f"--change-centre: {args.plan.parent / CENTRE_FILE} does not "
                              "exist (a plan folder from before callsim recorded the centre): "
                              "the centre is your --set overrides anyway", "change_centre")  # fmt: skip
        log.warning("%s: no %s beside it (a plan made before callsim recorded its centre, or "
                    "a file moved out of its plan folder): simulating the centre of your --set "
                    "overrides only; give those the plan was made with", args.plan, CENTRE_FILE)  # fmt: skip
        return None
    if args.config_dir is None and centre.config_dir is not None:
        if not Path(centre.config_dir).is_dir():
            raise ConfigError(f"{centre.path}: the plan's --config-dir {centre.config_dir!r} "
                              "no longer exists; give --config-dir DIR (where its files are now)",
                              "config_dir")  # fmt: skip
        args.config_dir = Path(centre.config_dir)
    given = [*args.set, *patience_overrides(args.patience)]
    if first is not None:
        first(merged_overrides(centre.all_overrides(), given), centre)
    bad = centre_contradictions(centre, given, config_dir_overrides(args))
    if bad and not change:
        yours = " ".join(dict.fromkeys(_flag(k, v, args.patience) for k, _, v in bad))
        theirs = ", ".join(f"{k}={old}" for k, old, _ in bad)
        raise ConfigError(f"{yours}: not the centre the plan was made for ({centre.path}: "
                          f"{theirs}); leave it out to check the plan's centre, or give "
                          "--change-centre to check the plan on another centre", "set")  # fmt: skip
    args.set = merged_overrides(centre.all_overrides(), given)
    args.patience = None
    extra = [o for o in given if _key(o) in FREE_KEYS or change]
    log.info("centre: the plan's (%s): %s%s", centre.path, " ".join(centre.all_overrides()),
             f"; changed by you: {' '.join(extra)}" if extra else "")  # fmt: skip
    return centre


def _flag(key: str, value: str, patience: str | None) -> str:
    if key.split(".")[0] == "patience" and patience is not None:
        return f"patience={patience}"  # --patience, in the KEY=VALUE form
    return f"{key}={value}"


def _modelled(overrides: list[str]) -> list[str]:
    """``model=planning`` first unless an override chooses the model (as
    :func:`~sim.app.plan_inputs.centre_config` does)."""
    if "model" in _values(overrides):
        return overrides
    return ["model=planning", *overrides]
