"""callsim: a discrete-event simulator of inbound call centres.

The library API works without Hydra::

    import sim
    res = sim.simulate({"staffing": {"agents": 12}})          # one replication
    study = sim.replicate({"run": {"replications": 10}})      # KPIs with CIs
    sim.analytic.erlang_c(arrival_rate=0.05, mean_handle_s=180, agents=14)
"""

from sim import analytic
from sim.config import Config
from sim.model import CallCenter, simulate
from sim.results import Results
from sim.validation import ConfigError, load_config

__all__ = [
    "CallCenter",
    "Config",
    "ConfigError",
    "Results",
    "analytic",
    "load_config",
    "simulate",
]
