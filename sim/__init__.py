"""callsim: a discrete-event simulator of inbound call centres.

The library API works without Hydra::

    import sim
    res = sim.simulate({"staffing": {"agents": 12}})          # one replication
    base = sim.compose(["run.days=2"])  # what `callsim run.days=2` runs (sim/config/yaml/)
    study = sim.replicate({"run": {"replications": 10}})      # KPIs with CIs
    sim.theory.analytic.erlang_c(arrival_rate=0.05, mean_handle_s=180, agents=14)
    sim.validate("sim/config/yaml/...")  # simulated vs exact, for a stationary centre
    sim.sweep(["run.days=2"], {"staffing.agents": [20, 25]}, workers=2)  # resumes
"""

from typing import Any

from sim.config.compose import compose
from sim.config.validation import load_config
from sim.core.checks import ConfigError
from sim.core.schema import Config
from sim.model.callcenter import CallCenter, simulate
from sim.model.runner import Replications, replicate
from sim.outputs.results import Results
from sim.theory import analytic
from sim.theory.oracle import validate


def __getattr__(name: str) -> Any:
    """``sim.sweep`` (:func:`sim.app.sweep_api.sweep`), imported on first use so that
    ``import sim`` stays light."""
    if name == "sweep":
        from sim.app.sweep_api import sweep

        return sweep
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


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
