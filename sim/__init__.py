"""callsim: a discrete-event simulator of inbound call centres.

The library API works without Hydra::

    import sim
    res = sim.simulate({"staffing": {"agents": 12}})          # one replication
    base = sim.compose(["run.days=2"])  # what `callsim run.days=2` runs (sim/config/yaml/)
    study = sim.replicate({"run": {"replications": 10}})      # KPIs with CIs
    sim.theory.analytic.erlang_c(arrival_rate=0.05, mean_handle_s=180, agents=14)
    sim.validate("sim/config/yaml/...")  # simulated vs exact, for a stationary centre
    sim.sweep(["run.days=2"], {"staffing.agents": [20, 25]}, workers=2)  # resumes

The names below are imported on first use (PEP 562), so that ``import sim.cli`` (the
``callsim`` command) does not load numpy, pandas, scipy and SimPy before it needs them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.app.sweep_api import sweep
    from sim.config.compose import compose
    from sim.config.validation import load_config
    from sim.core.checks import ConfigError
    from sim.core.schema import Config
    from sim.model.callcenter import CallCenter, simulate
    from sim.model.runner import Replications, replicate
    from sim.outputs.results import Results
    from sim.theory import analytic
    from sim.theory.oracle import validate

__all__ = [
    "CallCenter",
    "Config",
    "ConfigError",
    "Replications",
    "Results",
    "analytic",
    "compose",
    "load_config",
    "replicate",
    "simulate",
    "sweep",
    "validate",
]

_WHERE = {
    "CallCenter": "sim.model.callcenter",
    "Config": "sim.core.schema",
    "ConfigError": "sim.core.checks",
    "Replications": "sim.model.runner",
    "Results": "sim.outputs.results",
    "compose": "sim.config.compose",
    "load_config": "sim.config.validation",
    "replicate": "sim.model.runner",
    "simulate": "sim.model.callcenter",
    "sweep": "sim.app.sweep_api",
    "validate": "sim.theory.oracle",
}


def __getattr__(name: str) -> Any:
    """The public names and the sub-packages, imported on first use: all of them at once,
    as an eager ``import sim`` did (so ``sim.theory.analytic`` works after ``import sim``)."""
    if name not in _WHERE and name != "analytic" and not _is_subpackage(name):
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    if name == "sweep":  # the sweep API (Hydra's launchers) only when asked for
        globals()[name] = importlib.import_module(_WHERE[name]).sweep
        return globals()[name]
    for attr, module in _WHERE.items():
        if attr != "sweep":
            globals()[attr] = getattr(importlib.import_module(module), attr)
    globals()["analytic"] = importlib.import_module("sim.theory.analytic")
    if name in globals():
        return globals()[name]
    return importlib.import_module(f"sim.{name}")


def _is_subpackage(name: str) -> bool:
    return (Path(__file__).parent / name / "__init__.py").is_file()


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


