"""callsim's Hydra sweeper plugin (Hydra loads plugins from ``hydra_plugins`` only):
``hydra_plugins.callsim_sweeper.callsim_sweeper.CallsimSweeper``."""
