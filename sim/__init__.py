"""callsim: a discrete-event simulator of inbound call centres.

The library API works without Hydra::

    import sim
    res = sim.simulate({"staffing": {"agents": 12}})          # one replication
    base = sim.compose(["run.days=2"])  # what `callsim run.days=2` runs (configs/)
    study = sim.replicate({"run": {"replications": 10}})      # KPIs with CIs
    sim.analytic.erlang_c(arrival_rate=0.05, mean_handle_s=180, agents=14)
    sim.validate("configs/...")  # simulated vs exact, for a stationary centre

The names below are imported on first use (PEP 562), so that ``import sim.cli`` (the
``callsim`` command) does not load numpy, pandas, scipy and SimPy before it needs them.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim import analytic
    from sim.compose import compose
    from sim.config import Config
    from sim.model import CallCenter, simulate
    from sim.oracle import validate
    from sim.results import Results
    from sim.runner import Replications, replicate
    from sim.validation import ConfigError, load_config

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
    "validate",
]

_WHERE = {
    "CallCenter": "sim.model",
    "Config": "sim.config",
    "ConfigError": "sim.validation",
    "Replications": "sim.runner",
    "Results": "sim.results",
    "load_config": "sim.validation",
    "replicate": "sim.runner",
    "simulate": "sim.model",
    "validate": "sim.oracle",
}


def __getattr__(name: str) -> Any:
    if name == "analytic":
        return importlib.import_module("sim.analytic")
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


class _Package(types.ModuleType):
    """``sim.compose`` is the function (as it was when imported eagerly), although the
    submodule of that name sets the attribute when it is first imported."""

    @property
    def compose(self) -> Callable[..., Any]:
        from sim.compose import compose as function

        return function

    @compose.setter
    def compose(self, value: object) -> None:  # the import system sets the submodule here
        pass


sys.modules[__name__].__class__ = _Package
