"""callsim's Hydra sweeper plugin (Hydra loads plugins from ``hydra_plugins`` only)."""

from hydra_plugins.callsim_sweeper.callsim_sweeper import CallsimSweeper

__all__ = ["CallsimSweeper"]
