"""Probability laws of times (handle, patience, recontact delays): value objects with
bulk sampling, moments and exact tail functions.

May import: :mod:`sim.core`.
"""

__all__: list[str] = []
