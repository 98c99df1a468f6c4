"""The sweeper of ``callsim -m``, where Hydra looks for plugins (see sim.app.resume).

Hydra imports every module under ``hydra_plugins`` at start-up; when another ``sim``
comes first on the path (an older checkout, say), this module defines nothing rather
than break Hydra for it.
"""

try:
    from sim.app.resume import ResumingSweeper
except ImportError:  # not callsim's `sim`: no callsim sweeper
    __all__: list[str] = []
else:
    __all__ = ["CallsimSweeper"]

    class CallsimSweeper(ResumingSweeper):
        """:class:`sim.app.resume.ResumingSweeper`, registered under ``hydra_plugins``."""
