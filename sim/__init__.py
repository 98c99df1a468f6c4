"""callsim: a discrete-event simulator of inbound call centres.

The library API works without Hydra::

    import sim
    res = sim.simulate({"staffing": {"agents": 12}})          # one replication
    base = sim.compose(["run.days=2"])  # what `callsim run.days=2` runs (configs/)
    study = sim.replicate({"run": {"replications": 10}})      # KPIs with CIs
    sim.analytic.erlang_c(arrival_rate=0.05, mean_handle_s=180, agents=14)
    sim.validate("configs/...")  # simulated vs exact, for a stationary centre
"""

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
