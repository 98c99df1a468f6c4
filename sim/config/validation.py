"""Loading and validating configurations: every bad value stops the run before it starts.

:func:`load_config` accepts a :class:`~sim.core.schema.Config`, a plain mapping, an OmegaConf
``DictConfig`` (what Hydra hands over) or a YAML file, merges it onto the schema, and
checks every range. The schema's own defaults are a plain centre (flat profile, 10
agents, no redials, no busyness); :func:`sim.config.compose.compose` builds instead exactly
what the ``callsim`` command runs (``sim/config/yaml/config.yaml`` with its groups and a
scenario), from Python and without ``@hydra.main``. Each problem raises :class:`ConfigError` with one message naming
the key, the offending value and what is allowed, e.g.::

    center.volume_per_day = -5.0: must be a finite number > 0
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigKeyError, OmegaConfBaseException, ValidationError

from sim.config.callbacks import parse_callbacks
from sim.config.config_input import check_boolean_override, check_booleans, to_python
from sim.config.laws import build_distribution, finite_law, parse_laws
from sim.config.layers import law_layers, merge_layer
from sim.config.outbound import parse_outbound
from sim.config.scenario import Scenario, assemble
from sim.config.size import check_size
from sim.config.skills import check_agents, parse_skills
from sim.config.trace import Trace, TraceError, read_trace
from sim.config.trust import check_data
from sim.config.validation_workforce import check_workforce
from sim.config.yaml_booleans import check_yaml_file
from sim.core.checks import (
    ConfigError,
    bad,
    choice,
    integer,
    non_negative,
    number,
    positive,
    probability,
)
from sim.core.paths import check_folder_name
from sim.core.schema import Config, merge_schema
from sim.core.timetable import DAY_S, Timetable, parse_clock

__all__ = [
    "MAX_ATTEMPTS",
    "SHARE_TOLERANCE",
    "build_distribution",
    "describe_type",
    "load_config",
    "load_scenario",
    "omegaconf_error",
    "parse",
    "validate",
]

#: Intraday shares must sum to 1 within this absolute tolerance.
SHARE_TOLERANCE = 1e-6
#: Longest customer tenure a config may state, days (100 years; tenures are int32 days).
MAX_TENURE_DAYS = 36_500
#: Attempts per caller are stored in one byte.
MAX_ATTEMPTS = 255


def _check_center(cfg: Config) -> Timetable:
    c = cfg.center
    try:
        open_s = parse_clock(c.open_time)
    except ValueError:
        raise bad("center.open_time", c.open_time, 'must be a time of day "HH:MM"') from None
    try:
        close_s = parse_clock(c.close_time)
    except ValueError:
        raise bad("center.close_time", c.close_time, 'must be a time of day "HH:MM"') from None
    if close_s <= open_s:
        raise bad(
            "center.close_time", c.close_time, f"must be after center.open_time ({c.open_time})"
        )
    interval_min = integer("center.interval_min", c.interval_min, 1)
    if (close_s - open_s) % (interval_min * 60) != 0:
        raise bad(
            "center.interval_min",
            interval_min,
            f"must divide the opening hours ({c.open_time}-{c.close_time}) into whole intervals",
        )
    positive("center.volume_per_day", c.volume_per_day)
    timetable = Timetable(
        open_s=open_s,
        close_s=close_s,
        interval_s=interval_min * 60.0,
        days=cfg.run.days,
        start_weekday=c.start_weekday,
    )
    n = timetable.n_intervals
    if c.profile is not None:
        if len(c.profile) != n:
            raise bad("center.profile", list(c.profile), f"must have {n} shares, one per interval")
        for i, share in enumerate(c.profile):
            non_negative(f"center.profile[{i}]", share)
        total = math.fsum(c.profile)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise bad(
                "center.profile",
                list(c.profile),
                f"shares must sum to 1 (within {SHARE_TOLERANCE:g}); they sum to {total:.9g}",
            )
    if c.expected_calls is not None:
        rows = c.expected_calls
        if not _is_list(rows) or len(rows) != cfg.run.days:
            raise bad(
                "center.expected_calls",
                f"{len(rows) if _is_list(rows) else rows!r} rows",
                f"must be null or one list per day of the run (run.days = {cfg.run.days})",
            )
        for d, row in enumerate(rows):
            if not _is_list(row) or len(row) != n:
                raise bad(
                    f"center.expected_calls[{d}]", row, f"must have {n} values, one per interval"
                )
            for i, x in enumerate(row):
                non_negative(f"center.expected_calls[{d}][{i}]", x)
    if len(c.day_of_week_factors) != 7:
        raise bad(
            "center.day_of_week_factors",
            list(c.day_of_week_factors),
            "must have 7 factors (Mon..Sun)",
        )
    for i, factor in enumerate(c.day_of_week_factors):
        non_negative(f"center.day_of_week_factors[{i}]", factor)
    if not any(f > 0 for f in c.day_of_week_factors):
        raise bad("center.day_of_week_factors", list(c.day_of_week_factors), "must not all be 0")
    if integer("center.start_weekday", c.start_weekday, 0) > 6:
        raise bad("center.start_weekday", c.start_weekday, "must be 0 (Monday) .. 6 (Sunday)")
    non_negative("center.busyness_var", c.busyness_var)
    choice("center.after_close", c.after_close, ("drain", "cut"))
    return timetable


def _check_trace(cfg: Config, timetable: Timetable) -> Trace | None:
    """The recorded calls of ``center.arrivals: trace``, read and checked once; else None."""
    c = cfg.center
    if choice("center.arrivals", c.arrivals, ("forecast", "trace")) == "trace":
        try:
            trace = read_trace(c.trace_file, timetable, [str(t.name) for t in cfg.call_types])
        except TraceError as exc:
            raise ConfigError(f"center.trace_file: {exc}", "center.trace_file") from None
        if cfg.customers.enabled and cfg.customers.feedback:
            raise bad("center.arrivals", c.arrivals,
                      "a trace cannot follow the customer base: set customers.feedback false")
        return trace
    if c.trace_file is not None:
        raise bad("center.trace_file", c.trace_file,
                  "is only read with center.arrivals: trace (set it, or the file to null)")
    return None


def _check_staffing(cfg: Config, n_intervals: int) -> None:
    check_agents("staffing.agents", cfg.staffing.agents, cfg.run.days, n_intervals)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def validate(cfg: Config) -> Config:
    """Check every value of ``cfg``; raise :class:`ConfigError` on the first bad one."""
    return parse(cfg).config


def parse(cfg: Config) -> Scenario:
    """Check every value of ``cfg`` and build its parts once (:class:`Scenario`).

    Raises :class:`ConfigError` on the first bad value, naming its key.
    """
    r = cfg.run
    integer("run.days", r.days, 1)
    timetable = _check_center(cfg)
    trace = _check_trace(cfg, timetable)
    if cfg.staffing.shifts is None and not cfg.agent_groups:  # else the roster or the
        _check_staffing(cfg, timetable.n_intervals)  # groups staff the centre, not agents
    cfg, laws = parse_laws(cfg)
    probability("redials.probability", cfg.redials.probability)
    probability("redials.blocked_probability", cfg.redials.blocked_probability)
    if integer("redials.max_attempts", cfg.redials.max_attempts, 1) > MAX_ATTEMPTS:
        raise bad("redials.max_attempts", cfg.redials.max_attempts, f"must be <= {MAX_ATTEMPTS}")
    if cfg.queue.lines is not None:
        integer("queue.lines", cfg.queue.lines, 1)
    if cfg.queue.max_waiting is not None:
        integer("queue.max_waiting", cfg.queue.max_waiting, 0)
    _check_journey(cfg)
    shifts, roster = check_workforce(cfg)
    non_negative("metrics.sl_threshold_s", cfg.metrics.sl_threshold_s)
    probability("metrics.sl_target", cfg.metrics.sl_target)
    conf = number("metrics.confidence", cfg.metrics.confidence)
    if not 0.0 < conf < 1.0:
        raise bad("metrics.confidence", cfg.metrics.confidence, "must be in (0, 1), e.g. 0.95")
    integer("output.csv_max_rows", cfg.output.csv_max_rows, 0)
    if non_negative("run.warmup_s", r.warmup_s) >= r.days * DAY_S:
        raise bad("run.warmup_s", r.warmup_s, f"must be shorter than the run ({r.days} days)")
    integer("run.replications", r.replications, 1)
    integer("run.workers", r.workers, 0)  # 0: auto (sim.model.runner.auto_workers)
    integer("run.seed", r.seed, 0)
    name_problem = check_folder_name(r.name)
    if name_problem is not None:
        raise bad("run.name", r.name, name_problem)
    if not isinstance(r.force, bool):
        raise bad("run.force", r.force, "must be true or false")
    skills = parse_skills(cfg, (laws.patience, laws.talk, laws.acw), timetable.n_intervals,
                          build_distribution, finite_law, timetable.interval_s)  # fmt: skip
    outbound = parse_outbound(cfg, skills[0])
    types, groups, callbacks = parse_callbacks(cfg, *skills)
    check_size(cfg, timetable.n_intervals)  # last: every value it reads is checked
    scenario = assemble(cfg, timetable, laws, shifts, roster, trace, (types, groups))
    return replace(scenario, callbacks=callbacks, outbound=outbound)


def _check_journey(cfg: Config) -> None:
    """Resolution, experience, customers and economics (the customer-journey groups)."""
    res, exp, cu = cfg.resolution, cfg.experience, cfg.customers
    probability("resolution.fcr", res.fcr)
    probability("resolution.recontact_probability", res.recontact_probability)
    if integer("resolution.max_contacts", res.max_contacts, 1) > MAX_ATTEMPTS:
        raise bad("resolution.max_contacts", res.max_contacts, f"must be <= {MAX_ATTEMPTS}")
    probability("resolution.empowered_share", res.empowered_share)
    if res.fcr + probability("resolution.empowerment_uplift", res.empowerment_uplift) > 1.0:
        raise bad(
            "resolution.empowerment_uplift",
            res.empowerment_uplift,
            f"resolution.fcr + empowerment_uplift must be <= 1 (fcr = {res.fcr})",
        )
    good = non_negative("experience.good_wait_share", exp.good_wait_share)
    if non_negative("experience.bad_wait_share", exp.bad_wait_share) < good:
        raise bad(
            "experience.bad_wait_share",
            exp.bad_wait_share,
            f"must be >= experience.good_wait_share = {exp.good_wait_share}",
        )
    probability("experience.discourtesy_probability", exp.discourtesy_probability)
    weights = non_negative("experience.peak_weight", exp.peak_weight)
    if weights + non_negative("experience.end_weight", exp.end_weight) <= 0:
        raise bad("experience.end_weight", exp.end_weight, "peak_weight + end_weight must be > 0")
    if integer("customers.initial", cu.initial, 1) > integer(
        "customers.market_size", cu.market_size, 1
    ):
        raise bad(
            "customers.initial", cu.initial, f"must be <= customers.market_size = {cu.market_size}"
        )
    if cu.market_size >= 2**31:
        raise bad("customers.market_size", cu.market_size, "must be < 2**31")
    non_negative("customers.value_per_day", cu.value_per_day)
    non_negative("customers.tenure_uplift", cu.tenure_uplift)
    for key in ("loyal_after_days", "initial_tenure_max_days"):  # days held as int32
        if integer(f"customers.{key}", getattr(cu, key), 0) > MAX_TENURE_DAYS:
            raise bad(f"customers.{key}", getattr(cu, key),
                      f"must be <= {MAX_TENURE_DAYS} days (100 years)")  # fmt: skip
    ch = cu.churn
    one = probability("customers.churn.after_one", ch.after_one)
    several = probability("customers.churn.after_several", ch.after_several)
    if choice("customers.churn.shape", ch.shape, ("escalating", "constant")) == "escalating":
        integer("customers.churn.several", ch.several, 2)
        if not one < several < 1.0:
            raise bad(
                "customers.churn.after_several",
                ch.after_several,
                f"must be in (customers.churn.after_one = {ch.after_one}, 1) for the "
                "escalating shape",
            )
    else:
        integer("customers.churn.several", ch.several, 1)
    if probability("customers.churn.background_per_year", ch.background_per_year) >= 1.0:
        raise bad("customers.churn.background_per_year", ch.background_per_year, "must be < 1")
    non_negative("customers.churn.forgetting_per_day", ch.forgetting_per_day)
    probability("customers.churn.per_negative_message", ch.per_negative_message)
    w = cu.wom
    for name in ("tell_bad", "tell_good", "retell_bad", "retell_good"):
        probability(f"customers.wom.{name}", getattr(w, name))
    for name in ("listeners_bad_mean", "listeners_good_mean"):
        if not positive(f"customers.wom.{name}", getattr(w, name)) >= 1.0:
            raise bad(
                f"customers.wom.{name}", getattr(w, name), "must be >= 1 (a teller tells someone)"
            )
    positive("customers.wom.memory_days", w.memory_days)
    a = cu.acquisition
    non_negative("customers.acquisition.innovation_per_year", a.innovation_per_year)
    non_negative("customers.acquisition.imitation_per_year", a.imitation_per_year)
    non_negative("customers.acquisition.positive_effect", a.positive_effect)
    non_negative("customers.acquisition.negative_effect", a.negative_effect)
    non_negative("economics.agent_cost_per_hour", cfg.economics.agent_cost_per_hour)


def omegaconf_error(exc: OmegaConfBaseException) -> ConfigError:
    """The one-line :class:`ConfigError` for an OmegaConf error (unknown key, bad type)."""
    key = getattr(exc, "full_key", None) or "config"
    entry = _list_entry(getattr(exc, "object_type", None))
    if entry is not None and "." not in key and "[" not in key:  # inside a list's entry:
        name, cls = entry  # OmegaConf names the key without the list's path
        if isinstance(exc, ConfigKeyError | AttributeError) or "not in" in str(exc):
            allowed = ", ".join(f.name for f in dataclasses.fields(cls))
            return ConfigError(f"{name}[*].{key}: unknown key (allowed here: {allowed})", key)
        if isinstance(exc, ValidationError):
            value = getattr(exc, "value", None)
            words = describe_type(key, cls)
            return ConfigError(f"{name}[*].{key} = {value!r}: must be {words}", key)
    if isinstance(exc, ConfigKeyError | AttributeError) or "not in" in str(exc):
        parent_key = key.rpartition(".")[0]
        node: Any = OmegaConf.structured(Config)
        for part in filter(None, parent_key.split(".")):
            node = node.get(part) if isinstance(node, DictConfig) else None
        allowed = (
            ", ".join(str(k) for k in node.keys())
            if isinstance(node, DictConfig)
            else "see docs/reference/config.md"
        )
        return ConfigError(f"{key}: unknown key (allowed here: {allowed})", key)
    if isinstance(exc, ValidationError):
        value = getattr(exc, "value", None)
        return ConfigError(f"{key} = {value!r}: must be {describe_type(key)}", key)
    first_line = str(getattr(exc, "msg", exc)).splitlines()[0]
    return ConfigError(f"{key}: {first_line}", key)


_TYPE_WORDS = {float: "a number (float)", int: "a whole number (int)", str: "text (str)",
               bool: "true or false (bool)", list: "a list"}  # fmt: skip


def _list_entry(cls: Any) -> tuple[str, type] | None:
    """``(key, cls)`` when ``cls`` is the dataclass of the entries of a top-level list
    key of the schema (``call_types``, ``agent_groups``), else None."""
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)) or cls is Config:
        return None
    for name, hint in typing.get_type_hints(Config).items():
        if typing.get_origin(hint) is list and cls in typing.get_args(hint):
            return name, cls
    return None


def describe_type(key: str, root: Any = Config) -> str:
    """Words for the declared type of the schema field at dotted ``key`` of ``root``."""
    node: Any = root
    hint: Any = None
    for part in key.split("."):
        hints = typing.get_type_hints(node) if dataclasses.is_dataclass(node) else {}
        hint = hints.get(part.split("[")[0])
        if hint is None:
            return "of the declared type"
        node = hint
    args = typing.get_args(hint)
    optional = type(None) in args
    base = next((a for a in args if a is not type(None)), hint) if args else hint
    words = _TYPE_WORDS.get(typing.get_origin(base) or base, str(base))
    return f"{words} or null" if optional else words


def load_config(
    source: Config | Mapping[str, Any] | DictConfig | str | Path | None = None,
    **overrides: Any,
) -> Config:
    """Return a validated :class:`Config` from any of the accepted sources.

    ``overrides`` are dotted keys with ``__`` for dots, handy in notebooks:
    ``load_config(staffing__agents=12, run__days=2)``.
    """
    return load_scenario(source, **overrides).config


def load_scenario(
    source: Scenario | Config | Mapping[str, Any] | DictConfig | str | Path | None = None,
    **overrides: Any,
) -> Scenario:
    """The :class:`Scenario` (validated config and its parts) of any accepted source;
    a :class:`Scenario` without overrides is returned as it is."""
    if isinstance(source, Scenario):
        if not overrides:
            return source
        source = source.config
    if not isinstance(source, DictConfig):
        source = to_python(source)  # numpy scalars and arrays from notebooks
    assert not isinstance(source, Scenario)
    overrides = to_python(overrides)
    if isinstance(source, Config) and not overrides:
        check_data(dataclasses.asdict(source))
        return parse(source)
    where = str(source) if isinstance(source, str | Path) else "config"
    for dotted, value in overrides.items():  # data, strict booleans (sim.config.trust)
        check_data({dotted: value}, "overrides")
        check_boolean_override(dotted.replace("__", "."), value)
    if isinstance(source, Config):  # plain leaves: set on a copy (sim.config.update)
        from sim.config.update import NotPlain, with_values

        try:
            values = [(k.replace("__", "."), v) for k, v in overrides.items()]
            return parse(with_values(source, values))
        except NotPlain:
            pass
        except OmegaConfBaseException as exc:
            raise omegaconf_error(exc) from None
    try:
        laws, plain = law_layers((k.replace("__", "."), v) for k, v in overrides.items())
    except KeyError as exc:
        raise ConfigError(f"{exc.args[0]}: set a mixture component in a dict or YAML file, "
                          "not by a dotted key", str(exc.args[0])) from None  # fmt: skip
    try:
        merged = merge_schema(source if isinstance(source, Config) else None)
        if isinstance(source, str | Path):
            check_yaml_file(source)  # strict booleans, with the line (YAML 1.1 words too)
            loaded = OmegaConf.load(source)
            if not isinstance(loaded, DictConfig):
                raise ConfigError(f"{where}: must be a mapping of config keys, not a list")
            check_data(loaded, where)
            check_booleans(OmegaConf.to_container(loaded, resolve=False))
            merged = merge_layer(merged, loaded)
        elif source is not None and not isinstance(source, Config):
            if not isinstance(source, DictConfig):
                check_booleans(source)
            data = source if isinstance(source, DictConfig) else OmegaConf.create(dict(source))
            check_data(data, where)
            merged = merge_layer(merged, data)
        for dotted, value in plain:
            OmegaConf.update(merged, dotted, value, merge=True)
        if laws:
            layer: dict[str, Any] = {}
            for path, keys in laws.items():
                head, _, leaf = path.rpartition(".")
                (layer.setdefault(head, {}) if head else layer)[leaf] = keys
            merged = merge_layer(merged, layer)
        check_data(merged, where)
        obj = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise omegaconf_error(exc) from None
    assert isinstance(obj, Config)
    return parse(obj)
