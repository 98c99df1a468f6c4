"""The sweeper of ``callsim -m``, where Hydra looks for plugins (see sim.app.resume)."""

from sim.app.resume import ResumingSweeper

__all__ = ["CallsimSweeper"]


class CallsimSweeper(ResumingSweeper):
    """:class:`sim.app.resume.ResumingSweeper`, registered under ``hydra_plugins``."""
