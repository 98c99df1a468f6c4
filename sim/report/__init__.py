"""Figures, the one style they share, the self-contained report.html and the
results folder writer.

May import: everything but :mod:`sim.app`.
"""

__all__: list[str] = []
