"""The command line (``callsim`` and its subcommands), sweeps (Hydra multirun) and
their collection.

May import: everything. Nothing imports it.
"""

__all__: list[str] = []
