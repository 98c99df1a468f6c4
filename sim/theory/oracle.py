"""Simulated (with confidence intervals) versus exact steady-state KPIs, side by side.

A configuration that meets the assumptions of an exact formula of :mod:`sim.theory.analytic`
(a stationary centre: open around the clock, flat Poisson arrivals, constant staffing,
no redials) is simulated with :func:`sim.model.runner.replicate` and every KPI of the summary
that the formula predicts is put next to its exact value:

* ``erlang_b``: M/G/n/n (``queue.lines == agents`` or ``queue.max_waiting == 0``), any
  handle-time law (insensitivity), handle = talk + after-call work;
* ``erlang_c``: M/M/n, patience ``never``, load < agents;
* ``erlang_a``: M/M/n+M, exponential patience;
* ``mmng``: M/M/n+G, any other patience law (e.g. the default ``genesys``).

Units: times in seconds, rates per second, shares in [0, 1]. KPI names and meanings are
those of :data:`sim.outputs.metrics.SUMMARY_KEYS`; in particular ``p_wait`` = P(V > 0) (found no
idle agent, not blocked), ``service_level`` = P(answered and wait <= T) with
T = ``metrics.sl_threshold_s``, ``mean_wait_s`` = E[min(V, tau)] (answered + abandoned).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.linalg import eigvalsh_tridiagonal

from sim.config.scenario import Scenario
from sim.config.validation import load_scenario
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.core.timetable import DAY_S
from sim.model.callcenter import ConfigLike
from sim.model.runner import confidence_table, replicate
from sim.theory import analytic

__all__ = [
    "COLUMNS",
    "FORMULAS",
    "KPIS",
    "applicable_formulas",
    "arrival_rate_per_s",
    "exact_kpis",
    "format_validation",
    "oracle",
    "relaxation_time_s",
    "unmet_assumptions",
    "validate",
]

#: Exact formulas, most specific first.
FORMULAS = ("erlang_b", "erlang_c", "erlang_a", "mmng")
_WAITING = ("p_wait", "asa_s", "service_level", "abandon_rate", "mean_wait_s", "occupancy")
#: Summary KPIs each formula predicts (the others are trivially 0 or not predicted).
KPIS: dict[str, tuple[str, ...]] = {
    "erlang_b": ("block_rate", "service_level", "occupancy"),
    "erlang_c": ("p_wait", "asa_s", "service_level", "mean_wait_s", "occupancy"),
    "erlang_a": _WAITING,
    "mmng": _WAITING,
}
#: Columns of the table returned by :func:`validate`.
COLUMNS = ("kpi", "formula", "exact", "simulated", "ci_low", "ci_high", "half_width", "inside", "z")

Reason = tuple[str, str]  # (dotted config key, message naming key and value)


def _reason(key: str, value: object, allowed: str) -> Reason:
    return key, f"{key} = {value!r}: {allowed}"


def _all_equal(values: Sequence[float]) -> bool:
    return len(set(float(v) for v in values)) <= 1


def _all_agents(cfg: Config) -> list[int]:
    """Every staffing value of the config, flattened (one number, a list, or lists)."""
    a = cfg.staffing.agents
    if isinstance(a, int):
        return [a]
    return [int(x) for row in a for x in (row if isinstance(row, list) else [row])]


def _agents(cfg: Config) -> int:
    return _all_agents(cfg)[0]


def _rate(cfg: Config) -> float:
    return float(cfg.center.volume_per_day) * float(cfg.center.day_of_week_factors[0]) / DAY_S


def arrival_rate_per_s(config: ConfigLike) -> float:
    """Fresh calls per second of an always-open, flat centre: volume_per_day * factor / 86400."""
    return _rate(load_scenario(config).config)


def _stationary(cfg: Config) -> list[Reason]:
    """Reasons why ``cfg`` is not a stationary centre (empty if it is)."""
    c, out = cfg.center, []
    if c.open_time != "00:00":
        out.append(
            _reason("center.open_time", c.open_time, 'must be "00:00" (open around the clock)')
        )
    if c.close_time != "24:00":
        out.append(
            _reason("center.close_time", c.close_time, 'must be "24:00" (open around the clock)')
        )
    if c.profile is not None and not _all_equal(c.profile):
        out.append(_reason("center.profile", list(c.profile), "must be null or flat (all equal)"))
    if c.busyness_var != 0:
        out.append(
            _reason("center.busyness_var", c.busyness_var, "must be 0 (plain Poisson arrivals)")
        )
    if not _all_equal(c.day_of_week_factors):
        out.append(
            _reason(
                "center.day_of_week_factors",
                list(c.day_of_week_factors),
                "must all be equal (same arrival rate every day)",
            )
        )
    for key in ("call_types", "agent_groups"):  # the formulas: one queue, one pool
        if getattr(cfg, key):
            out.append(_reason(key, f"{len(getattr(cfg, key))} entries",
                               "must be [] (the exact formulas know one queue and one pool)"))  # fmt: skip
    agents = cfg.staffing.agents
    if not _all_equal(_all_agents(cfg)):
        out.append(
            _reason("staffing.agents", agents, "must be constant (one number, or all equal)")
        )
    res = cfg.resolution
    if res.fcr < 1.0 and res.recontact_probability > 0.0 and res.max_contacts > 1:
        out.append(
            _reason(
                "resolution.recontact_probability",
                res.recontact_probability,
                "must be 0, or resolution.fcr 1 (no repeat calls)",
            )
        )
    if cfg.customers.enabled and cfg.customers.feedback:
        out.append(_reason("customers.feedback", True, "must be false (the volume must not drift)"))
    wf = cfg.workforce
    if wf.enabled and (
        wf.fatigue.enabled
        or wf.learning.enabled
        or wf.attrition.enabled
        or wf.absence_probability
        or wf.offphone_share
        or cfg.staffing.shifts is not None
    ):
        out.append(
            _reason(
                "workforce.enabled",
                True,
                "must be false, or every agent behaviour off (identical agents; workforce=none)",
            )
        )
    r = cfg.redials
    if r.max_attempts > 1 and (r.probability != 0 or r.blocked_probability != 0):
        out.append(
            _reason(
                "redials.probability" if r.probability else "redials.blocked_probability",
                r.probability or r.blocked_probability,
                "must be 0 (no redials)",
            )
        )
    return out


def _formula_reasons(sc: Scenario, formula: str) -> list[Reason]:
    cfg = sc.config
    """Reasons, beyond stationarity, why ``formula`` does not hold for ``cfg``."""
    n, q, out = _agents(cfg), cfg.queue, []
    if formula == "erlang_b":
        if not (q.lines == n or (q.max_waiting == 0 and (q.lines is None or q.lines >= n))):
            out.append(
                _reason(
                    "queue.lines",
                    q.lines,
                    f"must equal staffing.agents = {n} for "
                    "Erlang B (or queue.max_waiting = 0 with no smaller line cap)",
                )
            )
        return out
    if q.lines is not None:
        out.append(_reason("queue.lines", q.lines, f"must be null for {formula} (unlimited lines)"))
    if q.max_waiting is not None:
        out.append(_reason("queue.max_waiting", q.max_waiting, f"must be null for {formula}"))
    talk, acw = sc.laws.talk, sc.laws.acw
    if not talk.is_exponential:
        out.append(
            _reason("service.talk", cfg.service.talk.kind, f"must be exponential for {formula}")
        )
    if acw.mean != 0:
        out.append(_reason("service.acw", acw, f"must be deterministic 0 for {formula}"))
    patience = sc.laws.patience
    if formula == "erlang_c" and not patience.is_never:
        out.append(_reason("patience.kind", cfg.patience.kind, "must be never for erlang_c"))
    if formula == "erlang_a" and not patience.is_exponential:
        out.append(_reason("patience.kind", cfg.patience.kind, "must be exponential for erlang_a"))
    load = _rate(cfg) * talk.mean
    never = 0.0 if math.isfinite(patience.mean) else float(patience.sf(1e300))
    if load * never >= n:
        out.append(
            _reason(
                "staffing.agents",
                n,
                f"must exceed the load of callers who never "
                f"abandon ({load * never:.6g} Erlangs): no steady state otherwise",
            )
        )
    return out


def _natural(sc: Scenario) -> str:
    """The formula a config is meant for, judged by its queue and patience settings."""
    q = sc.config.queue
    if q.lines is not None or q.max_waiting == 0:
        return "erlang_b"
    patience = sc.laws.patience
    return "erlang_c" if patience.is_never else "erlang_a" if patience.is_exponential else "mmng"


def unmet_assumptions(config: ConfigLike, formula: str | None = None) -> list[str]:
    """Messages ``"key = value: what is required"`` for every assumption of ``formula`` that
    ``config`` breaks (default: the formula its queue and patience settings point to)."""
    sc = load_scenario(config)
    if formula is not None and formula not in FORMULAS:
        raise ValueError(f"formula = {formula!r}: must be one of {', '.join(FORMULAS)}")
    return [m for _, m in _stationary(sc.config) + _formula_reasons(sc, formula or _natural(sc))]


def applicable_formulas(config: ConfigLike) -> list[str]:
    """The exact formulas whose assumptions ``config`` meets, most specific first."""
    sc = load_scenario(config)
    if _stationary(sc.config):
        return []
    return [f for f in FORMULAS if not _formula_reasons(sc, f)]


def _check_warmup(cfg: Config) -> None:
    if cfg.run.warmup_s <= 0:
        warnings.warn(
            "run.warmup_s = 0: the empty start biases the steady-state comparison; "
            "set a warm-up of several relaxation times (relaxation_time_s)",
            UserWarning,
            stacklevel=3,
        )


def exact_kpis(config: ConfigLike, formula: str | None = None) -> dict[str, float]:
    """Exact steady-state values of the KPIs :data:`KPIS` ``[formula]`` (default: the first
    applicable formula); raises :class:`ConfigError` naming the broken assumption."""
    sc = load_scenario(config)
    cfg = sc.config
    if formula is None:
        found = applicable_formulas(sc)
        if not found:
            reasons = _stationary(cfg) + _formula_reasons(sc, _natural(sc))
            raise ConfigError(
                "no exact formula applies: " + "; ".join(m for _, m in reasons),
                reasons[0][0] if reasons else None,
            )
        formula = found[0]
    elif reasons := _stationary(cfg) + _formula_reasons(sc, formula):
        raise ConfigError(
            f"{formula} does not apply: " + "; ".join(m for _, m in reasons), reasons[0][0]
        )
    lam, n, t = _rate(cfg), _agents(cfg), float(cfg.metrics.sl_threshold_s)
    talk, patience = sc.laws.talk, sc.laws.patience
    if formula == "erlang_b":
        a = lam * (talk.mean + sc.laws.acw.mean)
        b = analytic.erlang_b(n, a)
        return {"block_rate": b, "service_level": 1.0 - b, "occupancy": a * (1.0 - b) / n}
    if formula == "erlang_c":
        c = analytic.erlang_c(lam, talk.mean, n)
        values = {
            "p_wait": c.p_wait,
            "asa_s": c.asa_s,
            "service_level": c.service_level(t),
            "mean_wait_s": c.mean_wait_s,
            "occupancy": c.occupancy,
        }
    else:
        r = (
            analytic.erlang_a(lam, talk.mean, n, patience.mean)
            if formula == "erlang_a"
            else analytic.mmng(lam, talk.mean, n, patience)
        )
        values = {
            "p_wait": r.p_wait,
            "asa_s": r.asa_s,
            "service_level": r.service_level(t),
            "abandon_rate": r.p_abandon,
            "mean_wait_s": r.mean_wait_s,
            "occupancy": r.occupancy,
        }
    return {k: float(values[k]) for k in KPIS[formula]}


def oracle(config: ConfigLike) -> pd.DataFrame | None:
    """Exact KPIs as a table (columns ``kpi``, ``formula``, ``exact``), or None if no
    formula applies (see :func:`unmet_assumptions` for why)."""
    sc = load_scenario(config)
    found = applicable_formulas(sc)
    if not found:
        return None
    _check_warmup(sc.config)
    values = exact_kpis(sc, found[0])
    return pd.DataFrame({"kpi": list(values), "formula": found[0], "exact": list(values.values())})


def relaxation_time_s(
    agents: int, arrival_rate: float, mean_handle_s: float, abandon_rate_per_s: float = 0.0
) -> float:
    """Relaxation time (seconds) of M/M/n+M: 1 / spectral gap of its birth-death chain.

    Deviations from the steady state decay like exp(-t / relaxation time) once the chain
    is near equilibrium; use ``abandon_rate_per_s = 0`` (Erlang C) as a conservative bound
    when patience is not exponential and the load is below ``agents``. The chain is cut
    where the stationary mass is negligible (a few hundred thousand states at most).
    """
    n, lam, mu, theta = int(agents), float(arrival_rate), 1.0 / mean_handle_s, abandon_rate_per_s
    if theta <= 0 and lam >= n * mu:
        raise ValueError(
            f"unstable: load {lam / mu:.6g} Erlangs >= agents = {n} without abandonment"
        )
    drift = n * mu - lam if theta <= 0 else theta
    extra = int(min(400_000, max(2_000, 300.0 * (lam + n * mu) / drift)))
    if theta > 0:
        extra += int(max(0.0, lam - n * mu) / theta)
    k = np.arange(n + extra + 1, dtype=float)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0.0) * theta
    birth = np.full(k.size, lam)
    birth[-1] = 0.0
    gap = eigvalsh_tridiagonal(
        birth + death, np.sqrt(lam * death[1:]), select="i", select_range=(1, 1)
    )[0]
    return float(1.0 / gap)


def validate(
    config: ConfigLike,
    replications: int | None = None,
    workers: int | None = None,
    confidence: float | None = None,
) -> pd.DataFrame:
    """Simulate ``config`` and compare with the exact formula, one row per KPI.

    ``replications``/``workers`` default to ``run.replications``/``run.workers`` (at least 2
    replications: the interval is Student-t over independent replications), ``confidence``
    to ``metrics.confidence``. Columns :data:`COLUMNS`: ``simulated`` is the mean over
    replications, ``ci_low``/``ci_high``/``half_width`` its interval, ``inside`` whether the
    exact value lies in it, ``z = (simulated - exact) / standard error``. Raises
    :class:`ConfigError` naming the key and value of a broken assumption.
    """
    sc = load_scenario(config)
    cfg = sc.config
    exact = exact_kpis(sc)
    formula = applicable_formulas(sc)[0]
    _check_warmup(cfg)
    level = cfg.metrics.confidence if confidence is None else float(confidence)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence = {level!r}: must be in (0, 1)")
    n_rep = cfg.run.replications if replications is None else int(replications)
    if n_rep < 2:
        raise ValueError(f"replications = {n_rep}: need >= 2 for a confidence interval")
    reps = replicate(cfg, n_rep, workers)
    ci = confidence_table(reps.per_replication[list(exact)], level).to_dict(orient="index")
    rows = []
    for kpi, value in exact.items():
        s = ci[kpi]
        mean, lo, hi, se = (
            float(s["mean"]),
            float(s["ci_low"]),
            float(s["ci_high"]),
            float(s["sd"]) / math.sqrt(float(s["n"])),
        )
        same = math.isclose(mean, value, rel_tol=1e-12, abs_tol=1e-15)
        z = (
            (mean - value) / se
            if se > 0
            else 0.0
            if same
            else math.copysign(math.inf, mean - value)
        )
        rows.append(
            (
                kpi,
                formula,
                value,
                mean,
                lo,
                hi,
                float(s["half_width"]),
                bool(lo <= value <= hi or same),
                z,
            )
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table.attrs.update(formula=formula, replications=n_rep, confidence=level)
    return table


def format_validation(table: pd.DataFrame) -> str:
    """A fixed-width text table of :func:`validate`'s result (for the CLI and reports)."""
    a = table.attrs
    head = (
        f"formula {a.get('formula', table['formula'].iloc[0] if len(table) else '?')}, "
        f"{a.get('replications', '?')} replications, "
        f"{100 * float(a.get('confidence', math.nan)):.4g}% Student-t intervals"
    )
    cols = f"{'kpi':<14}{'exact':>12}{'simulated':>12}{'ci_low':>12}{'ci_high':>12}{'z':>8}  inside"
    lines = [head, cols, "-" * len(cols)]
    for r in table.itertuples(index=False):
        lines.append(
            f"{r.kpi:<14}{r.exact:>12.6g}{r.simulated:>12.6g}{r.ci_low:>12.6g}"
            f"{r.ci_high:>12.6g}{r.z:>+8.2f}  {'yes' if r.inside else 'NO'}"
        )
    return "\n".join(lines)
