"""Queueing theory: exact Erlang B, C, A and M/M/n+G formulas
(:mod:`sim.theory.analytic`) and the oracle that compares a simulated stationary centre
with them (:mod:`sim.theory.oracle`).

May import: :mod:`sim.model` and everything below it.
"""

__all__: list[str] = []
